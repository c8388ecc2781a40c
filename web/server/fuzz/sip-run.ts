/**
 * The SIP fuzz driver: generated datagrams (sip.ts) sent over UDP on loopback to a running LiveKit SIP,
 * in batches; after each batch LiveKit SIP must still answer an OPTIONS and the processes the caller
 * names (`alive`) must still run. Every INVITE LiveKit SIP answers with 200 is ACKed and hung up at once
 * (BYE), and one still ringing after RING_MS is cancelled (CANCEL), so an accepted INVITE holds a line
 * for a second or two, not until the call times out; and at most MAX_RINGING INVITEs to the clinic's
 * number (the ones that can become calls: a room, an agent job) are under way at once.
 */
import { createSocket, type Socket } from 'node:dgram';
import { ulawToLinear } from '@voxanne/contracts/g711';
import { END_STATUSES, SPEAKERS } from '@voxanne/contracts/records-api';
import { signed } from '../records/testing.ts';
import type { Rng } from './rng.ts';
import { knownCrashers, parseResponse, SIP_KINDS, sipCase, type SipCase, type SipKind, type SipTarget } from './sip.ts';

/** how long an INVITE to the clinic may ring before the driver cancels it */
const RING_MS = 1500;
/** an INVITE to the clinic not answered at all within this long was dropped (LiveKit SIP's answer to a stranger) */
const DROPPED_MS = 300;
/** INVITEs to the clinic under way at once */
const MAX_RINGING = 4;
const OPTIONS_WAIT_MS = 3000;

/** a UDP socket on a free loopback port, bound */
async function loopbackSocket(): Promise<Socket> {
  const sock = createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  return sock;
}

/** LiveKit SIP at host:port, seen from the bound socket the messages leave from */
function targetFrom(o: { host: string; port: number; clinic: string }, sock: Socket): SipTarget {
  return { host: o.host, port: o.port, clinic: o.clinic, localHost: '127.0.0.1', localPort: sock.address().port };
}

export interface SipFuzzFailure {
  case: number;
  kind: SipKind | 'probe';
  problem: string;
  sample: string;
}

export interface SipFuzzResult {
  cases: number;
  byKind: Record<SipKind, number>;
  /** each case's final answer: a status, 'provisional' (1xx only, then cancelled) or 'none' */
  byAnswer: Record<string, number>;
  /** INVITEs LiveKit SIP answered with 200 (each ACKed and hung up) */
  answered: number;
  /** OPTIONS probes answered, one per batch */
  probes: number;
  failures: SipFuzzFailure[];
}

interface Pending {
  c: SipCase;
  statuses: number[];
  hungUp: boolean;
  /** an INVITE to the clinic's number: when it went */
  invitedAt?: number;
  cancelled?: boolean;
  /** in byAnswer already (a late 200 is still hung up: the case stays known to the end of the run) */
  counted?: boolean;
}

