/**
 * Random hyperparameter search, as the course recommends over a grid: every
 * trial tries a new value of every hyperparameter, so the few that matter get
 * explored densely. Scales are part of the space: learning rates are sampled
 * log-uniformly and momentum-style betas through 1 - beta, since their effect
 * depends on ratios, not differences.
 */
import { Rng } from '../random/rng.js';
import { ValueError } from '../tensor/errors.js';
import { assertPositiveInt, describe } from '../tensor/validate.js';

/** The distributions a hyperparameter can be drawn from. */
export type DistributionKind = 'uniform' | 'logUniform' | 'oneMinusLogUniform' | 'intUniform' | 'choice';

/** An object with exactly one distribution key, so `{ uniform, logUniform }` is a type error. */
type Only<K extends DistributionKind, V> = { readonly [P in K]: V } & { readonly [P in Exclude<DistributionKind, K>]?: never };

/**
 * How one hyperparameter is sampled:
 * - `uniform: [low, high]`: uniform in [low, high), e.g. keepProb.
 * - `logUniform: [low, high]`: log(x) uniform, both bounds > 0, e.g. the
 *   learning rate over [1e-4, 1e-1] (each decade equally likely).
 * - `oneMinusLogUniform: [low, high]`: 1 - x log-uniform, bounds < 1, e.g.
 *   beta over [0.9, 0.999] (1 - beta over [0.001, 0.1]).
 * - `intUniform: [low, high]`: an integer in [low, high], both ends included.
 * - `choice: [a, b, ...]`: one of the options, equally likely. Options are
 *   handed to the objective as they are, not copied.
 */
export type Distribution =
  | Only<'uniform', readonly [number, number]>
  | Only<'logUniform', readonly [number, number]>
  | Only<'oneMinusLogUniform', readonly [number, number]>
  | Only<'intUniform', readonly [number, number]>
  | Only<'choice', readonly unknown[]>;

/** A search space: a distribution per hyperparameter name. */
export type SearchSpace = { readonly [name: string]: Distribution };

/** The value a distribution yields: one of the options of a choice, else a number. */
export type SampleOf<D> = D extends { readonly choice: readonly (infer T)[] } ? T : number;

/** One sampled configuration of a space. */
export type ConfigOf<S extends SearchSpace> = { -readonly [K in keyof S]: SampleOf<S[K]> };

/** One evaluated configuration. */
export interface Trial<C> {
  /** Which trial this was, in sampling order from 0. */
  readonly index: number;
  readonly config: C;
  /** What the objective returned (dev error: lower is better). */
  readonly score: number;
  /** Wall-clock seconds the objective took. */
  readonly seconds: number;
}

/** A trial that a {@link TrialQueue} could not score (its objective threw, or it diverged), with the reason. */
export interface FailedTrial<C> {
  readonly index: number;
  readonly config: C;
  readonly reason: string;
}

/** What {@link randomSearch} returns. */
export interface SearchResult<C> {
  /** The completed trials, best (lowest score) first; ties keep sampling order. */
  readonly trials: Trial<C>[];
  /** The trial with the lowest score; null if none completed. */
  readonly best: Trial<C> | null;
  /** True when the signal stopped the search before all trials ran. */
  readonly aborted: boolean;
  /** With a `queue`: the trials that failed on the workers, in sampling order (absent from a local search, which stops at the first error). */
  readonly failed?: FailedTrial<C>[];
}

/** One sampled trial, as a {@link TrialQueue} receives it. */
export interface PlannedTrial<C> {
  /** Which trial this is, in sampling order from 0. */
  readonly index: number;
  readonly config: C;
}

/** What a {@link TrialQueue} is told while it runs the trials. */
export interface TrialQueueHooks<C> {
  /** Called once per trial scored, in the order the results arrive. */
  readonly onTrial: (trial: Trial<C>) => void;
  /** Called once per trial that failed for good. */
  readonly onFailed: (failed: FailedTrial<C>) => void;
  /** Once aborted, the queue stops waiting (the trials may go on elsewhere) and resolves with `aborted: true`. */
  readonly signal?: AbortSignal;
}

/**
 * Where the trials of a search run when they do not run here: the queue
 * hands each sampled trial to workers, which score it with their own
 * objective, and reports every outcome. `layerwise/node`'s
 * `RedisTrialQueue` is one (BullMQ on Redis).
 */
