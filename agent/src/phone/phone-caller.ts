import { ParticipantKind, RoomEvent, type RemoteParticipant, type Room } from '@livekit/rtc-node';
import { SIP_FROM_ATTRIBUTE, SIP_TO_ATTRIBUTE } from '@voxanne/contracts/call-room';
import { sipHeaderUser } from '../core/phone/phone-number.ts';

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
  // our dispatch rule hides the number from LiveKit's own attributes; the trunk copies the headers into ours
  return {
    number: a['sip.phoneNumber'] ?? sipHeaderUser(a[SIP_FROM_ATTRIBUTE]),
    dialled: a['sip.trunkPhoneNumber'] ?? sipHeaderUser(a[SIP_TO_ATTRIBUTE]),
    sipCallId: a['sip.callID'],
  };
}

/**
 * Resolves once the phone at the other end has answered (LiveKit SIP's sip.callStatus 'active'), or
 * with false if the call ends first. An outbound call's participant is in the room while it still
 * rings; talking before the patient picks up would be talking to no one.
 */
export function untilAnswered(room: Room, p: RemoteParticipant): Promise<boolean> {
  const status = () => p.attributes['sip.callStatus'];
  if (status() === 'active') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (v: boolean) => {
      room.off(RoomEvent.ParticipantAttributesChanged, onAttrs);
      room.off(RoomEvent.ParticipantDisconnected, onLeft);
      resolve(v);
    };
    const onAttrs = (_changed: Record<string, string>, who: { identity: string }) => {
      if (who.identity === p.identity && status() === 'active') done(true);
    };
    const onLeft = (who: RemoteParticipant) => {
      if (who.identity === p.identity) done(false);
    };
    room.on(RoomEvent.ParticipantAttributesChanged, onAttrs);
    room.on(RoomEvent.ParticipantDisconnected, onLeft);
  });
}

/** untilAnswered(), false after `ms` too (the call is not answered in time). */
export function answeredWithin(room: Room, p: RemoteParticipant, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([untilAnswered(room, p), late]).finally(() => clearTimeout(timer));
}
