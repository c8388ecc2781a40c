import { test } from 'vitest';
import assert from 'node:assert/strict';
import { addressProblems } from './direct-address.ts';
import { findFillers } from './fillers.ts';
import { humanize, ReplyHumanizer } from './humanizer.ts';
import { spacingProblems } from './punctuation.ts';
import { countWords, spokenWordCount, splitSentences } from './sentences.ts';

const RAW_BBL =
  'Absolutely! We specialize in Brazilian Butt Lift, which costs $8,000-$12,000 ' +
  'depending on the plan your surgeon makes with you, and recovery is about 2 ' +
  'weeks. Want me to check Tuesday availability?';

function assertSpeakable(text: string): void {
  for (const s of splitSentences(text)) assert.ok(spokenWordCount(s) <= 12, `sentence over twelve words: "${s}"`);
  assert.doesNotMatch(text, /[\d$%]/, `digits left in "${text}"`);
  assert.deepEqual(spacingProblems(text), [], text);
}

test("the customer's BBL example comes out short, spelled out and addressed", () => {
  const out = humanize(RAW_BBL, { callerName: 'Sarah' });
  assert.equal(
    out,
    'Absolutely, Sarah! We specialize in Brazilian Butt Lift. It costs eight ' +
      'thousand to twelve thousand dollars. Depending on the plan your surgeon makes ' +
      'with you. Want me to check Tuesday availability?',
  );
  assertSpeakable(out);
  assert.deepEqual(addressProblems(out, 'Sarah'), []);
});

test('streamed in small chunks, a reply comes out exactly as it does whole', () => {
  const whole = humanize(RAW_BBL, { callerName: 'Sarah' });
  for (const size of [1, 3, 7, 20]) {
    const h = new ReplyHumanizer({ callerName: 'Sarah' });
    const out: string[] = [];
    for (let i = 0; i < RAW_BBL.length; i += size) out.push(...h.push(RAW_BBL.slice(i, i + size)));
    out.push(...h.flush());
    assert.equal(out.join(' '), whole, `chunk size ${size}`);
    assert.ok(h.usedName);
  }
});

test('a sentence is released as soon as it ends, before the reply is over', () => {
  const h = new ReplyHumanizer();
  assert.deepEqual(h.push('We open at 8am'), []);
  assert.deepEqual(h.push(' on Monday.'), []);
  assert.deepEqual(h.push(' And we'), ['We open at eight a m on Monday.']);
  assert.deepEqual(h.flush(), ['And we.']);
});

test('two to four sentences: a bare statement gets a follow-up, a long reply keeps its closing question', () => {
  assert.equal(
    humanize('Botox costs $300 to $600 per area.'),
    'Botox costs three hundred to six hundred dollars per area. Anything else I can help with?',
  );
  const long = humanize(
    'One thing. Two things here. Three things here. Four things here. Five things here. Shall I book it?',
  );
  assert.equal(long, 'One thing. Two things here. Three things here. Shall I book it?');
  assert.equal(humanize('One. Two. Three. Four. Five.'), 'One. Two. Three. Four.');
  // a line she says by herself is not padded
  assert.equal(humanize('Are you still there?', { kind: 'line' }), 'Are you still there?');
  assert.equal(humanize('Thanks for calling. Have a great day.'), 'Thanks for calling. Have a great day.');
});

test('a reply that opens with a question gets a short acknowledgement first', () => {
  assert.equal(humanize('What day works for you?', { seed: 0 }), 'Sure. What day works for you?');
  assert.equal(humanize('What day works for you?', { seed: 1 }), 'Okay. What day works for you?');
  assert.equal(humanize('What day works for you?', { callerName: 'Maria' }), 'Sure, Maria. What day works for you?');
});

test('under two hundred words, whatever the model sends', () => {
  const rambling =
    Array.from({ length: 80 }, (_, i) => `This is sentence ${i} with several more words in it`).join(', and ') + '.';
  const out = humanize(rambling);
  assert.ok(countWords(out) < 200);
  assert.ok(splitSentences(out).length <= 4);
  assertSpeakable(out);
});

test('prices, ranges, times, dates, percentages and phone numbers are said as words', () => {
  const cases: Array<[string, string]> = [
    ['It costs $8,000.', 'It costs eight thousand dollars.'],
    ['Expect $8k to $12k.', 'Expect eight thousand to twelve thousand dollars.'],
    ['Prices run $8,000 - $12,000 here.', 'Prices run eight thousand to twelve thousand dollars here.'],
    ['It is between $6,000 and $10,000.', "It's between six thousand dollars and ten thousand dollars."],
    ['It is $149.99.', "It's one hundred forty nine dollars and ninety nine cents."],
    ['Come at 2:30pm.', 'Come at two thirty p m.'],
    ['We open at 9 a.m. See you.', 'We open at nine a m. See you.'],
    ['Open 9am-5pm today.', 'Open nine a m to five p m today.'],
    ['Thursday until 19:00 works.', 'Thursday until seven p m works.'],
    ['Your visit is on March 3rd, 2026.', 'Your visit is on March third, twenty twenty six.'],
    ['Your visit is on 2026-03-14.', 'Your visit is on March fourteenth, twenty twenty six.'],
    ['Swelling lasts 7-10 days.', 'Swelling lasts seven to ten days.'],
    ['We have 20% off.', 'We have twenty percent off.'],
    ['Call (619) 555-0142 anytime.', 'Call six one nine, five five five, zero one four two anytime.'],
    ['Our number is +16195550142.', 'Our number is six one nine, five five five, zero one four two.'],
    ['It takes 1.5 hours.', 'It takes one point five hours.'],
  ];
  for (const [raw, want] of cases) {
    const h = new ReplyHumanizer({ kind: 'line' });
    assert.equal([...h.push(raw), ...h.flush()].join(' '), want, raw);
  }
});

