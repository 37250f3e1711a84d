/**
 * The layers a user declares, as a discriminated union on `type`. A spec
 * without `type` is a dense layer (`{ units: 128, activation: 'relu' }`), so
 * every network written before the typed layers existed still builds.
 */
import type { ActivationSpec } from '../activations.js';
import type { InitSpec } from '../initializers.js';

/** Options every layer with weights shares. */
interface WeightedSpec {
  /** g; default 'relu' ('sigmoid' for a dense output layer). */
  activation?: ActivationSpec;
  /** Overrides the network's initializer for this layer's W. */
  init?: InitSpec;
  /** Batch normalization of Z (per unit for dense, per channel for conv); replaces b with gamma, beta. */
  batchNorm?: boolean;
  /** L2 strength lambda for this layer's W (overrides the network's). */
  l2?: number;
  /** L1 strength lambda for this layer's W (overrides the network's). */
  l1?: number;
  /** false freezes the layer: training leaves its parameters (and batch-norm statistics) as they are. Default true. */
  trainable?: boolean;
}

/** A dense layer: Z = W A_prev + b, A = g(Z); W is (n[l], n[l-1]). */
export interface DenseSpec extends WeightedSpec {
  type?: 'dense';
  /** n[l], the number of units. */
  units: number;
  /** Inverted dropout on this layer's output while training: keep probability in (0, 1]. Hidden layers only. */
  keepProb?: number;
}

/** A convolution: filters W (f, f, n_C_prev, n_C), b (1, 1, 1, n_C); output edge floor((n + 2p - f) / s) + 1. */
export interface Conv2DSpec extends WeightedSpec {
  type: 'conv2d';
  /** n_C, the number of filters. */
  filters: number;
  /** f, the filter edge (filters are f x f). */
  size: number;
  /** s; default 1. */
  stride?: number;
  /** 'valid' (no padding, the default), 'same' (p = (f - 1) / 2, f odd) or a number of zeros p. */
  padding?: 'valid' | 'same' | number;
}

/** Max or average pooling over f x f windows (stride f unless given), per channel; no parameters. */
export interface PoolSpec {
  type: 'maxPool2d' | 'avgPool2d';
  /** f, the window edge. */
  size: number;
  /** s; default f. */
  stride?: number;
}

/** Zero padding of n_H and n_W by `pad` on every side. */
export interface ZeroPadSpec {
  type: 'zeroPad2d';
  pad: number;
}

/** (m, n_H, n_W, n_C) -> (n_H n_W n_C, m), the course's Flatten; inserted automatically before a dense layer that follows an image. */
export interface FlattenSpec {
  type: 'flatten';
}

/** Batch normalization on its own: per unit of a flat input, per channel of an image. */
export interface BatchNormSpec {
  type: 'batchNorm';
  trainable?: boolean;
}

/** Inverted dropout on its own (e.g. after a pooling layer). */
export interface DropoutSpec {
  type: 'dropout';
  keepProb: number;
}

/** An activation on its own. */
export interface ActivationLayerSpec {
  type: 'activation';
  activation: ActivationSpec;
}

/**
 * A residual block (course 4, ResNets): the main path and the shortcut (the
 * identity when omitted or empty) both read the block's input; their outputs
 * are added, then the activation (default 'relu') applies.
 */
export interface ResidualSpec {
  type: 'residual';
  main: TypedLayerSpec[];
  shortcut?: TypedLayerSpec[];
  activation?: ActivationSpec;
  trainable?: boolean;
}

/**
 * A recurrent layer over a sequence (n_x, m, T_x) (course 5): the basic RNN
 * (`simpleRnn`: a<t> = tanh(Waa a<t-1> + Wax x<t> + ba)), the LSTM or the GRU, with a<0> = 0
 * (and c<0> = 0). Its output is the last hidden state a<T_x> (n_a, m), or with
 * `returnSequences` every a<t>, the sequence (n_a, m, T_x). Behind an embedding with `maskZero` or a
 * `masking` layer, a padded step keeps the state (a<t> = a<t-1>, c<t> = c<t-1>; the output there is
 * that carried state, as Keras's), so the last state is the last real step's.
 */
export interface RecurrentSpec {
  type: 'simpleRnn' | 'lstm' | 'gru';
  /** n_a, the hidden state's size. */
  units: number;
  /** true: output a<1..T_x> (n_a, m, T_x); false (default): the last state a<T_x> (n_a, m). */
  returnSequences?: boolean;
  /** How the weights start; default 'xavier' (the biases start at 0). */
  init?: InitSpec;
  trainable?: boolean;
}

