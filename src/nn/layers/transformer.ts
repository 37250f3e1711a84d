/**
 * The transformer encoder layer of course 5, week 4, made of the layers it is
 * written with:
 *   X -> multi-head self-attention -> dropout -> + X -> layer norm  (= N)
 *     -> dense(ff, relu) at every step -> dense(d) at every step -> dropout -> + N -> layer norm.
 * The per-step dense layers are timeDistributed dense layers (the dense math over
 * the m T columns of the sequence); the attention, the layer norms and the
 * dropouts are the layers of their own names. Also here: building the
 * transformer's layers from their specs (layerNorm, positionalEncoding,
 * multiHeadAttention, transformerEncoder, globalAveragePool1d).
 */
import type { Backend } from '../../backend/backend.js';
import type { Rng } from '../../random/rng.js';
import { ShapeError, ValueError } from '../../tensor/errors.js';
import type { DType, Tensor } from '../../tensor/tensor.js';
import { assertPositiveInt, describe } from '../../tensor/validate.js';
import { resolveActivation } from '../activations.js';
import { resolveInitializer, type Initializer } from '../initializers.js';
import { checkKeepProb, MAX_LAYER_WEIGHTS } from './build.js';
import { DenseLayer } from './dense.js';
import { DropoutLayer } from './elementwise.js';
import { CompositeLayer, type AnyLayer, type BuildContext, type CompileOptions, type CompiledLayer, type Layer } from './layer.js';
import { LAYER_NORM_EPSILON, LayerNormLayer } from './layer-norm.js';
import { MultiHeadAttentionLayer } from './multi-head-attention.js';
import { GlobalAveragePool1dLayer, PositionalEncodingLayer } from './positional.js';
import { batchBuffer, formatFeatureShape, sequence, type ActivationShape, type FeatureShape, type SequenceShape } from './shape.js';
import type { TransformerEncoderSpec } from './spec.js';
import { TimeDistributedLayer } from './time-distributed.js';

/** The transformer's layer types, built by {@link buildTransformerLayer}. */
export const TRANSFORMER_LAYER_TYPES = ['layerNorm', 'positionalEncoding', 'multiHeadAttention', 'transformerEncoder', 'globalAveragePool1d'] as const;
export type TransformerLayerType = (typeof TRANSFORMER_LAYER_TYPES)[number];

/** True for the transformer's layer types. */
export function isTransformerLayerType(type: string): type is TransformerLayerType {
  return (TRANSFORMER_LAYER_TYPES as readonly string[]).includes(type);
}

/** What an encoder layer is made of, resolved and checked by the builder. */
export interface TransformerEncoderOptions {
  readonly heads: number;
  /** The feed-forward network's hidden units. */
  readonly ff: number;
  /** Keep probability of the two dropouts (1: none). */
  readonly keepProb: number;
  readonly causal: boolean;
  readonly init: Initializer;
  /** The course number of its first sublayer; the five sublayers take l .. l + 4. */
  readonly number: number;
  /** L2 and L1 strengths of the feed-forward weights (the network's). */
  readonly l2: number;
  readonly l1: number;
}

/**
 * A transformer encoder layer over a sequence (d, m, T) -> (d, m, T).
 *
 * @example
 * ```ts
 * import { Network } from 'layerwise';
 * const net = new Network({
 *   inputShape: { sequence: [1, 6] },                          // 6 token indices per example
 *   layers: [
 *     { type: 'embedding', vocab: 10, dim: 8 },
 *     { type: 'positionalEncoding' },
 *     { type: 'transformerEncoder', heads: 2, ff: 16 },
 *     { type: 'globalAveragePool1d' },
 *     { units: 2, activation: 'softmax' },
 *   ],
 * });
 * net.summary().includes('transformerEncoder 2x4 ff 16'); // true
 * net.predict([[[1, 2, 3, 4, 5, 6]]]).shape.join() === '2,1'; // true
 * ```
 */
export class TransformerEncoderLayer extends CompositeLayer implements Layer<ActivationShape, 'transformerEncoder'> {
  readonly type = 'transformerEncoder' as const;
  readonly outputShape: SequenceShape;
  readonly attention: MultiHeadAttentionLayer;
  readonly norm1: LayerNormLayer;
  /** dense(ff, relu) and dense(d, linear) at every step. */
  readonly ff1: TimeDistributedLayer;
  readonly ff2: TimeDistributedLayer;
  readonly norm2: LayerNormLayer;
  readonly keepProb: number;

