// npm test's sample of the fuzz run (npm run fuzz runs 10,000): 500 generated requests at every HTTP
// surface; a new seed each run (printed: FUZZ_SEED=<seed> repeats it), and the judge itself checked.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { describe, it } from 'vitest';
import { judge } from './judge.ts';
import { Rng } from './rng.ts';
import { runFuzz } from './run.ts';

describe('fuzz', () => {
  it('the judge refuses a 5xx, a dropped connection, a 4xx without a JSON error and a 400 naming no field', () => {
    const a = { contentType: 'application/json; charset=utf-8', api: true, method: 'GET' };
    assert.match(judge({ ...a, status: 500, body: '{}' })!, /^500/);
    assert.match(judge({ ...a, status: undefined, body: '' })!, /dropped/);
    assert.match(judge({ ...a, status: 404, contentType: 'text/html', body: '<html>' })!, /JSON/);
    assert.match(judge({ ...a, status: 400, body: '{"error":"bad"}' })!, /without a field/);
    assert.equal(judge({ ...a, status: 400, body: '{"error":"bad","field":"q"}' }), undefined);
    assert.equal(judge({ ...a, status: 401, body: '{"error":"not logged in"}' }), undefined);
    assert.equal(judge({ ...a, status: 404, api: false, contentType: 'text/plain', body: 'Not found' }), undefined);
  });

  it('the generator is seeded: the same seed, the same numbers', () => {
    const x = new Rng(42);
    const y = new Rng(42);
    const seq = (r: Rng) => Array.from({ length: 5 }, () => r.int(0, 1000));
    assert.deepEqual(seq(x), seq(y));
    assert.notDeepEqual(seq(new Rng(1)), seq(new Rng(2)));
  });

  it('500 cases: no 5xx, no dropped connection, every 4xx a JSON error, every 400 naming its field', async () => {
    const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 31);
    console.log(`fuzz sample: seed ${seed} (FUZZ_SEED=${seed} repeats it)`);
    const r = await runFuzz({ cases: 500, seed });
    console.log(`fuzz sample: ${JSON.stringify(r.byStatus)}`);
    assert.equal(r.cases, 550, '500 HTTP cases and 50 at the Twilio webhook and sockets');
    assert.deepEqual(
      r.failures.map((f) => `case ${f.case}: ${f.problem} ${JSON.stringify(f.request).slice(0, 300)}`),
      [],
      `seed ${seed}`,
    );
  });
});
