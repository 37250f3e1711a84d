/**
 * The course's "Convolution model - Step by Step" (course 4, week 1): zero_pad,
 * conv_single_step, conv_forward and conv_backward, in the course's shapes:
 * activations (m, n_H, n_W, n_C) (examples first, channels last), filters
 * W (f, f, n_C_prev, n_C), biases b (1, 1, 1, n_C), and output edges
 * floor((n + 2p - f) / s) + 1. convForward and convBackward run the conv2d
 * layer's own code (im2col + GEMM: `convolve` and `convolveBackward`), so a
 * Network and these functions compute each formula in one place.
 */
import { backendFor } from '../backend/registry.js';
import { convBuffers, convolve, convolveBackward } from '../nn/layers/conv2d.js';
import { image, windowOutput, type FeatureShape } from '../nn/layers/shape.js';
import { formatShape, ShapeError, ValueError } from '../tensor/errors.js';
import { Tensor, type DType } from '../tensor/tensor.js';
import { assertKnownKeys, assertPositiveInt, describe, toTensor, type TensorLike } from '../tensor/validate.js';
import type { LayerGradients } from './backward.js';

/** conv_forward's hparameters: the stride s and the padding p. */
export interface ConvHyperparameters {
  readonly stride: number;
  readonly pad: number;
}

/** What convForward keeps for convBackward: (A_prev, W, b, hparameters). */
export interface ConvCache {
  readonly Aprev: Tensor;
  readonly W: Tensor;
  readonly b: Tensor;
  readonly hparameters: ConvHyperparameters;
}

/** Throws on a NaN or infinite value, naming its index in every dimension: `at [0, 2, 1, 0]`. */
export function assertFiniteValues(t: Tensor, where: string, name: string): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    if (Number.isFinite(d[i]!)) continue;
    const index: number[] = [];
    for (let k = t.shape.length - 1, rest = i; k >= 0; k--) {
      index.unshift(rest % t.shape[k]!);
      rest = Math.floor(rest / t.shape[k]!);
    }
    throw new ValueError(`${where}: ${name}: expected finite numbers, got ${d[i]} at [${index.join(', ')}]`);
  }
}

/** A tensor of rank `dims.length` with every dimension >= 1 (`dims` names them in the message) and finite values. */
export function checkTensor(x: TensorLike, where: string, name: string, dims: readonly string[]): Tensor {
  const t = toTensor(x, where, name);
  if (t.shape.length !== dims.length || t.shape.some((d) => d < 1)) {
    const empty = t.shape.length === dims.length ? ' with every dimension >= 1' : '';
    throw new ShapeError(`${where}: ${name}: expected shape (${dims.join(', ')})${empty}, got ${formatShape(t.shape)}`);
  }
  assertFiniteValues(t, where, name);
  return t;
}

/** An image batch (m, n_H_prev, n_W_prev, n_C_prev), checked. */
export function checkImages(x: TensorLike, where: string, name: string): Tensor {
  return checkTensor(x, where, name, ['m', 'n_H_prev', 'n_W_prev', 'n_C_prev']);
}

/** True when `shape` is exactly `expected`. */
function sameDims(shape: readonly number[], expected: readonly number[]): boolean {
  return shape.length === expected.length && shape.every((d, i) => d === expected[i]);
}

/** A backward pass's cache: an object holding Tensors under `tensors` (and hparameters, checked by the caller). */
export function checkCache(cache: unknown, tensors: readonly string[], where: string, from: string): Record<string, unknown> {
  const c = cache as Record<string, unknown> | null;
  if (c === null || typeof c !== 'object' || tensors.some((k) => !(c[k] instanceof Tensor))) {
    throw new ValueError(`${where}: cache: expected the { ${[...tensors, 'hparameters'].join(', ')} } cache from ${from}, got ${describe(cache)}`);
  }
  return c;
}

