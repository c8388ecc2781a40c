/** One generated request per case, for each HTTP surface of the web server. */
import { signRecordsRequest } from '@voxanne/contracts/signature';
import { DASHBOARD_ROUTES } from '../records/dashboard-api.ts';
import { INTERNAL_ROUTES } from '../records/internal-api.ts';
import { mutate, nastySegment, nastyString, pct, rawBody } from './inputs.ts';
import type { Rng } from './rng.ts';

export const SURFACES = ['token', 'dashboard', 'internal-signed', 'internal-unsigned', 'live-stream', 'paths'] as const;
export type Surface = (typeof SURFACES)[number];

export interface FuzzRequest {
  surface: Surface;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** a stream: read the head, then hang up */
  stream?: boolean;
  api: boolean;
}

export interface FuzzTarget {
  /** the internal API's key */
  secret: string;
  tenant: string;
  callId: string;
  /** cookies of a logged-in owner and staff member */
  cookies: string[];
  now(): number;
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];
const iso = (ms: number) => new Date(ms).toISOString();

function validBody(r: Rng, path: string, t: FuzzTarget): Record<string, unknown> {
  const now = iso(t.now());
  if (path.endsWith('/calls'))
    return {
      callId: `fz-${r.int(0, 1e9)}`,
      tenant: t.tenant,
      room: 'fuzz-room',
      channel: 'sip',
      callerIdentity: 'sip_+15551234567',
      callerPhoneMasked: '+1******4567',
      startedAt: now,
      engines: { stt: 'a', llm: 'b', tts: 'c', mode: 'offline' },
    };
  if (path.endsWith('/turns'))
    return { index: 0, speaker: 'caller', text: 'hello', startedAt: now, endedAt: now, interrupted: false };
  if (path.endsWith('/states')) return { id: 's1', state: 'LISTENING', at: now, reason: 'x' };
  if (path.endsWith('/end')) return { endedAt: now, status: 'completed', outcome: 'x', summary: 'y' };
  if (path.endsWith('/bookings'))
    return { name: 'Fuzz Patient', phone: '+15551234567', service: 'consultation', startsAt: now };
  if (path.endsWith('/reschedule')) return { startsAt: now };
  if (path === '/api/auth/login') return { email: 'nobody@fuzz.test', password: 'wrong password' };
  if (path === '/api/settings')
    return {
      agentName: 'Voxanne',
      voice: 'v',
      greeting: 'Hello',
      instructions: '',
      silenceTimeoutMs: 3000,
      knowledgeBase: 'clinic: {}',
    };
  if (path === '/api/token') return {}; // the server chooses the room and identity
  return {};
}

const VALID_QUERY = {
  q: 'x',
  status: 'completed',
  channel: 'web',
  from: '2026-01-01',
  to: '2026-01-02T00:00:00Z',
  limit: '5',
  offset: '0',
  action: 'call.view',
  user: 'u',
  date: '2026-03-03',
  service: 'consultation',
  phone: '+15551234567',
};

function query(r: Rng): string {
  if (r.chance(0.3)) return '';
  if (r.chance(0.1)) return `?${nastySegment(r, 'a=b')}`;
  const q = mutate(r, VALID_QUERY);
  if (typeof q !== 'object' || q === null || Array.isArray(q)) return `?x=${pct(String(q))}`;
  const p = Object.entries(q)
    .filter(() => r.chance(0.4))
    .map(([k, v]) => `${pct(k)}=${pct(typeof v === 'string' ? v : JSON.stringify(v))}`);
  return p.length ? `?${p.join('&')}` : '';
}

function fillPath(r: Rng, path: string, t: FuzzTarget): string {
  return path
    .replace(':callId', nastySegment(r, t.callId))
    .replace(':slug', nastySegment(r, t.tenant))
    .replace(':id', nastySegment(r, 'bk-1'));
}

function cookie(r: Rng, t: FuzzTarget): Record<string, string> {
  const c = r.pick([
    ...t.cookies,
    ...t.cookies,
    '',
    'vx_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    `vx_session=${pct(nastyString(r)).slice(0, 3000)}`,
  ]);
  return c ? { cookie: c } : {};
}

export function generate(r: Rng, surface: Surface, t: FuzzTarget): FuzzRequest {
  switch (surface) {
    case 'token': {
      const method = r.chance(0.9) ? 'POST' : r.pick(METHODS);
      return {
        surface,
        method,
        path: '/api/token',
        headers: { 'content-type': 'application/json' },
        body: rawBody(r, mutate(r, validBody(r, '/api/token', t))),
        api: true,
      };
    }
    case 'dashboard': {
      const route = r.pick(DASHBOARD_ROUTES.filter((x) => x.path !== '/api/live/stream'));
      const method = r.chance(0.9) ? route.method : r.pick(METHODS);
      const path = fillPath(r, route.path, t) + query(r);
      // the logout route would end the fuzz's own sessions
      const headers = route.path === '/api/auth/logout' ? {} : cookie(r, t);
      const hasBody = method === 'POST' || method === 'PUT';
      return {
        surface,
        method,
        path,
        headers: {
          'content-type': 'application/json',
          ...headers,
          ...(r.chance(0.1) ? { origin: 'http://evil.test' } : {}),
        },
        ...(hasBody ? { body: rawBody(r, mutate(r, validBody(r, route.path, t))) } : {}),
        api: true,
      };
    }
    case 'internal-signed':
    case 'internal-unsigned': {
      const route = r.pick(INTERNAL_ROUTES);
      const method = r.chance(0.9) ? route.method : r.pick(METHODS);
      const path = fillPath(r, route.path, t) + query(r);
      const body = method === 'POST' ? rawBody(r, mutate(r, validBody(r, route.path, t))) : '';
      const ts = String(t.now());
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (surface === 'internal-signed') {
        // a fresh nonce per case, from the seed (the server accepts each once)
        const nonce = Array.from({ length: 24 }, () => r.pick([...'abcdefghijklmnopqrstuvwxyz0123456789'])).join('');
        headers['x-voxanne-timestamp'] = ts;
        headers['x-voxanne-nonce'] = nonce;
        headers['x-voxanne-signature'] = signRecordsRequest(t.secret, { timestamp: ts, nonce, method, path, body });
      } else if (r.chance(0.5)) {
        headers['x-voxanne-timestamp'] = r.chance(0.5) ? ts : pct(nastyString(r)).slice(0, 100);
        headers['x-voxanne-signature'] = r.chance(0.5) ? 'ab'.repeat(32) : pct(nastyString(r)).slice(0, 100);
      }
      return { surface, method, path, headers, ...(method === 'POST' ? { body } : {}), api: true };
    }
    case 'live-stream':
      return {
        surface,
        method: r.chance(0.9) ? 'GET' : r.pick(METHODS),
        path: `/api/live/stream${query(r)}`,
        headers: cookie(r, t),
        stream: true,
        api: true,
      };
    case 'paths': {
      const segs = Array.from({ length: r.int(1, 4) }, () =>
        nastySegment(r, r.pick(['api', 'internal', 'v1', 'dashboard', 'assets', 'x'])),
      );
      const path = `/${segs.join('/')}${query(r)}`;
      return {
        surface,
        method: r.pick(METHODS),
        path,
        headers: cookie(r, t),
        api: /^\/(api|internal)(\/|$|\?)/.test(path),
      };
    }
  }
}
