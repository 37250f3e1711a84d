/**
 * The convolutional layer of course 4: filters W (f, f, n_C_prev, n_C), biases
 * b (1, 1, 1, n_C), output edge floor((n + 2p - f) / s) + 1, then an optional
 * per-channel batch normalization and the activation.
 *
 * The convolution is im2col + GEMM: every f x f x n_C_prev window becomes a
 * row of COLS (m outH outW, f f n_C_prev), and Z = COLS W with W read as a
 * (f f n_C_prev, n_C) matrix is Z (m, outH, outW, n_C) row-major, channels last.
 * Backward: dW = (1/m) COLS^T dZ, db = (1/m) column sums of dZ, and
 * dA_prev = col2im(dZ W^T). The kernels (convForward, convFilterGradient,
 * convInputGradient) compute these products without building COLS: the wasm
 * backend reads each window in place (f runs of f n_C_prev floats), which
 * saves writing and reading back a matrix f f times the size of the input.
 */
import type { Activation, Backend, WindowGeometry } from '../../backend/backend.js';
import type { Rng } from '../../random/rng.js';
import type { DType, Tensor } from '../../tensor/tensor.js';
import { activationToSpec } from '../activations.js';
import { initializeWeights, type Initializer } from '../initializers.js';
import { BatchNormPass, batchNormNames, makeBatchNormState, type BatchNormSettings, type BatchNormState } from './batch-norm.js';
import { regularizationGradient } from './dense.js';
import { LayerBase, type CompileOptions, type CompiledLayer, type Layer, type NamedTensor, type RegularizedWeight } from './layer.js';
import { batchBuffer, geometry, image, reluMaskedGradients, reluOutputs, ViewCache, type FeatureShape } from './shape.js';
import type { Conv2DSpec } from './spec.js';

/** What a conv layer is made of, resolved and checked by the builder. */
export interface Conv2DOptions {
  readonly filters: number;
  readonly size: number;
  readonly stride: number;
  readonly pad: number;
  /** How the padding was asked for, to write the spec back. */
  readonly padding: 'valid' | 'same' | number;
  readonly activation: Activation;
  readonly init: Initializer;
  readonly batchNorm: boolean;
  readonly l2: number;
  readonly l1: number;
  readonly number: number;
}

/** Buffers of one convolution for a batch, shared by the layer and the functional API. */
export interface ConvBuffers {
  readonly g: WindowGeometry;
  /**
   * The im2col matrix, or null when the kernels need none. The convolution kernels read the
   * windows in place, so this is always null now; it stays for callers that test it.
   */
  readonly cols: Tensor | null;
  /** Z (m, outH, outW, n_C). */
  readonly Z: Tensor;
  /** Matrix views of the tensors the passes see. */
  readonly views: ViewCache;
}

/** Z = the convolution of x by W (+ b when given, without activation). */
export function convolve(be: Backend, x: Tensor, W: Tensor, b: Tensor | null, buf: ConvBuffers): void {
  be.convForward(x, W, b, buf.Z, null, LINEAR, buf.g);
}

/**
 * Gradients of a convolution from dZ (m, outH, outW, n_C): dW = scale COLS^T dZ and db = scale sum
 * of dZ (each skipped when null), and dA_prev = col2im(dZ W^T) when dX is given, with COLS =
 * im2col(x). `dCols` is unused (the kernels need no (m outH outW, f f c) scratch); it stays for
 * callers that pass one. `scale` is 1/m by default, the layer's mean over the batch; the
 * functional convBackward passes 1, the sums of the course's conv_backward.
 */
export function convolveBackward(
  be: Backend, x: Tensor, W: Tensor, dZ: Tensor, buf: ConvBuffers, dW: Tensor | null, db: Tensor | null, dX: Tensor | null, _dCols: Tensor | null,
  scale = 1 / buf.g.m,
): void {
  const { g } = buf;
  const n = dZ.shape[3]!;
  const v = buf.views;
  if (dW) be.convFilterGradient(x, dZ, dW, scale, g);
  if (db) be.colSum(v.matrix(dZ, g.m * g.outH * g.outW, n), v.matrix(db, 1, n), scale);
  if (dX) be.convInputGradient(dZ, W, dX, g);
}

/** Allocates the buffers of a convolution of `input` images by W for m examples. */
export function convBuffers(be: Backend, input: FeatureShape & { kind: 'image' }, m: number, f: number, stride: number, pad: number, filters: number, dtype: DType): ConvBuffers {
  const g = geometry(input, m, f, stride, pad);
  return { g, cols: null, Z: be.zeros([m, g.outH, g.outW, filters], dtype), views: new ViewCache() };
}

const LINEAR: Activation = { kind: 'linear' };

/**
 * Whether the activation's backward pass gives the same dZ from A = g(Z) in place of Z: sigmoid
 * and tanh read A only; for ReLU and a leaky ReLU with a slope >= 0, A > 0 exactly where Z > 0
 * (a NaN in Z gives 0 or NaN in A, neither > 0); the identity reads neither.
 */
function derivativeFromOutput(act: Activation): boolean {
  return act.kind !== 'softmax' && (act.kind !== 'leakyRelu' || act.slope >= 0);
}

