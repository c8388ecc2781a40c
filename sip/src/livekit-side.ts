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
  SIPDispatchRuleIndividual,
  SIPDispatchRuleInfo,
  type SIPInboundTrunkInfo,
  type SIPOutboundTrunkInfo,
  SipClient,
} from 'livekit-server-sdk';
import { livekitHttpUrl, type ProvisionConfig } from './config.ts';
import { planResource, type Action, type Current, type Fields } from './plan.ts';

export const NAMES = {
  inbound: 'voxanne-inbound',
  outbound: 'voxanne-outbound',
  dispatch: 'voxanne-dispatch',
} as const;
/** rooms of phone calls: call-<caller number>_<random> (LiveKit adds the rest) */
export const ROOM_PREFIX = 'call-';

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
  };
}

export function desiredDispatch(c: ProvisionConfig, inboundTrunkId: string): Fields {
  return {
    trunkIds: [inboundTrunkId],
    rule: 'individual',
    roomPrefix: ROOM_PREFIX,
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
  return {
    trunkIds: r.trunkIds,
    rule: r.rule?.rule.case === 'dispatchRuleIndividual' ? 'individual' : String(r.rule?.rule.case),
    roomPrefix: r.rule?.rule.case === 'dispatchRuleIndividual' ? r.rule.rule.value.roomPrefix : undefined,
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
    rule: { case: 'dispatchRuleIndividual', value: new SIPDispatchRuleIndividual({ roomPrefix: ROOM_PREFIX }) },
  });
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
    });
  } else if (ia.op === 'update') {
    const t = s.inbound!.clone();
    t.numbers = c.SIP_NUMBERS;
    t.allowedAddresses = c.SIP_ALLOWED_ADDRESSES;
    t.authUsername = c.SIP_INBOUND_USERNAME ?? '';
    t.authPassword = c.SIP_INBOUND_PASSWORD ?? '';
    t.metadata = roomMetadata(c);
    inbound = await client.updateSipInboundTrunk(t.sipTrunkId, t);
  }
  const inboundId = inbound!.sipTrunkId;

  // the plan was made with the trunk id known then; a new trunk makes the rule's trunk list change too
  let dispatch = s.dispatch;
  const da = byKind('livekit dispatch rule');
  if (!dispatch) {
    const info = dispatchRuleInfo(c, inboundId);
    dispatch = await client.createSipDispatchRule(
      { type: 'individual', roomPrefix: ROOM_PREFIX },
      { name: NAMES.dispatch, trunkIds: [inboundId], roomConfig: info.roomConfig },
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
