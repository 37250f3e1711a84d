/**
 * The contract every layer type implements, and the chain that runs a list
 * of them. A layer owns its shape inference and parameters (by course name);
 * `compile` allocates every buffer it needs for one batch size, after which
 * forward and backward only run kernels into that memory.
 */
import type { Backend } from '../../backend/backend.js';
import type { Rng } from '../../random/rng.js';
import type { DType, Tensor } from '../../tensor/tensor.js';
import type { Initializer } from '../initializers.js';
import { ShapeError } from '../../tensor/errors.js';
import { assertPositiveInt } from '../../tensor/validate.js';
import { batchBuffer, type ActivationShape, type FeatureShape } from './shape.js';
import type { AnyLayerType, LayerType, TypedLayerSpec } from './spec.js';

/** A tensor with its course name (`W1`, `b1`, `gamma2`, `runningMean2`, ...). */
export interface NamedTensor {
  readonly name: string;
  readonly tensor: Tensor;
}

/** A weight matrix with its regularization strengths. */
export interface RegularizedWeight {
  readonly W: Tensor;
  readonly l2: number;
  readonly l1: number;
}

/** Everything a plan compiles layers with. */
export interface CompileOptions {
  readonly be: Backend;
  /** Examples per batch. */
  readonly m: number;
  readonly dtype: DType;
  /** Allocate gradients and masks (a training plan). */
  readonly withBackward: boolean;
  /** The network's generator (dropout masks). */
  readonly rng: Rng;
  /**
   * Which steps of the batch's sequences are padding (see {@link StepMask}), or null/absent
   * when no layer of the network masks: then every layer behaves as without masking.
   * The {@link Chain} makes it; layers that produce or read a mask keep it from here.
   */
  readonly mask?: StepMask | null;
}

/**
 * The padding mask of a batch of sequences, shared by the layers of one compiled chain (Keras's
 * `mask`, made explicit). It is made once per compiled chain (allocation-free afterwards) when a
 * layer of the network produces masks (an `embedding` with `maskZero`, a `masking` layer), and passed
 * to every layer's `compile` as {@link CompileOptions.mask}.
 *
 * - Producers fill it in their forward pass, from the network's input (the producer is the first
 *   layer of the network, so the mask is known before any other layer runs) and call {@link StepMask.update}.
 * - Consumers read it at run time, after the producer's forward pass of the same batch: a recurrent layer
 *   (and each direction of a `bidirectional` one) carries its state through a padded step; a
 *   `timeDistributed` output layer's loss counts only real steps. Layers in between that keep the
 *   steps (dropout, activation, a hidden timeDistributed, recurrent layers with `returnSequences`)
 *   pass it on unchanged; the builder refuses a masked sequence reaching a layer that would mix
 *   padded steps into real ones without reading the mask (see `checkMaskFlow` in masking.ts).
 * - Every sequence layer keeps the number of steps, so one (m, T) mask serves the whole chain.
 *
 * @example
 * ```ts
 * import { StepMask } from 'layerwise';
 * const mask = new StepMask(2, 3);
 * mask.values.set([1, 1, 0, 1, 1, 1]); // example 0 has 2 real steps, example 1 has 3
 * mask.update();
 * mask.real === 5 && mask.isReal(0, 2) === false; // true
 * ```
 */
export class StepMask {
  /** 1 for a real step, 0 for padding; example j's step t is `values[j * steps + t]`. */
  readonly values: Uint8Array;
  /** How many steps of the batch are real (the masked loss's denominator); set by {@link StepMask.update}. */
  real: number;

  constructor(
    /** Examples in the batch. */
    readonly m: number,
    /** T, the steps of every sequence in the chain. */
    readonly steps: number,
  ) {
    assertPositiveInt(m, 'StepMask', 'm');
    assertPositiveInt(steps, 'StepMask', 'steps');
    this.values = new Uint8Array(m * steps).fill(1);
    this.real = m * steps;
  }

  /** Throws unless this mask is (m, T): the batch and the steps of the layer `where` compiles. */
  check(m: number, steps: number, where: string): void {
    if (this.m !== m || this.steps !== steps) {
      throw new ShapeError(`${where}: mask: expected a padding mask (m, T) = (${m}, ${steps}) for the layer's batch and steps, got (${this.m}, ${this.steps})`);
    }
  }

