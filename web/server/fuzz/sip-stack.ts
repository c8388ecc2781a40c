/**
 * The SIP part of npm run fuzz: a whole Voxanne with telephony (livekit-server, Redis, LiveKit SIP, the
 * agent, the web server) on free loopback ports, a trunk and dispatch rule made by the provisioning code,
 * then the generated datagrams (sip-run.ts). Judged: LiveKit SIP answers an OPTIONS after every batch and
 * no process of the stack dies; afterwards every call the agent took has its record, ended and whole,
 * no line of the agent or the web server is an error, and a normal call is answered and greeted.
 */
import { randomBytes } from 'node:crypto';
import { startStackOnFreePorts } from '../../../scripts/lib/stack.ts';
import { parseProvisionConfig } from '../../../sip/src/config.ts';
import { provision } from '../../../sip/src/provision.ts';
import { Rng } from './rng.ts';
import { callRecordProblems, fuzzSip, probeCall, type SipFuzzResult } from './sip-run.ts';

const CLINIC = '+15550100200';

export interface SipStackResult extends SipFuzzResult {
  /** calls the agent took ("phone call") */
  calls: number;
  /** of which her session started, so a record was written and checked */
  recorded: number;
}

/** a pino line of the agent or the web server at error level or above, or a crash in words */
function bad(source: string, line: string): boolean {
  if (source !== 'agent' && source !== 'web') return false;
  if (/uncaught|unhandled/i.test(line)) return true;
  try {
    return (JSON.parse(line) as { level?: number }).level! >= 50;
  } catch {
    return false; // not a pino line (the agents CLI's banner)
  }
}

export async function fuzzSipStack(o: {
  cases: number;
  seed: number;
  onProgress?: (done: number) => void;
  /** every line of every process, for a log file */
  log?: (source: string, line: string) => void;
}): Promise<SipStackResult> {
  const apiSecret = randomBytes(24).toString('hex');
  const lines: { source: string; line: string }[] = [];
  // one reservation for every port, made again if one was taken before its process bound it;
  // RTP ports for many short calls at once: LiveKit SIP frees a call's port only once it is closed
  const stack = await startStackOnFreePorts({
    telephony: { rtpCount: 200 },
    onRetry: () => (lines.length = 0),
    apiKey: 'fuzz',
    apiSecret,
    webMode: 'dev',
    agentEnv: { LOG_LEVEL: 'info' },
    log: (source, line) => {
      if (source === 'agent' || source === 'web') lines.push({ source, line });
      o.log?.(source, line);
    },
  });
  const telephony = stack.telephony!;
  try {
    await provision(
      parseProvisionConfig({
        LIVEKIT_URL: stack.livekitUrl,
        LIVEKIT_API_KEY: 'fuzz',
        LIVEKIT_API_SECRET: apiSecret,
        SIP_NUMBERS: CLINIC,
        SIP_ALLOWED_ADDRESSES: '127.0.0.1/32',
      }),
      { dryRun: false, log: () => {} },
    );
    const dead = () =>
      stack.children
        .filter((c) => c.proc.exitCode !== null || c.proc.signalCode !== null)
        .map((c) => `${c.name} exited (${c.proc.exitCode ?? c.proc.signalCode})`)
        .join(', ') || undefined;
    const r = await fuzzSip({
      host: '127.0.0.1',
      port: telephony.sip,
      clinic: CLINIC,
      rng: new Rng(o.seed),
      cases: o.cases,
      alive: dead,
      onProgress: o.onProgress,
    });
    const fail = (problem: string) => r.failures.push({ case: -1, kind: 'probe', problem, sample: '' });
    const msgs = (msg: string) =>
      lines
        .filter((l) => l.source === 'agent' && l.line.includes(`"msg":"${msg}"`))
        .map((l) => (JSON.parse(l.line) as { callId?: string }).callId ?? '');
    const callIds = msgs('phone call');
    // every call the fuzz started ends (each was hung up at once, or never ACKed: 10 s at most), its
    // session's end or before the greeting
    const ended = () => new Set([...msgs('call ended'), ...msgs('call ended before the greeting')]);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !callIds.every((id) => ended().has(id)))
      await new Promise((res) => setTimeout(res, 500));
    for (const id of callIds.filter((x) => !ended().has(x))) fail(`call ${id} still not ended 60 s after the fuzz`);
    // a call whose session started (her first state) has its record: ended and whole
    const started = new Set(msgs('state'));
    const recorded = callIds.filter((id) => started.has(id));
    for (const p of await callRecordProblems(stack.webUrl, stack.recordsApiKey, recorded)) fail(p);
    const probe = await probeCall({ host: '127.0.0.1', port: telephony.sip, clinic: CLINIC, caller: '+15551234567' });
    if (probe) fail(`after the fuzz, ${probe}`);
    const gone = dead();
    if (gone) fail(gone);
    for (const l of lines.filter((x) => bad(x.source, x.line)).slice(0, 20))
      fail(`${l.source} logged: ${l.line.slice(0, 400)}`);
    return { ...r, calls: callIds.length, recorded: recorded.length };
  } finally {
    await stack.stop();
  }
}
