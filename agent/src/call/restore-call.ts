/**
 * The job's side of a recovery: reads the call's turns back from the records API and turns them
 * into CallSession's `restore` (history, next turn index, her "Sorry, I lost you" line).
 */
import { recoveryLine, restoreFromTurns, TOPIC_OF_INTENT, type StoredTurn } from '../core/recovery.ts';
import { respond } from '../core/receptionist/index.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import type { RecordsClient } from '../records/http-client.ts';
import type { CallSessionOptions } from './call-session.ts';
import type { Logger } from './logger.ts';

/** What the caller's words were about, named the way she would say it ("our opening hours", "the price of Botox"). */
export function topicOf(kb: KnowledgeBase) {
  return (text: string): string | undefined => {
    const r = respond(kb, [], text);
    const service = r.serviceIds.length === 1 ? kb.services.find((s) => s.id === r.serviceIds[0])?.name : undefined;
    if (service && r.intent === 'service-price') return `the price of ${service}`;
    if (service && (r.intent === 'service-description' || r.intent === 'service-recovery' || r.intent === 'services'))
      return service;
    return TOPIC_OF_INTENT[r.intent];
  };
}

export async function restoreCall(o: {
  client: RecordsClient | undefined;
  callId: string;
  kb: KnowledgeBase;
  logger: Logger;
}): Promise<NonNullable<CallSessionOptions['restore']>> {
  let turns: StoredTurn[] = [];
  if (o.client) {
    try {
      // within the greeting's time: one quick attempt, then she goes on without the history
      turns = (
        await o.client.request<{ turns: StoredTurn[] }>('GET', `/calls/${encodeURIComponent(o.callId)}`, undefined, 2)
      ).turns;
    } catch (err) {
      o.logger.warn({ err: (err as Error).message }, 'call history unavailable; recovering without it');
    }
  }
  const restored = restoreFromTurns(turns);
  const line = recoveryLine(restored, topicOf(o.kb));
  o.logger.info({ turns: turns.length, nextTurnIndex: restored.nextTurnIndex }, 'call restored');
  o.logger.debug({ pii: { line } }, 'call restored with');
  return { history: restored.history, nextTurnIndex: restored.nextTurnIndex, line };
}
