/**
 * The pooling half of the course's "Convolution model - Step by Step": pool_forward,
 * pool_backward and their helpers create_mask_from_window and distribute_value. The
 * forward and backward passes run the backend's pooling kernels, those of the
 * maxPool2d / avgPool2d layers.
 */
import { backendFor } from '../backend/registry.js';
import type { PoolMode } from '../nn/layers/pool.js';
import { geometry } from '../nn/layers/shape.js';
import { formatShape, ValueError } from '../tensor/errors.js';
import { assertDType, full, Tensor, zeros, type DType } from '../tensor/tensor.js';
import { assertFiniteNumber, assertPositiveInt, describe, type TensorLike } from '../tensor/validate.js';
import { checkCache, checkHyperparameters, checkImages, checkOutputGradient, checkTensor, checkWindowFits, imageOf } from './conv.js';

export type { PoolMode };

/** pool_forward's hparameters and mode: f x f windows moved by `stride`. */
export interface PoolHyperparameters {
  readonly f: number;
  readonly stride: number;
  readonly mode: PoolMode;
}

/** What poolForward keeps for poolBackward: (A_prev, hparameters), the mode included. */
export interface PoolCache {
  readonly Aprev: Tensor;
  readonly hparameters: PoolHyperparameters;
}

function checkPoolArgs(aPrev: TensorLike, hparameters: unknown, where: string, nA: string, nh: string): PoolCache {
  const hp = checkHyperparameters(hparameters, ['f', 'stride', 'mode'], where);
  const f = assertPositiveInt(hp.f, where, `${nh}.f`);
  const stride = hp.stride === undefined ? f : assertPositiveInt(hp.stride, where, `${nh}.stride`);
  const mode = hp.mode ?? 'max';
  if (mode !== 'max' && mode !== 'average') throw new ValueError(`${where}: ${nh}.mode: expected "max" or "average", got ${describe(mode)}`);
  const A = checkImages(aPrev, where, nA);
  checkWindowFits(A, f, stride, 0, where, `${nh}.f`, 'pooling window');
  return { Aprev: A, hparameters: { f, stride, mode } };
}

/**
 * pool_forward: max or average pooling of A_prev (m, n_H_prev, n_W_prev, n_C) over f x f
 * windows moved by `stride` (default f), channel by channel: A (m, n_H, n_W, n_C) with
 * n_H = floor((n_H_prev - f) / stride) + 1. `mode` is 'max' (default) or 'average'.
 *
 * @example
 * ```ts
 * import { poolForward } from 'layerwise';
 * const Aprev = [[[[1], [3]], [[5], [7]]]]; // (1, 2, 2, 1)
 * poolForward(Aprev, { f: 2, stride: 2 }).A.data[0] === 7; // true
 * poolForward(Aprev, { f: 2, stride: 2, mode: 'average' }).A.data[0] === 4; // true
 * ```
 */
export function poolForward(aPrev: TensorLike, hparameters: { f: number; stride?: number; mode?: PoolMode }): { A: Tensor; cache: PoolCache } {
  const where = 'poolForward';
  const cache = checkPoolArgs(aPrev, hparameters, where, 'A_prev', 'hparameters');
  const { Aprev, hparameters: hp } = cache;
  const be = backendFor(Aprev.dtype);
  const g = geometry(imageOf(Aprev), Aprev.shape[0]!, hp.f, hp.stride, 0);
  const A = be.zeros([g.m, g.outH, g.outW, g.c], Aprev.dtype);
  if (hp.mode === 'max') be.maxPoolForward(Aprev, A, g);
  else be.avgPoolForward(Aprev, A, g);
  return { A, cache };
}

/**
 * pool_backward: dA_prev from dA (m, n_H, n_W, n_C). Max pooling sends each dA to the arg-max
 * of its window: the FIRST maximum in row-major window order when values tie (numpy's
 * argmax; see {@link createMaskFromWindow}), so a gradient is never duplicated, where the
 * course's mask `x == np.max(x)` would mark every tied value. Average pooling spreads each dA
 * evenly over its window ({@link distributeValue}). Overlapping windows add up.
 *
 * @example
 * ```ts
 * import { poolForward, poolBackward } from 'layerwise';
 * const { cache } = poolForward([[[[3], [3]], [[1], [2]]]], { f: 2 }); // a tie: 3 and 3
 * poolBackward([[[[6]]]], cache).data.join() === '6,0,0,0'; // true
 * ```
 */
export function poolBackward(da: TensorLike, cache: PoolCache): Tensor {
  const where = 'poolBackward';
  const c = checkCache(cache, ['Aprev'], where, 'poolForward');
  const { Aprev, hparameters: hp } = checkPoolArgs(c.Aprev as Tensor, c.hparameters, where, 'cache.Aprev', 'cache.hparameters');
  const g = geometry(imageOf(Aprev), Aprev.shape[0]!, hp.f, hp.stride, 0);
  const dtype = Aprev.dtype;
  const like = `A (cache.Aprev ${formatShape(Aprev.shape)}, f ${hp.f}, stride ${hp.stride})`;
  const dA = checkOutputGradient(da, [g.m, g.outH, g.outW, g.c], dtype, where, 'dA', like);
  const be = backendFor(dtype);
  const dAprev = be.zeros(Aprev.shape, dtype);
  if (hp.mode === 'max') be.maxPoolBackward(dA, Aprev, dAprev, g);
  else be.avgPoolBackward(dA, dAprev, g);
  return dAprev;
}

/**
 * create_mask_from_window: a 0/1 tensor shaped like the window x (f, f) with a 1 at its
 * maximum: the FIRST maximum in row-major order when values tie, the one max pooling's
 * backward pass routes the gradient to (the course's `x == np.max(x)` marks every tie).
 *
 * @example
 * ```ts
 * import { createMaskFromWindow } from 'layerwise';
 * createMaskFromWindow([[1, 3], [3, 2]]).data.join() === '0,1,0,0'; // true
 * ```
 */
export function createMaskFromWindow(x: TensorLike): Tensor {
  const X = checkTensor(x, 'createMaskFromWindow', 'x', ['f', 'f']);
  const d = X.data;
  let best = 0;
  for (let i = 1; i < d.length; i++) if (d[i]! > d[best]!) best = i;
  const mask = zeros(X.shape, X.dtype);
  mask.data[best] = 1;
  return mask;
}

/**
 * distribute_value: a (n_H, n_W) tensor with dz / (n_H n_W) in every entry, the share of
 * each input of an average-pooling window. `dtype` defaults to float32 like every tensor.
 *
 * @example
 * ```ts
 * import { distributeValue } from 'layerwise';
 * const a = distributeValue(2, [2, 2]);
 * a.shape.join() === '2,2' && a.data.every((v) => v === 0.5); // true
 * ```
 */
export function distributeValue(dz: number, shape: readonly [number, number], dtype: DType = 'float32'): Tensor {
  const where = 'distributeValue';
  assertFiniteNumber(dz, where, 'dz');
  const ok = Array.isArray(shape) && shape.length === 2 && shape.every((d: unknown) => typeof d === 'number' && Number.isInteger(d) && d >= 1);
  if (!ok) throw new ValueError(`${where}: shape: expected [n_H, n_W] (two positive integers), got ${describe(shape)}`);
  const [nH, nW] = shape;
  return full(shape, dz / (nH * nW), assertDType(dtype, where));
}
