/**
 * One live-transcription WebSocket of the fake, speaking Deepgram's message protocol.
 *
 * It endpoints on the audio it actually receives: an energy VAD finds speech; while it lasts,
 * interim Results go out every `sttInterimEveryMs` of audio; after `endpointing` ms of trailing
 * silence the final (is_final + speech_final) goes out `sttFinalMs` later. Outgoing messages are
 * strictly ordered, as Deepgram processes one connection's audio in sequence: a message waits for
 * the ones before it, so a slow final delays the interims that follow it.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FrameSplitter, frameDbfs, VAD_FRAME_MS, type VadOptions } from './energy-vad.ts';
import { mulawDecodeByte } from './g711.ts';
import type { ListenParams } from './listen-params.ts';
import type { JsonMessage, LatencyProfile, ListenRecord, SpeechSegment, Transcriber } from './types.ts';
import { OPEN, type ServerSocket } from './ws-server.ts';

export interface ListenSessionOptions {
  ws: ServerSocket;
  record: ListenRecord;
  params: ListenParams;
  transcriber: Transcriber;
  profile: () => LatencyProfile;
  vad: VadOptions;
  stallMs: number;
  disconnect: { afterMs?: number; afterAudioMs?: number } | undefined;
  /** Deepgram closes a connection that gets neither audio nor KeepAlive for 10 s (NET-0001) */
  idleTimeoutMs: number;
  onChange: () => void;
}

// Deepgram keeps finalizing silence (with empty transcripts) every few seconds of non-speech audio.
const SILENCE_FINAL_EVERY_MS = 3000;
// With endpointing=false there is no speech_final, but results still get finalized at pauses.
const UNENDPOINTED_FINAL_AFTER_MS = 500;
const MODEL_UUID = '3f6a4c1e-9b1d-4c55-8e0a-6f1d2b7c9a10';

export class ListenSession {
  readonly #o: ListenSessionOptions;
  readonly #p: ListenParams;
  #open = true;
  #closeRequested = false;
  #chain: Promise<void>;
  readonly #hash = createHash('sha256');
  readonly #splitter: FrameSplitter;
  #carry = new Uint8Array(0);
  #store = new Int16Array(16000);
  #len = 0;
  #pos = 0; // samples already run through the VAD
  // endpointer state, all in samples of this connection's audio
  #inSpeech = false;
  #voicedRun = 0;
  #silentRun = 0;
  #segStart = 0;
  #lastVoicedEnd = 0;
  #cursor = 0; // start of audio not yet covered by a final Results
  #nextInterimAt = 0;
  #interimIndex = 0;
  #utteranceEndFrom: number | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #dropTimer: NodeJS.Timeout | undefined;
  // cancels pending waits when the socket goes, so a long stall does not keep the process alive
  readonly #gone = new AbortController();

