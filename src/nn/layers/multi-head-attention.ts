/**
 * Multi-head self-attention as a layer (course 5, week 4): the sequence (d, m, T)
 * attends to itself, Q = K = V = X, with `heads` heads of depth d / heads
 * (Wq, Wk, Wv, Wo (d, d), bq, bk, bv, bo (d, 1)), and with `causal` each step
 * attends only to itself and the steps before it (the look-ahead mask of a
 * language model). The math is nn/sequence/dot-attention.ts's (the functional
 * multiHeadAttention runs it too), which reads sequences as the course's
 * (m T, d) rows: one transpose kernel in and out. With a padding mask (see
 * `StepMask`: an embedding with maskZero, a masking layer), no step attends to
 * a padded one; the padded steps' own outputs are left for the mask-reading
 * layers above to ignore.
 *
 * Gradients follow the layers' convention: dOut is d(sum of the batch's
 * losses)/d(output), the parameter gradients are that sum's times 1/m.
 */
import type { Backend } from '../../backend/backend.js';
import type { Rng } from '../../random/rng.js';
import type { DType, Tensor } from '../../tensor/tensor.js';
import { initializeWeights, type Initializer } from '../initializers.js';
import { multiHeadAttentionBackward, multiHeadAttentionStep, multiHeadBuffers, multiHeadScratch, selfAttentionBias, type MultiHeadGrads, type MultiHeadWeights } from '../sequence/dot-attention.js';
import { LayerBase, NO_GRADS, type CompileOptions, type CompiledLayer, type Layer, type NamedTensor } from './layer.js';
import { batchBuffer, ViewCache, type ActivationShape, type SequenceShape } from './shape.js';
import type { MultiHeadAttentionSpec } from './spec.js';

/** The parameters in the optimizer's order (course names without the layer number). */
const NAMES = ['Wq', 'bq', 'Wk', 'bk', 'Wv', 'bv', 'Wo', 'bo'] as const;

/** What a multi-head attention layer is made of, resolved and checked by the builder. */
export interface MultiHeadAttentionOptions {
  /** h; d is a multiple of it. */
  readonly heads: number;
  /** Mask the steps after each query (look-ahead). */
  readonly causal: boolean;
  /** How Wq, Wk, Wv, Wo start (the biases start at 0). */
  readonly init: Initializer;
  /** Its course number l: Wq<l>, bq<l>, ... */
  readonly number: number;
}

/**
 * Multi-head self-attention over a sequence (d, m, T) -> (d, m, T).
 *
 * @example
 * ```ts
 * import { Network } from 'layerwise';
 * const net = new Network({
 *   inputShape: { sequence: [2, 3] },
 *   layers: [{ type: 'multiHeadAttention', heads: 2, causal: true }, { type: 'timeDistributed', units: 2, activation: 'softmax' }],
 *   dtype: 'float64',
 * });
 * const x = [[[1, 0, 2]], [[0, 1, 0]]];                         // (d, m, T) = (2, 1, 3)
 * const y = [[[1, 0, 9]], [[0, 1, 9]]];                         // the same with step 3 changed
 * net.predict(x).data[0] === net.predict(y).data[0]; // true: step 1 does not see step 3
 * ```
 */
export class MultiHeadAttentionLayer extends LayerBase implements Layer<ActivationShape, 'multiHeadAttention'> {
  readonly type = 'multiHeadAttention' as const;
  readonly outputShape: SequenceShape;
  readonly heads: number;
  readonly causal: boolean;
  readonly number: number;
  /** The weights by course name. */
  readonly weights: MultiHeadWeights;

  constructor(
    readonly inputShape: SequenceShape,
    o: MultiHeadAttentionOptions,
    be: Backend,
    dtype: DType,
    rng: Rng,
  ) {
    super();
    this.outputShape = inputShape;
    this.heads = o.heads;
    this.causal = o.causal;
    this.number = o.number;
    const d = inputShape.units;
    const w: Record<string, Tensor> = {};
    for (const name of NAMES) {
      const t = be.zeros([d, name.startsWith('W') ? d : 1], dtype);
      if (name.startsWith('W')) initializeWeights(t.data, d, o.init, rng);
      w[name] = t;
    }
    this.weights = w as unknown as MultiHeadWeights;
  }

