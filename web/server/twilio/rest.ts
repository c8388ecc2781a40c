/** Twilio's REST API through the twilio SDK: the one call the bridge makes, redirecting a live call. */
import twilio from 'twilio';
import type { TwilioConfig } from '../config.ts';
import { dialTwiml } from './twiml.ts';

type RequestOptions<T> = Parameters<typeof twilio.RequestClient.prototype.request<T>>[0];

/** the SDK's own HTTP client, with Twilio's hosts swapped for another base URL (the tests' fake) */
class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(private readonly base: string) {
    super({ autoRetry: false });
  }
  override request<T>(opts: RequestOptions<T>) {
    const u = new URL(opts.uri);
    return super.request<T>({ ...opts, uri: `${this.base.replace(/\/$/, '')}${u.pathname}${u.search}` });
  }
}

/** The transfer: the call leaves its stream for <Dial>. Undefined without an account SID. */
export function twilioRedirect(cfg: TwilioConfig): ((callSid: string, to: string) => Promise<void>) | undefined {
  if (!cfg.accountSid) return undefined;
  const client = twilio(
    cfg.accountSid,
    cfg.authToken,
    cfg.apiBaseUrl ? { httpClient: new BaseUrlRequestClient(cfg.apiBaseUrl) } : {},
  );
  return async (callSid, to) => {
    await client.calls(callSid).update({ twiml: dialTwiml(to) });
  };
}
