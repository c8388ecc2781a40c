// The dashboard's entry: a small client router over the pages. /login and /dashboard/* are all
// served dashboard.html by the web server; links marked data-link change pages without a reload.
import '../base.css';
import './dashboard.css';
import { api, ApiError, Redirected } from './api.ts';
import { h } from './dom.ts';
import { renderAudit } from './pages/audit.ts';
import { renderBookings } from './pages/bookings.ts';
import { renderCallDetail } from './pages/call-detail.ts';
import { renderCalls } from './pages/calls.ts';
import { renderLive } from './pages/live.ts';
import { renderLogin } from './pages/login.ts';
import { renderOverview } from './pages/overview.ts';
import { renderSettings } from './pages/settings.ts';
import { matchRoute } from './routes.ts';
import { errorPage, loading, navBar, type PageContext } from './shell.ts';
import type { Me } from '@voxanne/contracts/dashboard';
import { setZone } from './zone.ts';

const app = document.getElementById('dashboard')!;
let me: Me | null = null;
let leave: AbortController | null = null;
/** bumped per navigation so a slow page cannot draw over the one the user went on to */
let generation = 0;

const TITLES: Record<string, string> = {
  overview: 'Overview',
  calls: 'Calls',
  call: 'Call',
  bookings: 'Bookings',
  live: 'Live calls',
  settings: 'Settings',
  audit: 'Audit trail',
  'not-found': 'Not found',
};

async function show(): Promise<void> {
  const gen = ++generation;
  leave?.abort();
  leave = new AbortController();
  const route = matchRoute(window.location.pathname);
  app.dataset.page = route.page;
  app.dataset.ready = 'false';
  if (route.page === 'login') {
    renderLogin(app);
    app.dataset.ready = 'true';
    return;
  }
  try {
    if (!me) {
      me = await api<Me>('/api/me');
      await learnZone(me);
    }
  } catch (e) {
    if (e instanceof Redirected) return;
    app.replaceChildren(h('main', { class: 'page' }));
    errorPage(app.firstElementChild as HTMLElement, e);
    app.dataset.ready = 'true';
    return;
  }
  if (gen !== generation) return;
  const root = h('main', { class: 'page', id: 'main' });
  app.replaceChildren(navBar(me, route), root);
  document.title = `${TITLES[route.page] ?? 'Dashboard'} · ${me.tenant.name} · Voxanne`;
  loading(root);
  const ctx: PageContext = { root, me, route, signal: leave.signal, navigate };
  try {
    switch (route.page) {
      case 'overview':
        await renderOverview(ctx);
        break;
      case 'calls':
        await renderCalls(ctx);
        break;
      case 'call':
        await renderCallDetail(ctx, route.id);
        break;
      case 'bookings':
        await renderBookings(ctx);
        break;
      case 'live':
        await renderLive(ctx);
        break;
      case 'settings':
        await renderSettings(ctx);
        break;
      case 'audit':
        await renderAudit(ctx);
        break;
      case 'not-found':
        errorPage(root, new ApiError(404, 'not found'));
        break;
    }
  } catch (e) {
    if ((e as Error).name === 'AbortError' || gen !== generation) return;
    errorPage(root, e);
  }
  if (gen === generation) app.dataset.ready = 'true';
}

/**
 * Times are shown on the clinic's clock. /api/me may name the zone; otherwise the overview does
 * (one extra request per full page load; without it, the browser's zone is used).
 */
async function learnZone(who: Me): Promise<void> {
  if (who.tenant.timezone) return setZone(who.tenant.timezone);
  try {
    setZone((await api<{ timezone?: string }>('/api/overview')).timezone);
  } catch (e) {
    if (e instanceof Redirected) throw e;
    // the page itself will show what went wrong; times fall back to the browser's zone
  }
}

function navigate(url: string): void {
  window.history.pushState(null, '', url);
  window.scrollTo(0, 0);
  void show();
}

document.addEventListener('click', (ev) => {
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const a = (ev.target as Element).closest?.('a[data-link]');
  if (!(a instanceof HTMLAnchorElement) || a.origin !== window.location.origin) return;
  ev.preventDefault();
  navigate(a.pathname + a.search);
});
window.addEventListener('popstate', () => void show());
void show();
