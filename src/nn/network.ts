/**
 * A dense L-layer network in the course's notation: W[l] is (n[l], n[l-1]),
 * b[l] is (n[l], 1), examples are columns. Training lives in `train/`; this
 * module holds the structure, the parameters and inference.
 */
import type { Activation, Backend } from '../backend/backend.js';
import { backendFor } from '../backend/registry.js';
import { Rng } from '../random/rng.js';
import { formatShape, ShapeError, ValueError } from '../tensor/errors.js';
import type { DType, Tensor } from '../tensor/tensor.js';
import { assertFinite, assertKnownKeys, assertMatrix, assertNonEmpty, assertPositiveFinite, assertPositiveInt, describe, toTensor, type TensorLike } from '../tensor/validate.js';
import { activationToSpec, resolveActivation, type ActivationSpec } from './activations.js';
import { initializeWeights, resolveInitializer, type Initializer, type InitSpec } from './initializers.js';
import { checkLossMatchesOutput, defaultLossFor, resolveLoss, type LossInfo, type LossName } from './losses.js';
import { Plan } from './plan.js';

/** One dense layer as a user declares it. */
export interface LayerSpec {
  /** n[l], the number of units. */
  units: number;
  /** g[l]; default 'relu' for hidden layers, 'sigmoid' for the output. */
  activation?: ActivationSpec;
  /** Overrides the network's initializer for this layer's W. */
  init?: InitSpec;
  /** Inverted dropout on this layer's output A[l] while training: keep probability in (0, 1]. Hidden layers only. */
  keepProb?: number;
  /** Batch normalization of Z[l] (replaces b[l] with gamma[l], beta[l]). Hidden layers only. */
  batchNorm?: boolean;
  /** L2 strength lambda for this layer's W (overrides the network's). */
  l2?: number;
  /** L1 strength lambda for this layer's W (overrides the network's). */
  l1?: number;
}

/** Everything that defines a network. */
export interface NetworkOptions {
  /** n[0] = n_x, the number of input features. */
  inputSize: number;
  /** The layers 1..L, the last being the output layer. */
  layers: readonly LayerSpec[];
  /** How W[l] starts (biases always start at 0); default 'he'. */
  init?: InitSpec;
  /** Seed of the network's random generator (init, shuffling, dropout); default 0. */
  seed?: number;
  /** 'float32' (default) or 'float64'. */
  dtype?: DType;
  /** The cost; default from the output activation (sigmoid: BCE, softmax: CCE, else MSE). */
  loss?: LossName;
  /** L2 regularization: cost + (lambda / 2m) sum ||W[l]||_F^2 over layers; default 0. */
  l2?: number;
  /** L1 regularization: cost + (lambda / m) sum |W[l]|; default 0. */
  l1?: number;
  /** Inverted dropout on the inputs A[0] while training; default 1 (none). */
  inputKeepProb?: number;
  /** Default keep probability of every hidden layer; default 1 (none). */
  keepProb?: number;
  /** Batch-normalize every hidden layer; default false. */
  batchNorm?: boolean;
  /** Running-statistics momentum of batch normalization; default 0.9. */
  batchNormMomentum?: number;
  /** Batch normalization's epsilon; default 1e-5. */
  batchNormEpsilon?: number;
}

/** Batch-normalization parameters and running statistics of a layer. */
export interface BatchNormState {
  /** gamma[l], (n[l], 1), starts at 1. */
  readonly gamma: Tensor;
  /** beta[l], (n[l], 1), starts at 0. */
  readonly beta: Tensor;
  /** Exponentially weighted mean of Z[l] over training batches, used at prediction. */
  readonly runningMean: Tensor;
  /** Exponentially weighted variance of Z[l], used at prediction. */
  readonly runningVar: Tensor;
}

/** A dense layer: its parameters and how it was made. */
export interface DenseLayer {
  readonly units: number;
  readonly activation: Activation;
  readonly init: Initializer;
  /** W[l], (n[l], n[l-1]). */
  readonly W: Tensor;
  /** b[l], (n[l], 1); null when batch normalization's beta[l] takes its place. */
  readonly b: Tensor | null;
  /** Dropout keep probability of A[l] while training (1 = no dropout). */
  readonly keepProb: number;
  /** L2 lambda for W[l]. */
  readonly l2: number;
  /** L1 lambda for W[l]. */
  readonly l1: number;
  /** Batch normalization, or null. */
  readonly bn: BatchNormState | null;
}