  /** Recounts the real steps after a producer wrote `values`. */
  update(): void {
    let n = 0;
    for (let i = 0; i < this.values.length; i++) n += this.values[i]!;
    this.real = n;
  }

  /** Whether example j's step t is real (not padding). */
  isReal(j: number, t: number): boolean {
    return this.values[j * this.steps + t] === 1;
  }
}

/** A layer compiled for one batch size: its buffers and passes. */
export interface CompiledLayer {
  /**
   * Runs the layer on X (the previous layer's output) and returns its output
   * (a buffer the compiled layer owns, or X itself for a pass-through). With
   * `training`, dropout draws masks (reuses the last ones unless `redraw`)
   * and batch normalization uses batch statistics.
   */
  forward(x: Tensor, training: boolean, redraw: boolean): Tensor;
  /**
   * From dOut = d(sum of the batch's losses)/d(output) (which it may
   * overwrite), fills `grads` and, when dIn is given, dIn = d/d(X). X is the
   * input of the last forward pass. `fromZ` (dense output layers only): dOut
   * already holds dZ, the loss's fused output delta.
   */
  backward(x: Tensor, dOut: Tensor, dIn: Tensor | null, fromZ: boolean): void;
  /** Gradients aligned with the layer's `params` (empty when frozen or compiled without backward). */
  readonly grads: readonly Tensor[];
}

/**
 * One layer of a network. `S` is the shapes it reads and writes: flat or image activations
 * (the default, what the convolutional layers and the exporters handle), or any
 * {@link ActivationShape}, sequences included ({@link AnyLayer}).
 */
export interface Layer<S extends ActivationShape = FeatureShape, K extends AnyLayerType = LayerType> {
  readonly type: K;
  readonly inputShape: S;
  readonly outputShape: S;
  /** Parameters by course name, in the optimizer's order (frozen ones included). */
  readonly params: readonly NamedTensor[];
  /** The parameters training changes: `params` unless the layer is frozen. */
  readonly trainableParams: readonly NamedTensor[];
  /** Every tensor training changes (params and batch-norm running statistics), by course name. */
  readonly state: readonly NamedTensor[];
  /** Weight matrices and their L2/L1 strengths. */
  readonly regularized: readonly RegularizedWeight[];
  /** false: training leaves this layer's parameters and statistics alone. */
  trainable: boolean;
  /** Buffers and passes for a batch size. */
  compile(options: CompileOptions): CompiledLayer;
  /** The spec that rebuilds this layer (weights aside). */
  toSpec(): TypedLayerSpec;
  /** The layer as the summary table names it, e.g. `conv2d 5x5x8 relu`. */
  describe(): string;
  /** The number of steps of the padding mask this layer fills (see {@link StepMask}); absent or 0: it makes none. */
  readonly producesMask?: number;
  /**
   * Values a compiled layer holds per example besides its output (a recurrent layer's states at every
   * step, attention's T x T weights): what sizes inference chunks. Absent: none.
   */
  readonly valuesPerExample?: number;
}

/** A layer of any activation shape, sequences included (what a network's stack holds). */
export type AnyLayer = Layer<ActivationShape, AnyLayerType>;

/** The network-wide defaults and state that building layers needs. */
export interface BuildContext {
  readonly be: Backend;
  readonly dtype: DType;
  readonly rng: Rng;
  /** Where errors are reported (`Network`). */
  readonly where: string;
  readonly init: Initializer;
  readonly l2: number;
  readonly l1: number;
  /** Default keep probability of hidden dense layers. */
  readonly keepProb: number;
  /** Batch-normalize hidden dense layers by default. */
  readonly batchNorm: boolean;
  readonly batchNormMomentum: number;
  readonly batchNormEpsilon: number;
  /** The course number of the next layer with weights (W1, W2, ...); advanced by each one. */
  nextNumber: number;
  /** Builds a nested list of specs (residual blocks); `path` names them in errors. */
  build(specs: readonly unknown[], input: ActivationShape, path: string, isTopLevel: boolean): AnyLayer[];
}

/** True when a layer, or a layer inside it, has parameters training may change. */
export function hasTrainable(layer: AnyLayer): boolean {
  return layer.trainableParams.length > 0;
}

/** Defaults for the parts most layers share: no parameters, no state, trainable. */
export abstract class LayerBase {
  abstract readonly inputShape: ActivationShape;
  abstract readonly outputShape: ActivationShape;
  trainable = true;
  get params(): readonly NamedTensor[] {
    return [];
  }
  get state(): readonly NamedTensor[] {
    return this.params;
  }
  get regularized(): readonly RegularizedWeight[] {
    return [];
  }
  get trainableParams(): readonly NamedTensor[] {
    return this.trainable ? this.params : [];
  }
}