  constructor(
    readonly inputShape: SequenceShape,
    o: TransformerEncoderOptions,
    be: Backend,
    dtype: DType,
    rng: Rng,
  ) {
    super();
    this.outputShape = inputShape;
    this.keepProb = o.keepProb;
    const { units: d, steps: T } = inputShape;
    const l = o.number;
    this.attention = new MultiHeadAttentionLayer(inputShape, { heads: o.heads, causal: o.causal, init: o.init, number: l }, be, dtype, rng);
    this.norm1 = new LayerNormLayer(inputShape, LAYER_NORM_EPSILON, l + 1, be, dtype);
    const dense = (n: number, units: number, activation: 'relu' | 'linear', number: number): DenseLayer =>
      new DenseLayer({ kind: 'flat', units: n }, { units, activation: resolveActivation(activation), init: o.init, keepProb: 1, batchNorm: false, l2: o.l2, l1: o.l1, number }, { momentum: 0, epsilon: 0 }, be, dtype, rng);
    this.ff1 = new TimeDistributedLayer(inputShape, dense(d, o.ff, 'relu', l + 2), false);
    this.ff2 = new TimeDistributedLayer(sequence(o.ff, T), dense(o.ff, d, 'linear', l + 3), false);
    this.norm2 = new LayerNormLayer(inputShape, LAYER_NORM_EPSILON, l + 4, be, dtype);
  }

  /** The sublayers in order. */
  get layers(): readonly AnyLayer[] {
    return [this.attention, this.norm1, this.ff1, this.ff2, this.norm2];
  }

  protected get inner(): readonly AnyLayer[] {
    return this.layers;
  }

  get heads(): number {
    return this.attention.heads;
  }

  get causal(): boolean {
    return this.attention.causal;
  }

  get ff(): number {
    return this.ff1.dense.units;
  }

  /** Values a compiled encoder holds per example besides its output (see {@link MultiHeadAttentionLayer.valuesPerExample}). */
  get valuesPerExample(): number {
    const { units: d, steps: T } = this.inputShape;
    // The attention's buffers and output, the two sums, each layer norm's output, normalized input and
    // gamma broadcast (and 4 per-step statistics), the feed-forward's Z and A of both dense layers.
    return this.attention.valuesPerExample + d * T + 2 * d * T + 2 * (3 * d * T + 4 * T) + 2 * this.ff * T + 2 * d * T;
  }

  compile(o: CompileOptions): CompiledLayer {
    const { be, m, dtype, withBackward } = o;
    const shape = this.inputShape;
    const buffer = (s: ActivationShape = shape): Tensor => batchBuffer(be, s, m, dtype);
    const dropout = (): CompiledLayer | null => (this.keepProb < 1 ? new DropoutLayer(shape as unknown as FeatureShape, this.keepProb).compile(o) : null);
    const [mha, norm1, ff1, ff2, norm2] = this.layers.map((x) => x.compile(o)) as [CompiledLayer, CompiledLayer, CompiledLayer, CompiledLayer, CompiledLayer];
    const [drop1, drop2] = [dropout(), dropout()];
    // The residual sums (the layer norms' inputs), and what each sublayer saw last.
    const [sum1, sum2] = [buffer(), buffer()];
    let [att, n1, h, f] = [sum1, sum1, sum1, sum1];
    // Backward: gradients of the sums, of the feed-forward's hidden and output, and of the attention's output.
    const [dSum1, dSum2, dN1, dAtt, dF] = withBackward ? [buffer(), buffer(), buffer(), buffer(), buffer()] : [];
    const dH = withBackward ? buffer(sequence(this.ff, shape.steps)) : null;
    const dX = withBackward ? buffer() : null;
    return {
      grads: [mha, norm1, ff1, ff2, norm2].flatMap((c) => c.grads),
      forward: (x, training, redraw) => {
        att = mha.forward(x, training, redraw);
        const a = drop1 ? drop1.forward(att, training, redraw) : att;
        be.copy(x, sum1);
        be.axpy(1, a, sum1);
        n1 = norm1.forward(sum1, training, redraw);
        h = ff1.forward(n1, training, redraw);
        f = ff2.forward(h, training, redraw);
        const g = drop2 ? drop2.forward(f, training, redraw) : f;
        be.copy(n1, sum2);
        be.axpy(1, g, sum2);
        return norm2.forward(sum2, training, redraw);
      },
      backward: (x, dOut, dIn) => {
        norm2.backward(sum2, dOut, dSum2!, false);
        // The feed-forward branch, then the residual's share of dN1.
        if (drop2) drop2.backward(f, dSum2!, dF!, false);
        else be.copy(dSum2!, dF!);
        ff2.backward(h, dF!, dH, false);
        ff1.backward(n1, dH!, dN1!, false);
        be.axpy(1, dSum2!, dN1!);
        norm1.backward(sum1, dN1!, dSum1!, false);
        if (drop1) drop1.backward(att, dSum1!, dAtt!, false);
        else be.copy(dSum1!, dAtt!);
        mha.backward(x, dAtt!, dIn ? dX : null, false);
        if (!dIn) return;
        be.copy(dX!, dIn);
        be.axpy(1, dSum1!, dIn);
      },
    };
  }

