/**
 * The course's parameter dictionary: initialize_parameters_deep and
 * update_parameters, with W[l] of shape (n[l], n[l-1]) and b[l] of (n[l], 1).
 */
import { backendFor } from '../backend/registry.js';
import { initializeWeights, resolveInitializer, type InitSpec } from '../nn/initializers.js';
import type { Parameters } from '../nn/network.js';
import { Rng } from '../random/rng.js';
import { formatShape, ShapeError, ValueError } from '../tensor/errors.js';
import { Tensor, type DType } from '../tensor/tensor.js';
import { assertFinite, assertPositiveFinite, assertPositiveInt, assertSeed, describe } from '../tensor/validate.js';

/** Gradients by their course names: dW1, db1, ..., and dA0 ... dA(L-1). */
export type Gradients = { [key: `dW${number}` | `db${number}` | `dA${number}`]: Tensor };

/** Options of {@link initializeParameters}. */
export interface InitializeOptions {
  /** Default 'random' (randn * 0.01), as in the course's deep-network assignment. */
  init?: InitSpec;
  /** Seed of the generator; default 0. */
  seed?: number;
  /** Default 'float32'. */
  dtype?: DType;
}

/**
 * Initializes W1, b1, ..., WL, bL for layer sizes [n[0], n[1], ..., n[L]].
 * Biases are zeros; weights follow `init`.
 *
 * @example
 * ```ts
 * import { initializeParameters } from 'layerwise';
 * const p = initializeParameters([5, 4, 3], { init: 'he', seed: 3 });
 * p.W1!.rows === 4 && p.W1!.cols === 5; // true
 * p.b2!.rows === 3 && p.b2!.cols === 1; // true
 * ```
 */
export function initializeParameters(layerDims: readonly number[], options: InitializeOptions = {}): Parameters {
  const where = 'initializeParameters';
  if (!Array.isArray(layerDims) || layerDims.length < 2) {
    throw new ValueError(`${where}: layerDims: expected at least two sizes [n_x, ..., n_L], got ${describe(layerDims)}`);
  }
  layerDims.forEach((n, i) => assertPositiveInt(n, where, `layerDims[${i}]`));
  if (options === null || typeof options !== 'object') throw new ValueError(`${where}: options: expected { init?, seed?, dtype? }, got ${describe(options)}`);
  const seed = assertSeed(options.seed ?? 0, where);
  const init = resolveInitializer(options.init ?? 'random', where, 'init');
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new ValueError(`${where}: dtype: expected "float32" or "float64", got ${describe(dtype)}`);
  const rng = new Rng(seed);
  const be = backendFor(dtype);
  const params: Parameters = {};
  for (let l = 1; l < layerDims.length; l++) {
    const n = layerDims[l]!;
    const nPrev = layerDims[l - 1]!;
    const W = be.zeros([n, nPrev], dtype);
    initializeWeights(W.data, nPrev, init, rng);
    params[`W${l}`] = W;
    params[`b${l}`] = be.zeros([n, 1], dtype);
  }
  return params;
}

/** The number of layers L in a parameter dictionary, checking W1..WL and b1..bL are all there. */
export function countLayers(parameters: Parameters, where: string): number {
  if (parameters === null || typeof parameters !== 'object') throw new ValueError(`${where}: parameters: expected { W1, b1, ... }, got ${describe(parameters)}`);
  let L = 0;
  while (parameters[`W${L + 1}`] !== undefined) L++;
  if (L === 0) throw new ValueError(`${where}: parameters: expected W1, b1, ..., got keys ${describe(Object.keys(parameters))}`);
  for (let l = 1; l <= L; l++) {
    const W: unknown = parameters[`W${l}`];
    const b: unknown = parameters[`b${l}`];
    if (!(W instanceof Tensor) || W.shape.length !== 2) {
      throw new ValueError(`${where}: parameters: W${l}: expected a matrix (2-D Tensor), got ${W instanceof Tensor ? `shape ${formatShape(W.shape)}` : describe(W)}`);
    }
    if (!b) throw new ValueError(`${where}: parameters: W${l} has no b${l}`);
    if (!(b instanceof Tensor)) throw new ValueError(`${where}: parameters: b${l}: expected a Tensor, got ${describe(b)}`);
    if (b.shape.length !== 2 || b.rows !== W.rows || b.cols !== 1) {
      throw new ShapeError(`${where}: parameters: b${l}: expected shape (${W.rows}, 1) to match W${l} ${formatShape(W.shape)}, got ${formatShape(b.shape)}`);
    }
    const prev = parameters[`W${l - 1}`];
    if (prev && prev.rows !== W.cols) {
      throw new ShapeError(`${where}: parameters: W${l}: expected ${prev.rows} columns to follow W${l - 1} ${formatShape(prev.shape)}, got ${formatShape(W.shape)}`);
    }
    assertFinite(W, where, `parameters: W${l}`);
    assertFinite(b, where, `parameters: b${l}`);
  }
  return L;
}

/**
 * One gradient-descent step: W[l] = W[l] - alpha dW[l], b[l] = b[l] - alpha db[l].
 * Returns new parameters; the inputs are not changed.
 *
 * @example
 * ```ts
 * import { initializeParameters, updateParameters, tensor } from 'layerwise';
 * const p = initializeParameters([2, 1], { init: 'zeros' });
 * const grads = { dW1: tensor([[1, -1]]), db1: tensor([[0.5]]) };
 * const W1 = updateParameters(p, grads, 0.1).W1!; // [[-0.1, 0.1]]
 * Math.abs(W1.get(0, 0) + 0.1) < 1e-6 && Math.abs(W1.get(0, 1) - 0.1) < 1e-6; // true
 * ```
 */
export function updateParameters(parameters: Parameters, grads: Gradients, learningRate: number): Parameters {
  const where = 'updateParameters';
  const L = countLayers(parameters, where);
  const lr = assertPositiveFinite(learningRate, where, 'learningRate');
  if (grads === null || typeof grads !== 'object') throw new ValueError(`${where}: grads: expected { dW1, db1, ... }, got ${describe(grads)}`);
  const out: Parameters = {};
  for (let l = 1; l <= L; l++) {
    for (const name of [`W${l}`, `b${l}`] as const) {
      const p = parameters[name]!;
      const g = grads[`d${name}`];
      if (!g) throw new ValueError(`${where}: grads: expected d${name}, got keys ${describe(Object.keys(grads))}`);
      if (!(g instanceof Tensor)) throw new ValueError(`${where}: grads: d${name}: expected a Tensor, got ${describe(g)}`);
      if (g.shape.length !== p.shape.length || g.shape.some((d, i) => d !== p.shape[i])) {
        throw new ShapeError(`${where}: grads: d${name}: expected shape ${formatShape(p.shape)} like ${name}, got ${formatShape(g.shape)}`);
      }
      assertFinite(g, where, `grads: d${name}`);
      const be = backendFor(p.dtype);
      const next = be.zeros(p.shape, p.dtype);
      be.copy(p, next);
      be.axpy(-lr, g, next);
      out[name] = next;
    }
  }
  return out;
}
