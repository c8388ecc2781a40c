// `npm start`: plain JavaScript on purpose — it must run before dependencies are installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runPreflight } from './preflight.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);
// .env first: TELEPHONY=1 there adds telephony's system pieces to the preflight
if (existsSync('.env')) {
  if (typeof process.loadEnvFile !== 'function') {
    console.error(`Node ${process.versions.node} cannot read .env: install Node 20.12 or newer (https://nodejs.org).`);
    process.exit(1);
  }
  try {
    process.loadEnvFile('.env');
  } catch (e) {
    console.error(`.env could not be read (${e.message}): fix it (see .env.example) or remove it.`);
    process.exit(1);
  }
}
// `npm run cluster` needs what telephony needs (Redis, LiveKit SIP): the cluster always has them
if (process.argv.includes('--cluster')) process.env.TELEPHONY = '1';
// the system pieces (scripts/system-packages.json): installed where possible, else the command and exit 1
await runPreflight('start');

if (!existsSync('node_modules/tsx') || !existsSync('node_modules/@livekit/agents')) {
  console.log('Installing dependencies (first run)…');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('npm install failed; see the messages above.');
    process.exit(1);
  }
}

const { register } = await import('tsx/esm/api');
register();
await import('./dev.ts');
