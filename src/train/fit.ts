/**
 * The training loop. It compiles plans for the batch sizes once (the full
 * batch, or the mini-batch and the last partial batch), then each iteration
 * gathers its batch and runs forward, cost, backward and update kernels into
 * those plans' buffers: nothing is allocated per iteration. Everything a call
 * allocates (plans, data copies, snapshots, the state of an optimizer it
 * made from a name) is given back before it returns or throws, so calling it
 * again and again holds no more memory than one call.
 */
import { Plan } from '../nn/plan.js';
import { checkFits, loadInput, Network, tooLarge } from '../nn/network.js';
import { featureCount, formatFeatureShape } from '../nn/layers/shape.js';
import type { Layer } from '../nn/layers/layer.js';
import { formatBytes } from '../backend/memory-report.js';
import { WasmOutOfMemoryError } from '../backend/wasm/memory.js';
import { DivergenceError, ValueError } from '../tensor/errors.js';
import { Allocations, Tensor } from '../tensor/tensor.js';
import type { Backend } from '../backend/backend.js';
import { backendFor } from '../backend/registry.js';
import { assertFinite, assertKnownKeys, assertPositiveFinite, assertPositiveInt, describe, type TensorLike } from '../tensor/validate.js';
import { augmentBatch, resolveAugment, type AugmentOptions } from '../data/augment.js';
import { Optimizer } from './optimizer.js';
import { resolveOptimizer, type OptimizerSpec } from './optimizers/resolve.js';
import { learningRateAt, resolveSchedule, type ScheduleSpec } from './schedules.js';
import { assertSnapshotSource, ParameterSnapshot } from './snapshot.js';

/** Early stopping on the dev set's cost. */
export interface EarlyStoppingOptions {
  /** Epochs without an improvement of at least `minDelta` before stopping. */
  patience: number;
  /** The smallest decrease of the dev cost that counts as an improvement; default 0. */
  minDelta?: number;
  /** Put back the parameters of the best dev epoch at the end; default true. */
  restoreBest?: boolean;
  /**
   * Continue a run (a checkpoint): the best dev cost so far (Infinity for none), its epoch (null for none),
   * the epochs since, and a network of the same architecture holding the best parameters.
   */
  resume?: { bestDevCost: number; bestEpoch: number | null; epochsSinceBest: number; bestNetwork?: Network };
}

/** What {@link FitOptions.onEpoch} receives after each epoch. */
export interface EpochInfo {
  /** 0-based epoch index (counting from `initialEpoch`). */
  epoch: number;
  /** Updates done so far in this call. */
  iterations: number;
  /** Mean over the epoch's iterations of the cost that was minimized (regularization included). */
  cost: number;
  /** The same without the regularization term. */
  unregularizedCost: number;
  /** The dev set's cost after the epoch, when a dev set is given. */
  devCost: number | null;
  /** The learning rate used in this epoch. */
  learningRate: number;
  /** Seconds since training started. */
  seconds: number;
  /** Training examples processed per second during this epoch. */
  examplesPerSecond: number;
  /** The lowest dev cost so far and its epoch (null without a dev set), and epochs since it improved. */
  bestDevCost: number | null;
  bestEpoch: number | null;
  epochsSinceBest: number;
}

/** How to train. */
export interface FitOptions {
  /** alpha, the learning rate (> 0); the starting rate when a schedule is given. */
  learningRate: number;
  /** Number of parameter updates. Give this or `epochs`. */
  iterations?: number;
  /** Number of passes over the training set. Give this or `iterations`. */
  epochs?: number;
  /** Examples per update: m (default) is batch gradient descent, 1 is stochastic, in between mini-batch. */
  batchSize?: number;
  /** Reshuffle the examples every epoch with the network's generator; default true for mini-batches. */
  shuffle?: boolean;
  /**
   * 'gd' (default), 'momentum', 'rmsprop', 'adam', a config like { name: 'adam', beta1: 0.9 }, or an
   * Optimizer (its state carries over between calls on the same network; another network needs its own).
   */
  optimizer?: OptimizerSpec;
  /** Learning-rate decay per epoch, e.g. { kind: 'inverseTime', decayRate: 1 }; default constant. */
  schedule?: ScheduleSpec;
  /** The epoch number to start counting from (for schedules and when resuming a checkpoint); default 0. */
  initialEpoch?: number;
  /** A dev set, for learning curves and early stopping. */
  dev?: { X: TensorLike; Y: TensorLike };
  /** Record the dev cost every this many iterations too (default: once per epoch). */
  devEvery?: number;
  /** Stop when the dev cost stops improving; needs `dev`. */
  earlyStopping?: EarlyStoppingOptions;
  /** Called after every iteration with its index (0-based) and the cost before that iteration's update. */
  onIteration?: (iteration: number, cost: number) => void;
  /** Called after every epoch. */
  onEpoch?: (info: EpochInfo) => void;
  /** Stops training after the current iteration when aborted; the history so far is returned. */
  signal?: AbortSignal;
  /**
   * Data augmentation of the training batches of an image network (flips, shifts, rotations,
   * brightness), drawn from the network's generator; dev data is never augmented. Default none.
   */
  augment?: AugmentOptions;
  /**
   * Gradient clipping by value: every gradient element is clipped to [-clipValue, clipValue]
   * before the optimizer's step (the course's clip for the language model); > 0, default none.
   */
  clipValue?: number;
  /**
   * Gradient clipping by global norm: when the norm of all the gradients together,
   * sqrt(sum of every squared element), exceeds clipNorm, every gradient is scaled by
   * clipNorm / norm before the optimizer's step (after clipValue when both are given); > 0, default none.
   */
  clipNorm?: number;
}

