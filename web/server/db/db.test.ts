// The database layer, run against embedded PGlite and a real PostgreSQL alike.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { it } from 'vitest';
import { KB_PATH, makeClinic, openDay } from '../records/testing.ts';
import { availability, book, BookingError, cancel, reschedule, slotsOn, SLOT_MINUTES } from './bookings.ts';
import { addState, addTurn, endCall, liveCalls, metricsBetween, startCall } from './calls.ts';
import { callDetail, listCalls } from './call-queries.ts';
import { MIGRATIONS, migrate, splitStatements } from './migrations.ts';
import { overview, percentile } from './overview.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { seedDemo, DEMO } from './seed.ts';
import { forEachDatabase } from './testing/databases.ts';
import { createTenant, getSettings, knowledgeBaseOf, parseKnowledgeBase, userWithHash } from './tenants.ts';

it('hashes passwords with scrypt and verifies only the right one', async () => {
  const h = await hashPassword('s3cret pass');
  assert.match(h, /^scrypt\$16384\$8\$1\$/);
  assert.notEqual(h, await hashPassword('s3cret pass'), 'salted');
  assert.equal(await verifyPassword('s3cret pass', h), true);
  assert.equal(await verifyPassword('s3cret pasS', h), false);
  assert.equal(await verifyPassword('x', 'plain'), false);
});

it('splits a migration into single statements', () => {
  assert.deepEqual(splitStatements('create table a (x int);\n-- note\ncreate index b on a(x);\n'), [
    'create table a (x int)',
    'create index b on a(x)',
  ]);
  assert.ok(splitStatements(MIGRATIONS[0]!.sql).length >= 10);
});

it('validates the knowledge base with the agent schema and names the path', async () => {
  assert.equal(parseKnowledgeBase(await readFile(KB_PATH, 'utf8')).ok, true);
  const r = parseKnowledgeBase('clinic: {id: x}');
  assert.ok(!r.ok && /clinic\.name/.test(r.error), JSON.stringify(r));
  const y = parseKnowledgeBase('a: [1,');
  assert.ok(!y.ok && /not valid YAML/.test(y.error));
});

it('percentile is nearest-rank', () => {
  assert.equal(percentile([], 0.5), null);
  assert.equal(percentile([10, 20, 30, 40], 0.5), 20);
  assert.equal(percentile([10, 20, 30, 40], 0.95), 40);
});

