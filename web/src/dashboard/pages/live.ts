import { api } from '../api.ts';
import { h } from '../dom.ts';
import { channelLabel, formatSince, humanize } from '../format.ts';
import { applyLiveEvent, parseLiveEvent } from '../live-model.ts';
import { card, pageHeader, type PageContext } from '../shell.ts';
import type { LiveCall } from '@voxanne/contracts/dashboard';

const STATE_WORDS: Record<string, string> = {
  IDLE: 'Connecting',
  LISTENING: 'Listening',
  PROCESSING: 'Thinking',
  SPEAKING: 'Speaking',
  INTERRUPTED: 'Interrupted',
};

export async function renderLive(ctx: PageContext): Promise<void> {
  let calls = (await api<{ calls: LiveCall[] }>('/api/live', { signal: ctx.signal })).calls.reduce<LiveCall[]>(
    (list, c) => applyLiveEvent(list, c),
    [],
  );
  const list = h('div', { class: 'live-list', 'data-testid': 'live-calls', 'aria-live': 'polite' });
  const status = h(
    'span',
    { class: 'conn', 'data-testid': 'live-connection', 'data-state': 'connecting' },
    'Connecting…',
  );
  const count = h('span', {});

  const draw = () => {
    const now = new Date();
    count.textContent = `${calls.length} ${calls.length === 1 ? 'call' : 'calls'} in progress`;
    list.replaceChildren(
      ...(calls.length
        ? calls.map((c) =>
            h(
              'a',
              {
                class: 'live-call',
                href: `/dashboard/calls/${encodeURIComponent(c.id)}`,
                'data-link': true,
                'data-testid': 'live-call',
                'data-call-id': c.id,
                'data-state': c.state,
              },
              h('span', { class: `state-dot state-${c.state.toLowerCase()}`, 'aria-hidden': 'true' }),
              h(
                'span',
                { class: 'live-who' },
                h('strong', {}, c.caller || 'Unknown caller'),
                h('span', { class: 'muted' }, `${channelLabel(c.channel)} · started ${formatSince(c.startedAt, now)}`),
              ),
              h(
                'span',
                { class: 'live-state' },
                h('strong', { 'data-testid': 'live-state' }, STATE_WORDS[c.state] ?? humanize(c.state)),
                h('span', { class: 'muted' }, formatSince(c.since, now)),
              ),
            ),
          )
        : [
            h(
              'p',
              { class: 'empty', 'data-testid': 'live-empty' },
              'No calls in progress. This page updates by itself when a call comes in.',
            ),
          ]),
    );
  };

  ctx.root.replaceChildren(pageHeader('Live calls', count, status), card(null, list));
  draw();

  const source = new EventSource('/api/live/stream');
  // an event listener cannot be awaited; a failed reload is handled inside
  source.addEventListener(
    'open',
    () =>
      void (async () => {
        // after a reconnect the events in between are gone: start again from the current list
        if (status.dataset.state === 'reconnecting') {
          try {
            calls = (await api<{ calls: LiveCall[] }>('/api/live', { signal: ctx.signal })).calls.reduce<LiveCall[]>(
              (list, c) => applyLiveEvent(list, c),
              [],
            );
            draw();
          } catch {
            return; // the next error or open event tries again
          }
        }
        status.textContent = 'Live';
        status.dataset.state = 'open';
      })(),
  );
  source.addEventListener('error', () => {
    if (status.dataset.state === 'reconnecting') return;
    status.textContent = 'Reconnecting…';
    status.dataset.state = 'reconnecting';
    // EventSource retries by itself, but cannot see a 401: ask once, and a logged-out session goes to /login
    api('/api/me').catch(() => {});
  });
  source.addEventListener('call', (ev) => {
    const call = parseLiveEvent((ev as MessageEvent<string>).data);
    if (!call) return;
    calls = applyLiveEvent(calls, call);
    draw();
  });
  // only the "x s ago" texts change; the list itself changes on events
  const tick = window.setInterval(draw, 5000);
  ctx.signal.addEventListener('abort', () => {
    source.close();
    window.clearInterval(tick);
  });
}