  constructor(o: ListenSessionOptions) {
    this.#o = o;
    this.#p = o.params;
    this.#splitter = new FrameSplitter(o.params.sampleRate);
    this.#chain = o.stallMs > 0 ? this.#wait(o.stallMs) : Promise.resolve();
    o.ws.on('message', (data, isBinary) => (isBinary ? this.#onAudio(data) : this.#onControl(data)));
    o.ws.on('close', (code) => this.#onClosed(code));
    // a client error (e.g. a reset) is followed by 'close', which records it
    o.ws.on('error', () => undefined);
    if (o.disconnect?.afterMs !== undefined) this.#dropTimer = setTimeout(() => this.#drop(), o.disconnect.afterMs);
    this.#armIdle();
  }

  /** Sleeps, or returns early once the socket is gone (everything after checks #open). */
  async #wait(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.#gone.signal }).catch(() => undefined); // aborted: the connection closed
  }

  #sec(samples: number): number {
    return Math.round((samples / this.#p.sampleRate) * 1000) / 1000;
  }

  #ms(samples: number): number {
    return (samples / this.#p.sampleRate) * 1000;
  }

  #onControl(data: Buffer): void {
    let msg: JsonMessage;
    try {
      msg = JSON.parse(data.toString('utf8')) as JsonMessage;
    } catch {
      msg = { unparsed: data.toString('utf8') };
    }
    this.#o.record.messages.push(msg);
    this.#o.onChange();
    if (this.#closeRequested) return;
    switch (msg.type) {
      case 'KeepAlive':
        this.#armIdle();
        break;
      case 'Finalize':
        this.#finalize();
        break;
      case 'CloseStream':
        this.#closeStream();
        break;
      default:
        break;
    }
  }

  #onAudio(data: Buffer): void {
    if (this.#closeRequested || !this.#open) return;
    const rec = this.#o.record;
    rec.audioBytes += data.byteLength;
    rec.audioMessageBytes.push(data.byteLength);
    this.#hash.update(data);
    this.#armIdle();
    this.#append(this.#decode(data));
    const afterAudioMs = this.#o.disconnect?.afterAudioMs;
    if (afterAudioMs !== undefined && this.#ms(this.#len) >= afterAudioMs) {
      this.#drop();
      return;
    }
    this.#o.onChange();
  }

  /** Raw bytes to mono samples; a sample (or channel frame) split across messages is carried over. */
  #decode(data: Buffer): Int16Array {
    const bytes = new Uint8Array(this.#carry.length + data.byteLength);
    bytes.set(this.#carry);
    bytes.set(data, this.#carry.length);
    const ch = this.#p.channels;
    const frameBytes = this.#p.encoding === 'linear16' ? 2 * ch : ch;
    const frames = Math.floor(bytes.length / frameBytes);
    this.#carry = bytes.slice(frames * frameBytes);
    const out = new Int16Array(frames);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let f = 0; f < frames; f++) {
      let sum = 0;
      for (let c = 0; c < ch; c++) {
        sum +=
          this.#p.encoding === 'linear16'
            ? view.getInt16(f * frameBytes + 2 * c, true)
            : mulawDecodeByte(bytes[f * frameBytes + c]!);
      }
      out[f] = Math.round(sum / ch);
    }
    return out;
  }

  #append(samples: Int16Array): void {
    if (this.#len + samples.length > this.#store.length) {
      const bigger = new Int16Array(Math.max(this.#store.length * 2, this.#len + samples.length));
      bigger.set(this.#store.subarray(0, this.#len));
      this.#store = bigger;
    }
    this.#store.set(samples, this.#len);
    this.#len += samples.length;
    this.#splitter.push(samples, (frame) => this.#onFrame(frame));
  }

  #onFrame(frame: Int16Array): void {
    const end = this.#pos + frame.length;
    const voiced = frameDbfs(frame) > this.#o.vad.thresholdDbfs;
    if (!this.#inSpeech) {
      if (voiced) {
        this.#voicedRun++;
        if (this.#voicedRun * VAD_FRAME_MS >= this.#o.vad.minSpeechMs)
          this.#startSpeech(end - this.#voicedRun * frame.length, end);
      } else {
        this.#voicedRun = 0;
        if (this.#ms(end - this.#cursor) >= SILENCE_FINAL_EVERY_MS) {
          this.#emitFinal(this.#cursor, end, undefined, { speechFinal: false, fromFinalize: false });
          this.#cursor = end;
        }
        const ueMs = this.#p.utteranceEndMs;
        if (
          this.#utteranceEndFrom !== undefined &&
          ueMs !== undefined &&
          this.#ms(end - this.#utteranceEndFrom) >= ueMs
        ) {
          const lastWordEnd = this.#sec(this.#utteranceEndFrom);
          this.#utteranceEndFrom = undefined;
          this.#enqueue(() => ({ type: 'UtteranceEnd', channel: [0, 1], last_word_end: lastWordEnd }), 0);
        }
      }
    } else {
      if (voiced) {
        this.#silentRun = 0;
        this.#lastVoicedEnd = end;
      } else {
        this.#silentRun++;
      }
      const silentMs = this.#silentRun * VAD_FRAME_MS;
      const ep = this.#p.endpointingMs;
      if (ep !== false && silentMs >= Math.max(ep, VAD_FRAME_MS))
        this.#endSpeech(end, { speechFinal: true, fromFinalize: false });
      else if (ep === false && silentMs >= UNENDPOINTED_FINAL_AFTER_MS)
        this.#endSpeech(end, { speechFinal: false, fromFinalize: false });
      else if (this.#p.interimResults && end >= this.#nextInterimAt) {
        this.#emitInterim(end);
        this.#nextInterimAt += Math.round((this.#o.profile().sttInterimEveryMs / 1000) * this.#p.sampleRate);
      }
    }
    this.#pos = end;
  }

  #startSpeech(at: number, end: number): void {
    this.#inSpeech = true;
    this.#segStart = at;
    this.#lastVoicedEnd = end;
    this.#silentRun = 0;
    this.#voicedRun = 0;
    this.#interimIndex = 0;
    this.#utteranceEndFrom = undefined;
    this.#nextInterimAt = at + Math.round((this.#o.profile().sttInterimEveryMs / 1000) * this.#p.sampleRate);
    if (this.#p.vadEvents) this.#enqueue(() => ({ type: 'SpeechStarted', channel: [0], timestamp: this.#sec(at) }), 0);
  }

  #segment(from: number, to: number): SpeechSegment {
    return {
      audio: this.#store.slice(from, to),
      sampleRate: this.#p.sampleRate,
      startSec: this.#sec(from),
      endSec: this.#sec(to),
    };
  }

  #emitInterim(end: number): void {
    const seg = { ...this.#segment(this.#segStart, end), interimIndex: this.#interimIndex++ };
    const from = this.#cursor;
    const interim = this.#o.transcriber.interim?.bind(this.#o.transcriber);
    this.#enqueue(async () => {
      const text = interim ? await interim(seg) : '';
      return this.#results(from, end, text, seg, { isFinal: false, speechFinal: false, fromFinalize: false });
    }, 0);
  }

  #endSpeech(end: number, how: { speechFinal: boolean; fromFinalize: boolean }): void {
    const seg = this.#segment(this.#segStart, this.#lastVoicedEnd);
    this.#inSpeech = false;
    this.#silentRun = 0;
    this.#voicedRun = 0;
    this.#emitFinal(this.#cursor, end, seg, how);
    this.#cursor = end;
    if (this.#p.utteranceEndMs !== undefined) this.#utteranceEndFrom = this.#lastVoicedEnd;
  }

  /** A final Results for [from, to); with a segment, its text comes from the transcriber at send time. */
  #emitFinal(
    from: number,
    to: number,
    seg: SpeechSegment | undefined,
    how: { speechFinal: boolean; fromFinalize: boolean },
  ): void {
    const profile = this.#o.profile();
    const delay = seg ? profile.sttFinalMs + (profile.jitterMs?.('sttFinal') ?? 0) : 0;
    this.#enqueue(async () => {
      const text = seg ? await this.#o.transcriber.final(seg) : '';
      return this.#results(from, to, text, seg, { isFinal: true, ...how });
    }, delay);
  }

