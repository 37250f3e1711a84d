/**
 * The LSTM of the course's "Building your Recurrent Neural Network - Step by
 * Step" (course 5, week 1): lstm_cell_forward, lstm_forward,
 * lstm_cell_backward and lstm_backward, in the course's shapes and names.
 * Each gate W* is (n_a, n_a + n_x) and acts on [a_prev; x_t]. They run the
 * cell of src/nn/sequence/lstm.ts: the four gates stacked into one GEMM per step.
 */
import type { Backend } from '../backend/backend.js';
import { backendFor } from '../backend/registry.js';
import { cellCacheFields, checkCall, checkCellBackward, checkSequenceBackward, gatedCellSpec, STEP, type CheckedCache } from '../nn/sequence/checks.js';
import { lstmGates, lstmStep, lstmStepBackward, stackLstmWeights, unstackLstmGrads, type LstmGateParameters, type LstmGates, type LstmScratch, type LstmWeights } from '../nn/sequence/lstm.js';
import { softmaxOutput, TANH } from '../nn/sequence/rnn.js';
import { backpropThroughTime, copyOf, free, fromSteps, stack, stacked, steps, toSteps, type Stacked } from '../nn/sequence/views.js';
import type { DType, Tensor } from '../tensor/tensor.js';
import type { TensorLike } from '../tensor/validate.js';

/** An LSTM's parameters by their course names: the gates Wf, Wi, Wc, Wo (n_a, n_a + n_x), bf, bi, bc, bo (n_a, 1), and Wy (n_y, n_a), by (n_y, 1). */
export interface LstmParameters extends LstmGateParameters {
  readonly Wy: Tensor;
  readonly by: Tensor;
}

/** What a call accepts as {@link LstmParameters}: Tensors or nested arrays. */
export type LstmParametersLike = { readonly [K in keyof LstmParameters]: TensorLike };

/** What lstmCellForward keeps: (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters). */
export interface LstmCache {
  readonly aNext: Tensor;
  readonly cNext: Tensor;
  readonly aPrev: Tensor;
  readonly cPrev: Tensor;
  /** The forget gate Γf, the update gate Γu, the candidate c~ and the output gate Γo, each (n_a, m). */
  readonly ft: Tensor;
  readonly it: Tensor;
  readonly cct: Tensor;
  readonly ot: Tensor;
  readonly xt: Tensor;
  readonly parameters: LstmParameters;
}

/** The gate gradients by the course's names (sums over the examples and, for a sequence, over the steps). */
export interface LstmWeightGradients {
  readonly dWf: Tensor;
  readonly dbf: Tensor;
  readonly dWi: Tensor;
  readonly dbi: Tensor;
  readonly dWc: Tensor;
  readonly dbc: Tensor;
  readonly dWo: Tensor;
  readonly dbo: Tensor;
}

/** lstm_cell_backward's gradients: dxt (n_x, m), daPrev and dcPrev (n_a, m), and the gates'. */
export interface LstmCellGradients extends LstmWeightGradients {
  readonly dxt: Tensor;
  readonly daPrev: Tensor;
  readonly dcPrev: Tensor;
}

/** lstm_backward's gradients: dx (n_x, m, T_x), da0 (n_a, m), and the gates'. */
export interface LstmGradients extends LstmWeightGradients {
  readonly dx: Tensor;
  readonly da0: Tensor;
}

const LSTM_SPEC = gatedCellSpec<keyof LstmGateParameters>([
  ['Wf', 'bf'],
  ['Wi', 'bi'],
  ['Wc', 'bc'],
  ['Wo', 'bo'],
]);
const CACHE_FIELDS = cellCacheFields(['aPrev', 'cPrev', 'aNext', 'cNext', 'ft', 'it', 'cct', 'ot'] as const);
type Checked = CheckedCache<(typeof CACHE_FIELDS)[number][0], keyof LstmParameters>;

/** The buffers of one cell's forward pass, and what its cache shows of them. */
function runCell(be: Backend, w: LstmWeights, P: LstmParameters, xt: Tensor, aPrev: Tensor, cPrev: Tensor, gates: LstmGates, cNext: Tensor, aNext: Tensor, concat: Stacked, tanhC: Tensor): LstmCache {
  lstmStep(be, w, xt, aPrev, cPrev, concat, gates, cNext, tanhC, aNext);
  return { aNext, cNext, aPrev, cPrev, ft: gates.f, it: gates.i, cct: gates.c, ot: gates.o, xt, parameters: P };
}

