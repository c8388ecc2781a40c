/**
 * What a phone call adds to a call: keypad digits (LiveKit SIP turns RFC 4733 telephone-events into
 * SipDTMF data packets, seen here as RoomEvent.DtmfReceived; v1.8.0 ignores SIP INFO digits) and the
 * hand-over to a person ("press 0"): she says so first, and once she has said it LiveKit SIP transfers
 * the caller with a SIP REFER (TransferSIPParticipant). Without a transfer number she says no one can
 * take the call now.
 */
import { RoomEvent, type RemoteParticipant, type Room } from '@livekit/rtc-node';
import { SipClient } from 'livekit-server-sdk';
import type { ConversationState } from '@voxanne/contracts/protocol';
import { EMPTY_KEYPAD, keypadPress } from '../core/phone/keypad.ts';
import type { Logger } from '../call/logger.ts';

/** how long she waits before trying a failed transfer once more (the caller hears the hold line's silence) */
export const TRANSFER_RETRY_MS = 500;

export interface PhoneCallOptions {
  room: Room;
  caller: RemoteParticipant;
  logger: Logger;
  /** she says a line by herself */
  say(text: string): void;
  /** where "a person" is: tel:+1… or sip:…; undefined = no one to transfer to */
  transferTo?: string;
  livekit: { url: string; apiKey: string; apiSecret: string };
  clinicName: string;
  /** how the transfer is made; default LiveKit's TransferSIPParticipant (tests give their own) */
  transfer?: (room: string, identity: string, to: string) => Promise<void>;
  /** pause before the one retry of a failed transfer; default TRANSFER_RETRY_MS */
  transferRetryMs?: number;
  /** she is collecting something the keypad can give (a phone number, a date of birth): 0 is a digit then */
  collecting?: () => boolean;
  /** the caller typed an answer and ended it with # (core/phone/keypad.ts): their words, as if said */
  typed?: (text: string) => void;
}

export const phoneLines = (clinicName: string) => ({
  transferring: `Of course. I'm connecting you to someone at ${clinicName} now. Please hold.`,
  onCall: `I'm also connecting you to our on-call team now. Please stay on the line.`,
  noTransfer:
    `I'm sorry, no one at ${clinicName} can take the call right now. I can help you ` +
    `here, or you can call back during opening hours.`,
});

export class PhoneCall {
  #transferring = false;
  /** resolves the next time she stops speaking (back to LISTENING, or cut off) */
  #doneSpeaking: (() => void) | undefined;
  #spoke = false;
  #keypad = EMPTY_KEYPAD;
  readonly #lines: ReturnType<typeof phoneLines>;

  constructor(private readonly o: PhoneCallOptions) {
    this.#lines = phoneLines(o.clinicName);
  }

  start(): void {
    this.o.room.on(RoomEvent.DtmfReceived, this.#onDtmf);
  }

  close(): void {
    this.o.room.off(RoomEvent.DtmfReceived, this.#onDtmf);
  }

  /** The call session's state changes (wired by main.ts). */
  onAgentState(to: ConversationState, from: ConversationState): void {
    if (to === 'SPEAKING') this.#spoke = true;
    if (this.#spoke && from === 'SPEAKING' && to !== 'SPEAKING') {
      this.#spoke = false;
      this.#doneSpeaking?.();
    }
  }

  readonly #onDtmf = (code: number, digit: string, p: RemoteParticipant) => {
    if (p.identity !== this.o.caller.identity) return;
    const r = keypadPress(this.#keypad, digit, this.o.collecting?.() ?? false);
    this.#keypad = r.state;
    // a digit typed into an entry may be part of a number or a birth date: personal, so not at info
    if (r.state.digits || r.action.type === 'answer')
      this.o.logger.debug({ code, action: r.action.type, pii: { digit } }, 'dtmf');
    else this.o.logger.info({ digit, code, intent: r.action.type === 'person' ? 'person' : 'none' }, 'dtmf');
    if (r.action.type === 'person') void this.toPerson();
    else if (r.action.type === 'answer') this.o.typed?.(r.action.text);
  };

  /**
   * The caller wants a person: she says so, then transfers (or says no one is free). The keypad's 0
   * calls this; a spoken request ("can I talk to someone?") can too, once the brain recognises it.
   */
  async toPerson(): Promise<void> {
    if (this.#transferring) return;
    if (!this.o.transferTo) {
      this.o.say(this.#lines.noTransfer);
      return;
    }
    this.#transferring = true;
    await this.#sayAndWait(this.#lines.transferring);
    await this.#transfer(this.o.transferTo, this.#lines.noTransfer);
  }

  /**
   * An emergency (core/emergency.ts): her fixed line is starting now as the reply to the caller's words.
   * Once she has said it, the person on call takes the call; without one, nothing more happens here
   * (the line already told the caller what to do). If the transfer fails she says `line` again.
   */
  async emergency(onCall: string | undefined, line: string): Promise<void> {
    if (this.#transferring || !onCall) return;
    this.#transferring = true;
    const lineSaid = this.#nextLineSaid();
    await lineSaid;
    await this.#sayAndWait(this.#lines.onCall);
    await this.#transfer(onCall, line);
  }

  #nextLineSaid(): Promise<void> {
    this.#spoke = false;
    return new Promise<void>((resolve) => (this.#doneSpeaking = resolve));
  }

  async #sayAndWait(line: string): Promise<void> {
    const said = this.#nextLineSaid();
    this.o.say(line);
    await said;
  }

  /** `failed`: what she says if the caller is still with her after the transfer failed */
  async #transfer(to: string, failed: string): Promise<void> {
    this.o.logger.info({ pii: { transferTo: to } }, 'transferring the caller');
    try {
      const transfer =
        this.o.transfer ??
        ((room: string, identity: string, to: string) =>
          new SipClient(
            this.o.livekit.url.replace(/^ws/, 'http'),
            this.o.livekit.apiKey,
            this.o.livekit.apiSecret,
          ).transferSipParticipant(room, identity, to, { playDialtone: false }));
      try {
        await transfer(this.o.room.name!, this.o.caller.identity, to);
      } catch (err) {
        // A REFER can fail at once on a transient SIP transaction error (seen with LiveKit SIP 1.8: "transaction
        // failed to complete (0 intermediate responses)"); the caller is still on hold, so it is tried once more.
        this.o.logger.warn({ err: (err as Error).message }, 'transfer failed; trying once more');
        await new Promise((r) => setTimeout(r, this.o.transferRetryMs ?? TRANSFER_RETRY_MS));
        await transfer(this.o.room.name!, this.o.caller.identity, to);
      }
      this.o.logger.info({}, 'caller transferred');
    } catch (err) {
      // the caller is still with her: tell them instead of leaving them in silence
      this.o.logger.warn({ err: (err as Error).message }, 'transfer failed');
      this.#transferring = false;
      this.o.say(failed);
    }
  }
}
