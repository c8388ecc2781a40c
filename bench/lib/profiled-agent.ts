/**
 * The agent worker with every job process it forks profiled (`npm run load -- --cpu-prof DIR`): the
 * library forks job processes with this process's execArgv, so --cpu-prof added here reaches each
 * call's process, which writes a .cpuprofile into DIR when it exits (open it in Chrome DevTools or
 * speedscope for the flame graph). The worker itself runs unprofiled.
 */
import { fileURLToPath } from 'node:url';

const dir = process.env.LOAD_CPU_PROF_DIR;
if (!dir) throw new Error('LOAD_CPU_PROF_DIR names the directory for the job processes’ CPU profiles');
process.execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
// main.ts starts the worker only when it is the script run
const main = fileURLToPath(new URL('../../agent/src/main.ts', import.meta.url));
process.argv[1] = main;
await import(main);
