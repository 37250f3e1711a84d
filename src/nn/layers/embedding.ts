/**
 * An embedding layer (course 5, week 2): a sequence of word (or character)
 * indices (1, m, T) becomes the sequence of their vectors (dim, m, T), row
 * E[index] of the embedding matrix E (vocab, dim), the course's emb_matrix.
 * Trainable (dE sums dOut into the rows the batch used, times 1/m) or frozen
 * (`trainable: false`), and it may start from a given matrix (GloVe vectors).
 * With `maskZero`, index 0 is padding: the layer fills the chain's padding mask (see `StepMask`).
 */
import type { Backend } from '../../backend/backend.js';
import type { Rng } from '../../random/rng.js';
import { ValueError } from '../../tensor/errors.js';
import type { DType, Tensor } from '../../tensor/tensor.js';
import { initializeWeights, type Initializer } from '../initializers.js';
import { LayerBase, NO_GRADS, type CompileOptions, type CompiledLayer, type Layer, type NamedTensor } from './layer.js';
import { sequence, type ActivationShape, type SequenceShape } from './shape.js';
import type { EmbeddingSpec } from './spec.js';

/** What an embedding layer is made of, resolved and checked by the builder. */
export interface EmbeddingOptions {
  readonly vocab: number;
  readonly dim: number;
  readonly init: Initializer;
  /** Values of E (vocab x dim, row by row) to start from, or null. */
  readonly matrix: ArrayLike<number> | null;
  /** Its course number l: the matrix is E<l>. */
  readonly number: number;
  /** Index 0 is padding: the layer fills the chain's padding mask (see StepMask). */
  readonly maskZero?: boolean;
}

/** Indices (1, m, T) -> vectors (dim, m, T) through E (vocab, dim). */
export class EmbeddingLayer extends LayerBase implements Layer<ActivationShape, 'embedding'> {
  readonly type = 'embedding' as const;
  readonly vocab: number;
  readonly dim: number;
  readonly number: number;
  /** E (vocab, dim): row i is the vector of index i. */
  readonly E: Tensor;
  readonly outputShape: SequenceShape;
  /** Index 0 is the padding token (Keras's mask_zero). */
  readonly maskZero: boolean;
  /** T when `maskZero` (it fills a mask of T steps), else 0. */
  readonly producesMask: number;

  constructor(
    readonly inputShape: SequenceShape,
    o: EmbeddingOptions,
    be: Backend,
    dtype: DType,
    rng: Rng,
  ) {
    super();
    this.vocab = o.vocab;
    this.dim = o.dim;
    this.number = o.number;
    this.maskZero = o.maskZero ?? false;
    this.producesMask = this.maskZero ? inputShape.steps : 0;
    this.outputShape = sequence(o.dim, inputShape.steps);
    this.E = be.zeros([o.vocab, o.dim], dtype);
    // (The network's sizing build gives E no values to fill.)
    if (o.matrix) {
      if (this.E.data.length === o.matrix.length) this.E.data.set(o.matrix);
    } else initializeWeights(this.E.data, o.dim, o.init, rng);
  }

  override get params(): readonly NamedTensor[] {
    return [{ name: `E${this.number}`, tensor: this.E }];
  }

  /** Throws unless every value of X (1, m, T) is an integer index in [0, vocab). */
  checkIndices(X: Tensor, where: string, name: string): void {
    const d = X.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= this.vocab) {
        throw new ValueError(`${where}: ${name}: expected indices, integers in [0, ${this.vocab}) for the embedding of ${this.vocab} entries, got ${v} at example ${Math.floor(i / this.inputShape.steps)}, step ${i % this.inputShape.steps}`);
      }
    }
  }

  compile(o: CompileOptions): CompiledLayer {
    const { be, m, dtype, withBackward } = o;
    const T = this.inputShape.steps;
    const dim = this.dim;
    const out = be.zeros([dim, m, T], dtype);
    const learn = withBackward && this.trainable;
    const dE = learn ? be.zeros([this.vocab, dim], dtype) : null;
    const mT = m * T;
    const mask = this.maskZero ? (o.mask ?? null) : null;
    if (this.maskZero && !mask) throw new ValueError('embedding: compile: maskZero needs the chain\'s padding mask (CompileOptions.mask), got none');
    mask?.check(m, T, 'embedding');
    return {
      grads: dE ? [dE] : NO_GRADS,
      forward: (x) => {
        const X = x.data;
        const E = this.E.data;
        const A = out.data;
        for (let k = 0; k < mT; k++) {
          const row = X[k]! * dim;
          for (let d = 0; d < dim; d++) A[d * mT + k] = E[row + d]!;
        }
        if (mask) {
          // X (1, m, T) is laid out as the mask: example j's step t at j T + t.
          for (let k = 0; k < mT; k++) mask.values[k] = X[k] === 0 ? 0 : 1;
          mask.update();
        }
        return out;
      },
      backward: (x, dOut, dIn) => {
        // Indices have no gradient.
        if (dIn) be.fill(dIn, 0);
        if (!dE) return;
        be.fill(dE, 0);
        const X = x.data;
        const G = dOut.data;
        const D = dE.data;
        for (let k = 0; k < mT; k++) {
          const row = X[k]! * dim;
          for (let d = 0; d < dim; d++) D[row + d] = D[row + d]! + G[d * mT + k]! / m;
        }
      },
    };
  }

  toSpec(): EmbeddingSpec {
    const spec: EmbeddingSpec = { type: 'embedding', vocab: this.vocab, dim: this.dim };
    if (!this.trainable) spec.trainable = false;
    if (this.maskZero) spec.maskZero = true;
    return spec;
  }

  describe(): string {
    return `embedding ${this.vocab}x${this.dim}${this.maskZero ? ' maskZero' : ''}`;
  }
}
