import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { keepOfReply, type ReplyEnd } from './reply-commit.ts';

const end = (r: Partial<ReplyEnd>): ReplyEnd => ({
  audioStarted: true,
  aborted: false,
  heard: '',
  spoken: '',
  toolCalls: 0,
  ...r,
});

describe('what a finished reply leaves behind', () => {
  it('an answer heard to the end: the words, the answer and her final line', () => {
    assert.deepEqual(keepOfReply(end({ userText: 'hours?', heard: 'We open at nine.', spoken: 'We open at nine.' })), {
      user: 'hours?',
      tools: false,
      heard: 'We open at nine.',
      transcript: 'We open at nine.',
      interrupted: false,
    });
  });

  it('cut off by a barge-in: only what the caller heard is kept, and it is marked interrupted', () => {
    const k = keepOfReply(
      end({ userText: 'hours?', aborted: true, heard: 'We open', spoken: 'We open at nine. On Saturdays at ten.' }),
    );
    assert.equal(k?.heard, 'We open');
    assert.equal(k?.transcript, 'We open');
    assert.equal(k?.interrupted, true);
  });

  it('stopped after audio started but before a word was heard: her screen shows the queue, history no answer', () => {
    const k = keepOfReply(end({ userText: 'hours?', aborted: true, heard: '', spoken: 'We open at nine.' }));
    assert.equal(k?.heard, undefined);
    assert.equal(k?.transcript, 'We open at nine.');
    assert.equal(k?.user, 'hours?');
  });

  it('no audio and no tool: nothing is kept (the words are answered again or were never spoken)', () => {
    assert.equal(
      keepOfReply(end({ userText: 'hours?', audioStarted: false, aborted: true, spoken: 'We open' })),
      undefined,
    );
    assert.equal(keepOfReply(end({ audioStarted: false })), undefined);
    assert.equal(keepOfReply(end({ heard: '', spoken: '' })), undefined, 'a line with no words leaves nothing');
  });

  it('a tool that ran stays even when she was cut off before speaking', () => {
    assert.deepEqual(keepOfReply(end({ userText: 'book me in', audioStarted: false, aborted: true, toolCalls: 1 })), {
      user: 'book me in',
      tools: true,
      interrupted: true,
    });
  });

  it('a line she says by herself keeps no caller words', () => {
    const k = keepOfReply(end({ heard: 'Hello.', spoken: 'Hello.' }));
    assert.equal(k?.user, undefined);
    assert.equal(k?.heard, 'Hello.');
  });
});