/** dZ or dA: shaped like the forward output `shape` (`like` says where that comes from), finite, read in `dtype`. */
export function checkOutputGradient(x: TensorLike, shape: readonly number[], dtype: DType, where: string, name: string, like: string): Tensor {
  const t = toTensor(x, where, name);
  if (!sameDims(t.shape, shape)) throw new ShapeError(`${where}: ${name}: expected shape ${formatShape(shape)} like ${like}, got ${formatShape(t.shape)}`);
  assertFiniteValues(t, where, name);
  return t.dtype === dtype ? t : t.clone(dtype);
}

/** One example's shape (n_H, n_W, n_C) of an image batch. */
export function imageOf(t: Tensor): FeatureShape & { kind: 'image' } {
  return image(t.shape[1]!, t.shape[2]!, t.shape[3]!) as FeatureShape & { kind: 'image' };
}

/** Checks `hparameters` against `allowed` keys (an object is required; missing keys are the caller's defaults). */
export function checkHyperparameters(value: unknown, allowed: readonly string[], where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValueError(`${where}: hparameters: expected { ${allowed.join(', ')} }, got ${describe(value)}`);
  }
  assertKnownKeys(value, allowed, where, 'hparameters.', 'hyperparameter');
  return value as Record<string, unknown>;
}

/** An f x f window (stride s, pad p) must fit A_prev: both output edges floor((n + 2p - f) / s) + 1 >= 1. */
export function checkWindowFits(A: Tensor, f: number, stride: number, pad: number, where: string, name: string, what: string): void {
  const edge = (label: string, n: number): string => `${label} = floor((${n} + 2*${pad} - ${f}) / ${stride}) + 1 = ${windowOutput(n, f, stride, pad)}`;
  const [, h, w] = A.shape as [number, number, number, number];
  if (windowOutput(h, f, stride, pad) >= 1 && windowOutput(w, f, stride, pad) >= 1) return;
  throw new ShapeError(
    `${where}: ${name}: a ${f}x${f} ${what} (stride ${stride}, pad ${pad}) does not fit A_prev ${formatShape(A.shape)}: ` +
      `expected output sizes floor((n + 2p - f) / s) + 1 >= 1, got ${edge('n_H', h)} and ${edge('n_W', w)}`,
  );
}

function checkPad(value: unknown, where: string, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new ValueError(`${where}: ${name}: expected a non-negative integer, got ${describe(value)}`);
  return value;
}

/** The arguments of conv_forward, checked; `names` are how they read in messages (A_prev or cache.Aprev). */
function checkConvArgs(aPrev: TensorLike, w: TensorLike, b: TensorLike, hparameters: unknown, where: string, names: readonly [string, string, string, string]): ConvCache {
  const [nA, nW, nb, nh] = names;
  const hp = checkHyperparameters(hparameters, ['stride', 'pad'], where);
  const stride = hp.stride === undefined ? 1 : assertPositiveInt(hp.stride, where, `${nh}.stride`);
  const pad = hp.pad === undefined ? 0 : checkPad(hp.pad, where, `${nh}.pad`);
  const A = checkImages(aPrev, where, nA);
  const W = checkTensor(w, where, nW, ['f', 'f', 'n_C_prev', 'n_C']);
  const [f, f2, cPrev, nC] = W.shape as [number, number, number, number];
  const c = A.shape[3]!;
  if (f2 !== f || cPrev !== c) {
    throw new ShapeError(`${where}: ${nW}: expected shape (f, f, ${c}, n_C) (square filters over the n_C_prev = ${c} channels of ${nA} ${formatShape(A.shape)}), got ${formatShape(W.shape)}`);
  }
  const B = toTensor(b, where, nb);
  if (!sameDims(B.shape, [1, 1, 1, nC])) {
    throw new ShapeError(`${where}: ${nb}: expected shape (1, 1, 1, ${nC}) (one bias per filter of ${nW} ${formatShape(W.shape)}), got ${formatShape(B.shape)}`);
  }
  assertFiniteValues(B, where, nb);
  if (A.dtype !== W.dtype || B.dtype !== W.dtype) throw new ValueError(`${where}: ${nA}, ${nW} and ${nb} must share a dtype, got ${A.dtype}, ${W.dtype}, ${B.dtype}`);
  checkWindowFits(A, f, stride, pad, where, nW, 'filter');
  return { Aprev: A, W, b: B, hparameters: { stride, pad } };
}

