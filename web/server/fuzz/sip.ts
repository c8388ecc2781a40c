/**
 * Generated SIP for the fuzz run (issue 13, point 8): what a stranger can send LiveKit SIP's UDP port.
 * Each case is one datagram: INVITEs with hostile or missing headers, huge headers, broken
 * Content-Length, bad Via, SDP that is broken or offers only unknown codecs, a hostile caller (From user
 * and display name) on an otherwise good INVITE, INVITEs cut short, methods that do not exist or belong
 * to no dialog, and random bytes. A case built to be accepted as a call says so (`call`): the driver
 * (sip-run.ts) then ends the call it gets, so a run does not hold every line.
 */
import { nastyString } from './inputs.ts';
import { Rng } from './rng.ts';

export const SIP_KINDS = [
  'random-bytes',
  'not-sip',
  'bad-start-line',
  'wrong-method',
  'no-dialog',
  'bad-header',
  'missing-header',
  'huge-header',
  'content-length',
  'bad-via',
  'bad-sdp',
  'unknown-codec',
  'hostile-caller',
  'cut-short',
] as const;
export type SipKind = (typeof SIP_KINDS)[number];

/**
 * how often each kind comes, relative to the others: a hostile caller is a call (a room, an agent job, a
 * record) and costs a second or so; the rest are refused within milliseconds
 */
const WEIGHTS: Record<SipKind, number> = {
  'random-bytes': 2,
  'not-sip': 2,
  'bad-start-line': 2,
  'wrong-method': 2,
  'no-dialog': 2,
  'bad-header': 2,
  'missing-header': 2,
  'huge-header': 2,
  'content-length': 2,
  'bad-via': 2,
  'bad-sdp': 2,
  'unknown-codec': 2,
  'hostile-caller': 1,
  'cut-short': 2,
};
const WEIGHED = SIP_KINDS.flatMap((k) => Array<SipKind>(WEIGHTS[k]).fill(k));

/** a number the trunk does not have: LiveKit SIP parses the INVITE, then drops it (no room, no agent) */
export const NOT_THE_CLINIC = '+15550199999';

export interface SipTarget {
  /** LiveKit SIP's address */
  host: string;
  port: number;
  /** the number the trunk accepts calls to */
  clinic: string;
  /** the sending socket's address, named in Via, From and Contact so answers come back */
  localHost: string;
  localPort: number;
}

export interface SipCase {
  kind: SipKind;
  /** the Call-ID the case carries (answers are matched by it); '' when it carries none */
  callId: string;
  datagram: Buffer;
  /** a good INVITE to the clinic's number with a hostile caller: LiveKit SIP may make it a call */
  call: boolean;
}

const CRLF = '\r\n';
const METHODS_NO_DIALOG = ['BYE', 'ACK', 'CANCEL', 'INFO', 'NOTIFY', 'REFER', 'UPDATE', 'PRACK', 'MESSAGE'];
const FAKE_METHODS = ['FOO', 'invite', 'INVITE INVITE', 'GET', 'HTTP/1.1', '', ' ', 'INV\0ITE', 'Ä'];

/** printable characters of a hostile string: SIP headers are text, a raw CR or LF would split them */
function headerText(r: Rng): string {
  const s = nastyString(r).slice(0, 2000);
  return r.chance(0.3) ? s : s.replace(/[\r\n]/g, ' ');
}

function sdp(r: Rng, t: SipTarget, codecs = '0 101'): string {
  return [
    'v=0',
    `o=fuzz ${r.int(1, 1e6)} 1 IN IP4 ${t.localHost}`,
    's=-',
    `c=IN IP4 ${t.localHost}`,
    't=0 0',
    `m=audio ${t.localPort + 1} RTP/AVP ${codecs}`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=sendrecv',
    '',
  ].join(CRLF);
}

