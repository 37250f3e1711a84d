/**
 * The course's "Building your Recurrent Neural Network - Step by Step"
 * (course 5, week 1): rnn_cell_forward, rnn_forward, rnn_cell_backward and
 * rnn_backward, in the course's shapes: x (n_x, m, T_x), a (n_a, m, T_x),
 * y_pred (n_y, m, T_x). They run the cell of src/nn/sequence/rnn.ts, the
 * backend's kernels (two GEMMs and a fused bias + tanh per step).
 */
import { backendFor } from '../backend/registry.js';
import { cellCacheFields, checkCall, checkCellBackward, checkSequenceBackward, STEP, type Dim, type Input } from '../nn/sequence/checks.js';
import { rnnStep, rnnStepBackward, softmaxOutput, type RnnScratch, type RnnWeightGrads } from '../nn/sequence/rnn.js';
import { backpropThroughTime, copyOf, free, fromSteps, stacked, steps, toSteps } from '../nn/sequence/views.js';
import type { DType, Tensor } from '../tensor/tensor.js';
import type { TensorLike } from '../tensor/validate.js';
import type { Backend } from '../backend/backend.js';

/** A basic RNN's parameters by their course names: Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a), ba (n_a, 1), by (n_y, 1). */
export interface RnnParameters {
  readonly Wax: Tensor;
  readonly Waa: Tensor;
  readonly Wya: Tensor;
  readonly ba: Tensor;
  readonly by: Tensor;
}

/** What a call accepts as {@link RnnParameters}: Tensors or nested arrays. */
export type RnnParametersLike = { readonly [K in keyof RnnParameters]: TensorLike };

/** What rnnCellForward keeps for rnnCellBackward: (a_next, a_prev, xt, parameters). */
export interface RnnCache {
  readonly aNext: Tensor;
  readonly aPrev: Tensor;
  readonly xt: Tensor;
  readonly parameters: RnnParameters;
}

/** The gradients of rnn_cell_backward: dxt (n_x, m), daPrev (n_a, m), dWax, dWaa, dba (sums over the examples). */
export interface RnnCellGradients extends RnnWeightGrads {
  readonly dxt: Tensor;
  readonly daPrev: Tensor;
}

/** The gradients of rnn_backward: dx (n_x, m, T_x), da0 (n_a, m), dWax, dWaa, dba. */
export interface RnnGradients extends RnnWeightGrads {
  readonly dx: Tensor;
  readonly da0: Tensor;
}

/** The parameters of a basic RNN and their shapes in the course's symbols. */
export const RNN_SPEC: readonly (readonly [keyof RnnParameters, readonly Dim[]])[] = [
  ['Wax', ['n_a', 'n_x']],
  ['Waa', ['n_a', 'n_a']],
  ['ba', ['n_a', 1]],
  ['Wya', ['n_y', 'n_a']],
  ['by', ['n_y', 1]],
];
/** Checks the parameters and the inputs of a forward call, binding n_x, n_a, n_y, m (and T_x). */
function checkForward(where: string, parameters: RnnParametersLike, inputs: readonly Input[]) {
  const c = checkCall(where, parameters, RNN_SPEC, inputs);
  return { ...c, P: c.p, be: backendFor(c.dtype) };
}

function newGrads(be: Backend, P: RnnParameters, dtype: DType): RnnWeightGrads & { scratch: (m: number) => RnnScratch } {
  return {
    dWax: be.zeros(P.Wax.shape, dtype),
    dWaa: be.zeros(P.Waa.shape, dtype),
    dba: be.zeros(P.ba.shape, dtype),
    scratch: (m) => ({ dz: be.zeros([P.Waa.rows, m], dtype), db: be.zeros(P.ba.shape, dtype) }),
  };
}

