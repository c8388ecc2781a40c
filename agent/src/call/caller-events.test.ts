import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { stt, VADEventType, type VADEvent } from '@livekit/agents';
import { defaultAgentLines } from '../core/agent-lines.ts';
import type { CallMetric } from '../core/call-metrics.ts';
import { ManualClock } from '../core/clock.ts';
import { TurnCore, type ReplyJob } from '../core/turn-core.ts';
import { TurnMarksBook } from '../core/turn-marks-book.ts';
import { CallerEvents } from './caller-events.ts';
import type { Logger } from './logger.ts';
import type { RoomPublisher } from './publisher.ts';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

function setup(vad: boolean) {
  const clock = new ManualClock(10_000);
  const jobs: ReplyJob[] = [];
  const core: TurnCore = new TurnCore({
    clock,
    lines: defaultAgentLines('Riverside'),
    falseStartMs: 0,
    perform: (e) => {
      if (e.type === 'start_reply') jobs.push(e.job);
      if (e.type === 'start_reply') marks.replyStarted(e.job.turn, e.job.source);
    },
  });
  const marks = new TurnMarksBook(() => core.now());
  const transcripts: Array<[string, string, boolean]> = [];
  const pub = {
    transcript: (_s: string, id: string, text: string, final: boolean) => transcripts.push([id, text, final]),
  };
  const metrics: CallMetric[] = [];
  const caller = new CallerEvents({
    core,
    marks,
    pub: pub as unknown as RoomPublisher,
    log: quiet,
    vad,
    outputPaused: () => false,
    onSttFailure: () => undefined,
    onCallMetric: (m) => void metrics.push(m),
  });
  // the greeting, said to the end: she listens
  core.start({ kind: 'greeting', text: 'Hello.' });
  const greeting = jobs[0]!.turn;
  core.replyAudio(greeting);
  core.replyEnded(greeting, { audioStarted: true, aborted: false, spoken: 'Hello.', heard: 'Hello.', unheard: '' });
  assert.equal(core.state, 'LISTENING');
  return { clock, core, marks, jobs, transcripts, metrics, caller };
}

const vadEvent = (type: VADEventType, ms: { speech?: number; silence?: number } = {}) =>
  ({ type, speechDuration: ms.speech ?? 0, silenceDuration: ms.silence ?? 0 }) as VADEvent;
const speech = (type: stt.SpeechEventType, text?: string) =>
  ({ type, ...(text !== undefined ? { alternatives: [{ text }] } : {}) }) as stt.SpeechEvent;

describe('CallerEvents: what the caller does, as the turn core hears it', () => {
  it('with a VAD: its speech end (back-dated by its silence) dates the turn, not the recogniser’s', () => {
    const { clock, core, marks, jobs, transcripts, caller } = setup(true);
    caller.onVad(vadEvent(VADEventType.START_OF_SPEECH, { speech: 60 }));
    caller.onSpeech(speech(stt.SpeechEventType.START_OF_SPEECH));
    clock.advance(1500);
    caller.onSpeech(speech(stt.SpeechEventType.INTERIM_TRANSCRIPT, 'what are your'));
    caller.onVad(vadEvent(VADEventType.END_OF_SPEECH, { silence: 300 }));
    clock.advance(200);
    caller.onSpeech(speech(stt.SpeechEventType.END_OF_SPEECH)); // later than the VAD's: not the speech end
    caller.onSpeech(speech(stt.SpeechEventType.FINAL_TRANSCRIPT, 'what are your opening hours'));
    core.takeTurn();
    const job = jobs.at(-1)!;
    assert.equal(job.source, 'user');
    const m = marks.of(job.turn)!;
    const at = core.now();
    assert.equal(m.speechEndMs, at - 200 - 300);
    assert.equal(m.sttFinalMs, at);
    assert.deepEqual(transcripts, [
      ['u0', 'what are your', false],
      ['u0', 'what are your opening hours', true],
    ]);
  });

  it('without a VAD the recogniser’s speech start and end stand in', () => {
    const { clock, marks, core, jobs, caller } = setup(false);
    caller.onSpeech(speech(stt.SpeechEventType.START_OF_SPEECH));
    clock.advance(1000);
    caller.onSpeech(speech(stt.SpeechEventType.END_OF_SPEECH));
    const endAt = core.now();
    clock.advance(100);
    caller.onSpeech(speech(stt.SpeechEventType.FINAL_TRANSCRIPT, 'what are your opening hours'));
    core.takeTurn();
    assert.equal(marks.of(jobs.at(-1)!.turn)!.speechEndMs, endAt);
  });

  it('a final of no words is no turn: nothing published, no mark, no reply', () => {
    const { jobs, transcripts, caller, core } = setup(true);
    caller.onVad(vadEvent(VADEventType.START_OF_SPEECH));
    caller.onSpeech(speech(stt.SpeechEventType.FINAL_TRANSCRIPT, '[noise]'));
    caller.onSpeech(speech(stt.SpeechEventType.FINAL_TRANSCRIPT, '  '));
    core.takeTurn();
    assert.deepEqual(transcripts, []);
    assert.equal(jobs.length, 1, 'only the greeting');
  });

  it('speech over her answer is a barge-in: counted with how long the caller had spoken', () => {
    const { jobs, metrics, caller, core } = setup(true);
    caller.onSpeech(speech(stt.SpeechEventType.FINAL_TRANSCRIPT, 'what are your opening hours'));
    core.takeTurn();
    core.replyAudio(jobs.at(-1)!.turn);
    assert.equal(core.state, 'SPEAKING');
    caller.onVad(vadEvent(VADEventType.START_OF_SPEECH, { speech: 60 }));
    assert.equal(core.state, 'INTERRUPTED');
    assert.deepEqual(metrics, [{ kind: 'barge_in', ms: 60 }]);
  });

  it('keypad digits ended with # are an answer, on the transcript as the next segment', () => {
    const { jobs, transcripts, caller } = setup(true);
    caller.typed('07700900123');
    assert.deepEqual(transcripts, [['u0', '07700900123', true]]);
    assert.equal(jobs.at(-1)!.source, 'user');
  });
});
