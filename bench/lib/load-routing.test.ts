import assert from 'node:assert/strict';
import { test } from 'vitest';
import type { ListenRecord, SpeechSegment } from '../../test/fakes/deepgram/index.ts';
import { LoadRouting } from './load-routing.ts';

const connection = (id: number) => ({ id, closed: false }) as ListenRecord;
const segment = (startSec: number, endSec: number): SpeechSegment => ({
  audio: new Int16Array(0),
  sampleRate: 16000,
  startSec,
  endSec,
});

test('each connection is bound to the caller who spoke first on it, and transcribes her words only', async () => {
  const routing = new LoadRouting();
  const ann = routing.line();
  const bob = routing.line();
  const a = routing.transcriberFor(connection(0));
  const b = routing.transcriberFor(connection(1));

  await ann.ready();
  // Bob waits for his turn: Ann holds the claim until her speech is heard somewhere
  let bobReady = false;
  const bobTurn = bob.ready().then(() => (bobReady = true));
  ann.expect('what are your hours', 0, 1000);
  await Promise.resolve();
  assert.equal(bobReady, false);
  assert.equal(await b.final(segment(0, 1)), 'what are your hours'); // connection 1 carries Ann
  await bobTurn;
  bob.expect('where are you', 0, 800);
  assert.equal(await a.final(segment(3, 3.8)), 'where are you'); // connection 0 carries Bob

  // bound callers speak at the same time, each heard on her own connection
  await ann.ready();
  await bob.ready();
  ann.expect('book me in', 0, 900);
  bob.expect('thank you', 0, 600);
  assert.equal(await a.final(segment(5, 5.6)), 'thank you');
  assert.equal(await b.final(segment(6, 6.9)), 'book me in');
  assert.equal(routing.unrouted, 0);
  assert.equal(ann.bindings, 1);
});

test('a caller whose connection closed claims again, and her next speech binds the new one', async () => {
  const routing = new LoadRouting();
  const ann = routing.line();
  const first = connection(0);
  const t0 = routing.transcriberFor(first);
  await ann.ready();
  ann.expect('hello', 0, 500);
  assert.equal(await t0.final(segment(0, 0.5)), 'hello');
  first.closed = true; // her agent reconnected to the STT
  const t1 = routing.transcriberFor(connection(1));
  await ann.ready();
  ann.expect('are you there', 0, 700);
  assert.equal(await t1.final(segment(0, 0.7)), 'are you there');
  assert.equal(ann.bindings, 2);
  // speech on a connection nobody claimed is counted, not given to anyone
  assert.equal(await routing.transcriberFor(connection(2)).final(segment(0, 1)), '');
  assert.equal(routing.unrouted, 1);
});
