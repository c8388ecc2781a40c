import { addSample, firstAudibleIndex, rms, SILENT_PRESENCE, type AudioPresence } from './audio-level.ts';

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

  constructor(
    private readonly ctx: AudioContext,
    /** performance.now() at the click that started the call */
    private readonly clickAtMs: number,
    private readonly onUpdate: (p: AudioPresence) => void,
    /** once per call: ms from the click to her first audible sample, dated within the analyser's window */
    private readonly onFirstSample: (sinceClickMs: number) => void = () => {},
  ) {
    this.analyser = new AnalyserNode(ctx, { fftSize: 2048 });
    this.buffer = new Float32Array(this.analyser.fftSize);
    // A silent path to the destination keeps the graph pulled in every browser; the <audio> element plays the sound.
    this.sink = new GainNode(ctx, { gain: 0 });
    this.analyser.connect(this.sink).connect(ctx.destination);
  }

  attach(track: MediaStreamTrack): void {
    this.source?.disconnect();
    this.source = new MediaStreamAudioSourceNode(this.ctx, { mediaStream: new MediaStream([track]) });
    this.source.connect(this.analyser);
    this.lastReadMs = performance.now();
    this.timer ??= setInterval(() => this.read(), METER_INTERVAL_MS);
  }

  detach(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.source?.disconnect();
    this.source = null;
  }

  private read(): void {
    const now = performance.now();
    this.analyser.getFloatTimeDomainData(this.buffer);
    if (!this.firstSampleSeen) {
      const i = firstAudibleIndex(this.buffer);
      if (i >= 0) {
        this.firstSampleSeen = true;
        // the buffer ends at the latest rendered sample: sample i sounded (length - i) samples ago
        this.onFirstSample(now - ((this.buffer.length - i) / this.ctx.sampleRate) * 1000 - this.clickAtMs);
      }
    }
    this.presence = addSample(this.presence, { rms: rms(this.buffer), elapsedMs: now - this.lastReadMs, sinceClickMs: now - this.clickAtMs });
    this.lastReadMs = now;
    this.onUpdate(this.presence);
  }
}