/** Parameters by their course names: `W1, b1, ..., WL, bL` (and `gamma1, beta1` for batch-normalized layers). */
export type Parameters = { [key: `W${number}` | `b${number}` | `gamma${number}` | `beta${number}`]: Tensor };

/**
 * A dense L-layer network.
 *
 * @example
 * ```ts
 * import { Network, fit, tensor } from 'layerwise';
 * const net = new Network({
 *   inputSize: 2,
 *   layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }],
 *   init: 'random', // randn * 0.01, the course's planar setup
 *   seed: 1,
 * });
 * const X = tensor([[0, 1, 0, 1], [0, 0, 1, 1]]);
 * const Y = tensor([[0, 1, 1, 0]]);
 * fit(net, X, Y, { learningRate: 1.2, iterations: 100 });
 * net.parameters.W1!.rows === 4 && net.parameters.W1!.cols === 2; // true
 * ```
 */
export class Network {
  readonly inputSize: number;
  readonly layers: readonly DenseLayer[];
  readonly loss: LossInfo;
  readonly dtype: DType;
  readonly seed: number;
  /** Dropout keep probability of the inputs A[0]. */
  readonly inputKeepProb: number;
  /** Batch normalization's running-average momentum and epsilon. */
  readonly batchNormMomentum: number;
  readonly batchNormEpsilon: number;
  /** The one generator for everything random this network does. */
  readonly rng: Rng;
  private inferencePlan: Plan | null = null;

