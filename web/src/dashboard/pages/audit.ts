// The owner's Audit page: who looked at which patient information, when, and from where.
import { api } from '../api.ts';
import { auditWhat, AUDIT_LABELS } from '../audit-text.ts';
import { h } from '../dom.ts';
import { formatCount, formatDateTime } from '../format.ts';
import { card, pageHeader, pager, type PageContext } from '../shell.ts';
import { zone } from '../zone.ts';
import type { AuditPage } from '@voxanne/contracts/dashboard';

const PAGE_SIZE = 50;

export async function renderAudit(ctx: PageContext): Promise<void> {
  const params = new URLSearchParams(window.location.search);
  const offset = Math.max(0, Number(params.get('offset')) || 0);
  const action = params.get('action') ?? '';
  const query = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset) });
  if (action) query.set('action', action);
  const { entries, total } = await api<AuditPage>(`/api/audit?${query}`, { signal: ctx.signal });
  const now = new Date();

  const select = h(
    'select',
    { id: 'f-action', name: 'action', 'data-testid': 'filter-action' },
    [['', 'Everything'], ...Object.entries(AUDIT_LABELS)].map(([v, l]) =>
      h('option', { value: v, selected: action === v }, l),
    ),
  );
  select.addEventListener('change', () =>
    ctx.navigate(`/dashboard/audit${select.value ? `?action=${encodeURIComponent(select.value)}` : ''}`),
  );
  ctx.root.replaceChildren(
    pageHeader(
      'Audit trail',
      `${formatCount(total)} recorded ${total === 1 ? 'view' : 'views'} of patient information. ` +
        'Entries cannot be edited or deleted.',
    ),
    card(
      null,
      h('div', { class: 'filters' }, h('div', { class: 'field' }, h('label', { for: 'f-action' }, 'Show'), select)),
    ),
    card(
      null,
      entries.length
        ? h(
            'table',
            { class: 'table audit-table', 'data-testid': 'audit-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['When', 'Who', 'What', 'From'].map((t) => h('th', { scope: 'col' }, t)),
              ),
            ),
            h(
              'tbody',
              {},
              entries.map((e) => {
                const what = auditWhat(e);
                return h(
                  'tr',
                  { 'data-testid': 'audit-row', 'data-action': e.action },
                  h('td', { 'data-label': 'When' }, formatDateTime(e.at, now, zone())),
                  h('td', { 'data-label': 'Who', title: e.user.email }, e.user.name || e.user.email),
                  h(
                    'td',
                    { 'data-label': 'What' },
                    what.label,
                    what.callId
                      ? [
                          ' ',
                          h(
                            'a',
                            { href: `/dashboard/calls/${encodeURIComponent(what.callId)}`, 'data-link': true },
                            what.callId,
                          ),
                        ]
                      : what.detail
                        ? h('span', { class: 'muted' }, ` (${what.detail})`)
                        : null,
                  ),
                  h('td', { 'data-label': 'From', title: e.userAgent ?? '' }, e.ip),
                );
              }),
            ),
          )
        : h('p', { class: 'empty', 'data-testid': 'audit-empty' }, 'Nobody has looked at patient information yet.'),
      pager('/dashboard/audit', params, { offset, shown: entries.length, total, pageSize: PAGE_SIZE }),
    ),
  );
}
