/**
 * The attention decoder of course 5, week 3 ("Neural machine translation with
 * attention") as a layer of the object API. It reads the pre-attention
 * encoder's states a<1..T_x> (n_a, m, T_x) and, for each of T_y output steps,
 * runs one_step_attention on a and the previous decoder state s<t-1>
 * (the energies' small dense net densor1 (tanh, n_e units) and densor2 (relu,
 * one unit), the softmax over t' and context<t> = Σ_t' α<t,t'> a<t'>), then
 * the post-attention LSTM step on context<t> with state (s<t-1>, c<t-1>),
 * s<0> = c<0> = 0. Its output is the decoder's states s<1..T_y> as a sequence
 * (n_s, m, T_y): a following `{ type: 'timeDistributed', units, activation:
 * 'softmax' }` is the assignment's output_layer.
 *
 * The formulas live once, in nn/sequence/attention.ts (attentionStep and its
 * backward pass) and nn/sequence/lstm.ts (lstmStep, lstmStepBackward); this
 * module owns the buffers of a batch size and backpropagation through the
 * decoder's steps, into the energies and into a (both the weighted sums and
 * the energies read it). The attention weights of the last forward pass are
 * kept, (T_y, m T_x), for attentionWeights (nn/attention-map.ts).
 *
 * Gradients follow the layers' convention: dOut is d(sum of the batch's
 * losses)/d(output); the step functions sum over examples, and the parameter
 * gradients are that sum times 1/m.
 */
import type { Backend } from '../../backend/backend.js';
import type { Rng } from '../../random/rng.js';
import type { DType, Tensor } from '../../tensor/tensor.js';
import { initializeWeights, type Initializer } from '../initializers.js';
import { attentionBuffers, attentionScratch, attentionStep, attentionStepBackward, type AttentionBuffers, type AttentionWeights } from '../sequence/attention.js';
import { lstmGates, lstmStep, lstmStepBackward, lstmWeights, LSTM_STACK, type LstmWeights } from '../sequence/lstm.js';
import { add, rowsOf, split } from '../sequence/views.js';
import { LayerBase, NO_GRADS, type CompileOptions, type CompiledLayer, type Layer, type NamedTensor } from './layer.js';
import { Refreshing } from './recurrent.js';
import { sequence, ViewCache, type ActivationShape, type SequenceShape } from './shape.js';
import type { AttentionSpec } from './spec.js';

/** What an attention layer is made of, resolved and checked by the builder. */
export interface AttentionOptions {
  /** T_y, the decoder's steps. */
  readonly steps: number;
  /** n_s, the post-attention LSTM's state size. */
  readonly units: number;
  /** n_e, densor1's units (the assignment's 10). */
  readonly energyUnits: number;
  readonly init: Initializer;
  /** Its course number l: the parameters are named Wdensor1_<l>, ..., Wf<l>, bf<l>, ... */
  readonly number: number;
}

/** The compiled layer, with the attention weights α of its last forward pass. */
export interface CompiledAttention extends CompiledLayer {
  /** (T_y, m T_x): row t holds α<t, t'> of every example j at column j T_x + t' (each example's T_x values sum to 1). */
  readonly alphas: Tensor;
}

/** The (n, m) matrix views of the T rows of a (T, n m) buffer. */
function stepViews(all: Tensor, T: number, n: number, m: number): Tensor[] {
  return Array.from({ length: T }, (_, t) => rowsOf(all, t, 1).reshape([n, m]));
}

/** The densors' names, in the optimizer's order (before the LSTM's), with their shapes. */
function densorLayout(nE: number, nS: number, nA: number): { name: string; rows: number; cols: number; fanIn: number }[] {
  return [
    { name: 'Wdensor1_', rows: nE, cols: nS + nA, fanIn: nS + nA },
    { name: 'bdensor1_', rows: nE, cols: 1, fanIn: 0 },
    { name: 'Wdensor2_', rows: 1, cols: nE, fanIn: nE },
    { name: 'bdensor2_', rows: 1, cols: 1, fanIn: 0 },
  ];
}

/**
 * The attention decoder: a (n_a, m, T_x) -> s<1..T_y> (n_s, m, T_y). Parameters: the energies'
 * Wdensor1_<l> (n_e, n_s + n_a), bdensor1_<l> (n_e, 1), Wdensor2_<l> (1, n_e), bdensor2_<l> (1, 1),
 * then the post-attention LSTM's Wf<l>, bf<l>, Wi<l>, bi<l>, Wo<l>, bo<l>, Wc<l>, bc<l>
 * (n_s, n_s + n_a) and (n_s, 1), its concatenation being [s<t-1>; context<t>].
 */
export class AttentionLayer extends LayerBase implements Layer<ActivationShape, 'attention'> {
  readonly type = 'attention' as const;
  readonly steps: number;
  readonly units: number;
  readonly energyUnits: number;
  readonly init: Initializer;
  readonly number: number;
  readonly outputShape: SequenceShape;
  private readonly named: readonly NamedTensor[];
  /** The energies' dense net: the densor parameter tensors themselves, by the step functions' names. */
  readonly energies: AttentionWeights;
  /** The LSTM's parameters by course name without the layer number (Wf, bf, ...). */
  readonly lstm: { readonly [name: string]: Tensor };

