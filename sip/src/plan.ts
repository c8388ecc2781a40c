/**
 * Desired vs current: the pure half of provisioning. A resource is found by its kind and name; its
 * fields are compared as plain values (lists as sets, since neither LiveKit nor Twilio keeps an order
 * that means anything). Nothing here talks to a server.
 */
export type FieldValue = string | number | boolean | string[] | undefined;
export type Fields = Record<string, FieldValue>;

export interface Current {
  id: string;
  fields: Fields;
}

export type Action =
  | { op: 'create'; kind: string; name: string; fields: Fields }
  | {
      op: 'update';
      kind: string;
      name: string;
      id: string;
      fields: Fields;
      changes: Record<string, { from: FieldValue; to: FieldValue }>;
    }
  | { op: 'keep'; kind: string; name: string; id: string };

const norm = (v: FieldValue): FieldValue => (Array.isArray(v) ? [...v].sort() : v === '' ? undefined : v);

export function sameValue(a: FieldValue, b: FieldValue): boolean {
  const x = norm(a);
  const y = norm(b);
  if (Array.isArray(x) || Array.isArray(y)) {
    const xs = (Array.isArray(x) ? x : x === undefined ? [] : [String(x)]) as string[];
    const ys = (Array.isArray(y) ? y : y === undefined ? [] : [String(y)]) as string[];
    return xs.length === ys.length && xs.every((v, i) => v === ys[i]);
  }
  return x === y;
}

/**
 * What to do with one resource. Only the desired fields are compared: a field the desired state does
 * not mention (undefined) is left as it is, so settings made by hand in a console survive.
 */
export function planResource(kind: string, name: string, desired: Fields, current: Current | undefined): Action {
  if (!current) return { op: 'create', kind, name, fields: desired };
  const changes: Record<string, { from: FieldValue; to: FieldValue }> = {};
  for (const [k, to] of Object.entries(desired)) {
    if (to === undefined) continue;
    const from = current.fields[k];
    if (!sameValue(from, to)) changes[k] = { from, to };
  }
  return Object.keys(changes).length
    ? { op: 'update', kind, name, id: current.id, fields: desired, changes }
    : { op: 'keep', kind, name, id: current.id };
}

/** Names of fields whose values must never be printed. */
const SECRET = /password|secret|token/i;

function show(k: string, v: FieldValue): string {
  if (v === undefined) return '—';
  if (SECRET.test(k)) return '(secret)';
  return Array.isArray(v) ? `[${v.join(', ')}]` : JSON.stringify(v);
}

/** The plan as text, one line per resource and one per changed field. */
export function formatPlan(actions: Action[]): string {
  const lines: string[] = [];
  for (const a of actions) {
    const head = `${a.kind} "${a.name}"`;
    if (a.op === 'keep') lines.push(`  = ${head} (${a.id}) up to date`);
    else if (a.op === 'create') {
      lines.push(`  + ${head} will be created`);
      for (const [k, v] of Object.entries(a.fields))
        if (v !== undefined && v !== '') lines.push(`      ${k}: ${show(k, v)}`);
    } else {
      lines.push(`  ~ ${head} (${a.id}) will be updated`);
      for (const [k, c] of Object.entries(a.changes)) lines.push(`      ${k}: ${show(k, c.from)} → ${show(k, c.to)}`);
    }
  }
  const n = (op: Action['op']) => actions.filter((a) => a.op === op).length;
  lines.push(`  ${n('create')} to create, ${n('update')} to update, ${n('keep')} up to date`);
  return lines.join('\n');
}

export const changesNothing = (actions: Action[]) => actions.every((a) => a.op === 'keep');
