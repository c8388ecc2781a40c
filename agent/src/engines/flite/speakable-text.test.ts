import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { speakableText } from './speakable-text.ts';

describe('speakableText', () => {
  it('leaves plain English alone', () => {
    assert.equal(
      speakableText('Your appointment is at 3:30 pm, Dr. Smith.'),
      'Your appointment is at 3:30 pm, Dr. Smith.',
    );
  });

  it('folds accents and typographic punctuation to ASCII', () => {
    assert.equal(speakableText('Café “Zoë’s” — naïve…'), 'Cafe "Zoe\'s" , naive...');
  });

  it('turns newlines, tabs, NULs and other control characters into single spaces', () => {
    assert.equal(speakableText('one\ntwo\t\tthree\u0000four\r\n'), 'one two three four');
  });

  it('drops what flite cannot say (emoji, other scripts) and trims', () => {
    assert.equal(speakableText('  Hi 😀 there 日本語 '), 'Hi there');
    assert.equal(speakableText('😀🎉'), '');
    assert.equal(speakableText(' \n\t '), '');
  });

  it('only ever returns printable ASCII', () => {
    let all = '';
    for (let c = 0; c < 0x3000; c += 7) all += String.fromCharCode(c);
    assert.match(speakableText(all + '\u{1F600}\uD800'), /^[\x20-\x7e]*$/);
  });
});