/** What training returns. */
export interface History {
  /** The minimized cost (regularization included) at each iteration, before that iteration's update. */
  cost: number[];
  /** The data cost without the regularization term, at each iteration. */
  unregularizedCost: number[];
  /** Per epoch: the mean training cost (regularized), the unregularized mean and the dev cost. */
  epochs: { cost: number; unregularizedCost: number; devCost: number | null; learningRate: number }[];
  /** Dev cost at iterations (every `devEvery` iterations and at each epoch's end). */
  dev: { iteration: number; cost: number }[];
  /** Why training ended. */
  stopReason: 'completed' | 'earlyStopping' | 'aborted';
  /** The epoch with the lowest dev cost (when a dev set was given), else null. */
  bestEpoch: number | null;
  /** Wall-clock seconds spent training. */
  seconds: number;
}

interface Batches {
  full: Plan;
  last: Plan | null;
  perEpoch: number;
  size: number;
}

const FIT_OPTIONS: readonly (keyof FitOptions)[] = [
  'learningRate',
  'iterations',
  'epochs',
  'batchSize',
  'shuffle',
  'optimizer',
  'schedule',
  'initialEpoch',
  'dev',
  'devEvery',
  'earlyStopping',
  'onIteration',
  'onEpoch',
  'signal',
  'augment',
  'clipValue',
  'clipNorm',
];
const EARLY_STOPPING_OPTIONS: readonly (keyof EarlyStoppingOptions)[] = ['patience', 'minDelta', 'restoreBest', 'resume'];
const RESUME_FIELDS: readonly (keyof NonNullable<EarlyStoppingOptions['resume']>)[] = ['bestDevCost', 'bestEpoch', 'epochsSinceBest', 'bestNetwork'];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An object, class instances included (an AbortSignal is one). */
function isObject(value: unknown): value is { readonly [key: string]: unknown } {
  return value !== null && typeof value === 'object';
}

function assertOptionalBoolean(value: unknown, where: string, name: string): void {
  if (value !== undefined && typeof value !== 'boolean') throw new ValueError(`${where}: ${name}: expected true or false, got ${describe(value)}`);
}

function assertOptionalFunction(value: unknown, where: string, name: string, signature: string): void {
  if (value !== undefined && typeof value !== 'function') throw new ValueError(`${where}: ${name}: expected a function ${signature}, got ${describe(value)}`);
}

function isNonNegativeInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function checkOptions(net: Network, m: number, options: FitOptions, where: string): { total: number; batchSize: number; perEpoch: number } {
  assertKnownKeys(options, FIT_OPTIONS, where, '');
  assertPositiveFinite(options.learningRate, where, 'learningRate');
  const batchSize = options.batchSize === undefined ? m : assertPositiveInt(options.batchSize, where, 'batchSize');
  if (batchSize > m) throw new ValueError(`${where}: batchSize: expected at most the ${m} training examples, got ${batchSize}`);
  const perEpoch = Math.ceil(m / batchSize);
  if ((options.iterations === undefined) === (options.epochs === undefined)) {
    throw new ValueError(`${where}: options: expected exactly one of iterations or epochs, got ${options.iterations === undefined ? 'neither' : 'both'}`);
  }
  const total = options.iterations !== undefined ? assertPositiveInt(options.iterations, where, 'iterations') : assertPositiveInt(options.epochs, where, 'epochs') * perEpoch;
  assertOptionalBoolean(options.shuffle, where, 'shuffle');
  for (const key of ['clipValue', 'clipNorm'] as const) {
    const c: unknown = options[key];
    if (c !== undefined && (typeof c !== 'number' || !(c > 0) || !Number.isFinite(c))) {
      throw new ValueError(`${where}: ${key}: expected a finite number > 0 (the largest gradient ${key === 'clipValue' ? 'element' : 'norm'} kept), got ${describe(c)}`);
    }
  }
  if (options.schedule !== undefined) resolveSchedule(options.schedule, where);
  if (options.initialEpoch !== undefined && !isNonNegativeInt(options.initialEpoch)) {
    throw new ValueError(`${where}: initialEpoch: expected a non-negative integer, got ${describe(options.initialEpoch)}`);
  }
  if (options.dev !== undefined) {
    if (!isPlainObject(options.dev)) throw new ValueError(`${where}: dev: expected { X, Y }, got ${describe(options.dev)}`);
    assertKnownKeys(options.dev, ['X', 'Y'], where, 'dev.');
  }
  const es: unknown = options.earlyStopping;
  if (es !== undefined) {
    if (!isPlainObject(es)) throw new ValueError(`${where}: earlyStopping: expected { patience, minDelta?, restoreBest?, resume? }, got ${describe(es)}`);
    assertKnownKeys(es, EARLY_STOPPING_OPTIONS, where, 'earlyStopping.');
    if (!options.dev) throw new ValueError(`${where}: earlyStopping: needs a dev set (options.dev), got none`);
    assertPositiveInt(es.patience, where, 'earlyStopping.patience');
    const md = es.minDelta ?? 0;
    if (typeof md !== 'number' || !Number.isFinite(md) || md < 0) throw new ValueError(`${where}: earlyStopping.minDelta: expected a finite number >= 0, got ${describe(md)}`);
    assertOptionalBoolean(es.restoreBest, where, 'earlyStopping.restoreBest');
    if (es.resume !== undefined) checkResume(net, es.resume, where);
  }
  if (options.devEvery !== undefined) {
    assertPositiveInt(options.devEvery, where, 'devEvery');
    if (!options.dev) throw new ValueError(`${where}: devEvery: needs a dev set (options.dev), got none`);
  }
  assertOptionalFunction(options.onIteration, where, 'onIteration', '(iteration, cost) => void');
  assertOptionalFunction(options.onEpoch, where, 'onEpoch', '(info) => void');
  const signal: unknown = options.signal;
  if (signal !== undefined && !(isObject(signal) && typeof signal.aborted === 'boolean')) {
    throw new ValueError(`${where}: signal: expected an AbortSignal (an object with a boolean aborted), got ${describe(signal)}`);
  }
  return { total, batchSize, perEpoch };
}

/** A checkpoint's early-stopping state: it must describe this network and a state training could have reached. */
function checkResume(net: Network, resume: unknown, where: string): void {
  const name = 'earlyStopping.resume';
  if (!isPlainObject(resume)) throw new ValueError(`${where}: ${name}: expected { bestDevCost, bestEpoch, epochsSinceBest, bestNetwork? }, got ${describe(resume)}`);
  assertKnownKeys(resume, RESUME_FIELDS, where, `${name}.`);
  const { bestDevCost, bestEpoch, epochsSinceBest, bestNetwork } = resume;
  // Costs are never negative; Infinity is the start value, "no best epoch yet".
  if (typeof bestDevCost !== 'number' || Number.isNaN(bestDevCost) || bestDevCost < 0) {
    throw new ValueError(`${where}: ${name}.bestDevCost: expected a cost >= 0 (Infinity when no epoch has been best yet), got ${describe(bestDevCost)}`);
  }
  if (bestEpoch !== null && !isNonNegativeInt(bestEpoch)) {
    throw new ValueError(`${where}: ${name}.bestEpoch: expected a non-negative integer, or null when no epoch has been best yet, got ${describe(bestEpoch)}`);
  }
  if (!isNonNegativeInt(epochsSinceBest)) throw new ValueError(`${where}: ${name}.epochsSinceBest: expected a non-negative integer, got ${describe(epochsSinceBest)}`);
  if (bestNetwork !== undefined) assertSnapshotSource(net, bestNetwork, where, `${name}.bestNetwork`);
}

/** The learning rate of an epoch, with a bad scheduled rate blamed on fit's `schedule` option. */
function rateAt(options: FitOptions, epoch: number, where: string): number {
  if (options.schedule === undefined) return options.learningRate;
  try {
    return learningRateAt(options.schedule, options.learningRate, epoch);
  } catch (e) {
    if (e instanceof ValueError) throw new ValueError(e.message.replace(/^learningRateAt: /, `${where}: schedule: `));
    throw e;
  }
}

/**
 * Trains a network on X (n_x, m) and Y (n[L], m) with (mini-)batch gradient
 * descent or the given optimizer. The parameters are updated in place.
 *
 * If the cost becomes NaN or Infinity, training stops with a
 * {@link DivergenceError} naming the iteration, and the network keeps the
 * parameters it had at the start of that epoch.
 *
 * @example
 * ```ts
 * import { Network, fit, makeFlower } from 'layerwise';
 * const { X, Y } = makeFlower({ seed: 1 });
 * const net = new Network({ inputSize: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], init: 'random', seed: 3 });
 * const history = fit(net, X, Y, { learningRate: 1.2, iterations: 10000 });
 * history.cost.length === 10000 && history.cost.at(-1)! < 0.3; // true
 * ```
 */
