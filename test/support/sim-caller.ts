/**
 * A caller that is a real LiveKit participant (rtc-node): publishes PCM as its microphone, measures the
 * agent's audio as received, and records the agent's data messages. Used by integration tests and the
 * benchmark. Times are performance.now() milliseconds in this process.
 */
import {
  AudioFrame,
  AudioSource,
  AudioStream,
  LocalAudioTrack,
  Room,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
  type RemoteTrack,
} from '@livekit/rtc-node';
import { randomBytes } from 'node:crypto';
import { AccessToken, RoomAgentDispatch, RoomServiceClient } from 'livekit-server-sdk';
import {
  encodeCallRoomMetadata,
  randomName,
  WEB_CALLER_PREFIX,
  type CallTokenResponse,
} from '@voxanne/contracts/call-room';
import { DATA_TOPIC, DEFAULT_AGENT_NAME, decodeMessage, type AgentMessage } from '@voxanne/contracts/protocol';
import { HeardAudio, type Heard } from './heard-audio.ts';

export interface SimCallerOptions {
  url: string;
  apiKey: string;
  apiSecret: string;
  room: string;
  identity?: string;
  /** publish a microphone track at once (silence until play() is called) */
  publishMic?: boolean;
  /**
   * The agent dispatched into the room, which is created before joining, as the web server does
   * (default: Voxanne's name); false: join a room with no agent dispatched.
   */
  dispatch?: string | false;
  /**
   * what the web server's POST /api/token handed out, as the page gets it: its room exists already (the
   * standby call, or one opened for this caller) and names the identity, so nothing is created or signed
   */
  grant?: CallTokenResponse;
}

const RATE = 48000;
const FRAME = RATE / 100; // 10 ms frames: finer timing for onset/offset measurements

/** Agent audio as heard: one entry per received 10 ms frame. */
export type HeardFrame = Heard;

export class SimCaller extends HeardAudio<HeardFrame> {
  readonly room = new Room();
  readonly messages: { atMs: number; msg: AgentMessage }[] = [];
  #source: AudioSource | undefined;
  joinedAtMs = 0;

  private constructor(private readonly o: SimCallerOptions) {
    super(10, 100);
  }

  static async join(o: SimCallerOptions): Promise<SimCaller> {
    const c = new SimCaller(o);
    await c.#connect();
    return c;
  }

  #listenForAgent(): void {
    this.room.on(RoomEvent.DataReceived, (payload, _p, _k, topic) => {
      if (topic !== DATA_TOPIC) return;
      const msg = decodeMessage(payload);
      if (!msg) return;
      this.messages.push({ atMs: performance.now(), msg });
      this.notify();
    });
    this.room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
      if (track.kind === TrackKind.KIND_AUDIO) void this.#listen(track);
    });
  }

  async #connect(): Promise<void> {
    this.#listenForAgent();
    if (this.o.grant) {
      await this.room.connect(this.o.grant.url, this.o.grant.token, { autoSubscribe: true, dynacast: false });
      this.joinedAtMs = performance.now();
      if (this.o.publishMic) await this.publishMic();
      return;
    }
    // a web caller's identity, as the web server chooses one; the room's metadata names it, so she trusts it
    const identity = this.o.identity ?? randomName(WEB_CALLER_PREFIX, randomBytes);
    const at = new AccessToken(this.o.apiKey, this.o.apiSecret, {
      identity,
      ttl: '10m',
    });
    at.addGrant({ room: this.o.room, roomJoin: true, canPublish: true, canSubscribe: true, canPublishData: true });
    const jwt = await at.toJwt();
    const agentName = this.o.dispatch ?? DEFAULT_AGENT_NAME;
    if (agentName !== false) {
      const rooms = new RoomServiceClient(this.o.url.replace(/^ws/, 'http'), this.o.apiKey, this.o.apiSecret);
      await rooms.createRoom({
        name: this.o.room,
        emptyTimeout: 30,
        metadata: encodeCallRoomMetadata({ channel: 'web', caller: identity }),
        agents: [new RoomAgentDispatch({ agentName })],
      });
    }
    await this.room.connect(this.o.url, jwt, { autoSubscribe: true, dynacast: false });
    // joined = the server accepted us; her dispatch started when the room was created, just before
    this.joinedAtMs = performance.now();
    if (this.o.publishMic) await this.publishMic();
  }

  async publishMic(): Promise<void> {
    this.#source = new AudioSource(RATE, 1, 200);
    const track = LocalAudioTrack.createAudioTrack('mic', this.#source);
    const opts = new TrackPublishOptions();
    opts.source = TrackSource.SOURCE_MICROPHONE;
    await this.room.localParticipant!.publishTrack(track, opts);
  }

  async #listen(track: RemoteTrack): Promise<void> {
    const stream = new AudioStream(track, { sampleRate: RATE, numChannels: 1, frameSizeMs: 10 });
    for await (const f of stream) {
      let sum = 0;
      for (let i = 0; i < f.data.length; i++) sum += f.data[i]! * f.data[i]!;
      this.heard.push({ atMs: performance.now(), rms: Math.sqrt(sum / Math.max(1, f.data.length)) });
      this.notify();
    }
  }

  /**
   * Plays 48 kHz mono PCM as the microphone in real time. Returns the time the first and last
   * sample were handed to WebRTC.
   */
  async play(pcm: Int16Array, signal?: AbortSignal): Promise<{ startMs: number; endMs: number }> {
    if (!this.#source) await this.publishMic();
    const source = this.#source!;
    const startMs = performance.now();
    for (let off = 0; off < pcm.length; off += FRAME) {
      if (signal?.aborted) break;
      const chunk = new Int16Array(FRAME);
      chunk.set(pcm.subarray(off, Math.min(pcm.length, off + FRAME)));
      await source.captureFrame(new AudioFrame(chunk, RATE, 1, FRAME));
    }
    await source.waitForPlayout();
    return { startMs, endMs: performance.now() };
  }

  /**
   * Resolves with the time her audio went quiet, once no audible frame has arrived for `quietMs`
   * (counting from the call of waitQuiet at the earliest). Rejects after timeoutMs.
   */
  waitQuiet(quietMs: number, timeoutMs: number, threshold = 300): Promise<number> {
    const calledAt = performance.now();
    const quietSince = () => {
      for (let i = this.heard.length - 1; i >= 0; i--)
        if (this.heard[i]!.rms > threshold) return Math.max(calledAt, this.heard[i]!.atMs);
      return calledAt;
    };
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const check = () => {
        const since = quietSince();
        const left = since + quietMs - performance.now();
        clearTimeout(timer);
        if (left <= 0) {
          cleanup();
          resolve(since);
        } else timer = setTimeout(check, left);
      };
      const deadline = setTimeout(() => {
        cleanup();
        reject(new Error(`her audio did not go quiet for ${quietMs} ms within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        clearTimeout(deadline);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  states(): string[] {
    return this.messages.flatMap((m) => (m.msg.type === 'state' ? [m.msg.state] : []));
  }

  transcripts(speaker: 'user' | 'agent', finalOnly = true): string[] {
    return this.messages.flatMap((m) =>
      m.msg.type === 'transcript' && m.msg.speaker === speaker && (!finalOnly || m.msg.final) ? [m.msg.text] : [],
    );
  }

  async leave(): Promise<void> {
    await this.room.disconnect();
  }
}
