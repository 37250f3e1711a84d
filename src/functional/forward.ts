/**
 * The course's forward building blocks: linear_forward,
 * linear_activation_forward and L_model_forward, returning the caches that
 * backward needs. They run the same kernels as the Network class.
 */
import type { Activation } from '../backend/backend.js';
import { backendFor } from '../backend/registry.js';
import { resolveActivation, type ActivationSpec } from '../nn/activations.js';
import { denseForward } from '../nn/layers/dense.js';
import type { Parameters } from '../nn/network.js';
import { formatShape, ShapeError, ValueError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertFinite, assertMatrix, describe, toTensor, type TensorLike } from '../tensor/validate.js';
import { countLayers } from './parameters.js';

/** What linearForward keeps: (A_prev, W, b). */
export interface LinearCache {
  readonly A: Tensor;
  readonly W: Tensor;
  readonly b: Tensor;
}

/** What linearActivationForward keeps: the linear cache, Z (the activation cache), A and g. */
export interface LayerCache {
  readonly linearCache: LinearCache;
  readonly activationCache: Tensor;
  readonly A: Tensor;
  readonly activation: Activation;
}

function checkLinearArgs(aPrev: TensorLike, w: TensorLike, b: TensorLike, where: string): LinearCache {
  const A = assertMatrix(toTensor(aPrev, where, 'A'), where, 'A');
  const W = assertMatrix(toTensor(w, where, 'W'), where, 'W');
  const B = assertMatrix(toTensor(b, where, 'b'), where, 'b');
  if (W.cols !== A.rows) {
    throw new ShapeError(`${where}: W ${formatShape(W.shape)} needs A with ${W.cols} rows (n[l-1], m), got A ${formatShape(A.shape)}`);
  }
  if (B.rows !== W.rows || B.cols !== 1) throw new ShapeError(`${where}: b: expected shape (${W.rows}, 1), got ${formatShape(B.shape)}`);
  if (A.dtype !== W.dtype || B.dtype !== W.dtype) {
    throw new ValueError(`${where}: A, W and b must share a dtype, got ${A.dtype}, ${W.dtype}, ${B.dtype}`);
  }
  assertFinite(A, where, 'A');
  assertFinite(W, where, 'W');
  assertFinite(B, where, 'b');
  return { A, W, b: B };
}

/**
 * Z = W A + b.
 *
 * @example
 * ```ts
 * import { linearForward } from 'layerwise';
 * const { Z } = linearForward([[1, 2], [3, 4]], [[1, -1]], [[0.5]]);
 * Z.get(0, 0) === -1.5 && Z.get(0, 1) === -1.5; // true
 * ```
 */
export function linearForward(aPrev: TensorLike, w: TensorLike, b: TensorLike): { Z: Tensor; cache: LinearCache } {
  const cache = checkLinearArgs(aPrev, w, b, 'linearForward');
  const { A, W } = cache;
  const be = backendFor(W.dtype);
  const Z = be.zeros([W.rows, A.cols], W.dtype);
  denseForward(be, W, cache.b, A, Z, Z, { kind: 'linear' });
  return { Z, cache };
}

/**
 * A = g(W A_prev + b), with the cache backward needs.
 *
 * @example
 * ```ts
 * import { linearActivationForward } from 'layerwise';
 * const { A } = linearActivationForward([[1, 2], [3, 4]], [[1, -1]], [[0.5]], 'relu');
 * A.get(0, 0) === 0 && A.get(0, 1) === 0; // true
 * ```
 */
export function linearActivationForward(
  aPrev: TensorLike,
  w: TensorLike,
  b: TensorLike,
  activation: ActivationSpec,
): { A: Tensor; cache: LayerCache } {
  const where = 'linearActivationForward';
  const act = resolveActivation(activation, where, 'activation');
  const linearCache = checkLinearArgs(aPrev, w, b, where);
  const { A: Aprev, W } = linearCache;
  const be = backendFor(W.dtype);
  const Z = be.zeros([W.rows, Aprev.cols], W.dtype);
  const A = be.zeros([W.rows, Aprev.cols], W.dtype);
  denseForward(be, W, linearCache.b, Aprev, Z, A, act);
  return { A, cache: { linearCache, activationCache: Z, A, activation: act } };
}

/** The activations of an L-layer model: given, or the course's [relu, ..., relu, sigmoid]. */
export function resolveModelActivations(L: number, activations: readonly ActivationSpec[] | undefined, where: string): Activation[] {
  if (activations === undefined) return Array.from({ length: L }, (_, i) => resolveActivation(i === L - 1 ? 'sigmoid' : 'relu'));
  if (!Array.isArray(activations) || activations.length !== L) {
    throw new ValueError(`${where}: activations: expected ${L} activations (one per layer), got ${describe(activations)}`);
  }
  return activations.map((a, i) => resolveActivation(a, where, `activations[${i}]`));
}

/**
 * The forward pass of an L-layer model: A[0] = X, A[l] = g[l](W[l] A[l-1] + b[l]).
 * `activations` defaults to ReLU for layers 1..L-1 and sigmoid for L.
 *
 * @example
 * ```ts
 * import { initializeParameters, modelForward } from 'layerwise';
 * const p = initializeParameters([2, 3, 1], { seed: 1 });
 * const { AL, caches } = modelForward([[0.1, 0.2], [0.3, 0.4]], p, ['tanh', 'sigmoid']);
 * AL.rows === 1 && AL.cols === 2; // true
 * caches.length === 2; // true
 * ```
 */
export function modelForward(
  x: TensorLike,
  parameters: Parameters,
  activations?: readonly ActivationSpec[],
): { AL: Tensor; caches: LayerCache[] } {
  const where = 'modelForward';
  const L = countLayers(parameters, where);
  const acts = resolveModelActivations(L, activations, where);
  const X = assertMatrix(toTensor(x, where, 'X'), where, 'X');
  const W1 = parameters.W1!;
  if (X.rows !== W1.cols) throw new ShapeError(`${where}: X: expected shape (${W1.cols}, m) to match W1 ${formatShape(W1.shape)}, got ${formatShape(X.shape)}`);
  assertFinite(X, where, 'X');
  const caches: LayerCache[] = [];
  let A = X;
  for (let l = 1; l <= L; l++) {
    const out = linearActivationForward(A, parameters[`W${l}`]!, parameters[`b${l}`]!, acts[l - 1]!);
    caches.push(out.cache);
    A = out.A;
  }
  return { AL: A, caches };
}
