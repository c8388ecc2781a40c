/**
 * Leading silence of audio made in advance (the greeting): synthesisers start a line with a breath of
 * near-silence (flite: ~190 ms), which at the start of a call is pure waiting for the caller. Pure:
 * works on the frames' int16 samples and says how many whole frames to drop, so nothing is cut mid-frame.
 */

/** about -34 dBFS: the level the page counts as her first audible sample (web/src/audio-level.ts AUDIBLE_SAMPLE) */
export const LEAD_SILENCE_PEAK = 655;
/** silence kept before the first sound, so the line does not start on a hard edge */
export const LEAD_SILENCE_KEEP_MS = 20;

/**
 * How many frames at the start hold nothing above `peak` (int16), less enough frames to keep `keepMs`
 * of that silence. All-silent audio drops nothing: it is not ours to decide it is empty.
 */
export function silentLeadFrames(
  frames: readonly Int16Array[],
  sampleRate: number,
  peak = LEAD_SILENCE_PEAK,
  keepMs = LEAD_SILENCE_KEEP_MS,
): number {
  let silent = 0;
  let silentSamples = 0;
  for (const f of frames) {
    if (f.some((s) => Math.abs(s) > peak)) {
      // drop whole frames while what stays still holds at least keepMs of the silence
      const keepSamples = Math.round((keepMs * sampleRate) / 1000);
      let drop = silent;
      while (drop > 0 && silentSamples - sumLength(frames, drop) < keepSamples) drop--;
      return drop;
    }
    silent++;
    silentSamples += f.length;
  }
  return 0;
}

function sumLength(frames: readonly Int16Array[], n: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += frames[i]!.length;
  return total;
}