export function fit(net: Network, x: TensorLike, y: TensorLike, options: FitOptions): History {
  const where = 'fit';
  if (!(net instanceof Network)) throw new ValueError(`${where}: net: expected a Network, got ${describe(net)}`);
  if (!isPlainObject(options)) throw new ValueError(`${where}: options: expected { learningRate, iterations | epochs }, got ${describe(options)}`);
  net.checkParameters(where, 'net');
  // X's values are checked once copied into the backend's memory (prepare): one SIMD pass there.
  const X = net.checkInput(x, where, 'X', false);
  const m = net.examples(X);
  const Y = net.checkTargets(y, m, where);
  const { total, batchSize, perEpoch } = checkOptions(net, m, options, where);
  const devX = options.dev ? net.checkInput(options.dev.X, where, 'dev.X') : null;
  const devY = options.dev && devX ? net.checkTargets(options.dev.Y, net.examples(devX), where, 'dev.Y') : null;
  if (net.stack.every((l) => l.trainableParams.length === 0)) {
    throw new ValueError(`${where}: net: expected at least one trainable layer, got every layer frozen (unfreeze some with net.freeze(n) or trainable: true)`);
  }
  const optimizer = optimizerFor(options.optimizer, where);
  // An optimizer made here from a name dies with this call: its state is given back with the rest.
  // A user's Optimizer keeps its state for the next call.
  const ownsOptimizer = !(options.optimizer instanceof Optimizer);
  const augment = options.augment === undefined ? null : resolveAugment(options.augment, where);
  if (augment && net.inputShape.kind !== 'image') {
    throw new ValueError(`${where}: augment: expected an image network (inputShape [n_H, n_W, n_C]); this network takes ${net.sequenceShape ? `sequences ${formatFeatureShape(net.sequenceShape)}` : `${net.inputSize} flat features`}`);
  }
  const devM = devX ? net.examples(devX) : 0;
  // A user's optimizer that has not stepped yet has its state still to make (the CLI passes one).
  const makesState = ownsOptimizer || optimizer.step === 0;
  const needs = trainingBytes(net, X, Y, batchSize, devM, optimizer.name, makesState, Boolean(options.earlyStopping && (options.earlyStopping.restoreBest ?? true)));
  const sizes = net.layerBytes();
  const own = sizes.reduce((sum, l) => sum + l.bytes, 0);
  checkFits(backendFor(net.dtype), needs.total, sizes, own, where, `training needs %s besides the network${needs.breakdown}`, TRAINING_ADVICE);

  const owned = new Allocations();
  const plans: Plan[] = [];
  const release = (): void => {
    for (const p of plans) p.dispose();
    owned.release();
  };
  const plan = (size: number, withBackward: boolean): Plan => {
    const p = new Plan(net, size, withBackward);
    plans.push(p);
    return p;
  };
  try {
    let setup: Setup;
    try {
      setup = prepare(net, X, Y, devX, devY, batchSize, perEpoch, m, options, optimizer, ownsOptimizer, owned, plan, where);
    } catch (e) {
      if (!(e instanceof WasmOutOfMemoryError)) throw e;
      release();
      const what = `training needs more than the %s estimated besides the network${needs.breakdown} (the memory ran out while allocating them)`;
      throw tooLarge(backendFor(net.dtype), needs.total, sizes, own, where, what, TRAINING_ADVICE, e);
    }
    return train(net, X, m, total, batchSize, perEpoch, options, optimizer, augment, setup, where);
  } finally {
    release();
  }
}

/** What training runs on, allocated once per call (see {@link prepare}). */
interface Setup {
  readonly batches: Batches;
  readonly be: Backend;
  readonly fullBatch: boolean;
  readonly XT: Tensor;
  readonly YT: Tensor;
  readonly gathered: { full: ImageGather; last: ImageGather | null } | null;
  readonly sequences: { full: SequenceGather; last: SequenceGather | null } | null;
  readonly targets: { full: SequenceGather; last: SequenceGather | null } | null;
  readonly devPlan: Plan | null;
  /** The checked dev set (costed in chunks when devPlan is null). */
  readonly devX: Tensor | null;
  readonly devY: Tensor | null;
  readonly good: ParameterSnapshot;
  readonly spare: ParameterSnapshot;
  readonly best: ParameterSnapshot | null;
}

/**
 * Allocates the plans, data copies, snapshots and optimizer state of one
 * call: plans through `plan` (disposed by the caller), the rest collected in
 * `owned`.
 */
