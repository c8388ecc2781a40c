import { describe, expect, test } from 'vitest';
import { EMPTY_KEYPAD, keypadPress, typedAnswer, type KeypadAction, type KeypadState } from './keypad.ts';

/** presses `keys` one by one; the actions that were not 'none' */
function type(keys: string, collecting: boolean): { state: KeypadState; actions: KeypadAction[] } {
  let state = EMPTY_KEYPAD;
  const actions: KeypadAction[] = [];
  for (const k of keys) {
    const r = keypadPress(state, k, collecting);
    state = r.state;
    if (r.action.type !== 'none') actions.push(r.action);
  }
  return { state, actions };
}

describe('keypad entry on a phone call', () => {
  test('a number typed while she asks for one, ended with #, is the caller’s answer; 0 is a digit', () => {
    expect(type('6195550100#', true).actions).toEqual([{ type: 'answer', text: '6195550100' }]);
  });

  test('a date of birth typed as MMDDYYYY becomes a date', () => {
    expect(type('03041985#', true).actions).toEqual([{ type: 'answer', text: '03/04/1985' }]);
    expect(typedAnswer('03041985')).toBe('03/04/1985');
  });

  test('nothing is answered before #; * starts over; # alone does nothing', () => {
    expect(type('619555', true)).toEqual({ state: { digits: '619555' }, actions: [] });
    expect(type('619*6195550100#', true).actions).toEqual([{ type: 'answer', text: '6195550100' }]);
    expect(type('#', true).actions).toEqual([]);
  });

  test('outside an entry the keys mean what they did: 0 asks for a person, others nothing', () => {
    expect(type('0', false).actions).toEqual([{ type: 'person' }]);
    expect(type('5', false)).toEqual({ state: EMPTY_KEYPAD, actions: [] });
    expect(type('55#', false).actions).toEqual([]);
  });

  test('an entry begun while she asked goes on to its # even if she is no longer collecting', () => {
    let r = keypadPress(EMPTY_KEYPAD, '6', true);
    r = keypadPress(r.state, '0', false);
    r = keypadPress(r.state, '#', false);
    expect(r.action).toEqual({ type: 'answer', text: '60' });
  });

  test('an endless entry is capped', () => {
    expect(type('1'.repeat(50), true).state.digits).toHaveLength(20);
  });
});
