import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { knowledgeBaseSchema, type KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { digitsAsWords, emergencyNumber, emergencyRule } from './emergency.ts';

function kb(clinic: { country?: string } = {}, emergency?: KnowledgeBase['emergency']): KnowledgeBase {
  return knowledgeBaseSchema.parse({
    clinic: {
      id: 'c',
      name: 'C',
      phone: '+16195550142',
      address: { street: 's', city: 'c', region: 'r', postcode: 'p' },
      timezone: 'America/Los_Angeles',
      ...clinic,
    },
    agent: { name: 'V', greeting: 'Hi', voice: 'v' },
    hours: Object.fromEntries(
      ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => [d, 'closed']),
    ),
    services: [{ id: 'x', name: 'x', aliases: ['x'], price: { min: 1, max: 2 }, recovery: 'none', description: 'd' }],
    ...(emergency ? { emergency } : {}),
  });
}

describe('emergency layer: which words, which number', () => {
  it('the issue phrases and their usual wordings are emergencies', () => {
    const r = emergencyRule(kb());
    for (const [said, phrase] of [
      ['I have chest pain', 'chest pain'],
      ["I can't breathe", 'cant breathe'],
      ['i cant breathe properly', 'cant breathe'],
      ['she cannot breathe', 'cannot breathe'],
      ["my incision is bleeding a lot and it won't stop", 'bleeding a lot'],
      ['I feel suicidal', 'suicidal'],
      ['I want to kill myself', 'kill myself'],
      ['Chest pains since this morning.', 'chest pains'],
    ] as const)
      assert.equal(r.match(said), phrase, said);
  });

  it('ordinary questions are not, nor are near-homophones (no fuzzy matching)', () => {
    const r = emergencyRule(kb());
    for (const said of [
      'what are your hours',
      'how much is a breast augmentation',
      'is there bleeding after a tummy tuck',
      'chess pain',
      'can I book a consultation',
      '',
    ])
      assert.equal(r.match(said), undefined, said);
  });

  it("the clinic's own words are added, written any way", () => {
    const r = emergencyRule(kb({}, { words: ["Stitches Won't Hold"] }));
    assert.equal(r.match('my stitches wont hold'), 'stitches wont hold');
    assert.equal(r.match('I have chest pain'), 'chest pain', 'the built-in ones stay');
  });

  it("the number comes from the clinic's country; an explicit number wins; unknown countries get 112", () => {
    assert.equal(emergencyNumber(kb()), '911', 'no country: US');
    assert.equal(emergencyNumber(kb({ country: 'US' })), '911');
    assert.equal(emergencyNumber(kb({ country: 'GB' })), '999');
    assert.equal(emergencyNumber(kb({ country: 'DE' })), '112');
    assert.equal(emergencyNumber(kb({ country: 'FR' })), '112');
    assert.equal(emergencyNumber(kb({ country: 'AU' })), '000');
    assert.equal(emergencyNumber(kb({ country: 'GB' }, { words: [], number: '111' })), '111');
  });

  it('one fixed line with the number said digit by digit, and the on-call target when set', () => {
    const us = emergencyRule(kb());
    assert.equal(us.line, 'This sounds like an emergency. Please hang up now and dial nine one one.');
    assert.equal(us.onCall, undefined);
    const uk = emergencyRule(kb({ country: 'GB' }, { words: [], onCall: 'tel:+441234567890' }));
    assert.equal(uk.line, 'This sounds like an emergency. Please hang up now and dial nine nine nine.');
    assert.equal(uk.onCall, 'tel:+441234567890');
    assert.equal(digitsAsWords('000'), 'zero zero zero');
  });

  it('the knowledge base refuses a bad country, number or on-call target', () => {
    assert.throws(() => kb({ country: 'usa' }));
    assert.throws(() => kb({}, { words: [], number: '9-1-1' }));
    assert.throws(() => kb({}, { words: [], onCall: '555-1234' }));
  });
});