/** A 2-D convolution layer with its activation (and optional batch normalization). */
export class Conv2DLayer extends LayerBase implements Layer {
  readonly type = 'conv2d' as const;
  readonly outputShape: FeatureShape & { kind: 'image' };
  /** W (f, f, n_C_prev, n_C). */
  readonly W: Tensor;
  /** b (1, 1, 1, n_C); null with batch normalization (beta takes its place). */
  readonly b: Tensor | null;
  readonly bn: BatchNormState | null;
  readonly l2: number;
  readonly l1: number;
  readonly activation: Activation;

  constructor(
    readonly inputShape: FeatureShape & { kind: 'image' },
    readonly options: Conv2DOptions,
    private readonly bnSettings: BatchNormSettings,
    be: Backend,
    dtype: DType,
    rng: Rng,
  ) {
    super();
    const o = options;
    const g = geometry(inputShape, 1, o.size, o.stride, o.pad);
    this.outputShape = image(g.outH, g.outW, o.filters) as FeatureShape & { kind: 'image' };
    this.W = be.zeros([o.size, o.size, inputShape.c, o.filters], dtype);
    // He/Xavier fan-in of a filter: every weight of one f x f x n_C_prev window feeds one output.
    initializeWeights(this.W.data, o.size * o.size * inputShape.c, o.init, rng);
    this.bn = o.batchNorm ? makeBatchNormState(be, this.outputShape, dtype) : null;
    this.b = this.bn ? null : be.zeros([1, 1, 1, o.filters], dtype);
    this.l2 = o.l2;
    this.l1 = o.l1;
    this.activation = o.activation;
  }

  override get params(): readonly NamedTensor[] {
    const n = this.options.number;
    const p: NamedTensor[] = [{ name: `W${n}`, tensor: this.W }];
    if (this.b) p.push({ name: `b${n}`, tensor: this.b });
    if (this.bn) p.push(...batchNormNames(this.bn, n).params);
    return p;
  }

  override get state(): readonly NamedTensor[] {
    return this.bn ? [...this.params, ...batchNormNames(this.bn, this.options.number).stats] : this.params;
  }

  override get regularized(): readonly RegularizedWeight[] {
    return [this];
  }

  compile(co: CompileOptions): CompiledLayer {
    const { be, m, dtype, withBackward } = co;
    const o = this.options;
    const learn = withBackward && this.trainable;
    const g = geometry(this.inputShape, m, o.size, o.stride, o.pad);
    const A = batchBuffer(be, this.outputShape, m, dtype);
    if (this.activation.kind === 'relu') reluOutputs.add(A);
    // Without batch norm, when g'(Z) can be read off A = g(Z), Z is not kept: the convolution writes A alone.
    const aOnly = !this.bn && derivativeFromOutput(this.activation);
    const buf: ConvBuffers = { g, cols: null, Z: aOnly ? A : batchBuffer(be, this.outputShape, m, dtype), views: new ViewCache() };
    const zOut = this.bn ? batchBuffer(be, this.outputShape, m, dtype) : buf.Z;
    const views = buf.views;
    const Zm = views.pixels(zOut);
    const Am = views.pixels(A);
    const bn = this.bn ? new BatchNormPass(be, this.outputShape, this.bn, this.bnSettings, m, dtype, withBackward, !this.trainable) : null;
    const dW = learn ? be.zeros(this.W.shape, dtype) : null;
    const db = learn && this.b ? be.zeros(this.b.shape, dtype) : null;
    const bRow = this.b ? views.matrix(this.b, 1, o.filters) : null;
    return {
      grads: learn ? [dW!, ...(db ? [db] : []), ...(bn ? bn.grads : [])] : [],
      forward: (x, training) => {
        if (bn) {
          convolve(be, x, this.W, null, buf);
          bn.forward(buf.Z, zOut, training);
          be.activation(Zm, Am, this.activation);
        } else {
          // Bias and activation in the convolution's pass.
          be.convForward(x, this.W, bRow, buf.Z, A, this.activation, g);
        }
        return A;
      },
      backward: (x, dOut, dIn) => {
        const dOutM = views.pixels(dOut);
        // A max pool above that folded ReLU's derivative in has left dZ in dOut already.
        if (!reluMaskedGradients.has(dOut)) be.activationBackward(dOutM, Zm, Am, dOutM, this.activation);
        if (bn) bn.backward(dOut, dOut);
        convolveBackward(be, x, this.W, dOut, buf, dW, db, dIn, null);
        if (dW) regularizationGradient(be, this, dW, m);
      },
    };
  }

  toSpec(): Conv2DSpec {
    const o = this.options;
    const spec: Conv2DSpec = { type: 'conv2d', filters: o.filters, size: o.size, activation: activationToSpec(o.activation) };
    if (o.stride !== 1) spec.stride = o.stride;
    if (o.padding !== 'valid') spec.padding = o.padding;
    if (this.bn) spec.batchNorm = true;
    if (o.l2 !== 0) spec.l2 = o.l2;
    if (o.l1 !== 0) spec.l1 = o.l1;
    if (!this.trainable) spec.trainable = false;
    return spec;
  }

  describe(): string {
    const o = this.options;
    return `conv2d ${o.size}x${o.size}x${o.filters}${o.stride !== 1 ? ` /s${o.stride}` : ''}${o.pad ? ` /p${o.pad}` : ''} ${o.activation.kind}${this.bn ? ' +bn' : ''}`;
  }
}