function prepare(
  net: Network,
  X: Tensor,
  Y: Tensor,
  devX: Tensor | null,
  devY: Tensor | null,
  batchSize: number,
  perEpoch: number,
  m: number,
  options: FitOptions,
  optimizer: Optimizer,
  ownsOptimizer: boolean,
  owned: Allocations,
  plan: (size: number, withBackward: boolean) => Plan,
  where: string,
): Setup {
  const batches: Batches = {
    full: plan(batchSize, true),
    last: m % batchSize === 0 ? null : plan(m % batchSize, true),
    perEpoch,
    size: batchSize,
  };
  const be = batches.full.be;
  const fullBatch = batchSize === m;
  // Mini-batches are gathered from copies with one example per row in the backend's memory, made
  // once: reads are then contiguous, and no kernel copies a JS-heap tensor per call. Images already
  // have one example per row; their batches are gathered as columns, then transposed back into rows.
  // Sequences (n, m, T) are copied as (m, n T) rows; a batch is gathered as (n T, count) columns and
  // each feature's (T, count) block transposed into the plan's (n, count, T).
  // Rows given by the user (images, or a flat network built with inputShape [n_x]) are copied as they are.
  const images = net.isImageNetwork;
  const seq = net.sequenceShape;
  const XT = fullBatch ? X : owned.collect(() => (net.examplesAsRows ? rowsCopy(be, X, m) : seq ? sequenceRows(be, X, m) : transposedCopy(be, X)));
  const seqY = net.outputSequence;
  const YT = fullBatch ? Y : owned.collect(() => (seqY ? sequenceRows(be, Y, m) : transposedCopy(be, Y)));
  const targets = !fullBatch && seqY ? owned.collect(() => sequenceGather(be, batches, seqY.units, seqY.steps, true)) : null;
  const gathered = !fullBatch && images ? owned.collect(() => imageGather(be, batches, net.inputSize)) : null;
  const sequences = !fullBatch && seq ? owned.collect(() => sequenceGather(be, batches, seq.units, seq.steps)) : null;
  if (fullBatch) {
    loadInput(net, X, batches.full.input);
    batches.full.target.data.set(Y.data);
  }
  assertFiniteCopy(be, fullBatch ? batches.full.input : XT, X, where);
  // A dev set whose inference buffers would pass the chunk budget (a conv net on thousands of images)
  // is costed in chunks through the network's inference plans instead of one plan of its own.
  const devM = devX ? net.examples(devX) : 0;
  const devPlan = devX && net.inferenceChunk(devM) === devM ? plan(devM, false) : null;
  if (devPlan && devX && devY) {
    loadInput(net, devX, devPlan.input);
    devPlan.target.data.set(devY.data);
  }
  // Before any kernel runs: a forward pass in training mode already moves batch-norm statistics.
  if (ownsOptimizer) owned.collect(() => optimizer.build(be, batches.full.params, where));
  else optimizer.build(be, batches.full.params, where);
  // `good` holds the parameters at the start of the latest epoch whose first cost was finite;
  // `spare` takes each epoch's start until that cost is seen. Swapping avoids a second copy.
  const [good, spare, best] = owned.collect(() => [
    new ParameterSnapshot(net, be),
    new ParameterSnapshot(net, be),
    options.earlyStopping && (options.earlyStopping.restoreBest ?? true) ? new ParameterSnapshot(net, be) : null,
  ]);
  return { batches, be, fullBatch, XT, YT, gathered, sequences, targets, devPlan, devX, devY, good: good!, spare: spare!, best };
}

