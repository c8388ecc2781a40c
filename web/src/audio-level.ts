/**
 * Pure bookkeeping for "did real agent audio arrive": RMS of a block of samples and a running tally of
 * audible milliseconds. The Web Audio side lives in agent-audio-meter.ts.
 */

/** About -40 dBFS: above comfort noise and codec hiss, well below speech. */
export const AUDIBLE_RMS = 0.01;
/**
 * The most one sample may credit. Timers in a hidden tab fire once a second; one 40 ms analyser window
 * must not be taken to stand for a whole second of audio.
 */
export const MAX_CREDIT_MS = 250;
/** A single sample louder than this (about -34 dBFS) is the start of something the caller can hear. */
export const AUDIBLE_SAMPLE = 0.02;

/**
 * Index of the first sample above AUDIBLE_SAMPLE in a block, or -1. With the block's end time this
 * dates her first audible sample to the sample, not to the meter's 50 ms reading interval.
 */
export function firstAudibleIndex(samples: Float32Array): number {
  for (let i = 0; i < samples.length; i++) if (Math.abs(samples[i]!) > AUDIBLE_SAMPLE) return i;
  return -1;
}

export function rms(samples: Float32Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length);
}

export interface AudioPresence {
  /** milliseconds of received audio whose RMS was above AUDIBLE_RMS */
  receivedMs: number;
  /** the latest RMS (0..1) */
  rms: number;
  peakRms: number;
  /** ms from the click to the first audible sample, or null while none has been heard */
  firstAudibleMs: number | null;
}

export const SILENT_PRESENCE: AudioPresence = { receivedMs: 0, rms: 0, peakRms: 0, firstAudibleMs: null };

export interface LevelSample {
  rms: number;
  /** time since the previous sample */
  elapsedMs: number;
  /** time since the click that started the call */
  sinceClickMs: number;
}

export function addSample(p: AudioPresence, s: LevelSample): AudioPresence {
  const audible = s.rms > AUDIBLE_RMS;
  return {
    receivedMs: audible ? p.receivedMs + Math.min(Math.max(s.elapsedMs, 0), MAX_CREDIT_MS) : p.receivedMs,
    rms: s.rms,
    peakRms: Math.max(p.peakRms, s.rms),
    firstAudibleMs: p.firstAudibleMs ?? (audible ? s.sinceClickMs : null),
  };
}
