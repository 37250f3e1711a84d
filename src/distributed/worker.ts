/**
 * The worker side of a distributed search: a BullMQ Worker that takes trial
 * jobs from the queue and runs each in a sandboxed worker thread (the
 * processor file: see ./processor.ts), `concurrency` at a time.
 *
 * What BullMQ does here: the job's lock is renewed while the trial trains
 * (every lockDuration / 2); a worker that dies stops renewing it, and the
 * stalled-job check of any live worker (every lockDuration) moves the trial
 * back to the queue, up to twice per trial; failed attempts are retried with
 * the job's backoff. What this adds: a first connection that fails within
 * seconds, the queue's format check, and a stop in two steps (finish the
 * running trials; on a second request, hand them back to the queue at once).
 *
 * Node only (BullMQ and ioredis): exported from `layerwise/node`.
 */
import { Worker, type Job } from 'bullmq';
import { QUEUE_NAME, QueueError, parseRedisUrl, type RedisAddress, type TrialJobData, type TrialJobResult } from './protocol.js';
import { checkQueueFormat, connectRedis, persistenceWarnings, redisOptions } from './redis.js';

/** Options of {@link startTrialWorker}. */
export interface TrialWorkerOptions {
  /** `redis://host:port[/db]`. */
  readonly url: string;
  /** The processor module's file: its default export is `trialProcessor(score)` (a .js file; a .ts one when run under tsx). */
  readonly processor: string;
  /** Trials run at once, each in its own thread (default 1). */
  readonly concurrency?: number;
  /** This worker's name, recorded with each job it takes (default: BullMQ's). */
  readonly name?: string;
  /** The BullMQ queue (default `layerwise-trials`). */
  readonly queueName?: string;
  /**
   * How long a trial's lock lasts without renewal, in ms (default 30000):
   * the time a killed worker's trial waits before another worker takes it.
   * The stalled-job check runs as often.
   */
  readonly lockDurationMs?: number;
  /** Node options of the processor threads (default: {@link threadExecArgv}'s). */
  readonly execArgv?: readonly string[];
  /** Environment variables for the processor threads, on top of this process's. */
  readonly env?: Readonly<Record<string, string>>;
  /** Where the worker says what it does (one line each); default none. */
  readonly log?: (line: string) => void;
}

/** A started worker. */
export interface TrialWorker {
  readonly address: RedisAddress;
  /** What could make this Redis lose trials (no append-only file, an eviction policy), in words. */
  readonly warnings: readonly string[];
  /** The running trials: search id and index. */
  running(): { search: string; index: number }[];
  /** Takes no more trials and resolves once the running ones have finished and the worker is closed. */
  stop(): Promise<void>;
  /** Hands the running trials back to the queue at once (another worker starts them over) and starts closing the worker; resolves with the count handed back. */
  returnTrials(): Promise<number>;
}

/**
 * The Node options of the processor threads: this process's, and for a .ts
 * processor (development under tsx) an --import that registers tsx's loader,
 * which tsx itself registers on the main thread only.
 */
export function threadExecArgv(processor: string, tsxApi?: string): string[] {
  const args = [...process.execArgv];
  if (!/\.[mc]?ts$/.test(processor)) return args;
  const api = tsxApi ?? (typeof import.meta.resolve === 'function' ? import.meta.resolve('tsx/esm/api') : null);
  if (api !== null) args.push('--import', `data:text/javascript,import{register}from${JSON.stringify(api)};register()`);
  return args;
}

/**
 * Starts a worker on the queue at `url`. Rejects within seconds with a
 * clear error when Redis cannot be reached, or when the queue holds trials
 * of another format version.
 *
 * @example
 * ```ts
 * import { startTrialWorker } from 'layerwise/node';
 * // const worker = await startTrialWorker({ url: 'redis://queue-host:6379', processor: '/srv/trial.js', concurrency: 2, log: console.error });
 * // process.once('SIGTERM', () => void worker.stop()); // finishes the running trials; worker.returnTrials() hands them back
 * const refused = await startTrialWorker({ url: 'http://queue-host', processor: '/srv/trial.js' }).catch((e: Error) => e.message);
 * refused.startsWith('queue: expected a Redis URL redis://host:port[/db]'); // true
 * ```
 */
