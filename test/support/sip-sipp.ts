/**
 * sipp (Debian's sip-tester) as the test phone's SIP half. The scenario is written at test time:
 * INVITE with an SDP offering PCMU and telephone-events on the RtpPhone's port, ACK the answer, then
 * wait until either LiveKit hangs up (BYE), or transfers the call (REFER: accepted, a NOTIFY saying the
 * new call was answered, then LiveKit's BYE, as a carrier does), or the test asks sipp to hang up (an
 * in-dialog INFO sent to sipp's own port, which the scenario waits for), and send BYE. LiveKit SIP's BYE
 * may overtake its 200 to our NOTIFY (livekit-sip v1.8 answers the NOTIFY after the goroutine waiting on
 * the transfer has already closed the call), so the scenario accepts either order. A LiveKit SIP that
 * stalls (seen on a loaded CI machine: 4.5 s without reading) retransmits its REFER: before the NOTIFY's
 * 200, sipp itself takes it for a retransmission of what it last received and repeats the NOTIFY; after
 * that 200, the scenario answers it with 202 again. sipp runs in its own
 * process group so a test's cleanup ends it whatever state it is in.
 */
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort } from '../../scripts/lib/ports.ts';
import { startChild, type ChildHandle } from '../../scripts/lib/procs.ts';

export const SIPP = '/usr/bin/sipp';

export interface SippCallOptions {
  /** LiveKit SIP host:port */
  target: string;
  /** the number dialled (Request-URI and To user) */
  to: string;
  /** the caller's number (From user), e.g. +15551234567 */
  from: string;
  /** the RtpPhone's port, put in the SDP (ignored with `wav`) */
  rtpPort: number;
  /**
   * sipp itself plays this 8 kHz μ-law WAV as the caller's RTP (its rtp_stream), when the test says so
   * (signal()); the SDP then names sipp's own media port and the RtpPhone hears nothing.
   */
  wav?: string;
  /** local address sipp sends from (127.0.0.2 tests a disallowed source) */
  localIp?: string;
  log?: (line: string) => void;
}

const sdp = (rtpPort: number) => `v=0
o=voxanne-test 1 1 IN IP4 [local_ip]
s=-
c=IN IP4 [local_ip]
t=0 0
m=audio ${rtpPort} RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=ptime:20
a=sendrecv
`;

/** sipp's answer to the request it just received: that request's headers, no body */
const answerLast = (status: string, extra = '', next = '') => `  <send${next ? ` next="${next}"` : ''}>
    <![CDATA[
SIP/2.0 ${status}
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
${extra}Content-Length: 0

]]>
  </send>`;

/** A request of the test caller's inside its dialog (after the 200 OK: the To tag and Contact it learnt) */
const inDialog = (
  o: SippCallOptions,
  method: string,
  cseq: number,
  { retrans = true, extra = '', body = '' } = {},
) => `  <send${retrans ? ' retrans="500"' : ''}>
    <![CDATA[
${method} [$contact] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Test Caller" <sip:${o.from}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:${o.to}@[remote_ip]:[remote_port]>;tag=[$totag]
Call-ID: [call_id]
CSeq: ${cseq} ${method}
Max-Forwards: 70
${extra}Content-Length: ${body ? '[len]' : '0'}

${body}]]>
  </send>`;

