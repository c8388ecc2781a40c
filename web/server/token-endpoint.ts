/**
 * POST /api/token: opens a new call. The server chooses the room and the caller's identity, creates
 * the room (one caller, Voxanne dispatched), waits for a worker to take her job, and only then hands
 * the page a token for that room. Each client address gets a token bucket and a cap on the calls it
 * holds at once; when no worker takes the job, the page hears at once that every line is busy.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import {
  LINES_BUSY_CODE,
  LINES_BUSY_MESSAGE,
  TOO_MANY_CALLS_CODE,
  type CallTokenError,
  type CallTokenResponse,
} from '@voxanne/contracts/call-room';
import { AGENT_ASSIGN_WAIT_MS, CallRoomError, type AgentAnswer, type CallRooms } from './call-rooms.ts';
import { CallsPerClient, TokenBuckets } from './call-limits.ts';
import { addressKey, clientAddress } from './client-address.ts';
import type { WebConfig } from './config.ts';
import { BodyTooLargeError, readBody, sendJson } from './http-util.ts';
import type { StandbyPool } from './standby-pool.ts';
import { mintCallerToken, newCallNames, validateTokenRequest, type CallNames } from './token.ts';

export const MAX_BODY_BYTES = 4 * 1024;

type EndpointConfig = Pick<
  WebConfig,
  | 'livekitUrl'
  | 'livekitApiKey'
  | 'livekitApiSecret'
  | 'defaultTenant'
  | 'trustProxy'
  | 'tokenBurst'
  | 'tokenPerMinute'
  | 'maxCallsPerClient'
>;

export class TokenEndpoint {
  readonly #buckets: TokenBuckets;
  readonly #calls: CallsPerClient;

  constructor(
    private readonly config: EndpointConfig,
    private readonly rooms: CallRooms,
    private readonly logger: Logger,
    now: () => number = () => performance.now(),
    /** the standby calls (WEB_STANDBY_CALLS): a ready one is handed out at once; none, the room is opened now */
    private readonly standby?: StandbyPool,
  ) {
    this.#buckets = new TokenBuckets({ burst: config.tokenBurst, perMinute: config.tokenPerMinute }, now);
    this.#calls = new CallsPerClient(config.maxCallsPerClient);
  }

  /** onIssued: counted in the web server's metrics */
  async handle(req: IncomingMessage, res: ServerResponse, onIssued?: () => void): Promise<void> {
    const refuse = (status: number, body: CallTokenError, headers?: Record<string, string>) =>
      sendJson(res, status, body, headers);
    const linesBusy = () => refuse(503, { error: LINES_BUSY_MESSAGE, code: LINES_BUSY_CODE }, { 'retry-after': '60' });
    let raw: Buffer;
    try {
      raw = await readBody(req, MAX_BODY_BYTES);
    } catch (e) {
      if (e instanceof BodyTooLargeError) {
        return refuse(413, { error: `request body must be at most ${MAX_BODY_BYTES} bytes` }, { connection: 'close' });
      }
      throw e;
    }
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return refuse(400, { error: 'body must be empty or valid JSON', field: 'body' });
      }
    }
    const v = validateTokenRequest(body);
    if (!v.ok) return refuse(400, { error: v.error, field: v.field });

    const client = addressKey(clientAddress(req, { trustProxy: this.config.trustProxy }));
    const rate = this.#buckets.take(client);
    if (!rate.ok) {
      const seconds = Math.max(1, Math.ceil(rate.retryAfterMs / 1000));
      this.logger.warn({ retryAfterS: seconds }, 'token refused: rate limit');
      return refuse(
        429,
        { error: `too many calls from this address; try again in ${seconds} s`, code: TOO_MANY_CALLS_CODE },
        { 'retry-after': String(seconds) },
      );
    }
    // a standby call ready for this clinic: her job already in the room, her voice published
    let held: Awaited<ReturnType<StandbyPool['claim']>>;
    try {
      held = await this.standby?.claim(this.config.defaultTenant, (room) =>
        this.#calls.reserve(client, room, (rooms) => this.rooms.alive(rooms)),
      );
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'checking the calls of an address failed');
      return this.#unreachable(res);
    }
    if (held === 'refused') return this.#tooManyCalls(res);
    if (held) return this.#grant(res, held, true, onIssued);

    const names = newCallNames();
    let reserved: boolean;
    try {
      reserved = await this.#calls.reserve(client, names.room, (rooms) => this.rooms.alive(rooms));
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'checking the calls of an address failed');
      return this.#unreachable(res);
    }
    if (!reserved) return this.#tooManyCalls(res);

    // the room first: a caller who joined a room LiveKit created on the fly would wait for no one
    try {
      await this.rooms.open({
        room: names.room,
        metadata: { tenant: this.config.defaultTenant, channel: 'web', caller: names.identity },
      });
    } catch (err) {
      this.#calls.release(client, names.room);
      this.logger.warn({ err: (err as Error).message }, 'opening the call room failed');
      // LiveKit answered but has no node free to put the call on: to the caller, every line is busy
      if (err instanceof CallRoomError && err.full) return linesBusy();
      return this.#unreachable(res);
    }
    let answer: AgentAnswer;
    try {
      answer = await this.rooms.agentAssigned(names.room, AGENT_ASSIGN_WAIT_MS);
    } catch (err) {
      answer = 'no-answer';
      this.logger.warn({ err: (err as Error).message }, 'waiting for the agent failed');
    }
    if (answer !== 'taken') {
      this.#calls.release(client, names.room);
      await this.rooms.close(names.room);
      this.logger.warn({ room: names.room, why: answer }, 'token refused: no agent free');
      return linesBusy();
    }
    return this.#grant(res, names, false, onIssued);
  }

  /** the token for exactly this room and identity, handed to the one click that holds the room */
  async #grant(res: ServerResponse, names: CallNames, standby: boolean, onIssued?: () => void): Promise<void> {
    const token = await mintCallerToken(
      { apiKey: this.config.livekitApiKey, apiSecret: this.config.livekitApiSecret },
      names,
    );
    this.logger.info({ room: names.room, standby }, 'token issued');
    onIssued?.();
    const granted: CallTokenResponse = { url: this.config.livekitUrl, token, ...names };
    sendJson(res, 200, granted);
  }

  #tooManyCalls(res: ServerResponse): void {
    this.logger.warn({ max: this.config.maxCallsPerClient }, 'token refused: calls per address');
    sendJson(
      res,
      429,
      {
        error: `this address already holds ${this.config.maxCallsPerClient} calls; end one first`,
        code: TOO_MANY_CALLS_CODE,
      } satisfies CallTokenError,
      { 'retry-after': '30' },
    );
  }

  #unreachable(res: ServerResponse): void {
    sendJson(res, 503, { error: 'the voice server cannot be reached; please try again shortly' });
  }
}
