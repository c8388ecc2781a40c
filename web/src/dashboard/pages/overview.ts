import { api } from '../api.ts';
import { callsChart, latencyChart, legend, responsive } from '../charts.ts';
import { fill, h } from '../dom.ts';
import { setZone, zone } from '../zone.ts';
import {
  channelLabel,
  formatCount,
  formatDateTime,
  formatMoney,
  formatMs,
  formatPercent,
  humanize,
} from '../format.ts';
import { badge, card, pageHeader, statusKind, type PageContext } from '../shell.ts';
import type { CallRow, Overview } from '@voxanne/contracts/dashboard';

export async function renderOverview(ctx: PageContext): Promise<void> {
  const [o, recent] = await Promise.all([
    api<Overview>('/api/overview', { signal: ctx.signal }),
    api<{ calls: CallRow[] }>('/api/calls?limit=5', { signal: ctx.signal }),
  ]);
  setZone(o.timezone);
  const now = new Date();
  const today = new Intl.DateTimeFormat('en-US', { timeZone: zone(), weekday: 'long', month: 'short', day: 'numeric' });
  const stat = (key: string, label: string, value: string, note?: string) =>
    h(
      'div',
      { class: 'stat', 'data-testid': `stat-${key}` },
      h('span', { class: 'stat-label' }, label),
      h('strong', { class: 'stat-value', 'data-testid': `stat-${key}-value` }, value),
      note ? h('span', { class: 'stat-note' }, note) : null,
    );

  const callsHost = h('div', { class: 'chart-host' });
  const latencyHost = h('div', { class: 'chart-host' });
  fill(
    ctx.root,
    pageHeader('Overview', `${ctx.me.tenant.name} · ${today.format(now)}`),
    o.safeMode?.active ? safeModeBanner(o.safeMode) : null,
    h(
      'div',
      { class: 'stats' },
      stat('callsToday', 'Calls today', formatCount(o.callsToday)),
      stat('callsThisWeek', 'Calls this week', formatCount(o.callsThisWeek)),
      stat(
        'bookingsThisWeek',
        'Bookings this week',
        formatCount(o.bookingsThisWeek),
        `${formatCount(o.bookingsUpcoming)} upcoming`,
      ),
      stat('revenue', 'Revenue from bookings', formatMoney(o.revenueCents)),
      stat('answerRate', 'Answer rate', formatPercent(o.answerRate)),
      stat('v2v', 'Voice-to-voice', formatMs(o.v2vMs?.p50), `p50 · p95 ${formatMs(o.v2vMs?.p95)}`),
    ),
    h(
      'div',
      { class: 'grid-2' },
      card(
        'Weekly performance',
        legend([
          { label: 'Calls', cls: 'bar-calls' },
          { label: 'Bookings', cls: 'bar-bookings' },
        ]),
        callsHost,
      ),
      card('Response time (median voice-to-voice)', latencyHost),
    ),
    card(
      'Recent calls',
      recent.calls.length
        ? h(
            'ul',
            { class: 'recent' },
            recent.calls.map((c) =>
              h(
                'li',
                {},
                h(
                  'a',
                  { href: `/dashboard/calls/${encodeURIComponent(c.id)}`, 'data-link': true },
                  h('strong', {}, c.caller || 'Unknown caller'),
                  h('span', { class: 'muted' }, ` · ${channelLabel(c.channel)}`),
                ),
                h('span', { class: 'muted' }, formatDateTime(c.startedAt, now, zone())),
                badge(humanize(c.status), statusKind(c.status)),
              ),
            ),
          )
        : h('p', { class: 'empty' }, 'No calls yet. Calls appear here as soon as Voxanne answers one.'),
      h('p', {}, h('a', { href: '/dashboard/calls', 'data-link': true }, 'All calls →')),
    ),
  );
  responsive(callsHost, (w) => callsChart(o.weekly, w), ctx.signal);
  responsive(latencyHost, (w) => latencyChart(o.weekly, w), ctx.signal);
}

function safeModeBanner(sm: Overview['safeMode']): HTMLElement {
  const why =
    sm.mode === 'fallback'
      ? 'A cloud provider failed, so she is answering with the embedded engines for now.'
      : 'No cloud speech or language keys are configured, so she runs on the embedded offline engines.';
  return h(
    'div',
    { class: 'banner banner-warn', role: 'status', 'data-testid': 'safe-mode-banner', 'data-mode': sm.mode },
    h('strong', {}, 'Safe Mode'),
    h('span', {}, ` ${why} Calls are answered; voice quality and speed may be lower. `),
    h(
      'span',
      { class: 'engines' },
      `Speech: ${sm.engines.stt} · Language: ${sm.engines.llm} · Voice: ${sm.engines.tts}`,
    ),
  );
}
