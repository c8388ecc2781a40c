/** Hostile values: what a fuzz case puts where a well-behaved client puts a name, a time or a number. */
import type { Rng } from './rng.ts';

const NASTY_STRINGS = [
  '',
  ' ',
  '\0',
  'a\0b',
  '%00',
  '\u0000\u0001\u001f',
  '\ud800',
  '\udfff\ud800',
  '😀'.repeat(50),
  'é\u0301',
  '\u202e',
  '../../etc/passwd',
  '..%2f..%2f',
  "'; drop table calls; --",
  '%',
  '%zz',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  '${7*7}',
  '+15551234567',
  '+1555123456789012345',
  '2026-02-30',
  '2026-13-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '0000-01-01T00:00:00+00:00',
  'NaN',
  'Infinity',
  '-1',
  '1e309',
  'true',
  'null',
  '{}',
  '[]',
  'web',
  'sip',
  'completed',
  'call.view',
  'x'.repeat(300),
];

export function nastyString(r: Rng): string {
  if (r.chance(0.15)) {
    // random code units, NULs and surrogates included
    let s = '';
    for (let i = r.int(0, 40); i > 0; i--) s += String.fromCharCode(r.chance(0.2) ? r.int(0, 31) : r.int(0, 0xffff));
    return s;
  }
  if (r.chance(0.05)) return 'y'.repeat(r.int(1000, 70_000));
  const base = r.pick(NASTY_STRINGS);
  return r.chance(0.2) ? `${base}\0` : base;
}

export function nastyValue(r: Rng, depth = 0): unknown {
  switch (r.int(0, depth > 3 ? 6 : 9)) {
    case 0:
      return r.pick([0, -1, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2, 3_600_001, 100_001]);
    case 1:
      return r.pick([true, false, null]);
    case 2:
    case 3:
    case 4:
    case 5:
      return nastyString(r);
    case 6:
      return r.pick([[], {}, [null], { '': '' }]);
    case 7:
      return Array.from({ length: r.int(0, 4) }, () => nastyValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(0, 4); i > 0; i--) o[r.chance(0.3) ? nastyString(r) : `k${i}`] = nastyValue(r, depth + 1);
      return o;
    }
  }
}

/** a valid object with one field (or more) made hostile, deleted, or an extra field added */
export function mutate(r: Rng, valid: Record<string, unknown>): unknown {
  if (r.chance(0.05)) return nastyValue(r);
  const o: Record<string, unknown> = structuredClone(valid);
  const keys = Object.keys(o);
  for (let n = r.int(1, 2); n > 0; n--) {
    const k = r.pick(keys);
    const what = r.int(0, 9);
    if (what === 0) delete o[k];
    else if (what === 1) o[nastyString(r)] = nastyValue(r);
    else if (what === 2 && typeof o[k] === 'string') o[k] = `${o[k] as string}\0`;
    else o[k] = nastyValue(r);
  }
  return o;
}

/** a raw body: usually JSON of a value, sometimes not JSON at all */
export function rawBody(r: Rng, value: unknown): string {
  switch (r.int(0, 19)) {
    case 0:
      return '{"a":';
    case 1:
      return nastyString(r);
    case 2:
      return '['.repeat(r.int(1, 20_000)) + ']'.repeat(r.int(0, 3));
    default:
      return JSON.stringify(value) ?? 'null';
  }
}

/** percent-encoding that never throws: a lone surrogate goes as the bytes of U+FFFD */
export function pct(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8'))
    out += /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b))
      ? String.fromCharCode(b)
      : `%${b.toString(16).padStart(2, '0')}`;
  return out;
}

/** a path segment: valid-looking, hostile, or broken percent-encoding */
export function nastySegment(r: Rng, valid: string): string {
  switch (r.int(0, 7)) {
    case 0:
      return valid;
    case 1:
      return '%00';
    case 2:
      return r.pick(['%', '%e0%a4%a', '%c0%ae%c0%ae', '..', '.', '%2e%2e', '%2F']);
    default:
      return pct(nastyString(r)).slice(0, 3000) || 'x';
  }
}