  override get params(): readonly NamedTensor[] {
    return NAMES.map((name) => ({ name: `${name}${this.number}`, tensor: this.weights[name] }));
  }

  /**
   * Values a compiled layer holds per example besides its output, for an inference chunk budget: the
   * input and output as rows, each head's projections and output (6 T d in all), and each head's scores,
   * weights and their transpose with the mask term ((3 heads + 1) T^2): quadratic in T.
   */
  get valuesPerExample(): number {
    const { units: d, steps: T } = this.inputShape;
    return 6 * T * d + (3 * this.heads + 1) * T * T;
  }

  compile(o: CompileOptions): CompiledLayer {
    const { be, m, dtype, withBackward } = o;
    const d = this.inputShape.units;
    const T = this.inputShape.steps;
    const mT = m * T;
    const z = (rows: number, cols: number): Tensor => be.zeros([rows, cols], dtype);
    const vc = new ViewCache();
    // The course's row layout (m T, d) of the input and the output.
    const X = z(mT, d);
    const outRows = z(mT, d);
    const out = batchBuffer(be, this.outputShape, m, dtype);
    const b = multiHeadBuffers(be, this.heads, d, m, T, T, dtype);
    // The additive mask term: the look-ahead rule (fixed), and padded keys (rebuilt for each batch).
    const padding = o.mask ?? null;
    padding?.check(m, T, 'multiHeadAttention');
    const bias = this.causal || padding ? z(T, mT) : null;
    if (bias && !padding) selfAttentionBias(null, this.causal, m, T, bias);
    const learn = withBackward && this.trainable;
    // The kernels write every weight gradient; a frozen layer's go to scratch the optimizer never sees.
    const gradList = withBackward ? NAMES.map((name) => be.zeros(this.weights[name].shape, dtype)) : [];
    const g = Object.fromEntries(NAMES.map((name, i) => [`d${name}`, gradList[i]])) as unknown as MultiHeadGrads;
    const scratch = withBackward ? multiHeadScratch(be, b, dtype) : null;
    const [dOutRows, dQ, dK, dV] = withBackward ? [z(mT, d), z(mT, d), z(mT, d), z(mT, d)] : [];
    return {
      grads: learn ? gradList : NO_GRADS,
      forward: (x) => {
        if (padding) selfAttentionBias(padding.values, this.causal, m, T, bias!);
        be.transpose(vc.matrix(x, d, mT), X);
        multiHeadAttentionStep(be, this.weights, X, X, X, bias, b, outRows);
        be.transpose(outRows, vc.matrix(out, d, mT));
        return out;
      },
      backward: (_x, dOut, dIn) => {
        if (!learn && !dIn) return;
        be.transpose(vc.matrix(dOut, d, mT), dOutRows!);
        multiHeadAttentionBackward(be, this.weights, X, X, X, b, dOutRows!, g, dQ!, dK!, dV!, scratch!, 1 / m);
        if (!dIn) return;
        // Self-attention: X is Q, K and V, so dX = dQ + dK + dV.
        be.axpy(1, dK!, dQ!);
        be.axpy(1, dV!, dQ!);
        be.transpose(dQ!, vc.matrix(dIn, d, mT));
      },
    };
  }

  toSpec(): MultiHeadAttentionSpec {
    const spec: MultiHeadAttentionSpec = { type: 'multiHeadAttention', heads: this.heads };
    if (this.causal) spec.causal = true;
    if (!this.trainable) spec.trainable = false;
    return spec;
  }

  describe(): string {
    return `multiHeadAttention ${this.heads}x${this.inputShape.units / this.heads}${this.causal ? ' causal' : ''}`;
  }
}
