export const LIVEKIT_PROBE_TIMEOUT_MS = 1500;

export type LivekitStatus = 'up' | 'down';

/** LiveKit's signalling URL as the HTTP URL its server also answers on (ws→http, wss→https). */
export function livekitHttpUrl(livekitUrl: string): string {
  return livekitUrl.replace(/^ws(s?):\/\//, 'http$1://');
}

/** Any HTTP answer counts as up: LiveKit's root path answers 200 "OK", but a proxy in front may not. */
export async function probeLivekit(livekitUrl: string, timeoutMs = LIVEKIT_PROBE_TIMEOUT_MS): Promise<LivekitStatus> {
  try {
    const res = await fetch(livekitHttpUrl(livekitUrl), { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return 'up';
  } catch {
    // refused, timed out or not HTTP: all mean the same to the caller, and the answer says "down"
    return 'down';
  }
}
