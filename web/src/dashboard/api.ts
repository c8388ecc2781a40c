// Fetching from the dashboard API. A 401 anywhere sends the browser to /login (and back afterwards);
// other failures become an ApiError the page shows in plain words.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Thrown after a redirect to /login has started: the page just stops rendering. */
export class Redirected extends Error {}

export function loginUrlFor(location: Pick<Location, 'pathname' | 'search'>): string {
  return `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers:
        init.body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'The dashboard server cannot be reached. Check your connection and try again.');
  }
  if (res.status === 401 && path !== '/api/auth/login') {
    window.location.assign(loginUrlFor(window.location));
    throw new Redirected('not logged in');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // a proxy's HTML error page: fall through to the status-based message
  }
  if (!res.ok) {
    const b = (body ?? {}) as { error?: string; field?: string };
    throw new ApiError(res.status, b.error || plainStatus(res.status), b.field);
  }
  return body as T;
}

export function plainStatus(status: number): string {
  if (status === 403) return 'You do not have permission to see or change this.';
  if (status === 404) return 'This page or record does not exist, or belongs to another clinic.';
  if (status === 429) return 'Too many attempts. Wait a minute and try again.';
  if (status >= 500) return 'The server had a problem. Try again in a moment.';
  return `The request failed (HTTP ${status}).`;
}
