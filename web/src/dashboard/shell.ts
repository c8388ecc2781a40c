// The frame around every dashboard page: the navigation bar, the page title, plain error pages.
import { api, ApiError, plainStatus, Redirected } from './api.ts';
import { h } from './dom.ts';
import { formatCount, humanize } from './format.ts';
import { NAV, navPageFor, type Route } from './routes.ts';
import type { CallRow, Me } from '@voxanne/contracts/dashboard';

export interface PageContext {
  root: HTMLElement;
  me: Me;
  route: Route;
  /** aborted when the user leaves the page: close streams, stop timers */
  signal: AbortSignal;
  navigate(url: string): void;
}

export function navBar(me: Me, route: Route): HTMLElement {
  const active = navPageFor(route);
  const logout = h('button', { type: 'button', class: 'link-button', 'data-testid': 'logout' }, 'Log out');
  // an event listener cannot be awaited; a failed logout still goes to /login
  logout.addEventListener(
    'click',
    () =>
      void (async () => {
        logout.setAttribute('disabled', '');
        try {
          await api('/api/auth/logout', { method: 'POST' });
        } catch (e) {
          if (e instanceof Redirected) return;
        }
        window.location.assign('/login');
      })(),
  );
  return h(
    'header',
    { class: 'topbar' },
    h(
      'div',
      { class: 'topbar-inner' },
      h(
        'a',
        { class: 'brand', href: '/dashboard', 'data-link': true },
        h('span', { class: 'logo', 'aria-hidden': 'true' }, 'V'),
        h(
          'span',
          { class: 'brand-text' },
          h('strong', {}, 'Voxanne'),
          h('span', { class: 'clinic', 'data-testid': 'clinic-name' }, me.tenant.name),
        ),
      ),
      h(
        'div',
        { class: 'user' },
        h('span', { class: 'user-name', title: me.user.email }, me.user.name || me.user.email),
        h('span', { class: `role role-${me.user.role}`, 'data-testid': 'user-role' }, humanize(me.user.role)),
        logout,
      ),
      h(
        'nav',
        { class: 'nav', 'aria-label': 'Dashboard' },
        // the owner's pages are not offered to staff (the API refuses them a 403 all the same)
        NAV.filter((n) => !('ownerOnly' in n) || me.user.role === 'owner').map((n) =>
          h(
            'a',
            {
              href: n.href,
              class: n.page === active ? 'active' : '',
              'aria-current': n.page === active ? 'page' : null,
              'data-link': n.page !== 'voice-test',
              'data-testid': `nav-${n.page}`,
            },
            n.label,
          ),
        ),
      ),
    ),
  );
}

export function pageHeader(title: string, subtitle?: string | Node, actions?: Node): HTMLElement {
  return h(
    'div',
    { class: 'page-header' },
    h('div', {}, h('h1', {}, title), subtitle ? h('p', { class: 'subtitle' }, subtitle) : null),
    actions ?? null,
  );
}

export function card(title: string | null, ...body: (Node | null)[]): HTMLElement {
  return h('section', { class: 'card' }, title ? h('h2', {}, title) : null, ...body);
}

/**
 * "← Newer · 26–50 of 120 · Older →" under a long list: links keep the page's other query parameters
 * (its filters) and change only `offset`. Nothing when everything fits on one page.
 */
export function pager(
  path: string,
  params: URLSearchParams,
  at: { offset: number; shown: number; total: number; pageSize: number },
): HTMLElement | null {
  const { offset, shown, total, pageSize } = at;
  if (total <= pageSize) return null;
  const link = (to: number, label: string, enabled: boolean) => {
    const p = new URLSearchParams(params);
    if (to > 0) p.set('offset', String(to));
    else p.delete('offset');
    return enabled
      ? h('a', { href: `${path}${p.size ? `?${p}` : ''}`, 'data-link': true, class: 'button' }, label)
      : h('span', { class: 'button disabled', 'aria-disabled': 'true' }, label);
  };
  return h(
    'div',
    { class: 'pager' },
    link(Math.max(0, offset - pageSize), '← Newer', offset > 0),
    h('span', { class: 'muted' }, `${offset + 1}–${Math.min(total, offset + shown)} of ${formatCount(total)}`),
    link(offset + pageSize, 'Older →', offset + pageSize < total),
  );
}

/** The plain message for 403, 404 and other failures, in place of the page. */
export function errorPage(root: HTMLElement, err: unknown): void {
  if (err instanceof Redirected) return;
  const status = err instanceof ApiError ? err.status : 0;
  const title = status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : 'Something went wrong';
  const message =
    err instanceof ApiError
      ? status === 403 || status === 404
        ? plainStatus(status)
        : err.message
      : 'The page could not be shown.';
  if (!(err instanceof ApiError)) console.error(err);
  root.replaceChildren(
    h(
      'section',
      { class: 'card error-page', 'data-testid': 'error-page', 'data-status': status, role: 'alert' },
      h('h1', {}, title),
      h('p', {}, message),
      h('p', {}, h('a', { href: '/dashboard', 'data-link': true }, 'Back to the overview')),
    ),
  );
}

export function loading(root: HTMLElement): void {
  root.replaceChildren(h('p', { class: 'loading', 'aria-live': 'polite' }, 'Loading…'));
}

export function badge(text: string, kind: string, testid?: string): HTMLElement {
  return h('span', { class: `badge badge-${kind}`, 'data-testid': testid ?? null }, text);
}

/** EMERGENCY and any other flag for staff's attention, shown beside a call's status */
export function flagBadges(c: Pick<CallRow, 'flags'>): HTMLElement[] {
  return c.flags.map((f) =>
    badge(f === 'CALLBACK' ? 'Call back' : humanize(f.toLowerCase()), f === 'CALLBACK' ? 'info' : 'bad', 'call-flag'),
  );
}

/** Colour family for a call status or booking status. */
export function statusKind(status: string): string {
  const s = status.toLowerCase();
  if (['completed', 'booked', 'confirmed'].includes(s)) return 'good';
  if (['failed', 'abandoned', 'cancelled', 'missed', 'no_show'].includes(s)) return 'bad';
  if (['transferred'].includes(s)) return 'info';
  return 'neutral';
}
