import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { defaultAgentLines } from './agent-lines.ts';
import { ManualClock } from './clock.ts';
import { PROCESSING_BOUND_MS } from './provider-timing.ts';
import { emergencyRule } from './emergency.ts';
import { knowledgeBaseSchema } from '@voxanne/contracts/knowledge-base';
import { DEFAULT_END_OF_TURN } from './end-of-turn.ts';
import { ASK_AGAIN_LINE, FALSE_START_MS, TurnCore, type ReplyJob, type TurnEffect } from './turn-core.ts';

/** a clinic in the UK, with a word of its own for an emergency */
const testKb = knowledgeBaseSchema.parse({
  clinic: {
    id: 'c',
    name: 'C',
    phone: '+441234567890',
    address: { street: 's', city: 'c', region: 'r', postcode: 'p' },
    timezone: 'Europe/London',
    country: 'GB',
  },
  agent: { name: 'V', greeting: 'Hi', voice: 'v' },
  hours: Object.fromEntries(
    ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => [d, 'closed']),
  ),
  services: [{ id: 'x', name: 'x', aliases: ['x'], price: { min: 1, max: 2 }, recovery: 'none', description: 'd' }],
  emergency: { words: ['wound opened'] },
});
const fixedOf = (j: ReplyJob) => (j.source === 'user' ? j.fixed : undefined);
const LINE_999 = 'This sounds like an emergency. Please hang up now and dial nine nine nine.';

/**
 * `falseStartMs` defaults to 0 here: these cases barge in the instant her answer starts (the clock does
 * not move), which the default rule would call a false start; those have their own cases below.
 */
function setup(
  opts: { autoTakeTurn?: boolean; speculate?: boolean; handOff?: (t: string) => boolean; falseStartMs?: number } = {},
) {
  const clock = new ManualClock(5000);
  const effects: TurnEffect[] = [];
  let core!: TurnCore;
  core = new TurnCore({
    clock,
    lines: defaultAgentLines('Riverside'),
    speculate: opts.speculate ?? false,
    emergency: emergencyRule(testKb),
    ...(opts.handOff ? { handOff: opts.handOff } : {}),
    falseStartMs: opts.falseStartMs ?? 0,
    perform: (e) => {
      effects.push(e);
      // what CallSession does a microtask later
      if (e.type === 'take_turn_soon' && opts.autoTakeTurn !== false) queueMicrotask(() => core.takeTurn());
    },
  });
  const jobs = () => effects.flatMap((e) => (e.type === 'start_reply' ? [e.job] : []));
  const lastJob = (): ReplyJob => jobs().at(-1)!;
  const types = () => effects.map((e) => (e.type === 'state_changed' ? `${e.from}>${e.to}` : e.type));
  const tick = () => new Promise<void>((r) => queueMicrotask(r));
  /** the greeting played to its end: she listens */
  const greeted = () => {
    core.start({ kind: 'greeting', text: 'Hello' });
    core.replyAudio(lastJob().turn);
    core.replyEnded(lastJob().turn, { audioStarted: true, aborted: false });
    effects.length = 0;
  };
  return { clock, core, effects, jobs, lastJob, types, tick, greeted };
}

