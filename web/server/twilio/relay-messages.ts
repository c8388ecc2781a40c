/**
 * Twilio ConversationRelay's WebSocket messages (docs: voice/conversationrelay/websocket-messages),
 * parsed at the edge: the bridge sees typed events, never JSON envelopes. From Twilio: `setup`,
 * `prompt` (voicePrompt; `last: false` only for partial prompts), `interrupt` (utteranceUntilInterrupt,
 * durationUntilInterruptMs), `dtmf`, `error`. To Twilio: `text` tokens (`last: true` ends her reply)
 * and `end` (with `handoffData`, which Twilio passes to the <Connect action> URL). Anything malformed
 * or unknown is `ignored` with a reason; the socket and the call go on.
 */
import { jsonObject, keypadDigit, str, stringParams } from './twilio-json.ts';

export type RelayInbound =
  | { type: 'setup'; callSid: string; customParameters: Record<string, string> }
  | { type: 'prompt'; text: string; last: boolean }
  | { type: 'interrupt'; heard: string; durationMs: number }
  | { type: 'dtmf'; digit: string }
  | { type: 'error'; description: string }
  | { type: 'ignored'; reason: string };

/** what one caller's utterance can reasonably be; a longer prompt is cut here */
export const MAX_PROMPT_CHARS = 2000;

export function parseRelayInbound(text: string): RelayInbound {
  const o = jsonObject(text);
  if (typeof o === 'string') return { type: 'ignored', reason: o };
  switch (o.type) {
    case 'setup': {
      const callSid = str(o.callSid);
      if (!callSid) return { type: 'ignored', reason: 'setup without a callSid' };
      return { type: 'setup', callSid, customParameters: stringParams(o.customParameters) };
    }
    case 'prompt': {
      const text = str(o.voicePrompt);
      if (text === undefined) return { type: 'ignored', reason: 'prompt without a voicePrompt' };
      // `last` is absent from Twilio's final prompts when partial prompts are off
      return { type: 'prompt', text: text.slice(0, MAX_PROMPT_CHARS), last: o.last !== false };
    }
    case 'interrupt': {
      const d = o.durationUntilInterruptMs;
      return {
        type: 'interrupt',
        heard: (str(o.utteranceUntilInterrupt) ?? '').slice(0, MAX_PROMPT_CHARS),
        durationMs: typeof d === 'number' && Number.isFinite(d) && d >= 0 ? d : 0,
      };
    }
    case 'dtmf': {
      const digit = keypadDigit(o.digit);
      return digit ? { type: 'dtmf', digit } : { type: 'ignored', reason: 'dtmf without a digit' };
    }
    case 'error':
      return { type: 'error', description: (str(o.description) ?? '').slice(0, 500) };
    default:
      return { type: 'ignored', reason: 'unknown type' };
  }
}

export const textToken = (token: string, last: boolean): string => JSON.stringify({ type: 'text', token, last });
export const endSession = (handoffData: string): string => JSON.stringify({ type: 'end', handoffData });
