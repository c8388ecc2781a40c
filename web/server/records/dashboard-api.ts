/**
 * The dashboard's API under /api/: one table of routes, each with its access level. Every query
 * is scoped to the logged-in user's clinic, so another clinic's id answers 404, never its data.
 * The tenancy test walks this table, so a new route is covered the day it is added.
 */
import type { AuditPage, Me } from '@voxanne/contracts/dashboard';
import { fhirUrlsNotAllowed } from '@voxanne/contracts/scheduling';
import { listAudit } from '../db/audit.ts';
import { listBookings } from '../db/bookings.ts';
import { callDetail, listCalls } from '../db/call-queries.ts';
import { liveCalls, metricsBetween } from '../db/calls.ts';
import { overview } from '../db/overview.ts';
import { DUMMY_HASH, verifyPassword } from '../db/passwords.ts';
import {
  getSettings,
  knowledgeBaseOf,
  listUsers,
  parseKnowledgeBase,
  saveSettings,
  userWithHash,
} from '../db/tenants.ts';
import { clientAddress, servedOverHttps } from '../client-address.ts';
import { DEMO } from '../db/seed.ts';
import { clearCookie, createSession, deleteSession, sessionToken } from './auth.ts';
import { check, HttpError } from './http.ts';
import type { Ctx, Route } from './router.ts';
import { auditQuery, bookingsQuery, callsQuery, loginSchema, metricsQuery, settingsSchema } from './schemas.ts';
import { openLiveStream } from './live-stream.ts';

const me = (ctx: Ctx) => ctx.user!;
/** a list's filter as the audit trail keeps it: the query string as sent, without its '?' */
const listFilter = (ctx: Ctx) => new URL(ctx.req.url ?? '/', 'http://x').search.slice(1);

