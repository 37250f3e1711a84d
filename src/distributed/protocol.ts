/**
 * What a distributed search and its workers agree on: the Redis URL they
 * share, the queue's name, the format of a trial job, its result and its
 * progress, and the search record kept beside the queue. Plain data only:
 * the BullMQ code is in ./redis-queue.ts (the search) and ./worker.ts.
 *
 * A job's data names its format and version; a worker refuses jobs of
 * another, and a search refuses a queue marked with another, so two versions
 * of layerwise never mix on one queue silently.
 */

/** The BullMQ queue the trials go through unless told otherwise. */
export const QUEUE_NAME = 'layerwise-trials';

/** The format and version of a trial job; a change a worker of this version cannot read bumps the version. */
export const JOB_FORMAT = 'layerwise-trial';
export const JOB_VERSION = 1;

/** An error about the queue the user can act on (unreachable, malformed, another version, no such search). */
export class QueueError extends Error {
  override name = 'QueueError';
}

/** A parsed `redis://[user:password@]host:port[/db]` URL. */
export interface RedisAddress {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  /** `rediss://`: TLS. */
  readonly tls: boolean;
  /** The URL as it may be printed: the password masked. */
  readonly display: string;
}

/**
 * Parses a Redis URL: `redis://host:port[/db]` (`rediss://` for TLS, an
 * optional `user:password@`); the port defaults to 6379 and the database to 0.
 * Throws a {@link QueueError} naming `option` for anything else.
 *
 * @example
 * ```ts
 * import { parseRedisUrl } from 'layerwise/node';
 * const a = parseRedisUrl('redis://:secret@queue-host:6380/2');
 * a.host === 'queue-host' && a.port === 6380 && a.db === 2 && a.password === 'secret'; // true
 * a.display === 'redis://:***@queue-host:6380/2'; // true
 * ```
 */
export function parseRedisUrl(text: unknown, option = 'queue'): RedisAddress {
  const expected = `${option}: expected a Redis URL redis://host:port[/db] (e.g. redis://127.0.0.1:6379/0)`;
  if (typeof text !== 'string' || text.trim() === '') throw new QueueError(`${expected}, got ${JSON.stringify(text)}`);
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new QueueError(`${expected}, got "${text}"`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new QueueError(`${expected}, got "${text}" (scheme ${url.protocol.replace(/:$/, '')})`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new QueueError(`${expected}, got "${text}" (no host)`);
  const port = url.port === '' ? 6379 : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new QueueError(`${expected}, got "${text}" (port ${url.port})`);
  const path = url.pathname.replace(/^\//, '');
  if (!/^\d{0,5}$/.test(path)) throw new QueueError(`${expected}, got "${text}" (the path must be a database number, got "/${path}")`);
  const db = path === '' ? 0 : Number(path);
  if (url.search !== '' || url.hash !== '') throw new QueueError(`${expected}, got "${text}" (no query or fragment)`);
  const username = url.username === '' ? undefined : decodeURIComponent(url.username);
  const password = url.password === '' ? undefined : decodeURIComponent(url.password);
  const auth = username !== undefined || password !== undefined ? `${username ?? ''}${password !== undefined ? ':***' : ''}@` : '';
  const display = `${url.protocol}//${auth}${url.hostname}:${port}/${db}`;
  return { host, port, db, ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}), tls: url.protocol === 'rediss:', display };
}

/** One trial as a job carries it. */
export interface TrialJobData {
  readonly format: typeof JOB_FORMAT;
  readonly version: typeof JOB_VERSION;
  /** The search's id. */
  readonly search: string;
  /** Which trial, in sampling order from 0. */
  readonly index: number;
  /** The sampled configuration. */
  readonly config: Record<string, unknown>;
  /** What the workers train, as the search gave it (the CLI's: its options and a reference to the data). */
  readonly task: unknown;
}

/** A job's score: JSON has no Infinity, so scores that are not finite travel as strings. */
export type WireScore = number | 'Infinity' | '-Infinity';

export const toWireScore = (score: number): WireScore => (Number.isFinite(score) ? score : score > 0 ? 'Infinity' : '-Infinity');

export function fromWireScore(score: unknown): number {
  if (score === 'Infinity') return Infinity;
  if (score === '-Infinity') return -Infinity;
  return typeof score === 'number' ? score : NaN;
}

/** What a finished trial job returns. */
export interface TrialJobResult {
  readonly score: WireScore;
  /** Seconds the objective took on the worker. */
  readonly seconds: number;
  /** Which worker scored it. */
  readonly worker?: string;
}

/** A running trial's progress: its epoch and cost. */
export interface TrialProgress {
  readonly epoch: number;
  readonly epochs?: number;
  readonly cost?: number;
}

/** The job id of a trial: a search's trial has one id, so adding it twice adds it once. */
export const trialJobId = (search: string, index: number): string => `${search}-${index}`;

/** What is kept in Redis about a search, for `--attach` and for checking that a re-run is the same search. */
export interface SearchRecord {
  readonly format: 'layerwise-search';
  readonly version: typeof JOB_VERSION;
  readonly id: string;
  /** ISO time the search was submitted. */
  readonly created: string;
  readonly seed: number;
  readonly trials: number;
  readonly space: unknown;
  /** The sampled configurations, by index: a re-attached search must sample the same ones. */
  readonly configs: readonly unknown[];
  readonly task: unknown;
}

/** A search id: 12 hex digits, random. */
export function newSearchId(): string {
  return globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 12);
}

/** Whether a string can be a search id (checked before it is used in a Redis key). */
export const isSearchId = (id: string): boolean => /^[A-Za-z0-9_.]{1,64}$/.test(id);

/** The Redis keys layerwise keeps beside a queue (outside BullMQ's own keys). */
export function layerwiseKeys(queueName: string) {
  const base = `layerwise:${queueName}`;
  return {
    /** JSON { format, version } of the jobs this queue holds. */
    format: `${base}:format`,
    /** A sorted set of search ids by submission time. */
    searches: `${base}:searches`,
    search: (id: string) => `${base}:search:${id}`,
  };
}

/** Says what a job's data is when it is not a trial this version reads, or null when it is. */
export function foreignJob(data: unknown): string | null {
  if (data === null || typeof data !== 'object') return `not a layerwise trial (data ${JSON.stringify(data)?.slice(0, 80)})`;
  const { format, version } = data as { format?: unknown; version?: unknown };
  if (format !== JOB_FORMAT) return `not a layerwise trial (format ${JSON.stringify(format) ?? 'missing'})`;
  if (version !== JOB_VERSION) return `a layerwise trial of format version ${JSON.stringify(version)}, and this layerwise reads version ${JOB_VERSION}`;
  return null;
}