describe('TurnCore: the turn rules', () => {
  it('the greeting walks IDLE → LISTENING → PROCESSING → SPEAKING → LISTENING', () => {
    const { core, types, lastJob } = setup();
    core.start({ kind: 'greeting', text: 'Hello' });
    assert.deepEqual(lastJob(), { turn: 1, source: 'agent', line: { kind: 'greeting', text: 'Hello' } });
    core.replyAudio(1);
    assert.equal(core.replyEnded(1, { audioStarted: true, aborted: false }), 'ended');
    assert.deepEqual(types(), [
      'IDLE>LISTENING',
      'LISTENING>PROCESSING',
      'start_reply',
      'PROCESSING>SPEAKING',
      'SPEAKING>LISTENING',
    ]);
  });

  it('words while she listens start her answer at once', () => {
    const { core, greeted, lastJob } = setup();
    greeted();
    assert.equal(core.finalTranscript('what are your hours'), 'words');
    assert.deepEqual(lastJob(), { turn: 2, source: 'user', userText: 'what are your hours', recover: false });
    assert.equal(core.state, 'PROCESSING');
  });

  it('a final of no words (blank, or only noise markers) is no turn: nothing is answered', () => {
    const { core, greeted, jobs } = setup();
    greeted();
    const before = jobs().length;
    for (const none of ['', '   ', '[NOISE]', '<sil> [SPEECH]']) assert.equal(core.finalTranscript(none), 'empty');
    assert.equal(jobs().length, before);
    assert.equal(core.state, 'LISTENING');
    assert.equal(core.finalTranscript(' <s> where are you located </s> '), 'words');
    const job = jobs().at(-1)!;
    assert.equal(job.source === 'user' ? job.userText : undefined, 'where are you located');
  });

  it('more words before her answer started: the answer is cancelled and both are answered together', async () => {
    const { core, greeted, effects, lastJob, tick } = setup();
    greeted();
    core.finalTranscript('what are your hours');
    core.finalTranscript('on saturday');
    assert.deepEqual(effects.at(-1), { type: 'cancel_reply', turn: 2 });
    const before = effects.length;
    assert.equal(core.replyEnded(2, { audioStarted: false, aborted: true }), 'superseded');
    const committed = effects.slice(before).some((e) => e.type === 'commit_reply');
    assert.equal(committed, false, 'nothing of a superseded reply enters the history');
    await tick();
    assert.deepEqual(lastJob(), {
      turn: 3,
      source: 'user',
      userText: 'what are your hours on saturday',
      recover: false,
    });
  });

  it('superseded just as its first frame went out: the reply ends and the words are answered next', async () => {
    const { core, greeted, lastJob, tick } = setup();
    greeted();
    core.finalTranscript('what are your hours');
    core.finalTranscript('on saturday');
    core.replyAudio(2); // the first frame beat the abort
    assert.equal(core.state, 'SPEAKING');
    assert.equal(core.replyEnded(2, { audioStarted: true, aborted: true }), 'ended');
    await tick();
    assert.equal(core.state, 'PROCESSING', 'not left SPEAKING with no audio');
    assert.deepEqual(lastJob(), { turn: 3, source: 'user', userText: 'on saturday', recover: false });
  });

  it('barge-in stops her; an "uh-huh" is no request; a second of quiet brings back what she did not get to say', () => {
    const { core, greeted, effects, clock, lastJob, types } = setup();
    greeted();
    core.finalTranscript('what are your hours');
    core.replyAudio(2);
    effects.length = 0;
    assert.equal(core.speechStarted(), true);
    assert.deepEqual(types(), ['SPEAKING>INTERRUPTED', 'stop_audio', 'cancel_reply']);
    assert.equal(core.replyEnded(2, { audioStarted: true, aborted: true, unheard: 'We open at nine.' }), 'ended');
    assert.equal(core.state, 'LISTENING');
    assert.equal(core.finalTranscript('uh huh'), 'backchannel');
    core.speechEnded();
    clock.advance(999);
    assert.equal(core.state, 'LISTENING');
    clock.advance(1);
    assert.deepEqual(lastJob(), { turn: 3, source: 'agent', line: { kind: 'resume', text: 'We open at nine.' } });
  });

  /** her answer (turn 2) cut off by a barge-in; the caller fell silent; it stopped with `unheard` left */
  const interrupted = (t: ReturnType<typeof setup>) => {
    t.greeted();
    t.core.finalTranscript('what are your hours');
    t.core.replyAudio(2);
    t.core.speechStarted();
    t.core.replyEnded(2, { audioStarted: true, aborted: true, unheard: 'We open at nine. We close at five.' });
  };

  it('a slow final after a resume began: the resume being prepared is cancelled, the words answered now', async () => {
    const t = setup();
    const { core, clock, effects, lastJob, tick } = t;
    interrupted(t);
    core.speechEnded();
    clock.advance(1000);
    assert.deepEqual(lastJob(), {
      turn: 3,
      source: 'agent',
      line: { kind: 'resume', text: 'We open at nine. We close at five.' },
    });
    effects.length = 0;
    assert.equal(core.finalTranscript('what are your opening hours'), 'words');
    assert.deepEqual(effects, [{ type: 'cancel_reply', turn: 3 }]);
    core.replyEnded(3, { audioStarted: false, aborted: true });
    await tick();
    assert.deepEqual(lastJob(), { turn: 4, source: 'user', userText: 'what are your opening hours', recover: false });
    // nothing of the line was heard, so nothing of it is kept
    assert.equal(
      effects.some((e) => e.type === 'commit_reply' && e.turn === 3),
      false,
    );
  });

  it('a slow final while the resume is spoken: she stops, keeps what was heard of it, and answers now', async () => {
    const t = setup();
    const { core, clock, effects, lastJob, tick, types } = t;
    interrupted(t);
    core.speechEnded();
    clock.advance(1000);
    core.replyAudio(3);
    clock.advance(700);
    effects.length = 0;
    assert.equal(core.finalTranscript('what are your opening hours'), 'words');
    assert.deepEqual(types(), ['stop_audio', 'cancel_reply']);
    core.replyEnded(3, {
      audioStarted: true,
      aborted: true,
      heard: 'We open at nine.',
      spoken: 'We open at nine. We close at five.',
      unheard: 'We close at five.',
    });
    const commit = effects.find((e) => e.type === 'commit_reply');
    assert.deepEqual(
      commit && commit.type === 'commit_reply' ? [commit.turn, commit.keep?.heard, commit.answered] : undefined,
      [3, 'We open at nine.', false],
    );
    await tick();
    assert.deepEqual(lastJob(), { turn: 4, source: 'user', userText: 'what are your opening hours', recover: false });
    assert.equal(core.state, 'PROCESSING');
  });

  it('an "uh-huh" whose final comes once she took up her line again is no request: the resume goes on', () => {
    const t = setup();
    const { core, clock, effects } = t;
    interrupted(t);
    core.speechEnded();
    clock.advance(1000);
    core.replyAudio(3);
    effects.length = 0;
    assert.equal(core.finalTranscript('uh huh'), 'backchannel');
    assert.deepEqual(effects, []);
    assert.equal(core.state, 'SPEAKING');
    assert.equal(core.turn, 3);
  });

  it('real words in an interim after a barge-in: no resume; she waits for the final and answers it', () => {
    const t = setup();
    const { core, clock, lastJob } = t;
    interrupted(t);
    core.interim('what are your');
    core.speechEnded();
    clock.advance(2300);
    assert.equal(core.state, 'LISTENING');
    assert.equal(lastJob().turn, 2, 'no resume');
    core.finalTranscript('what are your opening hours');
    assert.deepEqual(lastJob(), { turn: 3, source: 'user', userText: 'what are your opening hours', recover: false });
  });

  it('an interim of only "uh-huh" after a barge-in does not hold the resume', () => {
    const t = setup();
    const { core, clock, lastJob } = t;
    interrupted(t);
    core.interim('uh huh');
    core.speechEnded();
    clock.advance(1000);
    assert.deepEqual(lastJob().source === 'agent' ? lastJob() : undefined, {
      turn: 3,
      source: 'agent',
      line: { kind: 'resume', text: 'We open at nine. We close at five.' },
    });
  });

  it('interim words whose final is a backchannel: she resumes; whose final never comes: the watchdog asks', () => {
    const a = setup();
    interrupted(a);
    a.core.interim('what are');
    a.core.speechEnded();
    a.clock.advance(1500);
    assert.equal(a.core.finalTranscript('uh huh'), 'backchannel');
    assert.deepEqual(a.lastJob(), {
      turn: 3,
      source: 'agent',
      line: { kind: 'resume', text: 'We open at nine. We close at five.' },
    });

    const b = setup();
    interrupted(b);
    b.core.interim('what are');
    b.core.speechEnded();
    b.clock.advance(3999);
    assert.equal(b.lastJob().turn, 2);
    b.clock.advance(1);
    const dog = b.effects.find((e) => e.type === 'watchdog');
    assert.equal(
      dog && dog.type === 'watchdog' ? `${dog.stuck.reason}/${dog.recovery}` : undefined,
      'final_missing/ask_again',
    );
    assert.deepEqual(b.lastJob(), { turn: 3, source: 'agent', line: { kind: 'recovery', text: ASK_AGAIN_LINE } });
  });

  it('a finished reply keeps: an answer heard to the end, committed with its words before she listens again', () => {
    const { core, greeted, effects, types } = setup();
    greeted();
    core.finalTranscript('what are your hours');
    core.replyAudio(2);
    effects.length = 0;
    core.replyEnded(2, {
      audioStarted: true,
      aborted: false,
      heard: 'We open at nine.',
      spoken: 'We open at nine.',
      toolCalls: 0,
    });
    assert.deepEqual(effects[0], {
      type: 'commit_reply',
      turn: 2,
      answered: true,
      keep: {
        user: 'what are your hours',
        tools: false,
        heard: 'We open at nine.',
        transcript: 'We open at nine.',
        interrupted: false,
      },
    });
    assert.deepEqual(types(), ['commit_reply', 'SPEAKING>LISTENING']);
  });

  it('a finished reply keeps: barged in, only the heard part, marked interrupted; a booking made earlier stays', () => {
    const { core, greeted, effects, clock } = setup();
    greeted();
    core.finalTranscript('what are your hours');
    core.replyAudio(2);
    clock.advance(800);
    core.speechStarted();
    effects.length = 0;
    core.replyEnded(2, {
      audioStarted: true,
      aborted: true,
      heard: 'We open',
      spoken: 'We open at nine.',
      unheard: 'We open at nine.',
    });
    const commit = effects.find((e) => e.type === 'commit_reply');
    assert.deepEqual(commit && commit.type === 'commit_reply' ? commit.keep : undefined, {
      user: 'what are your hours',
      tools: false,
      heard: 'We open',
      transcript: 'We open',
      interrupted: true,
    });
  });

  it('what a finished reply keeps: the greeting keeps her line and is no answer; a stale reply keeps nothing', () => {
    const { core, effects, lastJob } = setup();
    core.start({ kind: 'greeting', text: 'Hello' });
    core.replyAudio(lastJob().turn);
    core.replyEnded(lastJob().turn, { audioStarted: true, aborted: false, heard: 'Hello', spoken: 'Hello' });
    const commit = effects.find((e) => e.type === 'commit_reply');
    assert.deepEqual(commit, {
      type: 'commit_reply',
      turn: 1,
      answered: false,
      keep: { tools: false, heard: 'Hello', transcript: 'Hello', interrupted: false },
    });
    effects.length = 0;
    assert.equal(core.replyEnded(7, { audioStarted: true, aborted: false, heard: 'late', spoken: 'late' }), 'stale');
    assert.equal(effects.length, 0);
  });

  it('speech after words not yet answered continues their turn; speech over an answer being made starts anew', () => {
    const { core, greeted } = setup({ autoTakeTurn: false });
    greeted();
    assert.equal(core.speechContinuesTurn, false, 'nothing pending');
    core.finalTranscript('what are your hours');
    core.replyAudio(2);
    core.speechStarted();
    core.finalTranscript('on saturday');
    core.replyEnded(2, { audioStarted: true, aborted: true });
    assert.equal(core.state, 'LISTENING');
    assert.equal(core.speechContinuesTurn, true, 'the words said over her wait to be answered');
    core.takeTurn();
    assert.equal(core.state, 'PROCESSING');
    assert.equal(core.speechContinuesTurn, false);
  });

  it('a reply that ends after it was replaced is stale and changes nothing', () => {
    const { core, greeted } = setup();
    greeted();
    core.finalTranscript('hours');
    core.replyAudio(99);
    assert.equal(core.state, 'PROCESSING', 'audio of another turn does not count');
    assert.equal(core.replyEnded(99, { audioStarted: true, aborted: false }), 'stale');
    assert.equal(core.state, 'PROCESSING');
  });

  it('a duck releases the pause of the generation it took, unless her turn ended first', () => {
    const { core, greeted, effects, clock } = setup();
    greeted();
    core.finalTranscript('hours');
    core.replyAudio(2);
    for (let i = 0; i < 20; i++) core.level(30, false);
    core.level(20000, false);
    core.level(20000, false);
    assert.deepEqual(effects.at(-1), { type: 'duck' });
    core.ducked(7);
    clock.advance(250);
    assert.deepEqual(effects.at(-1), { type: 'unduck', generation: 7 });
    // a second duck, then a barge-in: nothing to lift
    for (let i = 0; i < 30; i++) core.level(30, false);
    core.level(20000, false);
    core.level(20000, false);
    core.ducked(8);
    core.speechStarted();
    clock.advance(1000);
    assert.ok(!effects.some((e) => e.type === 'unduck' && e.generation === 8));
  });

  it('never ducks while she is not speaking or already paused', () => {
    const { core, greeted, effects } = setup();
    greeted();
    for (let i = 0; i < 20; i++) core.level(30, false);
    core.level(20000, false);
    core.level(20000, false);
    assert.ok(!effects.some((e) => e.type === 'duck'));
  });

  it("speculation: a pause in the caller's speech prefetches the interim words with those still waiting", () => {
    const { core, greeted, effects } = setup({ speculate: true });
    greeted();
    core.interim('what are your hours');
    for (let i = 0; i < 10; i++) core.level(20000, false);
    for (let i = 0; i < 8; i++) core.level(30, false);
    assert.deepEqual(effects.at(-1), { type: 'prefetch', userText: 'what are your hours' });
  });

  it('speculation: words that stop mid-sentence are not prefetched (they will not be answered as they are)', () => {
    const { core, greeted, effects } = setup({ speculate: true });
    greeted();
    core.interim('what are your');
    for (let i = 0; i < 10; i++) core.level(20000, false);
    for (let i = 0; i < 8; i++) core.level(30, false);
    assert.ok(!effects.some((e) => e.type === 'prefetch'));
  });
});

