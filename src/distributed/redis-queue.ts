/**
 * The search side of a distributed search: a {@link TrialQueue} on BullMQ.
 * It records the search in Redis, adds one job per trial (the job id is the
 * search id and the trial's index, so adding a trial again, as a re-attached
 * search does, adds nothing), and reports each trial's outcome as BullMQ
 * records it: the return value of a completed job, the reason of a failed
 * one. Retries (attempts with exponential backoff), the recovery of trials
 * whose worker died (BullMQ's stalled-job check) and persistence are BullMQ's
 * and Redis's.
 *
 * Node only (BullMQ and ioredis): exported from `layerwise/node`.
 */
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FailedTrial, PlannedTrial, SearchSpace, Trial, TrialQueue, TrialQueueHooks } from '../diagnose/search.js';
import {
  JOB_FORMAT,
  JOB_VERSION,
  QUEUE_NAME,
  QueueError,
  fromWireScore,
  isSearchId,
  layerwiseKeys,
  newSearchId,
  parseRedisUrl,
  trialJobId,
  type RedisAddress,
  type SearchRecord,
  type TrialJobData,
  type TrialJobResult,
  type TrialProgress,
} from './protocol.js';
import { checkQueueFormat, connectRedis, persistenceWarnings, redisOptions } from './redis.js';

/** Where a distributed search stands, as {@link RedisTrialQueueOptions.onProgress} hears it. */
export interface SearchProgress {
  readonly id: string;
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly running: number;
  /** Trials not started yet (waiting, or waiting to be retried). */
  readonly waiting: number;
  /** The best trial so far, or null. */
  readonly best: { readonly index: number; readonly score: number } | null;
  /** The running trials with their latest progress. */
  readonly active: readonly { readonly index: number; readonly progress: TrialProgress | null }[];
}

/** Options of a {@link RedisTrialQueue}. */
export interface RedisTrialQueueOptions {
  /** `redis://host:port[/db]`. */
  readonly url: string;
  /** What the workers need besides each trial's configuration (JSON): the CLI's is its options and a reference to the data. */
  readonly task?: unknown;
  /** The id of a search already submitted: reconnect to it instead of submitting a new one. */
  readonly attach?: string;
  /** The BullMQ queue (default `layerwise-trials`). */
  readonly queueName?: string;
  /** Times a trial is tried before it is recorded as failed (default 3; errors a worker marks unrecoverable fail at once). */
  readonly attempts?: number;
  /** The first retry's delay in ms, doubled for each next one (default 1000). */
  readonly backoffMs?: number;
  /** How often the search reads the trials' states besides the queue's events, in ms (default 1000). */
  readonly pollMs?: number;
  /** Called once the search is recorded and its trials queued (or found, when attaching). */
  readonly onStart?: (info: { id: string; attached: boolean; total: number; warnings: string[] }) => void;
  /** Called when the counts or a running trial's progress change. */
  readonly onProgress?: (progress: SearchProgress) => void;
  /** Called when the search cannot read the trials' states (Redis restarting, the network); it goes on trying. */
  readonly onWarning?: (message: string) => void;
}

/** Reads a search's record; a {@link QueueError} naming the searches there when it does not exist. */
export async function readSearchRecord(client: Redis, queueName: string, id: string, display: string): Promise<SearchRecord> {
  const keys = layerwiseKeys(queueName);
  const raw = isSearchId(id) ? await client.get(keys.search(id)) : null;
  if (raw === null) {
    const recent = await client.zrevrange(keys.searches, 0, 4);
    const known = recent.length > 0 ? `the latest there: ${recent.join(', ')}` : 'there is none there';
    throw new QueueError(`no search "${id}" on ${display} (queue ${queueName}; ${known})`);
  }
  let record: SearchRecord;
  try {
    record = JSON.parse(raw) as SearchRecord;
  } catch {
    throw new QueueError(`search "${id}" on ${display}: its record is not JSON`);
  }
  if (record.format !== 'layerwise-search' || record.version !== JOB_VERSION) {
    throw new QueueError(`search "${id}" on ${display} was written as ${JSON.stringify(record.format)} version ${JSON.stringify(record.version)}, and this layerwise reads layerwise-search version ${JOB_VERSION}: refused`);
  }
  return record;
}

/**
 * Reads a search's record from Redis: its seed, trials, space and task, so
 * a command can attach to it with the same sampling.
 *
 * @example
 * ```ts
 * import { readSearch } from 'layerwise/node';
 * // const record = await readSearch('redis://queue-host:6379/0', '3f2a9c1b7d4e'); // record.seed, record.trials, record.space, record.task
 * const refused = await readSearch('redis://queue-host:6379/zero', '3f2a9c1b7d4e').catch((e: Error) => e.message);
 * refused.endsWith('(the path must be a database number, got "/zero")'); // true
 * ```
 */
