/**
 * The Redis suites (the distributed search's) start their own `redis-server`
 * (Debian's package) on a free loopback port in a temporary folder, never the
 * system's service. On a machine without it they are skipped, and
 * test/setup-redis.ts prints one line for the whole run naming them; where
 * Redis is required (`CI` set, or `LAYERWISE_REQUIRE_REDIS=1`) a missing
 * one fails instead, so CI cannot pass without running them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { findRedisServer, HOW_TO_ENABLE, redisRequired, skipLine } from './setup-redis.js';

export { findRedisServer, freePort, redisRequired, skipLine, startRedis, type TestRedis } from './setup-redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A folder where each skipped Redis suite leaves its file name, for the one line test/setup-redis.ts prints. */
    redisSkips: string;
  }
}

function recordSkip(file: string): void {
  let dir: string | undefined;
  try {
    dir = inject('redisSkips');
  } catch {
    dir = undefined;
  }
  if (dir === undefined) {
    console.warn(skipLine([file]));
    return;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, encodeURIComponent(file)), file);
}

/**
 * `describe` for a suite that needs redis-server: run when it is there;
 * skipped (and recorded for the run's one line) when it is not; one failing
 * test saying why when Redis is required ({@link redisRequired}).
 */
export function describeRedis(name: string, body: () => void): void {
  if (findRedisServer() !== null) {
    describe(name, body);
    return;
  }
  const filepath = expect.getState().testPath;
  const file = filepath ? relative(process.cwd(), filepath) : name;
  if (redisRequired()) {
    const why = process.env.LAYERWISE_REQUIRE_REDIS === '1' ? 'LAYERWISE_REQUIRE_REDIS=1' : `CI=${process.env.CI}`;
    describe(name, () => {
      it('finds redis-server', () => {
        throw new Error(`${file}: no redis-server found, and ${why} requires the Redis suites: ${HOW_TO_ENABLE}`);
      });
    });
    return;
  }
  recordSkip(file);
  describe.skip(name, body);
}
