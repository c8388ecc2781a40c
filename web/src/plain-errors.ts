import { LINES_BUSY_MESSAGE } from '@voxanne/contracts/call-room';

/** Every failure the caller can see, in words a patient understands. */
export const ERROR_KINDS = [
  'unsupported',
  'mic-denied',
  'mic-missing',
  'mic-failed',
  'server-unreachable',
  'lines-busy',
  'too-many-calls',
  'agent-unavailable',
  'call-dropped',
  'unexpected',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export const ERROR_MESSAGES: Readonly<Record<ErrorKind, string>> = {
  unsupported:
    "This page can't use a microphone here. Open it in a recent Chrome, Edge, " +
    'Firefox or Safari, over https (or at localhost on this computer).',
  'mic-denied':
    'Voxanne needs your microphone to hear you. Allow microphone access for this ' +
    'page (look for the microphone or lock icon near the address bar), then press the button again.',
  'mic-missing': "No microphone was found. Plug one in or check your device's sound settings, then try again.",
  'mic-failed': "Your microphone couldn't be started — another app may be using it. Close that app and try again.",
  'server-unreachable':
    "Can't reach the voice server right now. Check your internet connection and try again in a moment.",
  'lines-busy': `${LINES_BUSY_MESSAGE}.`,
  'too-many-calls':
    'Too many calls have been started from this connection. Please end any other call and try again in a minute.',
  'agent-unavailable': "Voxanne isn't available right now. Please try again in a minute, or phone the clinic directly.",
  'call-dropped': 'The call was cut off because the connection to the voice server was lost. Please call again.',
  unexpected: 'Something went wrong on this page. Please reload it and try again.',
};

export interface PlainError {
  kind: ErrorKind;
  message: string;
}

export function plainError(kind: ErrorKind): PlainError {
  return { kind, message: ERROR_MESSAGES[kind] };
}

/** getUserMedia rejects with DOMExceptions whose name says what happened; anything else is a device fault. */
export function classifyMicError(err: unknown): ErrorKind {
  const name = typeof err === 'object' && err !== null && 'name' in err ? String((err as { name: unknown }).name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError': // older Chrome
      return 'mic-denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'mic-missing';
    default:
      return 'mic-failed';
  }
}
