// The audit trail (HIPAA audit controls), on PGlite and PostgreSQL: every staff view of patient
// information is recorded (who, when, what, from where), the owner reads it, nothing can change it.
import assert from 'node:assert/strict';
import { afterAll, beforeAll, it } from 'vitest';
import type { AuditEntry } from '@voxanne/contracts/dashboard';
import { forEachDatabase } from '../db/testing/databases.ts';
import { DASHBOARD_ROUTES } from './dashboard-api.ts';
import { INTERNAL_ROUTES } from './internal-api.ts';
import { call, callStart, login, makeClinic, signed, startRecordsServer, type RecordsServer } from './testing.ts';

forEachDatabase('audit trail', (h) => {
  let web: RecordsServer;
  let base: string;
  let owner: string;
  let staff: string;
  const audit = async (cookie: string, query = ''): Promise<{ entries: AuditEntry[]; total: number }> => {
    const r = await call(base, 'GET', `/api/audit${query}`, { cookie });
    assert.equal(r.status, 200, r.text);
    return r.body;
  };
  beforeAll(async () => {
    await makeClinic(h.db, 'audited');
    await makeClinic(h.db, 'elsewhere');
    web = await startRecordsServer(h.db);
    base = web.baseUrl;
    owner = await login(base, 'owner@audited.test');
    staff = await login(base, 'staff@audited.test');
    assert.equal((await signed(base, 'POST', '/internal/v1/calls', callStart('aud-1', 'audited'))).status, 201);
  });
  afterAll(() => web?.stop());

  it('records each view of a transcript, the calls, the bookings, the live calls: who, when, what, where', async () => {
    const before = Date.now();
    const views = [
      ['/api/calls/aud-1', 'call.view', 'aud-1'],
      ['/api/calls?q=%2B1555&status=completed', 'calls.list', 'q=%2B1555&status=completed'],
      ['/api/bookings?from=2026-01-01', 'bookings.list', 'from=2026-01-01'],
      ['/api/live', 'live.view', ''],
    ] as const;
    for (const [path] of views) {
      const r = await fetch(`${base}${path}`, { headers: { cookie: staff, 'user-agent': 'AuditTest/1.0' } });
      assert.equal(r.status, 200, path);
    }
    // neither a failed view (no such call) nor a page without patient data is recorded
    assert.equal((await call(base, 'GET', '/api/calls/no-such-call', { cookie: staff })).status, 404);
    assert.equal((await call(base, 'GET', '/api/overview', { cookie: staff })).status, 200);
    assert.equal((await call(base, 'GET', '/api/settings', { cookie: staff })).status, 200);

    const page = await audit(owner);
    assert.equal(page.total, views.length);
    const newestFirst = [...views].reverse();
    page.entries.forEach((e, i) => {
      const [, action, target] = newestFirst[i]!;
      assert.equal(e.action, action);
      assert.equal(e.target, target);
      assert.equal(e.user.email, 'staff@audited.test');
      assert.equal(e.user.name, 'Staff of audited');
      assert.match(e.ip, /^(::ffff:)?127\.0\.0\.1$|^::1$/);
      assert.equal(e.userAgent, 'AuditTest/1.0');
      assert.ok(Date.parse(e.at) >= before - 1000 && Date.parse(e.at) <= Date.now() + 1000, e.at);
    });
    // filters: by action, by user, paging
    assert.deepEqual(
      (await audit(owner, '?action=call.view')).entries.map((e) => e.target),
      ['aud-1'],
    );
    const staffId = page.entries[0]!.user.id;
    assert.equal((await audit(owner, `?user=${staffId}`)).total, views.length);
    const p2 = await audit(owner, '?limit=2&offset=2');
    assert.deepEqual(
      p2.entries.map((e) => e.id),
      page.entries.slice(2, 4).map((e) => e.id),
    );
    const bad = await call(base, 'GET', '/api/audit?action=call.delete', { cookie: owner });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'action');
  });

  it("the live stream's opening is recorded too", async () => {
    const ctrl = new AbortController();
    const r = await fetch(`${base}/api/live/stream`, { headers: { cookie: staff }, signal: ctrl.signal });
    assert.equal(r.status, 200);
    let found = false;
    for (let i = 0; !found && i < 50; i++) {
      found = (await audit(owner, '?action=live.view')).entries.some((e) => e.target === 'stream');
      if (!found) await new Promise((res) => setTimeout(res, 20));
    }
    ctrl.abort();
    assert.ok(found);
  });

  it('only the owner reads it, and only for their own clinic', async () => {
    const r = await call(base, 'GET', '/api/audit', { cookie: staff });
    assert.equal(r.status, 403);
    const other = await login(base, 'owner@elsewhere.test');
    assert.equal((await call(base, 'GET', '/api/calls', { cookie: other })).status, 200);
    const theirs = await audit(other);
    assert.deepEqual(
      theirs.entries.map((e) => [e.user.email, e.action]),
      [['owner@elsewhere.test', 'calls.list']],
    );
    assert.ok((await audit(owner)).entries.every((e) => e.user.email.endsWith('@audited.test')));
  });

  it('cannot be edited or deleted: no route writes it, and the database refuses', async () => {
    // the route tables: the only audit route reads
    const auditRoutes = [...DASHBOARD_ROUTES, ...INTERNAL_ROUTES].filter((r) => r.path.includes('audit'));
    assert.deepEqual(
      auditRoutes.map((r) => `${r.method} ${r.path}`),
      ['GET /api/audit'],
    );
    const total = (await audit(owner)).total;
    const id = (await audit(owner)).entries[0]!.id;
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const r = await call(base, method, '/api/audit', { cookie: owner, body: { entries: [] } });
      assert.equal(r.status, 405, `${method} /api/audit`);
      for (const path of [`/api/audit/${id}`, '/internal/v1/audit']) {
        const s = await call(base, method, path, { cookie: owner, body: {} });
        assert.ok(s.status === 404 || s.status === 401, `${method} ${path}: ${s.status}`);
      }
    }
    await assert.rejects(h.db.query(`update audit_events set user_email = 'nobody'`), /append-only/);
    await assert.rejects(h.db.query('delete from audit_events'), /append-only/);
    await assert.rejects(h.db.query('truncate audit_events'), /append-only/);
    assert.equal((await audit(owner)).total, total);
    assert.ok((await audit(owner)).entries.every((e) => e.user.email !== 'nobody'));
  });
});
