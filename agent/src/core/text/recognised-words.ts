/**
 * The words in a recogniser's transcript, or '' when it holds none. A final transcript of no words
 * (silence, a cough, a line click) is not a turn: it must not be logged as "caller said", shown in
 * the transcript or answered. Recognisers mark such audio in their own ways, so besides empty or
 * blank text this drops Sphinx filler and sentence markers ("<sil>", "<s>", "[NOISE]",
 * "++BREATH++"), bracketed non-speech tags other engines write ("[BLANK_AUDIO]", "(coughs)") and
 * tokens with no letter or digit at all ("...", "-"). Pure.
 */

const NON_SPEECH = [
  /^<[^>]*>$/, // <s> </s> <sil>
  /^\[[^\]]*\]$/, // [NOISE] [SPEECH] [BLANK_AUDIO]
  /^\+\+.*\+\+$/, // ++BREATH++ (Sphinx-3 style fillers)
  /^\([^)]*\)$/, // (coughs)
];

export function recognisedWords(text: string | undefined): string {
  if (!text) return '';
  return text
    .split(/\s+/)
    .filter((t) => t && /[\p{L}\p{N}]/u.test(t) && !NON_SPEECH.some((re) => re.test(t)))
    .join(' ');
}
