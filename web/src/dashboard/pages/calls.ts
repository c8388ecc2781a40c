import { api } from '../api.ts';
import { h } from '../dom.ts';
import { zone } from '../zone.ts';
import {
  zonedInstant,
  channelLabel,
  formatCount,
  formatDateTime,
  formatDuration,
  formatMs,
  humanize,
} from '../format.ts';
import { badge, card, flagBadges, pageHeader, pager, statusKind, type PageContext } from '../shell.ts';
import type { CallRow } from '@voxanne/contracts/dashboard';
import { CHANNELS } from '@voxanne/contracts/records-api';

const PAGE_SIZE = 25;
const STATUSES = ['completed', 'transferred', 'abandoned', 'failed', 'in_progress'];

export async function renderCalls(ctx: PageContext): Promise<void> {
  const params = new URLSearchParams(window.location.search);
  const offset = Math.max(0, Number(params.get('offset')) || 0);
  const query = new URLSearchParams();
  for (const k of ['status', 'channel', 'q']) if (params.get(k)) query.set(k, params.get(k)!);
  // date inputs are the clinic's calendar days; the API wants instants
  const from = zonedInstant(params.get('from') ?? '', '00:00', zone());
  const to = zonedInstant(params.get('to') ?? '', '23:59:59.999', zone());
  if (from) query.set('from', from);
  if (to) query.set('to', to);
  query.set('limit', String(PAGE_SIZE));
  query.set('offset', String(offset));
  const { calls, total } = await api<{ calls: CallRow[]; total: number }>(`/api/calls?${query}`, {
    signal: ctx.signal,
  });
  const now = new Date();

  const select = (name: string, label: string, options: [string, string][]) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: `f-${name}` }, label),
      h(
        'select',
        { id: `f-${name}`, name, 'data-testid': `filter-${name}` },
        options.map(([v, l]) => h('option', { value: v, selected: (params.get(name) ?? '') === v }, l)),
      ),
    );
  const input = (name: string, label: string, type: string, placeholder = '') =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: `f-${name}` }, label),
      h('input', {
        id: `f-${name}`,
        name,
        type,
        value: params.get(name) ?? '',
        placeholder,
        'data-testid': `filter-${name}`,
      }),
    );

  const form = h(
    'form',
    { class: 'filters', role: 'search', 'data-testid': 'call-filters' },
    input('q', 'Search', 'search', 'Caller, words said, outcome'),
    select('status', 'Status', [['', 'Any status'], ...STATUSES.map((s) => [s, humanize(s)] as [string, string])]),
    select('channel', 'Channel', [
      ['', 'Any channel'],
      ...CHANNELS.map((c) => [c, channelLabel(c)] as [string, string]),
    ]),
    input('from', 'From', 'date'),
    input('to', 'To', 'date'),
    h(
      'div',
      { class: 'filter-actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Apply'),
      h('a', { href: '/dashboard/calls', 'data-link': true, class: 'button' }, 'Clear'),
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v.trim()) next.set(k, v.trim());
    ctx.navigate(`/dashboard/calls${next.size ? `?${next}` : ''}`);
  });
  for (const el of form.querySelectorAll('select')) el.addEventListener('change', () => form.requestSubmit());

  ctx.root.replaceChildren(
    pageHeader(
      'Calls',
      `${formatCount(total)} ${total === 1 ? 'call' : 'calls'}${params.size ? ' matching the filters' : ''}`,
    ),
    card(null, form),
    card(
      null,
      calls.length
        ? h(
            'table',
            { class: 'table calls-table', 'data-testid': 'calls-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                [
                  'Caller',
                  'When',
                  'Channel',
                  'Length',
                  'Status',
                  'Outcome',
                  'Turns',
                  'Barge-ins',
                  'Voice-to-voice p50',
                ].map((t) => h('th', { scope: 'col' }, t)),
              ),
            ),
            h(
              'tbody',
              {},
              calls.map((c) =>
                h(
                  'tr',
                  { 'data-testid': 'call-row', 'data-call-id': c.id },
                  h(
                    'td',
                    { 'data-label': 'Caller', class: 'cell-main' },
                    h(
                      'a',
                      { href: `/dashboard/calls/${encodeURIComponent(c.id)}`, 'data-link': true },
                      c.caller || 'Unknown caller',
                    ),
                  ),
                  h('td', { 'data-label': 'When' }, formatDateTime(c.startedAt, now, zone())),
                  h('td', { 'data-label': 'Channel' }, channelLabel(c.channel)),
                  h('td', { 'data-label': 'Length' }, formatDuration(c.startedAt, c.endedAt)),
                  h('td', { 'data-label': 'Status' }, badge(humanize(c.status), statusKind(c.status)), flagBadges(c)),
                  h('td', { 'data-label': 'Outcome' }, humanize(c.outcome)),
                  h('td', { 'data-label': 'Turns', class: 'num' }, formatCount(c.turnCount)),
                  h('td', { 'data-label': 'Barge-ins', class: 'num' }, formatCount(c.bargeIns)),
                  h('td', { 'data-label': 'Voice-to-voice p50', class: 'num' }, formatMs(c.v2vP50)),
                ),
              ),
            ),
          )
        : null,
      calls.length ? callCards(calls, now) : null,
      calls.length
        ? null
        : h(
            'p',
            { class: 'empty', 'data-testid': 'calls-empty' },
            params.size ? 'No calls match these filters.' : 'No calls yet.',
          ),
      pager('/dashboard/calls', params, { offset, shown: calls.length, total, pageSize: PAGE_SIZE }),
    ),
  );
}

/** The same calls as compact cards for narrow screens (CSS shows one or the other). */
function callCards(calls: CallRow[], now: Date): HTMLElement {
  const plural = (n: number, one: string) => `${formatCount(n)} ${one}${n === 1 ? '' : 's'}`;
  return h(
    'ul',
    { class: 'call-cards', 'data-testid': 'call-cards' },
    calls.map((c) =>
      h(
        'li',
        {},
        h(
          'a',
          {
            class: 'call-card',
            href: `/dashboard/calls/${encodeURIComponent(c.id)}`,
            'data-link': true,
            'data-testid': 'call-card',
          },
          h(
            'span',
            { class: 'cc-top' },
            h('strong', {}, c.caller || 'Unknown caller'),
            badge(humanize(c.status), statusKind(c.status)),
            flagBadges(c),
          ),
          h(
            'span',
            { class: 'cc-line muted' },
            `${formatDateTime(c.startedAt, now, zone())} · ${channelLabel(c.channel)} · ` +
              `${formatDuration(c.startedAt, c.endedAt)}`,
          ),
          h('span', { class: 'cc-line' }, humanize(c.outcome)),
          h(
            'span',
            { class: 'cc-line muted' },
            // zeros and missing figures are left out: "0 barge-ins · — reply" is noise on a small screen
            [
              plural(c.turnCount, 'turn'),
              c.bargeIns ? plural(c.bargeIns, 'barge-in') : null,
              c.v2vP50 !== null ? `replies in ${formatMs(c.v2vP50)}` : null,
            ]
              .filter(Boolean)
              .join(' · '),
          ),
        ),
      ),
    ),
  );
}
