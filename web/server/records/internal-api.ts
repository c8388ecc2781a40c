/**
 * The agent's internal API (RECORDS-API.md), under /internal/v1, every route signed with the
 * LiveKit secret. Call writes also go to the Live page's subscribers.
 */
import { RECORDS_API_PREFIX } from '@voxanne/contracts/records-api';
import { availability, book, BookingError, bookingsByPhone, cancel, reschedule } from '../db/bookings.ts';
import { addState, addTurn, callForAgent, callTenant, endCall, liveCall, startCall } from '../db/calls.ts';
import { getSettings, knowledgeBaseOf, tenantBySlug, type Tenant } from '../db/tenants.ts';
import { check, HttpError } from './http.ts';
import type { Ctx, RecordsDeps, Route } from './router.ts';
import {
  availabilityQuery,
  callEndSchema,
  callStartSchema,
  newBookingSchema,
  phoneQuery,
  rescheduleSchema,
  stateSchema,
  turnSchema,
} from './schemas.ts';

export const INTERNAL_PREFIX = RECORDS_API_PREFIX;

async function tenantOf(ctx: Ctx, slug = ctx.params.slug!): Promise<Tenant> {
  const t = await tenantBySlug(ctx.deps.db, slug);
  if (!t) throw new HttpError(404, `no clinic "${slug}"`, 'tenant');
  return t;
}

async function callOf(ctx: Ctx): Promise<{ callId: string; tenantId: string }> {
  const callId = ctx.params.callId!;
  const tenantId = await callTenant(ctx.deps.db, callId);
  if (!tenantId) throw new HttpError(404, `no call "${callId}"`, 'callId');
  return { callId, tenantId };
}

async function publish(deps: RecordsDeps, tenantId: string, callId: string): Promise<void> {
  const live = await liveCall(deps.db, callId);
  if (live) deps.hub.publish(tenantId, live);
}

/** calendar refusals keep their own status and field */
async function bookingCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof BookingError) throw new HttpError(err.status, err.message, err.field);
    throw err;
  }
}

const P = INTERNAL_PREFIX;

