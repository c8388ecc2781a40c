import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { SENTENCE_END, SENTENCE_START, buildArpa, logProbability, trainNgramModel, type NgramOrder } from './arpa.ts';

/** An independent reader of ARPA text, so the tests check what a decoder would load, not the trainer's own tables. */
function parseArpa(text: string) {
  const lines = text.split('\n');
  assert.equal(lines[0], '\\data\\');
  assert.equal(lines.at(-2), '\\end\\');
  const declared = new Map<number, number>();
  const prob = new Map<string, number>();
  const backoff = new Map<string, number>();
  const byOrder = new Map<number, string[]>();
  let section = 0;
  for (const line of lines.slice(1, -2)) {
    const decl = /^ngram (\d+)=(\d+)$/.exec(line);
    if (decl) {
      declared.set(Number(decl[1]), Number(decl[2]));
      continue;
    }
    const head = /^\\(\d+)-grams:$/.exec(line);
    if (head) {
      section = Number(head[1]);
      byOrder.set(section, []);
      continue;
    }
    if (line === '') continue;
    assert.ok(section > 0, `n-gram line before any section: ${line}`);
    const fields = line.split('\t');
    assert.ok(fields.length === 2 || fields.length === 3, `bad field count: ${JSON.stringify(line)}`);
    const words = fields[1]!.split(' ');
    assert.equal(words.length, section, `wrong number of words in ${section}-gram: ${line}`);
    const lp = Number(fields[0]);
    assert.ok(Number.isFinite(lp) && lp <= 0, `log-probability must be finite and ≤ 0: ${line}`);
    prob.set(fields[1]!, lp);
    if (fields[2] !== undefined) backoff.set(fields[1]!, Number(fields[2]));
    byOrder.get(section)!.push(fields[1]!);
  }
  return { declared, prob, backoff, byOrder };
}

type Parsed = ReturnType<typeof parseArpa>;

/** p(w | history) by the ARPA back-off rule, computed from the parsed text. */
function arpaProb(m: Parsed, history: string[], w: string): number {
  const key = [...history, w].join(' ');
  const p = m.prob.get(key);
  if (p !== undefined) return 10 ** p;
  if (history.length === 0) return 0;
  const bo = m.backoff.get(history.join(' ')) ?? 0;
  return 10 ** bo * arpaProb(m, history.slice(1), w);
}

const CORPUS = [
  'what are your opening hours',
  'what are your hours on saturday',
  'are you open on saturday',
  'are you open on sunday',
  'how much is a tummy tuck',
  'how much is botox',
  "i'd like to book an appointment on tuesday",
  'i would like to book a consultation',
  'yes',
  'no thanks',
  'thank you goodbye',
  'yes',
].map((s) => s.split(' '));

describe('buildArpa', () => {
  for (const order of [2, 3] as NgramOrder[]) {
    it(`writes well-formed ${order}-gram ARPA whose probabilities sum to 1 in every context`, () => {
      const m = parseArpa(buildArpa(CORPUS, { order }));
      const vocab = m.byOrder.get(1)!.filter((w) => w !== SENTENCE_START);
      assert.equal(m.declared.size, order);
      for (const [n, count] of m.declared) assert.equal(m.byOrder.get(n)!.length, count, `declared ${n}-gram count`);
      assert.equal(m.prob.get(SENTENCE_START), -99);
      assert.ok(vocab.includes(SENTENCE_END));
      assert.equal(m.backoff.has(SENTENCE_END), false, '</s> is never a context');
      for (let n = 2; n <= order; n++) {
        for (const g of m.byOrder.get(n)!) {
          const words = g.split(' ');
          assert.ok(m.prob.has(words.slice(0, -1).join(' ')), `prefix of "${g}" must be listed`);
          assert.ok(m.prob.has(words.slice(1).join(' ')), `suffix of "${g}" must be listed`);
        }
      }
      // every context the model knows, plus the empty one and an unseen one
      const contexts: string[][] = [[], ['tummy', 'hours']];
      for (let n = 1; n < order; n++)
        for (const g of m.byOrder.get(n)!) if (g !== SENTENCE_END) contexts.push(g.split(' '));
      for (const h of contexts) {
        const sum = vocab.reduce((acc, w) => acc + arpaProb(m, h, w), 0);
        assert.ok(Math.abs(sum - 1) < 1e-4, `p(·|${h.join(' ') || '∅'}) sums to ${sum}`);
      }
    });
  }

  it('matches hand-computed Witten-Bell values on a tiny corpus', () => {
    // tokens a b </s> a c </s>: N=6, V={a,b,c,</s>} → p(a) = (2+1)/(6+4)
    const m = parseArpa(
      buildArpa(
        [
          ['a', 'b'],
          ['a', 'c'],
        ],
        { order: 2 },
      ),
    );
    assert.ok(Math.abs(arpaProb(m, [], 'a') - 0.3) < 1e-6);
    assert.ok(Math.abs(arpaProb(m, [], 'b') - 0.2) < 1e-6);
    // after "a": seen 2 times with 2 distinct followers → back-off weight 2/4
    assert.ok(Math.abs(arpaProb(m, ['a'], 'b') - (1 + 2 * 0.2) / 4) < 1e-6);
    assert.ok(Math.abs(arpaProb(m, ['a'], 'a') - 0.5 * 0.3) < 1e-6);
    assert.ok(Math.abs(arpaProb(m, [SENTENCE_START], 'a') - (2 + 0.3) / 3) < 1e-6);
  });

  it('prefers continuations seen in the corpus', () => {
    const model = trainNgramModel(CORPUS, { order: 3 });
    const seen = logProbability(model, ['a', 'tummy'], 'tuck');
    const unseen = logProbability(model, ['a', 'tummy'], 'saturday');
    assert.ok(seen > unseen + 1, `seen ${seen} vs unseen ${unseen}`);
    assert.equal(logProbability(model, ['how'], 'xylophone'), Number.NEGATIVE_INFINITY);
  });

  it('does not depend on sentence order', () => {
    assert.equal(buildArpa(CORPUS), buildArpa([...CORPUS].reverse()));
  });

  it('rejects bad input with a message naming the problem', () => {
    assert.throws(() => buildArpa([]), /no words/);
    assert.throws(() => buildArpa([[]]), /no words/);
    assert.throws(() => buildArpa([['two words']]), /whitespace/);
    assert.throws(() => buildArpa([['<s>', 'hi']]), /added automatically/);
    assert.throws(() => buildArpa(CORPUS, { order: 5 as NgramOrder }), /order/);
  });
});
