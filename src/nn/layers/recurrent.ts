/**
 * The recurrent layers of course 5 for the object API: the basic RNN, the LSTM
 * and the GRU over a sequence (n_x, m, T_x). Each step runs the cell math of
 * `nn/sequence` (rnnStep, lstmStep, gruStep and their backward steps: the
 * formulas live there, once); this module owns the buffers of a batch size and
 * backpropagation through time. Internally a sequence is time-major (T, n, m)
 * so a step is a contiguous (n, m) matrix: one transpose kernel in and out.
 *
 * Gradients follow the layers' convention: dOut is d(sum of the batch's
 * losses)/d(output); the cell functions sum over examples, and the parameter
 * gradients are that sum times 1/m (the cost is the mean over examples).
 */
import type { Backend } from '../../backend/backend.js';
import type { Rng } from '../../random/rng.js';
import type { DType, FloatArray, Tensor } from '../../tensor/tensor.js';
import { initializeWeights, type Initializer } from '../initializers.js';
import { gruGates, gruStep, gruStepBackward, type GruWeights } from '../sequence/gru.js';
import { lstmGates, lstmStep, lstmStepBackward, lstmWeights, LSTM_STACK, type LstmWeights } from '../sequence/lstm.js';
import { rnnStep, rnnStepBackward, type RnnWeights } from '../sequence/rnn.js';
import { add, rowsOf, split } from '../sequence/views.js';
import { LayerBase, NO_GRADS, type StepMask, type CompileOptions, type CompiledLayer, type Layer, type NamedTensor } from './layer.js';
import { flat, sequence, ViewCache, type ActivationShape, type SequenceShape } from './shape.js';
import type { RecurrentSpec } from './spec.js';

/** The cells a recurrent layer can run. */
export const RECURRENT_CELLS = ['simpleRnn', 'lstm', 'gru'] as const;
export type RecurrentCell = (typeof RECURRENT_CELLS)[number];

/** What a recurrent layer is made of, resolved and checked by the builder. */
export interface RecurrentOptions {
  /** n_a. */
  readonly units: number;
  readonly returnSequences: boolean;
  readonly init: Initializer;
  /** Its course number l: the parameters are named Wax<l>, Wf<l>, Wr<l>, ... */
  readonly number: number;
  /**
   * Read the sequence from its last step to its first (Keras's go_backwards), the backward
   * direction of a `bidirectional` layer. The output stays aligned with the input: with
   * returnSequences, the output at step t is the state after reading steps T_x..t; without,
   * it is the state after reading step 1.
   */
  readonly goBackwards?: boolean;
  /** Appended to the parameters' course names (`_fw`, `_bw` in a bidirectional layer): Wf1_fw. */
  readonly suffix?: string;
}

/** The parameter names of each cell, in the optimizer's order, with their widths (columns). */
function parameterLayout(cell: RecurrentCell, nA: number, nX: number): { name: string; cols: number }[] {
  const both = nA + nX;
  switch (cell) {
    case 'simpleRnn':
      return [
        { name: 'Wax', cols: nX },
        { name: 'Waa', cols: nA },
        { name: 'ba', cols: 1 },
      ];
    case 'lstm':
      // The stacked order of nn/sequence/lstm.ts: [f; i; o; c].
      return LSTM_STACK.flatMap(([w, b]) => [
        { name: w, cols: both },
        { name: b, cols: 1 },
      ]);
    case 'gru':
      return [
        { name: 'Wr', cols: both },
        { name: 'br', cols: 1 },
        { name: 'Wu', cols: both },
        { name: 'bu', cols: 1 },
        { name: 'Wc', cols: both },
        { name: 'bc', cols: 1 },
      ];
  }
}

/**
 * Views over buffers, rebuilt when a buffer's memory moved (the wasm backend swaps a
 * tensor's `data` for a fresh view when its memory grows); otherwise reused, so a step
 * allocates nothing.
 */
export class Refreshing<V> {
  private datas: FloatArray[] = [];
  private value: V | null = null;

