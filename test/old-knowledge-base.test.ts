// A clinic whose knowledge base was stored before services had the `consultation` flag: the web
// server infers the consultation service when it loads it and saves it, so a call on that clinic
// books "a BBL consultation" as the consultation, not as the procedure named first.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, it } from 'vitest';
import { initializeLogger } from '@livekit/agents';
import { knowledgeBaseSchema } from '@voxanne/contracts/knowledge-base';
import { bookingTools } from '../agent/src/call/clinic-services.ts';
import { TextConversation } from '../agent/src/call/text-conversation.ts';
import { buildInstructions } from '../agent/src/core/instructions.ts';
import { RulesLLM } from '../agent/src/engines/rules/rules-llm.ts';
import type { RecordsClient } from '../agent/src/records/http-client.ts';
import { agentRecordsClient } from './support/records-client.ts';
import { fetchTenantConfig } from '../agent/src/records/http-records.ts';
import { MemoryRecords } from '../agent/src/records/memory-records.ts';
import { forEachDatabase } from '../web/server/db/testing/databases.ts';
import { createTenant, getSettings } from '../web/server/db/tenants.ts';
import { KB_PATH, startRecordsServer, type RecordsServer } from '../web/server/records/testing.ts';

initializeLogger({ pretty: false, level: 'warn' });
// Monday 2026-03-02, 09:00 in San Diego
const now = () => new Date('2026-03-02T17:00:00Z');

forEachDatabase('a knowledge base stored before the consultation flag', (h) => {
  let web: RecordsServer;
  let client: RecordsClient;
  let tenantId: string;
  let oldYaml: string;
  beforeAll(async () => {
    oldYaml = (await readFile(KB_PATH, 'utf8')).replace(/^\s*consultation: true\n/m, '');
    assert.doesNotMatch(oldYaml, /consultation: true/);
    tenantId = (await createTenant(h.db, { slug: 'riverside', name: 'Riverside', knowledgeBaseYaml: oldYaml })).id;
    web = await startRecordsServer(h.db);
    client = agentRecordsClient(web.baseUrl);
  });
  afterAll(() => web?.stop());

  it('is completed and saved when loaded; "a BBL consultation" then books the consultation', async () => {
    const kb = knowledgeBaseSchema.parse((await fetchTenantConfig(client, 'riverside')).knowledgeBase);
    assert.deepEqual(
      kb.services.filter((s) => s.consultation).map((s) => s.id),
      ['consultation'],
    );
    const stored = (await getSettings(h.db, tenantId)).knowledgeBase;
    assert.match(stored, /consultation: true/, 'written back');
    assert.equal(stored.replace(/^\s*consultation: true\n/m, ''), oldYaml, 'and nothing else changed');

    const store = new MemoryRecords(kb, now);
    const c = new TextConversation({
      model: new RulesLLM({ kb, now }),
      instructions: buildInstructions(kb, { booking: true }),
      tools: bookingTools({ kb, store, callId: 'call-old-kb', now }),
    });
    const asked = await c.say('Can I book a BBL consultation on Tuesday?');
    assert.deepEqual(
      asked.tools.map((t) => t.name),
      ['check_availability'],
    );
    for (const line of ['ten a m', 'my name is Sarah Jones', 'six one nine five five five zero one zero zero'])
      await c.say(line);
    await c.say('yes please');
    assert.deepEqual(
      store.bookings.map((b) => [b.service, b.name]),
      [['consultation', 'Sarah Jones']],
    );
  });
});
