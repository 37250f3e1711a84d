/**
 * Batch normalization: per unit of a flat (n, m) activation (statistics over
 * the m examples), per channel of an image (statistics over every pixel of
 * every example). Used inside dense and conv layers (`batchNorm: true`, where
 * beta takes the place of b) and as a layer of its own.
 */
import type { Backend } from '../../backend/backend.js';
import type { DType, Tensor } from '../../tensor/tensor.js';
import { LayerBase, type CompileOptions, type CompiledLayer, type Layer, type NamedTensor } from './layer.js';
import { batchBuffer, formatFeatureShape, ViewCache, type FeatureShape } from './shape.js';
import type { BatchNormSpec } from './spec.js';

/** Batch-normalization parameters and running statistics. */
export interface BatchNormState {
  /** gamma, starts at 1: (n, 1) per unit, (1, 1, 1, n_C) per channel. */
  readonly gamma: Tensor;
  /** beta, starts at 0. */
  readonly beta: Tensor;
  /** Exponentially weighted mean of Z over training batches, used at prediction. */
  readonly runningMean: Tensor;
  /** Exponentially weighted variance of Z, used at prediction. */
  readonly runningVar: Tensor;
}

/** The shape of one normalized quantity's vector: (n, 1) for units, (1, 1, 1, n_C) for channels. */
function vectorShape(shape: FeatureShape): number[] {
  return shape.kind === 'flat' ? [shape.units, 1] : [1, 1, 1, shape.c];
}

/** Fresh state: gamma 1, beta 0, running mean 0, running variance 1. */
export function makeBatchNormState(be: Backend, shape: FeatureShape, dtype: DType): BatchNormState {
  const v = vectorShape(shape);
  const gamma = be.zeros(v, dtype);
  const runningVar = be.zeros(v, dtype);
  be.fill(gamma, 1);
  be.fill(runningVar, 1);
  return { gamma, beta: be.zeros(v, dtype), runningMean: be.zeros(v, dtype), runningVar };
}

/** The state by course name: gamma<n>, beta<n> (trainable) and runningMean<n>, runningVar<n>. */
export function batchNormNames(s: BatchNormState, n: number): { params: NamedTensor[]; stats: NamedTensor[] } {
  return {
    params: [
      { name: `gamma${n}`, tensor: s.gamma },
      { name: `beta${n}`, tensor: s.beta },
    ],
    stats: [
      { name: `runningMean${n}`, tensor: s.runningMean },
      { name: `runningVar${n}`, tensor: s.runningVar },
    ],
  };
}

/** Settings of batch normalization shared by a network's layers. */
export interface BatchNormSettings {
  readonly momentum: number;
  readonly epsilon: number;
}

/**
 * Batch normalization compiled for a batch: forward Z -> OUT (= gamma Zhat + beta)
 * and backward dOut -> dZ with dGamma, dBeta. A frozen pass normalizes with
 * the running statistics even while training (as at prediction), so it is an
 * affine map and its backward is dZ = gamma dOut / sqrt(runningVar + eps).
 */
export class BatchNormPass {
  private readonly zhat: Tensor;
  private readonly mean: Tensor;
  private readonly invStd: Tensor;
  /** A zero vector: the frozen backward runs the inference forward on dOut with no shift. */
  private readonly zero: Tensor;
  private readonly views = new ViewCache();
  /** dGamma, dBeta (null without backward, or frozen). */
  readonly dGamma: Tensor | null;
  readonly dBeta: Tensor | null;

  constructor(
    private readonly be: Backend,
    private readonly shape: FeatureShape,
    private readonly s: BatchNormState,
    private readonly settings: BatchNormSettings,
    private readonly m: number,
    dtype: DType,
    withBackward: boolean,
    private readonly frozen: boolean,
  ) {
    const v = vectorShape(shape);
    this.zhat = batchBuffer(be, shape, m, dtype);
    this.mean = be.zeros(v, dtype);
    this.invStd = be.zeros(v, dtype);
    this.zero = be.zeros(v, dtype);
    this.dGamma = withBackward && !frozen ? be.zeros(v, dtype) : null;
    this.dBeta = withBackward && !frozen ? be.zeros(v, dtype) : null;
  }