  constructor(
    private readonly bases: readonly Tensor[],
    private readonly make: () => V,
  ) {}

  get(): V {
    let stale = this.value === null;
    for (let i = 0; !stale && i < this.bases.length; i++) stale = this.bases[i]!.data !== this.datas[i];
    if (stale) {
      this.value = this.make();
      this.datas = this.bases.map((b) => b.data);
    }
    return this.value!;
  }
}

/** (n, m) matrix views of the steps of a (T, n m) buffer. */
function matrices(all: Tensor, T: number, n: number, m: number): Tensor[] {
  const out: Tensor[] = [];
  for (let t = 0; t < T; t++) out.push(rowsOf(all, t, 1).reshape([n, m]));
  return out;
}

/**
 * A recurrent layer: a<0> = 0 (and c<0> = 0), then the cell at every step t = 1..T_x; the
 * output is a<T_x> (n_a, m), or every a<t> as (n_a, m, T_x) with `returnSequences`.
 *
 * With a padding mask (CompileOptions.mask, see StepMask), a padded step keeps the state:
 * a<t> = a<t-1>, c<t> = c<t-1> for that example (with returnSequences, its output there is the
 * carried state, as Keras's), and backpropagation passes da<t>, dc<t> straight through it (no
 * gradient for x<t> or the weights). With goBackwards the steps run T_x..1 (a bidirectional
 * layer's backward copy); the output stays aligned with the input's steps.
 */
export class RecurrentLayer extends LayerBase implements Layer<ActivationShape, RecurrentCell> {
  readonly units: number;
  readonly returnSequences: boolean;
  readonly init: Initializer;
  readonly number: number;
  /** Reads the sequence backwards (see {@link RecurrentOptions.goBackwards}). */
  readonly goBackwards: boolean;
  readonly outputShape: ActivationShape;
  /** The parameters by course name (Wax1, Waa1, ba1; Wf1, bf1, ...; Wr1, br1, ...). */
  private readonly named: readonly NamedTensor[];
  /** The same tensors by course name without the layer number. */
  readonly weights: { readonly [name: string]: Tensor };

  constructor(
    readonly type: RecurrentCell,
    readonly inputShape: SequenceShape,
    o: RecurrentOptions,
    be: Backend,
    dtype: DType,
    rng: Rng,
  ) {
    super();
    this.units = o.units;
    this.returnSequences = o.returnSequences;
    this.init = o.init;
    this.number = o.number;
    this.goBackwards = o.goBackwards ?? false;
    this.outputShape = o.returnSequences ? sequence(o.units, inputShape.steps) : flat(o.units);
    const nA = o.units;
    const nX = inputShape.units;
    const weights: { [name: string]: Tensor } = {};
    this.named = parameterLayout(this.type, nA, nX).map(({ name, cols }) => {
      const t = be.zeros([nA, cols], dtype);
      if (cols > 1) initializeWeights(t.data, nA + nX, o.init, rng);
      weights[name] = t;
      return { name: `${name}${o.number}${o.suffix ?? ''}`, tensor: t };
    });
    this.weights = weights;
  }

  override get params(): readonly NamedTensor[] {
    return this.named;
  }

  /** Values a compiled layer holds per example besides its output (the caches of every step), for the inference chunk budget. */
  get valuesPerExample(): number {
    const T = this.inputShape.steps;
    const nA = this.units;
    const both = nA + this.inputShape.units;
    const perStep = this.type === 'lstm' ? both + 6 * nA : this.type === 'gru' ? 2 * both + 4 * nA : nA;
    return T * (this.inputShape.units + perStep) + nA;
  }

