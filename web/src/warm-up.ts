import { Room } from 'livekit-client';

/**
 * Warms the way to LiveKit while the visitor reads the page: asks our server where LiveKit is and lets
 * livekit-client resolve and connect to it ahead of time (DNS, TLS; on LiveKit Cloud, the nearest
 * region), so the click does not pay for it. Best effort: a failure only means the click does.
 */
export async function warmUpConnection(): Promise<boolean> {
  try {
    const res = await fetch('/api/connection');
    if (!res.ok) return false;
    const { url } = (await res.json()) as { url?: unknown };
    if (typeof url !== 'string') return false;
    await new Room().prepareConnection(url);
    return true;
  } catch (e) {
    console.warn('warming up the connection failed', e);
    return false;
  }
}