  /** The gradients, for a layer's `grads`. */
  get grads(): Tensor[] {
    return this.dGamma && this.dBeta ? [this.dGamma, this.dBeta] : [];
  }

  /** OUT = gamma Zhat + beta, with batch statistics when `training` (which also moves the running ones). */
  forward(z: Tensor, out: Tensor, training: boolean): void {
    const s = this.s;
    this.run(z, out, s.beta, s.runningMean, training && !this.frozen);
  }

  /** dZ from dOut (dZ may be dOut); fills dGamma and dBeta. */
  backward(dOut: Tensor, dZ: Tensor): void {
    const { be, s } = this;
    if (this.frozen) {
      this.run(dOut, dZ, this.zero, this.zero, false);
    } else if (this.shape.kind === 'flat') {
      be.batchNormBackward(dOut, this.zhat, s.gamma, this.invStd, dZ, this.dGamma!, this.dBeta!);
    } else {
      const v = this.views;
      const c = this.shape.c;
      be.channelBatchNormBackward(
        v.pixels(dOut), v.pixels(this.zhat), v.matrix(s.gamma, 1, c), v.matrix(this.invStd, 1, c), v.pixels(dZ), v.matrix(this.dGamma!, 1, c), v.matrix(this.dBeta!, 1, c), this.m,
      );
    }
  }

  /** The forward kernel for the layout, with the given shift (beta) and mean (running or zero in inference). */
  private run(z: Tensor, out: Tensor, beta: Tensor, runningMean: Tensor, training: boolean): void {
    const { be, s, settings } = this;
    if (this.shape.kind === 'flat') {
      be.batchNormForward(z, s.gamma, beta, out, this.zhat, this.mean, this.invStd, runningMean, s.runningVar, settings.momentum, settings.epsilon, training);
    } else {
      const v = this.views;
      const c = this.shape.c;
      const row = (t: Tensor): Tensor => v.matrix(t, 1, c);
      be.channelBatchNormForward(
        v.pixels(z), row(s.gamma), row(beta), v.pixels(out), v.pixels(this.zhat), row(this.mean), row(this.invStd),
        row(runningMean), row(s.runningVar), settings.momentum, settings.epsilon, training,
      );
    }
  }
}

/** Batch normalization as a layer of its own. */
export class BatchNormLayer extends LayerBase implements Layer {
  readonly type = 'batchNorm' as const;
  readonly outputShape: FeatureShape;
  readonly bn: BatchNormState;

  constructor(
    readonly inputShape: FeatureShape,
    private readonly number: number,
    private readonly settings: BatchNormSettings,
    be: Backend,
    dtype: DType,
  ) {
    super();
    this.outputShape = inputShape;
    this.bn = makeBatchNormState(be, inputShape, dtype);
  }

  override get params(): readonly NamedTensor[] {
    return batchNormNames(this.bn, this.number).params;
  }

  override get state(): readonly NamedTensor[] {
    const n = batchNormNames(this.bn, this.number);
    return [...n.params, ...n.stats];
  }

  compile(o: CompileOptions): CompiledLayer {
    const pass = new BatchNormPass(o.be, this.inputShape, this.bn, this.settings, o.m, o.dtype, o.withBackward, !this.trainable);
    const out = batchBuffer(o.be, this.outputShape, o.m, o.dtype);
    return {
      grads: pass.grads,
      forward(x, training) {
        pass.forward(x, out, training);
        return out;
      },
      backward(_x, dOut, dIn) {
        pass.backward(dOut, dIn ?? dOut);
      },
    };
  }

  toSpec(): BatchNormSpec {
    return this.trainable ? { type: 'batchNorm' } : { type: 'batchNorm', trainable: false };
  }

  describe(): string {
    return `batchNorm ${this.inputShape.kind === 'flat' ? 'per unit' : 'per channel'} ${formatFeatureShape(this.inputShape)}`;
  }
}