  compile(o: CompileOptions): CompiledLayer {
    const { be, m, dtype, withBackward } = o;
    const T = this.inputShape.steps;
    const nX = this.inputShape.units;
    const nA = this.units;
    const both = nA + nX;
    const z = (rows: number, cols: number): Tensor => be.zeros([rows, cols], dtype);
    const seq = this.returnSequences;
    const vc = new ViewCache();
    // Forward: x time-major, the states a<0..T> (a<0> stays 0), the output.
    const xs = z(T, nX * m);
    const as = z(T + 1, nA * m);
    const out = seq ? be.zeros([nA, m, T], dtype) : z(nA, m);
    // The cell's caches per step.
    const cs = this.type === 'lstm' ? z(T + 1, nA * m) : null;
    const concat = this.type === 'simpleRnn' ? null : z(T, both * m);
    const gates = this.type === 'lstm' ? z(T, 4 * nA * m) : this.type === 'gru' ? z(T, 2 * nA * m) : null;
    const tanhC = this.type === 'lstm' ? z(T, nA * m) : null;
    const concat2 = this.type === 'gru' ? z(T, both * m) : null;
    const cc = this.type === 'gru' ? z(T, nA * m) : null;
    // The stacked weights the cells read (copied from the course-named parameters before each forward pass).
    const W = this.type === 'lstm' ? z(4 * nA, both) : this.type === 'gru' ? z(2 * nA, both) : null;
    const b = this.type === 'lstm' ? z(4 * nA, 1) : this.type === 'gru' ? z(2 * nA, 1) : null;
    // Backward.
    const das = withBackward && seq ? z(T, nA * m) : null;
    const daNext = withBackward ? z(nA, m) : null;
    const dconcat = withBackward ? z(both, m) : null;
    const dxs = withBackward ? z(T, nX * m) : null;
    const dcA = withBackward && this.type === 'lstm' ? z(nA, m) : null;
    const dcB = withBackward && this.type === 'lstm' ? z(nA, m) : null;
    const sc1 = withBackward ? z(this.type === 'lstm' ? 4 * nA : this.type === 'gru' ? 2 * nA : nA, m) : null;
    const sc2 = withBackward && this.type === 'gru' ? z(nA, m) : null;
    const sc3 = withBackward && this.type === 'gru' ? z(both, m) : null;
    const dbTmp = withBackward ? z(this.type === 'lstm' ? 4 * nA : this.type === 'gru' ? 2 * nA : nA, 1) : null;
    const dbTmp2 = withBackward && this.type === 'gru' ? z(nA, 1) : null;
    const lstmDc = withBackward && this.type === 'lstm' ? z(nA, m) : null;
    // Sums over the sequence and the examples, in the cells' layout.
    const accW = withBackward && W ? z(W.rows, W.cols) : null;
    const accB = withBackward && b ? z(b.rows, 1) : null;
    const accWc = withBackward && this.type === 'gru' ? z(nA, both) : null;
    const accBc = withBackward && this.type === 'gru' ? z(nA, 1) : null;
    const accRnn = withBackward && this.type === 'simpleRnn' ? this.named.map((p) => be.zeros(p.tensor.shape, dtype)) : null;
    // The accumulators as the cells' backward steps take them, and the ones each pass zeroes: made once here.
    const rnnAcc = accRnn ? { dWax: accRnn[0]!, dWaa: accRnn[1]!, dba: accRnn[2]! } : null;
    const gruAcc = accWc ? { dWru: accW!, dbru: accB!, dWc: accWc, dbc: accBc! } : null;
    const gruRest = accWc ? [accWc, accBc!] : null;
    const zeroed = [accW, accB, accWc, accBc, ...(accRnn ?? [])].filter((t): t is Tensor => t !== null);
    const learn = withBackward && this.trainable;
    const grads = learn ? this.named.map((p) => be.zeros(p.tensor.shape, dtype)) : [];
    const p = this.weights;
    const bases = [xs, as, cs, concat, gates, tanhC, concat2, cc, W, b, das, daNext, dconcat, dxs, sc1, sc2, sc3, dbTmp, dbTmp2, accW, accB].filter((t): t is Tensor => t !== null);
    const views = new Refreshing(bases, () => {
      const lstmW: LstmWeights | null = this.type === 'lstm' ? lstmWeights(W!, b!) : null;
      const gruW: GruWeights | null = this.type === 'gru' ? { Wru: W!, bru: b!, Wc: p.Wc!, bc: p.bc! } : null;
      return {
        x: matrices(xs, T, nX, m),
        a: matrices(as, T + 1, nA, m),
        aSteps: rowsOf(as, this.goBackwards ? 0 : 1, T),
        c: cs ? matrices(cs, T + 1, nA, m) : [],
        concat: concat ? matrices(concat, T, both, m).map((v) => split(v, nA)) : [],
        lstmGates: this.type === 'lstm' ? matrices(gates!, T, 4 * nA, m).map(lstmGates) : [],
        gruGates: this.type === 'gru' ? matrices(gates!, T, 2 * nA, m).map(gruGates) : [],
        tanhC: tanhC ? matrices(tanhC, T, nA, m) : [],
        concat2: concat2 ? matrices(concat2, T, both, m).map((v) => split(v, nA)) : [],
        cc: cc ? matrices(cc, T, nA, m) : [],
        lstmW,
        gruW,
        /** The stacked rows of W and b, one per course-named parameter (LSTM: [f; i; o; c]; GRU: [r; u]). */
        wRows: W ? Array.from({ length: W.rows / nA }, (_, k) => [rowsOf(W, k * nA, nA), rowsOf(b!, k * nA, nA)] as const) : [],
        accRows: accW ? Array.from({ length: accW.rows / nA }, (_, k) => [rowsOf(accW, k * nA, nA), rowsOf(accB!, k * nA, nA)] as const) : [],
        da: das ? matrices(das, T, nA, m) : [],
        dconcat: dconcat ? split(dconcat, nA) : null,
        dx: dxs ? matrices(dxs, T, nX, m) : [],
        lstmScratch: this.type === 'lstm' && sc1 ? { dc: lstmDc!, dG: lstmGates(sc1), db: dbTmp! } : null,
        gruScratch: this.type === 'gru' && sc1 ? { dcc: sc2!, dG: gruGates(sc1), d2: split(sc3!, nA), dbru: dbTmp!, dbc: dbTmp2! } : null,
        rnnScratch: this.type === 'simpleRnn' && sc1 ? { dz: sc1, db: dbTmp! } : null,
      };
    });
    const rnnW: RnnWeights | null = this.type === 'simpleRnn' ? { Wax: p.Wax!, Waa: p.Waa!, ba: p.ba! } : null;

    // Reading backwards (goBackwards), step t reads the state of step t + 1: a<T> (row T) is the zero start.
    const rev = this.goBackwards;
    const prev = (t: number): number => (rev ? t + 1 : t);
    const next = (t: number): number => (rev ? t : t + 1);
    const last = rev ? 0 : T - 1;
    // Padding (see StepMask): the examples padded at a step, and the gradients they carry past it.
    const mask = o.mask ?? null;
    mask?.check(m, T, this.type);
    const padded = mask ? new Int32Array(m) : null;
    const keepA = mask && withBackward ? z(nA, m) : null;
    const keepC = mask && withBackward && cs ? z(nA, m) : null;
    const paddedAt = (t: number): number => (mask ? paddedColumns(mask, t, padded!) : 0);
    // At a padded step the cell gets no gradient (its output was replaced by the carried state):
    // da<t> (and dc<t>) pass unchanged to the state before it; nothing reaches x<t> or the weights.
    // `hold` sets the incoming gradients of the padded examples aside (zero for the cell), `release` passes them on.
    const hold = (t: number, daNext: Tensor, dcNext: Tensor | null): number => {
      const np = paddedAt(t);
      if (np > 0) {
        holdColumns(daNext, keepA!, padded!, np);
        if (dcNext) holdColumns(dcNext, keepC!, padded!, np);
      }
      return np;
    };
    const release = (np: number, daPrev: Tensor, dcPrev: Tensor | null): void => {
      if (np === 0) return;
      copyColumns(keepA!, daPrev, padded!, np);
      if (dcPrev) copyColumns(keepC!, dcPrev, padded!, np);
    };

    const forward = (x: Tensor): Tensor => {
      const v = views.get();
      be.transpose(vc.matrix(x, nX * m, T), xs);
      if (this.type === 'lstm') {
        for (let k = 0; k < LSTM_STACK.length; k++) {
          be.copy(p[LSTM_STACK[k]![0]]!, v.wRows[k]![0]);
          be.copy(p[LSTM_STACK[k]![1]]!, v.wRows[k]![1]);
        }
      } else if (this.type === 'gru') {
        be.copy(p.Wr!, v.wRows[0]![0]);
        be.copy(p.br!, v.wRows[0]![1]);
        be.copy(p.Wu!, v.wRows[1]![0]);
        be.copy(p.bu!, v.wRows[1]![1]);
      }
      for (let k = 0; k < T; k++) {
        const t = rev ? T - 1 - k : k;
        const a0 = v.a[prev(t)]!;
        const a1 = v.a[next(t)]!;
        if (this.type === 'lstm') lstmStep(be, v.lstmW!, v.x[t]!, a0, v.c[prev(t)]!, v.concat[t]!, v.lstmGates[t]!, v.c[next(t)]!, v.tanhC[t]!, a1);
        else if (this.type === 'gru') gruStep(be, v.gruW!, v.x[t]!, a0, v.concat[t]!, v.gruGates[t]!, v.concat2[t]!, v.cc[t]!, a1);
        else rnnStep(be, rnnW!, v.x[t]!, a0, a1);
        // A padded step keeps the state: a<t> = a<t-1> (and c<t> = c<t-1>).
        const np = paddedAt(t);
        if (np > 0) {
          copyColumns(a0, a1, padded!, np);
          if (cs) copyColumns(v.c[prev(t)]!, v.c[next(t)]!, padded!, np);
        }
      }
      if (seq) be.transpose(v.aSteps, vc.matrix(out, nA * m, T));
      else be.copy(v.a[next(last)]!, out);
      return out;
    };

    // da<t> from the output at step t (every step, or only the last read) plus what the step read after it sent back.
    const incoming = (da: readonly Tensor[], t: number, dOut: Tensor, carry: Tensor, dNext: Tensor): void => {
      if (seq) add(be, da[t]!, carry, dNext);
      else if (t === last) be.copy(dOut, dNext);
      else be.copy(carry, dNext);
    };
    /** GRAD = ACC / m for each (accumulator, gradient) pair: the stacked rows first, then `rest` in order from gradient `from`. */
    const average = (rows: readonly (readonly [Tensor, Tensor])[], rest: readonly Tensor[], from: number): void => {
      for (let k = 0; k < rows.length; k++) {
        scaled(be, rows[k]![0], grads[2 * k]!, 1 / m);
        scaled(be, rows[k]![1], grads[2 * k + 1]!, 1 / m);
      }
      for (let k = 0; k < rest.length; k++) scaled(be, rest[k]!, grads[from + k]!, 1 / m);
    };

    const backward = (_x: Tensor, dOut: Tensor, dIn: Tensor | null): void => {
      const v = views.get();
      const dcat = v.dconcat!;
      const dNext = daNext!;
      if (seq) be.transpose(vc.matrix(dOut, nA * m, T), das!);
      be.fill(dcat.all, 0);
      for (let k = 0; k < zeroed.length; k++) be.fill(zeroed[k]!, 0);
      if (this.type === 'lstm') {
        let dcNext = dcA!;
        let dcPrev = dcB!;
        be.fill(dcNext, 0);
        for (let k = 0; k < T; k++) {
          const t = rev ? k : T - 1 - k;
          incoming(v.da, t, dOut, dcat.top, dNext);
          const np = hold(t, dNext, dcNext);
          lstmStepBackward(be, v.lstmW!, v.concat[t]!, v.lstmGates[t]!, v.c[prev(t)]!, v.tanhC[t]!, dNext, dcNext, accW!, accB!, dcat, dcPrev, v.lstmScratch!);
          release(np, dcat.top, dcPrev);
          be.copy(dcat.bottom, v.dx[t]!);
          const s = dcNext;
          dcNext = dcPrev;
          dcPrev = s;
        }
        if (learn) average(v.accRows, NO_GRADS, 0);
      } else if (this.type === 'gru') {
        const acc = gruAcc!;
        for (let k = 0; k < T; k++) {
          const t = rev ? k : T - 1 - k;
          incoming(v.da, t, dOut, dcat.top, dNext);
          const np = hold(t, dNext, null);
          gruStepBackward(be, v.gruW!, v.concat[t]!, v.gruGates[t]!, v.concat2[t]!, v.cc[t]!, v.a[prev(t)]!, dNext, acc, dcat, v.gruScratch!);
          release(np, dcat.top, null);
          be.copy(dcat.bottom, v.dx[t]!);
        }
        // Parameters [Wr, br, Wu, bu, Wc, bc]; the stacked rows are [r; u].
        if (learn) average(v.accRows, gruRest!, 4);
      } else {
        const acc = rnnAcc!;
        // dconcat.top carries da<t-1> back (the basic cell has no concatenation).
        for (let k = 0; k < T; k++) {
          const t = rev ? k : T - 1 - k;
          incoming(v.da, t, dOut, dcat.top, dNext);
          const np = hold(t, dNext, null);
          rnnStepBackward(be, rnnW!, v.x[t]!, v.a[prev(t)]!, v.a[next(t)]!, dNext, acc, v.dx[t]!, dcat.top, v.rnnScratch!);
          release(np, dcat.top, null);
        }
        if (learn) average(NO_ROWS, accRnn!, 0);
      }
      if (dIn) be.transpose(dxs!, vc.matrix(dIn, nX * m, T));
    };

    return { grads: learn ? grads : NO_GRADS, forward: (x) => forward(x), backward };
  }