/** the headers of a request inside the dialog LiveKit SIP's 200 opened (ACK, BYE), or a CANCEL of its INVITE */
function inDialog(method: string, resp: string, t: SipTarget, callId: string, cseq: number): Buffer {
  const header = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(resp)?.[1]?.trim() ?? '';
  const contact = /<([^>]+)>/.exec(header('Contact'))?.[1] ?? `sip:${t.host}:${t.port}`;
  const uri = method === 'CANCEL' ? `sip:${t.clinic}@${t.host}:${t.port}` : contact;
  const via =
    method === 'CANCEL'
      ? header('Via')
      : `SIP/2.0/UDP ${t.localHost}:${t.localPort};branch=z9hG4bK-${method}-${callId}-${cseq}`;
  return Buffer.from(
    [
      `${method} ${uri} SIP/2.0`,
      `Via: ${via}`,
      `From: ${header('From')}`,
      `To: ${method === 'CANCEL' ? header('To').replace(/;tag=[^;]*/, '') : header('To')}`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ${method === 'CANCEL' ? 'INVITE' : method}`,
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

function send(sock: Socket, b: Buffer, t: SipTarget): Promise<void> {
  return new Promise((resolve) => sock.send(b, t.port, t.host, () => resolve()));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** an OPTIONS to LiveKit SIP, sent up to three times: the status it answered, or undefined */
export async function sipOptions(
  sock: Socket,
  t: SipTarget,
  waitFor: (callId: string, ms: number) => Promise<number | undefined>,
  tag: string,
): Promise<number | undefined> {
  for (let i = 0; i < 3; i++) {
    const callId = `probe-${tag}-${i}`;
    const here = `${t.localHost}:${t.localPort}`;
    const answer = waitFor(callId, OPTIONS_WAIT_MS / 3);
    await send(
      sock,
      Buffer.from(
        [
          `OPTIONS sip:${t.clinic}@${t.host}:${t.port} SIP/2.0`,
          `Via: SIP/2.0/UDP ${here};branch=z9hG4bK-${callId}`,
          `From: <sip:probe@${here}>;tag=probe`,
          `To: <sip:${t.clinic}@${t.host}:${t.port}>`,
          `Call-ID: ${callId}`,
          'CSeq: 1 OPTIONS',
          'Max-Forwards: 70',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      ),
      t,
    );
    const status = await answer;
    if (status !== undefined) return status;
  }
  return undefined;
}

export async function fuzzSip(o: {
  /** LiveKit SIP's signalling address */
  host: string;
  port: number;
  clinic: string;
  rng: Rng;
  cases: number;
  /** cases between two checks */
  batch?: number;
  /** what has died, if anything (checked after each batch) */
  alive?: () => string | undefined;
  onProgress?: (done: number) => void;
}): Promise<SipFuzzResult> {
  const sock = await loopbackSocket();
  const t = targetFrom(o, sock);
  const result: SipFuzzResult = {
    cases: 0,
    byKind: Object.fromEntries(SIP_KINDS.map((k) => [k, 0])) as Record<SipKind, number>,
    byAnswer: {},
    answered: 0,
    probes: 0,
    failures: [],
  };
  const pending = new Map<string, Pending>();
  const probes = new Map<string, (status: number) => void>();
  let cseq = 10;
  sock.on('message', (m) => {
    const r = parseResponse(m);
    if (!r) return; // a request of LiveKit SIP's own (a BYE after its media timeout): nothing to answer here
    probes.get(r.callId)?.(r.status);
    const p = pending.get(r.callId);
    if (!p) return;
    p.statuses.push(r.status);
    // an INVITE answered: ACK it and hang up at once (a retransmitted 200 gets the same, as SIP wants)
    if (r.status >= 200 && r.status < 300 && /INVITE/i.test(r.cseq)) {
      if (!p.hungUp) result.answered++;
      p.hungUp = true;
      void send(sock, inDialog('ACK', r.text, t, r.callId, 1), t).then(() =>
        send(sock, inDialog('BYE', r.text, t, r.callId, ++cseq), t),
      );
    }
    wake();
  });
  let wake = () => {};
  /** the next answer of LiveKit SIP's, or ms, whichever comes first */
  const nextAnswer = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  /** INVITEs to the clinic under way; one ringing too long is cancelled, as a caller who gives up does */
  const ringing = (): number => {
    let n = 0;
    const now = performance.now();
    for (const q of pending.values()) {
      if (q.invitedAt === undefined || q.counted || q.cancelled || q.statuses.some((x) => x >= 200)) continue;
      if (!q.statuses.length) {
        if (now - q.invitedAt < DROPPED_MS) n++;
        continue;
      }
      if (now - q.invitedAt < RING_MS) {
        n++;
        continue;
      }
      q.cancelled = true;
      void send(sock, inDialog('CANCEL', q.c.datagram.toString('latin1'), t, q.c.callId, 1), t);
    }
    return n;
  };
  const waitFor = (callId: string, ms: number) =>
    new Promise<number | undefined>((resolve) => {
      const timer = setTimeout(() => {
        probes.delete(callId);
        resolve(undefined);
      }, ms);
      probes.set(callId, (s) => {
        clearTimeout(timer);
        probes.delete(callId);
        resolve(s);
      });
    });
  const batch = o.batch ?? 250;
  // the cases that once crashed a process go first, every run
  const crashers = knownCrashers(t).slice(0, o.cases);
  try {
    for (let i = 0; i < o.cases; i++) {
      const c = i < crashers.length ? crashers[i]! : sipCase(o.rng, t, i);
      result.cases++;
      result.byKind[c.kind]++;
      const p: Pending = { c, statuses: [], hungUp: false };
      const text = c.datagram.subarray(0, 200).toString('latin1');
      if (c.callId && /^INVITE /.test(text) && text.includes(o.clinic)) {
        while (ringing() >= MAX_RINGING) await nextAnswer(50);
        p.invitedAt = performance.now();
      }
      if (c.callId) pending.set(c.callId, p);
      await send(sock, c.datagram, t);
      // a breath between datagrams: a flood is another test (the rate limits); this one is about content
      await sleep(1);
      if ((i + 1) % batch === 0 || i + 1 === o.cases) {
        // the batch settles: every INVITE answered, dropped or cancelled
        while (ringing() > 0) await nextAnswer(50);
        await sleep(200);
        for (const q of pending.values()) {
          if (q.counted) continue;
          q.counted = true;
          const final = q.statuses.find((x) => x >= 200);
          const key = final !== undefined ? String(final) : q.statuses.length ? 'provisional' : 'none';
          result.byAnswer[key] = (result.byAnswer[key] ?? 0) + 1;
        }
        const status = await sipOptions(sock, t, waitFor, String(i));
        if (status === 200) result.probes++;
        else
          result.failures.push({
            case: i,
            kind: 'probe',
            problem: `LiveKit SIP answered an OPTIONS after case ${i} with ${status ?? 'nothing'}`,
            sample: '',
          });
        const dead = o.alive?.();
        if (dead) {
          result.failures.push({ case: i, kind: 'probe', problem: dead, sample: '' });
          break;
        }
        o.onProgress?.(i + 1);
      }
    }
    // cases without a Call-ID get no answer that could be matched: counted as such
    const unmatched = result.cases - Object.values(result.byAnswer).reduce((a, b) => a + b, 0);
    if (unmatched > 0) result.byAnswer.unmatched = unmatched;
    return result;
  } finally {
    sock.close();
  }
}

/**
 * The records of the calls the agent took (their call ids, from its "phone call" lines): each must be
 * there, ended, and well-formed. Problems in words; empty when every record is whole. Asked again every
 * 250 ms until nothing is wrong or `waitMs` has passed: she logs "call ended" before her records reach
 * the web server (the summary and the end are written after it, later still on a busy machine), so a
 * record read at once may still be in progress.
 */
export async function callRecordProblems(
  webUrl: string,
  recordsKey: string,
  callIds: string[],
  waitMs = 15_000,
): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const problems = await recordProblemsNow(webUrl, recordsKey, callIds);
    if (problems.length === 0 || Date.now() >= deadline) return problems;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function recordProblemsNow(webUrl: string, recordsKey: string, callIds: string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const id of callIds) {
    const r = await signed(webUrl, 'GET', `/internal/v1/calls/${encodeURIComponent(id)}`, undefined, {
      secret: recordsKey,
    });
    const b = r.body as { callId?: unknown; status?: unknown; startedAt?: unknown; turns?: unknown } | undefined;
    if (r.status !== 200 || !b) {
      problems.push(`call ${id}: its record answers ${r.status} ${r.text.slice(0, 200)}`);
      continue;
    }
    const turns = Array.isArray(b.turns) ? (b.turns as Record<string, unknown>[]) : undefined;
    if (b.callId !== id) problems.push(`call ${id}: the record names ${JSON.stringify(b.callId)}`);
    if (!(END_STATUSES as readonly unknown[]).includes(b.status))
      problems.push(`call ${id}: status ${JSON.stringify(b.status)}, not ended`);
    if (typeof b.startedAt !== 'string' || Number.isNaN(Date.parse(b.startedAt)))
      problems.push(`call ${id}: startedAt ${JSON.stringify(b.startedAt)}`);
    if (
      !turns ||
      !turns.every((x) => (SPEAKERS as readonly unknown[]).includes(x.speaker) && typeof x.text === 'string')
    )
      problems.push(`call ${id}: turns ${JSON.stringify(b.turns).slice(0, 200)}`);
  }
  return problems;
}

/**
 * A normal call after the fuzz: a good INVITE from a phone of ours (an RTP socket), answered with 200,
 * ACKed, and her greeting heard as RTP (`audibleMs` of speech in PCMU); then BYE. The problem in words,
 * or undefined when she answered and spoke.
 */
export async function probeCall(o: {
  host: string;
  port: number;
  clinic: string;
  caller: string;
  audibleMs?: number;
  timeoutMs?: number;
}): Promise<string | undefined> {
  const sip = await loopbackSocket();
  const rtp = await loopbackSocket();
  const t = targetFrom(o, sip);
  const callId = `probe-call-${Date.now()}`;
  const here = `${t.localHost}:${t.localPort}`;
  const body = [
    'v=0',
    'o=probe 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${rtp.address().port} RTP/AVP 0`,
    'a=rtpmap:0 PCMU/8000',
    'a=sendrecv',
    '',
  ].join('\r\n');
  const invite = Buffer.from(
    [
      `INVITE sip:${o.clinic}@${o.host}:${o.port} SIP/2.0`,
      `Via: SIP/2.0/UDP ${here};branch=z9hG4bK-${callId}`,
      `From: "Probe" <sip:${o.caller}@${here}>;tag=probe`,
      `To: <sip:${o.clinic}@${o.host}:${o.port}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:${o.caller}@${here}>`,
      'Max-Forwards: 70',
      'Content-Type: application/sdp',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
  let heardMs = 0;
  let media: { address: string; port: number } | undefined;
  rtp.on('message', (m, from) => {
    media = { address: from.address, port: from.port };
    if (m.length <= 12 || (m[1]! & 0x7f) !== 0) return;
    let sum = 0;
    for (let i = 12; i < m.length; i++) sum += ulawToLinear(m[i]!) ** 2;
    // speech, not comfort noise: an RMS over ~1% of full scale
    if (Math.sqrt(sum / (m.length - 12)) > 300) heardMs += ((m.length - 12) / 8000) * 1000;
  });
  let answer: string | undefined;
  const answered = new Promise<void>((resolve) => {
    sip.on('message', (m) => {
      const r = parseResponse(m);
      if (r?.callId === callId && r.status === 200 && /INVITE/.test(r.cseq) && !answer) {
        answer = r.text;
        resolve();
      }
    });
  });
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  const within = (p: Promise<unknown>) =>
    Promise.race([p, new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
  try {
    await send(sip, invite, t);
    await within(answered);
    if (!answer) return 'a good INVITE got no 200 OK';
    await send(sip, inDialog('ACK', answer, t, callId, 1), t);
    // a phone sends audio too: silence, 20 ms frames, so LiveKit SIP's media timeout never fires
    let seq = 0;
    const frames = setInterval(() => {
      if (!media) return;
      const h = Buffer.alloc(12);
      h[0] = 0x80;
      h.writeUInt16BE(seq++ & 0xffff, 2);
      h.writeUInt32BE((seq * 160) >>> 0, 4);
      h.writeUInt32BE(0x5eed, 8);
      rtp.send(Buffer.concat([h, Buffer.alloc(160, 0xff)]), media.port, media.address);
    }, 20);
    const enough = o.audibleMs ?? 1000;
    // her voice arrives as RTP over seconds: looked at ten times a second until there is enough of it
    while (heardMs < enough && Date.now() < deadline) await sleep(100);
    clearInterval(frames);
    await send(sip, inDialog('BYE', answer, t, callId, 2), t);
    return heardMs >= enough ? undefined : `answered, but only ${Math.round(heardMs)} ms of her voice came`;
  } finally {
    sip.close();
    rtp.close();
  }
}
