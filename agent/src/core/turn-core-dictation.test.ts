/**
 * Dictation-friendly turns in the call's turn rules (core/dictation.ts performed by TurnCore), on a
 * ManualClock: while she collects a phone number, a date of birth or a spelling, groups of words with
 * pauses of up to 1.5 s between them are one answer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { defaultAgentLines } from './agent-lines.ts';
import { ManualClock } from './clock.ts';
import { DICTATION_HOLD_MS } from './dictation.ts';
import { FALSE_START_MS, TurnCore, type ReplyJob, type TurnEffect } from './turn-core.ts';

/** how long the recogniser's final comes after the caller stops (Deepgram's endpointing default) */
const ENDPOINT_MS = 100;

function setup() {
  const clock = new ManualClock(5000);
  const effects: TurnEffect[] = [];
  const core: TurnCore = new TurnCore({
    clock,
    lines: defaultAgentLines('Riverside'),
    falseStartMs: FALSE_START_MS,
    perform: (e) => {
      effects.push(e);
      if (e.type === 'take_turn_soon') queueMicrotask(() => core.takeTurn());
    },
  });
  const jobs = () => effects.flatMap((e) => (e.type === 'start_reply' ? [e.job] : []));
  const answered = () => jobs().flatMap((j: ReplyJob) => (j.source === 'user' ? [j.userText] : []));
  /** she says `text` to its end (the greeting first), then listens */
  const sheSays = (text: string) => {
    if (core.state === 'IDLE') core.start({ kind: 'greeting', text });
    else assert.ok(core.say({ kind: 'prompt', text }));
    const job = jobs().at(-1)!;
    core.replyAudio(job.turn);
    core.replyEnded(job.turn, { audioStarted: true, aborted: false, heard: text, spoken: text });
  };
  /** the caller says a group of words, then stays quiet for `pauseMs` (the final comes ENDPOINT_MS in) */
  const group = (words: string, pauseMs: number) => {
    core.speechStarted();
    clock.advance(600);
    core.speechEnded();
    clock.advance(ENDPOINT_MS);
    core.finalTranscript(words);
    clock.advance(pauseMs - ENDPOINT_MS);
  };
  return { clock, core, answered, sheSays, group };
}

describe('TurnCore: dictation-friendly turns', () => {
  it('a phone number read in groups with 1.5 s pauses is one answer, taken as its tenth digit comes', () => {
    const { core, answered, sheSays, group } = setup();
    sheSays("Thanks. What's the best phone number for you?");
    assert.equal(core.dictating, 'phone');
    group('six one nine', 1500);
    group('five five five', 1500);
    assert.deepEqual(answered(), [], 'no answer between the groups');
    group('zero one zero zero', 0);
    assert.deepEqual(answered(), ['six one nine five five five zero one zero zero']);
  });

  it('one or two digits and a pause: held while she collects a number, answered at once otherwise', () => {
    const a = setup();
    a.sheSays("What's the best phone number for you?");
    a.group('six', 1500);
    assert.deepEqual(a.answered(), []);
    a.group('one nine five five five zero one zero zero', 0);
    assert.deepEqual(a.answered(), ['six one nine five five five zero one zero zero']);

    const b = setup();
    b.sheSays('How many people are coming?');
    assert.equal(b.core.dictating, undefined);
    b.group('two', 1500);
    assert.deepEqual(b.answered(), ['two']);
  });

  it('a date of birth in pieces is one answer, whole once the year comes', () => {
    const { core, answered, sheSays, group } = setup();
    sheSays("Thank you. What's your date of birth?");
    assert.equal(core.dictating, 'date-of-birth');
    group('march fourth', 1500);
    group('nineteen', 1200);
    assert.deepEqual(answered(), []);
    group('eighty five', 0);
    assert.deepEqual(answered(), ['march fourth nineteen eighty five']);
  });

  it('an email spelled letter by letter with pauses is one answer', () => {
    const { core, answered, sheSays, group } = setup();
    sheSays("I have March fourth, nineteen eighty five. What's your email address? Please spell it out for me.");
    assert.equal(core.dictating, 'spelling');
    group('m a r i a', 1500);
    group('dot l o p e z', 1400);
    group('at gmail dot', 1500);
    assert.deepEqual(answered(), []);
    group('com', 0);
    assert.deepEqual(answered(), ['m a r i a dot l o p e z at gmail dot com']);
  });

  it('a caller who stops short is answered once the dictation hold runs out, not before', () => {
    const { clock, answered, sheSays, group } = setup();
    sheSays("What's the best phone number for you?");
    group('six one nine five', ENDPOINT_MS);
    clock.advance(DICTATION_HOLD_MS - 1);
    assert.deepEqual(answered(), []);
    clock.advance(1);
    assert.deepEqual(answered(), ['six one nine five']);
  });

  it('words that are no dictation are judged as ever: a question is answered at once', () => {
    const { answered, sheSays, group } = setup();
    sheSays("What's your date of birth?");
    group('why do you need that?', 0);
    assert.deepEqual(answered(), ['why do you need that?']);
  });

  it('her next question that asks for nothing dictated ends the dictation', () => {
    const { core, sheSays } = setup();
    sheSays("What's your date of birth?");
    assert.equal(core.dictating, 'date-of-birth');
    sheSays('I have March fourth, nineteen eighty five. Which insurance carrier do you have?');
    assert.equal(core.dictating, undefined);
  });

  it('a keypad entry ended with # is answered at once, even short of a whole number', () => {
    const { core, answered, sheSays } = setup();
    sheSays("What's the best phone number for you?");
    core.typed('61955501');
    assert.deepEqual(answered(), ['61955501']);
  });
});
