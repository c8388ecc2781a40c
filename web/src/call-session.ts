/**
 * One call, from the click to the hang-up: microphone, token, LiveKit room, the agent's audio and
 * messages, on-device VAD and local ducking. It reports what happens as CallEvents (call-model.ts) and
 * measurements for the test hook; it decides nothing about what the page shows.
 */
import {
  DisconnectReason,
  Room,
  RoomEvent,
  Track,
  type Participant,
  type RemoteAudioTrack,
  type RemoteParticipant,
  type RemoteTrack,
} from 'livekit-client';
import { DATA_TOPIC, decodeMessage, ENGINES_ATTRIBUTE, STATE_ATTRIBUTE } from '@voxanne/contracts/protocol';
import { AgentAudioMeter } from './agent-audio-meter.ts';
import type { AudioPresence } from './audio-level.ts';
import { parseEnginesAttribute, parseStateAttribute, type CallEvent } from './call-model.ts';
import { startLocalVad, type LocalVad, type VadStatus } from './local-vad.ts';
import { classifyMicError, type ErrorKind } from './plain-errors.ts';
import type { TimelineStep } from './test-hook.ts';
import { fetchCallToken, TokenRequestError, type CallToken } from './token-client.ts';

export const AGENT_JOIN_TIMEOUT_MS = 10_000;
/**
 * How long the page waits for her to come back after her participant was removed or timed out
 * (not a leave of her own): when her call process dies, the worker removes it and a fresh one takes
 * the call over within a few seconds. She ends calls by closing the room, which ends the call at once.
 */
export const AGENT_RETURN_TIMEOUT_MS = 10_000;
/** The agent's playback volume while the caller speaks; her audio stops server-side soon after anyway. */
export const DUCKED_VOLUME = 0.2;

const AUDIO_PROCESSING = { echoCancellation: true, noiseSuppression: true, autoGainControl: true } as const;

/** Reasons that mean someone ended the call on purpose, as opposed to the connection failing. */
const ENDED_BY_SERVER: readonly (DisconnectReason | undefined)[] = [
  DisconnectReason.PARTICIPANT_REMOVED,
  DisconnectReason.ROOM_DELETED,
  DisconnectReason.ROOM_CLOSED,
  DisconnectReason.SERVER_SHUTDOWN,
];

export interface CallSessionListener {
  dispatch(e: CallEvent): void;
  names(room: string, identity: string): void;
  agentJoined(identity: string): void;
  agentAudio(p: AudioPresence): void;
  vadStatus(status: VadStatus, error?: string): void;
  vadEvent(type: 'start' | 'end' | 'misfire'): void;
  ducked(ducked: boolean): void;
  /** the audio processing the browser actually applies to the microphone (echo cancellation above all) */
  micSettings(s: MicProcessing): void;
  /** a step on the way from the click to her greeting was reached (atMs: since the click; default now) */
  step(step: TimelineStep, atMs?: number): void;
}

export interface MicProcessing {
  echoCancellation: boolean | null;
  noiseSuppression: boolean | null;
  autoGainControl: boolean | null;
}

export interface CallSessionOptions {
  /** where the agent's voice plays; the page owns it so it can exist before the track does */
  audioElement: HTMLAudioElement;
  /** performance.now() at the click */
  clickAtMs: number;
  agentJoinTimeoutMs?: number;
}

/** The VAD starts at the latest this long after joining, if her greeting has not been heard by then. */
export const VAD_START_LATEST_MS = 3000;

function stopTracks(stream: MediaStream): void {
  for (const t of stream.getTracks()) t.stop();
}

/** Plays the (still empty) element inside the click, so a browser that unlocks per element lets it play later. */
function primeAudioElement(el: HTMLAudioElement): void {
  el.srcObject ??= new MediaStream();
  el.play().catch(() => {
    // nothing to play yet; what counts is that play() was called within the gesture
  });
}

