import { test } from 'vitest';
import assert from 'node:assert/strict';
import { loadKnowledgeBase } from '../knowledge/kb.ts';
import { extractiveSummary, type SummaryItem } from './call-summary.ts';

const kb = await loadKnowledgeBase();

test('a booking call: what was asked, what was booked, for whom', () => {
  const items: SummaryItem[] = [
    { role: 'user', text: 'How much is a BBL?' },
    { role: 'assistant', text: 'A Brazilian butt lift costs eight thousand to twelve thousand dollars.' },
    { role: 'user', text: "I'd like to book a consultation" },
    {
      role: 'tool',
      name: 'book_appointment',
      args: {},
      result: {
        ok: true,
        booking: {
          id: 'bk_1',
          service: 'consultation',
          serviceName: 'consultation',
          startsAt: '2026-03-03T10:00:00-08:00',
          when: 'tomorrow at ten a m',
          name: 'Sarah Jones',
          phone: '+16195550100',
        },
      },
    },
    { role: 'assistant', text: "You're all set for tomorrow at ten a m." },
  ];
  const s = extractiveSummary(kb, items, 'Sarah Jones');
  assert.equal(s.outcome, 'booked');
  assert.match(
    s.summary,
    /^Sarah Jones asked about Brazilian butt lift and consultation \(prices and booking an appointment\)\./,
  );
  assert.match(s.summary, /Booked consultation for Sarah Jones \(\+16195550100\) on 2026-03-03T10:00:00-08:00\./);
  assert.deepEqual(s.followUps, []);
});

test('a callback request and an unanswered question become follow-ups', () => {
  const items: SummaryItem[] = [
    { role: 'user', text: 'Do you do hair transplants?' },
    { role: 'assistant', text: "I'm not sure about that. Would you like the front desk to call you back?" },
    { role: 'user', text: 'Yes please' },
    { role: 'assistant', text: "Sure. What's your name and the best number to reach you?" },
    { role: 'user', text: "It's Tom, 619 555 0111" },
    { role: 'assistant', text: "Thank you, Tom. I'll pass that to the front desk for a callback." },
  ];
  const s = extractiveSummary(kb, items);
  assert.equal(s.outcome, 'callback');
  assert.equal(s.followUps.length, 2);
  assert.match(s.summary, /Follow-up: Call the caller back/);
  assert.match(s.summary, /Unanswered: "Do you do hair transplants\?"/);
});

test('a call where nobody spoke, and a failed write', () => {
  assert.equal(extractiveSummary(kb, []).outcome, 'no-conversation');
  const s = extractiveSummary(kb, [
    { role: 'user', text: 'cancel my appointment' },
    {
      role: 'tool',
      name: 'cancel_appointment',
      args: {},
      result: { ok: false, error: 'unavailable', message: 'down' },
    },
  ]);
  assert.equal(s.outcome, 'information');
  assert.match(s.summary, /A cancel attempt failed \(unavailable\)\./);
});
