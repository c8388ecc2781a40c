/**
 * Twilio's half of provisioning, through the official twilio SDK: an Elastic SIP Trunk whose
 * origination URI points at LiveKit SIP (calls to the clinic's number go to Voxanne), a credential
 * list for termination (LiveKit's outbound trunk signs in with it to call patients), and the
 * clinic's numbers moved onto the trunk.
 */
import twilio from 'twilio';
import type { ProvisionConfig } from './config.ts';
import { planResource, type Action } from './plan.ts';

export const TWILIO_NAMES = {
  trunk: 'voxanne',
  origination: 'voxanne-livekit',
  credentialList: 'voxanne-livekit-outbound',
} as const;

/**
 * twilio's own HTTP client, with every https://<product>.twilio.com URL sent to another base URL
 * instead (the path is kept: /v1/Trunks…, /2010-04-01/Accounts/…). The request itself (method, form
 * body, basic auth, paging) is exactly what the SDK sends to Twilio.
 */
type RequestOptions<T> = Parameters<typeof twilio.RequestClient.prototype.request<T>>[0];

export class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(private readonly base: string) {
    super({ autoRetry: false });
  }
  override request<T>(opts: RequestOptions<T>) {
    const u = new URL(opts.uri);
    return super.request<T>({ ...opts, uri: `${this.base.replace(/\/$/, '')}${u.pathname}${u.search}` });
  }
}

export type TwilioClient = ReturnType<typeof twilio>;

export function twilioClient(c: ProvisionConfig): TwilioClient {
  return twilio(
    c.TWILIO_ACCOUNT_SID!,
    c.TWILIO_AUTH_TOKEN!,
    c.TWILIO_API_BASE_URL ? { httpClient: new BaseUrlRequestClient(c.TWILIO_API_BASE_URL) } : {},
  );
}

export interface TwilioState {
  trunk?: { sid: string; domainName: string };
  origination?: { sid: string; sipUrl: string; enabled: boolean; priority: number; weight: number };
  credentialList?: { sid: string; usernames: string[] };
  /** is the credential list attached to the trunk */
  credentialListOnTrunk: boolean;
  /** the clinic's numbers: their Twilio sid and the trunk they are on now */
  numbers: { phoneNumber: string; sid?: string; trunkSid?: string | null }[];
}

export async function readTwilio(client: TwilioClient, c: ProvisionConfig): Promise<TwilioState> {
  const trunks = await client.trunking.v1.trunks.list();
  const t = trunks.find((x) => x.friendlyName === TWILIO_NAMES.trunk);
  const lists = await client.api.v2010.accounts(c.TWILIO_ACCOUNT_SID!).sip.credentialLists.list();
  const cl = lists.find((x) => x.friendlyName === TWILIO_NAMES.credentialList);
  const creds = cl
    ? await client.api.v2010.accounts(c.TWILIO_ACCOUNT_SID!).sip.credentialLists(cl.sid).credentials.list()
    : [];
  const origin = t
    ? (await client.trunking.v1.trunks(t.sid).originationUrls.list()).find(
        (o) => o.friendlyName === TWILIO_NAMES.origination,
      )
    : undefined;
  const onTrunk =
    t && cl ? (await client.trunking.v1.trunks(t.sid).credentialsLists.list()).some((x) => x.sid === cl.sid) : false;
  const numbers = [];
  for (const phoneNumber of c.SIP_NUMBERS) {
    const [n] = await client.incomingPhoneNumbers.list({ phoneNumber, limit: 1 });
    numbers.push({ phoneNumber, sid: n?.sid, trunkSid: n?.trunkSid });
  }
  return {
    trunk: t ? { sid: t.sid, domainName: t.domainName } : undefined,
    origination: origin
      ? {
          sid: origin.sid,
          sipUrl: origin.sipUrl,
          enabled: origin.enabled,
          priority: origin.priority,
          weight: origin.weight,
        }
      : undefined,
    credentialList: cl ? { sid: cl.sid, usernames: creds.map((x) => x.username) } : undefined,
    credentialListOnTrunk: onTrunk,
    numbers,
  };
}

