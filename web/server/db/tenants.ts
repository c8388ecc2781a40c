/** Clinics, their settings (the knowledge base kept as the YAML the owner edits) and their users. */
import { randomUUID } from 'node:crypto';
import { isMap, isScalar, parseDocument, parse as parseYaml } from 'yaml';
import { inferConsultation, knowledgeBaseSchema, type KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import type { Role, Settings } from '@voxanne/contracts/dashboard';
import type { Queryable } from './db.ts';
import { hashPassword } from './passwords.ts';

export { ROLES, type Role } from '@voxanne/contracts/dashboard';

export interface Tenant {
  id: string;
  slug: string;
  name: string;
}

/** what the owner edits on the Settings page */
export type TenantSettings = Settings;

export interface User {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  role: Role;
}

export const SLUG_PATTERN = /^[a-z0-9-]{1,40}$/;

export type KbResult = { ok: true; kb: KnowledgeBase } | { ok: false; error: string };

/** The YAML parsed and validated with the agent's own schema; the error names the first bad path. */
export function parseKnowledgeBase(yamlText: string): KbResult {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (e) {
    return { ok: false, error: `knowledge base is not valid YAML: ${(e as Error).message.split('\n')[0]}` };
  }
  const r = knowledgeBaseSchema.safeParse(raw);
  if (r.success) return { ok: true, kb: r.data };
  const i = r.error.issues[0]!;
  return { ok: false, error: `knowledge base: ${i.path.join('.') || '(root)'}: ${i.message}` };
}

export async function createTenant(
  db: Queryable,
  t: { slug: string; name: string; knowledgeBaseYaml: string },
): Promise<Tenant> {
  const kb = parseKnowledgeBase(t.knowledgeBaseYaml);
  if (!kb.ok) throw new Error(kb.error);
  if (!SLUG_PATTERN.test(t.slug))
    throw new Error(`clinic slug must be lowercase letters, digits and dashes: "${t.slug}"`);
  const id = randomUUID();
  await db.query(
    `insert into tenants (id, slug, name, agent_name, voice, greeting, ` +
      `knowledge_base_yaml) values ($1, $2, $3, $4, $5, $6, $7)`,
    [id, t.slug, t.name, kb.kb.agent.name, kb.kb.agent.voice, kb.kb.agent.greeting, t.knowledgeBaseYaml],
  );
  return { id, slug: t.slug, name: t.name };
}

export async function tenantBySlug(db: Queryable, slug: string): Promise<Tenant | undefined> {
  const [r] = await db.query<{ id: string; slug: string; name: string }>(
    'select id, slug, name from tenants where slug = $1',
    [slug],
  );
  return r;
}

export async function countTenants(db: Queryable): Promise<number> {
  const [r] = await db.query<{ n: number }>('select count(*)::int as n from tenants');
  return Number(r?.n ?? 0);
}

export async function getSettings(db: Queryable, tenantId: string): Promise<TenantSettings> {
  const [r] = await db.query<Record<string, unknown>>(
    'select agent_name, voice, greeting, instructions, silence_timeout_ms, ' +
      'knowledge_base_yaml from tenants where id = $1',
    [tenantId],
  );
  if (!r) throw new Error(`no tenant ${tenantId}`);
  return {
    agentName: String(r.agent_name),
    voice: String(r.voice),
    greeting: String(r.greeting),
    instructions: String(r.instructions),
    silenceTimeoutMs: Number(r.silence_timeout_ms),
    knowledgeBase: String(r.knowledge_base_yaml),
  };
}

export async function saveSettings(db: Queryable, tenantId: string, s: TenantSettings): Promise<void> {
  await db.query(
    `update tenants set agent_name = $2, voice = $3, greeting = $4, instructions = $5, silence_timeout_ms = $6,
      knowledge_base_yaml = $7
     where id = $1`,
    [tenantId, s.agentName, s.voice, s.greeting, s.instructions, s.silenceTimeoutMs, s.knowledgeBase],
  );
}

/**
 * The YAML with `consultation: true` added to its service number `index`: one line after the
 * service's last, at its keys' indentation, so the clinic's layout and comments stay as they were.
 * A layout that insertion cannot handle is written out afresh (same content, the library's layout).
 */
export function withConsultationFlag(yamlText: string, index: number): string {
  const doc = parseDocument(yamlText);
  const service = doc.getIn(['services', index], true);
  if (isMap(service) && !service.flow && service.range && isScalar(service.items[0]?.key)) {
    const keyAt = service.items[0].key.range?.[0] ?? 0;
    const indent = keyAt - (yamlText.lastIndexOf('\n', keyAt - 1) + 1);
    const lineEnd = yamlText.indexOf('\n', service.range[1] - 1);
    const at = lineEnd < 0 ? yamlText.length : lineEnd + 1;
    const line = `${lineEnd < 0 ? '\n' : ''}${' '.repeat(indent)}consultation: true\n`;
    const text = yamlText.slice(0, at) + line + yamlText.slice(at);
    const expected = parseYaml(yamlText) as { services: Record<string, unknown>[] };
    expected.services[index]!.consultation = true;
    if (JSON.stringify(parseYaml(text)) === JSON.stringify(expected)) return text;
  }
  doc.setIn(['services', index, 'consultation'], true);
  return String(doc);
}

/** where knowledgeBaseOf says that it completed an old stored knowledge base */
export interface KbLog {
  info(obj: object, msg: string): void;
}

/**
 * The parsed knowledge base of a tenant (its YAML was validated when saved). One stored before
 * services had the `consultation` flag gets it inferred (inferConsultation) and written back into
 * its YAML, once, with a log line: "a BBL consultation" then books the consultation, not the
 * procedure listed first.
 */
export async function knowledgeBaseOf(db: Queryable, tenantId: string, log?: KbLog): Promise<KnowledgeBase> {
  const yamlText = (await getSettings(db, tenantId)).knowledgeBase;
  const kb = parseKnowledgeBase(yamlText);
  if (!kb.ok) throw new Error(`stored ${kb.error}`);
  const found = inferConsultation(kb.kb);
  if (!found) return kb.kb;
  // only over the text just read: a knowledge base saved meanwhile is read afresh next time
  const saved = await db.query(
    'update tenants set knowledge_base_yaml = $2 where id = $1 and knowledge_base_yaml = $3 returning id',
    [tenantId, withConsultationFlag(yamlText, found.index), yamlText],
  );
  if (saved.length)
    log?.info(
      { tenantId, service: found.service.id },
      'stored knowledge base had no consultation service: inferred and saved',
    );
  return { ...kb.kb, services: kb.kb.services.map((s, i) => (i === found.index ? { ...s, consultation: true } : s)) };
}

export async function createUser(
  db: Queryable,
  u: { tenantId: string; email: string; name: string; role: Role; password: string },
): Promise<User> {
  const id = randomUUID();
  const email = u.email.trim().toLowerCase();
  await db.query(
    'insert into users (id, tenant_id, email, name, role, password_hash) values ($1, $2, $3, $4, $5, $6)',
    [id, u.tenantId, email, u.name, u.role, await hashPassword(u.password)],
  );
  return { id, tenantId: u.tenantId, email, name: u.name, role: u.role };
}

export async function userWithHash(
  db: Queryable,
  email: string,
): Promise<(User & { passwordHash: string }) | undefined> {
  const [r] = await db.query<Record<string, string>>(
    'select id, tenant_id, email, name, role, password_hash from users where email = $1',
    [email.trim().toLowerCase()],
  );
  return (
    r && {
      id: r.id!,
      tenantId: r.tenant_id!,
      email: r.email!,
      name: r.name!,
      role: r.role as Role,
      passwordHash: r.password_hash!,
    }
  );
}

export async function listUsers(db: Queryable, tenantId: string): Promise<User[]> {
  const rows = await db.query<Record<string, string>>(
    'select id, tenant_id, email, name, role from users where tenant_id = $1 order by email',
    [tenantId],
  );
  return rows.map((r) => ({ id: r.id!, tenantId: r.tenant_id!, email: r.email!, name: r.name!, role: r.role as Role }));
}
