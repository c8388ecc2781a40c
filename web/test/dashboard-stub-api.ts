// A stand-in for the dashboard API (the contract in web/src/dashboard/types.ts), for browser tests of
// what the real backend cannot easily be made to produce on demand: a 400 naming a field, Safe Mode,
// live calls changing state. Two clinics, so tenancy refusals can be seen in the pages too.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  Booking,
  CallDetail,
  CallRow,
  LiveCall,
  Me,
  Overview,
  Settings,
  TurnMetrics,
} from '@voxanne/contracts/dashboard';

interface User {
  id: string;
  email: string;
  password: string;
  name: string;
  role: 'owner' | 'staff';
  tenant: string;
}

const TENANTS: Record<string, string> = { riverside: 'Riverside Family Clinic', harbor: 'Harbor Dental' };
export const STUB_USERS: User[] = [
  {
    id: 'u1',
    email: 'owner@riverside.test',
    password: 'owner-pass-123',
    name: 'Dana Owner',
    role: 'owner',
    tenant: 'riverside',
  },
  {
    id: 'u2',
    email: 'staff@riverside.test',
    password: 'staff-pass-123',
    name: 'Sam Staff',
    role: 'staff',
    tenant: 'riverside',
  },
  {
    id: 'u3',
    email: 'owner@harbor.test',
    password: 'harbor-pass-123',
    name: 'Hal Harbor',
    role: 'owner',
    tenant: 'harbor',
  },
];

const iso = (t: number) => new Date(t).toISOString();
/** the server sends every metric of a turn, null when it was not measured */
const metrics = (m: Partial<TurnMetrics> = {}): TurnMetrics => ({
  sttFinalMs: null,
  endOfTurnMs: null,
  llmFirstTokenMs: null,
  ttsFirstByteMs: null,
  v2vMs: null,
  ...m,
});
/** one turn of a stub call, `atMs` [start, end] after t0 */
const turn = (
  t0: number,
  index: number,
  speaker: 'agent' | 'caller',
  text: string,
  atMs: [number, number],
  o: { metrics?: Partial<TurnMetrics>; interrupted?: boolean } = {},
): CallDetail['turns'][number] => ({
  index,
  speaker,
  text,
  startedAt: iso(t0 + atMs[0]),
  endedAt: iso(t0 + atMs[1]),
  interrupted: o.interrupted ?? false,
  metrics: metrics(o.metrics),
});
/** the clinic's zone as the server would send it: the machine's, which is also the browser's here */
const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** a stored call: the detail without what the server derives from its turns (see `row`) */
export type StubCall = Omit<CallDetail, 'call'> & {
  tenant: string;
  call: Omit<CallDetail['call'], 'turnCount' | 'bargeIns' | 'v2vP50' | 'room' | 'callerIdentity'>;
};

export interface StubData {
  calls: StubCall[];
  bookings: (Booking & { tenant: string })[];
  settings: Record<string, Settings>;
  live: LiveCall[];
  safeMode: Overview['safeMode'];
}

