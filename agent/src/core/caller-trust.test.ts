import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { encodeCallRoomMetadata } from '@voxanne/contracts/call-room';
import { callerExpectation, isTrustedCaller, PARTICIPANT_KINDS, type ParticipantKindName } from './caller-trust.ts';

const CALLER = 'caller-abcdefghijklmnopqrstuvwxyz';
const web = callerExpectation(encodeCallRoomMetadata({ tenant: 'riverside', channel: 'web', caller: CALLER }));
const phone = callerExpectation(encodeCallRoomMetadata({ tenant: 'riverside' }));

describe('callerExpectation', () => {
  it('waits for the caller a web room names, else for a phone line', () => {
    assert.deepEqual(web, { kind: 'web', identity: CALLER });
    assert.deepEqual(phone, { kind: 'sip' });
    for (const raw of [undefined, '', 'not json', '{"caller":"sip_+15551234567"}'])
      assert.deepEqual(callerExpectation(raw), { kind: 'sip' }, String(raw));
  });
});

describe('isTrustedCaller', () => {
  const p = (identity: string, kind: ParticipantKindName) => ({ identity, kind });

  it('in a web room, trusts exactly the named caller joined as a standard participant', () => {
    assert.equal(isTrustedCaller(p(CALLER, 'standard'), web), true);
    for (const kind of PARTICIPANT_KINDS.filter((k) => k !== 'standard'))
      assert.equal(isTrustedCaller(p(CALLER, kind), web), false, kind);
    for (const identity of ['caller-zzzzzzzzzzzzzzzzzzzzzzzzzz', 'agent-AJ_1', 'sip_+15551234567', ''])
      assert.equal(isTrustedCaller(p(identity, 'standard'), web), false, identity);
    assert.equal(isTrustedCaller(p('sip_abc', 'sip'), web), false, 'a phone line in a web room is not its caller');
  });

  it('in a phone room, trusts LiveKit SIP participants only', () => {
    assert.equal(isTrustedCaller(p('sip_0123abcd', 'sip'), phone), true);
    for (const kind of PARTICIPANT_KINDS.filter((k) => k !== 'sip'))
      assert.equal(isTrustedCaller(p('sip_0123abcd', kind), phone), false, kind);
  });
});