describe('TurnCore: the emergency layer, before any model', () => {
  it("emergency words are answered with the fixed line, the call is flagged, and the words are the turn's", () => {
    const { core, greeted, effects, lastJob, types } = setup();
    greeted();
    assert.equal(core.finalTranscript("I've got chest pain and my arm is numb"), 'words');
    assert.deepEqual(lastJob(), {
      turn: 2,
      source: 'user',
      userText: "I've got chest pain and my arm is numb",
      recover: false,
      fixed: LINE_999,
    });
    assert.deepEqual(types(), ['LISTENING>PROCESSING', 'start_reply', 'emergency']);
    assert.deepEqual(effects.at(-1), { type: 'emergency', turn: 2, phrase: 'chest pain' });
  });

  it("the clinic's own words count too; ordinary words get an ordinary answer", () => {
    const { core, greeted, lastJob } = setup();
    greeted();
    core.finalTranscript('my wound opened up after the surgery');
    assert.equal(fixedOf(lastJob()), LINE_999);
    core.replyAudio(2);
    core.replyEnded(2, { audioStarted: true, aborted: false });
    core.finalTranscript('what are your hours');
    assert.deepEqual(lastJob(), { turn: 3, source: 'user', userText: 'what are your hours', recover: false });
  });

  it('comes before the hand-over to a person', () => {
    const handed: string[] = [];
    const { core, greeted, effects, lastJob } = setup({ handOff: (t) => (handed.push(t), true) });
    greeted();
    core.finalTranscript("can I speak to someone, I can't breathe");
    assert.deepEqual(handed, []);
    assert.ok(!effects.some((e) => e.type === 'handed_off'));
    assert.equal(fixedOf(lastJob()), LINE_999);
  });

  it('words said on after the line started are answered together with them, and again with the line', async () => {
    const { core, greeted, lastJob, tick } = setup();
    greeted();
    core.finalTranscript('I feel suicidal');
    core.finalTranscript('please help');
    core.replyEnded(2, { audioStarted: false, aborted: true });
    await tick();
    assert.deepEqual(lastJob(), {
      turn: 3,
      source: 'user',
      userText: 'I feel suicidal please help',
      recover: false,
      fixed: LINE_999,
    });
  });

  it('interim emergency words are never prefetched by a model', () => {
    const { core, greeted, effects } = setup({ speculate: true });
    greeted();
    core.interim('my husband is bleeding a lot');
    for (let i = 0; i < 10; i++) core.level(20000, false);
    for (let i = 0; i < 8; i++) core.level(30, false);
    assert.ok(!effects.some((e) => e.type === 'prefetch'));
  });
});