export function makeStubData(now = Date.now()): StubData {
  const calls: StubData['calls'] = [];
  const bookings: StubData['bookings'] = [];
  const day = 86_400_000;
  const callers = [
    '***-***-0142',
    '***-***-7781',
    'web caller',
    '***-***-3310',
    '***-***-9054',
    '***-***-2201',
    'web caller',
    '***-***-6678',
  ];
  for (let i = 0; i < 8; i++) {
    const start = now - (i < 3 ? i * 3_600_000 + 600_000 : Math.ceil(i / 2) * day);
    const id = `call-${i + 1}`;
    const t0 = start;
    const turns: CallDetail['turns'] = [
      turn(
        t0,
        0,
        'agent',
        'Hi, thanks for calling Riverside Family Clinic. This is Voxanne. How can I help?',
        [300, 4200],
      ),
      turn(t0, 1, 'caller', 'Hi, I would like to book a cleaning for next Tuesday.', [5000, 8000], {
        metrics: { sttFinalMs: 180, endOfTurnMs: 240 },
      }),
      turn(
        t0,
        2,
        'agent',
        'Sure! I have Tuesday at ten or at two thirty. Which works better for you, and could I have your name?',
        [8480, 11_000],
        {
          interrupted: i % 2 === 0,
          metrics: { sttFinalMs: 180, endOfTurnMs: 240, llmFirstTokenMs: 130, ttsFirstByteMs: 95, v2vMs: 480 + i * 10 },
        },
      ),
      turn(t0, 3, 'caller', 'Two thirty please, my name is Jordan Lee.', [10_800, 13_500]),
      turn(
        t0,
        4,
        'agent',
        'Great, Jordan. You are booked for a cleaning on Tuesday at two thirty p m. Anything else?',
        [14_050, 18_500],
        { metrics: { sttFinalMs: 170, endOfTurnMs: 250, llmFirstTokenMs: 140, ttsFirstByteMs: 110, v2vMs: 550 } },
      ),
    ];
    const states: CallDetail['states'] = [
      { state: 'IDLE', at: iso(t0), reason: null },
      { state: 'SPEAKING', at: iso(t0 + 300), reason: null },
      { state: 'LISTENING', at: iso(t0 + 4200), reason: null },
      { state: 'PROCESSING', at: iso(t0 + 8000), reason: null },
      { state: 'SPEAKING', at: iso(t0 + 8480), reason: null },
      ...(i % 2 === 0
        ? ([
            { state: 'INTERRUPTED', at: iso(t0 + 11_000), reason: 'barge-in' },
            { state: 'LISTENING', at: iso(t0 + 11_080), reason: null },
          ] as const)
        : ([{ state: 'LISTENING', at: iso(t0 + 11_000), reason: null }] as const)),
      { state: 'PROCESSING', at: iso(t0 + 13_500), reason: null },
      { state: 'SPEAKING', at: iso(t0 + 14_050), reason: null },
      { state: 'LISTENING', at: iso(t0 + 18_500), reason: null },
    ];
    const callBookings: CallDetail['bookings'] =
      i % 3 === 0
        ? [
            {
              id: `b-${i}`,
              name: 'Jordan Lee',
              phone: '***-***-0142',
              service: 'cleaning',
              startsAt: iso(now + (i + 1) * day),
              endsAt: iso(now + (i + 1) * day + 3_600_000),
              status: 'booked',
              priceCents: 12_000,
              tenant: 'riverside',
              callId: `call-${i + 1}`,
              createdAt: iso(start),
            },
          ]
        : [];
    for (const b of callBookings) bookings.push({ ...b, tenant: 'riverside', callId: id });
    calls.push({
      tenant: 'riverside',
      call: {
        id,
        channel: (['sip', 'web', 'twilio'] as const)[i % 3]!,
        caller: callers[i]!,
        startedAt: iso(start),
        endedAt: iso(start + 20_000),
        status: i === 5 ? 'abandoned' : 'completed',
        flags: [],
        outcome: callBookings.length ? 'booked' : 'answered',
        summary: callBookings.length
          ? 'Caller wanted a cleaning next Tuesday. Booked Tuesday 2:30 PM for Jordan Lee.'
          : 'Caller asked about opening hours. Answered from the knowledge base.',
        engines: { stt: 'pocketsphinx', llm: 'rules', tts: 'flite', mode: 'offline' },
      },
      turns,
      states,
      bookings: callBookings,
      messages: [],
    });
  }
  calls.push({
    tenant: 'harbor',
    call: {
      id: 'harbor-call-1',
      channel: 'sip',
      caller: '***-***-5555',
      startedAt: iso(now - 3_600_000),
      endedAt: iso(now - 3_500_000),
      status: 'completed',
      flags: [],
      outcome: 'answered',
      summary: 'Harbor secret summary',
      engines: { stt: 'deepgram', llm: 'groq', tts: 'aura-2', mode: 'cloud' },
    },
    turns: [turn(now, 0, 'agent', 'Harbor Dental, how can I help?', [-3_600_000, -3_598_000])],
    states: [],
    bookings: [],
    messages: [],
  });
  const kb =
    'name: Riverside Family Clinic\nphone: "+1 555 010 0142"\nhours:\n  mon-fri: ' +
    '"8:00-18:00"\nservices:\n  - id: cleaning\n    name: Cleaning\n    price: "$120"\n';
  return {
    calls,
    bookings,
    settings: {
      riverside: {
        agentName: 'Voxanne',
        voice: 'aura-2-thalia-en',
        greeting: 'Hi, thanks for calling Riverside Family Clinic. This is Voxanne.',
        instructions: 'Be warm and brief.',
        silenceTimeoutMs: 3000,
        knowledgeBase: kb,
      },
      harbor: {
        agentName: 'Hana',
        voice: 'aura-2-thalia-en',
        greeting: 'Harbor Dental.',
        instructions: '',
        silenceTimeoutMs: 3000,
        knowledgeBase: 'name: Harbor Dental\n',
      },
    },
    live: [
      {
        id: 'call-live-1',
        caller: '***-***-8080',
        channel: 'sip',
        state: 'LISTENING',
        since: iso(now - 4000),
        startedAt: iso(now - 60_000),
      },
    ],
    safeMode: {
      active: true,
      mode: 'offline',
      engines: { stt: 'pocketsphinx', llm: 'rules', tts: 'flite' },
      known: true,
    },
  };
}

