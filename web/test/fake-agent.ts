// A stand-in for the Voxanne agent, speaking our protocol from @livekit/rtc-node: enough to drive the page.
import {
  AudioFrame,
  AudioSource,
  LocalAudioTrack,
  Room,
  RoomEvent,
  TrackPublishOptions,
  TrackSource,
  type RemoteParticipant,
} from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';
import {
  DATA_TOPIC,
  encodeMessage,
  ENGINES_ATTRIBUTE,
  STATE_ATTRIBUTE,
  type AgentMessage,
  type ConversationState,
  type EnginesInfo,
} from '@voxanne/contracts/protocol';
import type { TestLivekit } from './livekit-support.ts';

const SAMPLE_RATE = 48_000;
const FRAME_MS = 10;

export interface FakeAgent {
  identity: string;
  /** identities whose audio track the agent has subscribed to */
  heardFrom: Set<string>;
  /** resolves when the participant leaves */
  left(identity: string): Promise<void>;
  setState(state: ConversationState, previous: ConversationState): Promise<void>;
  transcript(speaker: 'user' | 'agent', id: string, text: string, final: boolean): Promise<void>;
  /** plays a 440 Hz tone at the given amplitude for durationMs, in real time */
  tone(durationMs: number, amplitude: number): Promise<void>;
  leave(): Promise<void>;
}

export async function joinFakeAgent(
  lk: TestLivekit,
  room: string,
  opts: { engines: EnginesInfo; state: ConversationState; identity?: string },
): Promise<FakeAgent> {
  const identity = opts.identity ?? 'fake-voxanne';
  const at = new AccessToken(lk.apiKey, lk.apiSecret, {
    identity,
    attributes: { [STATE_ATTRIBUTE]: opts.state, [ENGINES_ATTRIBUTE]: JSON.stringify(opts.engines) },
  });
  at.kind = 'agent';
  at.addGrant({ room, roomJoin: true, canPublish: true, canSubscribe: true, canPublishData: true });
  const r = new Room();
  const heardFrom = new Set<string>();
  const leavers = new Map<string, () => void>();
  r.on(RoomEvent.TrackSubscribed, (_track, _pub, p: RemoteParticipant) => heardFrom.add(p.identity));
  r.on(RoomEvent.ParticipantDisconnected, (p: RemoteParticipant) => leavers.get(p.identity)?.());
  await r.connect(lk.url, await at.toJwt(), { autoSubscribe: true, dynacast: false });
  const lp = r.localParticipant!;

  const source = new AudioSource(SAMPLE_RATE, 1);
  const track = LocalAudioTrack.createAudioTrack('voice', source);
  await lp.publishTrack(track, new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }));
  const callId = `fake-${room}`;
  const send = (m: AgentMessage) => lp.publishData(encodeMessage(m), { reliable: true, topic: DATA_TOPIC });
  let phase = 0;

  return {
    identity,
    heardFrom,
    left: (who) => new Promise((resolve) => leavers.set(who, resolve)),
    async setState(state, previous) {
      await lp.setAttributes({ [STATE_ATTRIBUTE]: state });
      await send({ v: 1, type: 'state', callId, state, previous, atMs: Date.now() });
    },
    transcript: (speaker, id, text, final) => send({ v: 1, type: 'transcript', callId, speaker, id, text, final }),
    async tone(durationMs, amplitude) {
      const samples = (SAMPLE_RATE * FRAME_MS) / 1000;
      for (let t = 0; t < durationMs; t += FRAME_MS) {
        const data = new Int16Array(samples);
        for (let i = 0; i < samples; i++, phase++)
          data[i] = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * 440 * phase) / SAMPLE_RATE));
        await source.captureFrame(new AudioFrame(data, SAMPLE_RATE, 1, samples));
      }
      await source.waitForPlayout();
    },
    async leave() {
      await r.disconnect();
      await source.close();
    },
  };
}
