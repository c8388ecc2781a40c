import { ParticipantKind, RoomEvent, type RemoteParticipant, type Room } from '@livekit/rtc-node';
import { isTrustedCaller, type CallerExpectation, type ParticipantKindName } from '../core/caller-trust.ts';

export function kindName(kind: ParticipantKind): ParticipantKindName {
  switch (kind) {
    case ParticipantKind.STANDARD:
      return 'standard';
    case ParticipantKind.SIP:
      return 'sip';
    case ParticipantKind.AGENT:
      return 'agent';
    default:
      return 'other';
  }
}

export interface UntrustedParticipant {
  kind: ParticipantKindName;
}

/**
 * The caller this call is for (core/caller-trust.ts), once they are in the room; undefined when none
 * comes within `ms`, the room closes first, or `signal` aborts (the agent stops: no caller yet, nothing
 * to finish). Anyone else who joins is reported and otherwise ignored.
 */
export function waitForTrustedCaller(
  room: Room,
  expected: CallerExpectation,
  ms: number,
  onUntrusted: (p: UntrustedParticipant) => void,
  signal?: AbortSignal,
): Promise<RemoteParticipant | undefined> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(undefined);
    const consider = (p: RemoteParticipant): boolean => {
      const kind = kindName(p.kind);
      if (isTrustedCaller({ identity: p.identity, kind }, expected)) {
        done(p);
        return true;
      }
      if (kind !== 'agent') onUntrusted({ kind });
      return false;
    };
    const onJoin = (p: RemoteParticipant) => void consider(p);
    const onClosed = () => done(undefined);
    const timer = setTimeout(() => done(undefined), ms);
    const done = (p: RemoteParticipant | undefined) => {
      clearTimeout(timer);
      room.off(RoomEvent.ParticipantConnected, onJoin);
      room.off(RoomEvent.Disconnected, onClosed);
      signal?.removeEventListener('abort', onClosed);
      resolve(p);
    };
    signal?.addEventListener('abort', onClosed, { once: true });
    room.on(RoomEvent.ParticipantConnected, onJoin);
    room.on(RoomEvent.Disconnected, onClosed);
    for (const p of room.remoteParticipants.values()) if (consider(p)) return;
  });
}
