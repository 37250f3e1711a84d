/**
 * A dense L-layer network in the course's notation: W[l] is (n[l], n[l-1]),
 * b[l] is (n[l], 1), examples are columns. Training lives in `train/`; this
 * module holds the structure, the parameters and inference.
 */
import type { Activation } from '../backend/backend.js';
import { backendFor } from '../backend/registry.js';
import { Rng } from '../random/rng.js';
import { formatShape, ShapeError, ValueError } from '../tensor/errors.js';
import type { DType, Tensor } from '../tensor/tensor.js';
import { assertFinite, assertMatrix, assertNonEmpty, assertPositiveInt, describe, toTensor, type TensorLike } from '../tensor/validate.js';
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
}

/** A dense layer: its parameters and how it was made. */
export interface DenseLayer {
  readonly units: number;
  readonly activation: Activation;
  readonly init: Initializer;
  /** W[l], (n[l], n[l-1]). */
  readonly W: Tensor;
  /** b[l], (n[l], 1). */
  readonly b: Tensor;
}

/** Parameters by their course names: `W1, b1, ..., WL, bL`. */
export type Parameters = { [key: `W${number}` | `b${number}`]: Tensor };

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
 * console.log(net.parameters.W1.shape); // [4, 2]
 * ```
 */
export class Network {
  readonly inputSize: number;
  readonly layers: readonly DenseLayer[];
  readonly loss: LossInfo;
  readonly dtype: DType;
  readonly seed: number;
  /** The one generator for everything random this network does. */
  readonly rng: Rng;
  private inferencePlan: Plan | null = null;

  constructor(options: NetworkOptions) {
    const where = 'Network';
    if (options === null || typeof options !== 'object') throw new ValueError(`${where}: options: expected an object, got ${describe(options)}`);
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
    const be = backendFor(dtype);
    const L = options.layers.length;
    let fanIn = this.inputSize;
    this.layers = options.layers.map((spec, i) => {
      const l = i + 1;
      const units = assertPositiveInt(spec?.units, where, `layers[${i}].units`);
      const activation = resolveActivation(spec.activation ?? (l === L ? 'sigmoid' : 'relu'), where, `layers[${i}].activation`);
      const init = spec.init === undefined ? netInit : resolveInitializer(spec.init, where, `layers[${i}].init`);
      const W = be.zeros([units, fanIn], dtype);
      const b = be.zeros([units, 1], dtype);
      initializeWeights(W.data, fanIn, init, this.rng);
      fanIn = units;
      return { units, activation, init, W, b };
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
      p[`b${i + 1}`] = layer.b;
    });
    return p;
  }

  /** The layer specs that rebuild this architecture. */
  get layerSpecs(): LayerSpec[] {
    return this.layers.map((l) => ({ units: l.units, activation: activationToSpec(l.activation) }));
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
    this.loss.checkTargets(Y, where, name);
    return Y;
  }

  /**
   * The output activations A[L] for inputs X of shape (n_x, m).
   *
   * @example
   * ```ts
   * import { Network } from 'layerwise';
   * const net = new Network({ inputSize: 2, layers: [{ units: 1, activation: 'sigmoid' }], init: 'zeros' });
   * net.predict([[1], [2]]).get(0, 0); // 0.5
   * ```
   */
  predict(x: TensorLike): Tensor {
    const X = this.checkInput(x, 'predict');
    return this.forwardPlan(X.cols).run(X).clone();
  }

  /**
   * Class predictions as a (1, m) row: 0/1 by threshold 0.5 for a sigmoid
   * output with one unit, the argmax row index for softmax.
   *
   * @example
   * ```ts
   * import { Network } from 'layerwise';
   * const net = new Network({ inputSize: 2, layers: [{ units: 1, activation: 'sigmoid' }], init: 'zeros' });
   * net.classify([[1], [2]]).toArray(); // [[1]] (0.5 rounds up)
   * ```
   */
  classify(x: TensorLike, threshold = 0.5): Tensor {
    const A = this.predict(x);
    return classifyOutputs(A, this.outputLayer.activation, threshold);
  }

  /**
   * The cost J on (X, Y), without regularization.
   *
   * @example
   * ```ts
   * import { Network } from 'layerwise';
   * const net = new Network({ inputSize: 1, layers: [{ units: 1, activation: 'sigmoid' }], init: 'zeros' });
   * net.cost([[1, 2]], [[1, 0]]); // log 2 = 0.693...
   * ```
   */
  cost(x: TensorLike, y: TensorLike): number {
    const X = this.checkInput(x, 'cost');
    const Y = this.checkTargets(y, X.cols, 'cost');
    const plan = this.forwardPlan(X.cols);
    plan.run(X);
    return plan.cost(Y);
  }

  private forwardPlan(m: number): Plan {
    if (!this.inferencePlan || this.inferencePlan.m !== m) this.inferencePlan = new Plan(this, m, false);
    return this.inferencePlan;
  }
}

/** Turns output activations into class labels (see {@link Network.classify}). */
export function classifyOutputs(A: Tensor, output: Activation, threshold = 0.5): Tensor {
  const out = backendFor(A.dtype).zeros([1, A.cols], A.dtype);
  const { rows, cols } = A;
  for (let j = 0; j < cols; j++) {
    if (rows === 1) {
      const v = A.data[j] as number;
      out.data[j] = output.kind === 'sigmoid' ? (v >= threshold ? 1 : 0) : v;
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
 * ```
 */
export function logisticRegression(inputSize: number, options: { seed?: number; dtype?: DType } = {}): Network {
  return new Network({ inputSize, layers: [{ units: 1, activation: 'sigmoid' }], init: 'zeros', ...options });
}
