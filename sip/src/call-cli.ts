/**
 * Places an outbound call: node --import tsx sip/src/call-cli.ts --to +15551234567 [--purpose reminder|callback]
 * [--detail "…"]
 * (or npm run sip:call -- --to …). Needs the outbound trunk (npm run sip:provision with SIP_OUTBOUND_ADDRESS).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseProvisionConfig } from './config.ts';
import { placeCall, PURPOSES, type CallPurpose } from './outbound.ts';

if (existsSync('.env')) process.loadEnvFile('.env');
const { values } = parseArgs({
  options: { to: { type: 'string' }, purpose: { type: 'string', default: 'reminder' }, detail: { type: 'string' } },
});
try {
  if (!values.to || !/^\+[1-9]\d{6,14}$/.test(values.to))
    throw new Error('--to must be an E.164 number, e.g. +15551234567');
  if (!(PURPOSES as readonly string[]).includes(values.purpose!))
    throw new Error(`--purpose must be one of ${PURPOSES.join(', ')}`);
  const config = parseProvisionConfig(process.env);
  const r = await placeCall(config, { to: values.to, purpose: values.purpose as CallPurpose, detail: values.detail });
  console.log(`answered: room ${r.room}, participant ${r.participant.participantIdentity}`);
} catch (e) {
  console.error(`Call failed: ${(e as Error).message}`);
  process.exitCode = 1;
}