export class CallSession {
  private readonly ctx: AudioContext;
  private readonly meter: AgentAudioMeter;
  private readonly room: Room;
  private mic: MediaStream | null = null;
  private vad: Promise<LocalVad | null> | null = null;
  private agentTimer: ReturnType<typeof setTimeout> | null = null;
  private vadTimer: ReturnType<typeof setTimeout> | null = null;
  private greetingHeard = false;
  private agent: RemoteParticipant | null = null;
  private agentTrack: RemoteAudioTrack | null = null;
  private connected = false;
  private isDucked = false;
  /** set once the call is over for any reason; later LiveKit events are teardown noise */
  private closed = false;
  private teardownDone: Promise<void> | null = null;

  /** Call from the click handler itself: the AudioContext must be created inside the user gesture to start running. */
  constructor(
    private readonly opts: CallSessionOptions,
    private readonly listener: CallSessionListener,
  ) {
    this.ctx = new AudioContext();
    this.meter = new AgentAudioMeter(
      this.ctx,
      opts.clickAtMs,
      (p) => listener.agentAudio(p),
      (atMs) => {
        listener.step('firstSampleMs', atMs);
        this.greetingHeard = true;
        if (this.connected) this.startVadOnce();
      },
    );
    this.room = new Room({ adaptiveStream: true, dynacast: true, audioCaptureDefaults: AUDIO_PROCESSING });
    this.wire(this.room);
    // Playback is unlocked here, inside the click, so her first words play the moment they arrive
    // (autoplay policies; Safari unlocks per element): LiveKit's own audio, and our <audio> element.
    void this.room.startAudio().catch((e: unknown) => console.warn('starting audio playback failed', e));
    primeAudioElement(opts.audioElement);
  }

