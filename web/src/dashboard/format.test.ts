import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { CHANNELS } from '@voxanne/contracts/records-api';
import {
  EMPTY,
  formatChartDay,
  formatCount,
  formatDateTime,
  formatDayLabel,
  formatDuration,
  formatMoney,
  formatMs,
  formatPercent,
  formatSince,
  humanize,
  channelLabel,
  serviceLabel,
  zonedInstant,
} from './format.ts';

describe('dashboard formatting', () => {
  it('shows latencies in ms below a second and seconds above, a dash when missing', () => {
    assert.equal(formatMs(420.4), '420 ms');
    assert.equal(formatMs(0), '0 ms');
    assert.equal(formatMs(1234), '1.23 s');
    assert.equal(formatMs(12_345), '12.3 s');
    assert.equal(formatMs(undefined), EMPTY);
    assert.equal(formatMs(null), EMPTY);
    assert.equal(formatMs(Number.NaN), EMPTY);
  });

  it('shows money in dollars, cents only when there are some', () => {
    assert.equal(formatMoney(125_000), '$1,250');
    assert.equal(formatMoney(12_345), '$123.45');
    assert.equal(formatMoney(0), '$0');
    assert.equal(formatMoney(undefined), EMPTY);
  });

  it('shows counts with separators and ratios as percentages', () => {
    assert.equal(formatCount(12_345), '12,345');
    assert.equal(formatPercent(0.953), '95%');
    assert.equal(formatPercent(1), '100%');
    assert.equal(formatPercent(0), '0%');
    assert.equal(formatPercent(0.995), '99.5%');
    assert.equal(formatPercent(0.05), '5.0%');
    assert.equal(formatPercent(null), EMPTY);
  });

  it('shows call lengths in seconds, minutes or hours', () => {
    const t = '2026-11-23T10:00:00.000Z';
    assert.equal(formatDuration(t, '2026-11-23T10:00:45.000Z'), '45 s');
    assert.equal(formatDuration(t, '2026-11-23T10:03:05.000Z'), '3 min 05 s');
    assert.equal(formatDuration(t, '2026-11-23T11:02:00.000Z'), '1 h 02 min');
    assert.equal(formatDuration(t, null), EMPTY);
    assert.equal(formatDuration(t, '2026-11-23T09:00:00.000Z'), EMPTY, 'an end before the start is not a length');
  });

  it('names today, yesterday and tomorrow, otherwise the date, in the given time zone', () => {
    const now = new Date('2026-11-23T15:00:00Z');
    assert.equal(formatDateTime('2026-11-23T14:05:00Z', now, 'UTC'), 'Today, 2:05 PM');
    assert.equal(formatDateTime('2026-11-22T09:10:00Z', now, 'UTC'), 'Yesterday, 9:10 AM');
    assert.equal(formatDayLabel('2026-11-24T09:10:00Z', now, 'UTC'), 'Tomorrow');
    assert.equal(formatDayLabel('2026-11-27T09:10:00Z', now, 'UTC'), 'Fri, Nov 27');
    assert.equal(formatDayLabel('2025-11-27T09:10:00Z', now, 'UTC'), 'Thu, Nov 27, 2025');
    // 01:00 UTC on the 24th is still the 23rd in New York
    assert.equal(formatDayLabel('2026-11-24T01:00:00Z', now, 'America/New_York'), 'Today');
    assert.equal(formatDateTime('not a date', now, 'UTC'), EMPTY);
  });

  it('labels chart days without shifting them through a time zone', () => {
    assert.equal(formatChartDay('2026-11-23'), 'Mon 23');
    assert.equal(formatChartDay('2026-11-01'), 'Sun 1');
    assert.equal(formatChartDay('garbage'), 'garbage');
  });

  it('says how long ago a live call changed state', () => {
    const now = new Date('2026-11-23T15:00:00Z');
    assert.equal(formatSince('2026-11-23T14:59:55Z', now), 'just now');
    assert.equal(formatSince('2026-11-23T14:58:30Z', now), '1 min 30 s ago');
  });

  it('turns codes into words', () => {
    assert.equal(humanize('in_progress'), 'In progress');
    assert.equal(humanize('COMPLETED'), 'Completed');
    assert.equal(humanize(''), EMPTY);
    assert.equal(channelLabel('sip'), 'Phone (SIP)');
    assert.equal(channelLabel('carrier-pigeon'), 'carrier-pigeon');
  });

  it('names every channel the records know, both Twilio channels among them (the calls filter lists them all)', () => {
    assert.ok(CHANNELS.includes('twilio-media') && CHANNELS.includes('twilio-relay'));
    for (const c of CHANNELS) assert.notEqual(channelLabel(c), c, `a label for ${c}`);
    assert.equal(channelLabel('twilio-relay'), 'Phone (Twilio ConversationRelay)');
  });

  it('names services from their ids, initialisms in capitals', () => {
    assert.equal(serviceLabel('bbl'), 'BBL');
    assert.equal(serviceLabel('tummy-tuck'), 'Tummy tuck');
    assert.equal(serviceLabel('rhinoplasty'), 'Rhinoplasty');
    assert.equal(serviceLabel('botox'), 'Botox');
    assert.equal(serviceLabel('nose'), 'Nose');
    assert.equal(serviceLabel(''), EMPTY);
  });

  it("turns a date filter into the instant the clinic's day starts or ends", () => {
    assert.equal(zonedInstant('2026-11-23', '00:00', 'America/Los_Angeles'), '2026-11-23T08:00:00.000Z');
    assert.equal(zonedInstant('2026-07-01', '00:00', 'America/Los_Angeles'), '2026-07-01T07:00:00.000Z', 'summer time');
    assert.equal(zonedInstant('2026-11-23', '23:59:59.999', 'Europe/Berlin'), '2026-11-23T22:59:59.999Z');
    assert.equal(zonedInstant('2026-11-23', '00:00', 'UTC'), '2026-11-23T00:00:00.000Z');
    assert.equal(zonedInstant('23/11/2026', '00:00', 'UTC'), null);
  });
});
