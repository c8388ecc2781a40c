/**
 * After the call: what the caller wanted, what was booked, what needs following up — made from
 * the transcript and the appointment tools' results alone (extractive), so it exists with no
 * language model. The LLM summary (engines/groq/summarize.ts) is preferred when there is one; this
 * also supplies the outcome both are stored with. Pure.
 */
import type { BookingResult, ToolExchange } from './booking-tools.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { joinAnd } from './receptionist/hours.ts';
import { LINES } from './receptionist/speak.ts';
import { normalize } from './receptionist/text-match.ts';
import { hear } from './receptionist/understand.ts';

export type SummaryItem = { role: 'user' | 'assistant'; text: string } | ({ role: 'tool' } & ToolExchange);

export const OUTCOMES = ['booked', 'rescheduled', 'cancelled', 'callback', 'information', 'no-conversation'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface CallSummary {
  outcome: Outcome;
  summary: string;
  /** what the front desk should do next, if anything */
  followUps: string[];
}

const WRITE_OUTCOME: Record<string, Outcome> = {
  book_appointment: 'booked',
  reschedule_appointment: 'rescheduled',
  cancel_appointment: 'cancelled',
};

export function extractiveSummary(kb: KnowledgeBase, items: readonly SummaryItem[], callerName?: string): CallSummary {
  const caller = items.filter((i): i is { role: 'user'; text: string } => i.role === 'user');
  if (caller.length === 0)
    return { outcome: 'no-conversation', summary: 'The caller did not say anything.', followUps: [] };
  const services = new Set<string>();
  const topics = new Set<string>();
  for (const t of caller) {
    const h = hear(kb, t.text);
    // words trying to give orders are not what the caller wanted from the clinic
    if (h.injection) continue;
    for (const s of h.services) services.add(s.name);
    if (h.facets.includes('price')) topics.add('prices');
    if (h.facets.includes('recovery')) topics.add('recovery');
    if (h.hours) topics.add('opening hours');
    if (h.address) topics.add('the address');
    if (h.answer) topics.add(h.answer.topic ?? h.answer.id);
    if (h.booking)
      topics.add(
        h.booking === 'book'
          ? 'booking an appointment'
          : h.booking === 'cancel'
            ? 'cancelling an appointment'
            : 'moving an appointment',
      );
  }
  const who = callerName ? callerName : 'The caller';
  const parts: string[] = [];
  const about = [...topics];
  if (services.size > 0)
    parts.push(`${who} asked about ${joinAnd([...services])}${about.length ? ` (${joinAnd(about)})` : ''}.`);
  else if (about.length > 0) parts.push(`${who} asked about ${joinAnd(about)}.`);
  else parts.push(`${who} called; no clinic topic was recognised.`);

  let outcome: Outcome = 'information';
  for (const i of items) {
    if (i.role !== 'tool' || !(i.name in WRITE_OUTCOME)) continue;
    const r = i.result as BookingResult;
    if (!r.ok) {
      parts.push(`A ${i.name.replace('_appointment', '')} attempt failed (${r.error}).`);
      continue;
    }
    outcome = WRITE_OUTCOME[i.name]!;
    const b = r.booking;
    const verb = outcome === 'booked' ? 'Booked' : outcome === 'rescheduled' ? 'Moved' : 'Cancelled';
    parts.push(
      `${verb} ${b.serviceName} for ${b.name} (${b.phone}) ${outcome === 'rescheduled' ? 'to' : 'on'} ${b.startsAt}.`,
    );
  }
  const followUps: string[] = [];
  const said = (line: string) =>
    items.some((i) => i.role === 'assistant' && normalize(i.text).includes(normalize(line)));
  if (items.some((i) => i.role === 'assistant' && /pass that to the front desk/i.test(i.text)))
    followUps.push('Call the caller back (details given in the call).');
  else if (said(LINES.callbackQuestion) && outcome === 'information')
    followUps.push('The caller was offered a callback.');
  const unknown = caller.filter((_, k) => {
    const reply = items[items.indexOf(caller[k]!) + 1];
    return reply?.role === 'assistant' && /\bnot sure about that\b/i.test(reply.text);
  });
  if (unknown.length > 0) followUps.push(`Unanswered: "${unknown.map((u) => u.text).join('" / "')}".`);
  if (followUps.length > 0 && outcome === 'information' && followUps[0]!.startsWith('Call')) outcome = 'callback';
  return { outcome, summary: [...parts, ...followUps.map((f) => `Follow-up: ${f}`)].join(' '), followUps };
}