  toSpec(): RecurrentSpec {
    const spec: RecurrentSpec = { type: this.type, units: this.units };
    if (this.returnSequences) spec.returnSequences = true;
    if (!this.trainable) spec.trainable = false;
    return spec;
  }

  describe(): string {
    return `${this.type} ${this.units}${this.returnSequences ? ' seq' : ''}`;
  }
}

/**
 * The examples padded at step t of a mask, into OUT; returns how many. A loop over m values:
 * the recurrent layers call it once per step, and do nothing more when it returns 0.
 */
function paddedColumns(mask: StepMask, t: number, out: Int32Array): number {
  const v = mask.values;
  const T = mask.steps;
  let n = 0;
  for (let j = 0; j < mask.m; j++) if (v[j * T + t] === 0) out[n++] = j;
  return n;
}

/** DST[:, j] = SRC[:, j] for the first `count` columns j listed in COLS ((n, m) matrices). */
function copyColumns(src: Tensor, dst: Tensor, cols: Int32Array, count: number): void {
  const S = src.data;
  const D = dst.data;
  const m = src.cols;
  for (let r = 0; r < src.rows; r++) {
    for (let k = 0; k < count; k++) {
      const i = r * m + cols[k]!;
      D[i] = S[i]!;
    }
  }
}

/** KEEP[:, j] = SRC[:, j], then SRC[:, j] = 0, for the listed columns. */
function holdColumns(src: Tensor, keep: Tensor, cols: Int32Array, count: number): void {
  copyColumns(src, keep, cols, count);
  const S = src.data;
  const m = src.cols;
  for (let r = 0; r < src.rows; r++) for (let k = 0; k < count; k++) S[r * m + cols[k]!] = 0;
}

const NO_ROWS: readonly (readonly [Tensor, Tensor])[] = Object.freeze([]);

/** OUT = scale X (a fill and an axpy: no scale kernel). */
function scaled(be: Backend, x: Tensor, out: Tensor, scale: number): void {
  be.fill(out, 0);
  be.axpy(scale, x, out);
}