/** The training loop over what {@link prepare} allocated. */
function train(
  net: Network,
  X: Tensor,
  m: number,
  total: number,
  batchSize: number,
  perEpoch: number,
  options: FitOptions,
  optimizer: Optimizer,
  augment: ReturnType<typeof resolveAugment> | null,
  setup: Setup,
  where: string,
): History {
  const { batches, be, fullBatch, XT, YT, gathered, sequences, targets, devPlan, best } = setup;
  let { good, spare } = setup;
  const shuffle = !fullBatch && (options.shuffle ?? true);
  const order = new Int32Array(m);
  const image = net.inputShape.kind === 'image' ? net.inputShape : null;
  const scratch = augment ? new Float32Array(net.inputSize) : null;
  const hasDev = options.dev !== undefined;
  const devCost = (): number => {
    if (!devPlan) return net.costOfChecked(setup.devX!, setup.devY!);
    devPlan.forward(false);
    return devPlan.cost();
  };
  const params = batches.full.params;
  let goodEpoch = 0;
  const cost = new Float64Array(total);
  const dataCost = new Float64Array(total);
  const history: History = { cost: [], unregularizedCost: [], epochs: [], dev: [], stopReason: 'completed', bestEpoch: null, seconds: 0 };
  const { onIteration, onEpoch, signal, devEvery } = options;
  const patience = options.earlyStopping?.patience ?? Infinity;
  const minDelta = options.earlyStopping?.minDelta ?? 0;
  const resume = options.earlyStopping?.resume;
  let bestDev = resume?.bestDevCost ?? Infinity;
  let sinceBest = resume?.epochsSinceBest ?? 0;
  history.bestEpoch = resume?.bestEpoch ?? null;
  if (best && resume?.bestNetwork) best.copyFrom(resume.bestNetwork);
  const start = now();
  let it = 0;
  const firstEpoch = options.initialEpoch ?? 0;
  for (let epoch = firstEpoch; it < total; epoch++) {
    const lr = rateAt(options, epoch, where);
    // Each epoch shuffles the identity afresh, so the order depends only on the generator's state (resumable).
    for (let i = 0; i < m; i++) order[i] = i;
    if (shuffle) net.rng.shuffle(order);
    spare.save();
    const epochStart = now();
    let sum = 0;
    let sumData = 0;
    let steps = 0;
    for (let b = 0; b < perEpoch && it < total; b++) {
      const isLast = b === perEpoch - 1 && batches.last !== null;
      const plan = isLast ? batches.last! : batches.full;
      if (gathered) {
        const g = isLast ? gathered.last! : gathered.full;
        be.gatherRows(XT, order, b * batchSize, plan.m, g.columns);
        be.transpose(g.columns, g.rows);
      } else if (sequences) {
        const g = isLast ? sequences.last! : sequences.full;
        be.gatherRows(XT, order, b * batchSize, plan.m, g.columns);
        const v = g.views();
        for (let i = 0; i < v.from.length; i++) be.transpose(v.from[i]!, v.to[i]!);
      } else if (!fullBatch) {
        be.gatherRows(XT, order, b * batchSize, plan.m, plan.input);
      }
      if (targets) {
        const g = isLast ? targets.last! : targets.full;
        be.gatherRows(YT, order, b * batchSize, plan.m, g.columns);
        const v = g.views();
        for (let i = 0; i < v.from.length; i++) be.transpose(v.from[i]!, v.to[i]!);
      } else if (!fullBatch) {
        be.gatherRows(YT, order, b * batchSize, plan.m, plan.target);
      }
      if (augment && image) {
        // Full batch: every iteration augments the original examples afresh.
        if (fullBatch) plan.input.data.set(X.data);
        augmentBatch(plan.input.data, plan.m, image.h, image.w, image.c, augment, net.rng, scratch!);
      }
      plan.forward(true);
      const J0 = plan.cost();
      const J = J0 + plan.regularizationCost();
      if (!Number.isFinite(J)) {
        good.restore();
        throw new DivergenceError(
          `fit: the cost became ${J} at iteration ${it} (epoch ${epoch}, learning rate ${lr}); try a lower learning rate. The parameters from the start of epoch ${goodEpoch} were kept.`,
          it,
        );
      }
      if (b === 0) {
        const t = good;
        good = spare;
        spare = t;
        goodEpoch = epoch;
      }
      cost[it] = J;
      dataCost[it] = J0;
      sum += J;
      sumData += J0;
      steps++;
      plan.backward();
      if (options.clipValue !== undefined) clipByValue(plan.paramGrads, options.clipValue);
      if (options.clipNorm !== undefined) clipByNorm(be, plan.paramGrads, options.clipNorm);
      optimizer.apply(be, params, plan.paramGrads, lr);
      if (onIteration) onIteration(it, J);
      it++;
      if (hasDev && devEvery !== undefined && it % devEvery === 0) history.dev.push({ iteration: it, cost: devCost() });
      if (signal?.aborted) break;
    }
    const dc = hasDev ? devCost() : null;
    if (dc !== null && (devEvery === undefined || it % devEvery !== 0)) history.dev.push({ iteration: it, cost: dc });
    history.epochs.push({ cost: sum / steps, unregularizedCost: sumData / steps, devCost: dc, learningRate: lr });
    let stop = false;
    if (dc !== null) {
      if (dc < bestDev - minDelta) {
        bestDev = dc;
        history.bestEpoch = epoch;
        sinceBest = 0;
        best?.save();
      } else if (++sinceBest >= patience) {
        stop = true;
      }
    }
    if (onEpoch) {
      const elapsed = (now() - epochStart) / 1000;
      onEpoch({
        epoch,
        iterations: it,
        cost: sum / steps,
        unregularizedCost: sumData / steps,
        devCost: dc,
        learningRate: lr,
        seconds: (now() - start) / 1000,
        examplesPerSecond: elapsed > 0 ? (steps * batchSize) / elapsed : Infinity,
        bestDevCost: dc === null ? null : bestDev,
        bestEpoch: history.bestEpoch,
        epochsSinceBest: sinceBest,
      });
    }
    if (signal?.aborted) {
      history.stopReason = 'aborted';
      break;
    }
    if (stop) {
      history.stopReason = 'earlyStopping';
      break;
    }
  }
  if (best && history.bestEpoch !== null) best.restore();
  history.cost = Array.from(cost.subarray(0, it));
  history.unregularizedCost = Array.from(dataCost.subarray(0, it));
  history.seconds = (now() - start) / 1000;
  return history;
}

