/**
 * The provisioning CLI: LiveKit's half against the real local livekit-server (with Redis and LiveKit
 * SIP, as npm start runs them), Twilio's half through the official twilio SDK against a local fake of
 * the endpoints it calls (test/fakes/twilio-rest.ts). Plan, --dry-run, apply, apply again.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { SipClient } from 'livekit-server-sdk';
import { ROOT } from '../scripts/lib/livekit-binary.ts';
import { parseProvisionConfig } from '../sip/src/config.ts';
import { NAMES } from '../sip/src/livekit-side.ts';
import { provision } from '../sip/src/provision.ts';
import { startTwilioFake, type TwilioFake } from './fakes/twilio-rest.ts';
import { startTestStack, type TestStack } from './support/test-stack.ts';

const ACCOUNT = `AC${'1f'.repeat(16)}`;
const TOKEN = 'fake-auth-token';
const CLINIC = '+15550100200';

describe('provisioning (sip/src/cli.ts)', () => {
  let stack: TestStack;
  let twilio: TwilioFake;
  let env: Record<string, string>;
  let sip: SipClient;

  beforeAll(async () => {
    stack = await startTestStack('sip-provision', {}, { telephony: true });
    twilio = await startTwilioFake(ACCOUNT, TOKEN, [CLINIC]);
    env = {
      LIVEKIT_URL: stack.livekitUrl,
      LIVEKIT_API_KEY: stack.apiKey,
      LIVEKIT_API_SECRET: stack.apiSecret,
      SIP_NUMBERS: CLINIC,
      SIP_ALLOWED_ADDRESSES: '54.172.60.0/30,127.0.0.1/32',
      SIP_OUTBOUND_ADDRESS: 'voxanne-riverside.pstn.twilio.com',
      SIP_OUTBOUND_USERNAME: 'voxanne',
      SIP_OUTBOUND_PASSWORD: 'Outbound-Secret-123',
      TWILIO_ACCOUNT_SID: ACCOUNT,
      TWILIO_AUTH_TOKEN: TOKEN,
      TWILIO_TRUNK_DOMAIN: 'voxanne-riverside.pstn.twilio.com',
      LIVEKIT_SIP_URI: 'sip:sip.riverside.example:5060;transport=tcp',
      TWILIO_API_BASE_URL: twilio.baseUrl,
    };
    sip = new SipClient(stack.livekitUrl.replace(/^ws/, 'http'), stack.apiKey, stack.apiSecret);
  });

  afterAll(async () => {
    await twilio?.close();
    await stack?.stop();
  });

  /** the CLI as a user runs it (asynchronously: the Twilio fake lives in this process) */
  function cli(args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'sip/src/cli.ts'), ...args],
        { cwd: ROOT, env: { PATH: process.env.PATH, ...env, ...extra }, encoding: 'utf8' },
        (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` }),
      );
    });
  }

  const writes = () => twilio.requests.filter((r) => r.method !== 'GET');

  test('--dry-run prints the plan and changes nothing on either side', async () => {
    const r = await cli(['--dry-run']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /\+ livekit inbound trunk "voxanne-inbound" will be created/);
    assert.match(r.out, /\+ livekit dispatch rule "voxanne-dispatch" will be created/);
    assert.match(r.out, /\+ livekit outbound trunk "voxanne-outbound" will be created/);
    assert.match(r.out, /\+ twilio trunk "voxanne" will be created/);
    assert.match(r.out, /~ twilio number "\+15550100200" .* will be updated/);
    assert.match(r.out, /dry run: nothing was changed/);
    assert.doesNotMatch(r.out, /Outbound-Secret-123|fake-auth-token/, 'no secret is printed');
    assert.equal((await sip.listSipInboundTrunk()).length, 0);
    assert.equal((await sip.listSipDispatchRule()).length, 0);
    assert.equal(writes().length, 0, 'only reads reached Twilio');
  });

  test('apply creates everything; the LiveKit side is as asked', async () => {
    const r = await cli([]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /applied\./);

    const [inbound] = await sip.listSipInboundTrunk();
    assert.equal(inbound?.name, NAMES.inbound);
    assert.deepEqual(inbound!.numbers, [CLINIC]);
    assert.deepEqual([...inbound!.allowedAddresses].sort(), ['127.0.0.1/32', '54.172.60.0/30']);
    const [rule] = await sip.listSipDispatchRule();
    assert.equal(rule?.name, NAMES.dispatch);
    assert.deepEqual(rule!.trunkIds, [inbound!.sipTrunkId]);
    // rooms are named after the clinic's number dialled, never the caller's, and LiveKit hides the caller's
    // number from the identity and its own attributes; the trunk hands it to the agent in ours (issue 13)
    assert.equal(rule!.rule?.rule.case, 'dispatchRuleCallee');
    assert.equal(rule!.rule?.rule.value.roomPrefix, 'call-');
    assert.equal(rule!.rule?.rule.case === 'dispatchRuleCallee' && rule!.rule.rule.value.randomize, true);
    assert.equal(rule!.hidePhoneNumber, true);
    assert.deepEqual(inbound!.headersToAttributes, { From: 'voxanne.sip.from', To: 'voxanne.sip.to' });
    assert.deepEqual(JSON.parse(rule!.roomConfig!.metadata), { tenant: 'riverside' });
    assert.equal(rule!.roomConfig!.agents.length, 1, 'Voxanne is dispatched into each caller’s room');
    const [outbound] = await sip.listSipOutboundTrunk();
    assert.equal(outbound?.address, 'voxanne-riverside.pstn.twilio.com');
    assert.equal(outbound!.authUsername, 'voxanne');
  });

  test('apply creates Twilio’s trunk: origination to LiveKit SIP, credentials, the number moved onto it', () => {
    const s = twilio.state;
    assert.equal(s.trunks.length, 1);
    const trunk = s.trunks[0]!;
    assert.equal(trunk.friendly_name, 'voxanne');
    assert.equal(trunk.domain_name, 'voxanne-riverside.pstn.twilio.com');
    assert.deepEqual(
      s.originationUrls.map((o) => [o.trunk_sid, o.sip_url, o.enabled]),
      [[trunk.sid, 'sip:sip.riverside.example:5060;transport=tcp', true]],
    );
    assert.equal(s.credentials.length, 1);
    assert.equal(s.credentials[0]!.username, 'voxanne');
    assert.equal(s.credentials[0]!.password, 'Outbound-Secret-123');
    assert.deepEqual(
      s.trunkCredentialLists.map((c) => c.trunk_sid),
      [trunk.sid],
    );
    assert.equal(s.numbers[0]!.trunk_sid, trunk.sid);
  });

  test('applying again changes nothing', async () => {
    const before = writes().length;
    const trunks = (await sip.listSipInboundTrunk()).map((t) => t.sipTrunkId);
    const r = await cli([]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /0 to create, 0 to update, 3 up to date/);
    assert.match(r.out, /nothing to change\./);
    assert.equal(writes().length, before, 'no write reached Twilio');
    assert.deepEqual(
      (await sip.listSipInboundTrunk()).map((t) => t.sipTrunkId),
      trunks,
    );
    assert.equal((await sip.listSipDispatchRule()).length, 1);
  });

  test('a changed setting is an update in place, not a second resource', async () => {
    const config = parseProvisionConfig({
      ...env,
      SIP_NUMBERS: `${CLINIC},+15550100201`,
      SIP_TENANT: 'riverside-east',
    });
    twilio.state.numbers.push({
      sid: `PN${'9'.repeat(32)}`,
      account_sid: ACCOUNT,
      phone_number: '+15550100201',
      trunk_sid: null,
    });
    const lines: string[] = [];
    const r = await provision(config, { dryRun: false, log: (l) => lines.push(l) });
    assert.ok(r.changed);
    assert.match(lines.join('\n'), /~ livekit inbound trunk "voxanne-inbound" \(ST_\w+\) will be updated/);
    const inbound = await sip.listSipInboundTrunk();
    assert.equal(inbound.length, 1);
    assert.deepEqual([...inbound[0]!.numbers].sort(), [CLINIC, '+15550100201']);
    const [rule] = await sip.listSipDispatchRule();
    assert.deepEqual(JSON.parse(rule!.roomConfig!.metadata), { tenant: 'riverside-east' });
    assert.equal(twilio.state.trunks.length, 1);
    assert.ok(twilio.state.numbers.every((p) => p.trunk_sid === twilio.state.trunks[0]!.sid));
    const again = await provision(config, { dryRun: false, log: () => {} });
    assert.equal(again.changed, false);
  });

  test('bad configuration is refused with the variable named, before anything is touched', async () => {
    const r = await cli([], { SIP_NUMBERS: '555-0100' });
    assert.equal(r.code, 1);
    assert.match(r.out, /Configuration error: SIP_NUMBERS/);
  });

  test('a wrong Twilio token fails clearly', async () => {
    const r = await cli(['--dry-run'], { TWILIO_AUTH_TOKEN: 'wrong' });
    assert.equal(r.code, 1);
    assert.match(r.out, /Provisioning failed: .*Authenticate/);
  });
});
