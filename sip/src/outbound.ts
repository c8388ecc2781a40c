/**
 * Voxanne calls a patient (appointment reminder, callback): a room of its own with her dispatched and
 * the call's purpose in the room metadata, then LiveKit SIP dials the patient through the outbound
 * trunk (CreateSIPParticipant). She starts talking once the patient picks up.
 */
import { randomBytes } from 'node:crypto';
import { RoomAgentDispatch, RoomServiceClient, type SIPParticipantInfo } from 'livekit-server-sdk';
import { randomName } from '@voxanne/contracts/call-room';
import { livekitHttpUrl, type ProvisionConfig } from './config.ts';
import { NAMES, sipClient } from './livekit-side.ts';

export const PURPOSES = ['reminder', 'callback'] as const;
export type CallPurpose = (typeof PURPOSES)[number];

export interface OutboundCall {
  /** the patient's number, E.164 */
  to: string;
  purpose: CallPurpose;
  /** what she may say about it, e.g. "your consultation on Tuesday at 10 a.m." */
  detail?: string;
}

export async function placeCall(
  c: ProvisionConfig,
  call: OutboundCall,
): Promise<{ room: string; participant: SIPParticipantInfo }> {
  const sip = sipClient(c);
  const trunk = (await sip.listSipOutboundTrunk()).find((t) => t.name === NAMES.outbound);
  if (!trunk)
    throw new Error(`no outbound trunk "${NAMES.outbound}": run the provisioning CLI with SIP_OUTBOUND_ADDRESS first`);
  // random names: the patient's number stays out of the room's name and the participant's identity
  const room = randomName('out-', randomBytes);
  const metadata = JSON.stringify({
    tenant: c.SIP_TENANT,
    direction: 'outbound',
    purpose: call.purpose,
    ...(call.detail ? { detail: call.detail } : {}),
  });
  const rooms = new RoomServiceClient(livekitHttpUrl(c.LIVEKIT_URL), c.LIVEKIT_API_KEY, c.LIVEKIT_API_SECRET);
  await rooms.createRoom({
    name: room,
    metadata,
    emptyTimeout: 30,
    agents: [new RoomAgentDispatch({ agentName: c.AGENT_NAME, metadata })],
  });
  const participant = await sip.createSipParticipant(trunk.sipTrunkId, call.to, room, {
    participantIdentity: randomName('phone-', randomBytes),
    participantName: 'Patient',
    // resolves once the patient answers (or fails if they do not)
    waitUntilAnswered: true,
    ringingTimeout: 30,
  });
  return { room, participant };
}