/**
 * lstm_cell_forward: the gates Γf, Γu, Γo = σ(W* [a_prev; xt] + b*) and c~ = tanh(Wc [a_prev; xt] + bc),
 * c_next = Γf * c_prev + Γu * c~, a_next = Γo * tanh(c_next), yt_pred = softmax(Wy a_next + by).
 *
 * @example
 * ```ts
 * import { lstmCellForward, tensor } from 'layerwise';
 * const f = (v: number[][]) => tensor(v, { dtype: 'float64' });
 * const gate = { W: f([[0, 1]]), b: f([[0]]) };          // n_a = 1, n_x = 1: each gate sees [a_prev; x_t]
 * const p = { Wf: gate.W, bf: gate.b, Wi: gate.W, bi: gate.b, Wc: gate.W, bc: gate.b, Wo: gate.W, bo: gate.b, Wy: f([[1]]), by: f([[0]]) };
 * const { aNext, cNext } = lstmCellForward(f([[2]]), f([[0.5]]), f([[1]]), p);
 * const s = 1 / (1 + Math.exp(-2));                       // every gate is σ(x_t) = σ(2)
 * Math.abs(cNext.get(0, 0) - (s * 1 + s * Math.tanh(2))) < 1e-12; // true
 * Math.abs(aNext.get(0, 0) - s * Math.tanh(cNext.get(0, 0))) < 1e-12; // true
 * ```
 */
export function lstmCellForward(
  xt: TensorLike,
  aPrev: TensorLike,
  cPrev: TensorLike,
  parameters: LstmParametersLike,
): { aNext: Tensor; cNext: Tensor; ytPred: Tensor; cache: LstmCache } {
  const { dtype, dims, p, t } = checkCall('lstmCellForward', parameters, LSTM_SPEC, [
    ['xt', xt, ['n_x', 'm']],
    ['aPrev', aPrev, STEP],
    ['cPrev', cPrev, STEP],
  ]);
  const [X, A, C] = t as [Tensor, Tensor, Tensor];
  const [nA, nX, m] = [dims.get('n_a'), dims.get('n_x'), dims.get('m')];
  const be = backendFor(dtype);
  const w = stackLstmWeights(be, p, dtype);
  const zeros = (): Tensor => be.zeros([nA, m], dtype);
  const [concat, tanhC] = [stacked(be, nA, nX, m, dtype), zeros()];
  const cache = runCell(be, w, p, X, A, C, lstmGates(be.zeros([4 * nA, m], dtype)), zeros(), zeros(), concat, tanhC);
  const ytPred = be.zeros([dims.get('n_y'), m], dtype);
  softmaxOutput(be, p.Wy, p.by, cache.aNext, ytPred);
  free(w.W, w.b, concat, tanhC);
  return { aNext: cache.aNext, cNext: cache.cNext, ytPred, cache };
}

/**
 * lstm_forward: the cell over T_x steps from a0 and c0 = 0. x (n_x, m, T_x), a0 (n_a, m);
 * returns a and c (n_a, m, T_x), yPred (n_y, m, T_x) and one cache per step.
 *
 * @example
 * ```ts
 * import { lstmForward, Rng, zeros } from 'layerwise';
 * const rng = new Rng(1);
 * const randn = (shape: number[]) => { const t = zeros(shape, 'float64'); rng.fillNormal(t.data); return t; };
 * const gate = () => randn([5, 5 + 3]);
 * const p = { Wf: gate(), bf: randn([5, 1]), Wi: gate(), bi: randn([5, 1]), Wc: gate(), bc: randn([5, 1]), Wo: gate(), bo: randn([5, 1]), Wy: randn([2, 5]), by: randn([2, 1]) };
 * const { a, c, yPred, caches } = lstmForward(randn([3, 10, 7]), randn([5, 10]), p);
 * a.shape.join() === '5,10,7' && c.shape.join() === '5,10,7' && yPred.shape.join() === '2,10,7' && caches.length === 7; // true
 * ```
 */
