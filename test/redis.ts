/**
 * The Redis suites (the distributed search's) start their own `redis-server`
 * (Debian's package) on a free loopback port in a temporary folder, never the
 * system's service. On a machine without it they are skipped, and
 * test/setup-redis.ts prints one line for the whole run naming them; where
 * Redis is required (`CI` set, or `LAYERWISE_REQUIRE_REDIS=1`) a missing
 * one fails instead, so CI cannot pass without running them.
 */
import { describeWithPart, type ExternalPart } from './external-part.js';
import { findRedisServer, HOW_TO_ENABLE, redisRequired, skipLine } from './setup-redis.js';

export { findRedisServer, freePort, redisRequired, skipLine, startRedis, type TestRedis } from './setup-redis.js';

const REDIS_PART: ExternalPart = {
  skips: 'redisSkips',
  requireVariable: 'LAYERWISE_REQUIRE_REDIS',
  testName: 'finds redis-server',
  missing: () => 'no redis-server found',
  suites: 'the Redis suites',
  present: () => findRedisServer() !== null,
  required: redisRequired,
  skipLine,
  howToEnable: HOW_TO_ENABLE,
};

/** `describe` for a suite that needs redis-server (see the module's comment). */
export function describeRedis(name: string, body: () => void): void {
  describeWithPart(REDIS_PART, name, body);
}
