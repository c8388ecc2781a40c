/**
 * One Twilio Media Stream, bridged into a LiveKit room as the caller. The agent handles the call like
 * any other (same job, state machine, greeting, tools, records); this edge only converts:
 * μ-law 8 kHz in → PCM published as the caller's microphone; her track → AudioResampler → 8 kHz μ-law
 * in 20 ms `media` messages out, with a `mark` after each of her sentences and every few hundred ms
 * while she talks; her barge-in signal → `clear` at once, and a playout report back to the agent (how
 * much of her audio the caller never heard, by the marks: playout.ts), so her history keeps only the
 * heard part; `dtmf` → SIP DTMF packets like LiveKit SIP's; `stop` or a closed socket → the caller
 * leaves and the room is closed.
 */
import {
  AudioFrame,
  AudioResampler,
  AudioSource,
  AudioStream,
  LocalAudioTrack,
  ParticipantKind,
  RoomEvent,
  RpcError,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
  type RemoteParticipant,
  type RemoteTrack,
  type Room,
} from '@livekit/rtc-node';
import type { WebSocket } from 'ws';
import {
  DATA_TOPIC,
  PLAYOUT_TOPIC,
  TWILIO_MEDIA_CHANNEL,
  decodeMessage,
  encodePlayout,
  isBargeIn,
} from '@voxanne/contracts/protocol';
import { SocketBridge, type BridgeKind, type BridgeRoomDeps } from './bridge-room.ts';
import { EdgeBargeIn, rms } from './edge-barge-in.ts';
import { decodeMulaw, encodeMulaw } from '@voxanne/contracts/g711';
import { clearMessage, markMessage, mediaMessage, parseInbound, type InboundEvent } from './media-messages.ts';
import { Playout } from './playout.ts';
import type { StreamClaims } from './stream-token.ts';

export const TWILIO_RATE = 8000;
/** Twilio's frame: 20 ms of 8 kHz μ-law */
export const FRAME_SAMPLES = 160;
const FRAME_MS = (FRAME_SAMPLES / TWILIO_RATE) * 1000;
/** Twilio sends `start` right after `connected`; a socket that sends none is not a call */
export const START_TIMEOUT_MS = 10_000;
/** after the caller leaves, the agent's call ends at once; the room goes a moment later */
export const ROOM_CLOSE_DELAY_MS = 1000;
/** her track's rate as the bridge asks LiveKit for it; resampled to 8 kHz natively */
const AGENT_RATE = 48000;
/** a frame of hers at least this loud (int16 RMS) is her voice, not the silence between sentences */
const AUDIBLE_RMS = 300;
/** she counts as speaking this long after her last audible frame went out (Twilio's small queue) */
const SPEAKING_TAIL_MS = 200;

const MEDIA_STREAM: BridgeKind = {
  channel: TWILIO_MEDIA_CHANNEL,
  texts: {
    ignored: 'media stream message ignored',
    socketError: 'media socket error',
    mismatch: 'media stream for another call than its token; closing',
    failed: 'media stream bridge failed to start',
    ended: 'media stream ended',
  },
  beginTimeoutMs: START_TIMEOUT_MS,
  notBegun: 'no start message',
  roomCloseDelayMs: ROOM_CLOSE_DELAY_MS,
};

export interface BridgeDeps extends BridgeRoomDeps {
  /** redirects the live call to new TwiML (the transfer); absent = no Twilio REST credentials */
  redirect?: (callSid: string, to: string) => Promise<void>;
}

/** Runs one stream until the socket closes. Never throws: every failure ends this call only. */
export function bridgeMediaStream(ws: WebSocket, claims: StreamClaims, deps: BridgeDeps): Promise<void> {
  return new MediaBridge(ws, claims, deps).run();
}

class MediaBridge extends SocketBridge {
  #streamSid: string | undefined;
  #source: AudioSource | undefined;
  #capture: Promise<void> = Promise.resolve();
  #herStream: AudioStream | undefined;
  #herReader: ReadableStreamDefaultReader<AudioFrame> | undefined;
  #resampler: AudioResampler | undefined;
  #pending = new Int16Array(0);
  readonly #playout = new Playout(performance.now());
  readonly #edge = new EdgeBargeIn();
  /** her frames held after an edge clear, until the agent's barge-in drops them or the hold ends */
  #held: Uint8Array[] = [];
  #holdTimer: ReturnType<typeof setTimeout> | undefined;
  #herAudibleUntil = -Infinity;
  #lastAgentText = '';