/** a broken or hostile session description */
function badSdp(r: Rng, t: SipTarget): string {
  const good = sdp(r, t);
  switch (r.int(0, 7)) {
    case 0:
      return headerText(r);
    case 1:
      return good.slice(0, r.int(0, good.length - 1));
    case 2:
      return good.replace(/^m=audio \d+/m, `m=audio ${r.pick(['-1', '0', '99999', 'x', '', '65536'])}`);
    case 3:
      return good.replace(/^c=.*$/m, r.pick(['c=IN IP6 ::1', 'c=IN IP4 999.1.1.1', 'c=', 'c=IN IP4 0.0.0.0']));
    case 4:
      return good.replace(/^m=audio .*$/m, `m=video ${t.localPort + 1} RTP/AVP 96`);
    case 5:
      return `${good}${Array.from({ length: r.int(100, 2000) }, (_, i) => `a=rtpmap:${i} X/8000`).join(CRLF)}${CRLF}`;
    case 6:
      return good.replace(/\r\n/g, r.pick(['\n', '\r', '\0']));
    default:
      return good.replace(/^v=0/m, r.pick(['v=1', 'v=', '']));
  }
}

interface Invite {
  method: string;
  uri: string;
  headers: [string, string][];
  body: string;
}

function goodInvite(r: Rng, t: SipTarget, callId: string, caller = '+15551234567', body = sdp(r, t)): Invite {
  const here = `${t.localHost}:${t.localPort}`;
  return {
    method: 'INVITE',
    uri: `sip:${t.clinic}@${t.host}:${t.port}`,
    headers: [
      ['Via', `SIP/2.0/UDP ${here};branch=z9hG4bK-${callId}`],
      ['From', `"Fuzz" <sip:${caller}@${here}>;tag=fz${r.int(0, 1e9)}`],
      ['To', `<sip:${t.clinic}@${t.host}:${t.port}>`],
      ['Call-ID', callId],
      ['CSeq', '1 INVITE'],
      ['Contact', `<sip:${caller}@${here}>`],
      ['Max-Forwards', '70'],
      ['Content-Type', 'application/sdp'],
      ['Content-Length', String(Buffer.byteLength(body))],
    ],
    body,
  };
}

function render(m: Invite): Buffer {
  const head = [`${m.method} ${m.uri} SIP/2.0`, ...m.headers.map(([k, v]) => `${k}: ${v}`)].join(CRLF);
  return Buffer.from(`${head}${CRLF}${CRLF}${m.body}`, 'utf8');
}

const setHeader = (m: Invite, name: string, value: string) => {
  const h = m.headers.find(([k]) => k === name);
  if (h) h[1] = value;
  else m.headers.push([name, value]);
};

const contentLength = (m: Invite) => setHeader(m, 'Content-Length', String(Buffer.byteLength(m.body)));

