/**
 * What the fuzz run requires of every answer: no 5xx, no dropped connection, a JSON error for every
 * 4xx of an API, and the field named in every 400 (an API's 400 says which input was wrong).
 */
export interface Answer {
  /** undefined when the connection failed (reset, closed without an answer) */
  status: number | undefined;
  contentType: string;
  body: string;
  /** the surface is a JSON API (not the page or asset server) */
  api: boolean;
  /** HEAD answers carry no body */
  method: string;
}

/** a problem in words, or undefined when the answer is acceptable */
export function judge(a: Answer): string | undefined {
  if (a.status === undefined) return 'no answer (connection dropped)';
  if (a.status >= 500) return `${a.status} ${a.body.slice(0, 200)}`;
  if (a.status < 400 || !a.api || a.method === 'HEAD') return undefined;
  // refused by node's HTTP parser before any route runs (headers over 16 KB): no handler to name a field
  if (a.status === 431) return undefined;
  if (!a.contentType.startsWith('application/json')) return `${a.status} without a JSON body`;
  let b: { error?: unknown; field?: unknown };
  try {
    b = JSON.parse(a.body) as typeof b;
  } catch {
    return `${a.status} with a body that is not JSON`;
  }
  if (typeof b.error !== 'string' || !b.error) return `${a.status} without an error message`;
  if (a.status === 400 && (typeof b.field !== 'string' || !b.field)) return `400 without a field: ${b.error}`;
  return undefined;
}
