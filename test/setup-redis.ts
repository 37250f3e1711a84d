/**
 * Where the Redis suites (the distributed search's) find `redis-server`, how
 * they start one of their own, and the vitest globalSetup that prints one
 * line for a whole run whose Redis suites were skipped (see test/redis.ts,
 * which the suites use). Like test/setup-browser.ts, this file imports
 * nothing from vitest at run time (test/distributed/measure.ts uses it too).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { collectSkips, isExecutableFile, partRequired } from './part-setup.js';

/** `$LAYERWISE_REDIS_SERVER`, else `redis-server` on the PATH (Debian's package puts it in /usr/bin), else null. */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = env.LAYERWISE_REDIS_SERVER ? [env.LAYERWISE_REDIS_SERVER] : [...(env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'redis-server')), '/usr/bin/redis-server'];
  return candidates.find(isExecutableFile) ?? null;
}

/** Whether a missing redis-server fails the run: `CI` set (to anything but "", "0" or "false") or `LAYERWISE_REQUIRE_REDIS=1`. */
export function redisRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return partRequired(env, 'LAYERWISE_REQUIRE_REDIS');
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
  return collectSkips(project, 'redisSkips', skipLine);
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