export interface TrialQueue {
  /** Runs each trial once; resolves once every trial has an outcome, or the signal stopped the wait. */
  run<C>(search: { readonly space: SearchSpace; readonly seed: number; readonly trials: readonly PlannedTrial<C>[] }, hooks: TrialQueueHooks<C>): Promise<{ aborted: boolean }>;
}

/** Options of {@link randomSearch}. */
export interface SearchOptions<S extends SearchSpace> {
  readonly space: S;
  /** How many configurations to try (a positive integer). */
  readonly trials: number;
  /** Seeds the sampling: the same seed and space give the same configurations. */
  readonly seed: number;
  /**
   * Trains and evaluates one configuration; returns its dev error (lower is
   * better; return Infinity for a run that diverged, NaN is rejected).
   */
  readonly objective: (config: ConfigOf<S>, trialIndex: number) => number;
  /** Called after each trial, e.g. to log progress or to abort once a score is good enough. */
  readonly onTrial?: (trial: Trial<ConfigOf<S>>) => void;
  /** Checked before each trial: once aborted, the search stops and returns the trials done so far. */
  readonly signal?: AbortSignal;
  /** Only in {@link QueueSearchOptions}. */
  readonly queue?: undefined;
}

/**
 * Options of a {@link randomSearch} whose trials run on a {@link TrialQueue}:
 * the same sampling (the same seed gives the same configurations as a local
 * search), but the objective is the workers', so none is given here.
 */
export interface QueueSearchOptions<S extends SearchSpace> {
  readonly space: S;
  readonly trials: number;
  readonly seed: number;
  readonly queue: TrialQueue;
  readonly objective?: undefined;
  /** Called as each trial's score arrives (in arrival order, not sampling order). */
  readonly onTrial?: (trial: Trial<ConfigOf<S>>) => void;
  /** Called as each failed trial's reason arrives. */
  readonly onFailed?: (failed: FailedTrial<ConfigOf<S>>) => void;
  /** Once aborted, stops waiting and returns the trials scored so far (the queue's workers may go on). */
  readonly signal?: AbortSignal;
}

type Bounds = readonly [number, number];

interface Sampler {
  /** Throws when the distribution's parameter is unusable; `where` names it (`randomSearch: space.lr.logUniform`). */
  check(param: unknown, where: string): void;
  sample(param: unknown, rng: Rng): unknown;
}

function checkBounds(param: unknown, where: string, inclusive = false): Bounds {
  const ok = Array.isArray(param) && param.length === 2 && param.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!ok) throw new ValueError(`${where}: expected [low, high] with finite numbers, got ${describe(param)}`);
  const [low, high] = param as unknown as Bounds;
  if (inclusive ? low > high : low >= high) {
    throw new ValueError(`${where}: expected a non-empty range (low ${inclusive ? '<=' : '<'} high), got ${describe(param)}`);
  }
  return [low, high];
}

function logUniform(low: number, high: number, rng: Rng): number {
  return Math.exp(Math.log(low) + rng.uniform() * (Math.log(high) - Math.log(low)));
}

// One entry per distribution kind: validation and sampling side by side.
const samplers: { readonly [K in DistributionKind]: Sampler } = {
  uniform: {
    check: (p, where) => checkBounds(p, where),
    sample: (p, rng) => {
      const [low, high] = p as Bounds;
      return low + rng.uniform() * (high - low);
    },
  },
  logUniform: {
    check: (p, where) => {
      const [low] = checkBounds(p, where);
      if (low <= 0) throw new ValueError(`${where}: expected bounds > 0 (a logarithmic scale), got ${describe(p)}`);
    },
    sample: (p, rng) => logUniform((p as Bounds)[0], (p as Bounds)[1], rng),
  },
  oneMinusLogUniform: {
    check: (p, where) => {
      const [, high] = checkBounds(p, where);
      if (high >= 1) throw new ValueError(`${where}: expected bounds < 1 (1 - x is sampled on a logarithmic scale), got ${describe(p)}`);
    },
    sample: (p, rng) => 1 - logUniform(1 - (p as Bounds)[1], 1 - (p as Bounds)[0], rng),
  },
  intUniform: {
    check: (p, where) => {
      const [low, high] = checkBounds(p, where, true);
      if (!Number.isInteger(low) || !Number.isInteger(high)) throw new ValueError(`${where}: expected integer bounds, got ${describe(p)}`);
    },
    sample: (p, rng) => (p as Bounds)[0] + rng.int((p as Bounds)[1] - (p as Bounds)[0] + 1),
  },
  choice: {
    check: (p, where) => {
      if (!Array.isArray(p) || p.length === 0) throw new ValueError(`${where}: expected a non-empty array of options, got ${describe(p)}`);
    },
    sample: (p, rng) => (p as readonly unknown[])[rng.int((p as readonly unknown[]).length)],
  },
};