/**
 * rnn_cell_forward: a_next = tanh(Waa a_prev + Wax xt + ba), yt_pred = softmax(Wya a_next + by).
 * xt is (n_x, m), aPrev (n_a, m); the cache is (a_next, a_prev, xt, parameters).
 *
 * @example
 * ```ts
 * import { rnnCellForward, tensor } from 'layerwise';
 * const f = (v: number[][]) => tensor(v, { dtype: 'float64' });
 * const parameters = { Wax: f([[1, 0]]), Waa: f([[0.5]]), ba: f([[0]]), Wya: f([[1], [-1]]), by: f([[0], [0]]) };
 * const { aNext, ytPred } = rnnCellForward(f([[0.2], [0.7]]), f([[0.4]]), parameters);
 * Math.abs(aNext.get(0, 0) - Math.tanh(0.2 + 0.5 * 0.4)) < 1e-12; // true
 * Math.abs(ytPred.get(0, 0) + ytPred.get(1, 0) - 1) < 1e-12; // true: a softmax column
 * ```
 */
export function rnnCellForward(xt: TensorLike, aPrev: TensorLike, parameters: RnnParametersLike): { aNext: Tensor; ytPred: Tensor; cache: RnnCache } {
  const { dtype, dims, P, t, be } = checkForward('rnnCellForward', parameters, [
    ['xt', xt, ['n_x', 'm']],
    ['aPrev', aPrev, STEP],
  ]);
  const [Xt, A] = t as [Tensor, Tensor];
  const aNext = be.zeros([dims.get('n_a'), dims.get('m')], dtype);
  const ytPred = be.zeros([dims.get('n_y'), dims.get('m')], dtype);
  rnnStep(be, P, Xt, A, aNext);
  softmaxOutput(be, P.Wya, P.by, aNext, ytPred);
  return { aNext, ytPred, cache: { aNext, aPrev: A, xt: Xt, parameters: P } };
}

/**
 * rnn_forward: the cell over T_x steps from a0. x (n_x, m, T_x), a0 (n_a, m); returns
 * a (n_a, m, T_x), yPred (n_y, m, T_x) and the caches, one per step (caches[t] is what
 * rnnCellBackward takes).
 *
 * @example
 * ```ts
 * import { rnnForward, Rng, zeros } from 'layerwise';
 * const rng = new Rng(1);
 * const randn = (shape: number[]) => { const t = zeros(shape, 'float64'); rng.fillNormal(t.data); return t; };
 * const parameters = { Wax: randn([5, 3]), Waa: randn([5, 5]), Wya: randn([2, 5]), ba: randn([5, 1]), by: randn([2, 1]) };
 * const { a, yPred, caches } = rnnForward(randn([3, 10, 4]), randn([5, 10]), parameters);
 * a.shape.join() === '5,10,4' && yPred.shape.join() === '2,10,4' && caches.length === 4; // true
 * ```
 */
export function rnnForward(x: TensorLike, a0: TensorLike, parameters: RnnParametersLike): { a: Tensor; yPred: Tensor; caches: RnnCache[] } {
  const { dtype, dims, P, t, be } = checkForward('rnnForward', parameters, [
    ['x', x, ['n_x', 'm', 'T_x']],
    ['a0', a0, STEP],
  ]);
  const [X, A0] = t as [Tensor, Tensor];
  const [T, m, nA] = [dims.get('T_x'), dims.get('m'), dims.get('n_a')];
  const xs = toSteps(be, X);
  const as = steps(be, T, nA, m, dtype);
  const ys = steps(be, T, dims.get('n_y'), m, dtype);
  const caches: RnnCache[] = [];
  for (let s = 0; s < T; s++) {
    const aPrev = s === 0 ? A0 : as.at(s - 1);
    rnnStep(be, P, xs.at(s), aPrev, as.at(s));
    softmaxOutput(be, P.Wya, P.by, as.at(s), ys.at(s));
    caches.push({ aNext: as.at(s), aPrev, xt: xs.at(s), parameters: P });
  }
  const yPred = fromSteps(be, ys);
  free(ys); // xs and as stay: the caches are views of them
  return { a: fromSteps(be, as), yPred, caches };
}

const CACHE_FIELDS = cellCacheFields(['aPrev', 'aNext'] as const);

