// Helpers for the records API tests: a web server over a test database, signed agent requests, logins.
import { readFile } from 'node:fs/promises';
import { newNonce, signRecordsRequest } from '@voxanne/contracts/signature';
import { addDaysToDate, localParts } from '@voxanne/contracts/calendar';
import type { Db } from '../db/db.ts';
import { createTenant, createUser, parseKnowledgeBase, type Tenant } from '../db/tenants.ts';
import { SILENT, startWebServer, testConfig, type Running } from '../test-support.ts';
import { REPO_ROOT, type WebConfig } from '../config.ts';
import type { ProxyTrust } from '../client-address.ts';
import type { LoginLimits } from './auth.ts';
import { createRecords, type Records } from './index.ts';

export const SECRET = 'test-secret-that-is-long-enough-0123456789';
export const PASSWORD = 'correct horse battery staple';
export const KB_PATH = `${REPO_ROOT}/agent/knowledge/clinic.yaml`;

export interface RecordsServer extends Running {
  records: Records;
  config: WebConfig;
}

export async function startRecordsServer(db: Db, limiter?: LoginLimits, proxy?: ProxyTrust): Promise<RecordsServer> {
  const records = createRecords(db, {
    logger: SILENT,
    secret: SECRET,
    ...(limiter ? { limiter } : {}),
    ...(proxy ? { proxy } : {}),
  });
  // the records key and LiveKit's secret differ, as secretProblems demands of a real start
  const config = testConfig({ recordsApiKey: SECRET, livekitApiSecret: 'test-livekit-secret-not-the-records-key-01' });
  const web = await startWebServer(config, { records });
  return { ...web, records, config };
}

/** a clinic (from clinic.yaml with its own slug and name) with an owner and a staff user */
export async function makeClinic(
  db: Db,
  slug: string,
  name = `Clinic ${slug}`,
): Promise<{ tenant: Tenant; owner: string; staff: string }> {
  const yamlText = (await readFile(KB_PATH, 'utf8'))
    .replace(/^(\s*)id: riverside$/m, `$1id: ${slug}`)
    .replace(/^(\s*)name: Riverside Aesthetic Surgery$/m, `$1name: ${name}`);
  if (!parseKnowledgeBase(yamlText).ok) throw new Error('test knowledge base does not validate');
  const tenant = await createTenant(db, { slug, name, knowledgeBaseYaml: yamlText });
  const email = (role: 'owner' | 'staff') => `${role}@${slug}.test`;
  for (const role of ['owner', 'staff'] as const) {
    const name = `${role === 'owner' ? 'Owner' : 'Staff'} of ${slug}`;
    await createUser(db, { tenantId: tenant.id, email: email(role), name, role, password: PASSWORD });
  }
  return { tenant, owner: email('owner'), staff: email('staff') };
}

export interface Res {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

async function toRes(r: Response): Promise<Res> {
  const text = await r.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: r.status, headers: r.headers, body, text };
}

/** a request the way the agent sends it: signed over the exact path and body */
export async function signed(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  o: { secret?: string; timestamp?: number; nonce?: string } = {},
): Promise<Res> {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const ts = String(o.timestamp ?? Date.now());
  const nonce = o.nonce ?? newNonce();
  const r = await fetch(`${base}${path}`, {
    method,
    headers: {
      'x-voxanne-timestamp': ts,
      'x-voxanne-nonce': nonce,
      'x-voxanne-signature': signRecordsRequest(o.secret ?? SECRET, { timestamp: ts, nonce, method, path, body: text }),
      'content-type': 'application/json',
    },
    ...(method === 'GET' ? {} : { body: text }),
  });
  return toRes(r);
}

export async function call(
  base: string,
  method: string,
  path: string,
  o: { cookie?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Res> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { ...(o.cookie ? { cookie: o.cookie } : {}), 'content-type': 'application/json', ...o.headers },
    ...(o.raw !== undefined ? { body: o.raw } : o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
  });
  return toRes(r);
}

/** logs in and returns the cookie to send back */
export async function login(base: string, email: string, password = PASSWORD): Promise<string> {
  const r = await call(base, 'POST', '/api/auth/login', { body: { email, password } });
  if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${r.text}`);
  return r.headers.get('set-cookie')!.split(';')[0]!;
}

/** the first open clinic day at least `after` days ahead, clinic-local YYYY-MM-DD */
export function openDay(after = 2, tz = 'America/Los_Angeles'): string {
  const today = localParts(new Date(), tz).date;
  for (let d = after; ; d++) {
    const date = addDaysToDate(today, d);
    if (new Date(`${date}T12:00:00Z`).getUTCDay() !== 0) return date; // riverside closes on Sundays
  }
}

export function callStart(callId: string, tenant: string, over: Record<string, unknown> = {}) {
  return {
    callId,
    tenant,
    room: `room-${callId}`,
    channel: 'web',
    callerIdentity: `caller-${callId}`,
    startedAt: new Date().toISOString(),
    engines: { stt: 'pocketsphinx', llm: 'rules', tts: 'flite', mode: 'offline' },
    ...over,
  };
}

/** books the `nth` free slot of a service on the next open day, as the agent does; returns the booking's id */
export async function bookFreeSlot(
  base: string,
  tenant: string,
  booking: { callId: string; name: string; phone: string; service: string },
  nth = 0,
): Promise<string> {
  const q = `date=${openDay()}&service=${booking.service}`;
  const slots = (await signed(base, 'GET', `/internal/v1/tenants/${tenant}/availability?${q}`)).body.slots;
  const r = await signed(base, 'POST', `/internal/v1/tenants/${tenant}/bookings`, {
    ...booking,
    startsAt: slots[nth].startsAt,
  });
  if (r.status !== 201) throw new Error(`booking for the test: ${r.status} ${r.text}`);
  return r.body.booking.id;
}