const TRAINING_ADVICE = "use fewer units or filters, a smaller batch or dev set, or an optimizer with less state ('gd')";

/** Bytes per value of a dtype. */
function bytesPer(t: { readonly dtype: string }): number {
  return t.dtype === 'float64' ? 8 : 4;
}

/** Buffers an optimizer keeps per trainable value, by name: its state is this many copies of the parameters. */
const OPTIMIZER_COPIES: { readonly [name: string]: number } = { momentum: 1, rmsprop: 1, adam: 2 };

/**
 * A lower bound of what one call allocates besides the network itself, from
 * shapes alone: gradients (one set per training plan), the parameter
 * snapshots, the optimizer's state when it is still to be made, the data copies
 * mini-batches are gathered from, and each plan's input and layer outputs
 * (a plan holds more: caches, masks, input gradients, im2col matrices).
 */
function trainingBytes(
  net: Network,
  X: Tensor,
  Y: Tensor,
  batchSize: number,
  devM: number,
  optimizerName: string,
  makesState: boolean,
  keepsBest: boolean,
): { total: number; breakdown: string } {
  const m = Y.cols;
  const per = net.dtype === 'float64' ? 8 : 4;
  const layers = net.layerBytes();
  const state = layers.reduce((s, l) => s + l.bytes, 0);
  const trainable = layers.reduce((s, l) => s + l.trainableBytes, 0);
  const trainingPlans = m % batchSize === 0 ? 1 : 2;
  const examples = batchSize + (m % batchSize) + devM;
  let outputs = 0;
  const visit = (ls: readonly Layer[]): void => {
    for (const l of ls) {
      outputs += featureCount(l.outputShape);
      const inner = l as Partial<{ main: readonly Layer[]; shortcut: readonly Layer[] }>;
      if (inner.main) visit(inner.main);
      if (inner.shortcut) visit(inner.shortcut);
    }
  };
  visit(net.stack);
  const parts: [string, number][] = [
    [`gradients${trainingPlans > 1 ? ' (full and last batch)' : ''}`, trainingPlans * trainable],
    [`${keepsBest ? 3 : 2} parameter snapshots`, (keepsBest ? 3 : 2) * state],
    [`${optimizerName} state`, makesState ? (OPTIMIZER_COPIES[optimizerName] ?? 0) * trainable : 0],
    ['data copies for mini-batches', batchSize === m ? 0 : X.size * bytesPer(X) + Y.size * bytesPer(Y)],
    ['batch buffers', (net.inputSize + outputs + net.outputLayer.units) * examples * per],
  ];
  const total = parts.reduce((s, [, b]) => s + b, 0);
  const breakdown = parts
    .filter(([, b]) => b > 0)
    .map(([what, b]) => `${what} ${formatBytes(b)}`)
    .join(', ');
  return { total, breakdown: ` (at least: ${breakdown})` };
}

/** Examples per block of {@link transposedCopy}: a (rows, TRANSPOSE_BLOCK) staging block in the backend's memory. */
const TRANSPOSE_BLOCK = 2048;

/**
 * A (cols, rows) copy of T in the backend's memory: block by block of columns, each copied into a
 * staging block (contiguous runs) and transposed there by the backend's kernel (SIMD on wasm: 3 ms
 * for MNIST's 784 x 8,000 where a blocked JS loop took 20), so memory holds one block more, not a second X.
 */
function transposedCopy(be: Backend, t: Tensor): Tensor {
  const { rows, cols } = t;
  const out = be.zeros([cols, rows], t.dtype);
  const staging = new Allocations();
  try {
    const block = staging.collect(() => be.zeros([rows, Math.min(cols, TRANSPOSE_BLOCK)], t.dtype));
    for (let j0 = 0; j0 < cols; j0 += TRANSPOSE_BLOCK) {
      const c = Math.min(TRANSPOSE_BLOCK, cols - j0);
      const from = new Tensor([rows, c], block.data.subarray(0, rows * c));
      for (let i = 0; i < rows; i++) from.data.set(t.data.subarray(i * cols + j0, i * cols + j0 + c), i * c);
      be.transpose(from, new Tensor([c, rows], out.data.subarray(j0 * rows, (j0 + c) * rows)));
    }
  } finally {
    staging.release();
  }
  return out;
}

