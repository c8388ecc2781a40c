/**
 * LiveKit's half of provisioning: the inbound trunk (the clinic's numbers and who may call them), the
 * dispatch rule (a room per caller, Voxanne dispatched, the tenant in the room's metadata) and the
 * outbound trunk (reminders, callbacks). Resources are found by name, so a second run finds the first
 * run's work instead of adding another copy.
 */
import {
  RoomAgentDispatch,
  RoomConfiguration,
  SIPDispatchRule,
  SIPDispatchRuleCallee,
  SIPDispatchRuleInfo,
  type SIPInboundTrunkInfo,
  type SIPOutboundTrunkInfo,
  SipClient,
} from 'livekit-server-sdk';
import { SIP_FROM_ATTRIBUTE, SIP_TO_ATTRIBUTE } from '@voxanne/contracts/call-room';
import { livekitHttpUrl, type ProvisionConfig } from './config.ts';
import { planResource, type Action, type Current, type Fields } from './plan.ts';

export const NAMES = {
  inbound: 'voxanne-inbound',
  outbound: 'voxanne-outbound',
  dispatch: 'voxanne-dispatch',
} as const;
/**
 * rooms of phone calls: call-_<the clinic's number dialled>_<random> (LiveKit adds the rest). The rule
 * names rooms after the number called, never the caller's (LiveKit's "individual" rule puts the
 * caller's number, or with hide_phone_number its last four digits, in the name), and hides the
 * caller's number: the participant's identity is sip_<hash>, its name "Phone <last four>", and
 * LiveKit's sip.phoneNumber attribute is left out. The number reaches the agent through the trunk's
 * HEADERS_TO_ATTRIBUTES instead.
 */
export const ROOM_PREFIX = 'call-';
/** the INVITE's From and To headers, copied into the caller's attributes for the agent (see ROOM_PREFIX) */
export const HEADERS_TO_ATTRIBUTES: Record<string, string> = { From: SIP_FROM_ATTRIBUTE, To: SIP_TO_ATTRIBUTE };
const headerPairs = (m: Record<string, string> | undefined) => Object.entries(m ?? {}).map(([h, a]) => `${h}=${a}`);

/** SIPTransport values of @livekit/protocol (not re-exported by the SDK) */
const TRANSPORT = { auto: 0, udp: 1, tcp: 2, tls: 3 } as const;
const TRANSPORT_NAME = ['auto', 'udp', 'tcp', 'tls'] as const;

export function sipClient(c: ProvisionConfig): SipClient {
  return new SipClient(livekitHttpUrl(c.LIVEKIT_URL), c.LIVEKIT_API_KEY, c.LIVEKIT_API_SECRET);
}

export const roomMetadata = (c: ProvisionConfig) => JSON.stringify({ tenant: c.SIP_TENANT });

export function desiredInbound(c: ProvisionConfig): Fields {
  return {
    numbers: c.SIP_NUMBERS,
    allowedAddresses: c.SIP_ALLOWED_ADDRESSES,
    authUsername: c.SIP_INBOUND_USERNAME ?? '',
    authPassword: c.SIP_INBOUND_PASSWORD ?? '',
    metadata: roomMetadata(c),
    headersToAttributes: headerPairs(HEADERS_TO_ATTRIBUTES),
  };
}

export function desiredDispatch(c: ProvisionConfig, inboundTrunkId: string): Fields {
  return {
    trunkIds: [inboundTrunkId],
    rule: 'callee',
    roomPrefix: ROOM_PREFIX,
    randomRoom: true,
    hidePhoneNumber: true,
    roomMetadata: roomMetadata(c),
    agentName: c.AGENT_NAME || '(default worker)',
    agentMetadata: roomMetadata(c),
  };
}

export function desiredOutbound(c: ProvisionConfig): Fields | undefined {
  if (!c.SIP_OUTBOUND_ADDRESS) return undefined;
  return {
    address: c.SIP_OUTBOUND_ADDRESS,
    numbers: c.SIP_NUMBERS,
    transport: c.SIP_OUTBOUND_TRANSPORT,
    authUsername: c.SIP_OUTBOUND_USERNAME ?? '',
    authPassword: c.SIP_OUTBOUND_PASSWORD ?? '',
    metadata: roomMetadata(c),
  };
}

