/**
 * A local stand-in for exactly the Twilio REST endpoints sip/src/twilio-side.ts and the Media Streams
 * bridge's transfer (web/server/twilio/rest.ts: update a live call with new TwiML) call, speaking their
 * wire format: form-encoded POST bodies, HTTP basic auth with the account SID and auth token,
 * snake_case JSON, and each API's list envelope (Trunking v1: `meta.key`; API 2010: `next_page_uri`).
 * It keeps state like the real service, so a second provisioning run sees the first one's work, and
 * records every request so tests can tell reads from writes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Row = Record<string, unknown>;

export interface TwilioFake {
  baseUrl: string;
  requests: { method: string; path: string; form: Record<string, string> }[];
  state: {
    trunks: Row[];
    originationUrls: Row[];
    credentialLists: Row[];
    credentials: Row[];
    trunkCredentialLists: Row[];
    numbers: Row[];
    /** live calls redirected to new TwiML (Calls/{sid}.json, the Media Streams bridge's transfer) */
    callUpdates: { callSid: string; twiml: string }[];
  };
  close(): Promise<void>;
}

export async function startTwilioFake(
  accountSid: string,
  authToken: string,
  ownedNumbers: string[],
): Promise<TwilioFake> {
  let n = 0;
  const sid = (prefix: string) => `${prefix}${(++n).toString(16).padStart(32, '0')}`;
  const state: TwilioFake['state'] = {
    trunks: [],
    originationUrls: [],
    credentialLists: [],
    credentials: [],
    trunkCredentialLists: [],
    numbers: ownedNumbers.map((phone_number) => ({
      sid: sid('PN'),
      account_sid: accountSid,
      phone_number,
      trunk_sid: null,
    })),
    callUpdates: [],
  };
  const requests: TwilioFake['requests'] = [];

  const v1List = (key: string, rows: Row[], url: string) => ({
    [key]: rows,
    meta: { page: 0, page_size: 50, first_page_url: url, previous_page_url: null, url, next_page_url: null, key },
  });
  const v2010List = (key: string, rows: Row[], uri: string) => ({
    [key]: rows,
    first_page_uri: uri,
    next_page_uri: null,
    previous_page_uri: null,
    page: 0,
    page_size: 50,
    start: 0,
    end: Math.max(0, rows.length - 1),
    uri,
  });

  const handle = (
    method: string,
    path: string,
    query: URLSearchParams,
    form: Record<string, string>,
  ): [number, unknown] => {
    const acct = `/2010-04-01/Accounts/${accountSid}`;
    let m: RegExpMatchArray | null;
    if (path === '/v1/Trunks') {
      if (method === 'GET') return [200, v1List('trunks', state.trunks, path)];
      const t = {
        sid: sid('TK'),
        account_sid: accountSid,
        friendly_name: form.FriendlyName ?? null,
        domain_name: form.DomainName ?? null,
        secure: false,
        url: '',
      };
      state.trunks.push(t);
      return [201, t];
    }
    if ((m = path.match(/^\/v1\/Trunks\/(TK\w+)$/))) {
      const t = state.trunks.find((x) => x.sid === m![1]);
      if (!t) return [404, { code: 20404, message: 'not found', status: 404 }];
      if (method === 'POST') {
        if (form.DomainName !== undefined) t.domain_name = form.DomainName;
        if (form.FriendlyName !== undefined) t.friendly_name = form.FriendlyName;
      }
      return [200, t];
    }
    if ((m = path.match(/^\/v1\/Trunks\/(TK\w+)\/OriginationUrls$/))) {
      const trunk = m[1];
      if (method === 'GET')
        return [
          200,
          v1List(
            'origination_urls',
            state.originationUrls.filter((o) => o.trunk_sid === trunk),
            path,
          ),
        ];
      const o = {
        sid: sid('OU'),
        trunk_sid: trunk,
        friendly_name: form.FriendlyName,
        sip_url: form.SipUrl,
        priority: Number(form.Priority),
        weight: Number(form.Weight),
        enabled: form.Enabled === 'true',
      };
      state.originationUrls.push(o);
      return [201, o];
    }
    if ((m = path.match(/^\/v1\/Trunks\/(TK\w+)\/OriginationUrls\/(OU\w+)$/)) && method === 'POST') {
      const o = state.originationUrls.find((x) => x.sid === m![2] && x.trunk_sid === m![1]);
      if (!o) return [404, { code: 20404, message: 'not found', status: 404 }];
      if (form.SipUrl !== undefined) o.sip_url = form.SipUrl;
      if (form.Priority !== undefined) o.priority = Number(form.Priority);
      if (form.Weight !== undefined) o.weight = Number(form.Weight);
      if (form.Enabled !== undefined) o.enabled = form.Enabled === 'true';
      if (form.FriendlyName !== undefined) o.friendly_name = form.FriendlyName;
      return [200, o];
    }
    if ((m = path.match(/^\/v1\/Trunks\/(TK\w+)\/CredentialLists$/))) {
      const trunk = m[1];
      if (method === 'GET')
        return [
          200,
          v1List(
            'credential_lists',
            state.trunkCredentialLists.filter((c) => c.trunk_sid === trunk),
            path,
          ),
        ];
      const list = state.credentialLists.find((c) => c.sid === form.CredentialListSid);
      if (!list) return [400, { code: 21212, message: 'unknown credential list', status: 400 }];
      const c = { sid: list.sid, trunk_sid: trunk, friendly_name: list.friendly_name, account_sid: accountSid };
      state.trunkCredentialLists.push(c);
      return [201, c];
    }
    if ((m = path.match(/^\/v1\/Trunks\/(TK\w+)\/PhoneNumbers$/))) {
      const trunk = m[1];
      if (method === 'GET')
        return [
          200,
          v1List(
            'phone_numbers',
            state.numbers.filter((p) => p.trunk_sid === trunk),
            path,
          ),
        ];
      const p = state.numbers.find((x) => x.sid === form.PhoneNumberSid);
      if (!p) return [400, { code: 21421, message: 'unknown phone number', status: 400 }];
      p.trunk_sid = trunk;
      return [201, p];
    }
    if (path === `${acct}/SIP/CredentialLists.json`) {
      if (method === 'GET') return [200, v2010List('credential_lists', state.credentialLists, path)];
      const c = { sid: sid('CL'), account_sid: accountSid, friendly_name: form.FriendlyName };
      state.credentialLists.push(c);
      return [201, c];
    }
    if ((m = path.match(new RegExp(`^${acct}/SIP/CredentialLists/(CL\\w+)/Credentials\\.json$`)))) {
      const list = m[1];
      if (method === 'GET')
        return [
          200,
          v2010List(
            'credentials',
            state.credentials.filter((c) => c.credential_list_sid === list).map(({ password: _p, ...c }) => c),
            path,
          ),
        ];
      // Twilio's rule for SIP credential passwords
      if (!/^(?=.*[a-z])(?=.*[A-Z])(?=.*\d).{12,}$/.test(form.Password ?? ''))
        return [400, { code: 21612, message: 'password too weak', status: 400 }];
      const c = {
        sid: sid('CR'),
        account_sid: accountSid,
        credential_list_sid: list,
        username: form.Username,
        password: form.Password,
      };
      state.credentials.push(c);
      const { password: _p, ...shown } = c;
      return [201, shown];
    }
    if ((m = path.match(new RegExp(`^${acct}/Calls/(CA[0-9a-f]{32})\\.json$`))) && method === 'POST') {
      if (!form.Twiml && !form.Url) return [400, { code: 21205, message: 'Url or Twiml is required', status: 400 }];
      state.callUpdates.push({ callSid: m[1]!, twiml: form.Twiml ?? '' });
      return [
        200,
        {
          sid: m[1],
          account_sid: accountSid,
          status: 'in-progress',
          direction: 'inbound',
          api_version: '2010-04-01',
          uri: `${acct}/Calls/${m[1]}.json`,
        },
      ];
    }
    if (path === `${acct}/IncomingPhoneNumbers.json` && method === 'GET') {
      const want = query.get('PhoneNumber');
      return [
        200,
        v2010List(
          'incoming_phone_numbers',
          state.numbers.filter((p) => !want || p.phone_number === want),
          path,
        ),
      ];
    }
    return [404, { code: 20404, message: `fake has no ${method} ${path}`, status: 404 }];
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const form = Object.fromEntries(new URLSearchParams(body));
      requests.push({ method: req.method ?? 'GET', path: url.pathname, form });
      const auth = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
      const [status, payload] =
        auth === `${accountSid}:${authToken}`
          ? handle(req.method ?? 'GET', url.pathname, url.searchParams, form)
          : [401, { code: 20003, message: 'Authenticate', status: 401 }];
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
