import { test } from 'vitest';
import assert from 'node:assert/strict';
import { loadKnowledgeBase } from '../../knowledge/kb.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { ASK, bookingStep, type FlowItem } from './booking-flow.ts';

const kb = await loadKnowledgeBase();
// Monday 2026-03-02, 09:00 in San Diego
const now = new Date('2026-03-02T17:00:00Z');
const user = (text: string): FlowItem => ({ role: 'user', text });
const agent = (text: string): FlowItem => ({ role: 'assistant', text });

test('a question asked mid-booking is a typed aside step carrying the pending question, with no text to splice', () => {
  const step = bookingStep(
    kb,
    [user("I'd like to book a consultation"), agent(`Sure. ${ASK.date}`), user('how much is the consultation?')],
    now,
  );
  assert.deepEqual(step, { aside: true, ask: ASK.date });
});

test('an answer that moves the booking on is a plain step, not an aside', () => {
  const step = bookingStep(
    kb,
    [user("I'd like to book a consultation"), agent(`Sure. ${ASK.date}`), user('Tuesday please')],
    now,
  );
  assert.deepEqual(step, {
    call: { name: 'check_availability', args: { service: 'consultation', date: '2026-03-03' } },
  });
});

/** the shipped clinic with its consultation renamed, so nothing can rely on the id "consultation" */
function withConsultation(id: string | undefined): KnowledgeBase {
  return {
    ...kb,
    services: kb.services.map((s) =>
      s.id === 'consultation' ? { ...s, id: 'first-visit', consultation: id === 'first-visit' } : s,
    ),
  };
}

test('"a BBL consultation" books the service the knowledge base marks as the consultation, whatever its id', () => {
  const step = bookingStep(withConsultation('first-visit'), [user('Can I book a BBL consultation on Tuesday?')], now);
  assert.deepEqual(step, {
    call: { name: 'check_availability', args: { service: 'first-visit', date: '2026-03-03' } },
  });
});

test('with no service marked as the consultation, the procedure the caller named first is booked', () => {
  const step = bookingStep(withConsultation(undefined), [user('Can I book a BBL consultation on Tuesday?')], now);
  assert.deepEqual(step, { call: { name: 'check_availability', args: { service: 'bbl', date: '2026-03-03' } } });
});