export interface StubApi {
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  pushLive(call: LiveCall): void;
  readonly data: StubData;
  /** the overview figures, computed from the data the way the backend would, for assertions */
  overviewFor(tenant: string): Overview;
  liveClients(): number;
  /** the users the owner unlocked (POST /api/users/:id/unlock), in order */
  readonly unlocked: string[];
}

export function createStubApi(data: StubData = makeStubData()): StubApi {
  const sessions = new Map<string, User>();
  const streams = new Set<{ res: ServerResponse; tenant: string }>();
  const unlocked: string[] = [];
  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, body === undefined ? headers : { 'content-type': 'application/json', ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const readJson = async (req: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return undefined;
    }
  };
  const userOf = (req: IncomingMessage) => {
    const sid = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    return sid ? sessions.get(sid) : undefined;
  };

  const overviewFor = (tenant: string): Overview => {
    const calls = data.calls.filter((c) => c.tenant === tenant).map((c) => c.call);
    const startOfToday = new Date();
    startOfToday.setHours(0, 0, 0, 0);
    const weekAgo = Date.now() - 7 * 86_400_000;
    const bookings = data.bookings.filter((b) => b.tenant === tenant);
    const v2v = data.calls
      .filter((c) => c.tenant === tenant)
      .flatMap((c) => c.turns.map((t) => t.metrics?.v2vMs).filter((v): v is number => typeof v === 'number'))
      .sort((a, b) => a - b);
    const q = (p: number) => (v2v.length ? v2v[Math.min(v2v.length - 1, Math.floor(p * v2v.length))]! : null);
    const weekly = Array.from({ length: 7 }, (_, i) => {
      const d = new Date(Date.now() - (6 - i) * 86_400_000);
      const date = d.toISOString().slice(0, 10);
      const dayCalls = calls.filter((c) => c.startedAt.slice(0, 10) === date);
      return {
        date,
        calls: dayCalls.length,
        bookings: bookings.filter((b) => dayCalls.some((c) => c.id === b.callId)).length,
        v2vP50: dayCalls.length ? 480 + i * 15 : null,
      };
    });
    return {
      callsToday: calls.filter((c) => Date.parse(c.startedAt) >= startOfToday.getTime()).length,
      callsThisWeek: calls.filter((c) => Date.parse(c.startedAt) >= weekAgo).length,
      bookingsThisWeek: bookings.length,
      bookingsUpcoming: bookings.filter((b) => Date.parse(b.startsAt) > Date.now()).length,
      revenueCents: bookings.reduce((s, b) => s + (b.priceCents ?? 0), 0),
      answerRate: calls.filter((c) => c.status === 'completed').length / Math.max(1, calls.length),
      v2vMs: { p50: q(0.5), p95: q(0.95) },
      weekly,
      safeMode: data.safeMode,
      timezone: ZONE,
    };
  };

  const row = (c: StubCall): CallRow => ({
    id: c.call.id,
    channel: c.call.channel,
    caller: c.call.caller,
    startedAt: c.call.startedAt,
    flags: c.call.flags,
    endedAt: c.call.endedAt,
    status: c.call.status,
    outcome: c.call.outcome,
    turnCount: c.turns.length,
    bargeIns: c.turns.filter((t) => t.interrupted).length,
    v2vP50: c.turns.find((t) => t.metrics?.v2vMs)?.metrics?.v2vMs ?? null,
  });

  return {
    data,
    overviewFor,
    liveClients: () => streams.size,
    unlocked,
    pushLive(call) {
      data.live = data.live.filter((c) => c.id !== call.id);
      if (call.state !== 'ENDED') data.live.push(call);
      for (const s of streams)
        if (s.tenant === 'riverside') s.res.write(`event: call\ndata: ${JSON.stringify(call)}\n\n`);
    },
    async handle(req, res, path) {
      const url = new URL(req.url ?? '/', 'http://x');
      if (path === '/api/auth/login' && req.method === 'POST') {
        const body = (await readJson(req)) as { email?: string; password?: string } | undefined;
        const user = STUB_USERS.find((u) => u.email === body?.email && u.password === body?.password);
        if (!user) return send(res, 401, { error: 'invalid email or password' });
        const sid = `s${Math.random().toString(36).slice(2)}`;
        sessions.set(sid, user);
        return send(
          res,
          200,
          { user: { id: user.id, email: user.email, name: user.name, role: user.role } },
          { 'set-cookie': `sid=${sid}; Path=/; HttpOnly; SameSite=Lax` },
        );
      }
      const user = userOf(req);
      if (!user) return send(res, 401, { error: 'not logged in' });
      const tenant = user.tenant;
      if (path === '/api/auth/logout') {
        for (const [k, v] of sessions) if (v === user) sessions.delete(k);
        return send(res, 204, undefined, { 'set-cookie': 'sid=; Path=/; Max-Age=0' });
      }
      if (path === '/api/me')
        return send(res, 200, {
          user: { id: user.id, email: user.email, name: user.name, role: user.role },
          tenant: { slug: tenant, name: TENANTS[tenant]!, timezone: ZONE },
        } satisfies Me);
      if (path === '/api/overview') return send(res, 200, overviewFor(tenant));
      if (path === '/api/calls') {
        let list = data.calls.filter((c) => c.tenant === tenant);
        const status = url.searchParams.get('status');
        const channel = url.searchParams.get('channel');
        const q = url.searchParams.get('q')?.toLowerCase();
        if (status) list = list.filter((c) => c.call.status === status);
        if (channel) list = list.filter((c) => c.call.channel === channel);
        if (q)
          list = list.filter(
            (c) => c.call.caller.toLowerCase().includes(q) || c.turns.some((t) => t.text.toLowerCase().includes(q)),
          );
        list.sort((a, b) => Date.parse(b.call.startedAt) - Date.parse(a.call.startedAt));
        const limit = Number(url.searchParams.get('limit') ?? 50);
        const offset = Number(url.searchParams.get('offset') ?? 0);
        return send(res, 200, { calls: list.slice(offset, offset + limit).map(row), total: list.length });
      }
      const callMatch = /^\/api\/calls\/([^/]+)$/.exec(path);
      if (callMatch) {
        const c = data.calls.find((x) => x.call.id === decodeURIComponent(callMatch[1]!) && x.tenant === tenant);
        if (!c) return send(res, 404, { error: 'no such call' });
        const { tenant: _t, ...stored } = c;
        const detail: CallDetail = {
          ...stored,
          call: { ...stored.call, ...row(c), room: `room-${c.call.id}`, callerIdentity: c.call.caller },
        };
        return send(res, 200, detail);
      }
      if (path === '/api/bookings') {
        const from = Date.parse(url.searchParams.get('from') ?? '') || 0;
        return send(res, 200, {
          bookings: data.bookings
            .filter((b) => b.tenant === tenant && Date.parse(b.startsAt) >= from)
            .map(({ tenant: _t, ...b }) => b),
        });
      }
      if (path === '/api/live') return send(res, 200, { calls: tenant === 'riverside' ? data.live : [] });
      if (path === '/api/live/stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write(': hello\n\n');
        const s = { res, tenant };
        streams.add(s);
        res.once('close', () => streams.delete(s));
        return;
      }
      if (path === '/api/settings' && req.method === 'PUT') {
        if (user.role !== 'owner') return send(res, 403, { error: 'only owners may change settings' });
        const body = (await readJson(req)) as Settings | undefined;
        if (!body) return send(res, 400, { error: 'body must be valid JSON' });
        if (body.silenceTimeoutMs < 1000 || body.silenceTimeoutMs > 30_000)
          return send(res, 400, { error: 'must be between 1000 and 30000 ms', field: 'silenceTimeoutMs' });
        if (/^\s*[:\-]\s*$/m.test(body.knowledgeBase) || body.knowledgeBase.includes('\t'))
          return send(res, 400, { error: 'not valid YAML', field: 'knowledgeBase' });
        data.settings[tenant] = body;
        return send(res, 200, data.settings[tenant]);
      }
      if (path === '/api/settings') return send(res, 200, data.settings[tenant]);
      if (path === '/api/users' || path.startsWith('/api/users/')) {
        if (user.role !== 'owner') return send(res, 403, { error: 'only the clinic owner may do this' });
        const mine = STUB_USERS.filter((u) => u.tenant === tenant);
        if (path === '/api/users')
          return send(res, 200, { users: mine.map(({ id, email, name, role }) => ({ id, email, name, role })) });
        const m = /^\/api\/users\/([^/]+)\/unlock$/.exec(path);
        if (m && req.method === 'POST') {
          if (!mine.some((u) => u.id === m[1]))
            return send(res, 404, { error: 'no such user in this clinic', field: 'userId' });
          unlocked.push(m[1]!);
          return send(res, 204);
        }
      }
      return send(res, 404, { error: `no such API route: ${path}` });
    },
  };
}
