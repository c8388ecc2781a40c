/**
 * What the caller actually heard of an interrupted reply. Audio was queued chunk by chunk; when she
 * is cut off we know how many milliseconds played out. Within a chunk, time is shared among words in
 * proportion to their length (a fair model of speech rate), and a word counts as heard only once
 * all of it played.
 */
export interface PlayedChunk {
  text: string;
  durationMs: number;
}

export interface HeardSplit {
  heard: string;
  unheard: string;
}

export function splitHeard(chunks: readonly PlayedChunk[], playedMs: number): HeardSplit {
  const heard: string[] = [];
  const unheard: string[] = [];
  let t = 0;
  for (const chunk of chunks) {
    const words = chunk.text.split(/\s+/).filter(Boolean);
    const weight = words.reduce((n, w) => n + w.length + 1, 0);
    for (const w of words) {
      t += weight ? (chunk.durationMs * (w.length + 1)) / weight : 0;
      (t <= playedMs + 1e-6 ? heard : unheard).push(w);
    }
    if (!words.length) t += chunk.durationMs;
  }
  // once a word is missed everything after it is unheard, even if rounding says otherwise
  const firstMissed = heard.length;
  return { heard: heard.slice(0, firstMissed).join(' '), unheard: unheard.join(' ') };
}
