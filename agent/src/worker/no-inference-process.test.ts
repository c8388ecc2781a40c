import assert from 'node:assert/strict';
import { InferenceRunner } from '@livekit/agents';
import { describe, it } from 'vitest';
import { withoutInferenceProcess } from './no-inference-process.ts';

describe('no inference process', () => {
  it('a model registered afterwards (as the library registers its turn detector) leaves none to start', () => {
    withoutInferenceProcess();
    InferenceRunner.registerRunner('lk_eot_audio', 'file:///runner.js');
    // what the library's InferenceProcExecutor.createIfNeeded reads: no key, no process
    assert.deepEqual(Object.keys(InferenceRunner.registeredRunners), []);
    assert.equal(InferenceRunner.registeredRunners['lk_eot_audio'], undefined);
  });
});
