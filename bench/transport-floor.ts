/**
 * `npm run bench:floor`: the barge-in's floor on this machine, with no agent and no models. Two rtc-node
 * participants in one process (one clock) on a real livekit-server time the two halves of a barge-in
 * as the bench (bench/lib/timeline.ts) splits them:
 *   inbound:  the caller's first audible 10 ms (SimCaller's onset) handed to WebRTC → the first loud
 *             10 ms frame on the other side (16 kHz AudioStream, as call/caller-audio.ts listens) → the
 *             duck rule's pause (core/duck-rule.ts, first loud frame) → the onset detector's onset;
 *   outbound: her voice (48 kHz, 20 ms frames, the agent's AudioSource settings) stopped by clearQueue(),
 *             as AudioOut.pause() stops it → the first of 300 ms of quiet frames at the caller (48 kHz
 *             10 ms AudioStream, as SimCaller hears); `--pad 0,30`: silence written after the clear,
 *             to see whether the caller's packet-loss concealment of the missing packets adds anything.
 * What is left is WebRTC's and LiveKit's: the 20 ms Opus packet, the SFU, the receiver's jitter
 * buffer and its 10 ms playout pull, each way. Run it beside `npm run bench` on the same machine.
 *
 * `--sip`: the caller is a phone instead (sipp and the RTP test phone, test/support/sip-caller.ts, through
 * the real LiveKit SIP, Redis and an inbound trunk with a direct dispatch rule into the room; no agent):
 *   inbound:  the phone's onset in 20 ms μ-law RTP → LiveKit SIP (decode, 8→48 kHz, Opus) → the same
 *             16 kHz stream, duck and onset detector;
 *   outbound: clearQueue → the first of 300 ms of quiet RTP packets at the phone (LiveKit SIP's Opus
 *             decode, its room mixer, 48→8 kHz, μ-law), and at a web listener in the same room beside
 *             it, so every trial shows what the phone leg adds over the web's.
 *
 * `--record file.wav` (with --sip): what the phone heard, as 8 kHz μ-law, to look for gaps in (sox).
 *
 *   npm run bench:floor [-- --trials N] [-- --pad 0,30] [-- --sip [--record file.wav]]
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
  dispose,
  type RemoteTrack,
} from '@livekit/rtc-node';
import { AccessToken, SipClient } from 'livekit-server-sdk';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OnsetDetector, rms } from '../agent/src/core/audio/onset-detector.ts';
import { ManualClock } from '../agent/src/core/clock.ts';
import { DuckRule } from '../agent/src/core/duck-rule.ts';
import { ensureGoBinary, pinnedSpecs } from '../scripts/lib/livekit-binary.ts';
import { startChild, waitForHttp, type ChildHandle } from '../scripts/lib/procs.ts';
import { freeStackPortSet, livekitConfig } from '../scripts/lib/stack.ts';
import { startLivekitSip, startRedis } from '../scripts/lib/telephony.ts';
import { SipCaller } from '../test/support/sip-caller.ts';
import { writeUlawWav } from '../test/support/sip-rtp.ts';
import { AUDIBLE_RMS, spokenText } from '../test/support/speech.ts';
import { percentiles } from './lib/stats.ts';

const { values: args } = parseArgs({
  options: {
    trials: { type: 'string', default: '20' },
    pad: { type: 'string', default: '0' },
    sip: { type: 'boolean', default: false },
    record: { type: 'string' },
  },
});
const TRIALS = Number(args.trials);
if (!Number.isInteger(TRIALS) || TRIALS < 1) throw new Error(`--trials must be a positive integer, got ${args.trials}`);
const PADS_MS = args.pad!.split(',').map(Number);
if (PADS_MS.some((p) => !Number.isInteger(p) || p < 0 || p % 10))
  throw new Error(`--pad takes multiples of 10 ms, got ${args.pad}`);
const KEY = 'floor';
const SECRET = 'floor-secret-floor-secret-floor-secret';
/** the bench's rule for "she stopped": this long quiet at the caller */
const QUIET_MS = 300;
const ROOM = 'floor';