/**
 * Defaults for a layer made of inner layers (a residual block, a transformer encoder, a
 * bidirectional pair, a dense layer applied at every step): its parameters, state and regularized
 * weights are theirs in order, and it is trainable unless all of them are frozen; setting
 * `trainable` freezes or unfreezes them all.
 */
export abstract class CompositeLayer {
  /** The inner layers, in the optimizer's order. */
  protected abstract get inner(): readonly AnyLayer[];

  get params(): readonly NamedTensor[] {
    return this.inner.flatMap((l) => l.params);
  }

  get trainableParams(): readonly NamedTensor[] {
    return this.inner.flatMap((l) => l.trainableParams);
  }

  get state(): readonly NamedTensor[] {
    return this.inner.flatMap((l) => l.state);
  }

  get regularized(): readonly RegularizedWeight[] {
    return this.inner.flatMap((l) => l.regularized);
  }

  get trainable(): boolean {
    return this.inner.some((l) => l.trainable);
  }

  set trainable(value: boolean) {
    for (const l of this.inner) l.trainable = value;
  }
}

/** A compiled layer without parameters. */
export const NO_GRADS: readonly Tensor[] = Object.freeze([]);

/**
 * A list of layers compiled for one batch size, with a gradient buffer for
 * each layer's output. Backward stops below the lowest trainable layer
 * unless the chain's own input gradient is wanted (inside residual blocks).
 */
export class Chain {
  readonly compiled: readonly CompiledLayer[];
  /** dOuts[i]: the gradient of layer i's output (allocated only where backward reaches). */
  readonly dOuts: readonly (Tensor | null)[];
  /** The input each layer saw in the last forward pass. */
  private readonly inputs: Tensor[];
  /** Backward runs layers lowest..last. */
  private readonly lowest: number;
  /** The batch's padding mask, when a layer of the chain makes one (see {@link StepMask}). */
  readonly mask: StepMask | null;

  constructor(
    readonly layers: readonly AnyLayer[],
    options: CompileOptions,
    readonly needInputGrad: boolean,
  ) {
    // One padding mask for the chain when a layer makes one (a nested chain gets its parent's).
    const steps = layers.reduce((t, l) => Math.max(t, l.producesMask ?? 0), 0);
    this.mask = options.mask ?? (steps > 0 ? new StepMask(options.m, steps) : null);
    const compileOptions = this.mask === (options.mask ?? null) ? options : { ...options, mask: this.mask };
    this.compiled = layers.map((l) => l.compile(compileOptions));
    const firstTrainable = layers.findIndex(hasTrainable);
    this.lowest = needInputGrad ? 0 : firstTrainable === -1 ? layers.length : firstTrainable;
    this.dOuts = layers.map((l, i) => (options.withBackward && i >= this.lowest ? batchBuffer(options.be, l.outputShape, options.m, options.dtype) : null));
    this.inputs = layers.map(() => null as unknown as Tensor);
  }

  /** Runs every layer on X; returns the last output. */
  forward(x: Tensor, training: boolean, redraw: boolean): Tensor {
    let a = x;
    for (let i = 0; i < this.compiled.length; i++) {
      this.inputs[i] = a;
      a = this.compiled[i]!.forward(a, training, redraw);
    }
    return a;
  }

  /** The gradient buffer of the chain's output, which backward starts from. */
  get dOutput(): Tensor {
    return this.dOuts[this.dOuts.length - 1]!;
  }

  /** Backward from `dOutput` (already filled); writes dIn when the chain was built to need it. */
  backward(dIn: Tensor | null, fromZ = false): void {
    for (let i = this.compiled.length - 1; i >= this.lowest; i--) {
      const below = i === 0 ? (this.needInputGrad ? dIn : null) : i - 1 >= this.lowest ? this.dOuts[i - 1]! : null;
      this.compiled[i]!.backward(this.inputs[i]!, this.dOuts[i]!, below, fromZ && i === this.compiled.length - 1);
    }
  }

  /** The gradients of every trainable layer, in layer order (aligned with their params). */
  get grads(): Tensor[] {
    return this.compiled.flatMap((c) => c.grads);
  }
}