const inboundFields = (t: SIPInboundTrunkInfo): Fields => ({
  numbers: t.numbers,
  allowedAddresses: t.allowedAddresses,
  authUsername: t.authUsername,
  authPassword: t.authPassword,
  metadata: t.metadata,
  headersToAttributes: headerPairs(t.headersToAttributes),
});

const outboundFields = (t: SIPOutboundTrunkInfo): Fields => ({
  address: t.address,
  numbers: t.numbers,
  transport: TRANSPORT_NAME[t.transport] ?? String(t.transport),
  authUsername: t.authUsername,
  authPassword: t.authPassword,
  metadata: t.metadata,
});

function dispatchFields(r: SIPDispatchRuleInfo): Fields {
  const agent = r.roomConfig?.agents[0];
  const rule = r.rule?.rule;
  return {
    trunkIds: r.trunkIds,
    rule:
      rule?.case === 'dispatchRuleCallee'
        ? 'callee'
        : rule?.case === 'dispatchRuleIndividual'
          ? 'individual'
          : String(rule?.case),
    roomPrefix:
      rule?.case === 'dispatchRuleCallee' || rule?.case === 'dispatchRuleIndividual'
        ? rule.value.roomPrefix
        : undefined,
    randomRoom: rule?.case === 'dispatchRuleCallee' ? rule.value.randomize : rule?.case === 'dispatchRuleIndividual',
    hidePhoneNumber: r.hidePhoneNumber,
    roomMetadata: r.roomConfig?.metadata,
    agentName: agent ? agent.agentName || '(default worker)' : undefined,
    agentMetadata: agent?.metadata,
  };
}

export interface LiveKitState {
  inbound?: SIPInboundTrunkInfo;
  outbound?: SIPOutboundTrunkInfo;
  dispatch?: SIPDispatchRuleInfo;
}

export async function readLiveKit(client: SipClient): Promise<LiveKitState> {
  const [inbound, outbound, rules] = await Promise.all([
    client.listSipInboundTrunk(),
    client.listSipOutboundTrunk(),
    client.listSipDispatchRule(),
  ]);
  return {
    inbound: inbound.find((t) => t.name === NAMES.inbound),
    outbound: outbound.find((t) => t.name === NAMES.outbound),
    dispatch: rules.find((r) => r.name === NAMES.dispatch),
  };
}

/** Until the inbound trunk exists its id is unknown; the plan shows this instead. */
export const NEW_INBOUND_ID = '(new voxanne-inbound)';

export function planLiveKit(c: ProvisionConfig, s: LiveKitState): Action[] {
  const cur = <T extends { sipTrunkId?: string; sipDispatchRuleId?: string }>(
    x: T | undefined,
    f: (x: T) => Fields,
  ): Current | undefined => (x ? { id: (x.sipTrunkId ?? x.sipDispatchRuleId)!, fields: f(x) } : undefined);
  const actions = [
    planResource('livekit inbound trunk', NAMES.inbound, desiredInbound(c), cur(s.inbound, inboundFields)),
    planResource(
      'livekit dispatch rule',
      NAMES.dispatch,
      desiredDispatch(c, s.inbound?.sipTrunkId ?? NEW_INBOUND_ID),
      cur(s.dispatch, dispatchFields),
    ),
  ];
  const out = desiredOutbound(c);
  if (out) actions.push(planResource('livekit outbound trunk', NAMES.outbound, out, cur(s.outbound, outboundFields)));
  return actions;
}

function dispatchRuleInfo(c: ProvisionConfig, trunkId: string, base?: SIPDispatchRuleInfo): SIPDispatchRuleInfo {
  const info = base ? base.clone() : new SIPDispatchRuleInfo();
  info.name = NAMES.dispatch;
  info.trunkIds = [trunkId];
  info.rule = new SIPDispatchRule({
    rule: {
      case: 'dispatchRuleCallee',
      value: new SIPDispatchRuleCallee({ roomPrefix: ROOM_PREFIX, randomize: true }),
    },
  });
  info.hidePhoneNumber = true;
  info.roomConfig = new RoomConfiguration({
    ...(base?.roomConfig ?? {}),
    metadata: roomMetadata(c),
    agents: [new RoomAgentDispatch({ agentName: c.AGENT_NAME, metadata: roomMetadata(c) })],
  });
  return info;
}

