/**
 * Where the Redis suites (the distributed search's) find `redis-server`, and
 * the vitest globalSetup that prints one line for a whole run whose Redis
 * suites were skipped (see test/redis.ts, which the suites use). Like
 * test/setup-browser.ts, this file imports nothing from vitest at run time.
 */
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { TestProject } from 'vitest/node';

/** `$LAYERWISE_REDIS_SERVER`, else `redis-server` on the PATH (Debian's package puts it in /usr/bin), else null. */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = env.LAYERWISE_REDIS_SERVER ? [env.LAYERWISE_REDIS_SERVER] : [...(env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'redis-server')), '/usr/bin/redis-server'];
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      if (statSync(path).isFile()) return path;
    } catch {
      // not here
    }
  }
  return null;
}

/** Whether a missing redis-server fails the run: `CI` set (to anything but "", "0" or "false") or `LAYERWISE_REQUIRE_REDIS=1`. */
export function redisRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI;
  return (ci !== undefined && !['', '0', 'false'].includes(ci.toLowerCase())) || env.LAYERWISE_REQUIRE_REDIS === '1';
}

/** How to get the Redis suites to run, said in the skip line and in the failure. */
export const HOW_TO_ENABLE = 'install it with `apt-get install redis-server` (.ci/run does) or point LAYERWISE_REDIS_SERVER at a redis-server binary';

/** The one line printed for a run whose Redis suites were skipped. */
export function skipLine(suites: readonly string[]): string {
  return (
    `[redis] skipped ${suites.length} Redis suite${suites.length === 1 ? '' : 's'} (${suites.join(', ')}): no redis-server found; ` +
    `to run them, ${HOW_TO_ENABLE}; CI=true or LAYERWISE_REQUIRE_REDIS=1 makes a missing redis-server fail`
  );
}

/** globalSetup: a folder where skipped suites record themselves, read after the run for the one line. */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-redis-skips-'));
  project.provide('redisSkips', dir);
  return () => {
    const skipped = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .sort();
    rmSync(dir, { recursive: true, force: true });
    if (skipped.length > 0) console.log(`\n${skipLine(skipped)}\n`);
  };
}