forEachDatabase('records database', (h) => {
  it('migrations are recorded and applying them again changes nothing', async () => {
    assert.deepEqual(await migrate(h.db), []);
    const rows = await h.db.query<{ version: number }>('select version from schema_migrations order by version');
    assert.deepEqual(
      rows.map((r) => Number(r.version)),
      MIGRATIONS.map((m) => m.version),
    );
  });

  it('a transaction that throws leaves nothing behind', async () => {
    await assert.rejects(
      h.db.transaction(async (tx) => {
        await tx.query(
          `insert into tenants (id, slug, name, agent_name, voice, greeting, ` +
            `knowledge_base_yaml) values ('t-x', 'rollback', 'x', 'a', 'v', 'g', 'k')`,
        );
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal((await h.db.query(`select 1 from tenants where slug = 'rollback'`)).length, 0);
  });

  it('creates clinics with settings from the knowledge base and users with hashed passwords', async () => {
    const { tenant, owner } = await makeClinic(h.db, 'alpha');
    const s = await getSettings(h.db, tenant.id);
    assert.equal(s.agentName, 'Voxanne');
    assert.equal(s.silenceTimeoutMs, 3000);
    assert.equal((await knowledgeBaseOf(h.db, tenant.id)).clinic.id, 'alpha');
    const u = await userWithHash(h.db, owner.toUpperCase());
    assert.equal(u?.role, 'owner');
    assert.ok(!u!.passwordHash.includes('correct horse'));
    await assert.rejects(makeClinic(h.db, 'alpha'), 'slug is unique');
  });

  it('a knowledge base stored before the consultation flag gets it inferred and saved once, logged', async () => {
    const old = (await readFile(KB_PATH, 'utf8'))
      .replace(/^(\s*)id: riverside$/m, '$1id: oldkb')
      .replace(/^\s*consultation: true\n/m, '');
    const tenant = await createTenant(h.db, { slug: 'oldkb', name: 'Old KB', knowledgeBaseYaml: old });
    const logged: Array<{ obj: object; msg: string }> = [];
    const log = { info: (obj: object, msg: string) => void logged.push({ obj, msg }) };
    const marked = (kb: Awaited<ReturnType<typeof knowledgeBaseOf>>) =>
      kb.services.filter((s) => s.consultation).map((s) => s.id);
    assert.deepEqual(marked(await knowledgeBaseOf(h.db, tenant.id, log)), ['consultation']);
    assert.deepEqual(logged, [
      {
        obj: { tenantId: tenant.id, service: 'consultation' },
        msg: 'stored knowledge base had no consultation service: inferred and saved',
      },
    ]);
    const stored = parseKnowledgeBase((await getSettings(h.db, tenant.id)).knowledgeBase);
    assert.ok(stored.ok);
    assert.deepEqual(marked(stored.kb), ['consultation'], 'written back');
    assert.deepEqual(marked(await knowledgeBaseOf(h.db, tenant.id, log)), ['consultation']);
    assert.equal(logged.length, 1, 'once: the next load finds it marked');
  });

  it('one slot, one booking: two simultaneous bookings give one booking and one 409', async () => {
    const { tenant } = await makeClinic(h.db, 'slots');
    const kb = await knowledgeBaseOf(h.db, tenant.id);
    const date = openDay();
    const slots = slotsOn(kb, date);
    assert.equal(Date.parse(slots[0]!.endsAt) - Date.parse(slots[0]!.startsAt), SLOT_MINUTES * 60_000);
    const slot = slots[2]!;
    const now = new Date();
    const attempt = (name: string) =>
      book(h.db, tenant.id, kb, { name, phone: '+15550000001', service: 'rhinoplasty', startsAt: slot.startsAt }, now);
    const results = await Promise.allSettled([attempt('A'), attempt('B')]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.ok(refused.reason instanceof BookingError && refused.reason.status === 409);
    const booked = (
      results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<typeof attempt>>>
    ).value;
    assert.equal(booked.priceCents, 700000, 'the minimum of the service price, in cents');
    assert.ok(
      !(await availability(h.db, tenant.id, kb, date, 'rhinoplasty', now)).some((s) => s.startsAt === slot.startsAt),
    );
    // cancelled frees the slot; rescheduling onto a taken slot is refused
    const other = await book(
      h.db,
      tenant.id,
      kb,
      { name: 'C', phone: '+15550000002', service: 'facelift', startsAt: slots[3]!.startsAt },
      now,
    );
    await assert.rejects(
      reschedule(h.db, tenant.id, kb, other.id, slot.startsAt, now),
      (e: BookingError) => e.status === 409,
    );
    await cancel(h.db, tenant.id, booked.id);
    assert.equal((await reschedule(h.db, tenant.id, kb, other.id, slot.startsAt, now)).startsAt, booked.startsAt);
    await assert.rejects(
      book(
        h.db,
        tenant.id,
        kb,
        { name: 'D', phone: '+15550000003', service: 'rhinoplasty', startsAt: `${date}T03:00:00Z` },
        now,
      ),
      (e: BookingError) => e.status === 400 && e.field === 'startsAt',
    );
    await assert.rejects(
      book(h.db, tenant.id, kb, { name: 'D', phone: '+15550000003', service: 'nope', startsAt: slot.startsAt }, now),
      (e: BookingError) => e.field === 'service',
    );
  });

  it('records a call as it happens: idempotent start and turns, states, end, metrics, live list', async () => {
    const { tenant } = await makeClinic(h.db, 'calls');
    const t0 = new Date(Date.now() - 60_000);
    const at = (ms: number) => new Date(t0.getTime() + ms).toISOString();
    const start = {
      callId: 'c-1',
      room: 'r',
      channel: 'sip' as const,
      callerIdentity: 'sip_+15551234567',
      callerPhoneMasked: '+1******4567',
      startedAt: at(0),
      engines: { stt: 'deepgram', llm: 'groq', tts: 'aura', mode: 'cloud' as const },
    };
    assert.equal(await startCall(h.db, tenant.id, start), true);
    assert.equal(await startCall(h.db, tenant.id, start), false);
    const turn = {
      index: 0,
      speaker: 'agent' as const,
      text: 'Hi!',
      startedAt: at(100),
      endedAt: at(900),
      interrupted: true,
      metrics: { v2vMs: 480 },
    };
    assert.equal(await addTurn(h.db, tenant.id, 'c-1', turn), true);
    assert.equal(await addTurn(h.db, tenant.id, 'c-1', turn), false);
    await addTurn(h.db, tenant.id, 'c-1', {
      ...turn,
      speaker: 'caller',
      text: 'hello',
      interrupted: false,
      metrics: undefined,
    });
    assert.equal(await addState(h.db, 'c-1', { id: 'e1', state: 'SPEAKING', at: at(200) }), true);
    // late delivery: recorded, not current
    assert.equal(await addState(h.db, 'c-1', { id: 'e2', state: 'LISTENING', at: at(150) }), true);
    // a retried write of a change already stored is ignored: one row, whatever the number of deliveries
    for (let i = 0; i < 3; i++)
      assert.equal(await addState(h.db, 'c-1', { id: 'e1', state: 'SPEAKING', at: at(200) }), false);
    assert.equal((await listCalls(h.db, tenant.id, { limit: 10, offset: 0 })).calls[0]?.flags.length, 0);
    // a flag for staff is on the timeline and the call's row, but is not where the conversation stands
    assert.equal(
      await addState(h.db, 'c-1', { id: 'e3', state: 'EMERGENCY', at: at(300), reason: 'chest pain' }),
      true,
    );
    const live = await liveCalls(h.db, tenant.id, new Date());
    assert.deepEqual(
      live.map((c) => [c.id, c.state, c.caller]),
      [['c-1', 'SPEAKING', '+1******4567']],
    );
    assert.deepEqual((await listCalls(h.db, tenant.id, { limit: 10, offset: 0 })).calls[0]?.flags, ['EMERGENCY']);
    // the booking system was down: a message for the front desk is a flag too, its words on the call's page
    const message = 'Please call back Sarah Jones at +16195550100: book a consultation on 2026-03-03 at 10:00';
    assert.equal(await addState(h.db, 'c-1', { id: 'e4', state: 'CALLBACK', at: at(400), reason: message }), true);
    assert.equal((await liveCalls(h.db, tenant.id, new Date()))[0]?.state, 'SPEAKING');
    await endCall(h.db, tenant.id, 'c-1', {
      endedAt: at(5000),
      status: 'completed',
      outcome: 'asked about prices',
      summary: 'Prices.',
    });
    assert.deepEqual(await liveCalls(h.db, tenant.id, new Date()), []);
    const d = await callDetail(h.db, tenant.id, 'c-1');
    assert.equal(d?.turns.length, 2);
    assert.deepEqual(
      d?.states.map((s) => s.state),
      ['LISTENING', 'SPEAKING', 'EMERGENCY', 'CALLBACK'],
    );
    assert.deepEqual(d?.call.flags, ['EMERGENCY', 'CALLBACK']);
    assert.deepEqual(d?.messages, [{ at: at(400), text: message }]);
    assert.equal(d?.call.bargeIns, 1);
    assert.equal(d?.call.v2vP50, 480);
    assert.equal(await callDetail(h.db, 'another-tenant', 'c-1'), undefined);
    const list = await listCalls(h.db, tenant.id, { q: '4567', limit: 10, offset: 0 });
    assert.equal(list.total, 1);
    assert.equal((await listCalls(h.db, tenant.id, { q: '%', limit: 10, offset: 0 })).total, 0, '% is literal');
    const m = await metricsBetween(h.db, tenant.id, at(-120_000), at(120_000));
    assert.equal(
      m.reduce((s, x) => s + x.calls, 0),
      1,
    );
    assert.equal(
      m.reduce((s, x) => s + x.turns, 0),
      2,
    );
  });

  it('seeds the demo clinic and the overview adds up', async () => {
    const t = await seedDemo(h.db, KB_PATH);
    assert.equal(t.slug, DEMO.slug);
    assert.ok(await verifyPassword(DEMO.password, (await userWithHash(h.db, DEMO.ownerEmail))!.passwordHash));
    assert.equal((await userWithHash(h.db, DEMO.staffEmail))?.role, 'staff');
    const all = await listCalls(h.db, t.id, { limit: 200, offset: 0 });
    assert.equal(all.total, 30);
    const o = await overview(h.db, t.id, 'America/Los_Angeles', new Date());
    assert.equal(o.weekly.length, 7);
    assert.equal(
      o.weekly.reduce((s, d) => s + d.calls, 0),
      o.callsThisWeek,
    );
    const [made] = await h.db.query<{ n: number; cents: number }>(
      `select count(*)::int as n, coalesce(sum(price_cents), 0)::int as cents from ` +
        `bookings where tenant_id = $1 and status = 'booked'`,
      [t.id],
    );
    assert.ok(Number(made!.n) > 0);
    assert.equal(o.bookingsThisWeek, Number(made!.n));
    assert.equal(o.revenueCents, Number(made!.cents));
    assert.equal(o.bookingsUpcoming, Number(made!.n));
    assert.ok(o.answerRate !== null && o.answerRate > 0 && o.answerRate < 1);
    assert.ok(o.v2vMs.p50! > 0 && o.v2vMs.p95! >= o.v2vMs.p50!);
    assert.equal(o.safeMode.known, true);
  });
});