/**
 * Checks that X holds only finite numbers through the copy training reads: the sum of squares of
 * finite float32 values is finite in float64, so one SIMD pass settles it; only when it is not
 * (a NaN or an infinity, or float64 values beyond 1e154) does the exact scan run, naming X's row and column.
 */
function assertFiniteCopy(be: Backend, copy: Tensor, X: Tensor, where: string): void {
  if (!Number.isFinite(be.sumSquares(copy))) assertFinite(X, where, 'X');
}

/** Examples given as rows (images (m, n_H, n_W, n_C), or flat (m, n_x)) as (m, n) rows in the backend's memory. */
function rowsCopy(be: Backend, x: Tensor, m: number): Tensor {
  const out = be.zeros([m, x.size / m], x.dtype);
  out.data.set(x.data);
  return out;
}

/** A gathered image batch: the examples as columns (what gatherRows writes), and the plan's input as (count, n) rows. */
interface ImageGather {
  readonly columns: Tensor;
  readonly rows: Tensor;
}

function imageGather(be: Backend, batches: Batches, n: number): { full: ImageGather; last: ImageGather | null } {
  const make = (plan: Plan): ImageGather => ({ columns: be.zeros([n, plan.m], plan.input.dtype), rows: new Tensor([plan.m, n], plan.input.data) });
  return { full: make(batches.full), last: batches.last ? make(batches.last) : null };
}

/** Clips every element of every gradient to [-c, c] in place (one pass; NaN stays NaN, so divergence is still detected). */
function clipByValue(grads: readonly Tensor[], c: number): void {
  for (const g of grads) {
    const d = g.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (v > c) d[i] = c;
      else if (v < -c) d[i] = -c;
    }
  }
}

/** Scales every gradient by c / norm when their global norm exceeds c (in place, allocation-free). */
function clipByNorm(be: Backend, grads: readonly Tensor[], c: number): void {
  let sum = 0;
  for (const g of grads) sum += be.sumSquares(g);
  const norm = Math.sqrt(sum);
  if (!(norm > c)) return;
  // G += (c / norm - 1) G: G times c / norm.
  for (const g of grads) be.axpy(c / norm - 1, g, g);
}

/** Sequences X (n, m, T) as (m, n T) rows in the backend's memory: row j holds example j's x[i, j, t], feature by feature. */
function sequenceRows(be: Backend, x: Tensor, m: number): Tensor {
  const [n, , T] = x.shape as [number, number, number];
  const out = be.zeros([m, n * T], x.dtype);
  const S = x.data;
  const D = out.data;
  for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) D.set(S.subarray((i * m + j) * T, (i * m + j + 1) * T), (j * n + i) * T);
  return out;
}

/**
 * A gathered sequence batch: the examples as (n T, count) columns (what gatherRows writes), and
 * per feature i the (T, count) block of the columns and the (count, T) block of the plan's input
 * (n, count, T) it is transposed into. The views are rebuilt only when a buffer's memory moved.
 */
interface SequenceGather {
  readonly columns: Tensor;
  views(): { readonly from: readonly Tensor[]; readonly to: readonly Tensor[] };
}

function sequenceGather(be: Backend, batches: Batches, n: number, T: number, target = false): { full: SequenceGather; last: SequenceGather | null } {
  const make = (plan: Plan): SequenceGather => {
    const count = plan.m;
    const dst = target ? plan.target : plan.input;
    const columns = be.zeros([n * T, count], dst.dtype);
    let cols: unknown = null;
    let input: unknown = null;
    let cached: { from: Tensor[]; to: Tensor[] } = { from: [], to: [] };
    return {
      columns,
      views: () => {
        if (cols !== columns.data || input !== dst.data) {
          cols = columns.data;
          input = dst.data;
          const from: Tensor[] = [];
          const to: Tensor[] = [];
          for (let i = 0; i < n; i++) {
            from.push(new Tensor([T, count], columns.data.subarray(i * T * count, (i + 1) * T * count)));
            to.push(new Tensor([count, T], dst.data.subarray(i * count * T, (i + 1) * count * T)));
          }
          cached = { from, to };
        }
        return cached;
      },
    };
  };
  return { full: make(batches.full), last: batches.last ? make(batches.last) : null };
}

/** resolveOptimizer, with its messages naming this call's argument. */
function optimizerFor(spec: OptimizerSpec | undefined, where: string): Optimizer {
  try {
    return resolveOptimizer(spec ?? 'gd');
  } catch (e) {
    if (e instanceof ValueError) throw new ValueError(e.message.replace(/^resolveOptimizer: spec/, `${where}: optimizer`));
    throw e;
  }
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
