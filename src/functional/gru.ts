/**
 * The course's full GRU (course 5, week 1) as functions in the style of the
 * RNN and LSTM assignments: gruCellForward, gruForward, gruCellBackward and
 * gruBackward. The gates Γr (relevance) and Γu (update) and the candidate
 * c~ each have a W* (n_a, n_a + n_x) and a b* (n_a, 1); c<t> = a<t>. They run
 * the cell of src/nn/sequence/gru.ts.
 */
import type { Backend } from '../backend/backend.js';
import { backendFor } from '../backend/registry.js';
import { cellCacheFields, checkCall, checkCellBackward, checkSequenceBackward, gatedCellSpec, STEP, type CheckedCache } from '../nn/sequence/checks.js';
import { gruCandidateInput, gruGates, gruStep, gruStepBackward, stackGruWeights, type GruGateParameters, type GruGates, type GruScratch, type GruWeightGrads, type GruWeights } from '../nn/sequence/gru.js';
import { softmaxOutput } from '../nn/sequence/rnn.js';
import { backpropThroughTime, copyOf, free, fromSteps, rowsOf, stack, stacked, steps, toSteps, type Stacked } from '../nn/sequence/views.js';
import type { DType, Tensor } from '../tensor/tensor.js';
import type { TensorLike } from '../tensor/validate.js';

/** A GRU's parameters: the gates Wr, Wu, Wc (n_a, n_a + n_x), br, bu, bc (n_a, 1), and Wy (n_y, n_a), by (n_y, 1). */
export interface GruParameters extends GruGateParameters {
  readonly Wy: Tensor;
  readonly by: Tensor;
}

/** What a call accepts as {@link GruParameters}: Tensors or nested arrays. */
export type GruParametersLike = { readonly [K in keyof GruParameters]: TensorLike };

/** What gruCellForward keeps: (a_next, a_prev, xt, rt, ut, cct, parameters), with c = a. */
export interface GruCache {
  readonly aNext: Tensor;
  readonly aPrev: Tensor;
  readonly xt: Tensor;
  /** The relevance gate Γr, the update gate Γu and the candidate c~, each (n_a, m). */
  readonly rt: Tensor;
  readonly ut: Tensor;
  readonly cct: Tensor;
  readonly parameters: GruParameters;
}

/** The gate gradients (sums over the examples and, for a sequence, over the steps). */
export interface GruWeightGradients {
  readonly dWr: Tensor;
  readonly dbr: Tensor;
  readonly dWu: Tensor;
  readonly dbu: Tensor;
  readonly dWc: Tensor;
  readonly dbc: Tensor;
}

/** gruCellBackward's gradients: dxt (n_x, m), daPrev (n_a, m), and the gates'. */
export interface GruCellGradients extends GruWeightGradients {
  readonly dxt: Tensor;
  readonly daPrev: Tensor;
}

/** gruBackward's gradients: dx (n_x, m, T_x), da0 (n_a, m), and the gates'. */
export interface GruGradients extends GruWeightGradients {
  readonly dx: Tensor;
  readonly da0: Tensor;
}

const GRU_SPEC = gatedCellSpec<keyof GruGateParameters>([
  ['Wr', 'br'],
  ['Wu', 'bu'],
  ['Wc', 'bc'],
]);
const CACHE_FIELDS = cellCacheFields(['aPrev', 'aNext', 'rt', 'ut', 'cct'] as const);
type Checked = CheckedCache<(typeof CACHE_FIELDS)[number][0], keyof GruParameters>;