  constructor(
    readonly inputShape: SequenceShape,
    o: AttentionOptions,
    be: Backend,
    dtype: DType,
    rng: Rng,
  ) {
    super();
    this.steps = o.steps;
    this.units = o.units;
    this.energyUnits = o.energyUnits;
    this.init = o.init;
    this.number = o.number;
    this.outputShape = sequence(o.units, o.steps);
    const nS = o.units;
    const nA = inputShape.units;
    const draw = (rows: number, cols: number, fanIn: number): Tensor => {
      const t = be.zeros([rows, cols], dtype);
      if (fanIn > 0) initializeWeights(t.data, fanIn, o.init, rng);
      return t;
    };
    const densors = densorLayout(o.energyUnits, nS, nA).map(({ name, rows, cols, fanIn }) => ({ name: `${name}${o.number}`, tensor: draw(rows, cols, fanIn) }));
    const lstm: { [name: string]: Tensor } = {};
    const cells = LSTM_STACK.flatMap(([w, b]) => {
      lstm[w] = draw(nS, nS + nA, nS + nA);
      lstm[b] = draw(nS, 1, 0);
      return [
        { name: `${w}${o.number}`, tensor: lstm[w] },
        { name: `${b}${o.number}`, tensor: lstm[b] },
      ];
    });
    this.named = [...densors, ...cells];
    const [W1, b1, W2, b2] = densors.map((d) => d.tensor) as [Tensor, Tensor, Tensor, Tensor];
    this.energies = { W1, b1, W2, b2 };
    this.lstm = lstm;
  }

  override get params(): readonly NamedTensor[] {
    return this.named;
  }

  /** Values a compiled layer holds per example besides its output (the attention and LSTM caches of every step), for an inference chunk budget. */
  get valuesPerExample(): number {
    const Tx = this.inputShape.steps;
    const nA = this.inputShape.units;
    const nS = this.units;
    return Tx * (nS + 3 * nA + this.energyUnits + 3 + this.steps) + (this.steps + 1) * 2 * nS + 6 * nS + 2 * nA;
  }

