/**
 * Provisioning CLI: makes LiveKit's SIP trunks and dispatch rule (and, with Twilio credentials, Twilio's
 * Elastic SIP Trunk) match the configuration. Prints the plan first; `--dry-run` stops there.
 * Running it again changes nothing.
 *   node --import tsx sip/src/cli.ts [--dry-run]        (or: npm run sip:provision -- --dry-run)
 * Configuration: the environment (see .env.example, "Telephony").
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, parseProvisionConfig } from './config.ts';
import { provision } from './provision.ts';

// the same .env that npm start reads (run from the repository root)
if (existsSync('.env')) process.loadEnvFile('.env');
const { values } = parseArgs({ options: { 'dry-run': { type: 'boolean', default: false } } });
try {
  const config = parseProvisionConfig(process.env);
  const r = await provision(config, { dryRun: values['dry-run'], log: (l) => console.log(l) });
  process.exitCode = 0;
  if (!values['dry-run']) console.log(r.changed ? 'applied.' : 'nothing to change.');
} catch (e) {
  if (e instanceof ConfigError) console.error(`Configuration error: ${e.message}`);
  else console.error(`Provisioning failed: ${(e as Error).message}`);
  process.exitCode = 1;
}