  toSpec(): TransformerEncoderSpec {
    const spec: TransformerEncoderSpec = { type: 'transformerEncoder', heads: this.heads, ff: this.ff };
    if (this.keepProb !== 1) spec.keepProb = this.keepProb;
    if (this.causal) spec.causal = true;
    if (!this.trainable) spec.trainable = false;
    return spec;
  }

  describe(): string {
    return `transformerEncoder ${this.heads}x${this.inputShape.units / this.heads} ff ${this.ff}${this.causal ? ' causal' : ''}${this.keepProb < 1 ? ` dropout ${this.keepProb}` : ''}`;
  }
}

type Spec = Record<string, unknown>;

/** `value` as a boolean option (default false). */
function flag(value: unknown, where: string, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new ValueError(`${where}: ${name}: expected true or false, got ${describe(value)}`);
  return value;
}

/** h, checked to divide d. */
function checkHeads(value: unknown, d: number, where: string, name: string): number {
  const heads = assertPositiveInt(value, where, `${name}.heads`);
  if (d % heads !== 0) throw new ValueError(`${where}: ${name}.heads: expected a divisor of d = ${d} (each of the heads has depth d / heads), got ${heads}`);
  return heads;
}

/** Builds a transformer layer from its spec (its keys already checked) and the shape reaching it. */
export function buildTransformerLayer(ctx: BuildContext, type: TransformerLayerType, spec: Spec, input: ActivationShape, name: string): AnyLayer {
  const where = ctx.where;
  if (type === 'layerNorm') {
    if (input.kind === 'image') throw new ShapeError(`${where}: ${name}: a layerNorm layer normalizes a flat (n, m) or sequence (n, m, T) input over its n features, got an image ${formatFeatureShape(input)}`);
    const epsilon = spec.epsilon ?? LAYER_NORM_EPSILON;
    if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon <= 0) throw new ValueError(`${where}: ${name}.epsilon: expected a finite number > 0, got ${describe(epsilon)}`);
    return new LayerNormLayer(input, epsilon, ctx.nextNumber++, ctx.be, ctx.dtype);
  }
  if (input.kind !== 'sequence') {
    throw new ShapeError(`${where}: ${name}: a ${type} layer needs a sequence input (d, m, T), got ${formatFeatureShape(input)} (give the network inputShape: { sequence: [d, T] }, or an embedding below it)`);
  }
  const d = input.units;
  const init = resolveInitializer('xavier', where, `${name}.init`);
  switch (type) {
    case 'positionalEncoding':
      return new PositionalEncodingLayer(input);
    case 'globalAveragePool1d':
      return new GlobalAveragePool1dLayer(input);
    case 'multiHeadAttention': {
      const heads = checkHeads(spec.heads, d, where, name);
      checkWeights(4 * d * d, where, name);
      return new MultiHeadAttentionLayer(input, { heads, causal: flag(spec.causal, where, `${name}.causal`), init, number: ctx.nextNumber++ }, ctx.be, ctx.dtype, ctx.rng);
    }
    case 'transformerEncoder': {
      const heads = checkHeads(spec.heads, d, where, name);
      const ff = spec.ff === undefined ? 4 * d : assertPositiveInt(spec.ff, where, `${name}.ff`);
      const keepProb = spec.keepProb === undefined ? 1 : checkKeepProb(spec.keepProb, where, `${name}.keepProb`);
      const causal = flag(spec.causal, where, `${name}.causal`);
      checkWeights(Math.max(4 * d * d, ff * d), where, name);
      const number = ctx.nextNumber;
      ctx.nextNumber += 5;
      return new TransformerEncoderLayer(input, { heads, ff, keepProb, causal, init, number, l2: ctx.l2, l1: ctx.l1 }, ctx.be, ctx.dtype, ctx.rng);
    }
  }
}

/** A layer's largest weight block must fit {@link MAX_LAYER_WEIGHTS}. */
function checkWeights(count: number, where: string, name: string): void {
  if (count > MAX_LAYER_WEIGHTS) throw new ValueError(`${where}: ${name}: ${count} weights in one block; expected at most ${MAX_LAYER_WEIGHTS}`);
}
