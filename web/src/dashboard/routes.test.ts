import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { matchRoute, navPageFor, safeNext } from './routes.ts';

describe('dashboard routes', () => {
  it('maps every page path, with or without a trailing slash', () => {
    assert.deepEqual(matchRoute('/login'), { page: 'login' });
    assert.deepEqual(matchRoute('/dashboard'), { page: 'overview' });
    assert.deepEqual(matchRoute('/dashboard/'), { page: 'overview' });
    assert.deepEqual(matchRoute('/dashboard/calls'), { page: 'calls' });
    assert.deepEqual(matchRoute('/dashboard/calls/abc-123'), { page: 'call', id: 'abc-123' });
    assert.deepEqual(matchRoute('/dashboard/calls/a%20b/'), { page: 'call', id: 'a b' });
    assert.deepEqual(matchRoute('/dashboard/bookings'), { page: 'bookings' });
    assert.deepEqual(matchRoute('/dashboard/live'), { page: 'live' });
    assert.deepEqual(matchRoute('/dashboard/settings'), { page: 'settings' });
    assert.deepEqual(matchRoute('/dashboard/audit'), { page: 'audit' });
  });

  it('knows nothing else', () => {
    assert.deepEqual(matchRoute('/dashboard/calls/a/b'), { page: 'not-found' });
    assert.deepEqual(matchRoute('/dashboard/nope'), { page: 'not-found' });
    assert.deepEqual(matchRoute('/dashboard/calls/%E0%A4%A'), { page: 'not-found' });
  });

  it('returns after login only to a dashboard path on this site', () => {
    assert.equal(safeNext('/dashboard/calls?status=completed'), '/dashboard/calls?status=completed');
    assert.equal(safeNext(null), '/dashboard');
    assert.equal(safeNext('https://evil.example/'), '/dashboard');
    assert.equal(safeNext('//evil.example/dashboard'), '/dashboard');
    assert.equal(safeNext('/login'), '/dashboard');
  });

  it('highlights Calls on a call page', () => {
    assert.equal(navPageFor({ page: 'call', id: 'x' }), 'calls');
    assert.equal(navPageFor({ page: 'live' }), 'live');
  });
});