  #finalize(): void {
    if (this.#inSpeech) this.#endSpeech(this.#pos, { speechFinal: false, fromFinalize: true });
    else if (this.#pos > this.#cursor) {
      this.#emitFinal(this.#cursor, this.#pos, undefined, { speechFinal: false, fromFinalize: true });
      this.#cursor = this.#pos;
    }
  }

  /** CloseStream: finish what was heard, report the totals, close normally. */
  #closeStream(): void {
    if (this.#inSpeech) this.#endSpeech(this.#pos, { speechFinal: true, fromFinalize: false });
    this.#closeRequested = true;
    this.#enqueue(() => this.#metadata(), 0);
    this.#chain = this.#chain.then(() => this.#closeBy('server', 1000, ''));
  }

  #results(
    from: number,
    to: number,
    text: string,
    seg: SpeechSegment | undefined,
    flags: { isFinal: boolean; speechFinal: boolean; fromFinalize: boolean },
  ): JsonMessage {
    const punctuated = this.#p.punctuate || this.#p.smartFormat;
    const tokens = text.split(/\s+/).filter(Boolean);
    const t0 = seg?.startSec ?? this.#sec(from);
    const step = ((seg?.endSec ?? this.#sec(to)) - t0) / Math.max(1, tokens.length);
    const words = tokens.map((tok, i) => ({
      word: bare(tok),
      start: round3(t0 + i * step),
      end: round3(t0 + (i + 1) * step),
      confidence: 0.98,
      ...(punctuated ? { punctuated_word: tok } : {}),
    }));
    return {
      type: 'Results',
      channel_index: [0, 1],
      duration: round3(this.#sec(to) - this.#sec(from)),
      start: this.#sec(from),
      is_final: flags.isFinal,
      speech_final: flags.speechFinal,
      channel: {
        alternatives: [
          {
            transcript: punctuated ? tokens.join(' ') : tokens.map(bare).join(' '),
            confidence: tokens.length ? 0.98 : 0,
            words,
          },
        ],
      },
      metadata: {
        request_id: this.#o.record.requestId,
        model_info: { name: `general-${this.#p.model}`, version: '2025-01-01.0', arch: this.#p.model },
        model_uuid: MODEL_UUID,
      },
      from_finalize: flags.fromFinalize,
    };
  }

  #metadata(): JsonMessage {
    return {
      type: 'Metadata',
      transaction_key: 'deprecated',
      request_id: this.#o.record.requestId,
      sha256: this.#hash.copy().digest('hex'),
      created: new Date().toISOString(),
      duration: this.#sec(this.#len),
      channels: this.#p.channels,
      models: [MODEL_UUID],
      model_info: { [MODEL_UUID]: { name: `general-${this.#p.model}`, version: '2025-01-01.0', arch: this.#p.model } },
    };
  }

  /** Queues a message behind every earlier one; it goes out no sooner than `delayMs` from now. */
  #enqueue(build: () => JsonMessage | Promise<JsonMessage>, delayMs: number): void {
    const due = Date.now() + delayMs;
    this.#chain = this.#chain.then(async () => {
      const wait = due - Date.now();
      if (wait > 0) await this.#wait(wait);
      if (!this.#open) return; // the connection went away: whatever it was, nobody is listening
      let msg: JsonMessage;
      try {
        msg = await build();
      } catch (err) {
        // Deepgram reports an internal failure by closing with 1011; so does the fake, with the reason
        this.#o.record.messages.push({ fakeError: String(err) });
        this.#closeBy('server', 1011, `fake transcriber failed: ${String(err)}`.slice(0, 120));
        return;
      }
      this.#send(msg);
    });
  }

  #send(msg: JsonMessage): void {
    if (!this.#open || this.#o.ws.readyState !== OPEN) return;
    this.#o.ws.send(JSON.stringify(msg));
    this.#o.record.sent.push(msg);
    this.#o.onChange();
  }

  #armIdle(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (!this.#closeRequested)
        this.#closeBy('server', 1011, 'NET-0001: no audio or KeepAlive within the timeout window');
    }, this.#o.idleTimeoutMs);
  }

  #closeBy(who: 'server', code: number, reason: string): void {
    if (!this.#open) return;
    this.#o.record.closedBy ??= who;
    this.#o.ws.close(code, reason);
  }

  #drop(): void {
    if (!this.#open) return;
    this.#o.record.closedBy ??= 'fault';
    this.#o.ws.terminate();
  }

  #onClosed(code: number): void {
    this.#open = false;
    this.#gone.abort();
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#dropTimer);
    const rec = this.#o.record;
    rec.closed = true;
    rec.closeCode = code;
    rec.closedBy ??= 'client';
    this.#o.onChange();
  }

  /** A fault: the TCP socket goes away without a close frame. */
  drop(): void {
    this.#drop();
  }

  /** Server shutdown. */
  terminate(): void {
    if (!this.#open) return;
    this.#o.record.closedBy ??= 'server';
    this.#o.ws.terminate();
  }
}

function bare(token: string): string {
  return token.toLowerCase().replace(/[^\p{L}\p{N}']/gu, '');
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
