// `npm start`: plain JavaScript on purpose — it must run before dependencies are installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);

if (!existsSync('node_modules/tsx') || !existsSync('node_modules/@livekit/agents')) {
  console.log('Installing dependencies (first run)…');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('npm install failed; see the messages above.');
    process.exit(1);
  }
}
if (existsSync('.env')) process.loadEnvFile('.env');

const { register } = await import('tsx/esm/api');
register();
await import('./dev.ts');