export const INTERNAL_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: `${P}/tenants/:slug/config`,
    access: 'signed',
    async handler(ctx) {
      const t = await tenantOf(ctx);
      const s = await getSettings(ctx.deps.db, t.id);
      const kb = await knowledgeBaseOf(ctx.deps.db, t.id, ctx.deps.logger);
      // the settings page's fields win over the same fields inside the knowledge base
      const knowledgeBase = { ...kb, agent: { ...kb.agent, name: s.agentName, voice: s.voice, greeting: s.greeting } };
      return {
        status: 200,
        body: {
          tenant: t.slug,
          agentName: s.agentName,
          voice: s.voice,
          greeting: s.greeting,
          instructions: s.instructions,
          silenceTimeoutMs: s.silenceTimeoutMs,
          knowledgeBase,
        },
      };
    },
  },
  {
    method: 'POST',
    path: `${P}/calls`,
    access: 'signed',
    async handler(ctx) {
      const c = check(callStartSchema, ctx.body);
      const t = await tenantOf(ctx, c.tenant);
      const created = await startCall(ctx.deps.db, t.id, c);
      if (created) {
        ctx.deps.logger.info(
          {
            callId: c.callId,
            tenant: t.slug,
            channel: c.channel,
          },
          'call recorded',
        );
        ctx.deps.logger.debug(
          { callId: c.callId, pii: { caller: c.callerPhoneMasked ?? c.callerIdentity } },
          'call recorded from',
        );
        await publish(ctx.deps, t.id, c.callId);
      }
      return { status: created ? 201 : 200, body: { callId: c.callId } };
    },
  },
  {
    // a job that takes over a call whose process died reads where the conversation stood
    method: 'GET',
    path: `${P}/calls/:callId`,
    access: 'signed',
    async handler(ctx) {
      const c = await callForAgent(ctx.deps.db, ctx.params.callId!);
      if (!c) throw new HttpError(404, `no call "${ctx.params.callId}"`, 'callId');
      return { status: 200, body: c };
    },
  },
  {
    method: 'POST',
    path: `${P}/calls/:callId/turns`,
    access: 'signed',
    maxBodyBytes: 64 * 1024,
    async handler(ctx) {
      const turn = check(turnSchema, ctx.body);
      const { callId, tenantId } = await callOf(ctx);
      const created = await addTurn(ctx.deps.db, tenantId, callId, turn);
      return { status: created ? 201 : 200, body: {} };
    },
  },
  {
    method: 'POST',
    path: `${P}/calls/:callId/states`,
    access: 'signed',
    async handler(ctx) {
      const s = check(stateSchema, ctx.body);
      const { callId, tenantId } = await callOf(ctx);
      const created = await addState(ctx.deps.db, callId, s);
      if (created) await publish(ctx.deps, tenantId, callId);
      return { status: created ? 201 : 200, body: {} };
    },
  },
  {
    method: 'POST',
    path: `${P}/calls/:callId/end`,
    access: 'signed',
    maxBodyBytes: 64 * 1024,
    async handler(ctx) {
      const e = check(callEndSchema, ctx.body);
      const { callId, tenantId } = await callOf(ctx);
      await endCall(ctx.deps.db, tenantId, callId, e);
      await publish(ctx.deps, tenantId, callId);
      return { status: 200, body: {} };
    },
  },
  {
    method: 'GET',
    path: `${P}/tenants/:slug/availability`,
    access: 'signed',
    async handler(ctx) {
      const q = check(availabilityQuery, ctx.query);
      const t = await tenantOf(ctx);
      const kb = await knowledgeBaseOf(ctx.deps.db, t.id, ctx.deps.logger);
      return {
        status: 200,
        body: {
          slots: await bookingCall(() => availability(ctx.deps.db, t.id, kb, q.date, q.service, ctx.deps.now())),
        },
      };
    },
  },
  {
    method: 'POST',
    path: `${P}/tenants/:slug/bookings`,
    access: 'signed',
    async handler(ctx) {
      const b = check(newBookingSchema, ctx.body);
      const t = await tenantOf(ctx);
      const kb = await knowledgeBaseOf(ctx.deps.db, t.id, ctx.deps.logger);
      const booking = await bookingCall(() => book(ctx.deps.db, t.id, kb, b, ctx.deps.now()));
      ctx.deps.logger.info(
        {
          tenant: t.slug,
          bookingId: booking.id,
          service: booking.service,
          startsAt: booking.startsAt,
        },
        'booking made',
      );
      ctx.deps.logger.debug({ bookingId: booking.id, pii: { name: b.name, phone: b.phone } }, 'booking made for');
      return { status: 201, body: { booking } };
    },
  },
  {
    method: 'GET',
    path: `${P}/tenants/:slug/bookings`,
    access: 'signed',
    async handler(ctx) {
      const q = check(phoneQuery, ctx.query);
      const t = await tenantOf(ctx);
      return { status: 200, body: { bookings: await bookingsByPhone(ctx.deps.db, t.id, q.phone, ctx.deps.now()) } };
    },
  },
  {
    method: 'POST',
    path: `${P}/tenants/:slug/bookings/:id/reschedule`,
    access: 'signed',
    async handler(ctx) {
      const r = check(rescheduleSchema, ctx.body);
      const t = await tenantOf(ctx);
      const kb = await knowledgeBaseOf(ctx.deps.db, t.id, ctx.deps.logger);
      return {
        status: 200,
        body: {
          booking: await bookingCall(() =>
            reschedule(ctx.deps.db, t.id, kb, ctx.params.id!, r.startsAt, ctx.deps.now()),
          ),
        },
      };
    },
  },
  {
    method: 'POST',
    path: `${P}/tenants/:slug/bookings/:id/cancel`,
    access: 'signed',
    async handler(ctx) {
      const t = await tenantOf(ctx);
      return { status: 200, body: { booking: await bookingCall(() => cancel(ctx.deps.db, t.id, ctx.params.id!)) } };
    },
  },
];
