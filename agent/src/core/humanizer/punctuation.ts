/**
 * Text cleaned for a voice: no markdown or list markers, no emoji, one space after punctuation and
 * none before it, no doubled marks. Pure.
 */

/** JSON objects in the text ({"name": …}), nested ones included. */
function stripJson(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '{' && /^\{\s*"/.test(text.slice(i, i + 10))) {
      let depth = 0;
      let j = i;
      for (; j < text.length; j++) {
        if (text[j] === '{') depth++;
        else if (text[j] === '}' && --depth === 0) break;
      }
      out += ' ';
      i = j;
      continue;
    }
    out += text[i];
  }
  return out;
}

export function stripMarkup(text: string): string {
  return (
    stripJson(text)
      // a model that writes its tool call as text instead of calling it: never read that out
      .replace(/<function[^>]*>[\s\S]*?(?:<\/function>|$)/gi, ' ')
      .replace(/<\|[^|>]*\|>/g, ' ')
      .replace(/```[\s\S]*?```/g, ' ')
      .replace(/\*\*|__|`|\*/g, '')
      .replace(/^\s*#{1,6}\s*/gm, '')
      // a list read out as one: "We offer:\n- Botox\n- Fillers" → "We offer: Botox, Fillers."
      .replace(/:\s*\n\s*(?:[-•*]|\d+[.)])\s+/g, ': ')
      .replace(/([^.!?:\n])\s*\n\s*(?:[-•*]|\d+[.)])\s+/g, '$1, ')
      .replace(/^\s*(?:[-•*]|\d+[.)])\s+/gm, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/[\p{Extended_Pictographic}\u{FE0F}\u{200D}]/gu, '')
      .replace(/\s*\n+\s*/g, (m) => (/\n\s*\n/.test(m) ? '. ' : ' '))
  );
}

/** Written abbreviations a voice would read letter by letter or not at all. */
const ABBREVIATIONS: Array<[RegExp, string]> = [
  [/\bMon\.?(?=[\s,–-])/g, 'Monday'],
  [/\bTues?\.?(?=[\s,–-])/g, 'Tuesday'],
  [/\bWed\.?(?=[\s,–-])/g, 'Wednesday'],
  [/\bThu(?:rs?)?\.?(?=[\s,–-])/g, 'Thursday'],
  [/\bFri\.?(?=[\s,–-])/g, 'Friday'],
  [/\bSat\.?(?=[\s,–-])/g, 'Saturday'],
  [/\bSun\.?(?=[\s,–-])/g, 'Sunday'],
  [/\bDr\.\s/g, 'Doctor '],
  [/\bapprox\.\s?/gi, 'about '],
  [/\be\.g\.,?\s?/gi, 'for example, '],
  [/\bi\.e\.,?\s?/gi, 'that is, '],
  [/,?\s*etc\.?/gi, ', and so on'],
  [/\bvs\.?\s/gi, 'versus '],
  [/\bw\/\s?/gi, 'with '],
  [/\bhrs\b\.?/gi, 'hours'],
  [/\bmins\b\.?/gi, 'minutes'],
  [/\b24\/7\b/g, 'twenty four seven'],
  // "Monday–Friday" between words is a range
  [/(?<=[A-Za-z])\s*[–—]\s*(?=[A-Za-z])/g, ' to '],
];

export function expandAbbreviations(text: string): string {
  let out = text;
  for (const [re, to] of ABBREVIATIONS) out = out.replace(re, to);
  return out;
}

export function fixSpacing(text: string): string {
  return text
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/\s+([,.!?;:])/g, '$1')
    .replace(/([,;:])(?=[A-Za-z])/g, '$1 ')
    .replace(/([.!?])(?=[A-Za-z"])/g, (m, p: string, off: number, s: string) => {
      // "e.g." and initials are left alone; a sentence end followed by a capital gets its space
      const next = s[off + 1]!;
      return /[A-Z"]/.test(next) ? `${p} ` : m;
    })
    .replace(/,{2,}/g, ',')
    .replace(/([!?])\1+/g, '$1')
    .replace(/\.{2,}|…/g, '.')
    .replace(/[,;:]([.!?])/g, '$1')
    .replace(/([.!?])[,;:]/g, '$1')
    .replace(/\(\s*([^)]*?)\s*\)/g, ', $1,')
    .replace(/,\s*([.!?])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The customer's punctuation check: no space before a mark, one after it, no doubled marks. */
export function spacingProblems(text: string): string[] {
  const problems: string[] = [];
  if (/\s[,.!?;:]/.test(text)) problems.push('space before punctuation');
  if (/[,;:][A-Za-z]/.test(text)) problems.push('no space after a comma');
  if (/[.!?][A-Z]/.test(text)) problems.push('no space after a sentence end');
  if (/ {2,}/.test(text)) problems.push('double space');
  if (/([,.!?])\1/.test(text)) problems.push('doubled punctuation');
  return problems;
}
