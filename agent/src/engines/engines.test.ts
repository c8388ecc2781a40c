import assert from 'node:assert/strict';
import { initializeLogger } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { parseAgentConfig } from '../config.ts';
import { loadKnowledgeBase } from '../knowledge/kb.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { createEngines, type EngineSet } from './index.ts';
import { PocketsphinxSTT } from './pocketsphinx/index.ts';

describe('engines a job process loads', () => {
  let kb: KnowledgeBase;
  const made: EngineSet[] = [];
  beforeAll(async () => {
    initializeLogger({ pretty: false, level: 'warn' });
    kb = await loadKnowledgeBase(undefined);
  });
  afterAll(async () => {
    for (const e of made) await Promise.all([e.stt.close(), e.fallback?.stt.close()]);
  });

  it('offline: pocketsphinx hears every call, so a decoder waits loaded for the next one', async () => {
    const e = await createEngines(parseAgentConfig({ VOXANNE_DEV: '1' }), kb);
    made.push(e);
    assert.ok(e.stt instanceof PocketsphinxSTT);
    assert.equal(e.stt.liveDecoders, 1);
    assert.ok(e.vad, 'the native VAD loaded');
  });

  it('behind Deepgram: the offline fallback keeps no decoder loaded until a failover opens a stream', async () => {
    const config = parseAgentConfig({
      VOXANNE_DEV: '1',
      DEEPGRAM_API_KEY: 'test-key',
      DEEPGRAM_BASE_URL: 'http://127.0.0.1:9',
    });
    const e = await createEngines(config, kb);
    made.push(e);
    const fallback = e.fallback?.stt;
    assert.ok(fallback instanceof PocketsphinxSTT);
    assert.equal(fallback.liveDecoders, 0);
    const stream = fallback.stream();
    // the stream's decoder is made when it starts listening, not before
    stream.pushFrame(new AudioFrame(new Int16Array(160), 16000, 1, 160));
    for (let waited = 0; fallback.liveDecoders === 0 && waited < 10_000; waited += 20)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(fallback.liveDecoders, 1, 'a failover still gets a decoder');
    stream.close();
  });
});
