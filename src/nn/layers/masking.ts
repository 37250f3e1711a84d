/**
 * Padding in variable-length batches (Keras's masking). Sequences of different lengths are padded to
 * the network's T_x; a {@link StepMask} tells which steps are padding, filled by the network's first
 * layer from the input:
 * - an `embedding` with `maskZero` (index 0 is the padding token), or
 * - a `masking` layer ({@link MaskingLayer}): a step whose features all equal `value` (default 0) is
 *   padding, for one-hot or float sequences.
 * Recurrent layers carry their state through a padded step (a<t> = a<t-1>, c<t> = c<t-1>; with
 * returnSequences the output there is that carried state, as Keras's); a timeDistributed output's
 * loss is the mean over real steps only. {@link checkMaskFlow} refuses a network where the mask
 * would reach a layer that does not read it.
 */
import { ValueError } from '../../tensor/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { LayerBase, type AnyLayer, type CompileOptions, type CompiledLayer, type Layer } from './layer.js';
import type { ActivationShape, SequenceShape } from './shape.js';
import type { MaskingSpec } from './spec.js';

/**
 * Marks the steps of (n, m, T) whose n features all equal `value` as padding; passes X on unchanged.
 *
 * @example
 * ```ts
 * import { Network, Tensor } from 'layerwise';
 * // The same weights (seed 1) over 3 steps with the last 2 padded, and over the 1 real step alone.
 * const padded = new Network({ inputShape: { sequence: [1, 3] }, layers: [{ type: 'masking' }, { type: 'simpleRnn', units: 2 }, { units: 1 }], seed: 1 });
 * const short = new Network({ inputShape: { sequence: [1, 1] }, layers: [{ type: 'simpleRnn', units: 2 }, { units: 1 }], seed: 1 });
 * const a = padded.predict(new Tensor([1, 1, 3], new Float32Array([0.5, 0, 0]))).data[0];
 * a === short.predict(new Tensor([1, 1, 1], new Float32Array([0.5]))).data[0]; // true
 * ```
 */
export class MaskingLayer extends LayerBase implements Layer<ActivationShape, 'masking'> {
  readonly type = 'masking' as const;
  readonly outputShape: SequenceShape;
  readonly producesMask: number;

  constructor(
    readonly inputShape: SequenceShape,
    /** The value of every feature of a padded step. */
    readonly value: number,
  ) {
    super();
    this.outputShape = inputShape;
    this.producesMask = inputShape.steps;
  }

  compile(o: CompileOptions): CompiledLayer {
    const mask = o.mask;
    if (!mask) throw new ValueError('masking: compile: expected the chain\'s padding mask (CompileOptions.mask), got none');
    const { m, be } = o;
    const { units: n, steps: T } = this.inputShape;
    mask.check(m, T, 'masking');
    const mT = m * T;
    const value = this.value;
    return {
      grads: [],
      forward: (x: Tensor) => {
        const X = x.data;
        const M = mask.values;
        for (let k = 0; k < mT; k++) {
          let real = 0;
          for (let i = 0; i < n && real === 0; i++) if (X[i * mT + k] !== value) real = 1;
          M[k] = real;
        }
        mask.update();
        return x;
      },
      backward: (_x, dOut, dIn) => {
        if (dIn) be.copy(dOut, dIn);
      },
    };
  }

  toSpec(): MaskingSpec {
    return this.value === 0 ? { type: 'masking' } : { type: 'masking', value: this.value };
  }

  describe(): string {
    return `masking ${this.value}`;
  }
}

/** Layers that keep a masked sequence's steps apart (or read the mask), so the mask may pass through them. */
const MASK_AWARE: readonly string[] = [
  'simpleRnn',
  'lstm',
  'gru',
  'bidirectional',
  'timeDistributed',
  'dropout',
  'activation',
  'layerNorm',
  'positionalEncoding',
  // The transformer layers read it: no step attends to a padded key; the pool averages real steps.
  'multiHeadAttention',
  'transformerEncoder',
  'globalAveragePool1d',
];

/**
 * Throws unless a padding mask made by the network's first layer reaches only layers that handle it:
 * recurrent, bidirectional and transformer layers (they read it), timeDistributed, dropout, activation,
 * layerNorm and positionalEncoding layers (per step), until a layer with a flat output (a recurrent
 * layer without returnSequences, a pool) ends the sequence. A producer anywhere but first is refused
 * too (the mask is read off the network's input).
 */
export function checkMaskFlow(layers: readonly AnyLayer[], where: string, path: string): void {
  let masked = false;
  layers.forEach((l, i) => {
    const name = `${path}[${i}]`;
    if (l.producesMask) {
      if (i !== 0) {
        throw new ValueError(
          `${where}: ${name}: a ${l.type} layer that marks padding must be the network's first layer (it reads the padded steps off the input), got it after ${i === 1 ? 'a' : i} ${layers[0]!.type}${i === 1 ? '' : ' ...'} layer`,
        );
      }
      masked = true;
      return;
    }
    if (!masked) return;
    if (!MASK_AWARE.includes(l.type)) {
      throw new ValueError(
        `${where}: ${name}: the ${l.type} layer does not read the padding mask of ${path}[0], so padded steps would count; ` +
          `expected ${MASK_AWARE.join(', ')} layers until a layer with a flat output ends the sequence, got ${l.type}`,
      );
    }
    if (l.outputShape.kind !== 'sequence') masked = false;
  });
}