function scenario(o: SippCallOptions): string {
  const body = (o.wav ? sdp(0).replace('m=audio 0 ', 'm=audio [rtpstream_audio_port] ') : sdp(o.rtpPort)).replace(
    /\n/g,
    '\r\n',
  );
  // with a WAV: the test's first INFO starts sipp's RTP stream; the next one hangs up
  const play = o.wav
    ? `  <recv request="INFO"/>\n  <nop><action><exec rtp_stream="${o.wav},1,0"/></action></nop>\n`
    : '';
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="voxanne phone caller">
  <send retrans="500">
    <![CDATA[
INVITE sip:${o.to}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Test Caller" <sip:${o.from}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:${o.to}@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:${o.from}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

${body}]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rrs="true">
    <action>
      <ereg regexp=";tag=([^;&gt; \\r\\n]+)" search_in="hdr" header="To:" assign_to="totagall,totag"/>
      <ereg regexp="&lt;(sip:[^&gt;]+)&gt;" search_in="hdr" header="Contact:" assign_to="contactall,contact"/>
    </action>
  </recv>
  <Reference variables="totagall,contactall"/>
${inDialog(o, 'ACK', 1, { retrans: false })}
${play}  <recv request="BYE" optional="true" next="remote_bye"/>
  <recv request="REFER" optional="true" next="refer"/>
  <recv request="INFO"/>
${inDialog(o, 'BYE', 2)}
  <recv response="200" next="done"/>
  <label id="refer"/>
${answerLast('202 Accepted', `Contact: <sip:${o.from}@[local_ip]:[local_port]>\n`)}
${inDialog(o, 'NOTIFY', 2, {
  extra: [
    `Contact: <sip:${o.from}@[local_ip]:[local_port]>`,
    'Event: refer',
    'Subscription-State: terminated;reason=noresource',
    'Content-Type: message/sipfrag',
    '',
  ].join('\n'),
  body: 'SIP/2.0 200 OK\n',
})}
  <recv response="200" optional="true" next="notified"/>
  <recv request="BYE" next="remote_bye"/>
  <label id="notified"/>
  <recv request="REFER" optional="true" next="refer_late"/>
  <recv request="BYE" next="remote_bye"/>
  <label id="refer_late"/>
${answerLast('202 Accepted', `Contact: <sip:${o.from}@[local_ip]:[local_port]>\n`, 'notified')}
  <label id="remote_bye"/>
${answerLast('200 OK')}
  <label id="done"/>
</scenario>
`;
}

export interface SippCall {
  child: ChildHandle;
  callId: string;
  sipPort: number;
  messageFile: string;
  /** asks sipp to hang up (it sends BYE and exits) */
  hangUp(): Promise<void>;
  /** sends the in-dialog INFO the scenario waits on (with a WAV: the first starts it playing) */
  signal(): Promise<void>;
  /** every SIP message sipp sent or received so far, as text */
  messages(): Promise<string>;
  /** status codes of the responses sipp received */
  responseCodes(): Promise<number[]>;
  /**
   * Where LiveKit SIP wants our RTP: the c= address and m=audio port of its 200 OK. (It sends from
   * another port than it listens on, so the source of its packets is not the answer.)
   */
  answerMedia(timeoutMs: number): Promise<{ address: string; port: number }>;
}

/**
 * One call of `scenarioFile` from localIp, with `own` (addresses, ports) in between; then sipp's
 * message trace (how the tests follow a call), its error log and its guard against a hung call.
 */
const sippArgs = (dir: string, scenarioFile: string, localIp: string, messageFile: string, own: string[]) => [
  '-sf',
  scenarioFile,
  '-m',
  '1',
  '-i',
  localIp,
  ...own,
  '-nostdin',
  '-trace_msg',
  '-message_file',
  messageFile,
  '-trace_err',
  '-error_file',
  join(dir, 'errors.log'),
  '-timeout',
  '180s',
  '-timeout_error',
];

/** The c= address and m=audio port of the first traced message `pick` accepts, once sipp has traced it. */
async function mediaIn(
  child: ChildHandle,
  messages: () => Promise<string>,
  timeoutMs: number,
  o: { pick: (message: string) => boolean; missing: string; exited: (code: number) => string },
): Promise<{ address: string; port: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await messages()).split(/^-{10,}.*$/m).find(o.pick);
    const port = found?.match(/^m=audio (\d+)/m)?.[1];
    const address = found?.match(/^c=IN IP4 (\S+)/m)?.[1];
    if (port && address) return { address, port: Number(port) };
    if (Date.now() > deadline) throw new Error(o.missing);
    if (child.proc.exitCode !== null) throw new Error(o.exited(child.proc.exitCode));
    // sipp writes its message trace to a file; reading it again shortly is the only way to follow it
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts one call with sipp. Resolves at once; watch child.exited for its end (0 = scenario completed). */
export async function sippCall(o: SippCallOptions): Promise<SippCall> {
  const dir = await mkdtemp(join(tmpdir(), 'voxanne-sipp-'));
  const sf = join(dir, 'caller.xml');
  await writeFile(sf, scenario(o));
  const sipPort = await freeUdpPort();
  const mediaPort = await freeUdpPort();
  const callId = `voxanne-test-${Math.random().toString(36).slice(2, 10)}`;
  const messageFile = join(dir, 'messages.log');
  const localIp = o.localIp ?? '127.0.0.1';
  const own = ['-mi', localIp, '-p', String(sipPort), '-mp', String(mediaPort), '-cid_str', `${callId}-%u`];
  const args = [o.target, ...sippArgs(dir, sf, localIp, messageFile, own), '-max_recv_loops', '1'];
  const child = startChild('sipp', SIPP, args, { onLine: (l) => o.log?.(l) });
  const fullCallId = `${callId}-1`;
  const messages = () => readFile(messageFile, 'utf8').catch(() => '');
  let signals = 0;
  const signal = async () => {
    const msg = [
      `INFO sip:caller@${localIp}:${sipPort} SIP/2.0`,
      // a fresh branch each time, or sipp takes the second INFO for a retransmission of the first
      `Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-${callId}-${++signals}`,
      `From: <sip:test@127.0.0.1>;tag=hangup`,
      `To: <sip:caller@${localIp}>`,
      `Call-ID: ${fullCallId}`,
      'CSeq: 99 INFO',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    const s = createSocket('udp4');
    await new Promise<void>((resolve, reject) => s.send(msg, sipPort, localIp, (e) => (e ? reject(e) : resolve())));
    s.close();
  };
  return {
    child,
    callId: fullCallId,
    sipPort,
    messageFile,
    messages,
    async responseCodes() {
      return [...(await messages()).matchAll(/^SIP\/2\.0 (\d{3})/gm)].map((m) => Number(m[1]));
    },
    answerMedia: (timeoutMs) =>
      mediaIn(child, messages, timeoutMs, {
        pick: (m) => /^SIP\/2\.0 200 OK/m.test(m) && /^CSeq: \d+ INVITE/m.test(m),
        missing: `no 200 OK with SDP from LiveKit SIP within ${timeoutMs} ms (see ${messageFile})`,
        exited: (code) => `sipp exited (code ${code}) before the call was answered (see ${messageFile})`,
      }),
    hangUp: signal,
    signal,
  };
}

/** Sends raw bytes to a UDP address (malformed SIP). */
export async function sendUdp(host: string, port: number, bytes: Buffer | string): Promise<void> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => s.send(bytes, port, host, (e) => (e ? reject(e) : resolve())));
  s.close();
}

export interface SippPhone {
  child: ChildHandle;
  messages(): Promise<string>;
  /** where the caller (LiveKit SIP) wants our RTP: the c= address and m=audio port of its INVITE */
  offerMedia(timeoutMs: number): Promise<{ address: string; port: number }>;
}

/**
 * sipp as the patient's phone (server mode): waits for one INVITE on `port`, rings, answers with an
 * SDP pointing at the RtpPhone, and hangs up when LiveKit sends BYE.
 */
export async function sippAnswer(o: {
  port: number;
  rtpPort: number;
  localIp?: string;
  log?: (line: string) => void;
}): Promise<SippPhone> {
  const dir = await mkdtemp(join(tmpdir(), 'voxanne-sipp-uas-'));
  const sf = join(dir, 'patient.xml');
  const reply = (status: string, extra = '', body = '') => `
  <send${status.startsWith('200') ? ' retrans="500"' : ''}>
    <![CDATA[
SIP/2.0 ${status}
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:patient@[local_ip]:[local_port];transport=[transport]>
${extra}Content-Length: ${body ? '[len]' : '0'}

${body}]]>
  </send>`;
  await writeFile(
    sf,
    `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="voxanne patient phone">
  <recv request="INVITE" crlf="true"/>
${reply('180 Ringing')}
${reply('200 OK', 'Content-Type: application/sdp\r\n', sdp(o.rtpPort).replace(/\n/g, '\r\n'))}
  <recv request="ACK" crlf="true"/>
  <recv request="BYE"/>
${answerLast('200 OK')}
</scenario>
`,
  );
  const messageFile = join(dir, 'messages.log');
  const localIp = o.localIp ?? '127.0.0.1';
  const args = sippArgs(dir, sf, localIp, messageFile, ['-p', String(o.port), '-mp', String(await freeUdpPort())]);
  const child = startChild('sipp-uas', SIPP, args, { onLine: (l) => o.log?.(l) });
  const messages = () => readFile(messageFile, 'utf8').catch(() => '');
  return {
    child,
    messages,
    offerMedia: (timeoutMs) =>
      mediaIn(child, messages, timeoutMs, {
        pick: (m) => /message received/.test(m) && /^INVITE /m.test(m),
        missing: `no INVITE with SDP reached the patient's phone within ${timeoutMs} ms (see ${messageFile})`,
        exited: (code) => `sipp (patient) exited (code ${code}) before an INVITE came`,
      }),
  };
}