/** The forward buffers of one (n_a, n_x, m); `cell` runs one step into the given gates, candidate and a_next. */
function forwardState(be: Backend, P: GruParameters, dtype: DType, nA: number, nX: number, m: number) {
  const w = stackGruWeights(be, P, dtype);
  const concat1 = stacked(be, nA, nX, m, dtype);
  const concat2 = stacked(be, nA, nX, m, dtype);
  const cell = (xt: Tensor, aPrev: Tensor, gates: GruGates, cct: Tensor, aNext: Tensor): GruCache => {
    gruStep(be, w, xt, aPrev, concat1, gates, concat2, cct, aNext);
    return { aNext, aPrev, xt, rt: gates.r, ut: gates.u, cct, parameters: P };
  };
  /** Gives the scratch and the stacked gate weights back (Wc and bc are the caller's). */
  const done = (): void => free(w.Wru, w.bru, concat1, concat2);
  return { cell, done };
}

/**
 * The GRU cell: Γr = σ(Wr [a_prev; xt] + br), Γu = σ(Wu [a_prev; xt] + bu),
 * c~ = tanh(Wc [Γr * a_prev; xt] + bc), a_next = c_next = Γu * c~ + (1 - Γu) * a_prev,
 * yt_pred = softmax(Wy a_next + by).
 *
 * @example
 * ```ts
 * import { gruCellForward, tensor } from 'layerwise';
 * const f = (v: number[][]) => tensor(v, { dtype: 'float64' });
 * const W = f([[0, 1]]), b = f([[0]]);                    // n_a = 1, n_x = 1: each gate sees x_t only
 * const { aNext } = gruCellForward(f([[2]]), f([[0.5]]), { Wr: W, br: b, Wu: W, bu: b, Wc: W, bc: b, Wy: f([[1]]), by: b });
 * const u = 1 / (1 + Math.exp(-2));
 * Math.abs(aNext.get(0, 0) - (u * Math.tanh(2) + (1 - u) * 0.5)) < 1e-12; // true
 * ```
 */
export function gruCellForward(xt: TensorLike, aPrev: TensorLike, parameters: GruParametersLike): { aNext: Tensor; ytPred: Tensor; cache: GruCache } {
  const { dtype, dims, p, t } = checkCall('gruCellForward', parameters, GRU_SPEC, [
    ['xt', xt, ['n_x', 'm']],
    ['aPrev', aPrev, STEP],
  ]);
  const [nA, m] = [dims.get('n_a'), dims.get('m')];
  const be = backendFor(dtype);
  const { cell, done } = forwardState(be, p, dtype, nA, dims.get('n_x'), m);
  const cache = cell(t[0]!, t[1]!, gruGates(be.zeros([2 * nA, m], dtype)), be.zeros([nA, m], dtype), be.zeros([nA, m], dtype));
  const ytPred = be.zeros([dims.get('n_y'), m], dtype);
  softmaxOutput(be, p.Wy, p.by, cache.aNext, ytPred);
  done();
  return { aNext: cache.aNext, ytPred, cache };
}

/**
 * The GRU over T_x steps from a0: x (n_x, m, T_x), a0 (n_a, m); returns a (n_a, m, T_x),
 * yPred (n_y, m, T_x) and one cache per step.
 *
 * @example
 * ```ts
 * import { gruForward, Rng, zeros } from 'layerwise';
 * const rng = new Rng(1);
 * const randn = (shape: number[]) => { const t = zeros(shape, 'float64'); rng.fillNormal(t.data); return t; };
 * const p = { Wr: randn([5, 8]), br: randn([5, 1]), Wu: randn([5, 8]), bu: randn([5, 1]), Wc: randn([5, 8]), bc: randn([5, 1]), Wy: randn([2, 5]), by: randn([2, 1]) };
 * const { a, yPred, caches } = gruForward(randn([3, 10, 4]), randn([5, 10]), p);
 * a.shape.join() === '5,10,4' && yPred.shape.join() === '2,10,4' && caches.length === 4; // true
 * ```
 */