export async function startTrialWorker(o: TrialWorkerOptions): Promise<TrialWorker> {
  const address = parseRedisUrl(o.url);
  const concurrency = o.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new QueueError(`concurrency: expected a positive integer, got ${String(concurrency)}`);
  const lockDuration = o.lockDurationMs ?? 30_000;
  if (!Number.isInteger(lockDuration) || lockDuration < 1000) throw new QueueError(`lock duration: expected at least 1000 ms, got ${String(lockDuration)}`);
  const queueName = o.queueName ?? QUEUE_NAME;
  const log = o.log ?? (() => undefined);

  const client = await connectRedis(address);
  let warnings: string[];
  try {
    await checkQueueFormat(client, queueName, address.display, false);
    warnings = await persistenceWarnings(client);
  } finally {
    client.disconnect();
  }

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, o.env ?? {}, o.name !== undefined ? { LAYERWISE_WORKER_NAME: o.name } : {});
  const worker = new Worker<TrialJobData, TrialJobResult>(queueName, o.processor, {
    connection: { ...redisOptions(address), maxRetriesPerRequest: null },
    concurrency,
    useWorkerThreads: true,
    workerThreadsOptions: { env, execArgv: [...(o.execArgv ?? threadExecArgv(o.processor))] },
    lockDuration,
    stalledInterval: lockDuration,
    maxStalledCount: 2,
    ...(o.name !== undefined ? { name: o.name } : {}),
    autorun: false,
  });

  const active = new Map<string, Job<TrialJobData, TrialJobResult>>();
  const label = (job: Job<TrialJobData>) => `trial ${job.data?.index !== undefined ? job.data.index + 1 : '?'} of search ${job.data?.search ?? '?'}`;
  worker.on('active', (job) => {
    active.set(String(job.id), job);
    const attempt = job.attemptsMade + 1 > 1 ? ` (attempt ${job.attemptsMade + 1})` : '';
    log(`${label(job)}: started${attempt}: ${JSON.stringify(job.data?.config ?? null)}`);
  });
  worker.on('completed', (job, r) => {
    active.delete(String(job.id));
    log(`${label(job)}: done, score ${String(r.score)} in ${r.seconds.toFixed(2)} s`);
  });
  worker.on('failed', (job, e) => {
    if (!job) return;
    active.delete(String(job.id));
    const attempts = job.opts.attempts ?? 1;
    const final = e.name === 'UnrecoverableError' || job.attemptsMade >= attempts;
    log(`${label(job)}: ${final ? 'failed' : `refused (attempt ${job.attemptsMade} of ${attempts}; back to the queue)`}: ${e.message}`);
  });
  worker.on('stalled', (jobId) => log(`job ${jobId}: its worker stopped renewing its lock (killed?): back to the queue`));
  let lastError = '';
  worker.on('error', (e) => {
    // ioredis repeats a lost connection's error on every retry: say each once.
    if (e.message !== lastError) log(`queue error: ${e.message}`);
    lastError = e.message;
  });
  void worker.run().catch((e: unknown) => log(`worker stopped: ${e instanceof Error ? e.message : String(e)}`));
  await worker.waitUntilReady();

  let stopping: Promise<void> | null = null;
  return {
    address,
    warnings,
    running: () => [...active.values()].map((j) => ({ search: j.data.search, index: j.data.index })),
    stop: () => (stopping ??= worker.close()),
    returnTrials: async () => {
      const jobs = [...active.values()];
      let returned = 0;
      for (const job of jobs) {
        try {
          await job.moveToWait(job.token);
          returned++;
        } catch (e) {
          log(`${label(job)}: could not hand it back (${e instanceof Error ? e.message : String(e)}); the stalled-job check will`);
        }
      }
      active.clear();
      // The threads still train the returned trials; their results would be refused (the locks are gone). Close without waiting for them.
      void worker.close(true).catch(() => undefined);
      return returned;
    },
  };
}
