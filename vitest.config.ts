// The suites on vitest (node environment; the browser suites drive Chromium through playwright-core).
// One file at a time, as before: the integration suites each run a whole stack on a 2-core machine, and
// the unit files that run engines (flite, pocketsphinx) or servers are timing-sensitive beside them.
import { defineConfig } from 'vitest/config';

const integration = ['test/**/*.test.ts', 'web/test/**/*.test.ts'];

export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    // as under node --import tsx --test: processes forked with the worker's execArgv (the agents' job
    // processes) load TypeScript too
    execArgv: ['--import', 'tsx'],
    fileParallelism: false,
    maxWorkers: 1,
    env: { VOXANNE_TEST: '1' },
    // node:test had no timeout unless a test set one; these are guards against a hang, not timings
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{agent,web,sip,scripts,bench,naturalness,contracts}/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', ...integration],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: integration,
          exclude: ['**/node_modules/**'],
          testTimeout: 600_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