/** Z's shape (m, n_H, n_W, n_C) for a checked cache. */
function outputShape({ Aprev, W, hparameters: { stride, pad } }: ConvCache): number[] {
  const [m, h, w] = Aprev.shape as [number, number, number, number];
  const [f, , , nC] = W.shape as [number, number, number, number];
  return [m, windowOutput(h, f, stride, pad), windowOutput(w, f, stride, pad), nC];
}

/**
 * zero_pad: X (m, n_H, n_W, n_C) with `pad` rows and columns of zeros around every image,
 * (m, n_H + 2 pad, n_W + 2 pad, n_C). Runs the backend's zeroPad kernel.
 *
 * @example
 * ```ts
 * import { zeroPad } from 'layerwise';
 * const P = zeroPad([[[[1], [2]], [[3], [4]]]], 1); // one 2x2 image, one channel
 * P.shape.join() === '1,4,4,1'; // true
 * P.data[5] === 1 && P.data[0] === 0; // true
 * ```
 */
export function zeroPad(x: TensorLike, pad: number): Tensor {
  const where = 'zeroPad';
  const X = checkTensor(x, where, 'X', ['m', 'n_H', 'n_W', 'n_C']);
  const p = checkPad(pad, where, 'pad');
  const [m, h, w, c] = X.shape as [number, number, number, number];
  const be = backendFor(X.dtype);
  const out = be.zeros([m, h + 2 * p, w + 2 * p, c], X.dtype);
  be.zeroPad(X, out, m, h, w, c, p, false);
  return out;
}

/**
 * conv_single_step: one filter on one window, sum(a_slice_prev * W) + b, as a number.
 * `aSlicePrev` and `W` are (f, f, n_C_prev); `b` is a number or a (1, 1, 1) tensor.
 * convForward's Z[n, i, j, c] is this step on the window at (i s, j s) of the padded
 * A_prev with W[:, :, :, c] and b[c].
 *
 * @example
 * ```ts
 * import { convSingleStep } from 'layerwise';
 * const a = [[[1], [2]], [[3], [4]]];   // (2, 2, 1)
 * const W = [[[1], [0]], [[0], [-1]]];
 * convSingleStep(a, W, 0.5) === -2.5;   // true: 1 - 4 + 0.5
 * ```
 */
export function convSingleStep(aSlicePrev: TensorLike, W: TensorLike, b: TensorLike | number): number {
  const where = 'convSingleStep';
  const a = checkTensor(aSlicePrev, where, 'a_slice_prev', ['f', 'f', 'n_C_prev']);
  const w = toTensor(W, where, 'W');
  if (!sameDims(w.shape, a.shape)) {
    throw new ShapeError(`${where}: W: expected shape ${formatShape(a.shape)} like a_slice_prev (one filter), got ${formatShape(w.shape)}`);
  }
  assertFiniteValues(w, where, 'W');
  let bias: number;
  if (typeof b === 'number') {
    if (!Number.isFinite(b)) throw new ValueError(`${where}: b: expected a finite number, got ${b}`);
    bias = b;
  } else {
    const B = toTensor(b, where, 'b');
    if (B.shape.length !== 3 || B.size !== 1) throw new ShapeError(`${where}: b: expected a number or shape (1, 1, 1), got ${formatShape(B.shape)}`);
    assertFiniteValues(B, where, 'b');
    bias = B.data[0]!;
  }
  let s = 0;
  for (let i = 0; i < a.size; i++) s += a.data[i]! * w.data[i]!;
  return s + bias;
}

