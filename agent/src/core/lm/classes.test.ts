import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { logProbability, toArpa, trainNgramModel } from './arpa.ts';
import { classToken, expandClasses } from './classes.ts';

const tok = (s: string) => s.split(' ');

describe('expandClasses', () => {
  const corpus = ['my name is [first]', 'book with doctor [last]', 'my name is [first] [last]', 'on the [ordinal]'].map(
    tok,
  );
  const model = trainNgramModel(corpus, { order: 3 });
  const classes = {
    first: ['sarah', 'emily'],
    last: ['garcia', 'miller', 'okafor'],
    ordinal: ['ninth', 'twenty_second'],
  };
  const expanded = expandClasses(model, classes);
  const p = (h: string, w: string) => 10 ** logProbability(expanded, h ? tok(h) : [], w);
  const pClass = (h: string, c: string) => 10 ** logProbability(model, h ? tok(h) : [], classToken(c));

  it('a member takes its class’s probability, shared evenly, in every context the class has', () => {
    assert.ok(Math.abs(p('doctor', 'okafor') - pClass('doctor', 'last') / 3) < 1e-9);
    assert.ok(Math.abs(p('with doctor', 'miller') - pClass('with doctor', 'last') / 3) < 1e-9);
    // a last name after any first name, though the corpus never put these two together
    assert.ok(Math.abs(p('is emily', 'okafor') - pClass('is [first]', 'last') / 3) < 1e-9);
    assert.ok(p('is emily', 'okafor') > p('is', 'okafor'), 'the class context beats backing off');
  });

  it('the class tokens are gone: the vocabulary and every n-gram hold only members and words', () => {
    assert.deepEqual(
      expanded.vocabulary.filter((w) => w.startsWith('[')),
      [],
    );
    for (const w of ['sarah', 'okafor', 'twenty_second', 'doctor']) assert.ok(expanded.vocabulary.includes(w), w);
    assert.doesNotMatch(toArpa(expanded), /\[/);
  });

  it('each context still sums to one over the vocabulary', () => {
    for (const h of ['doctor', 'the', 'is sarah', 'name is', '']) {
      const sum = expanded.vocabulary.reduce((s, w) => s + p(h, w), 0);
      assert.ok(Math.abs(sum - 1) < 1e-6, `context "${h}" sums to ${sum}`);
    }
  });

  it('a member that is also a plain word gets both probabilities', () => {
    const m = trainNgramModel([tok('my name is [first]'), tok('my name is will')], { order: 2 });
    const e = expandClasses(m, { first: ['will', 'ann'] });
    const got = 10 ** logProbability(e, ['is'], 'will');
    const want = 10 ** logProbability(m, ['is'], 'will') + 10 ** logProbability(m, ['is'], '[first]') / 2;
    assert.ok(Math.abs(got - want) < 1e-9);
  });

  it('refuses a class the corpus uses but nobody defined, an empty class and a member with a space', () => {
    assert.throws(() => expandClasses(model, { first: ['a'], last: ['b'] }), /\[ordinal\]/);
    assert.throws(() => expandClasses(model, { ...classes, first: [] }), /no members/);
    assert.throws(() => expandClasses(model, { ...classes, first: ['mary ann'] }), /bad member/);
  });
});
