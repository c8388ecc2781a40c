// `npm start` for the tests: the same runner (scripts/lib/dev-runner.ts) on the ports and environment
// given in VOXANNE_DEV_STACK (JSON), so a test can run it in its own process group and signal it.
import { runDev, type DevOptions } from '../../scripts/lib/dev-runner.ts';

const o = JSON.parse(process.env.VOXANNE_DEV_STACK ?? '{}') as DevOptions;
await runDev({ ...o, webMode: 'static', webRestart: { firstMs: 200, maxMs: 2000 } });
