/**
 * `layerwise search`: random search over a declared space; each trial trains
 * on the train set and is scored on the dev set (error for classification,
 * MSE for regression). A live table prints one row per trial; trials.csv and
 * best.json (the best configuration, as train options) are written as they go,
 * so stopping early (Ctrl-C) keeps the results so far.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomSearch, type SearchSpace, type Trial } from '../../diagnose/search.js';
import { DivergenceError, ValueError } from '../../tensor/errors.js';
import { writeFileAtomic } from '../../node/files.js';
import { fit } from '../../train/fit.js';
import { CliError } from '../errors.js';
import { accuracy, mse } from '../../diagnose/metrics.js';
import { MAX_EPOCHS } from '../options.js';
import { openRunFolder, SEARCH_OUTPUTS } from '../out-dir.js';
import { checkUpdates, makeNetwork, prepareData, type Io, type TrainOptions } from './train.js';

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

/** Runs `layerwise search`; returns the exit code. */
export async function searchCommand(o: TrainOptions & { trials: number; space?: string }, io: Io): Promise<number> {
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
  const p = await prepareData(o, io, say);
  outRun.beginCompute();
  if (p.m.dev === 0) throw new CliError('--split: a search is scored on the dev set; give a split with a dev share');
  const outDir = resolve(o.out);
  mkdirSync(outDir, { recursive: true });
  const keys = Object.keys(space);
  say(`search: ${o.trials} trials over ${keys.join(', ')}, scored by dev ${p.classification ? 'error' : 'mse'} (seed ${o.seed})`);
  say(['trial', ...keys, 'dev', 'seconds'].map((h) => h.padEnd(14)).join(''));
  const done: Trial<Record<string, unknown>>[] = [];
  const fmt = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(3)) : JSON.stringify(v));
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let result;
  try {
    result = randomSearch({
      space,
      trials: o.trials,
      seed: o.seed,
      signal: controller.signal,
      objective: (config: Record<string, unknown>) => {
        for (const [k, v] of Object.entries(config)) if (!SEARCHABLE[k]!.ok(v)) throw new CliError(`--space: "${k}" sampled ${JSON.stringify(v)}, which is not a valid value for it`);
        const t = { ...o, ...config, keepProb: typeof config.keepProb === 'number' ? [config.keepProb] : (config.keepProb as number[] | undefined) ?? o.keepProb } as TrainOptions;
        checkUpdates(t.epochs, t.batchSize, p.m.train, '--space');
        const net = makeNetwork(t, p);
        const lr = t.lr ?? (t.optimizer === 'adam' || t.optimizer === 'rmsprop' ? 0.001 : 0.01);
        try {
          fit(net, p.sets.train.X, p.sets.train.Y, { learningRate: lr, epochs: t.epochs, batchSize: Math.min(t.batchSize, p.m.train), optimizer: t.optimizer, ...(t.decay !== undefined ? { schedule: { kind: 'inverseTime' as const, decayRate: t.decay } } : {}) });
        } catch (e) {
          if (e instanceof DivergenceError) return Infinity;
          throw e;
        }
        const dev = p.sets.dev;
        return p.classification ? 1 - accuracy(net.classify(dev.X), dev.Y) : mse(net.predict(dev.X), dev.Y);
      },
      onTrial: (trial) => {
        done.push(trial as Trial<Record<string, unknown>>);
        say([String(trial.index + 1), ...keys.map((k) => fmt((trial.config as Record<string, unknown>)[k])), Number.isFinite(trial.score) ? trial.score.toFixed(4) : 'diverged', trial.seconds.toFixed(1)].map((c) => c.padEnd(14)).join(''));
        const sorted = [...done].sort((a, b) => a.score - b.score);
        writeFileAtomic(join(outDir, 'trials.csv'), ['trial,' + keys.join(',') + ',dev_score,seconds', ...done.map((t) => [t.index + 1, ...keys.map((k) => JSON.stringify(t.config[k]).replace(/,/g, ';')), t.score, t.seconds.toFixed(3)].join(','))].join('\n') + '\n');
        writeFileAtomic(join(outDir, 'best.json'), JSON.stringify({ score: sorted[0]!.score, trial: sorted[0]!.index + 1, config: sorted[0]!.config }, null, 2) + '\n');
      },
    } as Parameters<typeof randomSearch>[0]);
  } catch (e) {
    if (e instanceof ValueError) throw new CliError(`--space: ${e.message.replace(/^randomSearch: (space\.)?/, '')}`);
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  const best = result.best;
  if (!best) throw new CliError('search: no trial completed');
  say(`best: trial ${best.index + 1}, dev ${p.classification ? 'error' : 'mse'} ${best.score.toFixed(4)}: ${JSON.stringify(best.config)}${result.aborted ? ' (stopped early)' : ''}`);
  say(`wrote ${join(outDir, 'trials.csv')} and ${join(outDir, 'best.json')}`);
  if (o.json) io.out(JSON.stringify({ trials: result.trials.map((t) => ({ trial: t.index + 1, config: t.config, score: t.score, seconds: t.seconds })), best: { trial: best.index + 1, config: best.config, score: best.score }, aborted: result.aborted }));
  return 0;
}