export const DASHBOARD_ROUTES: readonly Route[] = [
  {
    method: 'POST',
    path: '/api/auth/login',
    access: 'public',
    async handler(ctx) {
      const { email, password } = check(loginSchema, ctx.body);
      const address = clientAddress(ctx.req, ctx.deps.proxy);
      const wait = ctx.deps.limiter.retryAfterMs(address, email);
      if (wait > 0) {
        const retryAfterSeconds = Math.ceil(wait / 1000);
        throw new HttpError(429, `too many failed logins; try again in ${inWords(retryAfterSeconds)}`, undefined, {
          'retry-after': String(retryAfterSeconds),
        });
      }
      const user = await userWithHash(ctx.deps.db, email);
      // an unknown email costs the same scrypt as a wrong password, so timing tells nothing
      const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
      // the demo users' password is in the README: outside dev mode it opens nothing
      const published = !ctx.deps.devMode && password === DEMO.password;
      if (!user || !ok || published) {
        ctx.deps.limiter.fail(address, email);
        ctx.deps.logger.warn({ published }, 'login failed');
        ctx.deps.logger.debug({ pii: { email, ip: address } }, 'login failed for');
        throw new HttpError(401, 'wrong email or password');
      }
      ctx.deps.limiter.succeed(address, email);
      const { cookie } = await createSession(
        ctx.deps.db,
        user.id,
        ctx.deps.now(),
        servedOverHttps(ctx.req, ctx.deps.proxy),
      );
      ctx.deps.logger.info({ userId: user.id, tenantId: user.tenantId }, 'login');
      return {
        status: 200,
        body: { user: { id: user.id, email: user.email, name: user.name, role: user.role } } satisfies Pick<Me, 'user'>,
        headers: { 'set-cookie': cookie },
      };
    },
  },
  {
    method: 'POST',
    path: '/api/auth/logout',
    access: 'public',
    async handler(ctx) {
      const token = sessionToken(ctx.req);
      if (token) await deleteSession(ctx.deps.db, token);
      return { status: 204, headers: { 'set-cookie': clearCookie(servedOverHttps(ctx.req, ctx.deps.proxy)) } };
    },
  },
  {
    method: 'GET',
    path: '/api/me',
    access: 'user',
    async handler(ctx) {
      const u = me(ctx);
      // the clinic's clock: the dashboard shows every time in it, whatever the browser's zone
      const kb = await knowledgeBaseOf(ctx.deps.db, u.tenantId, ctx.deps.logger);
      return {
        status: 200,
        body: {
          user: { id: u.id, email: u.email, name: u.name, role: u.role },
          tenant: { slug: u.tenantSlug, name: u.tenantName, timezone: kb.clinic.timezone },
        } satisfies Me,
      };
    },
  },
  {
    method: 'GET',
    path: '/api/overview',
    access: 'user',
    async handler(ctx) {
      const kb = await knowledgeBaseOf(ctx.deps.db, me(ctx).tenantId, ctx.deps.logger);
      return { status: 200, body: await overview(ctx.deps.db, me(ctx).tenantId, kb.clinic.timezone, ctx.deps.now()) };
    },
  },
  {
    method: 'GET',
    path: '/api/calls',
    access: 'user',
    audit: { action: 'calls.list', target: listFilter },
    async handler(ctx) {
      return { status: 200, body: await listCalls(ctx.deps.db, me(ctx).tenantId, check(callsQuery, ctx.query)) };
    },
  },
  {
    method: 'GET',
    path: '/api/calls/:callId',
    access: 'user',
    audit: { action: 'call.view', target: (ctx) => ctx.params.callId! },
    async handler(ctx) {
      const detail = await callDetail(ctx.deps.db, me(ctx).tenantId, ctx.params.callId!);
      if (!detail) throw new HttpError(404, 'no such call');
      return { status: 200, body: detail };
    },
  },
  {
    method: 'GET',
    path: '/api/bookings',
    access: 'user',
    audit: { action: 'bookings.list', target: listFilter },
    async handler(ctx) {
      return {
        status: 200,
        body: { bookings: await listBookings(ctx.deps.db, me(ctx).tenantId, check(bookingsQuery, ctx.query)) },
      };
    },
  },
  {
    method: 'GET',
    path: '/api/live',
    access: 'user',
    audit: { action: 'live.view', target: () => '' },
    async handler(ctx) {
      return { status: 200, body: { calls: await liveCalls(ctx.deps.db, me(ctx).tenantId, ctx.deps.now()) } };
    },
  },
  {
    method: 'GET',
    path: '/api/live/stream',
    access: 'user',
    audit: { action: 'live.view', target: () => 'stream' },
    async handler(ctx) {
      await openLiveStream(ctx);
      return 'streamed';
    },
  },
  {
    method: 'GET',
    path: '/api/settings',
    access: 'user',
    async handler(ctx) {
      return { status: 200, body: await getSettings(ctx.deps.db, me(ctx).tenantId) };
    },
  },
  {
    method: 'PUT',
    path: '/api/settings',
    access: 'owner',
    maxBodyBytes: 256 * 1024,
    async handler(ctx) {
      const s = check(settingsSchema, ctx.body);
      const kb = parseKnowledgeBase(s.knowledgeBase);
      if (!kb.ok) throw new HttpError(400, kb.error, 'knowledgeBase');
      const outside = fhirUrlsNotAllowed(kb.kb.scheduling?.fhir, ctx.deps.fhirAllowedOrigins);
      if (outside.length > 0)
        throw new HttpError(
          400,
          `knowledge base: scheduling.fhir: ${outside.join(', ')} is not an origin this server may send ` +
            "patients' details to (FHIR_ALLOWED_ORIGINS)",
          'knowledgeBase',
        );
      await saveSettings(ctx.deps.db, me(ctx).tenantId, s);
      ctx.deps.logger.info({ userId: me(ctx).id, tenantId: me(ctx).tenantId }, 'settings saved');
      // a standby call prepared before this save would greet with the old settings
      ctx.deps.settingsSaved?.();
      return { status: 200, body: await getSettings(ctx.deps.db, me(ctx).tenantId) };
    },
  },
  {
    method: 'GET',
    path: '/api/metrics',
    access: 'user',
    async handler(ctx) {
      const q = check(metricsQuery, ctx.query);
      const to = q.to ?? ctx.deps.now().toISOString();
      const from = q.from ?? new Date(Date.parse(to) - 24 * 3600_000).toISOString();
      return { status: 200, body: { metrics: await metricsBetween(ctx.deps.db, me(ctx).tenantId, from, to) } };
    },
  },
  {
    // the audit trail, for the owner; no route writes, edits or deletes it (the router records views)
    method: 'GET',
    path: '/api/audit',
    access: 'owner',
    async handler(ctx) {
      const q = check(auditQuery, ctx.query);
      const page = await listAudit(ctx.deps.db, me(ctx).tenantId, { ...q, userId: q.user });
      return { status: 200, body: page satisfies AuditPage };
    },
  },
  {
    method: 'GET',
    path: '/api/users',
    access: 'owner',
    async handler(ctx) {
      const users = await listUsers(ctx.deps.db, me(ctx).tenantId);
      return { status: 200, body: { users: users.map(({ id, email, name, role }) => ({ id, email, name, role })) } };
    },
  },
  {
    // a user locked out by failed logins (someone guessing their password) can try again at once
    method: 'POST',
    path: '/api/users/:userId/unlock',
    access: 'owner',
    async handler(ctx) {
      const user = (await listUsers(ctx.deps.db, me(ctx).tenantId)).find((u) => u.id === ctx.params.userId);
      if (!user) throw new HttpError(404, 'no such user in this clinic', 'userId');
      ctx.deps.limiter.unlock(user.email);
      ctx.deps.logger.info({ userId: user.id, by: me(ctx).id }, 'login unlocked');
      return { status: 204 };
    },
  },
];

/** "45 seconds", "1 minute", "12 minutes": what the login page shows */
export function inWords(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