test('contractions where speech has them, never at the end of a clause', () => {
  const line = (t: string) => humanize(t, { kind: 'line' });
  assert.equal(line('We are open. I am not sure. Do not worry.'), "We're open. I'm not sure. Don't worry.");
  assert.equal(line('It is about two weeks. We will call you.'), "It's about two weeks. We'll call you.");
  assert.equal(line('Yes, it is.'), 'Yes, it is.');
  assert.equal(line('I have booked you in. I have a question.'), "I've booked you in. I have a question.");
  assert.equal(line('We cannot do that.'), "We can't do that.");
});

test('punctuation spacing and markup are cleaned', () => {
  assert.equal(
    humanize('**Hours:** we are open ,Monday to Friday .We close at noon!!', { kind: 'line' }),
    "Hours: we're open, Monday to Friday. We close at noon!",
  );
  assert.equal(humanize('- Botox\n- Fillers 😊', { kind: 'line' }), 'Botox, Fillers.');
  assert.deepEqual(spacingProblems('Hi , there.Yes'), ['space before punctuation', 'no space after a sentence end']);
});

test('fillers are rare: hesitations go, one soft filler at most', () => {
  const out = humanize('Um, so, basically, you know, the recovery is about a week. Well, actually, it varies.', {
    kind: 'line',
  });
  assert.equal(out, 'So, the recovery is about a week. It varies.');
  assert.deepEqual(findFillers(out), ['So']);
});

test("the caller's name: on an opener, thanked once when given, never twice in a reply", () => {
  assert.equal(
    humanize('Great. Your consult is booked.', { callerName: 'Sarah' }),
    'Great, Sarah! Your consult is booked.',
  );
  assert.equal(
    humanize('Your consult is booked. See you Tuesday.', { callerName: 'Sarah', nameJustGiven: true }),
    'Thanks, Sarah. Your consult is booked. See you Tuesday.',
  );
  assert.equal(
    humanize('Your consult is booked. See you Tuesday.', { callerName: 'Sarah' }),
    'Your consult is booked. See you Tuesday.',
  );
  const twice = humanize('Sure, Sarah. Sarah, your consult is booked.', { callerName: 'Sarah' });
  assert.equal(twice, 'Sure, Sarah. Your consult is booked.');
  assert.deepEqual(addressProblems(twice, 'Sarah'), []);
  assert.deepEqual(addressProblems('Sarah Sarah is booked', 'Sarah').length, 2);
  assert.deepEqual(addressProblems('That is booked for Sarah Jones. Great, Sarah!', 'Sarah'), []);
});

test('twelve-word sentences are cut at natural joints, numbers and times kept whole', () => {
  const out = humanize('Our hours are 8am to 5pm Monday through Wednesday, and we are open until 7pm on Thursday.', {
    kind: 'line',
  });
  assert.equal(
    out,
    "Our hours are eight a m to five p m. Monday through Wednesday. We're open until seven p m on Thursday.",
  );
  const phone = humanize('You can reach the front desk directly at (619) 555-0142 during business hours.', {
    kind: 'line',
  });
  assert.match(phone, /six one nine, five five five, zero one four two/);
  assertSpeakable(phone);
});

test('written shorthand is said in full: day ranges, lists, abbreviations', () => {
  const line = (t: string) => humanize(t, { kind: 'line' });
  assert.equal(line('We are open Mon–Fri, 8am–5pm.'), "We're open Monday to Friday, eight a m to five p m.");
  assert.equal(line('We offer:\n- Botox\n- Fillers\n- Lipo'), 'We offer: Botox, Fillers, Lipo.');
  assert.equal(line('Dr. Smith sees patients, e.g. for BBL.'), 'Doctor Smith sees patients, for example, for BBL.');
  assert.equal(line('Recovery is approx. 10 days.'), 'Recovery is about ten days.');
});

test("a name used too recently is taken out of the model's reply, but not out of a read-back", () => {
  assert.equal(
    humanize('Sure, Sarah! Botox is about a week.', { suppressName: 'Sarah' }),
    'Sure! Botox is about a week.',
  );
  assert.equal(
    humanize('Of course, Sarah. Botox is about a week.', { suppressName: 'Sarah' }),
    'Of course. Botox is about a week.',
  );
  assert.equal(
    humanize('Sarah, your visit is booked. See you then.', { suppressName: 'Sarah' }),
    'Your visit is booked. See you then.',
  );
  assert.equal(
    humanize(
      'Let me read that back. For Sarah Jones, at six one nine, five five five, zero one zero zero. Shall I book that?',
      { suppressName: 'Sarah' },
    ),
    'Let me read that back. For Sarah Jones, at six one nine, five five five, zero one zero zero. Shall I book that?',
  );
});

test('tool calls written as text and special tokens are never read out', () => {
  assert.equal(
    humanize('Let me check. <function=check_availability>{"service": "bbl"}</function>', { kind: 'line' }),
    'Let me check.',
  );
  assert.equal(
    humanize('Sure. {"name": "book_appointment", "parameters": {}} Done.<|eot_id|>', { kind: 'line' }),
    'Sure. Done.',
  );
});
