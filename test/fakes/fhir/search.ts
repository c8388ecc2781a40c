/**
 * FHIR R4 search semantics the fake needs, as pure functions: date prefixes (ge, gt, le, lt, eq)
 * compared as instants, token parameters (system|code, or a bare code), string parameters
 * (case-insensitive "starts with" on any name part, as the spec's default string search), and
 * references (Schedule/1 or 1).
 */
import type { FhirResource } from '../../../agent/src/records/fhir/resources.ts';

export function dateMatches(value: string | undefined, param: string): boolean {
  if (!value) return false;
  const m = /^(eq|ne|gt|lt|ge|le|sa|eb)?(.+)$/.exec(param)!;
  const prefix = m[1] ?? 'eq';
  const v = Date.parse(value);
  // a bare date (2026-03-03) means the whole day in UTC; the adapter sends full instants
  const p = Date.parse(m[2]!);
  if (Number.isNaN(v) || Number.isNaN(p)) return false;
  switch (prefix) {
    case 'gt':
    case 'sa':
      return v > p;
    case 'lt':
    case 'eb':
      return v < p;
    case 'ge':
      return v >= p;
    case 'le':
      return v <= p;
    case 'ne':
      return v !== p;
    default:
      return v === p;
  }
}

export function tokenMatches(
  codings: Array<{ system?: string; code?: string; value?: string }>,
  param: string,
): boolean {
  const [system, code] = param.includes('|') ? param.split('|', 2) : [undefined, param];
  return codings.some(
    (c) => (c.code ?? c.value) === code && (system === undefined || system === '' || c.system === system),
  );
}

export function stringMatches(parts: string[], param: string): boolean {
  const want = param.toLowerCase().trim();
  const joined = parts.join(' ').toLowerCase();
  return joined.startsWith(want) || parts.some((p) => p.toLowerCase().startsWith(want)) || joined === want;
}

export const refMatches = (ref: string | undefined, param: string, type: string): boolean =>
  ref !== undefined && (ref === param || ref === `${type}/${param}` || ref.endsWith(`/${param}`));

export type Version<R extends FhirResource> = R & { id: string; meta: { versionId: string; lastUpdated: string } };