/** Carries out the LiveKit actions of a plan; returns the ids of the three resources. */
export async function applyLiveKit(
  client: SipClient,
  c: ProvisionConfig,
  s: LiveKitState,
  actions: Action[],
): Promise<{ inboundId: string; dispatchId: string; outboundId?: string }> {
  const byKind = (kind: string) => actions.find((a) => a.kind === kind)!;
  let inbound = s.inbound;
  const ia = byKind('livekit inbound trunk');
  if (ia.op === 'create') {
    inbound = await client.createSipInboundTrunk(NAMES.inbound, c.SIP_NUMBERS, {
      allowedAddresses: c.SIP_ALLOWED_ADDRESSES,
      authUsername: c.SIP_INBOUND_USERNAME,
      authPassword: c.SIP_INBOUND_PASSWORD,
      metadata: roomMetadata(c),
      headersToAttributes: HEADERS_TO_ATTRIBUTES,
    });
  } else if (ia.op === 'update') {
    const t = s.inbound!.clone();
    t.numbers = c.SIP_NUMBERS;
    t.allowedAddresses = c.SIP_ALLOWED_ADDRESSES;
    t.authUsername = c.SIP_INBOUND_USERNAME ?? '';
    t.authPassword = c.SIP_INBOUND_PASSWORD ?? '';
    t.metadata = roomMetadata(c);
    t.headersToAttributes = HEADERS_TO_ATTRIBUTES;
    inbound = await client.updateSipInboundTrunk(t.sipTrunkId, t);
  }
  const inboundId = inbound!.sipTrunkId;

  // the plan was made with the trunk id known then; a new trunk makes the rule's trunk list change too
  let dispatch = s.dispatch;
  const da = byKind('livekit dispatch rule');
  if (!dispatch) {
    const info = dispatchRuleInfo(c, inboundId);
    dispatch = await client.createSipDispatchRule(
      { type: 'callee', roomPrefix: ROOM_PREFIX, randomize: true },
      { name: NAMES.dispatch, trunkIds: [inboundId], roomConfig: info.roomConfig, hidePhoneNumber: true },
    );
  } else if (da.op === 'update' || !dispatch.trunkIds.includes(inboundId)) {
    dispatch = await client.updateSipDispatchRule(dispatch.sipDispatchRuleId, dispatchRuleInfo(c, inboundId, dispatch));
  }

  let outboundId = s.outbound?.sipTrunkId;
  const oa = actions.find((a) => a.kind === 'livekit outbound trunk');
  if (oa?.op === 'create') {
    const t = await client.createSipOutboundTrunk(NAMES.outbound, c.SIP_OUTBOUND_ADDRESS!, c.SIP_NUMBERS, {
      transport: TRANSPORT[c.SIP_OUTBOUND_TRANSPORT],
      authUsername: c.SIP_OUTBOUND_USERNAME,
      authPassword: c.SIP_OUTBOUND_PASSWORD,
      metadata: roomMetadata(c),
    });
    outboundId = t.sipTrunkId;
  } else if (oa?.op === 'update') {
    const t = s.outbound!.clone();
    t.address = c.SIP_OUTBOUND_ADDRESS!;
    t.numbers = c.SIP_NUMBERS;
    t.transport = TRANSPORT[c.SIP_OUTBOUND_TRANSPORT];
    t.authUsername = c.SIP_OUTBOUND_USERNAME ?? '';
    t.authPassword = c.SIP_OUTBOUND_PASSWORD ?? '';
    t.metadata = roomMetadata(c);
    await client.updateSipOutboundTrunk(t.sipTrunkId, t);
  }
  return { inboundId, dispatchId: dispatch.sipDispatchRuleId, outboundId };
}