/**
 * rnn_cell_backward: from daNext = dL/da_next (n_a, m), with dtanh = (1 - a_next^2) * daNext:
 * dxt = Wax^T dtanh, daPrev = Waa^T dtanh, dWax = dtanh xt^T, dWaa = dtanh a_prev^T,
 * dba = the sum over examples of dtanh.
 *
 * @example
 * ```ts
 * import { rnnCellForward, rnnCellBackward, tensor } from 'layerwise';
 * const f = (v: number[][]) => tensor(v, { dtype: 'float64' });
 * const p = { Wax: f([[1, 0]]), Waa: f([[0.5]]), ba: f([[0]]), Wya: f([[1]]), by: f([[0]]) };
 * const { aNext, cache } = rnnCellForward(f([[0.2], [0.7]]), f([[0.4]]), p);
 * const { dWaa, dba, dxt } = rnnCellBackward(f([[1]]), cache);
 * const dtanh = 1 - aNext.get(0, 0) ** 2;
 * Math.abs(dba.get(0, 0) - dtanh) < 1e-12 && Math.abs(dWaa.get(0, 0) - 0.4 * dtanh) < 1e-12; // true
 * dxt.get(1, 0) === 0; // true: Wax's second column is 0
 * ```
 */
export function rnnCellBackward(daNext: TensorLike, cache: RnnCache): RnnCellGradients {
  const { dtype, step: c, g: [dA] } = checkCellBackward(cache, [['daNext', daNext]], CACHE_FIELDS, RNN_SPEC, 'rnnCellBackward', 'rnnCellForward');
  const be = backendFor(dtype);
  const g = newGrads(be, c.p, dtype);
  const dxt = be.zeros(c.t.xt.shape, dtype);
  const daPrev = be.zeros(dA!.shape, dtype);
  const scratch = g.scratch(dA!.cols);
  rnnStepBackward(be, c.p, c.t.xt, c.t.aPrev, c.t.aNext, dA!, g, dxt, daPrev, scratch);
  free(scratch.dz, scratch.db);
  return { dxt, daPrev, dWax: g.dWax, dWaa: g.dWaa, dba: g.dba };
}

/**
 * rnn_backward: backpropagation through time from da (n_a, m, T_x), the upstream gradient of
 * every hidden state a<t> (as the course's assignment defines it). Step t gets da<t> plus the
 * gradient that flows back from step t + 1; the weight gradients are summed over the steps.
 *
 * @example
 * ```ts
 * import { rnnForward, rnnBackward, Rng, zeros } from 'layerwise';
 * const rng = new Rng(1);
 * const randn = (shape: number[]) => { const t = zeros(shape, 'float64'); rng.fillNormal(t.data); return t; };
 * const parameters = { Wax: randn([5, 3]), Waa: randn([5, 5]), Wya: randn([2, 5]), ba: randn([5, 1]), by: randn([2, 1]) };
 * const { a, caches } = rnnForward(randn([3, 10, 4]), randn([5, 10]), parameters);
 * const { dx, da0, dWax, dWaa, dba } = rnnBackward(randn(a.shape as number[]), caches);
 * dx.shape.join() === '3,10,4' && da0.shape.join() === '5,10' && dWax.shape.join() === '5,3'; // true
 * dWaa.shape.join() === '5,5' && dba.shape.join() === '5,1'; // true
 * ```
 */
export function rnnBackward(da: TensorLike, caches: readonly RnnCache[]): RnnGradients {
  const { dtype, dims, steps: cs, dA } = checkSequenceBackward(da, caches, CACHE_FIELDS, RNN_SPEC, 'rnnBackward', 'rnnForward');
  const be = backendFor(dtype);
  const [nX, nA, m] = [dims.get('n_x'), dims.get('n_a'), dims.get('m')];
  const g = newGrads(be, cs[0]!.p, dtype);
  const scratch = g.scratch(m);
  const d = stacked(be, nA, nX, m, dtype); // [da<t-1>; dx<t>]
  const dx = backpropThroughTime(be, dA, nX, d, (t, daNext) => {
    const c = cs[t]!;
    rnnStepBackward(be, c.p, c.t.xt, c.t.aPrev, c.t.aNext, daNext, g, d.bottom, d.top, scratch);
  });
  const da0 = copyOf(be, d.top);
  free(scratch.dz, scratch.db, d);
  return { dx, da0, dWax: g.dWax, dWaa: g.dWaa, dba: g.dba };
}