export async function readSearch(url: string, id: string, queueName = QUEUE_NAME): Promise<SearchRecord> {
  const address = parseRedisUrl(url);
  const client = await connectRedis(address);
  try {
    await checkQueueFormat(client, queueName, address.display, false);
    return await readSearchRecord(client, queueName, id, address.display);
  } finally {
    client.disconnect();
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * A {@link TrialQueue} on BullMQ and Redis: `randomSearch({ ..., queue })`
 * queues the trials for `layerwise worker` processes (or any worker started
 * with `startTrialWorker`) and resolves with their results. The search goes
 * on without this process: another can attach to it by id.
 *
 * @example
 * ```ts
 * import { randomSearch } from 'layerwise';
 * import { RedisTrialQueue } from 'layerwise/node';
 * const queue = new RedisTrialQueue({ url: 'redis://127.0.0.1:6379/2', task: { dataset: 'moons' }, onStart: ({ id }) => console.log('search', id) });
 * queue.address.display === 'redis://127.0.0.1:6379/2'; // true
 * queue.queueName === 'layerwise-trials'; // true
 * // With workers running (layerwise worker, or startTrialWorker):
 * // const result = await randomSearch({ space: { lr: { logUniform: [1e-4, 1e-1] } }, trials: 20, seed: 1, queue });
 * // result.trials, result.best and result.failed, as randomSearch's SearchResult
 * typeof randomSearch === 'function'; // true
 * ```
 */
export class RedisTrialQueue implements TrialQueue {
  readonly address: RedisAddress;
  readonly queueName: string;
  /** The search's id, once `run` has recorded or found it. */
  id: string | null = null;

  constructor(readonly options: RedisTrialQueueOptions) {
    this.address = parseRedisUrl(options.url);
    this.queueName = options.queueName ?? QUEUE_NAME;
    if (options.attach !== undefined && !isSearchId(options.attach)) throw new QueueError(`attach: expected a search id (letters and digits), got ${JSON.stringify(options.attach)}`);
    const attempts = options.attempts ?? 3;
    if (!Number.isInteger(attempts) || attempts < 1) throw new QueueError(`attempts: expected a positive integer, got ${String(attempts)}`);
  }

  async run<C>(search: { readonly space: SearchSpace; readonly seed: number; readonly trials: readonly PlannedTrial<C>[] }, hooks: TrialQueueHooks<C>): Promise<{ aborted: boolean }> {
    const o = this.options;
    const client = await connectRedis(this.address);
    let queue: Queue | null = null;
    let events: QueueEvents | null = null;
    try {
      await checkQueueFormat(client, this.queueName, this.address.display, true);
      const warnings = await persistenceWarnings(client);
      const keys = layerwiseKeys(this.queueName);
      const configs = search.trials.map((t) => t.config);
      let id: string;
      let task: unknown = o.task;
      if (o.attach !== undefined) {
        const record = await readSearchRecord(client, this.queueName, o.attach, this.address.display);
        if (record.seed !== search.seed || record.trials !== search.trials.length || !same(record.configs, configs)) {
          throw new QueueError(`search "${o.attach}" was submitted with ${record.trials} trials of seed ${record.seed} over ${JSON.stringify(record.space)}; these trials differ: attach with the same space, trials and seed`);
        }
        id = o.attach;
        task = record.task;
      } else {
        id = newSearchId();
        const record: SearchRecord = { format: 'layerwise-search', version: JOB_VERSION, id, created: new Date().toISOString(), seed: search.seed, trials: search.trials.length, space: search.space, configs, task: task ?? null };
        await client.set(keys.search(id), JSON.stringify(record), 'NX');
        await client.zadd(keys.searches, Date.now(), id);
      }
      this.id = id;

      const connection = redisOptions(this.address);
      queue = new Queue(this.queueName, { connection });
      queue.on('error', () => undefined);
      events = new QueueEvents(this.queueName, { connection });
      events.on('error', () => undefined);
      await events.waitUntilReady();
      // Every trial is added, also when attaching (a search command killed while queueing): an existing job id adds nothing.
      const jobOptions = { attempts: o.attempts ?? 3, backoff: { type: 'exponential' as const, delay: o.backoffMs ?? 1000 }, removeOnComplete: false, removeOnFail: false };
      const job = (t: PlannedTrial<C>) => {
        const data: TrialJobData = { format: JOB_FORMAT, version: JOB_VERSION, search: id, index: t.index, config: t.config as Record<string, unknown>, task: task ?? null };
        return { name: `trial ${t.index + 1}`, data, opts: { ...jobOptions, jobId: trialJobId(id, t.index) } };
      };
      for (let start = 0; start < search.trials.length; start += 500) await queue.addBulk(search.trials.slice(start, start + 500).map(job));
      o.onStart?.({ id, attached: o.attach !== undefined, total: search.trials.length, warnings });
      const q = queue;
      return await this.watch(queue, events, id, search.trials, hooks, async (t) => {
        const j = job(t);
        await q.add(j.name, j.data, j.opts);
      });
    } finally {
      await Promise.allSettled([events?.close(), queue?.close()]);
      client.disconnect();
    }
  }

  /** Waits for every trial's outcome: woken by the queue's events, and reading the states every pollMs in case an event was missed. */
  private async watch<C>(queue: Queue, events: QueueEvents, id: string, trials: readonly PlannedTrial<C>[], hooks: TrialQueueHooks<C>, requeue: (t: PlannedTrial<C>) => Promise<void>): Promise<{ aborted: boolean }> {
    const pending = new Set(trials.map((t) => t.index));
    const byJob = new Map(trials.map((t) => [trialJobId(id, t.index), t.index]));
    let done = 0;
    let failed = 0;
    let best: { index: number; score: number } | null = null;
    let wake: (() => void) | null = null;
    // An event that arrives while the states are being read makes the next read start at once.
    let dirty = false;
    const poke = (jobId: string) => {
      if (!byJob.has(jobId)) return;
      dirty = true;
      wake?.();
    };
    const onEvent = ({ jobId }: { jobId: string }) => poke(jobId);
    events.on('completed', onEvent);
    events.on('failed', onEvent);
    events.on('active', onEvent);
    events.on('progress', onEvent);
    events.on('waiting', onEvent);
    let lastReport = '';
    let lastWarning = '';
    const signal = hooks.signal;
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      while (pending.size > 0) {
        if (signal?.aborted) return { aborted: true };
        const active: { index: number; progress: TrialProgress | null }[] = [];
        let waiting = 0;
        const indices = [...pending];
        let failedRead = false;
        // Outcomes are read first and reported after: an error in a hook is the caller's, not a lost connection.
        const scored: Trial<C>[] = [];
        const lost: FailedTrial<C>[] = [];
        try {
          for (let start = 0; start < indices.length; start += 200) {
            const chunk = indices.slice(start, start + 200);
            const states = await Promise.all(chunk.map((i) => queue.getJobState(trialJobId(id, i))));
            for (let k = 0; k < chunk.length; k++) {
              const index = chunk[k]!;
              const state = states[k];
              if (state === 'completed' || state === 'failed' || state === 'active') {
                const job = await Job.fromId<TrialJobData, TrialJobResult>(queue, trialJobId(id, index));
                if (!job) continue;
                if (state === 'completed') {
                  const r = job.returnvalue;
                  scored.push({ index, config: trials[index]!.config, score: fromWireScore(r?.score), seconds: typeof r?.seconds === 'number' ? r.seconds : 0 });
                } else if (state === 'failed') {
                  lost.push({ index, config: trials[index]!.config, reason: job.failedReason || 'failed (no reason recorded)' });
                } else {
                  const p = job.progress;
                  active.push({ index, progress: p !== null && typeof p === 'object' && typeof (p as TrialProgress).epoch === 'number' ? (p as TrialProgress) : null });
                }
              } else if (state === 'unknown') {
                // The job is gone (removed by hand): queue it again under the same id.
                await requeue(trials[index]!);
                waiting++;
              } else {
                waiting++;
              }
            }
          }
        } catch (e) {
          // Redis went away (a restart, the network): say so once, and read again after the poll interval.
          failedRead = true;
          const message = e instanceof Error ? e.message : String(e);
          if (message !== lastWarning) this.options.onWarning?.(`cannot read the trials' states from ${this.address.display} (${message}); retrying`);
          lastWarning = message;
        }
        if (!failedRead) lastWarning = '';
        for (const trial of scored) {
          pending.delete(trial.index);
          done++;
          if (best === null || trial.score < best.score) best = { index: trial.index, score: trial.score };
          hooks.onTrial(trial);
        }
        for (const failure of lost) {
          pending.delete(failure.index);
          failed++;
          hooks.onFailed(failure);
        }
        const progress: SearchProgress = { id, total: trials.length, done, failed, running: active.length, waiting, best, active };
        const report = JSON.stringify(progress);
        if (!failedRead && report !== lastReport) {
          lastReport = report;
          this.options.onProgress?.(progress);
        }
        if (pending.size === 0) break;
        if (dirty) {
          dirty = false;
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            wake = null;
            resolve();
          }, this.options.pollMs ?? 1000);
          wake = () => {
            clearTimeout(timer);
            wake = null;
            dirty = false;
            resolve();
          };
        });
      }
      return { aborted: false };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      events.off('completed', onEvent);
      events.off('failed', onEvent);
      events.off('active', onEvent);
      events.off('progress', onEvent);
      events.off('waiting', onEvent);
    }
  }
}