async function joinRoom(url: string, identity: string): Promise<Room> {
  const at = new AccessToken(KEY, SECRET, { identity, ttl: '10m' });
  at.addGrant({ room: ROOM, roomJoin: true, roomCreate: true, canPublish: true, canSubscribe: true });
  const r = new Room();
  await r.connect(url, await at.toJwt(), { autoSubscribe: true, dynacast: false });
  return r;
}

async function publish(r: Room, name: string): Promise<AudioSource> {
  const src = new AudioSource(48000, 1, 200); // the agent's AudioOut and SimCaller's microphone alike
  const o = new TrackPublishOptions();
  o.source = TrackSource.SOURCE_MICROPHONE;
  await r.localParticipant!.publishTrack(LocalAudioTrack.createAudioTrack(name, src), o);
  return src;
}

function firstAudioTrack(r: Room): Promise<RemoteTrack> {
  return new Promise((resolve) => {
    const on = (t: RemoteTrack) => {
      if (t.kind !== TrackKind.KIND_AUDIO) return;
      r.off(RoomEvent.TrackSubscribed, on);
      resolve(t);
    };
    r.on(RoomEvent.TrackSubscribed, on);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const frameOf = (pcm: Int16Array, off: number, n: number) => {
  const chunk = new Int16Array(n);
  chunk.set(pcm.subarray(off, Math.min(pcm.length, off + n)));
  return new AudioFrame(chunk, 48000, 1, n);
};

interface Inbound {
  atMs: number;
  rms: number;
  duck: boolean;
  onset: boolean;
}

/** her voice as one listener heard it: an entry per frame (10 ms WebRTC) or packet (20 ms RTP) */
interface Hearer {
  name: string;
  heard: { atMs: number; rms: number }[];
}

/** the caller's side of a transport: how her voice is heard, and how the caller's words are sent */
interface Transport {
  /** the caller's words (48 kHz) in real time; resolves with when the first 10 or 20 ms left */
  say(pcm: Int16Array): Promise<number>;
  hearers: Hearer[];
  /** the caller's track as the agent subscribed to it */
  callerTrack: Promise<RemoteTrack>;
  close(): Promise<void>;
}

/** A WebRTC participant's 48 kHz 10 ms playout of the agent's track, as SimCaller hears. */
function listen(track: Promise<RemoteTrack>, name: string): Hearer {
  const h: Hearer = { name, heard: [] };
  void (async () => {
    for await (const f of new AudioStream(await track, { sampleRate: 48000, numChannels: 1, frameSizeMs: 10 }))
      h.heard.push({ atMs: performance.now(), rms: rms(f.data) });
  })();
  return h;
}

/** The web caller: a second rtc-node participant (SimCaller's microphone settings). */
async function webCaller(url: string, agent: Room): Promise<Transport> {
  const callerTrack = firstAudioTrack(agent);
  const caller = await joinRoom(url, 'caller');
  const hearer = listen(firstAudioTrack(caller), 'web caller');
  const mic = await publish(caller, 'mic');
  return {
    say: async (pcm) => {
      const startMs = performance.now();
      for (let off = 0; off < pcm.length; off += 480) await mic.captureFrame(frameOf(pcm, off, 480));
      return startMs;
    },
    hearers: [hearer],
    callerTrack,
    close: () => caller.disconnect(),
  };
}

/**
 * The phone caller: sipp and the RTP test phone through LiveKit SIP into the same room (an inbound trunk
 * and a direct dispatch rule, no agent dispatched), beside a web listener in the room that hears the
 * same voice, so each trial gives the phone's out path and the web's side by side.
 */
async function phoneCaller(
  url: string,
  agent: Room,
  sipAddress: string,
  sip: SipClient,
  room: string,
): Promise<Transport> {
  const number = '+15550100999';
  const trunk = await sip.createSipInboundTrunk('floor', [number], { allowedAddresses: ['127.0.0.1/32'] });
  await sip.createSipDispatchRule({ type: 'direct', roomName: room }, { trunkIds: [trunk.sipTrunkId] });
  const callerTrack = firstAudioTrack(agent);
  const listener = await joinRoom(url, 'listener');
  const web = listen(firstAudioTrack(listener), 'web listener');
  const phone = await SipCaller.dial({ target: sipAddress, to: number, from: '+15551230000' });
  // `--record file.wav`: what the phone heard, packet by packet (to look for gaps with sox)
  if (args.record) phone.phone.record();
  return {
    say: async (pcm) => (await phone.play(pcm)).startMs,
    hearers: [{ name: 'phone', heard: phone.heard }, web],
    callerTrack,
    close: async () => {
      await phone.leave();
      await listener.disconnect();
      if (args.record) {
        const { pcm, packets } = phone.phone.recorded();
        await writeUlawWav(args.record, pcm);
        console.log(`the phone's audio (${packets} packets) is in ${args.record}`);
      }
    },
  };
}

/** Start of the first QUIET_MS without her voice at or after t0 (the bench's rule for "she stopped"). */
function quietFrom(heard: Hearer['heard'], t0: number): number {
  let from: number | undefined;
  for (const h of heard) {
    if (h.atMs < t0) continue;
    if (h.rms > AUDIBLE_RMS) {
      from = undefined;
      continue;
    }
    from ??= h.atMs;
    if (h.atMs - from >= QUIET_MS) return from - t0;
  }
  return NaN;
}

async function main(): Promise<void> {
  const { ports, telephony } = await freeStackPortSet(args.sip ? { rtpCount: 4 } : undefined);
  const dir = await mkdtemp(join(tmpdir(), 'voxanne-floor-'));
  await writeFile(join(dir, 'livekit.yaml'), await livekitConfig(ports, telephony));
  const children: ChildHandle[] = [];
  /** LiveKit SIP's "call statistics" line at the call's end: its mixer's underruns and overflows */
  let sipStats = '';
  const log = (source: string, line: string) => {
    if (process.env.FLOOR_DEBUG) console.error(`${source} ${line}`);
    if (source === 'sip' && line.includes('call statistics')) {
      const n = (key: string) => new RegExp(`"${key}":\\s*(\\d+)`).exec(line)?.[1] ?? '?';
      sipStats =
        `LiveKit SIP's room mixer: ${n('restarts')} restarts (an input starved), ${n('input_frames_dropped')} ` +
        `frames dropped (an input overflowed), ${n('mixes_jump')} late ticks made up, of ${n('mixes')} ticks`;
    }
  };
  let transport: Transport | undefined;
  try {
    if (telephony) children.push(await startRedis(telephony.redis, (l) => log('redis', l)));
    const lk = startChild(
      'livekit',
      await ensureGoBinary((await pinnedSpecs()).livekitServer),
      ['--config', join(dir, 'livekit.yaml')],
      { env: { ...process.env, LIVEKIT_KEYS: `${KEY}: ${SECRET}` } },
    );
    children.push(lk);
    await waitForHttp(`http://127.0.0.1:${ports.livekit}/`, 20_000);
    const url = `ws://127.0.0.1:${ports.livekit}`;
    if (telephony)
      children.push(
        (await startLivekitSip({ ports: telephony, livekitUrl: url, apiKey: KEY, apiSecret: SECRET, dir, log })).child,
      );
    const agent = await joinRoom(url, 'agent');
    const voice = await publish(agent, 'voxanne');
    transport = telephony
      ? await phoneCaller(
          url,
          agent,
          `127.0.0.1:${telephony.sip}`,
          new SipClient(`http://127.0.0.1:${ports.livekit}`, KEY, SECRET),
          ROOM,
        )
      : await webCaller(url, agent);
    const { hearers } = transport;

    const inbound: Inbound[] = [];
    void (async () => {
      const detector = new OnsetDetector();
      // the duck rule as the agent runs it, always free to duck; its timers never run here
      const duck = new DuckRule(new ManualClock(0), () => {});
      const stream = new AudioStream(await transport!.callerTrack, {
        sampleRate: 16000,
        numChannels: 1,
        frameSizeMs: 10,
      });
      for await (const f of stream) {
        const r = rms(f.data);
        const ducked = duck.onLevel(r, true);
        if (ducked) duck.settle();
        inbound.push({ atMs: performance.now(), rms: r, duck: ducked, onset: detector.push(r) === 'onset' });
      }
    })();

    const answer = await spokenText(
      'Our clinic offers a full range of treatments, from consultations to laser hair removal and injections.',
    );
    const question = await spokenText('Where are you located?', { trailingSilenceMs: 300 });
    const out: Record<string, number[]> = {};
    const inRaw: number[] = [];
    const inDuck: number[] = [];
    const inOnset: number[] = [];
    await sleep(1000);
    for (let t = 0; t < TRIALS; t++) {
      for (const padMs of PADS_MS) {
        // her voice in 20 ms frames (the TTS's), stopped 800–1000 ms in
        let stopped = false;
        const writer = (async () => {
          for (let off = 0; off < answer.pcm.length && !stopped; off += 960)
            await voice.captureFrame(frameOf(answer.pcm, off, 960));
        })();
        await sleep(800 + Math.random() * 200);
        stopped = true;
        const t0 = performance.now();
        voice.clearQueue();
        // a capture must not overlap another (rtc-node refuses it): the writer's last one ends first
        await writer;
        if (padMs) await voice.captureFrame(new AudioFrame(new Int16Array(48 * padMs), 48000, 1, 48 * padMs));
        await sleep(QUIET_MS + 400);
        for (const h of hearers) (out[`${h.name}\0${padMs}`] ??= []).push(quietFrom(h.heard, t0));
        await sleep(300);
      }
      // the caller's words after 300 ms of silence
      const pcm = new Int16Array(question.pcm.length + 14400);
      pcm.set(question.pcm, 14400);
      const from = inbound.length;
      const startMs = await transport.say(pcm);
      await sleep(200);
      const onset = startMs + 300 + question.onsetMs;
      const after = inbound.slice(from);
      const first = (pred: (f: Inbound) => boolean) => after.find(pred)?.atMs;
      const raw = first((f) => f.rms > AUDIBLE_RMS);
      const ducked = first((f) => f.duck);
      const onsetAt = first((f) => f.onset);
      if (raw !== undefined) inRaw.push(raw - onset);
      if (ducked !== undefined) inDuck.push(ducked - onset);
      if (onsetAt !== undefined) inOnset.push(onsetAt - onset);
      await sleep(400);
      process.stdout.write('.');
    }
    const caller = telephony ? 'phone' : 'caller';
    console.log(
      `\n${telephony ? 'SIP (RTP phone through LiveKit SIP)' : 'web'}: load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}, ${TRIALS} trials; ms p50 / p95 / p99`,
    );
    const show = (name: string, xs: number[]) => {
      const p = percentiles(xs.filter(Number.isFinite));
      console.log(`${name.padEnd(72)} ${p.p50} / ${p.p95} / ${p.p99} (n=${p.n})`);
    };
    show(`inbound: ${caller} onset → first loud frame at 16 kHz`, inRaw);
    show(`inbound: ${caller} onset → duck (first loud frame, core/duck-rule.ts)`, inDuck);
    show(`inbound: ${caller} onset → onset detector (second loud frame)`, inOnset);
    for (const padMs of PADS_MS)
      for (const h of hearers)
        show(
          `outbound: clearQueue → quiet at the ${h.name}${padMs ? ` (${padMs} ms silence after)` : ''}`,
          out[`${h.name}\0${padMs}`]!,
        );
    await agent.disconnect();
    if (telephony) {
      await transport.close();
      transport = undefined;
      const until = performance.now() + 5000;
      while (!sipStats && performance.now() < until) await sleep(100);
      console.log(sipStats || 'LiveKit SIP logged no call statistics');
    }
  } finally {
    await transport?.close().catch(() => {});
    await dispose();
    for (const c of children.reverse()) await c.stop(3000);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
