/**
 * One live-transcription WebSocket, through the SDK's ListenLiveClient, reduced to three promises
 * (opened, closed) and a few sends. The SDK's events are callbacks with loosely typed payloads;
 * this is where they become typed errors.
 *
 * SDK quirk handled here: ListenLiveClient.send() before the socket is open parks the data in a
 * buffer that is never flushed, so nothing may be sent until `opened` resolves.
 */
import { LiveTranscriptionEvents, type DeepgramClient, type ListenLiveClient, type LiveSchema } from '@deepgram/sdk';
import type { APIError } from '@livekit/agents';
import { closeError, liveError, type LiveErrorEvent } from './errors.ts';

export interface CloseInfo {
  code: number;
  reason: string;
  /** set when the close was not asked for (by CloseStream or disconnect) */
  error: APIError | undefined;
}

const WHAT = 'Deepgram live transcription';

export class LiveConnection {
  readonly opened: Promise<void>;
  readonly closed: Promise<CloseInfo>;
  readonly #client: ListenLiveClient;
  #isOpen = false;
  #closeRequested = false;
  #error: APIError | undefined;
  #resolveClosed!: (c: CloseInfo) => void;

  constructor(dg: DeepgramClient, schema: LiveSchema, onMessage: (msg: Record<string, unknown>) => void) {
    let resolveOpened!: () => void;
    let rejectOpened!: (e: APIError) => void;
    this.opened = new Promise<void>((res, rej) => ((resolveOpened = res), (rejectOpened = rej)));
    this.closed = new Promise<CloseInfo>((res) => (this.#resolveClosed = res));
    // nobody may be awaiting `opened` when a closed-before-open arrives (e.g. after an abort)
    this.opened.catch(() => undefined);

    const client = dg.listen.live(schema);
    this.#client = client;
    client.on(LiveTranscriptionEvents.Open, () => {
      this.#isOpen = true;
      resolveOpened();
    });
    client.on(LiveTranscriptionEvents.Error, (ev: LiveErrorEvent) => {
      this.#error ??= liveError(WHAT, ev);
    });
    client.on(LiveTranscriptionEvents.Close, (ev: { code?: number; reason?: string | Buffer }) => {
      const code = ev?.code ?? 1006;
      const reason = ev?.reason ? String(ev.reason) : '';
      const unexpected = !this.#closeRequested || code !== 1000;
      const error = unexpected ? (this.#error ?? closeError(WHAT, code, reason)) : undefined;
      if (!this.#isOpen) rejectOpened(error ?? closeError(WHAT, code, reason));
      this.#finish({ code, reason, error: this.#closeRequested && code === 1000 ? undefined : error });
    });
    for (const type of [
      LiveTranscriptionEvents.Transcript,
      LiveTranscriptionEvents.SpeechStarted,
      LiveTranscriptionEvents.UtteranceEnd,
      LiveTranscriptionEvents.Metadata,
      LiveTranscriptionEvents.Unhandled,
    ]) {
      client.on(type, (msg: Record<string, unknown>) => onMessage(msg));
    }
  }

  #finish(c: CloseInfo): void {
    this.#isOpen = false;
    this.#client.removeAllListeners();
    // A socket closed while still connecting reports one more error after this; the SDK emits it
    // as an 'error' event, which an EventEmitter without a listener throws as an uncaught exception.
    // The outcome is already settled, so it is deliberately dropped.
    this.#client.on(LiveTranscriptionEvents.Error, () => undefined);
    this.#resolveClosed(c);
  }

  get isOpen(): boolean {
    return this.#isOpen;
  }

  sendAudio(pcm: ArrayBuffer): void {
    if (this.#isOpen) this.#client.send(pcm);
  }

  keepAlive(): void {
    if (this.#isOpen) this.#client.keepAlive();
  }

  finalize(): void {
    if (this.#isOpen) this.#client.finalize();
  }

  /** Asks Deepgram to finish: it sends the remaining finals and Metadata, then closes with 1000. */
  closeStream(): void {
    this.#closeRequested = true;
    if (this.#isOpen) this.#client.requestClose();
  }

  /** Closes at once, from our side. */
  disconnect(): void {
    this.#closeRequested = true;
    // the SDK's disconnect() silences its Close event, so `closed` is settled here
    this.#client.disconnect(1000, 'client closing');
    this.#finish({ code: 1000, reason: 'client closing', error: undefined });
  }
}
