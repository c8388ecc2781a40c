/**
 * Prepares text for flite. Pure.
 * Flite's English front end reads bytes as Latin-1 and spells out or chokes on anything else, and
 * WASI passes arguments as NUL-terminated C strings, so the text is folded to printable ASCII:
 * accents are dropped (café -> cafe), typographic punctuation becomes its ASCII twin, and
 * symbols flite cannot say (emoji, other scripts) become spaces.
 */

const REPLACEMENTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/[\u2018\u2019\u201a\u201b\u2032]/g, "'"],
  [/[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]/g, '"'],
  [/[\u2013\u2014\u2015\u2212]/g, ', '], // a dash in prose is a pause, not "minus"
  [/\u2026/g, '...'],
  [/[\u00a0\u2000-\u200b\u202f\u205f\u3000]/g, ' '],
  [/\u00df/g, 'ss'],
  [/[\u00e6]/g, 'ae'],
  [/[\u00c6]/g, 'AE'],
  [/[\u0153]/g, 'oe'],
  [/[\u00f8]/g, 'o'],
  [/[\u00d8]/g, 'O'],
  [/\u20ac/g, ' euros '],
  [/\u00a3/g, ' pounds '],
];

export function speakableText(text: string): string {
  let s = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  for (const [re, to] of REPLACEMENTS) s = s.replace(re, to);
  // Everything left outside printable ASCII (emoji, CJK, control characters incl. NUL) is unsayable.
  s = s.replace(/[^\x20-\x7e]+/g, ' ');
  return s.replace(/ {2,}/g, ' ').trim();
}
