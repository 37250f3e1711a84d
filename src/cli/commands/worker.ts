/**
 * `layerwise worker --queue redis://host:port[/db]`: takes the trials of
 * distributed searches (`layerwise search --queue`) from the queue and
 * trains them, `--concurrency` at a time, each in its own thread. Stops on
 * SIGINT or SIGTERM after the running trials (a second signal hands them
 * back to the queue at once).
 *
 * This module is also the trials' processor: BullMQ loads its default export
 * in each worker thread, where it loads the data (checking a file's SHA-256
 * against the search's), trains the trial and returns its dev score.
 */
import { statSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { getBackend } from '../../backend/registry.js';
import { initWasmBackend } from '../../backend/wasm/index.js';
import { TrialRefused, trialProcessor } from '../../distributed/processor.js';
import { parseRedisUrl, QueueError } from '../../distributed/protocol.js';
import { startTrialWorker } from '../../distributed/worker.js';
import { DivergenceError } from '../../tensor/errors.js';
import { CliError } from '../errors.js';
import { dataSha256, readCliTask, scoreTrial, taskOptions, type CliTask } from './search.js';
import { prepareData, type Io, type PreparedData } from './train.js';

/** The worker command's options after parsing. */
export interface WorkerOptions {
  queue: string;
  concurrency?: number;
  name?: string;
  lockDuration?: number;
}

/** One trial per two cores: a trial trains on two wasm threads when it runs alone. */
export function defaultConcurrency(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

/** Runs `layerwise worker` until it is stopped; returns the exit code. */
export async function workerCommand(o: WorkerOptions, io: Io): Promise<number> {
  try {
    parseRedisUrl(o.queue, '--queue');
  } catch (e) {
    if (e instanceof QueueError) throw new CliError(e.message, 2);
    throw e;
  }
  const concurrency = o.concurrency ?? defaultConcurrency();
  const name = o.name ?? `${hostname()}:${process.pid}`;
  const threads = concurrency === 1 ? 2 : 1;
  const processor = fileURLToPath(import.meta.url);
  let worker;
  try {
    worker = await startTrialWorker({
      url: o.queue,
      processor,
      concurrency,
      name,
      ...(o.lockDuration !== undefined ? { lockDurationMs: o.lockDuration } : {}),
      env: { LAYERWISE_TRIAL_THREADS: String(threads) },
      log: (line) => io.err(`worker ${name}: ${line}`),
    });
  } catch (e) {
    if (e instanceof QueueError) throw new CliError(e.message.replace(/^queue: /, '--queue: ').replace(/^concurrency: /, '--concurrency: '));
    throw e;
  }
  for (const w of worker.warnings) io.err(`warning: ${w}`);
  io.err(`worker ${name}: waiting for trials on ${worker.address.display} (${concurrency} at a time, ${threads} wasm thread(s) each); Ctrl-C to stop after the running trials`);
  const w = worker;
  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      const code = signal === 'SIGINT' ? 130 : 143;
      if (signals === 1) {
        const running = w.running();
        io.err(`worker ${name}: ${signal}: ${running.length > 0 ? `finishing ${running.length} running trial(s) first (${signal} again hands them back to the queue now)` : 'stopping'}`);
        void w.stop().then(() => {
          if (signals > 1) return;
          off();
          io.err(`worker ${name}: stopped`);
          resolve(0);
        });
        return;
      }
      if (signals > 2) process.exit(code);
      void w.returnTrials().then(
        (n) => {
          io.err(`worker ${name}: handed ${n} trial(s) back to the queue; stopped`);
          off();
          process.exit(code);
        },
        () => process.exit(code),
      );
    };
    const off = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

// ---- The processor: runs in each of the worker's threads. ----

let backendReady: Promise<unknown> | null = null;

/** Loads the backend the CLI trains on, with the threads the worker gave each trial. */
function loadBackend(): Promise<unknown> {
  if (process.env.LAYERWISE_BACKEND === 'js') return Promise.resolve();
  const threads = process.env.LAYERWISE_TRIAL_THREADS === '1' ? 1 : 2;
  return (backendReady ??= initWasmBackend({ threads }).catch(() => getBackend()));
}

/** The data of the latest task, kept while the next trials use the same. */
let cached: { key: string; data: Promise<PreparedData> } | null = null;
/** File hashes by path, size and modification time. */
const hashes = new Map<string, string>();

const silent: Io = { out: () => undefined, err: () => undefined, isTTY: false };

/** Checks that this worker's copy of a file is the search's; a TrialRefused (another worker may have it) when not. */
function checkData(task: CliTask): void {
  if (!('path' in task.data)) return;
  const { path, sha256 } = task.data;
  const where = process.env.LAYERWISE_WORKER_NAME ?? hostname();
  let key: string;
  try {
    const st = statSync(path);
    key = `${path}\0${st.size}\0${st.mtimeMs}`;
  } catch {
    throw new TrialRefused(`--data ${path}: no such file or folder on worker ${where} (working folder ${process.cwd()}): every worker needs the search's data at that path`);
  }
  let mine = hashes.get(key);
  if (mine === undefined) {
    mine = dataSha256(path);
    hashes.set(key, mine);
  }
  if (mine !== sha256) {
    throw new TrialRefused(`--data ${path}: worker ${where} has a different file (SHA-256 ${mine.slice(0, 16)}…, the search's is ${sha256.slice(0, 16)}…); refused, so that no trial trains on other data: give every worker the same file`);
  }
}

/** The trials' processor (BullMQ's sandbox loads this module's default export). */
export default trialProcessor<Record<string, unknown>>(async (trial) => {
  await loadBackend();
  const task = readCliTask(trial.task);
  checkData(task);
  const o = taskOptions(task);
  // The trials of one search share their data: it is loaded once per thread.
  const key = JSON.stringify({ data: task.data, options: task.options });
  if (cached?.key !== key) cached = { key, data: prepareData(o, silent, () => undefined) };
  let p: PreparedData;
  try {
    p = await cached.data;
  } catch (e) {
    cached = null;
    throw e;
  }
  try {
    return scoreTrial(o, p, trial.config, (info) => trial.progress({ epoch: info.epoch + 1, epochs: o.epochs, cost: info.cost }));
  } catch (e) {
    if (e instanceof DivergenceError) {
      const lr = (trial.config.lr as number | undefined) ?? o.lr;
      throw new Error(`training diverged${lr !== undefined ? ` (lr ${lr})` : ''}: ${e.message.replace(/^fit: /, '').replace(/ The parameters from the start of epoch \d+ were kept\.$/, '')}`);
    }
    throw e;
  }
});
