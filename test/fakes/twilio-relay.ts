/**
 * Twilio's side of a ConversationRelay call, speaking its real wire format (docs:
 * voice/conversationrelay/websocket-messages): after the signed webhook's TwiML names the relay URL,
 * it opens the socket and sends `setup` (sessionId, accountSid, callSid, from, to, direction,
 * customParameters), then the caller's `prompt`s (voicePrompt, lang, last), `interrupt`
 * (utteranceUntilInterrupt, durationUntilInterruptMs), `dtmf` and `error`; from the app it takes `text`
 * tokens (a reply ends with `last: true`) and `end` (handoffData).
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { ACCOUNT_SID, openTwilioSocket } from './twilio-media.ts';

export interface RelayToken {
  token: string;
  last: boolean;
  /** performance.now() when it arrived */
  at: number;
}

/** the <ConversationRelay> attributes and the <Connect action> of a TwiML answer */
export function relayOf(twiml: string): Record<string, string> | undefined {
  const tag = /<ConversationRelay ([^>]*?)\/?>/.exec(twiml)?.[1];
  if (!tag) return undefined;
  const attrs: Record<string, string> = {};
  for (const m of tag.matchAll(/(\w+)="([^"]*)"/g))
    attrs[m[1]!] = m[2]!
      .replace(/&amp;/g, '&')
      .replace(/&apos;/g, "'")
      .replace(/&quot;/g, '"');
  const action = /<Connect action="([^"]+)"/.exec(twiml)?.[1];
  if (action) attrs.action = action.replace(/&amp;/g, '&');
  return attrs;
}

export class FakeRelaySession {
  readonly sessionId = `VX${randomBytes(16).toString('hex')}`;
  readonly tokens: RelayToken[] = [];
  readonly ends: Array<{ handoffData?: string }> = [];
  readonly unknown: unknown[] = [];
  closedAt: number | undefined;

  private constructor(
    readonly ws: WebSocket,
    readonly callSid: string,
  ) {
    ws.on('message', (data) => this.#onMessage(String(data)));
    ws.on('close', () => (this.closedAt = performance.now()));
  }

  static async open(url: string, callSid: string): Promise<FakeRelaySession> {
    return new FakeRelaySession(await openTwilioSocket(url), callSid);
  }

  #onMessage(text: string): void {
    const m = JSON.parse(text) as { type?: string; token?: string; last?: boolean; handoffData?: string };
    if (m.type === 'text' && typeof m.token === 'string')
      this.tokens.push({ token: m.token, last: m.last === true, at: performance.now() });
    else if (m.type === 'end') this.ends.push(m.handoffData !== undefined ? { handoffData: m.handoffData } : {});
    else this.unknown.push(m);
  }

  #send(m: Record<string, unknown>): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m));
  }

  raw(text: string | Buffer): void {
    this.ws.send(text);
  }

  setup(from: string, to: string, customParameters: Record<string, string> = {}, callSid = this.callSid): void {
    this.#send({
      type: 'setup',
      sessionId: this.sessionId,
      accountSid: ACCOUNT_SID,
      parentCallSid: '',
      callSid,
      from,
      to,
      forwardedFrom: to,
      callType: 'PSTN',
      callerName: '',
      direction: 'inbound',
      callStatus: 'RINGING',
      customParameters,
    });
  }

  /** the caller's finished utterance, as Twilio's recogniser reports it */
  prompt(voicePrompt: string, last = true): void {
    this.#send({ type: 'prompt', voicePrompt, lang: 'en-US', last });
  }

  /** the caller talked over her: what Twilio had spoken of her reply until then */
  interrupt(utteranceUntilInterrupt: string, durationUntilInterruptMs: number): void {
    this.#send({ type: 'interrupt', utteranceUntilInterrupt, durationUntilInterruptMs });
  }

  dtmf(digit: string): void {
    this.#send({ type: 'dtmf', digit });
  }

  error(description: string): void {
    this.#send({ type: 'error', description });
  }

  /** her reply since token `from`: the text of its tokens, and whether it ended (`last: true`) */
  replySince(from: number): { text: string; done: boolean } {
    const t = this.tokens.slice(from);
    return {
      text: t
        .map((x) => x.token)
        .join(' ')
        .trim(),
      done: t.some((x) => x.last),
    };
  }

  drop(): void {
    this.ws.terminate();
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
  }
}