describe('TurnCore: the watchdog', () => {
  it('PROCESSING past the bound: logged with the state history, abandoned; the fallback answers, sorry', () => {
    const { core, greeted, effects, clock, lastJob } = setup();
    greeted();
    core.finalTranscript('what are your hours');
    clock.advance(PROCESSING_BOUND_MS - 1);
    assert.equal(core.watchdogCount, 0);
    clock.advance(1);
    const w = effects.find((e) => e.type === 'watchdog');
    assert.ok(w && w.type === 'watchdog');
    assert.equal(w.stuck.reason, 'processing_too_long');
    assert.equal(w.recovery, 'answer_fallback');
    assert.deepEqual(
      w.history.map((h) => `${h.from}>${h.to}`),
      ['IDLE>LISTENING', 'LISTENING>PROCESSING', 'PROCESSING>SPEAKING', 'SPEAKING>LISTENING', 'LISTENING>PROCESSING'],
    );
    const after = effects
      .slice(effects.indexOf(w) + 1)
      .map((e) => (e.type === 'state_changed' ? `${e.from}>${e.to}` : e.type));
    assert.deepEqual(after, [
      'stop_audio',
      'cancel_reply',
      'PROCESSING>LISTENING',
      'LISTENING>PROCESSING',
      'start_reply',
    ]);
    assert.deepEqual(lastJob(), { turn: 3, source: 'user', userText: 'what are your hours', recover: true });
    assert.equal(core.watchdogCount, 1);
    assert.equal(
      core.replyEnded(2, { audioStarted: false, aborted: true }),
      'stale',
      'the abandoned reply changes nothing when it finally ends',
    );
    assert.equal(core.state, 'PROCESSING');
  });

  it('the fallback stuck too: "Sorry, could you say that again?"; stuck a third time: she just listens', () => {
    const { core, greeted, clock, lastJob, effects } = setup();
    greeted();
    core.finalTranscript('what are your hours');
    clock.advance(PROCESSING_BOUND_MS);
    clock.advance(PROCESSING_BOUND_MS);
    assert.deepEqual(lastJob(), { turn: 4, source: 'agent', line: { kind: 'recovery', text: ASK_AGAIN_LINE } });
    clock.advance(PROCESSING_BOUND_MS);
    assert.equal(core.state, 'LISTENING');
    assert.equal(core.watchdogCount, 3);
    assert.deepEqual(
      effects.flatMap((e) => (e.type === 'watchdog' ? [e.recovery] : [])),
      ['answer_fallback', 'ask_again', 'give_up'],
    );
    clock.advance(60_000);
    assert.equal(core.watchdogCount, 3, 'nothing else is stuck');
  });

  it('once she is heard again the count in a row starts over', () => {
    const { core, greeted, clock, lastJob } = setup();
    greeted();
    core.finalTranscript('what are your hours');
    clock.advance(PROCESSING_BOUND_MS);
    core.replyAudio(lastJob().turn);
    core.replyEnded(lastJob().turn, { audioStarted: true, aborted: false });
    core.finalTranscript('and on sunday');
    clock.advance(PROCESSING_BOUND_MS);
    assert.deepEqual(lastJob(), { turn: 5, source: 'user', userText: 'and on sunday', recover: true });
  });

  it('words left waiting while she listens are answered', () => {
    const { core, greeted, clock, lastJob, effects } = setup({ autoTakeTurn: false });
    greeted();
    core.finalTranscript('hours');
    core.replyAudio(2);
    core.finalTranscript('and sunday'); // while she speaks: waits for her to finish
    core.replyEnded(2, { audioStarted: true, aborted: false });
    assert.equal(core.state, 'LISTENING'); // and the deferred take was lost
    clock.advance(1999);
    assert.equal(core.state, 'LISTENING');
    clock.advance(1);
    assert.equal(effects.find((e) => e.type === 'watchdog')?.type, 'watchdog');
    assert.deepEqual(lastJob(), { turn: 3, source: 'user', userText: 'and sunday', recover: false });
  });

  it('INTERRUPTED that never flushes is forgotten after a bound, and she listens', () => {
    const { core, greeted, clock } = setup();
    greeted();
    core.finalTranscript('hours');
    core.replyAudio(2);
    core.speechStarted();
    clock.advance(3000);
    assert.equal(core.state, 'LISTENING');
    assert.equal(core.watchdogCount, 1);
  });

  it('her voice stalls halfway through an answer: abandoned, and the embedded brain answers the words again', () => {
    const { core, greeted, clock, lastJob, effects } = setup();
    greeted();
    core.finalTranscript('what are your hours');
    core.replyAudio(2);
    for (let i = 0; i < 100; i++) {
      clock.advance(100);
      core.replyProgress(2); // ten seconds of answer, still coming
    }
    assert.equal(core.watchdogCount, 0);
    clock.advance(PROCESSING_BOUND_MS);
    const w = effects.find((e) => e.type === 'watchdog');
    assert.ok(w && w.type === 'watchdog' && w.stuck.reason === 'speaking_stalled');
    assert.deepEqual(lastJob(), { turn: 3, source: 'user', userText: 'what are your hours', recover: true });
  });

  it('a normal call never wakes it', () => {
    const { core, greeted, clock } = setup();
    greeted();
    for (let turn = 2; turn < 8; turn++) {
      core.finalTranscript(`question ${turn}`);
      clock.advance(800);
      core.replyAudio(turn);
      clock.advance(2000);
      core.replyEnded(turn, { audioStarted: true, aborted: false });
      clock.advance(1000);
    }
    assert.equal(core.watchdogCount, 0);
  });
});

