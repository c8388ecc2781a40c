/**
 * The audit trail: one row per staff view of patient information (who, when, what, from where).
 * Only two operations exist, append and list; the table's trigger (migration 4) refuses the rest.
 */
import type { AuditAction, AuditPage } from '@voxanne/contracts/dashboard';
import type { Queryable } from './db.ts';
import { iso, tenantWhere } from './db.ts';

export type { AuditEntry, AuditPage } from '@voxanne/contracts/dashboard';

export interface AuditRecord {
  tenantId: string;
  at: Date;
  user: { id: string; email: string; name: string };
  action: AuditAction;
  target: string;
  ip: string;
  userAgent: string | undefined;
}

/** longest target and user agent kept (a list's query string, a browser's agent string) */
export const AUDIT_TEXT_MAX = 500;

export async function appendAudit(db: Queryable, r: AuditRecord): Promise<void> {
  await db.query(
    `insert into audit_events (tenant_id, at, user_id, user_email, user_name, action, target, ip, user_agent)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      r.tenantId,
      r.at.toISOString(),
      r.user.id,
      r.user.email,
      r.user.name,
      r.action,
      r.target.slice(0, AUDIT_TEXT_MAX),
      r.ip,
      r.userAgent?.slice(0, AUDIT_TEXT_MAX) ?? null,
    ],
  );
}

export interface AuditFilter {
  action?: AuditAction | undefined;
  userId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  offset: number;
}

export async function listAudit(db: Queryable, tenantId: string, f: AuditFilter): Promise<AuditPage> {
  const filter = tenantWhere('tenant_id', tenantId);
  if (f.action) filter.add('action = ?', f.action);
  if (f.userId) filter.add('user_id = ?', f.userId);
  if (f.from) filter.add('at >= ?', f.from);
  if (f.to) filter.add('at < ?', f.to);
  const { clause: w, params } = filter;
  const [count] = await db.query<{ n: number }>(`select count(*)::int as n from audit_events where ${w}`, params);
  const rows = await db.query(
    `select id, at, user_id, user_email, user_name, action, target, ip, user_agent from audit_events where ${w}
     order by at desc, id desc limit $${params.length + 1} offset $${params.length + 2}`,
    [...params, f.limit, f.offset],
  );
  return {
    total: Number(count?.n ?? 0),
    entries: rows.map((r) => ({
      id: String(r.id),
      at: iso(r.at)!,
      user: { id: String(r.user_id), email: String(r.user_email), name: String(r.user_name) },
      // written only by appendAudit, whose type admits these values alone
      action: String(r.action) as AuditAction,
      target: String(r.target),
      ip: String(r.ip),
      userAgent: (r.user_agent as string | null) ?? null,
    })),
  };
}
