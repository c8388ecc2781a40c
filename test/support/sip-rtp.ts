/**
 * The media half of a test phone: one UDP socket speaking RTP/PCMU (G.711 μ-law, 8 kHz, 20 ms
 * packets) and RFC 4733 DTMF events. sipp does the SIP signalling and puts this socket's port in its
 * SDP, so LiveKit SIP sends her voice here and takes ours from here. Times are performance.now() ms.
 */
import { createSocket, type Socket } from 'node:dgram';
import { readFile, writeFile } from 'node:fs/promises';
import { decodeMulaw, encodeMulaw, linearToUlaw, ulawToLinear } from '@voxanne/contracts/g711';
import { HeardAudio } from './heard-audio.ts';

export { linearToUlaw, ulawToLinear };

export const PHONE_RATE = 8000;
const PACKET_SAMPLES = 160; // 20 ms
const PT_PCMU = 0;
export const PT_DTMF = 101;

/** A WAV file of 8 kHz mono μ-law (format 7), what a phone line carries. */
export async function writeUlawWav(path: string, pcm8k: Int16Array): Promise<void> {
  const data = Buffer.from(encodeMulaw(pcm8k));
  const h = Buffer.alloc(46);
  h.write('RIFF', 0);
  h.writeUInt32LE(38 + data.length, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(18, 16); // fmt chunk with cbSize, as non-PCM formats have
  h.writeUInt16LE(7, 20); // WAVE_FORMAT_MULAW
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(PHONE_RATE, 24);
  h.writeUInt32LE(PHONE_RATE, 28); // bytes per second
  h.writeUInt16LE(1, 32); // block align
  h.writeUInt16LE(8, 34);
  h.writeUInt16LE(0, 36);
  h.write('data', 38);
  h.writeUInt32LE(data.length, 42);
  await writeFile(path, Buffer.concat([h, data]));
}

/** The μ-law bytes of a WAV written by writeUlawWav (or any 8 kHz mono μ-law WAV). */
export async function readUlawWav(path: string): Promise<Buffer> {
  const b = await readFile(path);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error(`${path} is not a WAV file`);
  let off = 12;
  let format = 0;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      format = b.readUInt16LE(off + 8);
      if (format !== 7 || b.readUInt16LE(off + 10) !== 1 || b.readUInt32LE(off + 12) !== PHONE_RATE)
        throw new Error(`${path} is not 8 kHz mono μ-law`);
    }
    if (id === 'data') return b.subarray(off + 8, off + 8 + size);
    off += 8 + size + (size & 1);
  }
  throw new Error(`${path} has no data chunk`);
}

/** Her audio as received: one entry per RTP packet (20 ms). */
export interface HeardPacket {
  atMs: number;
  rms: number;
  payloadType: number;
}

export class RtpPhone extends HeardAudio<HeardPacket> {
  /** where our RTP goes: the address and port of LiveKit SIP's SDP answer (set by the test) */
  remote: { address: string; port: number } | undefined;
  #seq = Math.floor(Math.random() * 0xffff);
  #ts = Math.floor(Math.random() * 0xffffffff);
  readonly #ssrc = Math.floor(Math.random() * 0xffffffff) >>> 0;
  #first: Promise<void>;
  /** a phone sends packets all call long; silence fills the gaps between play() calls */
  #idle: NodeJS.Timeout | undefined;
  #playing = 0;
  /** wall clock (performance.now()) up to which the idle line has sent its silence */
  #idleSentTo: number | undefined;
  /** the call is over (hangUp): the phone sends nothing more */
  #hungUp = false;
  /** the PCMU payloads heard since record() */
  #recording: Buffer[] | undefined;

  private constructor(readonly socket: Socket) {
    super(20, 200);
    let gotFirst!: () => void;
    this.#first = new Promise((r) => (gotFirst = r));
    socket.on('message', (msg) => {
      if (msg.length < 12 || msg[0]! >> 6 !== 2) return; // not RTP v2
      gotFirst();
      const pt = msg[1]! & 0x7f;
      const cc = msg[0]! & 0x0f;
      const payload = msg.subarray(12 + cc * 4);
      let sum = 0;
      if (pt === PT_PCMU) {
        for (const u of payload) sum += ulawToLinear(u) ** 2;
        this.#recording?.push(payload);
      }
      this.heard.push({
        atMs: performance.now(),
        rms: pt === PT_PCMU ? Math.sqrt(sum / Math.max(1, payload.length)) : 0,
        payloadType: pt,
      });
      this.notify();
    });
  }

  /** From now on keeps what it hears, for recorded() */
  record(): void {
    this.#recording ??= [];
  }

  /** What it heard since record(), decoded (8 kHz), and in how many packets */
  recorded(): { pcm: Int16Array; packets: number } {
    const payloads = this.#recording ?? [];
    return { pcm: decodeMulaw(Buffer.concat(payloads)), packets: payloads.length };
  }