/**
 * A dense layer applied at every step of a sequence (n, m, T) -> (units, m, T), the same W and b
 * at each step. As the last layer, the loss is averaged over steps and examples and Y is (n_y, m, T).
 */
export interface TimeDistributedSpec extends Omit<DenseSpec, 'type'> {
  type: 'timeDistributed';
}

/**
 * An embedding (course 5, week 2): indices (1, m, T), integers in [0, vocab), become vectors
 * (dim, m, T), the rows of E (vocab, dim). The network's input is then { sequence: [1, T] }.
 */
export interface EmbeddingSpec {
  type: 'embedding';
  /** Entries of the vocabulary. */
  vocab: number;
  /** The vectors' length. */
  dim: number;
  /** E to start from: vocab rows of dim values (pretrained vectors, GloVe say); default drawn by `init`. */
  weights?: readonly (readonly number[])[] | { readonly shape: readonly number[]; readonly data: ArrayLike<number> };
  /** How E starts when no weights are given; default 'random' (randn * 0.01). */
  init?: InitSpec;
  /** false: E stays as given (frozen vectors). Default true. */
  trainable?: boolean;
  /**
   * Index 0 is the padding token (Keras's mask_zero): steps whose index is 0 are padding, which
   * recurrent layers skip (their state carries through) and a timeDistributed output's loss leaves
   * out (see `StepMask`). Needs vocab >= 2 and the embedding as the first layer. Default false.
   */
  maskZero?: boolean;
}

/**
 * A recurrent layer run in both directions (course 5, week 1, bidirectional RNN): a forward copy reads
 * x<1..T_x>, a backward copy (its own weights, named with `_bw`; the forward's with `_fw`) reads
 * x<T_x..1>; their outputs are stacked, forward on top: (2 n_a, m, T_x) with returnSequences (both
 * aligned with the input's steps), else (2 n_a, m): the forward's a<T_x> over the backward's a<1>.
 */
export interface BidirectionalSpec {
  type: 'bidirectional';
  /** The recurrent layer each direction runs (its units, returnSequences, init). */
  layer: RecurrentSpec;
  trainable?: boolean;
}

/**
 * Marks padded steps of float (e.g. one-hot) sequences, Keras's Masking: a step whose features all equal
 * `value` (default 0) is padding (see `StepMask`). It passes its input on unchanged; it must be the first layer.
 */
export interface MaskingSpec {
  type: 'masking';
  /** The value every feature of a padded step holds; default 0. */
  value?: number;
}

/**
 * The attention decoder of course 5, week 3 (neural machine translation): it reads the encoder's
 * states a (n_a, m, T_x) and, for each of T_y steps, attends over them (energies from
 * [s<t-1>; a<t'>] through densor1 (tanh, energyUnits) and densor2 (relu), softmax over t',
 * context = Σ α a) and runs a post-attention LSTM step on the context. Output: the states
 * s<1..T_y> (n_s, m, T_y), for a timeDistributed softmax.
 */
export interface AttentionSpec {
  type: 'attention';
  /** T_y, the output steps. */
  steps: number;
  /** n_s, the post-attention LSTM's state size. */
  units: number;
  /** n_e, densor1's units; default 10 (the assignment's). */
  energyUnits?: number;
  /** How the weights start; default 'xavier' (the biases start at 0). */
  init?: InitSpec;
  trainable?: boolean;
}

/** Layer normalization (course 5, week 4): each example's (and step's) n features to mean 0, variance 1, then gamma<l>, beta<l> (n, 1) per feature. Flat or sequence input. */
export interface LayerNormSpec {
  type: 'layerNorm';
  /** Added to the variance; default 1e-6 (the course's). */
  epsilon?: number;
  trainable?: boolean;
}

/** Adds the course's positional encoding PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...) to a sequence (d, m, T); no parameters. */
export interface PositionalEncodingSpec {
  type: 'positionalEncoding';
}

/** Multi-head self-attention over a sequence (d, m, T) -> (d, m, T): `heads` heads of d / heads, Wq, Wk, Wv, Wo (d, d) and their biases. */
export interface MultiHeadAttentionSpec {
  type: 'multiHeadAttention';
  /** h, a divisor of d. */
  heads: number;
  /** true: each step attends only to itself and the steps before it (a language model). Default false. */
  causal?: boolean;
  trainable?: boolean;
}

/**
 * The transformer encoder layer (course 5, week 4) over a sequence (d, m, T): multi-head self-attention,
 * dropout, add & layer norm, then dense(ff, relu) and dense(d) at every step, dropout, add & layer norm.
 */