/** the case generator: `n` numbers the case, so every Call-ID of a run is its own */
export function sipCase(r: Rng, t: SipTarget, n: number, kind: SipKind = r.pick(WEIGHED)): SipCase {
  const callId = `fuzz-${n}-${r.int(0, 1e9).toString(36)}`;
  // the SDP is read only for the clinic's number; a mangled header reaches the clinic one time in seven
  // (an INVITE that still passes becomes a call), and the other number otherwise
  const sdpKind = kind === 'bad-sdp' || kind === 'unknown-codec' || kind === 'hostile-caller';
  const m = goodInvite(r, { ...t, clinic: sdpKind || r.chance(0.15) ? t.clinic : NOT_THE_CLINIC }, callId);
  let call = false;
  switch (kind) {
    case 'random-bytes': {
      const b = Buffer.alloc(r.int(0, 1400));
      for (let i = 0; i < b.length; i++) b[i] = r.int(0, 255);
      return { kind, callId: '', datagram: b, call };
    }
    case 'not-sip':
      return {
        kind,
        callId: '',
        datagram: Buffer.from(
          r.pick([
            'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
            '\r\n\r\n',
            '\r\n',
            'SIP/2.0 200 OK\r\n\r\n',
            `SIP/2.0 ${r.int(0, 999)} X\r\nCall-ID: ${callId}\r\nCSeq: 1 INVITE\r\n\r\n`,
            headerText(r),
            '{"jsonrpc":"2.0"}',
          ]),
        ),
        call,
      };
    case 'bad-start-line':
      return {
        kind,
        callId,
        datagram: Buffer.from(
          render(m)
            .toString()
            .replace(
              /^.*\r\n/,
              r.pick([
                'INVITE\r\n',
                'INVITE sip: SIP/2.0\r\n',
                `INVITE ${headerText(r).replace(/[\r\n ]/g, '')} SIP/2.0\r\n`,
                `INVITE sip:${t.clinic}@${t.host} SIP/3.0\r\n`,
                `INVITE sip:${t.clinic}@${t.host}\r\n`,
                `INVITE  sip:${t.clinic}@${t.host}  SIP/2.0\r\n`,
                `INVITE tel:${t.clinic} SIP/2.0\r\n`,
                `INVITE sip:${t.clinic}@${t.host}:0 SIP/2.0\r\n`,
              ]),
            ),
        ),
        call,
      };
    case 'wrong-method':
      m.method = r.pick(FAKE_METHODS);
      setHeader(m, 'CSeq', `1 ${m.method}`);
      break;
    case 'no-dialog':
      // in-dialog requests for a dialog that does not exist (a stranger guessing, or a late retransmission)
      m.method = r.pick(METHODS_NO_DIALOG);
      setHeader(m, 'CSeq', `${r.int(0, 2 ** 31)} ${m.method}`);
      setHeader(m, 'To', `<sip:${t.clinic}@${t.host}:${t.port}>;tag=${headerText(r).replace(/[\r\n]/g, '')}`);
      if (r.chance(0.5)) m.body = '';
      contentLength(m);
      break;
    case 'bad-header': {
      const name = r.pick(['From', 'To', 'Call-ID', 'CSeq', 'Contact', 'Max-Forwards', 'Content-Type', 'Expires']);
      setHeader(
        m,
        name,
        r.pick([
          headerText(r),
          '',
          '<>',
          '<sip:@>',
          '"unterminated <sip:x@y>',
          'x INVITE',
          '-1 INVITE',
          '99999999999999999999 INVITE',
          '1 BYE',
          '-1',
          '0',
          '<sip:+15551234567@127.0.0.1;tag=a;tag=b>',
        ]),
      );
      if (name === 'Call-ID') return { kind, callId: '', datagram: render(m), call };
      break;
    }
    case 'missing-header': {
      const drop = new Set(r.chance(0.2) ? ['Call-ID', 'CSeq', 'From', 'To', 'Via'] : [r.pick(m.headers)[0]]);
      m.headers = m.headers.filter(([k]) => !drop.has(k));
      if (drop.has('Call-ID')) return { kind, callId: '', datagram: render(m), call };
      break;
    }
    case 'huge-header':
      // one header past any sane size, or a thousand small ones; a UDP datagram still carries it (≤ 64 KB)
      if (r.chance(0.5))
        setHeader(m, r.pick(['Subject', 'From', 'User-Agent', 'X-Fuzz', 'Contact']), 'A'.repeat(r.int(2000, 60_000)));
      else for (let i = r.int(200, 1500); i > 0; i--) m.headers.push([`X-Fuzz-${i}`, 'x'.repeat(20)]);
      break;
    case 'content-length':
      setHeader(
        m,
        'Content-Length',
        r.pick([
          '0',
          '-1',
          '999999',
          String(Buffer.byteLength(m.body) + r.int(1, 200)),
          String(Math.max(0, Buffer.byteLength(m.body) - r.int(1, 100))),
          'x',
          '',
          '1e3',
          '18446744073709551616',
        ]),
      );
      break;
    case 'bad-via':
      setHeader(
        m,
        'Via',
        r.pick([
          '',
          'SIP/2.0/UDP',
          'SIP/2.0/UDP ;branch=z9hG4bK-x',
          `SIP/2.0/XYZ ${t.localHost}:${t.localPort};branch=z9hG4bK-${callId}`,
          `SIP/2.0/UDP ${t.localHost}:99999;branch=z9hG4bK-${callId}`,
          `SIP/2.0/UDP ${t.localHost}:${t.localPort};branch=`,
          `SIP/2.0/UDP ${t.localHost}:${t.localPort}`,
          `SIP/2.0/UDP 999.999.999.999:5060;branch=z9hG4bK-${callId};rport`,
          `SIP/2.0/UDP ${t.localHost}:${t.localPort};branch=z9hG4bK-${callId};received=${headerText(r)}`,
          `SIP/2.0/TCP ${t.localHost}:${t.localPort};branch=z9hG4bK-${callId}`,
          `${'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-a, '.repeat(r.int(50, 400))}SIP/2.0/UDP ${t.localHost}`,
        ]),
      );
      break;
    case 'bad-sdp':
      m.body = badSdp(r, t);
      if (r.chance(0.2))
        setHeader(m, 'Content-Type', r.pick(['text/plain', 'application/json', '', 'multipart/mixed']));
      contentLength(m);
      break;
    case 'unknown-codec':
      m.body = sdp(r, t, r.pick(['99', '8', '18', '9 18', '96 97 98', '127', '255', 'x']))
        .replace('a=rtpmap:0 PCMU/8000', r.pick(['a=rtpmap:99 OPUS/48000/2', 'a=rtpmap:0 GSM/8000', '']))
        .replace(/a=rtpmap:101 .*\r\n/, '');
      contentLength(m);
      break;
    case 'hostile-caller': {
      // an INVITE a trunk accepts, from a caller whose number and name are anything at all
      const user = r.pick([
        headerText(r).replace(/[\r\n<>@;: "]/g, ''),
        '%00',
        'a%00b',
        '%ff%fe',
        '+1555%0d%0a1234',
        `+${'9'.repeat(r.int(16, 300))}`,
        'anonymous',
        '',
        '😀',
        '+15551234567',
      ]);
      const display = headerText(r).replace(/["\r\n\\]/g, '');
      const f = goodInvite(r, t, callId, user || 'x');
      setHeader(f, 'From', `"${display}" <sip:${user}@${t.localHost}:${t.localPort}>;tag=fz${r.int(0, 1e9)}`);
      return { kind, callId, datagram: render(f), call: true };
    }
    case 'cut-short': {
      const whole = render(m);
      return { kind, callId, datagram: whole.subarray(0, r.int(1, whole.length - 1)), call };
    }
  }
  return { kind, callId, datagram: render(m), call };
}

/** SIP's answer to a datagram: its status and Call-ID, or undefined for anything that is not a response */
export function parseResponse(b: Buffer): { status: number; callId: string; cseq: string; text: string } | undefined {
  const text = b.toString('latin1');
  const head = /^SIP\/2\.0 (\d{3})/.exec(text);
  if (!head) return undefined;
  const header = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(text)?.[1]?.trim() ?? '';
  return { status: Number(head[1]), callId: header('Call-ID'), cseq: header('CSeq'), text };
}

/**
 * The INVITEs the fuzz found that each took a whole process down (fixed by scripts/patches/): an offer of
 * payload type 255 (LiveKit SIP) and an empty From user under a dispatch rule that hides the number
 * (livekit-server). Every run sends them first (fuzzSip), so a build without the fixes fails at once.
 */
export function knownCrashers(t: SipTarget): SipCase[] {
  const rng = new Rng(1);
  const pt255 = goodInvite(rng, t, `crasher-pt255-${t.localPort}`, '+15551234567', sdp(rng, t, '255'));
  const noUser = goodInvite(rng, t, `crasher-nouser-${t.localPort}`);
  setHeader(noUser, 'From', `"" <sip:@${t.localHost}:${t.localPort}>;tag=crasher`);
  setHeader(noUser, 'Contact', `<sip:${t.localHost}:${t.localPort}>`);
  return [
    { kind: 'unknown-codec', callId: `crasher-pt255-${t.localPort}`, datagram: render(pt255), call: false },
    { kind: 'hostile-caller', callId: `crasher-nouser-${t.localPort}`, datagram: render(noUser), call: true },
  ];
}