export function lstmForward(x: TensorLike, a0: TensorLike, parameters: LstmParametersLike): { a: Tensor; c: Tensor; yPred: Tensor; caches: LstmCache[] } {
  const { dtype, dims, p, t } = checkCall('lstmForward', parameters, LSTM_SPEC, [
    ['x', x, ['n_x', 'm', 'T_x']],
    ['a0', a0, STEP],
  ]);
  const [X, A0] = t as [Tensor, Tensor];
  const [nA, nX, m, T] = [dims.get('n_a'), dims.get('n_x'), dims.get('m'), dims.get('T_x')];
  const be = backendFor(dtype);
  const w = stackLstmWeights(be, p, dtype);
  const xs = toSteps(be, X);
  const [as, cs, ys, gs] = [steps(be, T, nA, m, dtype), steps(be, T, nA, m, dtype), steps(be, T, dims.get('n_y'), m, dtype), steps(be, T, 4 * nA, m, dtype)];
  const concat = stacked(be, nA, nX, m, dtype);
  const tanhC = be.zeros([nA, m], dtype);
  const c0 = be.zeros([nA, m], dtype);
  const caches: LstmCache[] = [];
  for (let s = 0; s < T; s++) {
    const [aPrev, cPrev] = s === 0 ? [A0, c0] : [as.at(s - 1), cs.at(s - 1)];
    caches.push(runCell(be, w, p, xs.at(s), aPrev, cPrev, lstmGates(gs.at(s)), cs.at(s), as.at(s), concat, tanhC));
    softmaxOutput(be, p.Wy, p.by, as.at(s), ys.at(s));
  }
  const yPred = fromSteps(be, ys);
  free(w.W, w.b, concat, tanhC, ys); // xs, as, cs, gs and c0 stay: the caches are views of them
  return { a: fromSteps(be, as), c: fromSteps(be, cs), yPred, caches };
}

/** The backward pass's buffers for one (n_a, n_x, m), and the stacked weights of each parameter dictionary. */
function backwardState(be: Backend, dtype: DType, nA: number, nX: number, m: number) {
  const weights = new Map<LstmParameters, LstmWeights>();
  const scratch: LstmScratch = { dc: be.zeros([nA, m], dtype), dG: lstmGates(be.zeros([4 * nA, m], dtype)), db: be.zeros([4 * nA, 1], dtype) };
  const concat = stacked(be, nA, nX, m, dtype);
  const gates = lstmGates(be.zeros([4 * nA, m], dtype));
  const tanhC = be.zeros([nA, m], dtype);
  const dW = be.zeros([4 * nA, nA + nX], dtype);
  const db = be.zeros([4 * nA, 1], dtype);
  const dconcat = stacked(be, nA, nX, m, dtype);
  /** lstmStepBackward on a checked cache: rebuilds [a_prev; xt], the stacked gates and tanh(c_next) from it. */
  const step = (c: Checked, daNext: Tensor, dcNext: Tensor, dcPrev: Tensor): void => {
    let w = weights.get(c.p);
    if (w === undefined) weights.set(c.p, (w = stackLstmWeights(be, c.p, dtype)));
    stack(be, c.t.aPrev, c.t.xt, concat);
    for (const [from, to] of [[c.t.ft, gates.f], [c.t.it, gates.i], [c.t.ot, gates.o], [c.t.cct, gates.c]] as const) be.copy(from, to);
    be.activation(c.t.cNext, tanhC, TANH);
    lstmStepBackward(be, w, concat, gates, c.t.cPrev, tanhC, daNext, dcNext, dW, db, dconcat, dcPrev, scratch);
  };
  /** The results, copied out: daPrev (and dxt) of the last step and the gate gradients by their course names; the scratch is given back. */
  const finish = (withDx: boolean): { daPrev: Tensor; dxt: Tensor | null; grads: LstmWeightGradients } => {
    const grads: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(unstackLstmGrads(dW, db))) grads[k] = copyOf(be, v);
    const out = { daPrev: copyOf(be, dconcat.top), dxt: withDx ? copyOf(be, dconcat.bottom) : null, grads: grads as unknown as LstmWeightGradients };
    free(scratch.dc, scratch.dG, scratch.db, concat, gates, tanhC, dW, db, dconcat, ...[...weights.values()].flatMap((w) => [w.W, w.b]));
    return out;
  };
  return { step, finish, dconcat };
}

