import assert from 'node:assert/strict';
import { test } from 'vitest';
import { RECORDS_FLUSH_MS, recordsFlushMs } from './records-flush.ts';

test('a call that ended waits long for its records; a stopping worker keeps the short wait', () => {
  for (const reason of ['caller left', 'agent hung up', 'no caller', 'room disconnected', 'silence'])
    assert.equal(recordsFlushMs(reason), RECORDS_FLUSH_MS.ended, reason);
  for (const reason of ['agent stopping', 'job shutdown'])
    assert.equal(recordsFlushMs(reason), RECORDS_FLUSH_MS.stopping, reason);
  assert.ok(RECORDS_FLUSH_MS.stopping < 10_000, 'inside the 10 s every process has to stop in');
  assert.ok(RECORDS_FLUSH_MS.ended > RECORDS_FLUSH_MS.stopping);
});
