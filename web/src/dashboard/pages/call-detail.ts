import { api } from '../api.ts';
import { responsive } from '../charts.ts';
import { h } from '../dom.ts';
import { zone } from '../zone.ts';
import {
  channelLabel,
  serviceLabel,
  formatDateTime,
  formatDuration,
  formatMoney,
  formatMs,
  formatTime,
  humanize,
} from '../format.ts';
import { badge, card, flagBadges, pageHeader, statusKind, type PageContext } from '../shell.ts';
import { timelineLegend, timelineSvg } from '../timeline.ts';
import { intakeLines } from '../intake-text.ts';
import type { Booking, CallDetail, Turn, TurnMetrics } from '@voxanne/contracts/dashboard';

const METRICS: [keyof TurnMetrics, string][] = [
  ['v2vMs', 'Voice-to-voice'],
  ['sttFinalMs', 'Speech-to-text'],
  ['endOfTurnMs', 'End of turn'],
  ['llmFirstTokenMs', 'Model first word'],
  ['ttsFirstByteMs', 'Voice first audio'],
];

export async function renderCallDetail(ctx: PageContext, id: string): Promise<void> {
  const d = await api<CallDetail>(`/api/calls/${encodeURIComponent(id)}`, { signal: ctx.signal });
  const { call } = d;
  const now = new Date();
  const timelineHost = h('div', { class: 'chart-host' });
  const bargeIns = d.turns.filter((t) => t.speaker === 'agent' && t.interrupted).length;
  document.title = `Call with ${call.caller || 'unknown caller'} · Voxanne`;

  ctx.root.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: '/dashboard/calls', 'data-link': true }, '← All calls')),
    pageHeader(
      call.caller || 'Unknown caller',
      `${channelLabel(call.channel)} · ${formatDateTime(call.startedAt, now, zone())} ` +
        `· ${formatDuration(call.startedAt, call.endedAt)}`,
      h('span', {}, badge(humanize(call.status), statusKind(call.status), 'call-status'), flagBadges(call)),
    ),
    h(
      'div',
      { class: 'grid-2' },
      card(
        'Summary',
        h(
          'p',
          { class: 'summary', 'data-testid': 'call-summary' },
          call.summary ||
            (call.endedAt ? 'No summary was written for this call.' : 'The summary is written when the call ends.'),
        ),
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'Outcome'),
          h('dd', {}, humanize(call.outcome)),
          h('dt', {}, 'Turns'),
          h('dd', {}, String(d.turns.length)),
          h('dt', {}, 'Barge-ins'),
          h('dd', { 'data-testid': 'barge-in-count' }, String(bargeIns)),
          call.engines
            ? [
                h('dt', {}, 'Engines'),
                h(
                  'dd',
                  {},
                  Object.entries(call.engines)
                    .map(([k, v]) => `${k}: ${v}`)
                    .join(' · '),
                ),
              ]
            : null,
        ),
      ),
      card(
        'Booked on this call',
        d.bookings.length
          ? h(
              'ul',
              { class: 'bookings-list' },
              d.bookings.map((b) => bookingItem(b, now)),
            )
          : h('p', { class: 'empty' }, 'Nothing was booked on this call.'),
      ),
    ),
    ...(d.messages.length
      ? [
          card(
            'Message for the front desk',
            h(
              'ul',
              { class: 'messages-list', 'data-testid': 'front-desk-messages' },
              d.messages.map((m) => h('li', {}, h('time', { datetime: m.at }, formatTime(m.at, zone())), ' ', m.text)),
            ),
          ),
        ]
      : []),
    card(
      'State timeline',
      h(
        'p',
        { class: 'muted small' },
        'What Voxanne was doing, second by second. Red markers are moments the caller talked over her.',
      ),
      timelineLegend(),
      timelineHost,
    ),
    card(
      'Transcript',
      d.turns.length ? transcript(d.turns) : h('p', { class: 'empty' }, 'Nothing was said on this call.'),
    ),
  );
  responsive(
    timelineHost,
    (w) => timelineSvg({ startedAt: call.startedAt, endedAt: call.endedAt, states: d.states, turns: d.turns, now }, w),
    ctx.signal,
  );
}

function transcript(turns: Turn[]): HTMLElement {
  return h(
    'ol',
    { class: 'transcript', 'data-testid': 'transcript' },
    [...turns]
      .sort((a, b) => a.index - b.index || Date.parse(a.startedAt) - Date.parse(b.startedAt))
      .map((t) =>
        h(
          'li',
          {
            class: `turn turn-${t.speaker}`,
            'data-testid': 'turn',
            'data-speaker': t.speaker,
            'data-interrupted': String(t.interrupted),
          },
          h(
            'div',
            { class: 'turn-head' },
            h('span', { class: 'speaker' }, t.speaker === 'agent' ? 'Voxanne' : 'Caller'),
            h('time', { datetime: t.startedAt }, formatTime(t.startedAt, zone())),
            t.interrupted ? badge(t.speaker === 'agent' ? 'Interrupted by caller' : 'Interrupted', 'bad') : null,
          ),
          h('p', { class: 'turn-text' }, t.text),
          latencies(t.metrics),
        ),
      ),
  );
}

function latencies(m: TurnMetrics | null | undefined): HTMLElement | null {
  if (!m) return null;
  const present = METRICS.filter(([k]) => typeof m[k] === 'number');
  if (!present.length) return null;
  return h(
    'dl',
    { class: 'latencies', 'data-testid': 'turn-latencies' },
    present.map(([k, label]) =>
      h('div', { class: k === 'v2vMs' ? 'lat lat-main' : 'lat' }, h('dt', {}, label), h('dd', {}, formatMs(m[k]))),
    ),
  );
}

/** `timeOnly`: under a day heading the date would be said twice. */
export function bookingItem(b: Booking, now: Date, timeOnly = false): HTMLElement {
  const intake = intakeLines(b.intake);
  return h(
    'li',
    { class: 'booking', 'data-testid': 'booking' },
    h(
      'div',
      { class: 'booking-when' },
      h('strong', {}, timeOnly ? formatTime(b.startsAt, zone()) : formatDateTime(b.startsAt, now, zone())),
      h('span', { class: 'muted' }, `until ${formatTime(b.endsAt, zone())}`),
    ),
    h(
      'div',
      { class: 'booking-what' },
      h('strong', {}, serviceLabel(b.service)),
      h('span', {}, `${b.name} · ${b.phone}`),
      intake.length
        ? h(
            'dl',
            { class: 'booking-intake', 'data-testid': 'booking-intake' },
            intake.flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]),
          )
        : null,
    ),
    h(
      'div',
      { class: 'booking-meta' },
      typeof b.priceCents === 'number' ? h('span', {}, formatMoney(b.priceCents)) : null,
      badge(humanize(b.status), statusKind(b.status)),
    ),
  );
}
