import assert from 'node:assert/strict';
import { beforeAll, describe, it } from 'vitest';
import { loadKnowledgeBase } from '../../knowledge/kb.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { HELD_OUT_UTTERANCES } from '../../../bench/utterances.ts';
import { callerClasses, callerSentences, normalizeSentence } from './corpus.ts';

let kb: KnowledgeBase;
let sentences: string[];
beforeAll(async () => {
  kb = await loadKnowledgeBase();
  sentences = callerSentences(kb);
});

const has = (s: string) => sentences.includes(s);

describe('callerSentences', () => {
  it('is deterministic and made of lowercase words only, with every slot filled', () => {
    assert.deepEqual(callerSentences(kb), sentences);
    for (const s of sentences) assert.match(s, /^[a-z']+( [a-z']+)*$/, `not a clean sentence: ${JSON.stringify(s)}`);
  });

  it('asks about every service by every alias', () => {
    for (const service of kb.services) {
      for (const alias of [service.name, ...service.aliases]) {
        const a = alias.toLowerCase();
        assert.ok(
          sentences.some((s) => s.includes(`how much`) && s.endsWith(a)),
          `no price question for "${a}"`,
        );
      }
    }
  });

  it('covers hours, address, booking with days and times, names, digits, yes/no, thanks and goodbye', () => {
    for (const s of [
      'what are your opening hours',
      'where are you located',
      "i'd like to book an appointment",
      'yes',
      'no',
      'thank you',
      'goodbye',
    ]) {
      assert.ok(has(s), s);
    }
    for (const day of ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']) {
      assert.ok(has(`i'd like to book an appointment on ${day}`), day);
    }
    assert.ok(sentences.some((s) => /^i'd like to book an appointment on \w+ at \w+/.test(s)));
    assert.ok(sentences.some((s) => s.startsWith('my name is sarah ')));
    assert.ok(
      has('my number is six one nine five five five zero one four two'),
      "the clinic's own number, digit by digit",
    );
    assert.ok(has('is there parking') && has('do you take insurance') && has('do you offer financing'));
    assert.ok(
      sentences.some((s) => s.includes('harbor boulevard')),
      'the street from the knowledge base',
    );
  });

  it('follows the knowledge base: a new service is asked about', () => {
    const more: KnowledgeBase = {
      ...kb,
      services: [
        ...kb.services,
        { ...kb.services[0]!, id: 'peel', name: 'chemical peel', aliases: ['chemical peel', 'peel'] },
      ],
    };
    assert.ok(callerSentences(more).includes('how much is a chemical peel'));
    assert.ok(!has('how much is a chemical peel'));
  });
});

describe('callerSentences with classes', () => {
  it('puts class tokens where names, days of the month and services were, as often as they were filled', () => {
    const classed = callerSentences(kb, { classes: true });
    assert.equal(classed.length, sentences.length);
    assert.ok(classed.includes('my name is [first] [last]'));
    assert.ok(classed.includes('on the [ordinal]'));
    assert.ok(classed.includes('how much is a [service]'));
    assert.equal(
      classed.filter((s) => s === 'how much is a [service]').length,
      sentences.filter(
        (s) => /^how much is a /.test(s) && callerClasses(kb).service.includes(s.slice(14).replace(/ /g, '_')),
      ).length,
    );
    for (const s of classed) assert.match(s, /^([a-z']+|\[\w+\])( ([a-z']+|\[\w+\]))*$/, s);
  });

  it('lists each class’s members, several words joined into one compound', () => {
    const c = callerClasses(kb);
    assert.ok(c.first.includes('sarah') && c.last.includes('garcia'));
    assert.equal(c.ordinal.length, 31);
    assert.ok(c.ordinal.includes('twenty_second') && c.ordinal.includes('thirty_first'));
    assert.ok(c.service.includes('tummy_tuck') && c.service.includes('botox'));
  });

  it('never trains on the bench’s held-out set (it stays a fair test of new wording)', () => {
    const train = new Set([...sentences, ...callerSentences(kb, { classes: true })]);
    for (const u of HELD_OUT_UTTERANCES) assert.ok(!train.has(normalizeSentence(u)), u);
  });
});

describe('normalizeSentence', () => {
  it('lowercases, keeps apostrophes inside words and spells digits', () => {
    assert.equal(normalizeSentence("  I'd like 2 Appointments, please!  "), "i'd like two appointments please");
    assert.equal(normalizeSentence("'quoted' words"), 'quoted words');
    assert.equal(normalizeSentence('call 6195550142'), 'call six one nine five five five zero one four two');
  });
});