const KINDS = Object.keys(samplers) as DistributionKind[];

/** Checks the whole space up front, so a typo fails before any training runs. */
function compileSpace(space: unknown, where: string): { name: string; kind: DistributionKind; param: unknown }[] {
  if (space === null || typeof space !== 'object' || Array.isArray(space)) {
    throw new ValueError(`${where}: space: expected an object of { name: distribution }, got ${describe(space)}`);
  }
  const entries = Object.entries(space);
  if (entries.length === 0) throw new ValueError(`${where}: space: expected at least one hyperparameter, got an empty object`);
  return entries.map(([name, dist]) => {
    const keys = dist !== null && typeof dist === 'object' && !Array.isArray(dist) ? Object.keys(dist) : [];
    const kind = keys[0];
    if (keys.length !== 1 || !KINDS.includes(kind as DistributionKind)) {
      const got = keys.length > 0 ? `{ ${keys.join(', ')} }` : describe(dist);
      throw new ValueError(`${where}: space.${name}: expected one distribution of ${KINDS.join(', ')}, got ${got}`);
    }
    const param: unknown = (dist as Record<string, unknown>)[kind as string];
    samplers[kind as DistributionKind].check(param, `${where}: space.${name}.${kind}`);
    return { name, kind: kind as DistributionKind, param };
  });
}

/**
 * Random search over a hyperparameter space. Draws `trials` configurations
 * from a generator seeded with `seed` (the same seed gives the same
 * configurations, whatever the objective does), scores each with `objective`,
 * and returns the trials sorted best first.
 *
 * @example
 * ```ts
 * import { randomSearch, Network, fit, Adam, makeFlower } from 'layerwise';
 * const { X, Y } = makeFlower({ seed: 1 });
 * const result = randomSearch({
 *   space: {
 *     learningRate: { logUniform: [1e-4, 1e-1] },
 *     beta1: { oneMinusLogUniform: [0.9, 0.999] },
 *     hidden: { choice: [[4], [8, 4]] },
 *   },
 *   trials: 10,
 *   seed: 0,
 *   objective: ({ learningRate, beta1, hidden }) => {
 *     const net = new Network({ inputSize: 2, layers: [...hidden.map((units) => ({ units, activation: 'relu' as const })), { units: 1, activation: 'sigmoid' as const }], init: 'he' });
 *     const h = fit(net, X, Y, { learningRate, iterations: 500, optimizer: new Adam({ beta1 }) });
 *     return h.cost.at(-1)!; // use a dev-set error in practice
 *   },
 * });
 * console.log(result.best?.config, result.best?.score);
 * result.trials.length === 10 && result.best === result.trials[0]; // true
 * ```
 */
