// The live page's list, kept from the first GET /api/live and then every SSE `call` event.
import type { LiveCall } from '@voxanne/contracts/dashboard';

/** A call that ended leaves the list; any other event adds or replaces the call. Oldest call first. */
export function applyLiveEvent(calls: readonly LiveCall[], event: LiveCall): LiveCall[] {
  const others = calls.filter((c) => c.id !== event.id);
  if (event.state === 'ENDED') return others;
  const previous = calls.find((c) => c.id === event.id);
  // events can arrive out of order after a reconnect: an older `since` must not undo a newer state
  if (previous && Date.parse(previous.since) > Date.parse(event.since)) return [...calls];
  return [...others, event].sort(
    (a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || a.id.localeCompare(b.id),
  );
}

export function parseLiveEvent(data: string): LiveCall | null {
  try {
    const v = JSON.parse(data) as Partial<LiveCall>;
    if (typeof v?.id !== 'string' || typeof v.state !== 'string' || typeof v.since !== 'string') return null;
    return {
      id: v.id,
      caller: String(v.caller ?? ''),
      channel: v.channel ?? 'web',
      state: v.state,
      since: v.since,
      startedAt: v.startedAt ?? v.since,
    };
  } catch {
    return null;
  }
}