  constructor(options: NetworkOptions) {
    const where = 'Network';
    if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ValueError(`${where}: options: expected an object, got ${describe(options)}`);
    assertKnownKeys(options, NETWORK_OPTIONS, where, '');
    this.inputSize = assertPositiveInt(options.inputSize, where, 'inputSize');
    if (!Array.isArray(options.layers) || options.layers.length === 0) {
      throw new ValueError(`${where}: layers: expected a non-empty array of { units, activation }, got ${describe(options.layers)}`);
    }
    const dtype = options.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') throw new ValueError(`${where}: dtype: expected "float32" or "float64", got ${describe(dtype)}`);
    this.dtype = dtype;
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new ValueError(`${where}: seed: expected an integer in [0, 2^32), got ${describe(seed)}`);
    this.seed = seed;
    this.rng = new Rng(seed);
    const netInit = resolveInitializer(options.init ?? 'he', where, 'init');
    const netL2 = checkLambda(options.l2 ?? 0, where, 'l2');
    const netL1 = checkLambda(options.l1 ?? 0, where, 'l1');
    const netKeep = checkKeepProb(options.keepProb ?? 1, where, 'keepProb');
    this.inputKeepProb = checkKeepProb(options.inputKeepProb ?? 1, where, 'inputKeepProb');
    this.batchNormMomentum = checkUnitInterval(options.batchNormMomentum ?? 0.9, where, 'batchNormMomentum');
    this.batchNormEpsilon = assertPositiveFinite(options.batchNormEpsilon ?? 1e-5, where, 'batchNormEpsilon');
    const be = backendFor(dtype);
    const L = options.layers.length;
    let fanIn = this.inputSize;
    this.layers = options.layers.map((spec, i) => {
      const l = i + 1;
      const isOutput = l === L;
      if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
        throw new ValueError(`${where}: layers[${i}]: expected { units, activation?, ... }, got ${describe(spec)}`);
      }
      assertKnownKeys(spec, LAYER_OPTIONS, where, `layers[${i}].`);
      const units = assertPositiveInt(spec.units, where, `layers[${i}].units`);
      const activation = resolveActivation(spec.activation ?? (isOutput ? 'sigmoid' : 'relu'), where, `layers[${i}].activation`);
      if (activation.kind === 'softmax' && units < 2) {
        throw new ValueError(
          `${where}: layers[${i}].units: expected at least 2 units for a softmax layer (softmax over one unit always outputs 1, so the cost never moves; use sigmoid for a binary output), got ${units}`,
        );
      }
      const init = spec.init === undefined ? netInit : resolveInitializer(spec.init, where, `layers[${i}].init`);
      const keepProb = checkKeepProb(spec.keepProb ?? (isOutput ? 1 : netKeep), where, `layers[${i}].keepProb`);
      if (isOutput && keepProb !== 1) throw new ValueError(`${where}: layers[${i}].keepProb: dropout applies to hidden layers, not the output layer; expected 1, got ${keepProb}`);
      const useBn = spec.batchNorm ?? (isOutput ? false : (options.batchNorm ?? false));
      if (typeof useBn !== 'boolean') throw new ValueError(`${where}: layers[${i}].batchNorm: expected true or false, got ${describe(useBn)}`);
      if (isOutput && useBn) throw new ValueError(`${where}: layers[${i}].batchNorm: batch normalization applies to hidden layers, not the output layer`);
      const W = allocateWeights(be, units, fanIn, dtype, where, i);
      initializeWeights(W.data, fanIn, init, this.rng);
      const bn = useBn
        ? { gamma: full(be, [units, 1], 1, dtype), beta: be.zeros([units, 1], dtype), runningMean: be.zeros([units, 1], dtype), runningVar: full(be, [units, 1], 1, dtype) }
        : null;
      fanIn = units;
      return {
        units,
        activation,
        init,
        W,
        b: bn ? null : be.zeros([units, 1], dtype),
        keepProb,
        l2: spec.l2 === undefined ? netL2 : checkLambda(spec.l2, where, `layers[${i}].l2`),
        l1: spec.l1 === undefined ? netL1 : checkLambda(spec.l1, where, `layers[${i}].l1`),
        bn,
      };
    });
    const output = this.outputLayer.activation;
    this.loss = options.loss === undefined ? defaultLossFor(output) : resolveLoss(options.loss, where, 'loss');
    checkLossMatchesOutput(this.loss, output, where);
  }

  /** The last layer. */
  get outputLayer(): DenseLayer {
    return this.layers[this.layers.length - 1] as DenseLayer;
  }

  /** The course's layer_dims: [n[0], n[1], ..., n[L]]. */
  get layerDims(): number[] {
    return [this.inputSize, ...this.layers.map((l) => l.units)];
  }

  /** W1, b1, ..., WL, bL: live references (changing them changes the network). */
  get parameters(): Parameters {
    const p: Parameters = {};
    this.layers.forEach((layer, i) => {
      p[`W${i + 1}`] = layer.W;
      if (layer.b) p[`b${i + 1}`] = layer.b;
      if (layer.bn) {
        p[`gamma${i + 1}`] = layer.bn.gamma;
        p[`beta${i + 1}`] = layer.bn.beta;
      }
    });
    return p;
  }

  /** The layer specs that rebuild this architecture. */
  get layerSpecs(): LayerSpec[] {
    return this.layers.map((l) => {
      const spec: LayerSpec = { units: l.units, activation: activationToSpec(l.activation) };
      if (l.keepProb !== 1) spec.keepProb = l.keepProb;
      if (l.bn) spec.batchNorm = true;
      if (l.l2 !== 0) spec.l2 = l.l2;
      if (l.l1 !== 0) spec.l1 = l.l1;
      return spec;
    });
  }

  /** Checks an input matrix X of shape (n_x, m) and returns it as a tensor. */
  checkInput(x: TensorLike, where: string, name = 'X'): Tensor {
    const X = assertMatrix(toTensor(x, where, name), where, name);
    if (X.rows !== this.inputSize) {
      throw new ShapeError(
        `${where}: ${name}: expected shape (${this.inputSize}, m) with one column per example (the first layer has inputSize ${this.inputSize}), got ${formatShape(X.shape)}`,
      );
    }
    assertNonEmpty(X, where, name);
    assertFinite(X, where, name);
    this.assertFitsDType(X, where, name);
    return X;
  }

  /** Checks targets Y of shape (n[L], m) against X and the loss, and returns them as a tensor. */
  checkTargets(y: TensorLike, m: number, where: string, name = 'Y'): Tensor {
    const Y = assertMatrix(toTensor(y, where, name), where, name);
    const nL = this.outputLayer.units;
    if (Y.rows !== nL || Y.cols !== m) {
      throw new ShapeError(`${where}: ${name}: expected shape (${nL}, ${m}) to match the output layer and X's ${m} examples, got ${formatShape(Y.shape)}`);
    }
    assertFinite(Y, where, name);
    this.assertFitsDType(Y, where, name);
    this.loss.checkTargets(Y, where, name);
    return Y;
  }

  /**
   * Checks that every parameter and batch-norm statistic is finite, so a
   * NaN put into the weights (through `parameters`, which are live) fails here,
   * naming the tensor, rather than coming out of every prediction.
   */
  checkParameters(where: string, name = 'network'): void {
    for (const [k, t] of namedState(this)) assertFinite(t, where, `${name}.${k}`);
  }

  /**
   * A float64 tensor given to a float32 network is copied into float32
   * buffers, where a value beyond float32's range (about 3.4e38) becomes
   * Infinity: refuse it here, with its position, instead.
   */
  private assertFitsDType(t: Tensor, where: string, name: string): void {
    if (this.dtype !== 'float32' || t.dtype !== 'float64') return;
    const d = t.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (!Number.isFinite(Math.fround(v))) {
        throw new ValueError(
          `${where}: ${name}: expected values within the float32 range of the network (|value| < 3.4e38), got ${v} at row ${Math.floor(i / t.cols)}, column ${i % t.cols}`,
        );
      }
    }
  }

  /**
   * The output activations A[L] for inputs X of shape (n_x, m).
   *
   * @example
   * ```ts
   * import { Network } from 'layerwise';
   * const net = new Network({ inputSize: 2, layers: [{ units: 1, activation: 'sigmoid' }], init: 'zeros' });
   * net.predict([[1], [2]]).get(0, 0) === 0.5; // true
   * ```
   */
  predict(x: TensorLike): Tensor {
    return this.outputs(x, 'predict');
  }

  /** A[L] for X, with checks naming the public call. */
  private outputs(x: TensorLike, where: string): Tensor {
    const X = this.checkInput(x, where);
    this.checkParameters(where);
    return this.forwardPlan(X.cols).run(X).clone();
  }

  /**
   * Class predictions as a (1, m) row: 0/1 by `threshold` (a number in
   * (0, 1), default 0.5) for a sigmoid output with one unit, the argmax row
   * index for softmax (which takes no threshold).
   *
   * @example
   * ```ts
   * import { Network } from 'layerwise';
   * const net = new Network({ inputSize: 2, layers: [{ units: 1, activation: 'sigmoid' }], init: 'zeros' });
   * net.classify([[1], [2]]).get(0, 0) === 1; // true: 0.5 rounds up
   * ```
   */
  classify(x: TensorLike, threshold?: number): Tensor {
    const output = this.outputLayer;
    checkThreshold(threshold, output.activation, output.units, 'classify');
    const A = this.outputs(x, 'classify');
    return classifyOutputs(A, output.activation, threshold);
  }

  /**
   * The cost J on (X, Y), without regularization.
   *
   * @example
   * ```ts
   * import { Network } from 'layerwise';
   * const net = new Network({ inputSize: 1, layers: [{ units: 1, activation: 'sigmoid' }], init: 'zeros' });
   * Math.abs(net.cost([[1, 2]], [[1, 0]]) - Math.log(2)) < 1e-6; // true
   * ```
   */
  cost(x: TensorLike, y: TensorLike): number {
    const X = this.checkInput(x, 'cost');
    const Y = this.checkTargets(y, X.cols, 'cost');
    this.checkParameters('cost');
    const plan = this.forwardPlan(X.cols);
    plan.run(X);
    return plan.cost(Y);
  }

  private forwardPlan(m: number): Plan {
    if (!this.inferencePlan || this.inferencePlan.m !== m) this.inferencePlan = new Plan(this, m, false);
    return this.inferencePlan;
  }
}

