import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { PHONE_CMN_INIT, phoneFeatParams, withCmnInit } from './phone-cmn.ts';

const MODEL_PARAMS = '-lowerf 130\n-upperf 6800\n-cmn batch\n-cmninit 41.00,-5.29,-0.12\n-agc none\n';

describe('withCmnInit', () => {
  it('replaces the model’s -cmninit and keeps every other setting in order', () => {
    assert.equal(
      withCmnInit(MODEL_PARAMS, [47.5, -2, 6.125]),
      '-lowerf 130\n-upperf 6800\n-cmn batch\n-agc none\n-cmninit 47.50,-2.00,6.13\n',
    );
  });

  it('adds -cmninit to a feat.params that had none', () => {
    assert.equal(withCmnInit('-lowerf 130\r\n-nfilt 25', [1, 2]), '-lowerf 130\n-nfilt 25\n-cmninit 1.00,2.00\n');
  });

  it('gives the phone value one number per cepstral coefficient of the model (13)', () => {
    assert.equal(PHONE_CMN_INIT.length, 13);
  });
});

describe('phoneFeatParams', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'voxanne-phone-cmn-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('points -featparams at the model’s settings with the phone line’s starting mean, written once', async () => {
    const hmm = join(dir, 'model');
    const cache = join(dir, 'cache');
    await mkdir(hmm);
    await writeFile(join(hmm, 'feat.params'), MODEL_PARAMS);
    const flags = phoneFeatParams(hmm, cache);
    const path = flags['-featparams']!;
    assert.deepEqual(Object.keys(flags), ['-featparams']);
    assert.equal(await readFile(path, 'utf8'), withCmnInit(MODEL_PARAMS, PHONE_CMN_INIT));
    assert.deepEqual(phoneFeatParams(hmm, cache), flags);
    assert.deepEqual(await readdir(cache), [path.slice(cache.length + 1)]);
  });

  it('leaves a model without feat.params to its own settings', async () => {
    assert.deepEqual(phoneFeatParams(join(dir, 'nowhere'), join(dir, 'cache2')), {});
  });
});
