/**
 * A phone caller with the same measuring surface as SimCaller (waitFor, firstAudibleAfter, audibleMs,
 * silentFrom, waitQuiet, play, leave), so the benchmark's caller script (bench/lib/caller-script.ts)
 * can run unchanged over the SIP leg: sipp for the signalling, RtpPhone for the audio. What it measures
 * is her voice as RTP at the phone, after LiveKit SIP's μ-law encoding and jitter buffer.
 */
import { encodeMulaw } from '@voxanne/contracts/g711';
import { resample } from '../../agent/src/core/audio/resample.ts';
import { RtpPhone } from './sip-rtp.ts';
import { sippCall, type SippCall } from './sip-sipp.ts';

export class SipCaller {
  /** when the call was answered (LiveKit SIP's 200 OK seen): the greeting is timed from here */
  joinedAtMs = 0;
  /** when the INVITE left */
  invitedAtMs = 0;

  private constructor(
    readonly phone: RtpPhone,
    readonly call: SippCall,
  ) {}

  static async dial(o: { target: string; to: string; from: string }): Promise<SipCaller> {
    const phone = await RtpPhone.open();
    const invitedAtMs = performance.now();
    const call = await sippCall({ ...o, rtpPort: phone.port });
    const c = new SipCaller(phone, call);
    c.invitedAtMs = invitedAtMs;
    try {
      phone.remote = await call.answerMedia(30_000);
    } catch (e) {
      await c.leave();
      throw e;
    }
    c.joinedAtMs = performance.now();
    phone.keepLineOpen(call.child.exited);
    return c;
  }

  /** her voice as the phone received it, one entry per RTP packet */
  get heard() {
    return this.phone.heard;
  }

  waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return this.phone.waitFor(pred, timeoutMs, what);
  }

  firstAudibleAfter(fromMs: number, threshold = 300): number | undefined {
    return this.phone.firstAudibleAfter(fromMs, threshold);
  }

  audibleMs(fromMs = 0, threshold = 300): number {
    return this.phone.audibleMs(fromMs, threshold);
  }

  silentFrom(fromMs: number, quietMs = 100, threshold = 300): number | undefined {
    return this.phone.silentFrom(fromMs, quietMs, threshold);
  }

  /** Resolves with the start of the first quietMs without her voice (from the call at the earliest). */
  waitQuiet(quietMs: number, timeoutMs: number, threshold = 300): Promise<number> {
    const calledAt = performance.now();
    const quietSince = () => {
      const heard = this.phone.heard;
      for (let i = heard.length - 1; i >= 0; i--)
        if (heard[i]!.rms > threshold) return Math.max(calledAt, heard[i]!.atMs);
      return calledAt;
    };
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = setTimeout(() => {
        clearTimeout(timer);
        reject(new Error(`her audio did not go quiet for ${quietMs} ms within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        const left = quietSince() + quietMs - performance.now();
        if (left <= 0) {
          clearTimeout(deadline);
          resolve(quietSince());
        } else timer = setTimeout(check, left);
      };
      check();
    });
  }

  /** Plays 48 kHz mono PCM (the benchmark's utterances) down the phone line: 8 kHz μ-law RTP, in real time. */
  async play(pcm48k: Int16Array, signal?: AbortSignal): Promise<{ startMs: number; endMs: number }> {
    return this.phone.play(Buffer.from(encodeMulaw(resample(pcm48k, 48000, 8000))), signal);
  }

  /** Hangs up (BYE) and frees the socket and sipp. */
  async leave(): Promise<void> {
    if (this.call.child.proc.exitCode === null) {
      await this.call.hangUp();
      const bye = await Promise.race([this.call.child.exited, new Promise((r) => setTimeout(r, 5000, 'timeout'))]);
      if (bye === 'timeout') await this.call.child.stop();
    }
    this.phone.close();
  }
}