export function randomSearch<S extends SearchSpace>(options: QueueSearchOptions<S>): Promise<SearchResult<ConfigOf<S>>>;
export function randomSearch<S extends SearchSpace>(options: SearchOptions<S>): SearchResult<ConfigOf<S>>;
export function randomSearch<S extends SearchSpace>(options: SearchOptions<S> | QueueSearchOptions<S>): SearchResult<ConfigOf<S>> | Promise<SearchResult<ConfigOf<S>>> {
  const where = 'randomSearch';
  if (options === null || typeof options !== 'object') {
    throw new ValueError(`${where}: options: expected { space, trials, seed, objective }, got ${describe(options)}`);
  }
  const { space, trials, seed, objective, onTrial, signal, queue } = options;
  const dims = compileSpace(space, where);
  const count = assertPositiveInt(trials, where, 'trials');
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new ValueError(`${where}: seed: expected an integer in [0, 2^32), got ${describe(seed)}`);
  }
  if (onTrial !== undefined && typeof onTrial !== 'function') throw new ValueError(`${where}: onTrial: expected a function, got ${describe(onTrial)}`);
  const rng = new Rng(seed);
  const sample = (): ConfigOf<S> => {
    const config: Record<string, unknown> = {};
    for (const d of dims) config[d.name] = samplers[d.kind].sample(d.param, rng);
    return config as ConfigOf<S>;
  };
  if (queue !== undefined) {
    if (queue === null || typeof queue !== 'object' || typeof (queue as TrialQueue).run !== 'function') {
      throw new ValueError(`${where}: queue: expected a TrialQueue (an object with run(search, hooks)), got ${describe(queue)}`);
    }
    if (objective !== undefined) throw new ValueError(`${where}: objective: a search on a queue is scored by the queue's workers; omit the objective`);
    const onFailed = (options as QueueSearchOptions<S>).onFailed;
    if (onFailed !== undefined && typeof onFailed !== 'function') throw new ValueError(`${where}: onFailed: expected a function, got ${describe(onFailed)}`);
    // The same draws in the same order as the local loop: trial i gets the same configuration either way.
    const planned = Array.from({ length: count }, (_, index) => ({ index, config: sample() }));
    return runOnQueue(queue, { space, seed, trials: planned }, { onTrial, onFailed, signal });
  }
  if (typeof objective !== 'function') throw new ValueError(`${where}: objective: expected a function (config, trialIndex) => number, got ${describe(objective)}`);

  const done: Trial<ConfigOf<S>>[] = [];
  let aborted = false;
  for (let index = 0; index < count; index++) {
    if (signal?.aborted) {
      aborted = true;
      break;
    }
    const config = sample();
    const start = performance.now();
    const score = objective(config as ConfigOf<S>, index);
    const seconds = (performance.now() - start) / 1000;
    if (typeof score !== 'number' || Number.isNaN(score)) {
      throw new ValueError(`${where}: objective: expected a number (lower is better) from trial ${index}, got ${describe(score)}`);
    }
    const trial: Trial<ConfigOf<S>> = { index, config, score, seconds };
    done.push(trial);
    onTrial?.(trial);
  }
  const sorted = sortTrials(done);
  return { trials: sorted, best: sorted[0] ?? null, aborted };
}

/** Best (lowest score) first; equal scores in sampling order. */
function sortTrials<C>(trials: readonly Trial<C>[]): Trial<C>[] {
  // Array.prototype.sort is stable, so after ordering by index, equal scores stay in sampling order.
  return [...trials].sort((a, b) => a.index - b.index).sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : 0));
}

/** A search's trials on a queue: every trial counted once, whatever order and however often the queue reports it. */
async function runOnQueue<C>(
  queue: TrialQueue,
  search: { space: SearchSpace; seed: number; trials: readonly PlannedTrial<C>[] },
  hooks: { onTrial?: (trial: Trial<C>) => void; onFailed?: (failed: FailedTrial<C>) => void; signal?: AbortSignal },
): Promise<SearchResult<C>> {
  const where = 'randomSearch';
  const done = new Map<number, Trial<C>>();
  const failed = new Map<number, FailedTrial<C>>();
  const known = (index: unknown): index is number => typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < search.trials.length;
  const { aborted } = await queue.run(search, {
    onTrial: (t) => {
      if (!known(t.index) || done.has(t.index) || failed.has(t.index)) return;
      if (typeof t.score !== 'number' || Number.isNaN(t.score)) {
        throw new ValueError(`${where}: queue: expected a number (lower is better) from trial ${t.index}, got ${describe(t.score)}`);
      }
      // The configuration is the one sampled here, whatever came back.
      const trial: Trial<C> = { index: t.index, config: search.trials[t.index]!.config, score: t.score, seconds: t.seconds };
      done.set(t.index, trial);
      hooks.onTrial?.(trial);
    },
    onFailed: (f) => {
      if (!known(f.index) || done.has(f.index) || failed.has(f.index)) return;
      const failure: FailedTrial<C> = { index: f.index, config: search.trials[f.index]!.config, reason: String(f.reason) };
      failed.set(f.index, failure);
      hooks.onFailed?.(failure);
    },
    ...(hooks.signal ? { signal: hooks.signal } : {}),
  });
  const sorted = sortTrials([...done.values()]);
  return { trials: sorted, best: sorted[0] ?? null, aborted, failed: [...failed.values()].sort((a, b) => a.index - b.index) };
}
