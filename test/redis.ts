/**
 * The Redis suites (the distributed search's) start their own `redis-server`
 * (Debian's package) on a free loopback port in a temporary folder, never the
 * system's service. On a machine without it they are skipped, and
 * test/setup-redis.ts prints one line for the whole run naming them; where
 * Redis is required (`CI` set, or `LAYERWISE_REQUIRE_REDIS=1`) a missing
 * one fails instead, so CI cannot pass without running them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { findRedisServer, HOW_TO_ENABLE, redisRequired, skipLine } from './setup-redis.js';

export { findRedisServer, redisRequired, skipLine };

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

/** A free TCP port on 127.0.0.1 (nothing listens there once this resolves). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A redis-server of the test's own. */
export interface TestRedis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>/<db>`. */
  url(db?: number): string;
  /** A client (closed by stop()). */
  client(db?: number): Redis;
  /** Stops the server (SIGTERM: it writes its append-only file) and starts it again on the same port and folder. */
  restart(): Promise<void>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

async function waitForPing(port: number, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`redis-server exited with ${server.exitCode}: ${log()}`);
    const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    c.on('error', () => undefined);
    try {
      await c.connect();
      if ((await c.ping()) === 'PONG') {
        // Loading the append-only file answers LOADING; wait until keys can be read.
        await c.get('layerwise:test:ready');
        return;
      }
    } catch {
      // not yet
    } finally {
      c.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer on port ${port} within 10 s: ${log()}`);
}

/**
 * Starts redis-server on a free loopback port in a temporary folder, with
 * the persistence BullMQ recommends for queues: an append-only file
 * (fsync every second) and `maxmemory-policy noeviction`.
 */
export async function startRedis(): Promise<TestRedis> {
  const bin = findRedisServer();
  if (bin === null) throw new Error(`no redis-server: ${HOW_TO_ENABLE}`);
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction', '--databases', '16', '--protected-mode', 'yes'];
  let output = '';
  let server!: ChildProcess;
  const launch = async () => {
    server = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    server.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    await waitForPing(port, server, () => output);
  };
  const halt = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  };
  await launch();
  const clients: Redis[] = [];
  return {
    port,
    url: (db = 0) => `redis://127.0.0.1:${port}/${db}`,
    client: (db = 0) => {
      const c = new Redis({ host: '127.0.0.1', port, db, maxRetriesPerRequest: 3 });
      c.on('error', () => undefined);
      clients.push(c);
      return c;
    },
    restart: async () => {
      await halt();
      await launch();
    },
    stop: async () => {
      for (const c of clients) c.disconnect();
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
