/**
 * A caller bridged in from a telephone WebSocket (Twilio Media Streams or ConversationRelay,
 * web/server/twilio/): a standard
 * participant whose attributes say its channel and its masked number. Its keypad digits arrive as SIP
 * DTMF packets like LiveKit SIP's; a transfer is asked of the bridge by RPC, which redirects the call
 * through Twilio's REST API.
 */
import { RoomEvent, type RemoteParticipant, type Room } from '@livekit/rtc-node';
import {
  CALLER_MASKED_ATTRIBUTE,
  CHANNEL_ATTRIBUTE,
  decodePlayout,
  PLAYOUT_TOPIC,
  TRANSFER_RPC_METHOD,
  TWILIO_MEDIA_CHANNEL,
  TWILIO_RELAY_CHANNEL,
} from '@voxanne/contracts/protocol';
import type { FarEndPlayout } from '../core/phone/far-end-playout.ts';
import type { Logger } from '../call/logger.ts';

export interface BridgedCaller {
  channel: typeof TWILIO_MEDIA_CHANNEL | typeof TWILIO_RELAY_CHANNEL;
  /** masked by the bridge (+1******4567); the full number never enters the room */
  callerMasked: string;
}

export function bridgedCaller(p: RemoteParticipant): BridgedCaller | undefined {
  const channel = p.attributes[CHANNEL_ATTRIBUTE];
  if (channel !== TWILIO_MEDIA_CHANNEL && channel !== TWILIO_RELAY_CHANNEL) return undefined;
  return { channel, callerMasked: p.attributes[CALLER_MASKED_ATTRIBUTE] ?? '(unknown)' };
}

/** how long the bridge has to get Twilio's answer to the redirect */
export const TRANSFER_RPC_TIMEOUT_MS = 10_000;

/** PhoneCall's transfer for a bridged caller: the bridge does it, and says whether Twilio took it. */
export function bridgeTransfer(room: Room): (roomName: string, identity: string, to: string) => Promise<void> {
  return async (_roomName, identity, to) => {
    await room.localParticipant!.performRpc({
      destinationIdentity: identity,
      method: TRANSFER_RPC_METHOD,
      payload: JSON.stringify({ to }),
      responseTimeout: TRANSFER_RPC_TIMEOUT_MS,
    });
  };
}

/**
 * A Media Streams bridge's playout reports (PLAYOUT_TOPIC), from this caller only, handed to the call's
 * FarEndPlayout. Returns the function that stops listening.
 */
export function listenForPlayout(
  room: Room,
  caller: RemoteParticipant,
  farEnd: FarEndPlayout,
  log: Logger,
): () => void {
  const onData = (payload: Uint8Array, p?: RemoteParticipant, _kind?: unknown, topic?: string) => {
    if (topic !== PLAYOUT_TOPIC || p?.identity !== caller.identity) return;
    const m = decodePlayout(payload);
    if (!m) return log.warn({}, 'playout report ignored: malformed');
    farEnd.report(m.bargeInAtMs, m.unheardMs);
  };
  room.on(RoomEvent.DataReceived, onData);
  return () => void room.off(RoomEvent.DataReceived, onData);
}