  constructor(
    ws: WebSocket,
    claims: StreamClaims,
    private readonly media: BridgeDeps,
  ) {
    super(ws, claims, media, MEDIA_STREAM);
  }

  protected began(): boolean {
    return this.#streamSid !== undefined;
  }

  protected onText(text: string): void {
    const e = parseInbound(text);
    switch (e.event) {
      case 'connected':
        return;
      case 'start':
        if (this.#streamSid) return this.ignore('second start');
        return void this.#start(e);
      case 'media':
        // the line's first frames come while the bridge joins the room: nothing to hear yet
        if (!this.#source) return this.#streamSid ? undefined : this.ignore('media before start');
        return this.#inbound(e.payload);
      case 'dtmf':
        if (!this.dtmf(e.digit)) this.ignore('dtmf before the call is up');
        return;
      case 'mark':
        this.#playout.echoed(e.name, performance.now());
        return;
      case 'stop':
        this.log.info({}, 'media stream stopped');
        this.close('stop');
        return;
      case 'ignored':
        return this.ignore(e.reason);
    }
  }

  async #start(e: Extract<InboundEvent, { event: 'start' }>): Promise<void> {
    if (!this.isTokensCall(e.callSid)) return;
    const f = e.mediaFormat;
    if (f.encoding !== 'audio/x-mulaw' || f.sampleRate !== TWILIO_RATE || f.channels !== 1) {
      this.log.warn({ mediaFormat: f }, 'media stream in an unexpected format; closing');
      return this.close('media format');
    }
    this.#streamSid = e.streamSid;
    await this.join(async (room) => {
      const source = new AudioSource(TWILIO_RATE, 1);
      const track = LocalAudioTrack.createAudioTrack('phone', source);
      await room.localParticipant!.publishTrack(
        track,
        new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }),
      );
      this.#source = source;
      this.log.info(
        { room: this.roomName, caller: this.claims.callerMasked, streamSid: e.streamSid },
        'media stream bridged',
      );
    });
  }

  protected wire(room: Room): void {
    room.on(RoomEvent.TrackSubscribed, this.#onTrack);
    room.on(RoomEvent.DataReceived, this.#onData);
  }

  #inbound(mulaw: Uint8Array): void {
    const pcm = decodeMulaw(mulaw);
    if (pcm.length === 0) return;
    const now = performance.now();
    const edge = this.#edge.caller(rms(pcm), now < this.#herAudibleUntil, now);
    if (edge) this.#edgeClear(edge.holdUntil - now);
    const frame = new AudioFrame(pcm, TWILIO_RATE, 1, pcm.length);
    const source = this.#source!;
    // in order, one at a time: captureFrame paces into the track's own buffer
    this.#capture = this.#capture.then(
      () => source.captureFrame(frame),
      () => source.captureFrame(frame),
    );
    this.#capture.catch(() => {}); // a frame lost as the call ends is nothing to report
  }

  readonly #onTrack = (track: RemoteTrack, _pub: unknown, p: RemoteParticipant) => {
    if (track.kind !== TrackKind.KIND_AUDIO || p.kind !== ParticipantKind.AGENT || this.#herStream) return;
    this.#herStream = new AudioStream(track, { sampleRate: AGENT_RATE, numChannels: 1 });
    this.#resampler = new AudioResampler(AGENT_RATE, TWILIO_RATE, 1);
    void this.#pumpHerVoice(this.#herStream);
  };

  async #pumpHerVoice(stream: AudioStream): Promise<void> {
    const reader = stream.getReader();
    this.#herReader = reader;
    try {
      for (;;) {
        const { value: frame, done } = await reader.read();
        if (done || this.closed) break;
        for (const out of this.#resampler!.push(frame)) this.#queueOut(out.data);
      }
    } catch (err) {
      if (!this.closed) this.log.warn({ err: (err as Error).message }, 'her audio stream failed');
    }
  }

  #queueOut(samples: Int16Array): void {
    const joined = new Int16Array(this.#pending.length + samples.length);
    joined.set(this.#pending);
    joined.set(samples, this.#pending.length);
    let at = 0;
    const now = performance.now();
    for (; at + FRAME_SAMPLES <= joined.length; at += FRAME_SAMPLES) {
      const frame = joined.subarray(at, at + FRAME_SAMPLES);
      if (rms(frame) >= AUDIBLE_RMS) this.#herAudibleUntil = now + SPEAKING_TAIL_MS;
      const mulaw = encodeMulaw(frame);
      if (this.#edge.holding(now)) this.#held.push(mulaw);
      else this.#sendHer(mulaw);
    }
    this.#pending = joined.slice(at);
  }

  #sendHer(mulaw: Uint8Array): void {
    const now = performance.now();
    this.send(mediaMessage(this.#streamSid!, mulaw));
    this.#playout.sent(FRAME_MS, now);
    // inside a long sentence too, the marks say where the caller's ear is
    if (now < this.#herAudibleUntil && this.#playout.markDue())
      this.send(markMessage(this.#streamSid!, this.#playout.mark('play', now)));
  }

  /** the caller's voice rose over hers: Twilio drops its queue now, her next frames wait for the agent */
  #edgeClear(holdMs: number): void {
    this.send(clearMessage(this.#streamSid!));
    // counted for her reply even if the hold runs out: the caller missed that audio all the same
    const droppedMs = this.#playout.cleared(performance.now());
    this.log.info({ droppedMs: Math.round(droppedMs) }, 'barge-in at the edge: cleared');
    clearTimeout(this.#holdTimer);
    this.#holdTimer = setTimeout(() => {
      // no barge-in from the agent (yet): a cough or a bang, not speech; she goes on, a moment late
      const held = this.#held;
      this.#held = [];
      if (!this.closed) for (const f of held) this.#sendHer(f);
    }, holdMs);
  }

  readonly #onData = (payload: Uint8Array, p?: RemoteParticipant, _kind?: unknown, topic?: string) => {
    if (topic !== DATA_TOPIC || p?.kind !== ParticipantKind.AGENT || !this.#streamSid) return;
    const m = decodeMessage(payload);
    if (!m) return;
    if (m.type === 'state' && isBargeIn(m)) {
      // an edge clear already emptied Twilio's queue and held what came since: that is dropped now
      const now = performance.now();
      const atEdge = this.#edge.holding(now);
      this.#edge.settle();
      clearTimeout(this.#holdTimer);
      const keptBack = this.#held.length * FRAME_MS + (this.#pending.length / TWILIO_RATE) * 1000;
      this.#held = [];
      this.#pending = new Int16Array(0);
      if (!atEdge) this.send(clearMessage(this.#streamSid));
      if (!atEdge) this.#playout.cleared(now);
      // of her reply's audio that reached the bridge, what the caller never heard: the agent cuts it there
      const droppedMs = this.#playout.takeReplyDropped();
      const unheardMs = droppedMs + keptBack;
      this.#report(p.identity, m.atMs, unheardMs);
      this.log.info(
        {
          unheardMs: Math.round(unheardMs),
          droppedMs: Math.round(droppedMs),
          keptBackMs: Math.round(keptBack),
          atEdge,
          lagMs: Math.round(this.#playout.lagMs),
        },
        'barge-in: cleared',
      );
      return;
    }
    // her reply's first audio: what clears drop is counted for this reply from now on
    if (m.type === 'state' && m.state === 'SPEAKING') this.#playout.replyStarted();
    // her live transcript grows a sentence at a time: mark where that sentence's audio ends
    if (m.type === 'transcript' && m.speaker === 'agent' && m.text !== this.#lastAgentText) {
      this.#lastAgentText = m.text;
      this.send(markMessage(this.#streamSid, this.#playout.mark(m.id, performance.now())));
    }
  };

  #report(agent: string, bargeInAtMs: number, unheardMs: number): void {
    this.room?.localParticipant
      ?.publishData(encodePlayout({ v: 1, type: 'unheard', bargeInAtMs, unheardMs }), {
        reliable: true,
        topic: PLAYOUT_TOPIC,
        destination_identities: [agent],
      })
      .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'playout report not delivered'));
  }

  protected async handOver(to: string): Promise<void> {
    if (!this.media.redirect) throw new RpcError(1501, 'no Twilio REST credentials (TWILIO_ACCOUNT_SID)');
    try {
      await this.media.redirect(this.claims.callSid, to);
    } catch (err) {
      throw new RpcError(1502, `twilio refused the redirect: ${(err as Error).message}`);
    }
    this.log.info({ pii: { to } }, 'caller transferred through twilio');
  }

  protected async release(): Promise<void> {
    clearTimeout(this.#holdTimer);
    void this.#herReader?.cancel().catch(() => {});
    this.#resampler?.close();
    try {
      await this.#source?.close();
    } catch {
      // closing a source whose room is gone: nothing left to release
    }
  }
}