describe("TurnCore: the end of the caller's turn (semantic end-of-turn rule, false starts)", () => {
  const answered = (jobs: () => ReplyJob[]) => jobs().flatMap((j) => (j.source === 'user' ? [j.userText] : []));

  it('words that stop mid-sentence are held; the rest of the turn is answered with them, once', () => {
    const { core, greeted, jobs, clock } = setup({ falseStartMs: FALSE_START_MS });
    greeted();
    core.speechStarted();
    core.speechEnded();
    assert.equal(core.finalTranscript("I'd like to book um"), 'words');
    assert.equal(core.state, 'LISTENING', 'no answer to a filler');
    assert.ok(core.holding);
    clock.advance(600); // the caller thinks
    core.speechStarted();
    clock.advance(3000); // …and talks on, longer than any hold
    assert.deepEqual(answered(jobs), [], 'nothing answered while the caller talks');
    core.finalTranscript('a consultation for next week.');
    assert.deepEqual(answered(jobs), ["I'd like to book um a consultation for next week."]);
    assert.equal(core.state, 'PROCESSING');
  });

  it('words held while the VAD still hears the caller wait until they stop, however long', () => {
    const { core, greeted, jobs, clock } = setup({ falseStartMs: FALSE_START_MS });
    greeted();
    core.speechStarted();
    core.finalTranscript('So'); // a pause shorter than the VAD's silence: no speech end, no new start
    clock.advance(3000);
    assert.deepEqual(answered(jobs), []);
    core.finalTranscript('uh how much is a');
    clock.advance(3000);
    assert.deepEqual(answered(jobs), []);
    core.finalTranscript('consultation?');
    assert.deepEqual(answered(jobs), ['So uh how much is a consultation?']);
  });

  it('a held word with the caller gone quiet is answered the hold after the VAD heard them stop', () => {
    const { core, greeted, jobs, clock } = setup({ falseStartMs: FALSE_START_MS });
    greeted();
    core.speechStarted();
    core.finalTranscript('So');
    clock.advance(5000);
    core.speechEnded();
    clock.advance(DEFAULT_END_OF_TURN.unfinishedHoldMs - 1);
    assert.deepEqual(answered(jobs), []);
    clock.advance(1);
    assert.deepEqual(answered(jobs), ['So']);
  });

  it('a held turn with nothing more is answered after the hold, not before, and the watchdog stays out of it', () => {
    const { core, greeted, jobs, clock, effects } = setup({ falseStartMs: FALSE_START_MS });
    greeted();
    core.finalTranscript('I want to ask about');
    clock.advance(DEFAULT_END_OF_TURN.unfinishedHoldMs - 1);
    assert.deepEqual(answered(jobs), []);
    clock.advance(1);
    assert.deepEqual(answered(jobs), ['I want to ask about']);
    assert.ok(!effects.some((e) => e.type === 'watchdog'));
  });

  it('a final on a gap the caller has already talked through waits for the rest; quiet at the final: at once', () => {
    const { core, greeted, jobs } = setup({ falseStartMs: FALSE_START_MS });
    greeted();
    /** n 10 ms frames of the caller's line at this loudness */
    const frames = (n: number, rms: number) => {
      for (let i = 0; i < n; i++) core.level(rms, false);
    };
    frames(20, 30);
    core.speechStarted();
    frames(80, 8000); // "Can I come in on Thursday"
    frames(11, 30); // a gap just long enough for the recogniser's endpointing…
    frames(5, 8000); // …and the caller is talking again when its final comes
    core.finalTranscript('Can I come in on Thursday');
    assert.deepEqual(answered(jobs), [], 'a complete-looking final while the caller is audible is not the end');
    assert.ok(core.holding);
    frames(60, 8000);
    frames(15, 30); // quiet when the next final comes: the turn is over
    core.finalTranscript('afternoon?');
    assert.deepEqual(answered(jobs), ['Can I come in on Thursday afternoon?']);

    // no further final: the VAD hearing them stop ends the wait
    const b = setup({ falseStartMs: FALSE_START_MS });
    b.greeted();
    for (const [n, rms] of [
      [20, 30],
      [80, 8000],
      [11, 30],
      [5, 8000],
    ] as const)
      for (let i = 0; i < n; i++) b.core.level(rms, false);
    b.core.speechStarted();
    b.core.finalTranscript('Can I come in on Thursday');
    assert.deepEqual(answered(b.jobs), []);
    for (let i = 0; i < 30; i++) b.core.level(30, false);
    b.core.speechEnded();
    assert.deepEqual(answered(b.jobs), ['Can I come in on Thursday']);
  });

  /**
   * Over the phone the recogniser can end an utterance on a 160 ms gap inside a word (a consonant the
   * 8 kHz line leaves no energy in) and its final, "My number", reads complete and comes while the line
   * is still quiet. The VAD (300 ms of silence) never heard the caller stop, so it gives no speech start
   * when they go on 160 ms after the gap began.
   */
  const phoneGap = (falseStartMs = FALSE_START_MS) => {
    const t = setup({ falseStartMs });
    t.greeted();
    const frames = (n: number, rms: number) => {
      for (let i = 0; i < n; i++) t.core.level(rms, false);
    };
    frames(20, 30);
    t.core.speechStarted();
    frames(60, 8000); // "My number"
    frames(14, 30); // the gap: endpointing (100 ms) plus the final's way back
    assert.equal(t.core.finalTranscript('My number'), 'words');
    return { ...t, frames };
  };

  it('the caller loud again, never heard to stop: an answer not yet heard is cancelled, the turn kept whole', () => {
    const { core, jobs, effects, frames, types, clock } = phoneGap();
    assert.deepEqual(answered(jobs), ['My number'], 'quiet at the final: taken at once, as a finished question is');
    const first = jobs().at(-1)!;
    const from = effects.length;
    frames(2, 8000); // the caller goes on ("is five five five")
    assert.deepEqual(types().slice(from), ['cancel_reply']);
    assert.deepEqual(effects.at(-1), { type: 'cancel_reply', turn: first.turn });
    assert.equal(core.replyEnded(first.turn, { audioStarted: false, aborted: true }), 'superseded');
    assert.equal(core.state, 'LISTENING');
    assert.ok(!effects.some((e) => e.type === 'commit_reply'), 'nothing of the cancelled answer is kept');
    core.takeTurn(); // what take_turn_soon does
    frames(100, 8000);
    clock.advance(3000);
    assert.equal(answered(jobs).length, 1, 'nothing answered while the caller talks on');
    frames(15, 30);
    core.finalTranscript('is five five five one two three four five six seven.');
    assert.deepEqual(answered(jobs), ['My number', 'My number is five five five one two three four five six seven.']);
  });

  it('the same with her first audio already out: cut at once as a false start, nothing kept, no resume', () => {
    const { core, jobs, effects, frames, types } = phoneGap();
    const first = jobs().at(-1)!;
    core.replyAudio(first.turn);
    const from = effects.length;
    frames(2, 8000);
    assert.deepEqual(types().slice(from), ['SPEAKING>INTERRUPTED', 'stop_audio', 'cancel_reply']);
    assert.equal(
      core.replyEnded(first.turn, { audioStarted: true, aborted: true, heard: 'Thanks', spoken: 'Thanks!' }),
      'superseded',
    );
    assert.ok(!effects.some((e) => e.type === 'commit_reply'));
    frames(15, 30);
    core.speechEnded();
    core.finalTranscript('is five five five one two three four five six seven.');
    assert.deepEqual(answered(jobs), ['My number', 'My number is five five five one two three four five six seven.']);
    assert.ok(!jobs().some((j) => j.source === 'agent' && j.line.kind === 'resume'));
  });

  it('a sound after the VAD heard the caller stop, or well into her answer, is no continuation', () => {
    // the VAD heard them stop: a new sound is a new speech start, judged by the barge-in rules
    const a = phoneGap();
    a.core.speechEnded();
    const fromA = a.effects.length;
    a.frames(2, 8000);
    assert.ok(!a.effects.slice(fromA).some((e) => e.type === 'cancel_reply'));
    assert.equal(a.core.state, 'PROCESSING');

    // her answer has been heard for longer than a false start's window: the barge-in path decides
    const b = phoneGap();
    const turn = b.jobs().at(-1)!.turn;
    b.core.replyAudio(turn);
    b.clock.advance(FALSE_START_MS);
    const fromB = b.effects.length;
    b.frames(2, 8000);
    assert.ok(!b.effects.slice(fromB).some((e) => e.type === 'cancel_reply'));
    assert.equal(b.core.state, 'SPEAKING');
  });

  it('her own line (the greeting) is never cancelled by the caller being loud again', () => {
    const { core, effects } = setup({ falseStartMs: FALSE_START_MS });
    core.start({ kind: 'greeting', text: 'Hello' });
    core.speechStarted();
    for (let i = 0; i < 20; i++) core.level(8000, false);
    for (let i = 0; i < 10; i++) core.level(30, false);
    for (let i = 0; i < 2; i++) core.level(8000, false);
    assert.ok(!effects.some((e) => e.type === 'cancel_reply'));
    assert.equal(core.state, 'PROCESSING');
  });

  it('a phone number read out in groups is one turn, answered at once when its tenth digit comes', () => {
    const { core, greeted, jobs, clock } = setup({ falseStartMs: FALSE_START_MS });
    greeted();
    core.finalTranscript('my number is five five five');
    clock.advance(700);
    core.finalTranscript('one two three');
    clock.advance(700);
    assert.deepEqual(answered(jobs), []);
    core.finalTranscript('four five six seven');
    assert.deepEqual(answered(jobs), ['my number is five five five one two three four five six seven']);
  });

  it('a low end-of-turn probability holds ambiguous words briefly; a question is answered whatever it is', () => {
    const { core, greeted, jobs, clock } = setup({ falseStartMs: FALSE_START_MS });
    greeted();
    core.finalTranscript("I'm interested in botox", 0.1);
    assert.deepEqual(answered(jobs), []);
    clock.advance(DEFAULT_END_OF_TURN.unlikelyHoldMs);
    assert.deepEqual(answered(jobs), ["I'm interested in botox"]);

    const b = setup({ falseStartMs: FALSE_START_MS });
    b.greeted();
    b.core.finalTranscript('what are your opening hours?', 0.1);
    assert.deepEqual(answered(b.jobs), ['what are your opening hours?']);
  });

  it('a false start (the caller goes on as she begins) is cut at once, keeps nothing; the turn is answered', () => {
    const { core, greeted, jobs, clock, effects, types } = setup({ falseStartMs: FALSE_START_MS });
    greeted();
    core.finalTranscript("I'd like to book a consultation");
    const first = jobs().at(-1)!;
    core.replyAudio(first.turn);
    clock.advance(300);
    const from = effects.length;
    assert.equal(core.speechStarted(), true);
    assert.deepEqual(types().slice(from), ['SPEAKING>INTERRUPTED', 'stop_audio', 'cancel_reply']);
    assert.equal(
      core.replyEnded(first.turn, { audioStarted: true, aborted: true, heard: 'Sure', spoken: 'Sure!' }),
      'superseded',
    );
    assert.ok(!effects.some((e) => e.type === 'commit_reply'), 'nothing of the false start is kept');
    assert.equal(core.state, 'LISTENING');
    core.takeTurn(); // what take_turn_soon does: still the caller's turn
    clock.advance(5000); // the caller is still talking
    assert.equal(answered(jobs).length, 1);
    core.speechEnded();
    core.finalTranscript('for next Tuesday.');
    assert.deepEqual(answered(jobs), [
      "I'd like to book a consultation",
      "I'd like to book a consultation for next Tuesday.",
    ]);
    clock.advance(2000);
    core.replyAudio(jobs().at(-1)!.turn);
    assert.ok(!effects.some((e) => e.type === 'watchdog'));
    assert.ok(!jobs().some((j) => j.source === 'agent' && j.line.kind === 'resume'), 'no resume of the false start');
  });

  it('an "okay" as she begins: she stops, then answers the same words again from the start', () => {
    const { core, greeted, jobs, clock, effects } = setup({ falseStartMs: FALSE_START_MS });
    greeted();
    core.finalTranscript('where are you located?');
    const first = jobs().at(-1)!;
    core.replyAudio(first.turn);
    clock.advance(200);
    core.speechStarted();
    core.replyEnded(first.turn, { audioStarted: true, aborted: true, heard: '', spoken: "We're at" });
    core.speechEnded();
    assert.equal(core.finalTranscript('okay'), 'backchannel');
    assert.deepEqual(answered(jobs), ['where are you located?', 'where are you located?']);
    assert.ok(!effects.some((e) => e.type === 'commit_reply' && e.turn === first.turn));
  });

  it('an emergency is answered at once, even in words that stop mid-sentence', () => {
    const { core, greeted, jobs } = setup({ falseStartMs: FALSE_START_MS });
    greeted();
    core.finalTranscript('my wound opened and');
    assert.equal(core.state, 'PROCESSING');
    assert.equal(fixedOf(jobs().at(-1)!), LINE_999);
  });

  it('a barge-in well into her answer is no false start: what was heard is kept', () => {
    const { core, greeted, jobs, clock, effects } = setup({ falseStartMs: FALSE_START_MS });
    greeted();
    core.finalTranscript('tell me about the BBL.');
    const first = jobs().at(-1)!;
    core.replyAudio(first.turn);
    clock.advance(FALSE_START_MS);
    core.speechStarted();
    core.replyEnded(first.turn, { audioStarted: true, aborted: true, heard: 'Our BBL', spoken: 'Our BBL moves fat.' });
    assert.ok(effects.some((e) => e.type === 'commit_reply' && e.turn === first.turn && e.keep !== undefined));
  });
});
