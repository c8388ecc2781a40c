/** Slicing PCM into fixed-duration frames and padding it with silence. Pure. */

/** Samples in one frame of `frameMs` at `sampleRate`; throws unless that is a whole number. */
export function samplesPerFrame(sampleRate: number, frameMs: number): number {
  const n = (sampleRate * frameMs) / 1000;
  if (!Number.isInteger(n) || n <= 0)
    throw new RangeError(`${frameMs} ms at ${sampleRate} Hz is not a whole number of samples`);
  return n;
}

/**
 * Cuts mono samples into frames of exactly `frameSize`; the last one is zero-padded, because
 * WebRTC sources expect every frame to have the same duration. Frames are copies.
 */
export function splitIntoFrames(samples: Int16Array, frameSize: number): Int16Array[] {
  if (!Number.isInteger(frameSize) || frameSize <= 0)
    throw new RangeError(`frame size must be a positive integer, got ${frameSize}`);
  const frames: Int16Array[] = [];
  for (let at = 0; at < samples.length; at += frameSize) {
    const frame = new Int16Array(frameSize);
    frame.set(samples.subarray(at, at + frameSize));
    frames.push(frame);
  }
  return frames;
}

/** `samples` with `leadingMs` of silence before and `trailingMs` after. */
export function padWithSilence(
  samples: Int16Array,
  sampleRate: number,
  leadingMs: number,
  trailingMs: number,
): Int16Array {
  if (leadingMs < 0 || trailingMs < 0) throw new RangeError('silence durations must not be negative');
  const lead = Math.round((sampleRate * leadingMs) / 1000);
  const trail = Math.round((sampleRate * trailingMs) / 1000);
  const out = new Int16Array(lead + samples.length + trail);
  out.set(samples, lead);
  return out;
}

/** Joins PCM buffers end to end. */
export function concatPcm(...parts: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
