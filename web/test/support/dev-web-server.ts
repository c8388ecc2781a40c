// The web server in Vite dev mode, in a process of its own: Vite's dev server and its esbuild service
// must not share the test runner's process (vitest runs on Vite too; in-process, stopping the dev server
// hung the test once in CI). Prints the base URL on its first line; ends on SIGTERM.
import { startWebServer, testConfig } from '../../server/test-support.ts';

const dev = await startWebServer(testConfig({ mode: 'dev' }));
console.log(dev.baseUrl);
process.once('SIGTERM', () => {
  void dev.stop().finally(() => process.exit(0));
});