export function gruForward(x: TensorLike, a0: TensorLike, parameters: GruParametersLike): { a: Tensor; yPred: Tensor; caches: GruCache[] } {
  const { dtype, dims, p, t } = checkCall('gruForward', parameters, GRU_SPEC, [
    ['x', x, ['n_x', 'm', 'T_x']],
    ['a0', a0, STEP],
  ]);
  const [nA, nX, m, T] = [dims.get('n_a'), dims.get('n_x'), dims.get('m'), dims.get('T_x')];
  const be = backendFor(dtype);
  const { cell, done } = forwardState(be, p, dtype, nA, nX, m);
  const xs = toSteps(be, t[0]!);
  const [as, ys, gs, ccs] = [steps(be, T, nA, m, dtype), steps(be, T, dims.get('n_y'), m, dtype), steps(be, T, 2 * nA, m, dtype), steps(be, T, nA, m, dtype)];
  const caches: GruCache[] = [];
  for (let s = 0; s < T; s++) {
    caches.push(cell(xs.at(s), s === 0 ? t[1]! : as.at(s - 1), gruGates(gs.at(s)), ccs.at(s), as.at(s)));
    softmaxOutput(be, p.Wy, p.by, as.at(s), ys.at(s));
  }
  const yPred = fromSteps(be, ys);
  done();
  free(ys); // xs, as, gs and ccs stay: the caches are views of them
  return { a: fromSteps(be, as), yPred, caches };
}

/** The backward pass's buffers for one (n_a, n_x, m), and the stacked weights of each parameter dictionary. */
function backwardState(be: Backend, dtype: DType, nA: number, nX: number, m: number) {
  const weights = new Map<GruParameters, GruWeights>();
  const z = (rows: number, cols: number): Tensor => be.zeros([rows, cols], dtype);
  const pair = (): Stacked => stacked(be, nA, nX, m, dtype);
  const scratch: GruScratch = { dcc: z(nA, m), dG: gruGates(z(2 * nA, m)), d2: pair(), dbru: z(2 * nA, 1), dbc: z(nA, 1) };
  const [concat1, concat2, dconcat] = [pair(), pair(), pair()];
  const gates = gruGates(z(2 * nA, m));
  const grads: GruWeightGrads = { dWru: z(2 * nA, nA + nX), dbru: z(2 * nA, 1), dWc: z(nA, nA + nX), dbc: z(nA, 1) };
  /** gruStepBackward on a checked cache: rebuilds [a_prev; xt], the gates and [Γr * a_prev; xt] from it. */
  const step = (c: Checked, dc: Tensor): void => {
    let w = weights.get(c.p);
    if (w === undefined) weights.set(c.p, (w = stackGruWeights(be, c.p, dtype)));
    stack(be, c.t.aPrev, c.t.xt, concat1);
    stack(be, c.t.rt, c.t.ut, split2(gates));
    gruCandidateInput(be, c.t.rt, c.t.aPrev, c.t.xt, concat2);
    gruStepBackward(be, w, concat1, gates, concat2, c.t.cct, c.t.aPrev, dc, grads, dconcat, scratch);
  };
  /** The results, copied out: daPrev (and dxt) of the last step and the gate gradients by their course names; the scratch is given back. */
  const finish = (withDx: boolean): { daPrev: Tensor; dxt: Tensor | null; grads: GruWeightGradients } => {
    const out = {
      daPrev: copyOf(be, dconcat.top),
      dxt: withDx ? copyOf(be, dconcat.bottom) : null,
      grads: {
        dWr: copyOf(be, rowsOf(grads.dWru, 0, nA)),
        dWu: copyOf(be, rowsOf(grads.dWru, nA, nA)),
        dbr: copyOf(be, rowsOf(grads.dbru, 0, nA)),
        dbu: copyOf(be, rowsOf(grads.dbru, nA, nA)),
        dWc: grads.dWc,
        dbc: grads.dbc,
      },
    };
    const stackedWeights = [...weights.values()].flatMap((w) => [w.Wru, w.bru]);
    free(scratch.dcc, scratch.dG, scratch.d2, scratch.dbru, scratch.dbc, concat1, concat2, dconcat, gates, grads.dWru, grads.dbru, ...stackedWeights);
    return out;
  };
  return { step, finish, dconcat };
}