  compile(o: CompileOptions): CompiledAttention {
    const { be, m, dtype, withBackward } = o;
    const Tx = this.inputShape.steps;
    const nA = this.inputShape.units;
    const nS = this.units;
    const nE = this.energyUnits;
    const Ty = this.steps;
    const M = m * Tx;
    const z = (rows: number, cols: number): Tensor => be.zeros([rows, cols], dtype);
    const vc = new ViewCache();
    // Forward. Training keeps every step's caches for the backward pass; inference reuses one set.
    const kept = withBackward ? Ty : 1;
    const att = Array.from({ length: kept }, () => attentionBuffers(be, nS, nA, nE, m, Tx, dtype));
    const P = z(nA, M);
    const context = z(nA, m);
    const alphas = z(Ty, M);
    const ss = z(Ty + 1, nS * m); // s<0..T_y>, s<0> = 0
    const cs = z(Ty + 1, nS * m);
    const concat = z(kept, (nS + nA) * m);
    const gates = z(kept, 4 * nS * m);
    const tanhC = z(kept, nS * m);
    const W = z(4 * nS, nS + nA);
    const b = z(4 * nS, 1);
    const out = be.zeros([nS, m, Ty], dtype);
    // Backward.
    const learn = withBackward && this.trainable;
    const back = withBackward
      ? {
          das: z(Ty, nS * m),
          dsNext: z(nS, m),
          carry: z(nS, m),
          dsPrev: z(nS, m),
          dcA: z(nS, m),
          dcB: z(nS, m),
          dconcat: z(nS + nA, m),
          lstmDc: z(nS, m),
          lstmDG: z(4 * nS, m),
          lstmDb: z(4 * nS, 1),
          accW: z(4 * nS, nS + nA),
          accB: z(4 * nS, 1),
          attScratch: attentionScratch(be, nS, nA, nE, m, Tx, dtype),
          da: z(nA, M),
        }
      : null;
    const grads = learn ? this.named.map((p) => be.zeros(p.tensor.shape, dtype)) : [];
    // The densors' gradients are summed over the steps straight into `grads` (into scratch when frozen).
    const attAcc = withBackward ? (learn ? grads : this.named.slice(0, 4).map((p) => be.zeros(p.tensor.shape, dtype))) : [];
    const attGrads = { dW1: attAcc[0]!, db1: attAcc[1]!, dW2: attAcc[2]!, db2: attAcc[3]! };
    const attBases = att.flatMap((a) => [a.concat.all]);
    const bases = [alphas, ss, cs, concat, gates, tanhC, W, b, ...attBases];
    if (back) bases.push(back.das, back.dconcat, back.lstmDG, back.accW, back.accB, back.attScratch.dconcat.all);
    const views = new Refreshing(bases, () => ({
      att: att.map((a): AttentionBuffers => ({ ...a, concat: split(a.concat.all, nS) })),
      alpha: stepViews(alphas, Ty, 1, M),
      s: stepViews(ss, Ty + 1, nS, m),
      sSteps: rowsOf(ss, 1, Ty),
      c: stepViews(cs, Ty + 1, nS, m),
      concat: stepViews(concat, kept, nS + nA, m).map((v) => split(v, nS)),
      gates: stepViews(gates, kept, 4 * nS, m).map(lstmGates),
      tanhC: stepViews(tanhC, kept, nS, m),
      lstmW: lstmWeights(W, b) as LstmWeights,
      wRows: LSTM_STACK.map((_, k) => [rowsOf(W, k * nS, nS), rowsOf(b, k * nS, nS)] as const),
      accRows: back ? LSTM_STACK.map((_, k) => [rowsOf(back.accW, k * nS, nS), rowsOf(back.accB, k * nS, nS)] as const) : [],
      ds: back ? stepViews(back.das, Ty, nS, m) : [],
      dconcat: back ? split(back.dconcat, nS) : null,
      lstmScratch: back ? { dc: back.lstmDc, dG: lstmGates(back.lstmDG), db: back.lstmDb } : null,
      attScratch: back ? { ...back.attScratch, dconcat: split(back.attScratch.dconcat.all, nS) } : null,
    }));
    const p = this.lstm;
    const energies = this.energies;
    // What each backward pass starts from zero (the sums over the steps, the carried gradients).
    const zeroed = back ? [back.accW, back.accB, ...attAcc, back.carry, back.dcA] : [];

    const forward = (x: Tensor): Tensor => {
      const v = views.get();
      const a = vc.matrix(x, nA, M);
      for (let k = 0; k < LSTM_STACK.length; k++) {
        be.copy(p[LSTM_STACK[k]![0]]!, v.wRows[k]![0]);
        be.copy(p[LSTM_STACK[k]![1]]!, v.wRows[k]![1]);
      }
      for (let t = 0; t < Ty; t++) {
        const k = withBackward ? t : 0;
        const buf = v.att[k]!;
        attentionStep(be, energies, a, v.s[t]!, buf, P, context);
        be.copy(buf.alpha, v.alpha[t]!);
        lstmStep(be, v.lstmW, context, v.s[t]!, v.c[t]!, v.concat[k]!, v.gates[k]!, v.c[t + 1]!, v.tanhC[k]!, v.s[t + 1]!);
      }
      be.transpose(v.sSteps, vc.matrix(out, nS * m, Ty));
      return out;
    };

    const backward = (_x: Tensor, dOut: Tensor, dIn: Tensor | null): void => {
      const v = views.get();
      const g = back!;
      const dcat = v.dconcat!;
      const da = dIn ? vc.matrix(dIn, nA, M) : g.da;
      be.transpose(vc.matrix(dOut, nS * m, Ty), g.das);
      for (let k = 0; k < zeroed.length; k++) be.fill(zeroed[k]!, 0);
      be.fill(da, 0);
      let dcNext = g.dcA;
      let dcPrev = g.dcB;
      for (let t = Ty - 1; t >= 0; t--) {
        // ds<t> from the output at step t plus what step t + 1 sent back (through its LSTM and its attention).
        add(be, v.ds[t]!, g.carry, g.dsNext);
        lstmStepBackward(be, v.lstmW, v.concat[t]!, v.gates[t]!, v.c[t]!, v.tanhC[t]!, g.dsNext, dcNext, g.accW, g.accB, dcat, dcPrev, v.lstmScratch!);
        attentionStepBackward(be, energies, v.att[t]!, dcat.bottom, attGrads, da, g.dsPrev, v.attScratch!);
        add(be, dcat.top, g.dsPrev, g.carry);
        const s = dcNext;
        dcNext = dcPrev;
        dcPrev = s;
      }
      if (!learn) return;
      // The stacked LSTM rows [f; i; o; c] go to their course-named gradients; then all times 1/m.
      for (let k = 0; k < v.accRows.length; k++) {
        be.copy(v.accRows[k]![0], grads[4 + 2 * k]!);
        be.copy(v.accRows[k]![1], grads[5 + 2 * k]!);
      }
      for (let k = 0; k < grads.length; k++) be.axpy(1 / m - 1, grads[k]!, grads[k]!);
    };

    return { alphas, grads: learn ? grads : NO_GRADS, forward: (x) => forward(x), backward };
  }

  toSpec(): AttentionSpec {
    const spec: AttentionSpec = { type: 'attention', steps: this.steps, units: this.units };
    if (this.energyUnits !== DEFAULT_ENERGY_UNITS) spec.energyUnits = this.energyUnits;
    if (!this.trainable) spec.trainable = false;
    return spec;
  }

  describe(): string {
    return `attention T_y=${this.steps} n_s=${this.units} n_e=${this.energyUnits}`;
  }
}

/** The assignment's densor1 units. */
export const DEFAULT_ENERGY_UNITS = 10;
