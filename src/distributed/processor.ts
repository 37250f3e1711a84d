/**
 * The body of a trial job, run by BullMQ in a sandbox (a worker thread of
 * the worker process): a module whose default export is
 * `trialProcessor(score)`. Training blocks its thread for as long as a trial
 * takes, and the sandbox keeps that off the worker's main thread, which goes
 * on renewing the job's lock with Redis; a lock that is not renewed (the
 * worker was killed) lets BullMQ's stalled-job check hand the trial to
 * another worker.
 *
 * Errors: a {@link TrialRefused} (this worker cannot run the trial: its data
 * file differs, or is missing) is retried, with BullMQ's backoff, by
 * whichever worker takes it next; any other error is the trial's own
 * (it diverged, its configuration is unusable) and fails it at once, with
 * its message as the reason: running it again would fail again.
 */
import { UnrecoverableError, type SandboxedJob } from 'bullmq';
import { JOB_FORMAT, JOB_VERSION, foreignJob, toWireScore, type TrialJobData, type TrialJobResult, type TrialProgress } from './protocol.js';

/** This worker cannot run this trial, but another may: the trial goes back to the queue (within its attempts). */
export class TrialRefused extends Error {
  override name = 'TrialRefused';
}

/** What a trial's scoring function receives. */
export interface TrialContext<C> {
  /** The search's id. */
  readonly search: string;
  readonly index: number;
  readonly config: C;
  /** The task the search was submitted with (JSON). */
  readonly task: unknown;
  /** Which attempt this is, from 1. */
  readonly attempt: number;
  /** Reports progress (e.g. after each epoch; passed on at most twice a second); seen by the search as the trial runs. */
  progress(p: TrialProgress): void;
}

/**
 * Wraps a scoring function as a BullMQ sandboxed processor for trial jobs:
 * checks the job's format and version, times the call and returns the score
 * in the job's result.
 *
 * @example
 * ```ts
 * // trial.ts, given to startTrialWorker({ processor: '/path/to/trial.js', ... }) as: export default trialProcessor(...)
 * import { trialProcessor, JOB_FORMAT, JOB_VERSION } from 'layerwise/node';
 * const processor = trialProcessor<{ lr: number }>(({ config }) => (config.lr - 0.01) ** 2); // train, return the dev error
 * // What BullMQ hands it in a worker thread:
 * const job = { id: 'a1b2-0', attemptsMade: 0, data: { format: JOB_FORMAT, version: JOB_VERSION, search: 'a1b2', index: 0, config: { lr: 0.03 }, task: null }, updateProgress: async () => undefined };
 * const result = await processor(job as never);
 * result.score === (0.03 - 0.01) ** 2; // true
 * ```
 */
export function trialProcessor<C = Record<string, unknown>>(score: (trial: TrialContext<C>) => number | Promise<number>): (job: SandboxedJob<TrialJobData, TrialJobResult>) => Promise<TrialJobResult> {
  return async (job) => {
    const why = foreignJob(job.data);
    if (why !== null) throw new UnrecoverableError(`job ${job.id} is ${why}: this worker runs ${JOB_FORMAT} version ${JOB_VERSION}; refused`);
    const data = job.data;
    const started = performance.now();
    // Progress goes to Redis at most twice a second, however fast the epochs.
    let lastProgress = -Infinity;
    let value: number;
    try {
      value = await score({
        search: data.search,
        index: data.index,
        config: data.config as C,
        task: data.task,
        attempt: (job.attemptsMade ?? 0) + 1,
        progress: (p) => {
          const now = performance.now();
          if (now - lastProgress < 500) return;
          lastProgress = now;
          void job.updateProgress(p as unknown as object);
        },
      });
    } catch (e) {
      if (e instanceof TrialRefused) throw e;
      const error = new UnrecoverableError(e instanceof Error ? e.message : String(e));
      throw error;
    }
    if (typeof value !== 'number' || Number.isNaN(value)) throw new UnrecoverableError(`the objective returned ${String(value)}, expected a number (lower is better)`);
    const worker = process.env.LAYERWISE_WORKER_NAME;
    return { score: toWireScore(value), seconds: (performance.now() - started) / 1000, ...(worker ? { worker } : {}) };
  };
}