/** The gates buffer as a stacked pair [Γr; Γu]. */
function split2(g: GruGates): Stacked {
  return { all: g.all, top: g.r, bottom: g.u };
}

/**
 * The GRU cell backward from daNext = dL/da_next (= dL/dc_next): dxt, daPrev and the gates'
 * gradients dWr, dbr, dWu, dbu, dWc, dbc (sums over the examples).
 *
 * @example
 * ```ts
 * import { gruCellForward, gruCellBackward, tensor } from 'layerwise';
 * const f = (v: number[][]) => tensor(v, { dtype: 'float64' });
 * const W = f([[0, 1]]), b = f([[0]]);
 * const { cache } = gruCellForward(f([[2]]), f([[0.5]]), { Wr: W, br: b, Wu: W, bu: b, Wc: W, bc: b, Wy: f([[1]]), by: b });
 * const { daPrev, dWr } = gruCellBackward(f([[1]]), cache);
 * Math.abs(daPrev.get(0, 0) - (1 - 1 / (1 + Math.exp(-2)))) < 1e-12; // true: only the (1 - Γu) path, W*'s a_prev column is 0
 * dWr.get(0, 0) === 0; // true: Γr multiplies a_prev, whose weight in Wc is 0
 * ```
 */
export function gruCellBackward(daNext: TensorLike, cache: GruCache): GruCellGradients {
  const { dtype, dims, step, g } = checkCellBackward(cache, [['daNext', daNext]], CACHE_FIELDS, GRU_SPEC, 'gruCellBackward', 'gruCellForward');
  const be = backendFor(dtype);
  const st = backwardState(be, dtype, dims.get('n_a'), dims.get('n_x'), dims.get('m'));
  st.step(step, g[0]!);
  const r = st.finish(true);
  return { dxt: r.dxt!, daPrev: r.daPrev, ...r.grads };
}

/**
 * The GRU's backpropagation through time from da (n_a, m, T_x), the upstream gradient of every
 * hidden state: step t gets da<t> plus what flows back from step t + 1; the gate gradients are
 * summed over the steps.
 *
 * @example
 * ```ts
 * import { gruForward, gruBackward, Rng, zeros } from 'layerwise';
 * const rng = new Rng(1);
 * const randn = (shape: number[]) => { const t = zeros(shape, 'float64'); rng.fillNormal(t.data); return t; };
 * const p = { Wr: randn([5, 8]), br: randn([5, 1]), Wu: randn([5, 8]), bu: randn([5, 1]), Wc: randn([5, 8]), bc: randn([5, 1]), Wy: randn([2, 5]), by: randn([2, 1]) };
 * const { a, caches } = gruForward(randn([3, 10, 4]), randn([5, 10]), p);
 * const g = gruBackward(randn(a.shape as number[]), caches);
 * g.dx.shape.join() === '3,10,4' && g.da0.shape.join() === '5,10' && g.dWu.shape.join() === '5,8' && g.dbr.shape.join() === '5,1'; // true
 * ```
 */
export function gruBackward(da: TensorLike, caches: readonly GruCache[]): GruGradients {
  const { dtype, dims, steps: cs, dA } = checkSequenceBackward(da, caches, CACHE_FIELDS, GRU_SPEC, 'gruBackward', 'gruForward');
  const be = backendFor(dtype);
  const st = backwardState(be, dtype, dims.get('n_a'), dims.get('n_x'), dims.get('m'));
  const dx = backpropThroughTime(be, dA, dims.get('n_x'), st.dconcat, (t, dc) => st.step(cs[t]!, dc));
  const r = st.finish(false);
  return { dx, da0: r.daPrev, ...r.grads };
}
