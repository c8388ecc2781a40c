import {
  addSample,
  AUDIBLE_SAMPLE,
  firstAudibleIndex,
  rms,
  SILENT_PRESENCE,
  type AudioPresence,
} from './audio-level.ts';

/** the audio-thread tap that dates her first audible sample (first-sample.worklet.js) */
const FIRST_SAMPLE_WORKLET = new URL('./first-sample.worklet.js', import.meta.url).href;

/** How often the analyser is read. Its 2048-sample window is ~43 ms at 48 kHz, so 50 ms leaves small gaps only. */
export const METER_INTERVAL_MS = 50;

/**
 * Measures the agent's audio as actually received: an AnalyserNode on the remote track, read on a
 * timer, tallied by audio-level.ts. This is what lets a test say "real audio arrived", not merely
 * "a track was subscribed".
 */
export class AgentAudioMeter {
  private presence: AudioPresence = SILENT_PRESENCE;
  private source: MediaStreamAudioSourceNode | null = null;
  private readonly analyser: AnalyserNode;
  private readonly sink: GainNode;
  private readonly buffer: Float32Array<ArrayBuffer>;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastReadMs = 0;
  private firstSampleSeen = false;
  /** resolves true once the worklet is loaded; false: the analyser dates the first sample instead */
  private readonly worklet: Promise<boolean>;
  private tap: AudioWorkletNode | null = null;

  constructor(
    private readonly ctx: AudioContext,
    /** performance.now() at the click that started the call */
    private readonly clickAtMs: number,
    private readonly onUpdate: (p: AudioPresence) => void,
    /**
     * once per call: ms from the click to her first audible sample (dated
     * on the audio thread; by the analyser's window without a worklet)
     */
    private readonly onFirstSample: (sinceClickMs: number) => void = () => {},
  ) {
    this.analyser = new AnalyserNode(ctx, { fftSize: 2048 });
    this.buffer = new Float32Array(this.analyser.fftSize);
    // A silent path to the destination keeps the graph pulled in every browser; the <audio> element plays the sound.
    this.sink = new GainNode(ctx, { gain: 0 });
    this.analyser.connect(this.sink).connect(ctx.destination);
    // audioWorklet exists only in secure contexts (https, localhost)
    this.worklet = (
      ctx.audioWorklet?.addModule(FIRST_SAMPLE_WORKLET) ?? Promise.reject(new Error('no audioWorklet here'))
    ).then(
      () => true,
      (e: unknown) => (console.warn('the first-sample audio worklet did not load; dating by the analyser', e), false),
    );
  }

  attach(track: MediaStreamTrack): void {
    this.source?.disconnect();
    this.source = new MediaStreamAudioSourceNode(this.ctx, { mediaStream: new MediaStream([track]) });
    this.source.connect(this.analyser);
    this.lastReadMs = performance.now();
    this.timer ??= setInterval(() => this.read(), METER_INTERVAL_MS);
    const source = this.source;
    void this.worklet.then((ok) => {
      if (ok && this.source === source && !this.firstSampleSeen) this.startTap(source);
    });
  }

  /** The audio thread reports the first loud sample's context time; mapped to performance.now() time here. */
  private startTap(source: MediaStreamAudioSourceNode): void {
    this.tap?.disconnect();
    const tap = new AudioWorkletNode(this.ctx, 'voxanne-first-sample', {
      processorOptions: { threshold: AUDIBLE_SAMPLE },
    });
    tap.port.onmessage = (e: MessageEvent<{ contextTime: number }>) => {
      const ts = this.ctx.getOutputTimestamp();
      if (ts.contextTime === undefined || ts.performanceTime === undefined) return; // the analyser dates it
      this.firstSample(ts.performanceTime + (e.data.contextTime - ts.contextTime) * 1000);
    };
    source.connect(tap).connect(this.sink);
    this.tap = tap;
  }

  private firstSample(atPerformanceMs: number): void {
    if (this.firstSampleSeen) return;
    this.firstSampleSeen = true;
    this.onFirstSample(atPerformanceMs - this.clickAtMs);
  }

  detach(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.source?.disconnect();
    this.source = null;
    this.tap?.disconnect();
    this.tap = null;
  }

  private read(): void {
    const now = performance.now();
    this.analyser.getFloatTimeDomainData(this.buffer);
    if (!this.firstSampleSeen && !this.tap) {
      const i = firstAudibleIndex(this.buffer);
      // the buffer ends at the latest rendered sample: sample i sounded (length - i) samples ago
      if (i >= 0) this.firstSample(now - ((this.buffer.length - i) / this.ctx.sampleRate) * 1000);
    }
    this.presence = addSample(this.presence, {
      rms: rms(this.buffer),
      elapsedMs: now - this.lastReadMs,
      sinceClickMs: now - this.clickAtMs,
    });
    this.lastReadMs = now;
    this.onUpdate(this.presence);
  }
}