export interface TransformerEncoderSpec {
  type: 'transformerEncoder';
  /** h, a divisor of d. */
  heads: number;
  /** The feed-forward network's hidden units; default 4 d. */
  ff?: number;
  /** Keep probability of the two dropouts, in (0, 1]; default 1 (none). */
  keepProb?: number;
  /** Mask future steps in the attention (see {@link MultiHeadAttentionSpec}). */
  causal?: boolean;
  trainable?: boolean;
}

/** The mean over a sequence's steps: (n, m, T) -> (n, m), so a dense classifier can follow an encoder. */
export interface GlobalAveragePool1dSpec {
  type: 'globalAveragePool1d';
}

/** Any layer. */
export type TypedLayerSpec = LayerNormSpec | PositionalEncodingSpec | MultiHeadAttentionSpec | TransformerEncoderSpec | GlobalAveragePool1dSpec | BidirectionalSpec | MaskingSpec | AttentionSpec | EmbeddingSpec | TimeDistributedSpec | DenseSpec | Conv2DSpec | PoolSpec | ZeroPadSpec | FlattenSpec | BatchNormSpec | DropoutSpec | ActivationLayerSpec | ResidualSpec | RecurrentSpec;

/** The `type` of a layer over flat or image activations. */
export const LAYER_TYPES = ['dense', 'conv2d', 'maxPool2d', 'avgPool2d', 'zeroPad2d', 'flatten', 'batchNorm', 'dropout', 'activation', 'residual'] as const;

/** The `type` of a layer over flat or image activations (what the exporters handle). */
export type LayerType = (typeof LAYER_TYPES)[number];

/** The `type` of a layer that reads sequences (course 5). */
export const SEQUENCE_LAYER_TYPES = ['simpleRnn', 'lstm', 'gru', 'timeDistributed', 'embedding', 'bidirectional', 'masking', 'attention', 'layerNorm', 'positionalEncoding', 'multiHeadAttention', 'transformerEncoder', 'globalAveragePool1d'] as const;

/** Every `type` a spec may have. */
export const ALL_LAYER_TYPES = [...LAYER_TYPES, ...SEQUENCE_LAYER_TYPES] as const;

/** The `type` of any layer, sequence layers included. */
export type AnyLayerType = (typeof ALL_LAYER_TYPES)[number];

/**
 * The course's identity block (ResNet-50's bottleneck): 1x1 conv F1, BN, ReLU; f x f 'same' conv F2,
 * BN, ReLU; 1x1 conv F3, BN; added to the input (so F3 must equal the input's channels); ReLU.
 *
 * @example
 * ```ts
 * import { identityBlock, Network } from 'layerwise';
 * const net = new Network({ inputShape: [8, 8, 16], layers: [identityBlock(3, [4, 4, 16]), { units: 2, activation: 'softmax' }] });
 * net.outputLayer.units === 2; // true
 * ```
 */
export function identityBlock(f: number, filters: readonly [number, number, number]): ResidualSpec {
  const [f1, f2, f3] = filters;
  return {
    type: 'residual',
    main: [
      { type: 'conv2d', filters: f1, size: 1, batchNorm: true, activation: 'relu' },
      { type: 'conv2d', filters: f2, size: f, padding: 'same', batchNorm: true, activation: 'relu' },
      { type: 'conv2d', filters: f3, size: 1, batchNorm: true, activation: 'linear' },
    ],
  };
}

/**
 * The course's convolutional block: the identity block's main path with stride s in its first 1x1
 * conv, and a shortcut of a 1x1 conv F3 with stride s and BN, so the shapes can change.
 *
 * @example
 * ```ts
 * import { convolutionalBlock, Network } from 'layerwise';
 * const net = new Network({ inputShape: [8, 8, 3], layers: [convolutionalBlock(3, [4, 4, 8], 2), { units: 2, activation: 'softmax' }] });
 * net.summary().includes('(m, 4, 4, 8)'); // true
 * ```
 */
export function convolutionalBlock(f: number, filters: readonly [number, number, number], stride = 2): ResidualSpec {
  const [f1, f2, f3] = filters;
  return {
    type: 'residual',
    main: [
      { type: 'conv2d', filters: f1, size: 1, stride, batchNorm: true, activation: 'relu' },
      { type: 'conv2d', filters: f2, size: f, padding: 'same', batchNorm: true, activation: 'relu' },
      { type: 'conv2d', filters: f3, size: 1, batchNorm: true, activation: 'linear' },
    ],
    shortcut: [{ type: 'conv2d', filters: f3, size: 1, stride, batchNorm: true, activation: 'linear' }],
  };
}
