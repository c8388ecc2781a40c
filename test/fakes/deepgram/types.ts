/** Public types of the fake Deepgram server: latency profile, faults, plug-ins and what it records. */

export type Endpoint = 'listen' | 'speak';

export interface LatencyProfile {
  /** after the end of speech is detected in the received audio, until the final Results goes out */
  sttFinalMs: number;
  /** audio between interim Results while someone is speaking */
  sttInterimEveryMs: number;
  /** from the speak request until the response starts (status line, headers and first audio) */
  ttsFirstByteMs: number;
  /** how many times faster than real time the audio body is streamed; Infinity = as fast as the socket takes it */
  ttsSpeedup: number;
  /** bytes per body chunk; odd by default so clients meet samples split across chunks */
  ttsChunkBytes: number;
  /**
   * Provider tails: extra delay (ms) drawn afresh for each final Results and each speak response, on
   * top of sttFinalMs / ttsFirstByteMs (a benchmark's jitter profile). Absent: the times are fixed.
   */
  jitterMs?: (what: 'sttFinal' | 'ttsFirstByte') => number;
}

export const DEFAULT_PROFILE: LatencyProfile = {
  sttFinalMs: 20,
  sttInterimEveryMs: 250,
  ttsFirstByteMs: 20,
  ttsSpeedup: 8,
  ttsChunkBytes: 3001,
};

/**
 * A fault applies to the next `times` (default 1) requests on `on` (default: whichever comes first).
 * - http-error: listen rejects the WebSocket upgrade, speak answers with that status (Deepgram's JSON error body).
 * - stall: accepted, then nothing at all is sent for `ms` (then it carries on, late).
 * - disconnect: the TCP socket is destroyed without a close frame, `afterMs` of wall time after the
 *   connection opened / the response started, or after `afterAudioMs` of audio was received (listen)
 *   or sent (speak) — the latter is deterministic however fast the client pushes.
 */
export type Fault =
  | { kind: 'http-error'; status: number; on?: Endpoint; times?: number }
  | { kind: 'stall'; ms: number; on?: Endpoint; times?: number }
  | { kind: 'disconnect'; afterMs?: number; afterAudioMs?: number; on?: Endpoint; times?: number };

export interface SpeechSegment {
  /** mono PCM of the segment as received (μ-law already decoded) */
  audio: Int16Array;
  sampleRate: number;
  /** seconds from the start of this connection's audio */
  startSec: number;
  endSec: number;
  /** 0 for the first interim of a segment, 1 for the next… (interim calls only) */
  interimIndex?: number;
}

/**
 * Turns detected speech into text. `final` is called once per finished segment, in order, right
 * before its final Results is sent (so a segment lost with a dropped connection consumes nothing).
 * '' means nothing intelligible was said.
 */
export interface Transcriber {
  final(segment: SpeechSegment): string | Promise<string>;
  /** text so far of a segment still being spoken; without it interim Results carry no text */
  interim?(segment: SpeechSegment): string | Promise<string>;
}

/** Aura's voice: mono PCM for `text` at `sampleRate`. */
export type Synthesizer = (text: string, sampleRate: number) => Int16Array | Promise<Int16Array>;

export type JsonMessage = Record<string, unknown>;

export interface ListenRecord {
  id: number;
  requestId: string;
  query: Record<string, string>;
  /** the raw query, for repeated parameters such as keyterm */
  params: URLSearchParams;
  authorization: string | undefined;
  /** the `Sec-WebSocket-Protocol` offer, as browsers authenticate (`token, <key>`) */
  protocols: string | undefined;
  /** 101 when upgraded, otherwise the rejection status */
  status: number;
  audioBytes: number;
  /** the size of each binary (audio) message, in order */
  audioMessageBytes: number[];
  /** JSON control messages from the client, in order */
  messages: JsonMessage[];
  /** JSON messages the fake sent, in order */
  sent: JsonMessage[];
  closed: boolean;
  closeCode: number | undefined;
  closedBy: 'client' | 'server' | 'fault' | undefined;
}

export type SpeakOutcome = 'completed' | 'client-aborted' | 'server-dropped' | 'rejected';

export interface SpeakRecord {
  id: number;
  requestId: string;
  query: Record<string, string>;
  authorization: string | undefined;
  text: string | undefined;
  status: number | undefined;
  /** audio bytes of the whole response body (no container header) */
  audioBytesTotal: number;
  audioBytesSent: number;
  outcome: SpeakOutcome | undefined;
}

export interface SpeakHold {
  /** resolves once the fake has sent `afterBytes` of audio and is holding the rest back */
  readonly reached: Promise<SpeakRecord>;
  release(): void;
}