/**
 * lstm_cell_backward: from da_next and dc_next (n_a, m), the gradients of the course's
 * assignment (sums over the examples): dxt, daPrev, dcPrev, dWf, dbf, dWi, dbi, dWc, dbc, dWo, dbo.
 *
 * @example
 * ```ts
 * import { lstmCellForward, lstmCellBackward, tensor } from 'layerwise';
 * const f = (v: number[][]) => tensor(v, { dtype: 'float64' });
 * const gate = { W: f([[0, 1]]), b: f([[0]]) };
 * const p = { Wf: gate.W, bf: gate.b, Wi: gate.W, bi: gate.b, Wc: gate.W, bc: gate.b, Wo: gate.W, bo: gate.b, Wy: f([[1]]), by: f([[0]]) };
 * const { cache } = lstmCellForward(f([[2]]), f([[0.5]]), f([[1]]), p);
 * const g = lstmCellBackward(f([[0]]), f([[1]]), cache);  // only dc_next: dc_prev = dc_next * Γf
 * Math.abs(g.dcPrev.get(0, 0) - 1 / (1 + Math.exp(-2))) < 1e-12; // true
 * g.dWo.get(0, 0) === 0 && g.daPrev.get(0, 0) === 0; // true: Γo gets no gradient, W*'s a_prev column is 0
 * ```
 */
export function lstmCellBackward(daNext: TensorLike, dcNext: TensorLike, cache: LstmCache): LstmCellGradients {
  const { dtype, dims, step, g } = checkCellBackward(cache, [['daNext', daNext], ['dcNext', dcNext]], CACHE_FIELDS, LSTM_SPEC, 'lstmCellBackward', 'lstmCellForward');
  const [dA, dC] = g as [Tensor, Tensor];
  const be = backendFor(dtype);
  const st = backwardState(be, dtype, dims.get('n_a'), dims.get('n_x'), dims.get('m'));
  const dcPrev = be.zeros(dC.shape, dtype);
  st.step(step, dA, dC, dcPrev);
  const r = st.finish(true);
  return { dxt: r.dxt!, daPrev: r.daPrev, dcPrev, ...r.grads };
}

/**
 * lstm_backward: backpropagation through time from da (n_a, m, T_x), the upstream gradient of
 * every hidden state (no gradient reaches c<T_x> from outside: dc starts at 0). Step t gets
 * da<t> plus what flows back from step t + 1; the gate gradients are summed over the steps.
 *
 * @example
 * ```ts
 * import { lstmForward, lstmBackward, Rng, zeros } from 'layerwise';
 * const rng = new Rng(1);
 * const randn = (shape: number[]) => { const t = zeros(shape, 'float64'); rng.fillNormal(t.data); return t; };
 * const gate = () => randn([5, 5 + 3]);
 * const p = { Wf: gate(), bf: randn([5, 1]), Wi: gate(), bi: randn([5, 1]), Wc: gate(), bc: randn([5, 1]), Wo: gate(), bo: randn([5, 1]), Wy: randn([2, 5]), by: randn([2, 1]) };
 * const { a, caches } = lstmForward(randn([3, 10, 7]), randn([5, 10]), p);
 * const g = lstmBackward(randn(a.shape as number[]), caches);
 * g.dx.shape.join() === '3,10,7' && g.da0.shape.join() === '5,10' && g.dWf.shape.join() === '5,8' && g.dbo.shape.join() === '5,1'; // true
 * ```
 */
export function lstmBackward(da: TensorLike, caches: readonly LstmCache[]): LstmGradients {
  const { dtype, dims, steps: cs, dA } = checkSequenceBackward(da, caches, CACHE_FIELDS, LSTM_SPEC, 'lstmBackward', 'lstmForward');
  const be = backendFor(dtype);
  const [nA, nX, m] = [dims.get('n_a'), dims.get('n_x'), dims.get('m')];
  const st = backwardState(be, dtype, nA, nX, m);
  let [dcNext, dcPrev] = [be.zeros([nA, m], dtype), be.zeros([nA, m], dtype)];
  const dx = backpropThroughTime(be, dA, nX, st.dconcat, (t, daNext) => {
    st.step(cs[t]!, daNext, dcNext, dcPrev);
    [dcNext, dcPrev] = [dcPrev, dcNext];
  });
  const r = st.finish(false);
  free(dcNext, dcPrev);
  return { dx, da0: r.daPrev, ...r.grads };
}
