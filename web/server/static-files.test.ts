import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { htmlPageFor, lookupStaticPath } from './static-files.ts';

describe('which HTML a page path gets', () => {
  it('serves the talking page at / and the dashboard at /login and /dashboard/*', () => {
    assert.equal(htmlPageFor('/'), 'index.html');
    for (const p of [
      '/login',
      '/login/',
      '/dashboard',
      '/dashboard/',
      '/dashboard/calls',
      '/dashboard/calls/abc',
      '/dashboard/settings',
    ]) {
      assert.equal(htmlPageFor(p), 'dashboard.html', p);
    }
    for (const p of ['/assets/x.js', '/dashboard.html', '/dashboards', '/loginx', '/vad/ort.wasm'])
      assert.equal(htmlPageFor(p), null, p);
  });

  it('maps dashboard routes to the built dashboard.html, still refusing dot segments', () => {
    assert.deepEqual(lookupStaticPath('/srv/dist', '/dashboard/calls/a%20b'), {
      kind: 'file',
      path: '/srv/dist/dashboard.html',
    });
    assert.deepEqual(lookupStaticPath('/srv/dist', '/login'), { kind: 'file', path: '/srv/dist/dashboard.html' });
    assert.deepEqual(lookupStaticPath('/srv/dist', '/'), { kind: 'file', path: '/srv/dist/index.html' });
    assert.equal(lookupStaticPath('/srv/dist', '/dashboard/../../etc/passwd').kind, 'bad-request');
    assert.equal(lookupStaticPath('/srv/dist', '/dashboard/%2e%2e/x').kind, 'bad-request');
  });
});