export function planTwilio(c: ProvisionConfig, s: TwilioState): Action[] {
  const trunkId = s.trunk?.sid;
  const actions: Action[] = [
    planResource(
      'twilio trunk',
      TWILIO_NAMES.trunk,
      { domainName: c.TWILIO_TRUNK_DOMAIN },
      s.trunk && { id: s.trunk.sid, fields: { domainName: s.trunk.domainName } },
    ),
    planResource(
      'twilio origination uri',
      TWILIO_NAMES.origination,
      { sipUrl: c.LIVEKIT_SIP_URI, enabled: true, priority: 10, weight: 10 },
      s.origination && { id: s.origination.sid, fields: { ...s.origination } },
    ),
    // Twilio never returns a password, so an existing username counts as done (rotate by deleting it)
    planResource(
      'twilio credential list',
      TWILIO_NAMES.credentialList,
      { usernames: [c.SIP_OUTBOUND_USERNAME!], onTrunk: true },
      s.credentialList && {
        id: s.credentialList.sid,
        fields: { usernames: s.credentialList.usernames, onTrunk: s.credentialListOnTrunk },
      },
    ),
  ];
  for (const n of s.numbers) {
    if (!n.sid) throw new Error(`${n.phoneNumber} is not a number of this Twilio account (buy or port it first)`);
    actions.push(
      planResource(
        'twilio number',
        n.phoneNumber,
        { trunk: trunkId ?? '(new voxanne trunk)' },
        { id: n.sid, fields: { trunk: n.trunkSid ?? undefined } },
      ),
    );
  }
  return actions;
}

export async function applyTwilio(
  client: TwilioClient,
  c: ProvisionConfig,
  s: TwilioState,
  actions: Action[],
): Promise<{ trunkSid: string }> {
  const op = (kind: string, name?: string) =>
    actions.find((a) => a.kind === kind && (name === undefined || a.name === name))?.op;
  let trunkSid = s.trunk?.sid;
  if (op('twilio trunk') === 'create')
    trunkSid = (
      await client.trunking.v1.trunks.create({ friendlyName: TWILIO_NAMES.trunk, domainName: c.TWILIO_TRUNK_DOMAIN })
    ).sid;
  else if (op('twilio trunk') === 'update')
    await client.trunking.v1.trunks(trunkSid!).update({ domainName: c.TWILIO_TRUNK_DOMAIN });
  const trunk = client.trunking.v1.trunks(trunkSid!);

  const origination = {
    friendlyName: TWILIO_NAMES.origination,
    sipUrl: c.LIVEKIT_SIP_URI!,
    enabled: true,
    priority: 10,
    weight: 10,
  };
  if (op('twilio origination uri') === 'create') await trunk.originationUrls.create(origination);
  else if (op('twilio origination uri') === 'update')
    await trunk.originationUrls(s.origination!.sid).update(origination);

  if (op('twilio credential list') !== 'keep') {
    const account = client.api.v2010.accounts(c.TWILIO_ACCOUNT_SID!);
    const listSid =
      s.credentialList?.sid ??
      (await account.sip.credentialLists.create({ friendlyName: TWILIO_NAMES.credentialList })).sid;
    if (!s.credentialList?.usernames.includes(c.SIP_OUTBOUND_USERNAME!))
      await account.sip
        .credentialLists(listSid)
        .credentials.create({ username: c.SIP_OUTBOUND_USERNAME!, password: c.SIP_OUTBOUND_PASSWORD! });
    if (!s.credentialListOnTrunk || op('twilio trunk') === 'create')
      await trunk.credentialsLists.create({ credentialListSid: listSid });
  }

  for (const n of s.numbers) {
    if (n.trunkSid === trunkSid) continue;
    await trunk.phoneNumbers.create({ phoneNumberSid: n.sid! });
  }
  return { trunkSid: trunkSid! };
}