function checkLambda(value: unknown, where: string, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValueError(`${where}: ${name}: expected a finite number >= 0 (the regularization strength lambda), got ${describe(value)}`);
  }
  return value;
}

function checkKeepProb(value: unknown, where: string, name: string): number {
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw new ValueError(`${where}: ${name}: expected a keep probability in (0, 1], got ${describe(value)}`);
  }
  return value;
}

function checkUnitInterval(value: unknown, where: string, name: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) throw new ValueError(`${where}: ${name}: expected a number in [0, 1), got ${describe(value)}`);
  return value;
}

function full(be: Backend, shape: readonly number[], value: number, dtype: DType): Tensor {
  const t = be.zeros(shape, dtype);
  be.fill(t, value);
  return t;
}

/**
 * The tensors a network's training changes, by their course names (W1, b1,
 * gamma1, beta1, runningMean1, runningVar1, W2, ...), layer by layer.
 */
export function namedState(net: Network): [string, Tensor][] {
  const out: [string, Tensor][] = [];
  net.layers.forEach((l, i) => {
    const n = i + 1;
    const ts: [string, Tensor | null | undefined][] = [
      [`W${n}`, l.W],
      [`b${n}`, l.b],
      [`gamma${n}`, l.bn?.gamma],
      [`beta${n}`, l.bn?.beta],
      [`runningMean${n}`, l.bn?.runningMean],
      [`runningVar${n}`, l.bn?.runningVar],
    ];
    for (const [name, t] of ts) if (t) out.push([name, t]);
  });
  return out;
}

