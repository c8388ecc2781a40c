import { ParticipantKind, type RemoteParticipant } from '@livekit/rtc-node';

/** A caller on a phone line, as LiveKit SIP describes the participant it puts in the room. */
export interface PhoneCaller {
  /** the caller's number (E.164 as the trunk gave it), e.g. +15551234567; personal data */
  number: string | undefined;
  /** the clinic's number they dialled */
  dialled: string | undefined;
  /** the SIP call id, to find the call in LiveKit SIP's and the carrier's logs */
  sipCallId: string | undefined;
}

/** The phone details of a SIP participant, or undefined for a web caller. */
export function phoneCaller(p: RemoteParticipant): PhoneCaller | undefined {
  if (p.kind !== ParticipantKind.SIP) return undefined;
  const a = p.attributes;
  return { number: a['sip.phoneNumber'], dialled: a['sip.trunkPhoneNumber'], sipCallId: a['sip.callID'] };
}
