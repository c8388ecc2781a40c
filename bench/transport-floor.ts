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
 *   npm run bench:floor [-- --trials N] [-- --pad 0,30]
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
import { AccessToken } from 'livekit-server-sdk';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OnsetDetector, rms } from '../agent/src/core/audio/onset-detector.ts';
import { ManualClock } from '../agent/src/core/clock.ts';
import { DuckRule } from '../agent/src/core/duck-rule.ts';
import { ensureGoBinary, pinnedSpecs } from '../scripts/lib/livekit-binary.ts';
import { freeTcpPort, freeUdpPort } from '../scripts/lib/ports.ts';
import { startChild, waitForHttp } from '../scripts/lib/procs.ts';
import { livekitConfig } from '../scripts/lib/stack.ts';
import { AUDIBLE_RMS, spokenText } from '../test/support/speech.ts';
import { percentiles } from './lib/stats.ts';

const { values: args } = parseArgs({
  options: { trials: { type: 'string', default: '20' }, pad: { type: 'string', default: '0' } },
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

async function joinRoom(url: string, identity: string): Promise<Room> {
  const at = new AccessToken(KEY, SECRET, { identity, ttl: '10m' });
  at.addGrant({ room: 'floor', roomJoin: true, canPublish: true, canSubscribe: true });
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

async function main(): Promise<void> {
  const ports = {
    livekit: await freeTcpPort(),
    livekitTcp: await freeTcpPort(),
    livekitUdp: await freeUdpPort(),
    web: 0,
    agentHealth: 0,
  };
  const dir = await mkdtemp(join(tmpdir(), 'voxanne-floor-'));
  await writeFile(join(dir, 'livekit.yaml'), await livekitConfig(ports));
  const lk = startChild(
    'livekit',
    await ensureGoBinary((await pinnedSpecs()).livekitServer),
    ['--config', join(dir, 'livekit.yaml')],
    {
      env: { ...process.env, LIVEKIT_KEYS: `${KEY}: ${SECRET}` },
    },
  );
  try {
    await waitForHttp(`http://127.0.0.1:${ports.livekit}/`, 20_000);
    const url = `ws://127.0.0.1:${ports.livekit}`;
    const agent = await joinRoom(url, 'agent');
    const callerTrack = firstAudioTrack(agent);
    const caller = await joinRoom(url, 'caller');
    const agentTrack = firstAudioTrack(caller);
    const voice = await publish(agent, 'voxanne');
    const mic = await publish(caller, 'mic');

    const heard: { atMs: number; rms: number }[] = [];
    void (async () => {
      for await (const f of new AudioStream(await agentTrack, { sampleRate: 48000, numChannels: 1, frameSizeMs: 10 }))
        heard.push({ atMs: performance.now(), rms: rms(f.data) });
    })();
    const inbound: Inbound[] = [];
    void (async () => {
      const detector = new OnsetDetector();
      // the duck rule as the agent runs it, always free to duck; its timers never run here
      const duck = new DuckRule(new ManualClock(0), () => {});
      const stream = new AudioStream(await callerTrack, { sampleRate: 16000, numChannels: 1, frameSizeMs: 10 });
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
    const out: Record<number, number[]> = {};
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
        let quietFrom: number | undefined;
        for (const h of heard) {
          if (h.atMs < t0) continue;
          if (h.rms > AUDIBLE_RMS) {
            quietFrom = undefined;
            continue;
          }
          quietFrom ??= h.atMs;
          if (h.atMs - quietFrom >= QUIET_MS) break;
        }
        (out[padMs] ??= []).push(quietFrom === undefined ? NaN : quietFrom - t0);
        await sleep(300);
      }
      // the caller's words after 300 ms of silence, handed over as SimCaller.play hands them
      const pcm = new Int16Array(question.pcm.length + 14400);
      pcm.set(question.pcm, 14400);
      const from = inbound.length;
      const startMs = performance.now();
      for (let off = 0; off < pcm.length; off += 480) await mic.captureFrame(frameOf(pcm, off, 480));
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
    console.log(
      `\nload average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}, ${TRIALS} trials; ms p50 / p95 / p99`,
    );
    const show = (name: string, xs: number[]) => {
      const p = percentiles(xs.filter(Number.isFinite));
      console.log(`${name.padEnd(64)} ${p.p50} / ${p.p95} / ${p.p99} (n=${p.n})`);
    };
    show('inbound: caller onset → first loud frame at 16 kHz', inRaw);
    show('inbound: caller onset → duck (first loud frame, core/duck-rule.ts)', inDuck);
    show('inbound: caller onset → onset detector (second loud frame)', inOnset);
    for (const padMs of PADS_MS)
      show(`outbound: clearQueue → quiet at the caller${padMs ? ` (${padMs} ms silence after)` : ''}`, out[padMs]!);
    await caller.disconnect();
    await agent.disconnect();
  } finally {
    await dispose();
    await lk.stop(3000);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
