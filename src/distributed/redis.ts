/**
 * Reaching Redis: a quick first connection that fails within seconds with
 * the reason (instead of ioredis's endless reconnecting), the options BullMQ
 * connects with afterwards, the queue's format marker, and the warnings for
 * a Redis that could lose a queue (no append-only file, an eviction policy).
 */
import { Redis } from 'ioredis';
import { JOB_FORMAT, JOB_VERSION, QueueError, foreignJob, layerwiseKeys, type RedisAddress } from './protocol.js';

/** How long the first connection may take before the URL is called unreachable. */
export const CONNECT_TIMEOUT_MS = 3000;

/** ioredis options for an address (BullMQ takes the same). */
export function redisOptions(a: RedisAddress): { host: string; port: number; db: number; username?: string; password?: string; tls?: object } {
  return {
    host: a.host,
    port: a.port,
    db: a.db,
    ...(a.username !== undefined ? { username: a.username } : {}),
    ...(a.password !== undefined ? { password: a.password } : {}),
    ...(a.tls ? { tls: {} } : {}),
  };
}

/**
 * Connects once, without retrying: resolves with a ready client, or rejects
 * within about `timeoutMs` with a {@link QueueError} saying why.
 */
export async function connectRedis(a: RedisAddress, timeoutMs = CONNECT_TIMEOUT_MS): Promise<Redis> {
  const client = new Redis({ ...redisOptions(a), lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, commandTimeout: timeoutMs });
  let last: Error | null = null;
  client.on('error', (e: Error) => {
    last = e;
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs + 500);
    });
    await Promise.race([client.connect().then(() => client.ping()), timeout]);
    return client;
  } catch (e) {
    client.disconnect();
    const why = (last as Error | null)?.message ?? (e instanceof Error ? e.message : String(e));
    throw new QueueError(`cannot reach Redis at ${a.display}: ${why} (is redis-server running there and reachable from here?)`);
  } finally {
    clearTimeout(timer);
  }
}

/** A stored value as JSON, or as the text it is when it is not JSON (another program's job). */
function jsonOrText(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/**
 * Checks that the queue holds trials this version reads: its marker (set by
 * the first search) and, when there is none, the jobs waiting in it. Marks an
 * unmarked queue when `mark` is set. Throws a {@link QueueError} naming the
 * version found otherwise.
 */
export async function checkQueueFormat(client: Redis, queueName: string, display: string, mark: boolean): Promise<void> {
  const keys = layerwiseKeys(queueName);
  const raw = await client.get(keys.format);
  if (raw !== null) {
    const why = foreignJob(jsonOrText(raw));
    if (why !== null) throw new QueueError(`queue "${queueName}" on ${display} holds ${why.replace(/^not a layerwise trial/, 'jobs that are not layerwise trials')}: refused (use another queue or Redis database, or the layerwise version that wrote them)`);
    return;
  }
  // No marker: a queue that another program (or an older layerwise) filled. Look at a few of its waiting jobs.
  const prefix = `bull:${queueName}`;
  const ids = [...(await client.lrange(`${prefix}:wait`, 0, 4)), ...(await client.zrange(`${prefix}:delayed`, 0, 4)), ...(await client.zrange(`${prefix}:prioritized`, 0, 4))];
  for (const id of ids) {
    const data = await client.hget(`${prefix}:${id}`, 'data');
    if (data === null) continue;
    const why = foreignJob(jsonOrText(data));
    if (why !== null) throw new QueueError(`queue "${queueName}" on ${display} holds job ${id}, ${why}: refused (use another queue or Redis database)`);
  }
  if (mark) await client.set(keys.format, JSON.stringify({ format: JOB_FORMAT, version: JOB_VERSION }), 'NX');
}

/**
 * What could make this Redis lose the queue, in words (BullMQ's production
 * advice: an append-only file, and `maxmemory-policy noeviction`); empty when
 * nothing, or when the server does not let CONFIG be read.
 */
export async function persistenceWarnings(client: Redis): Promise<string[]> {
  const warnings: string[] = [];
  try {
    const [, policy] = (await client.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy !== undefined && policy !== 'noeviction') {
      warnings.push(`Redis evicts keys under memory pressure (maxmemory-policy ${policy}): trials could vanish; set maxmemory-policy noeviction`);
    }
    const [, aof] = (await client.config('GET', 'appendonly')) as [string, string];
    if (aof === 'no') warnings.push('Redis keeps no append-only file: a restart of Redis loses what happened since its last snapshot; run redis-server with --appendonly yes');
  } catch {
    // CONFIG is often disabled on managed Redis: nothing to say then.
  }
  return warnings;
}
