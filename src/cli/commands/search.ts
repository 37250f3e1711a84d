/**
 * `layerwise search`: random search over a declared space; each trial trains
 * on the train set and is scored on the dev set (error for classification,
 * MSE for regression). A live table prints one row per trial; trials.csv and
 * best.json (the best configuration, as train options) are written as they go,
 * so stopping early (Ctrl-C) keeps the results so far.
 *
 * With `--queue redis://...` the trials are the same (the same seed samples
 * the same configurations) but are queued for `layerwise worker` processes
 * (BullMQ on Redis) instead of trained here; `--attach <id>` reconnects to
 * such a search. The data travels by reference: a built-in name, or a path
 * with the file's SHA-256, which each worker checks against its own copy.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomSearch, type FailedTrial, type SearchResult, type SearchSpace, type Trial } from '../../diagnose/search.js';
import { QueueError, type SearchRecord } from '../../distributed/protocol.js';
import { readSearch, RedisTrialQueue, type SearchProgress } from '../../distributed/redis-queue.js';
import type { EpochInfo } from '../../train/fit.js';
import { BUILTINS } from '../data/index.js';
import { DivergenceError, ValueError } from '../../tensor/errors.js';
import { writeFileAtomic } from '../../node/files.js';
import { fit } from '../../train/fit.js';
import { CliError } from '../errors.js';
import { accuracy, mse } from '../../diagnose/metrics.js';
import { MAX_EPOCHS } from '../options.js';
import { openRunFolder, SEARCH_OUTPUTS } from '../out-dir.js';
import { checkUpdates, makeNetwork, prepareData, type Io, type PreparedData, type TrainOptions } from './train.js';

/** An option a space may set: which values it takes, in words, and whether a numeric range can produce them. */
interface Searchable {
  ok: (v: unknown) => boolean;
  expected: string;
  /** 'number': any distribution; 'integer': intUniform or choice; 'other': choice only. */
  values: 'number' | 'integer' | 'other';
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const int = (v: unknown, max: number) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= max;
const keep = (p: unknown) => num(p) && p > 0 && p <= 1;
const among = (names: readonly string[]): Searchable => ({ ok: (v) => names.includes(v as string), expected: `one of ${names.join(', ')}`, values: 'other' });

/** Options of the search a space may set, with what their values must be. */
const SEARCHABLE: Record<string, Searchable> = {
  lr: { ok: (v) => num(v) && v > 0, expected: 'a number > 0', values: 'number' },
  l2: { ok: (v) => num(v) && v >= 0, expected: 'a number >= 0', values: 'number' },
  l1: { ok: (v) => num(v) && v >= 0, expected: 'a number >= 0', values: 'number' },
  decay: { ok: (v) => num(v) && v >= 0, expected: 'a number >= 0', values: 'number' },
  epochs: { ok: (v) => int(v, MAX_EPOCHS), expected: `an integer in [1, ${MAX_EPOCHS}]`, values: 'integer' },
  batchSize: { ok: (v) => int(v, Number.MAX_SAFE_INTEGER), expected: 'a positive integer', values: 'integer' },
  layers: { ok: (v) => Array.isArray(v) && v.every((u) => int(u, Number.MAX_SAFE_INTEGER)), expected: 'an array of positive integers (hidden layer sizes)', values: 'other' },
  keepProb: { ok: (v) => keep(v) || (Array.isArray(v) && v.every(keep)), expected: 'a number in (0, 1] or an array of them', values: 'number' },
  optimizer: among(['gd', 'momentum', 'rmsprop', 'adam']),
  activation: among(['sigmoid', 'tanh', 'relu', 'leakyRelu', 'linear']),
  init: among(['zeros', 'random', 'he', 'xavier']),
  batchNorm: { ok: (v) => typeof v === 'boolean', expected: 'true or false', values: 'other' },
};

const DEFAULT_SPACE: SearchSpace = {
  lr: { logUniform: [1e-4, 1e-2] },
  layers: { choice: [[64], [128], [128, 64], [256, 128]] },
  l2: { choice: [0, 0.01, 0.1, 1] },
};

function parseSpace(text: string | undefined): SearchSpace {
  if (text === undefined) return DEFAULT_SPACE;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new CliError(`--space: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v) || Object.keys(v).length === 0) throw new CliError('--space: expected a JSON object of { option: distribution }, e.g. {"lr":{"logUniform":[0.0001,0.01]}}');
  for (const key of Object.keys(v)) {
    if (!(key in SEARCHABLE)) throw new CliError(`--space: "${key}" cannot be searched (expected one of ${Object.keys(SEARCHABLE).join(', ')})`);
  }
  const space = v as SearchSpace;
  checkDistributions(space);
  for (const [key, dist] of Object.entries(space)) checkValues(key, dist);
  return space;
}

// randomSearch checks every distribution's form before its first trial; a no-op objective runs
// that check now, before the data is loaded, with the library's own messages.
function checkDistributions(space: SearchSpace): void {
  try {
    randomSearch({ space, trials: 1, seed: 0, objective: () => 0 });
  } catch (e) {
    if (e instanceof ValueError) throw new CliError(`--space: ${e.message.replace(/^randomSearch: (space\.)?/, '')}`);
    throw e;
  }
}

/** Checks that every value a distribution can produce is valid for its option. */
function checkValues(key: string, dist: SearchSpace[string]): void {
  const s = SEARCHABLE[key]!;
  const [kind, param] = Object.entries(dist)[0] as [string, readonly unknown[]];
  const where = `--space: ${key}.${kind}`;
  if (kind === 'choice') {
    const bad = param.find((option) => !s.ok(option));
    if (bad !== undefined) throw new CliError(`${where}: expected options that are ${s.expected}, got ${JSON.stringify(bad)}`);
    return;
  }
  if (s.values === 'other') throw new CliError(`${where}: expected a choice for ${key} (${s.expected}), got a numeric range`);
  if (s.values === 'integer' && kind !== 'intUniform') throw new CliError(`${where}: expected intUniform or choice for ${key} (${s.expected}), got ${kind}, which samples fractions`);
  if (!param.every((b) => s.ok(b))) throw new CliError(`${where}: expected bounds that are ${s.expected}, got ${JSON.stringify(param)}`);
}

/**
 * Trains one trial's configuration on the prepared data and returns its dev
 * score (error, or MSE for regression). Throws the DivergenceError of a run
 * that diverged: the local search scores it Infinity, a worker fails the
 * trial with it. `onEpoch` only watches (a worker reports it as progress).
 */
export function scoreTrial(o: TrainOptions, p: PreparedData, config: Record<string, unknown>, onEpoch?: (info: EpochInfo) => void): number {
  for (const [k, v] of Object.entries(config)) if (SEARCHABLE[k]?.ok(v) !== true) throw new CliError(`--space: "${k}" sampled ${JSON.stringify(v)}, which is not a valid value for it`);
  const t = { ...o, ...config, keepProb: typeof config.keepProb === 'number' ? [config.keepProb] : (config.keepProb as number[] | undefined) ?? o.keepProb } as TrainOptions;
  checkUpdates(t.epochs, t.batchSize, p.m.train, '--space');
  const net = makeNetwork(t, p);
  const lr = t.lr ?? (t.optimizer === 'adam' || t.optimizer === 'rmsprop' ? 0.001 : 0.01);
  fit(net, p.sets.train.X, p.sets.train.Y, { learningRate: lr, epochs: t.epochs, batchSize: Math.min(t.batchSize, p.m.train), optimizer: t.optimizer, ...(t.decay !== undefined ? { schedule: { kind: 'inverseTime' as const, decayRate: t.decay } } : {}), ...(onEpoch ? { onEpoch } : {}) });
  const dev = p.sets.dev;
  return p.classification ? 1 - accuracy(net.classify(dev.X), dev.Y) : mse(net.predict(dev.X), dev.Y);
}

/** How a distributed search names its data: a built-in dataset, or a file or image folder with its SHA-256. */
export type DataReference = { builtin: string } | { path: string; sha256: string };

/**
 * The SHA-256 of a file, or of an image folder (every file under it, by
 * relative path, in sorted order): what identifies `--data` across machines.
 */
export function dataSha256(path: string): string {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1 << 20);
  const addFile = (file: string) => {
    const fd = openSync(file, 'r');
    try {
      for (let n = readSync(fd, buffer, 0, buffer.length, null); n > 0; n = readSync(fd, buffer, 0, buffer.length, null)) hash.update(buffer.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  };
  if (!statSync(path).isDirectory()) {
    addFile(path);
    return hash.digest('hex');
  }
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const r = rel === '' ? name : `${rel}/${name}`;
      if (statSync(full).isDirectory()) walk(full, r);
      else {
        hash.update(`${r}\0`);
        addFile(full);
        hash.update('\0');
      }
    }
  };
  walk(path, '');
  return hash.digest('hex');
}

/** `--data` as a reference the workers can check: paths are kept as given (each worker resolves them in its own working folder). */
export function dataReference(data: string): DataReference {
  return (BUILTINS as readonly string[]).includes(data) ? { builtin: data } : { path: data, sha256: dataSha256(data) };
}

/** The options of the search that decide how a trial trains: what a job carries to the workers. */
const TASK_OPTIONS = ['target', 'delimiter', 'task', 'layers', 'activation', 'output', 'optimizer', 'lr', 'epochs', 'batchSize', 'decay', 'l2', 'l1', 'keepProb', 'batchNorm', 'init', 'split', 'seed', 'normalize', 'imageSize', 'skipBadImages'] as const;

/** What the CLI's trial jobs carry besides the configuration: the search's options and its data. */
export interface CliTask {
  readonly kind: 'layerwise-cli-search';
  readonly options: Partial<TrainOptions>;
  readonly data: DataReference;
  /** 'error' (classification) or 'mse'. */
  readonly metric: 'error' | 'mse';
}

function cliTask(o: TrainOptions, p: PreparedData): CliTask {
  const options: Record<string, unknown> = {};
  for (const k of TASK_OPTIONS) if (o[k] !== undefined) options[k] = o[k];
  return { kind: 'layerwise-cli-search', options: options as Partial<TrainOptions>, data: dataReference(o.data), metric: p.classification ? 'error' : 'mse' };
}

/** A job's task as the CLI wrote it, or a CliError saying what it is instead. */
export function readCliTask(task: unknown): CliTask {
  const t = task as Partial<CliTask> | null;
  const data = t?.data as Partial<{ builtin: unknown; path: unknown; sha256: unknown }> | undefined;
  const dataOk = data !== undefined && data !== null && (typeof data.builtin === 'string' || (typeof data.path === 'string' && typeof data.sha256 === 'string'));
  if (t === null || typeof t !== 'object' || t.kind !== 'layerwise-cli-search' || typeof t.options !== 'object' || t.options === null || !dataOk || (t.metric !== 'error' && t.metric !== 'mse')) {
    throw new CliError(`the trial's task is not a layerwise search's (${JSON.stringify(task)?.slice(0, 120)}): it was queued by another program; run it with that program's worker`);
  }
  return t as CliTask;
}

/** A CLI task's options as the train options a trial needs (`data` as given to the search). */
export function taskOptions(task: CliTask): TrainOptions {
  const data = 'builtin' in task.data ? task.data.builtin : task.data.path;
  return { ...(task.options as TrainOptions), data, out: '', json: true };
}

/** The options a search command takes on top of train's. */
export type SearchCommandOptions = TrainOptions & {
  trials?: number;
  space?: string;
  /** `--queue redis://host:port[/db]`: queue the trials for `layerwise worker`s. */
  queue?: string;
  /** `--attach <id>`: reconnect to a search on the queue. */
  attach?: string;
  /** Options given on the command line (which --attach refuses, since the search's own are used). */
  given?: string[];
};

/** Options an attached search takes from the command line; the others are the search's own. */
const ATTACH_OPTIONS = new Set(['queue', 'attach', 'out', 'json', 'force']);

/** `--attach`: the options of the search as it was submitted, read from Redis. */
async function attachedOptions(o: SearchCommandOptions): Promise<{ options: SearchCommandOptions & { trials: number }; record: SearchRecord; task: CliTask }> {
  if (o.queue === undefined) throw new CliError('--attach: give the --queue the search was submitted to, e.g. --queue redis://127.0.0.1:6379');
  const extra = (o.given ?? []).filter((k) => !ATTACH_OPTIONS.has(k));
  if (extra.length > 0) {
    const flags = extra.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ');
    throw new CliError(`--attach: the search runs with the options it was submitted with; drop ${flags} (only --queue, --out, --json and --force apply)`);
  }
  let record: SearchRecord;
  try {
    record = await readSearch(o.queue, o.attach!);
  } catch (e) {
    if (e instanceof QueueError) throw new CliError(`--attach ${o.attach}: ${e.message.replace(/^queue: /, '--queue: ')}`);
    throw e;
  }
  const task = readCliTask(record.task);
  const options = { ...taskOptions(task), trials: record.trials, space: JSON.stringify(record.space), queue: o.queue, attach: o.attach, out: o.out, json: o.json, ...((o as { force?: unknown }).force !== undefined ? { force: (o as { force?: unknown }).force } : {}) } as SearchCommandOptions & { trials: number };
  return { options, record, task };
}

/** Parses --queue now, before any data is loaded, with the option's name in the message. */
function checkQueueUrl(url: string | undefined): void {
  if (url === undefined) return;
  try {
    new RedisTrialQueue({ url });
  } catch (e) {
    if (e instanceof QueueError) throw new CliError(e.message.replace(/^queue: /, '--queue: '), 2);
    throw e;
  }
}

/** Runs `layerwise search`; returns the exit code. */
export async function searchCommand(args: SearchCommandOptions, io: Io): Promise<number> {
  checkQueueUrl(args.queue);
  if (args.attach !== undefined && args.queue === undefined) throw new CliError('--attach: give the --queue the search was submitted to, e.g. --queue redis://127.0.0.1:6379');
  const attached = args.attach !== undefined ? await attachedOptions(args) : null;
  if (!attached && args.trials === undefined) throw new CliError('--trials: required (the number of trials to run), unless --attach names a search already submitted', 2);
  const o = (attached?.options ?? args) as SearchCommandOptions & { trials: number };
  const space = parseSpace(o.space);
  // Shared with train, but a search has no use for them: refuse rather than ignore them silently.
  if (o.optimalError !== undefined) {
    throw new CliError('--optimal-error: a search scores each trial by its dev error and makes no bias/variance diagnosis; omit it here and give it to `layerwise train` with the best configuration');
  }
  if (o.earlyStopping !== undefined) {
    throw new CliError('--early-stopping: every trial of a search trains its full --epochs; omit it here (or search over "epochs" in --space)');
  }
  const say = (line: string) => (o.json ? io.err(line) : io.out(line));
  const outRun = openRunFolder(o.out, { command: 'search', flags: o, outputs: SEARCH_OUTPUTS, say });
  const p = attached ? null : await prepareData(o, io, say);
  outRun.beginCompute();
  if (p && p.m.dev === 0) throw new CliError('--split: a search is scored on the dev set; give a split with a dev share');
  const metric = attached ? attached.task.metric : p!.classification ? 'error' : 'mse';
  const outDir = resolve(o.out);
  mkdirSync(outDir, { recursive: true });
  const keys = Object.keys(space);
  say(`search: ${o.trials} trials over ${keys.join(', ')}, scored by dev ${metric} (seed ${o.seed})${o.queue !== undefined ? `, on the workers of ${o.queue}` : ''}`);
  const done: Trial<Record<string, unknown>>[] = [];
  const fmt = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(3)) : JSON.stringify(v));
  const row = (cells: string[]) => say(cells.map((c) => c.padEnd(14)).join(''));
  const writeResults = () => {
    const sorted = [...done].sort((a, b) => a.score - b.score || a.index - b.index);
    const inOrder = [...done].sort((a, b) => a.index - b.index);
    writeFileAtomic(join(outDir, 'trials.csv'), ['trial,' + keys.join(',') + ',dev_score,seconds', ...inOrder.map((t) => [t.index + 1, ...keys.map((k) => JSON.stringify(t.config[k]).replace(/,/g, ';')), t.score, t.seconds.toFixed(3)].join(','))].join('\n') + '\n');
    if (sorted[0]) writeFileAtomic(join(outDir, 'best.json'), JSON.stringify({ score: sorted[0].score, trial: sorted[0].index + 1, config: sorted[0].config }, null, 2) + '\n');
  };
  const onTrial = (trial: Trial<Record<string, unknown>>) => {
    done.push(trial);
    row([String(trial.index + 1), ...keys.map((k) => fmt(trial.config[k])), Number.isFinite(trial.score) ? trial.score.toFixed(4) : 'diverged', trial.seconds.toFixed(1)]);
    writeResults();
  };
  const onFailed = (f: FailedTrial<Record<string, unknown>>) => {
    row([String(f.index + 1), ...keys.map((k) => fmt(f.config[k])), 'failed', '']);
    say(`  trial ${f.index + 1} failed: ${f.reason}`);
  };
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let result: SearchResult<Record<string, unknown>>;
  let searchId: string | null = null;
  try {
    if (o.queue !== undefined) {
      // A line when the counts change; the running trials' epochs alone, at most every 5 s.
      let lastCounts = '';
      let lastAt = 0;
      const queue = new RedisTrialQueue({
        url: o.queue,
        ...(attached ? { attach: attached.record.id } : { task: cliTask(o, p!) }),
        onStart: ({ id, attached: again, total, warnings }) => {
          searchId = id;
          for (const w of warnings) io.err(`warning: ${w}`);
          say(again ? `search ${id}: attached (${total} trials)` : `search ${id}: ${total} trials queued; it goes on without this command: layerwise search --queue ${o.queue} --attach ${id}`);
          row(['trial', ...keys, 'dev', 'seconds']);
        },
        onWarning: (message) => io.err(`warning: ${message}`),
        onProgress: (s) => {
          const counts = `${s.done} ${s.failed} ${s.running} ${s.waiting}`;
          if (counts === lastCounts && Date.now() - lastAt < 5000) return;
          lastCounts = counts;
          lastAt = Date.now();
          io.err(progressLine(s, metric));
        },
      });
      result = await randomSearch({ space, trials: o.trials, seed: o.seed, signal: controller.signal, queue, onTrial, onFailed });
    } else {
      row(['trial', ...keys, 'dev', 'seconds']);
      result = randomSearch({
        space,
        trials: o.trials,
        seed: o.seed,
        signal: controller.signal,
        objective: (config: Record<string, unknown>) => {
          try {
            return scoreTrial(o, p!, config);
          } catch (e) {
            if (e instanceof DivergenceError) return Infinity;
            throw e;
          }
        },
        onTrial,
      } as Parameters<typeof randomSearch>[0]);
    }
  } catch (e) {
    if (e instanceof ValueError) throw new CliError(`--space: ${e.message.replace(/^randomSearch: (space\.)?/, '')}`);
    if (e instanceof QueueError) throw new CliError(e.message.replace(/^queue: /, '--queue: '));
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (result.aborted && searchId !== null) say(`search ${searchId} goes on on the workers; to see it again: layerwise search --queue ${o.queue} --attach ${searchId}`);
  const failed = result.failed ?? [];
  const best = result.best;
  if (!best) {
    // Ctrl-C before any trial finished: the search goes on (said above); nothing to write yet.
    if (result.aborted && searchId !== null) return 130;
    if (failed.length > 0) throw new CliError(`search: no trial completed; ${failed.length} failed, the first: trial ${failed[0]!.index + 1}: ${failed[0]!.reason}`);
    throw new CliError('search: no trial completed');
  }
  if (failed.length > 0) say(`failed: ${failed.length} trial(s): ${failed.map((f) => f.index + 1).join(', ')}`);
  say(`best: trial ${best.index + 1}, dev ${metric} ${best.score.toFixed(4)}: ${JSON.stringify(best.config)}${result.aborted ? ' (stopped early)' : ''}`);
  say(`wrote ${join(outDir, 'trials.csv')} and ${join(outDir, 'best.json')}`);
  if (o.json) {
    const distributed = o.queue !== undefined ? { search: searchId, failed: failed.map((f) => ({ trial: f.index + 1, config: f.config, reason: f.reason })) } : {};
    io.out(JSON.stringify({ trials: result.trials.map((t) => ({ trial: t.index + 1, config: t.config, score: t.score, seconds: t.seconds })), best: { trial: best.index + 1, config: best.config, score: best.score }, aborted: result.aborted, ...distributed }));
  }
  return 0;
}

/** One line of a distributed search's progress: counts, the best so far, the running trials' epochs. */
function progressLine(s: SearchProgress, metric: string): string {
  const best = s.best ? `; best so far: trial ${s.best.index + 1}, dev ${metric} ${Number.isFinite(s.best.score) ? s.best.score.toFixed(4) : 'diverged'}` : '';
  const running = s.active.map((a) => `${a.index + 1}${a.progress ? ` (epoch ${a.progress.epoch}${a.progress.epochs !== undefined ? `/${a.progress.epochs}` : ''})` : ''}`).join(', ');
  return `progress: ${s.done}/${s.total} done, ${s.running} running${running ? `: ${running}` : ''}, ${s.waiting} waiting, ${s.failed} failed${best}`;
}