/**
 * conv_forward: Z = the convolution of A_prev (m, n_H_prev, n_W_prev, n_C_prev) by the filters
 * W (f, f, n_C_prev, n_C) plus b (1, 1, 1, n_C), with `hparameters` { stride, pad } (defaults
 * 1 and 0). Z is (m, n_H, n_W, n_C), n_H = floor((n_H_prev + 2 pad - f) / stride) + 1. The
 * cache is (A_prev, W, b, hparameters) for convBackward. A_prev, W and b share a dtype, which Z has.
 *
 * @example
 * ```ts
 * import { convForward } from 'layerwise';
 * const Aprev = [[[[1], [2], [3]], [[4], [5], [6]], [[7], [8], [9]]]]; // (1, 3, 3, 1)
 * const W = [[[[1]], [[2]]], [[[3]], [[4]]]];                            // (2, 2, 1, 1)
 * const { Z } = convForward(Aprev, W, [[[[0.5]]]], { stride: 1, pad: 0 });
 * Z.shape.join() === '1,2,2,1'; // true
 * Z.data[0] === 37.5; // true: 1*1 + 2*2 + 4*3 + 5*4 + 0.5
 * ```
 */
export function convForward(aPrev: TensorLike, W: TensorLike, b: TensorLike, hparameters: Partial<ConvHyperparameters> = {}): { Z: Tensor; cache: ConvCache } {
  const cache = checkConvArgs(aPrev, W, b, hparameters, 'convForward', ['A_prev', 'W', 'b', 'hparameters']);
  const { Aprev: A, W: w, hparameters: hp } = cache;
  const be = backendFor(w.dtype);
  const buf = convBuffers(be, imageOf(A), A.shape[0]!, w.shape[0]!, hp.stride, hp.pad, w.shape[3]!, w.dtype);
  convolve(be, A, w, cache.b, buf);
  return { Z: buf.Z, cache };
}

/**
 * conv_backward: from dZ (m, n_H, n_W, n_C), the gradients of the course's conv_backward:
 * dW and db summed over the batch (not divided by m, unlike the dense linearBackward and
 * the conv2d layer, which average), and dAPrev (m, n_H_prev, n_W_prev, n_C_prev).
 *
 * @example
 * ```ts
 * import { convForward, convBackward } from 'layerwise';
 * const { cache } = convForward([[[[1], [2]], [[3], [4]]]], [[[[1]]]], [[[[0]]]]); // 1x1 filter
 * const { dAPrev, dW, db } = convBackward([[[[1], [1]], [[1], [1]]]], cache);
 * db.data[0] === 4 && dW.data[0] === 10 && dAPrev.data[3] === 1; // true
 * ```
 */
export function convBackward(dz: TensorLike, cache: ConvCache): LayerGradients {
  const where = 'convBackward';
  const c = checkCache(cache, ['Aprev', 'W', 'b'], where, 'convForward');
  const checked = checkConvArgs(c.Aprev as Tensor, c.W as Tensor, c.b as Tensor, c.hparameters, where, ['cache.Aprev', 'cache.W', 'cache.b', 'cache.hparameters']);
  const { Aprev: A, W, b, hparameters: hp } = checked;
  const like = `Z (cache.Aprev ${formatShape(A.shape)}, cache.W ${formatShape(W.shape)}, stride ${hp.stride}, pad ${hp.pad})`;
  const dZ = checkOutputGradient(dz, outputShape(checked), W.dtype, where, 'dZ', like);
  const dtype = W.dtype;
  const be = backendFor(dtype);
  const buf = convBuffers(be, imageOf(A), A.shape[0]!, W.shape[0]!, hp.stride, hp.pad, W.shape[3]!, dtype);
  if (buf.cols) be.im2col(A, buf.cols, buf.g);
  const dAPrev = be.zeros(A.shape, dtype);
  const dW = be.zeros(W.shape, dtype);
  const db = be.zeros(b.shape, dtype);
  const dCols = buf.cols ? be.zeros(buf.cols.shape, dtype) : null;
  // scale 1: the course's conv_backward sums dW and db over the batch.
  convolveBackward(be, A, W, dZ, buf, dW, db, dAPrev, dCols, 1);
  return { dAPrev, dW, db };
}