  static async open(host = '127.0.0.1'): Promise<RtpPhone> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => resolve());
    });
    return new RtpPhone(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Resolves once LiveKit SIP has sent us a first packet. */
  firstPacket(): Promise<void> {
    return this.#first;
  }

  #packet(pt: number, payload: Buffer, marker = false, advanceTs = true, ts = this.#ts): Buffer {
    const h = Buffer.alloc(12);
    h[0] = 0x80;
    h[1] = (marker ? 0x80 : 0) | pt;
    h.writeUInt16BE(this.#seq, 2);
    this.#seq = (this.#seq + 1) & 0xffff;
    h.writeUInt32BE(ts >>> 0, 4);
    h.writeUInt32BE(this.#ssrc, 8);
    if (advanceTs) this.#ts = (this.#ts + PACKET_SAMPLES) >>> 0;
    return Buffer.concat([h, payload]);
  }

  #send(b: Buffer): Promise<void> {
    if (this.#hungUp) return Promise.resolve();
    const r = this.remote;
    if (!r) throw new Error('no answer yet: do not know where to send RTP');
    return new Promise((resolve, reject) => this.socket.send(b, r.port, r.address, (e) => (e ? reject(e) : resolve())));
  }

  /**
   * Starts sending silence whenever nothing is played, as an open phone line does (LiveKit SIP hangs up a silent
   * line), until `callEnded` settles (sipp's exit: after its BYE, or its 200 to LiveKit's): then it hangs up.
   */
  keepLineOpen(callEnded: Promise<unknown>): void {
    const end = () => this.hangUp();
    void callEnded.then(end, end);
    if (this.#hungUp) return;
    this.#idle ??= setInterval(() => {
      const now = performance.now();
      if (this.#playing > 0 || !this.remote || this.#idleSentTo === undefined) {
        this.#idleSentTo = now;
        return;
      }
      // paced on the wall clock, as a phone's own clock does: a timer that fires late on a busy machine
      // would otherwise send fewer than 50 packets a second, and the receiving jitter buffer, starved,
      // stretches the caller's next words to build its delay back up
      for (let n = 0; this.#idleSentTo + 20 <= now && n < 10; n++) {
        this.#idleSentTo += 20;
        void this.#send(this.#packet(PT_PCMU, Buffer.alloc(PACKET_SAMPLES, 0xff))).catch(() => {});
      }
      if (this.#idleSentTo + 20 <= now) this.#idleSentTo = now;
    }, 20);
  }

  /** Sends μ-law audio in real time, 20 ms a packet (paced on the wall clock, as a phone does). */
  async play(ulaw: Buffer, signal?: AbortSignal): Promise<{ startMs: number; endMs: number }> {
    this.#playing++;
    try {
      return await this.#play(ulaw, signal);
    } finally {
      this.#playing--;
      // the silence goes on from where the played audio ended
      this.#idleSentTo = performance.now();
    }
  }

  async #play(ulaw: Buffer, signal?: AbortSignal): Promise<{ startMs: number; endMs: number }> {
    const startMs = performance.now();
    for (let i = 0, n = 0; i < ulaw.length; i += PACKET_SAMPLES, n++) {
      if (signal?.aborted || this.#hungUp) break;
      const chunk = Buffer.alloc(PACKET_SAMPLES, 0xff); // 0xff is μ-law silence
      ulaw.copy(chunk, 0, i, Math.min(ulaw.length, i + PACKET_SAMPLES));
      await this.#send(this.#packet(PT_PCMU, chunk, n === 0));
      const due = startMs + (n + 1) * 20 - performance.now();
      if (due > 0) await new Promise((r) => setTimeout(r, due));
    }
    return { startMs, endMs: performance.now() };
  }

  /** Silence for ms (keeps the RTP flowing, as a real phone does between words). */
  silence(ms: number): Promise<{ startMs: number; endMs: number }> {
    return this.play(Buffer.alloc(Math.round((PHONE_RATE * ms) / 1000), 0xff));
  }

  /** One DTMF digit as RFC 4733 telephone-events: 100 ms of tone, then three end packets. */
  async dtmf(digit: string): Promise<void> {
    this.#playing++;
    try {
      await this.#dtmf(digit);
    } finally {
      this.#playing--;
    }
  }

  async #dtmf(digit: string): Promise<void> {
    const code = '0123456789*#'.indexOf(digit);
    if (code < 0) throw new Error(`not a DTMF digit: ${digit}`);
    const ts = this.#ts;
    const event = (duration: number, end: boolean) =>
      Buffer.from([code, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]);
    for (let d = 160; d <= 800; d += 160) {
      await this.#send(this.#packet(PT_DTMF, event(d, false), d === 160, false, ts));
      await new Promise((r) => setTimeout(r, 20));
    }
    for (let i = 0; i < 3; i++) await this.#send(this.#packet(PT_DTMF, event(800, true), false, false, ts));
    this.#ts = (this.#ts + 800) >>> 0;
  }

  /**
   * The call is over: nothing more is sent, as a real phone stops its RTP at the BYE. A phone that went on
   * sending would feed its silence into whichever later call LiveKit SIP hands that RTP port to, a second
   * stream beside the new caller's (its port stats: streams 2, mux_resets by the hundred), and the agent would
   * hear the two interleaved: half the new caller's packets, at twice the rate. Still hears, for late packets.
   */
  hangUp(): void {
    this.#hungUp = true;
    clearInterval(this.#idle);
  }

  close(): void {
    this.hangUp();
    this.socket.close();
  }
}
