import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    // Browser suites without a browser, and Redis suites without redis-server, are skipped with one line each
    // for the whole run (or fail under CI): test/browser.ts, test/redis.ts.
    globalSetup: ['test/setup-browser.ts', 'test/setup-redis.ts'],
    // --expose-gc lets the allocation test measure the heap after a full collection.
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
  },
});