  async start(): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) return this.fail('unsupported');
    // The token does not depend on the microphone: ask for both at once. The token request also opens
    // her room with her dispatched into it, so she is getting ready while the permission prompt is open.
    // The server chooses the room and the caller's identity.
    const tokenRequest = fetchCallToken().then(
      (t) => (this.listener.step('tokenMs'), this.listener.names(t.room, t.identity), { ok: true as const, t }),
      (e: unknown) => {
        // every line busy: said at once, even while the microphone prompt is still open
        if (e instanceof TokenRequestError && e.failure !== 'unreachable') this.fail(e.failure);
        return { ok: false as const, e };
      },
    );
    try {
      this.mic = await navigator.mediaDevices.getUserMedia({ audio: { ...AUDIO_PROCESSING, channelCount: 1 } });
    } catch (e) {
      console.warn('microphone request failed', e);
      return this.fail(classifyMicError(e));
    }
    this.listener.step('micMs');
    if (this.closed) return this.stopMic(); // hung up while the permission prompt was open
    const micTrack = this.mic.getAudioTracks()[0];
    if (!micTrack) return this.fail('mic-missing');
    const applied = micTrack.getSettings();
    this.listener.micSettings({
      echoCancellation: typeof applied.echoCancellation === 'boolean' ? applied.echoCancellation : null,
      noiseSuppression: applied.noiseSuppression ?? null,
      autoGainControl: applied.autoGainControl ?? null,
    });

    const tokenResult = await tokenRequest;
    if (!tokenResult.ok) {
      console.warn('token request failed', tokenResult.e);
      const failure = tokenResult.e instanceof TokenRequestError ? tokenResult.e.failure : 'unreachable';
      return this.fail(failure === 'unreachable' ? 'server-unreachable' : failure);
    }
    const token: CallToken = tokenResult.t;
    if (this.closed) return;

    const room = this.room;
    try {
      await room.connect(token.url, token.token);
    } catch (e) {
      console.warn('LiveKit connection failed', e);
      return this.fail('server-unreachable');
    }
    if (this.closed) return;
    this.listener.step('connectedMs');
    this.connected = true;
    this.listener.dispatch({ type: 'connected' });
    // The VAD's model and wasm compile on this thread for a second or more: not while her greeting is
    // on its way. It starts once her first words are heard (or VAD_START_LATEST_MS after joining), well
    // before the caller can answer her.
    this.vadTimer = setTimeout(() => this.startVadOnce(), VAD_START_LATEST_MS);
    if (this.greetingHeard) this.startVadOnce();
    this.agentTimer = setTimeout(() => {
      if (!this.agent) this.fail('agent-unavailable');
    }, this.opts.agentJoinTimeoutMs ?? AGENT_JOIN_TIMEOUT_MS);
    for (const p of room.remoteParticipants.values()) this.considerParticipant(p);

    try {
      await room.localParticipant.publishTrack(micTrack, { source: Track.Source.Microphone });
    } catch (e) {
      // Usually the media path (UDP/TCP to LiveKit) is blocked even though signalling worked.
      console.warn('publishing the microphone failed', e);
      return this.fail('server-unreachable');
    }
  }

  /** The caller pressed Hang up. */
  hangUp(): Promise<void> {
    this.closed = true;
    return this.teardown();
  }

  /** Retry playback from a click when the browser blocked it. */
  startAudio(): Promise<void> {
    return this.room.startAudio();
  }

  private wire(room: Room): void {
    room
      .on(RoomEvent.ParticipantConnected, (p) => this.considerParticipant(p))
      .on(RoomEvent.ParticipantDisconnected, (p, reason) => {
        if (p !== this.agent) return;
        // she left by herself: the call is over; removed or timed out (her process died): she comes back
        if (reason === DisconnectReason.CLIENT_INITIATED) this.end();
        else this.awaitAgentReturn();
      })
      .on(RoomEvent.ParticipantAttributesChanged, (_changed, p) => {
        if (p === this.agent) this.readAttributes(p);
      })
      .on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => {
        // Data can overtake the signalling that introduces its sender: her first message (the greeting's
        // transcript, sent with its first audio) may arrive from a participant not known yet. Only the
        // agent sends on this topic, and a call's room holds just the caller and her.
        if (topic !== DATA_TOPIC || (participant && !participant.isAgent)) return;
        const message = decodeMessage(payload);
        if (message && !this.closed) this.listener.dispatch({ type: 'agent-message', message });
      })
      .on(RoomEvent.TrackSubscribed, (track, _pub, participant) => this.onTrack(track, participant))
      .on(RoomEvent.TrackUnsubscribed, (track) => {
        if (track === this.agentTrack) this.dropAgentTrack();
      })
      .on(RoomEvent.AudioPlaybackStatusChanged, () => {
        if (!this.closed) this.listener.dispatch({ type: 'audio-blocked', blocked: !room.canPlaybackAudio });
      })
      .on(RoomEvent.Reconnecting, () => {
        if (!this.closed) this.listener.dispatch({ type: 'reconnecting' });
      })
      .on(RoomEvent.Reconnected, () => {
        if (!this.closed) this.listener.dispatch({ type: 'reconnected' });
      })
      .on(RoomEvent.Disconnected, (reason) => {
        // before connect() resolves, its rejection reports the failure
        if (this.closed || !this.connected) return;
        if (ENDED_BY_SERVER.includes(reason)) this.end();
        else this.fail('call-dropped');
      });
  }

  private considerParticipant(p: RemoteParticipant): void {
    if (this.agent || !p.isAgent || this.closed) return;
    this.agent = p;
    if (this.agentTimer !== null) clearTimeout(this.agentTimer);
    this.listener.agentJoined(p.identity);
    this.listener.step('agentJoinedMs');
    this.listener.dispatch({ type: 'agent-joined' });
    this.readAttributes(p);
    for (const pub of p.audioTrackPublications.values()) if (pub.track) this.onTrack(pub.track, p);
  }

  private awaitAgentReturn(): void {
    this.agent = null;
    this.dropAgentTrack();
    if (this.agentTimer !== null) clearTimeout(this.agentTimer);
    this.agentTimer = setTimeout(() => {
      if (!this.agent) this.end();
    }, AGENT_RETURN_TIMEOUT_MS);
    // one who joined meanwhile takes over at once
    for (const p of this.room?.remoteParticipants.values() ?? []) this.considerParticipant(p);
  }

  /** Attributes carry the current state for a late joiner; data messages carry every change. */
  private readAttributes(p: Participant): void {
    const state = parseStateAttribute(p.attributes[STATE_ATTRIBUTE]);
    if (state) this.listener.dispatch({ type: 'agent-state', state });
    const engines = parseEnginesAttribute(p.attributes[ENGINES_ATTRIBUTE]);
    if (engines) this.listener.dispatch({ type: 'engines', engines });
  }

  private onTrack(track: RemoteTrack, participant: RemoteParticipant): void {
    if (this.closed || track.kind !== Track.Kind.Audio || participant !== this.agent || track === this.agentTrack)
      return;
    this.dropAgentTrack();
    const audio = track as RemoteAudioTrack;
    this.agentTrack = audio;
    this.listener.step('trackSubscribedMs');
    audio.attach(this.opts.audioElement);
    audio.setVolume(this.isDucked ? DUCKED_VOLUME : 1);
    this.meter.attach(audio.mediaStreamTrack);
  }

  private dropAgentTrack(): void {
    this.meter.detach();
    this.agentTrack?.detach(this.opts.audioElement);
    this.agentTrack = null;
  }

  private startVadOnce(): void {
    if (this.vad || this.closed || !this.mic || !this.connected) return;
    if (this.vadTimer !== null) clearTimeout(this.vadTimer);
    this.vad = this.startVad(this.mic);
  }

  private startVad(stream: MediaStream): Promise<LocalVad | null> {
    return startLocalVad(stream, this.ctx, {
      onSpeechStart: () => {
        if (this.closed) return;
        this.listener.vadEvent('start');
        this.duck(true);
        this.listener.dispatch({ type: 'user-speaking', speaking: true });
      },
      onSpeechEnd: (kind) => {
        if (this.closed) return;
        this.listener.vadEvent(kind);
        this.duck(false);
        this.listener.dispatch({ type: 'user-speaking', speaking: false });
      },
      onStatus: (status, error) => this.listener.vadStatus(status, error),
    }).catch((e: unknown) => {
      // The call works without local VAD (no speaking light, no instant ducking): report it and carry on.
      console.warn('on-device voice detection failed to start', e);
      this.listener.vadStatus('failed', e instanceof Error ? e.message : String(e));
      return null;
    });
  }

  private duck(on: boolean): void {
    if (this.isDucked === on) return;
    this.isDucked = on;
    this.agentTrack?.setVolume(on ? DUCKED_VOLUME : 1);
    this.listener.ducked(on);
  }

  private end(): void {
    if (this.closed) return;
    this.closed = true;
    this.listener.dispatch({ type: 'ended' });
    void this.teardown();
  }

  private fail(kind: ErrorKind): void {
    if (this.closed) return;
    this.closed = true;
    this.listener.dispatch({ type: 'failed', kind });
    void this.teardown();
  }

  private stopMic(): void {
    if (this.mic) stopTracks(this.mic);
  }

  /** Idempotent. Never throws: the call is over either way, so problems are logged for the developer. */
  private teardown(): Promise<void> {
    this.teardownDone ??= (async () => {
      if (this.agentTimer !== null) clearTimeout(this.agentTimer);
      if (this.vadTimer !== null) clearTimeout(this.vadTimer);
      this.dropAgentTrack();
      await this.room.disconnect().catch((e: unknown) => console.warn('LiveKit disconnect failed', e));
      this.stopMic();
      // The VAD shares our AudioContext: let it finish loading and release its model before the context closes.
      const vad = await this.vad;
      await vad?.stop().catch((e: unknown) => console.warn('stopping voice detection failed', e));
      await this.ctx.close().catch((e: unknown) => console.warn('closing the audio context failed', e));
    })();
    return this.teardownDone;
  }
}