const NETWORK_OPTIONS: readonly (keyof NetworkOptions)[] = [
  'inputSize',
  'layers',
  'init',
  'seed',
  'dtype',
  'loss',
  'l2',
  'l1',
  'inputKeepProb',
  'keepProb',
  'batchNorm',
  'batchNormMomentum',
  'batchNormEpsilon',
];
const LAYER_OPTIONS: readonly (keyof LayerSpec)[] = ['units', 'activation', 'init', 'keepProb', 'batchNorm', 'l2', 'l1'];

/** The classification threshold: only a one-unit sigmoid output has one, and it must split (0, 1). */
function checkThreshold(threshold: unknown, output: Activation, units: number, where: string): number {
  if (threshold === undefined) return 0.5;
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold < 1)) {
    throw new ValueError(`${where}: threshold: expected a number in (0, 1), got ${describe(threshold)}`);
  }
  if (output.kind !== 'sigmoid' || units !== 1) {
    throw new ValueError(`${where}: threshold: expected none for a ${output.kind} output with ${units} unit${units === 1 ? '' : 's'} (only a one-unit sigmoid output is thresholded), got ${threshold}`);
  }
  return threshold;
}

/**
 * Turns output activations into class labels (see {@link Network.classify}); `threshold` as there.
 *
 * @example
 * ```ts
 * import { classifyOutputs, resolveActivation, tensor } from 'layerwise';
 * const labels = classifyOutputs(tensor([[0.2, 0.7]]), resolveActivation('sigmoid'));
 * labels.get(0, 0) === 0 && labels.get(0, 1) === 1; // true
 * ```
 */
export function classifyOutputs(A: Tensor, output: Activation, threshold?: number): Tensor {
  const t = checkThreshold(threshold, output, A.rows, 'classifyOutputs');
  const out = backendFor(A.dtype).zeros([1, A.cols], A.dtype);
  const { rows, cols } = A;
  for (let j = 0; j < cols; j++) {
    if (rows === 1) {
      const v = A.data[j] as number;
      out.data[j] = output.kind === 'sigmoid' ? (v >= t ? 1 : 0) : v;
    } else {
      let best = 0;
      for (let i = 1; i < rows; i++) if ((A.data[i * cols + j] as number) > (A.data[best * cols + j] as number)) best = i;
      out.data[j] = best;
    }
  }
  return out;
}

/**
 * Logistic regression: the one-layer network with one sigmoid unit and zero
 * initialization (zeros is fine here: a single unit has no symmetry to break).
 *
 * @example
 * ```ts
 * import { logisticRegression, fit } from 'layerwise';
 * const net = logisticRegression(2);
 * fit(net, [[0, 1, 2, 3], [0, 1, 2, 3]], [[0, 0, 1, 1]], { learningRate: 0.5, iterations: 500 });
 * net.predict([[3], [3]]).get(0, 0) > 0.5; // true
 * ```
 */
export function logisticRegression(inputSize: number, options: { seed?: number; dtype?: DType } = {}): Network {
  return new Network({ inputSize, layers: [{ units: 1, activation: 'sigmoid' }], init: 'zeros', ...options });
}

/** The most weights one layer may hold: 2^28, 1 GiB in float32 (a quarter of wasm's 4 GiB memory). */
export const MAX_LAYER_WEIGHTS = 2 ** 28;

/**
 * A layer's W. The size is checked first: a float64 array of billions of
 * values can be reserved lazily and then take minutes to initialize.
 */
function allocateWeights(be: Backend, units: number, fanIn: number, dtype: DType, where: string, layer: number): Tensor {
  if (units * fanIn > MAX_LAYER_WEIGHTS) {
    throw new ValueError(`${where}: layers[${layer}].units: ${units} units x ${fanIn} inputs = ${units * fanIn} weights; expected at most ${MAX_LAYER_WEIGHTS} weights per layer, got ${units}`);
  }
  return be.zeros([units, fanIn], dtype);
}
