import { test } from 'vitest';
import assert from 'node:assert/strict';
import { loadKnowledgeBase } from '../../knowledge/kb.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { dayInTimeZone, describeDayForSpeech, describeHoursForSpeech } from './hours.ts';

const kb = await loadKnowledgeBase();
const withHours = (hours: Partial<KnowledgeBase['hours']>): KnowledgeBase => ({
  ...kb,
  hours: { ...kb.hours, ...hours },
});

test('the week is grouped into runs of days with the same hours', () => {
  assert.equal(
    describeHoursForSpeech(kb),
    "We're open Monday to Wednesday, eight a m to five p m. Thursday, eight a m to seven p m. " +
      "Friday, eight a m to four p m. Saturday, nine a m to one p m. We're closed on Sunday.",
  );
});

test('identical hours every day, and days closed mid-week', () => {
  const same = { open: '09:00', close: '17:30' };
  const everyDay = withHours({
    monday: same,
    tuesday: same,
    wednesday: same,
    thursday: same,
    friday: same,
    saturday: same,
    sunday: same,
  });
  assert.equal(describeHoursForSpeech(everyDay), "We're open every day, nine a m to five thirty p m.");
  const midweek = withHours({ wednesday: 'closed', thursday: { open: '08:00', close: '17:00' } });
  assert.match(
    describeHoursForSpeech(midweek),
    /^We're open Monday and Tuesday, eight a m to five p m\. Thursday, eight a m to five p m\./,
  );
  assert.match(describeHoursForSpeech(midweek), /We're closed on Wednesday and Sunday\.$/);
});

test('a closed day points to the next open one, wrapping round the week', () => {
  const closedWeekend = withHours({ saturday: 'closed' });
  const text = describeDayForSpeech(closedWeekend, { day: 'saturday', ask: 'range', yesNo: true, asksClosed: false });
  assert.equal(text, "No, we're closed on Saturday. We open again Monday at eight a m.");
});

test('the weekday is taken in the clinic time zone', () => {
  // 2024-06-01T05:00Z is Saturday in UTC but still Friday evening in San Diego
  const t = new Date('2024-06-01T05:00:00Z');
  assert.equal(dayInTimeZone(t, 'UTC'), 'saturday');
  assert.equal(dayInTimeZone(t, 'America/Los_Angeles'), 'friday');
});
