// Pure route matching for the dashboard's client router (pathname → page).

export type Route =
  | { page: 'login' }
  | { page: 'overview' }
  | { page: 'calls' }
  | { page: 'call'; id: string }
  | { page: 'bookings' }
  | { page: 'live' }
  | { page: 'settings' }
  | { page: 'audit' }
  | { page: 'not-found' };

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  switch (path) {
    case '/login':
      return { page: 'login' };
    case '/dashboard':
      return { page: 'overview' };
    case '/dashboard/calls':
      return { page: 'calls' };
    case '/dashboard/bookings':
      return { page: 'bookings' };
    case '/dashboard/live':
      return { page: 'live' };
    case '/dashboard/settings':
      return { page: 'settings' };
    case '/dashboard/audit':
      return { page: 'audit' };
  }
  const call = /^\/dashboard\/calls\/([^/]+)$/.exec(path);
  if (call) {
    try {
      return { page: 'call', id: decodeURIComponent(call[1]!) };
    } catch {
      return { page: 'not-found' };
    }
  }
  return { page: 'not-found' };
}

/** Where to go after logging in: only a dashboard path of our own, never another origin. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/dashboard') || next.startsWith('//')) return '/dashboard';
  return next;
}

export const NAV = [
  { href: '/dashboard', label: 'Overview', page: 'overview' },
  { href: '/dashboard/calls', label: 'Calls', page: 'calls' },
  { href: '/dashboard/bookings', label: 'Bookings', page: 'bookings' },
  { href: '/dashboard/live', label: 'Live', page: 'live' },
  { href: '/dashboard/settings', label: 'Settings', page: 'settings' },
  { href: '/dashboard/audit', label: 'Audit', page: 'audit', ownerOnly: true },
  { href: '/', label: 'Voice test', page: 'voice-test' },
] as const;

/** The nav entry to highlight: a call page belongs to Calls. */
export function navPageFor(route: Route): string {
  return route.page === 'call' ? 'calls' : route.page;
}
