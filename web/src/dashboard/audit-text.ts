// Pure wording for the Audit page: what an entry says a person looked at.
import type { AuditAction, AuditEntry } from '@voxanne/contracts/dashboard';

export const AUDIT_LABELS: Record<AuditAction, string> = {
  'call.view': 'Opened a call (transcript, caller, bookings)',
  'calls.list': 'Listed calls',
  'bookings.list': 'Listed bookings',
  'live.view': 'Watched live calls',
};

/** the filter a list was read with, in words ("status completed, search +1555"), or '' */
export function auditFilterText(target: string): string {
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(target);
  } catch {
    return target;
  }
  const parts: string[] = [];
  for (const [k, v] of params) {
    if (k === 'limit' || k === 'offset') continue;
    parts.push(`${k === 'q' ? 'search' : k} ${v}`);
  }
  return parts.join(', ');
}

/** the "what" column: the action, and what it was applied to */
export function auditWhat(e: Pick<AuditEntry, 'action' | 'target'>): {
  label: string;
  detail: string;
  callId?: string;
} {
  const label = AUDIT_LABELS[e.action] ?? e.action;
  if (e.action === 'call.view') return { label, detail: e.target, callId: e.target };
  if (e.action === 'live.view') return { label, detail: e.target === 'stream' ? 'live updates' : '' };
  return { label, detail: auditFilterText(e.target) };
}
