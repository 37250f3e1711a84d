/**
 * A network in the course's notation: a list of typed layers (dense, conv,
 * pooling, ...; see `layers/`) from an input of `inputSize` features (the
 * course's (n_x, m) columns) or of `inputShape` [n_H, n_W, n_C] images
 * ((m, n_H, n_W, n_C), examples first), ending in a dense output layer.
 * Training lives in `train/`; this module holds the structure, the
 * parameters and inference.
 */
import type { Activation } from '../backend/backend.js';
import { backendFor } from '../backend/registry.js';
import { Rng } from '../random/rng.js';
import { formatShape, ShapeError, ValueError } from '../tensor/errors.js';
import { allocArray, Allocations, DisposedError, Tensor, type DType, type FloatArray } from '../tensor/tensor.js';
import type { Backend } from '../backend/backend.js';
import { formatBytes, memoryLimit } from '../backend/memory-report.js';
import { WasmOutOfMemoryError } from '../backend/wasm/memory.js';
import { assertFinite, assertKnownKeys, assertMatrix, assertNonEmpty, assertPositiveFinite, assertPositiveInt, describe, toTensor, type TensorLike } from '../tensor/validate.js';
import { resolveInitializer, type InitSpec } from './initializers.js';
import { checkLossMatchesOutput, defaultLossFor, resolveLoss, type LossInfo, type LossName } from './losses.js';
import { buildLayers, checkKeepProb, checkLambda } from './layers/build.js';
import { Conv2DLayer } from './layers/conv2d.js';
import { DenseLayer } from './layers/dense.js';
import { ResidualLayer } from './layers/residual.js';
import { DropoutLayer } from './layers/elementwise.js';
import type { AnyLayer, BuildContext, Layer } from './layers/layer.js';
import { TimeDistributedLayer } from './layers/time-distributed.js';
import { EmbeddingLayer } from './layers/embedding.js';
import { FlattenLayer } from './layers/reshape.js';
import { featureCount, flat, formatFeatureShape, image, sequence, type ActivationShape, type FeatureShape, type SequenceShape } from './layers/shape.js';
import type { DenseSpec, TypedLayerSpec } from './layers/spec.js';
import { imagesFromColumns } from '../data/reshape.js';
import { transposeInto } from '../tensor/transpose.js';
import { Plan } from './plan.js';

export type { BatchNormState } from './layers/batch-norm.js';
export { DenseLayer } from './layers/dense.js';
export { MAX_LAYER_WEIGHTS } from './layers/build.js';

/** One dense layer as a user declares it (a typed spec without `type` is dense too). */
export type LayerSpec = DenseSpec;

/** Everything that defines a network. */
export interface NetworkOptions {
  /** n[0] = n_x, the number of input features (X is (n_x, m)). Give this or `inputShape`. */
  inputSize?: number;
  /**
   * [n_H, n_W, n_C] of input images (X is (m, n_H, n_W, n_C)), `{ sequence: [n_x, T_x] }` for
   * sequences of T_x steps of n_x features (X is the course's (n_x, m, T_x)), or [n_x] for flat
   * features given one row per example (X is (m, n_x), as Keras and PyTorch take them; `fit` gathers
   * its batches into the course's columns itself). Give this or `inputSize`.
   */
  inputShape?: readonly [number, number, number] | readonly [number] | { readonly sequence: readonly [number, number] };
  /** The layers, the last being the dense output layer: `{ units, activation }`, or typed specs such as `{ type: 'conv2d', filters: 8, size: 5 }`. */
  layers: readonly (LayerSpec | TypedLayerSpec)[];
  /** How weights start (biases always start at 0); default 'he'. */
  init?: InitSpec;
  /** Seed of the network's random generator (init, shuffling, dropout); default 0. */
  seed?: number;
  /** 'float32' (default) or 'float64'. */
  dtype?: DType;
  /** The cost; default from the output activation (sigmoid: BCE, softmax: CCE, else MSE). */
  loss?: LossName;
  /** L2 regularization: cost + (lambda / 2m) sum ||W[l]||_F^2 over layers; default 0. */
  l2?: number;
  /** L1 regularization: cost + (lambda / m) sum |W[l]|; default 0. */
  l1?: number;
  /** Inverted dropout on the inputs A[0] while training; default 1 (none). */
  inputKeepProb?: number;
  /** Default keep probability of every hidden dense layer; default 1 (none). */
  keepProb?: number;
  /** Batch-normalize every hidden dense layer; default false. */
  batchNorm?: boolean;
  /** Running-statistics momentum of batch normalization; default 0.9. */
  batchNormMomentum?: number;
  /** Batch normalization's epsilon; default 1e-5. */
  batchNormEpsilon?: number;
}

/** Parameters by their course names: `W1, b1, ..., WL, bL` (and `gamma1, beta1` for batch-normalized layers). */
export type Parameters = { [key: string]: Tensor };

/**
 * A network of typed layers.
 *
 * @example
 * ```ts
 * import { Network, fit, tensor } from 'layerwise';
 * const net = new Network({
 *   inputSize: 2,
 *   layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }],
 *   init: 'random', // randn * 0.01, the course's planar setup
 *   seed: 1,
 * });
 * const X = tensor([[0, 1, 0, 1], [0, 0, 1, 1]]);
 * const Y = tensor([[0, 1, 1, 0]]);
 * fit(net, X, Y, { learningRate: 1.2, iterations: 100 });
 * net.parameters.W1!.rows === 4 && net.parameters.W1!.cols === 2; // true
 * ```
 *
 * @example
 * ```ts
 * import { Network } from 'layerwise';
 * const cnn = new Network({
 *   inputShape: [28, 28, 1],
 *   layers: [
 *     { type: 'conv2d', filters: 8, size: 5 },
 *     { type: 'maxPool2d', size: 2 },
 *     { units: 10, activation: 'softmax' }, // a Flatten goes in front of it automatically
 *   ],
 * });
 * cnn.parameters.W1!.shape.join() === '5,5,1,8'; // true
 * ```
 */
export class Network {
  /** n_x: features per example (n_H n_W n_C for images, n_x T_x for sequences: the values of one example). */
  readonly inputSize: number;
  /** The shape of one example: flat (n_x) or an image (n_H, n_W, n_C). */
  readonly inputShape: FeatureShape;
  /**
   * The shape of one example with sequences in the type: a sequence network's `inputShape` holds
   * its {@link SequenceShape} too, but is typed as the flat/image FeatureShape that the exporters
   * read (they take no sequence layers); read this one to tell the three apart.
   */
  readonly inputLayout: ActivationShape;
  /**
   * True when X holds one row per example: images (m, n_H, n_W, n_C), and flat features of a
   * network built with `inputShape: [n_x]` (X is (m, n_x)). False for the course's (n_x, m) columns and for sequences.
   */
  readonly examplesAsRows: boolean;
  /** Every layer in order (a Flatten before the first dense layer after images; the input dropout first when set). */
  readonly stack: readonly Layer[];
  /** The dense layers, in order: for a dense network, the course's layers 1..L. */
  readonly layers: readonly DenseLayer[];
  readonly loss: LossInfo;
  readonly dtype: DType;
  readonly seed: number;
  /** Dropout keep probability of the inputs A[0]. */
  readonly inputKeepProb: number;
  /** Batch normalization's running-average momentum and epsilon. */
  readonly batchNormMomentum: number;
  readonly batchNormEpsilon: number;
  /** The one generator for everything random this network does. */
  readonly rng: Rng;
  private inferencePlan: Plan | null = null;
  private remainderPlan: Plan | null = null;
  /** The parameters and statistics (blocks of wasm memory on that backend), to give back on dispose. */
  private readonly owned = new Allocations();
  private isDisposed = false;

  constructor(options: NetworkOptions) {
    const where = 'Network';
    if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ValueError(`${where}: options: expected an object, got ${describe(options)}`);
    assertKnownKeys(options, NETWORK_OPTIONS, where, '');
    this.inputLayout = checkInputShape(options, where);
    this.inputShape = this.inputLayout as FeatureShape;
    this.examplesAsRows = this.inputLayout.kind === 'image' || (Array.isArray(options.inputShape) && options.inputShape.length === 1);
    this.inputSize = featureCount(this.inputLayout);
    if (!Array.isArray(options.layers) || options.layers.length === 0) {
      throw new ValueError(`${where}: layers: expected a non-empty array of { units, activation } or typed layer specs, got ${describe(options.layers)}`);
    }
    const dtype = options.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') throw new ValueError(`${where}: dtype: expected "float32" or "float64", got ${describe(dtype)}`);
    this.dtype = dtype;
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new ValueError(`${where}: seed: expected an integer in [0, 2^32), got ${describe(seed)}`);
    this.seed = seed;
    this.rng = new Rng(seed);
    this.inputKeepProb = checkKeepProb(options.inputKeepProb ?? 1, where, 'inputKeepProb');
    this.batchNormMomentum = checkUnitInterval(options.batchNormMomentum ?? 0.9, where, 'batchNormMomentum');
    this.batchNormEpsilon = assertPositiveFinite(options.batchNormEpsilon ?? 1e-5, where, 'batchNormEpsilon');
    const ctx: BuildContext = {
      be: backendFor(dtype),
      dtype,
      rng: this.rng,
      where,
      init: resolveInitializer(options.init ?? 'he', where, 'init'),
      l2: checkLambda(options.l2 ?? 0, where, 'l2'),
      l1: checkLambda(options.l1 ?? 0, where, 'l1'),
      keepProb: checkKeepProb(options.keepProb ?? 1, where, 'keepProb'),
      batchNorm: checkBoolean(options.batchNorm ?? false, where, 'batchNorm'),
      batchNormMomentum: this.batchNormMomentum,
      batchNormEpsilon: this.batchNormEpsilon,
      nextNumber: 1,
      build: (specs, input, path, top) => buildLayers(ctx, specs, input, path, top),
    };
    // Every check first, on layers that hold shapes but no memory: a network too large for the
    // backend's memory is refused before anything is allocated or initialized.
    const sized = buildLayers(sizingContext(ctx), options.layers, this.inputLayout, 'layers', true);
    const last = sized[sized.length - 1]!;
    const output = (last instanceof TimeDistributedLayer ? last.dense : (last as DenseLayer)).activation;
    this.loss = options.loss === undefined ? defaultLossFor(output) : resolveLoss(options.loss, where, 'loss');
    checkLossMatchesOutput(this.loss, output, where);
    const sizes = layerSizes(sized, dtype);
    const needed = sizes.reduce((sum, l) => sum + l.bytes, 0);
    checkFits(ctx.be, needed, sizes, 0, where, 'the parameters need %s', SMALLER);
    let body: AnyLayer[];
    try {
      body = this.owned.collect(() => buildLayers(ctx, options.layers, this.inputLayout, 'layers', true));
    } catch (e) {
      this.owned.release();
      if (e instanceof WasmOutOfMemoryError) throw tooLarge(ctx.be, needed, sizes, 0, where, 'the parameters need %s', SMALLER, e);
      throw e;
    }
    if (this.inputKeepProb < 1 && body[0]?.producesMask) {
      throw new ValueError(`${where}: inputKeepProb: input dropout would change the values layers[0] (${body[0].type}) reads to tell padded steps; expected 1 with a padding mask, got ${this.inputKeepProb}`);
    }
    // Typed as the flat/image layers the exporters read; a sequence network's stack holds recurrent layers too (see `layerStack`).
    this.stack = (this.inputKeepProb < 1 ? [new DropoutLayer(this.inputShape, this.inputKeepProb), ...body] : body) as Layer[];
    this.layers = this.stack.filter((l): l is DenseLayer => l instanceof DenseLayer);
  }

  /** Whether {@link Network.dispose} was called. */
  get disposed(): boolean {
    return this.isDisposed;
  }

  /**
   * Gives the network's memory back now: its parameters and statistics and
   * its inference buffers (on the wasm backend, blocks of wasm memory, which
   * a dropped network returns only when the garbage collector runs, late or
   * never under wasm memory pressure). Afterwards using the network, or any
   * of its parameter tensors, throws a {@link DisposedError}. `using net =
   * new Network(...)` disposes it at the end of the block. Calling it twice
   * does nothing.
   *
   * @example
   * ```ts
   * import { Network } from 'layerwise';
   * const net = new Network({ inputSize: 2, layers: [{ units: 1, activation: 'sigmoid' }] });
   * const W1 = net.parameters.W1!;
   * net.dispose();
   * net.disposed && W1.disposed; // true
   * ```
   */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.dropInferencePlans();
    for (const [, t] of namedState(this)) t.dispose();
    this.owned.release();
  }

  /** `using net = new Network(...)` disposes the network at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Throws a DisposedError naming `where` once the network is disposed. */
  assertUsable(where: string): void {
    if (this.isDisposed) throw new DisposedError(`${where}: the network was disposed (net.dispose()): its parameters and buffers have been given back`);
  }

  /**
   * The bytes of each declared layer's parameters and statistics, and of its
   * trainable parameters (what a gradient or an optimizer's buffer per
   * parameter takes), with the layer's name for messages.
   */
  layerBytes(): LayerBytes[] {
    return layerSizes(this.declaredLayers, this.dtype);
  }

  private dropInferencePlans(): void {
    this.inferencePlan?.dispose();
    this.remainderPlan?.dispose();
    this.inferencePlan = null;
    this.remainderPlan = null;
  }

  /** Every layer in order with its true type: {@link Network.stack} with sequence layers in the type. */
  get layerStack(): readonly AnyLayer[] {
    return this.stack;
  }

  /** The input sequence's shape (n_x, T_x) for a sequence network, else null. */
  get sequenceShape(): SequenceShape | null {
    return this.inputLayout.kind === 'sequence' ? this.inputLayout : null;
  }

  /** The last layer (dense; for a timeDistributed output, the dense layer it applies at every step). */
  get outputLayer(): DenseLayer {
    const last = this.layerStack[this.layerStack.length - 1]!;
    return last instanceof TimeDistributedLayer ? last.dense : (last as DenseLayer);
  }

  /** The output sequence's shape (n_y, T_y) when the last layer is timeDistributed (Y is (n_y, m, T_y)), else null. */
  get outputSequence(): SequenceShape | null {
    const s = this.layerStack[this.layerStack.length - 1]!.outputShape;
    return s.kind === 'sequence' ? s : null;
  }

  /** True for an image network (X is (m, n_H, n_W, n_C)). */
  get isImageNetwork(): boolean {
    return this.inputShape.kind === 'image';
  }

  /** The course's layer_dims for the dense part: [n[0], n[1], ..., n[L]]. */
  get layerDims(): number[] {
    return [this.inputSize, ...this.layers.map((l) => l.units)];
  }

  /** Every parameter by course name (W1, b1, ...): live references (changing them changes the network). */
  get parameters(): Parameters {
    this.assertUsable('parameters');
    const p: Parameters = {};
    for (const l of this.stack) for (const { name, tensor } of l.params) p[name] = tensor;
    return p;
  }

  /** The dense layer specs that rebuild a dense network (see {@link Network.specs} for any network). */
  get layerSpecs(): LayerSpec[] {
    return this.layers.map((l) => {
      const spec = l.toSpec() as DenseSpec;
      delete spec.type;
      return spec;
    });
  }

  /** The typed specs that rebuild this architecture (the input dropout and automatic Flatten aside). */
  get specs(): TypedLayerSpec[] {
    return this.declaredLayers.map((l) => l.toSpec());
  }

  /** The layers as the user declared them, one per spec: without the input dropout and the automatically inserted Flatten. */
  get declaredLayers(): Layer[] {
    const body = this.inputKeepProb < 1 ? this.stack.slice(1) : [...this.stack];
    return body.filter((l) => !(l instanceof FlattenLayer && l.automatic));
  }

  /**
   * A table like Keras's `model.summary()`: each layer, its output shape and
   * parameter count, and the totals.
   *
   * @example
   * ```ts
   * import { Network } from 'layerwise';
   * const net = new Network({ inputShape: [28, 28, 1], layers: [{ type: 'conv2d', filters: 8, size: 5 }, { type: 'maxPool2d', size: 2 }, { units: 10, activation: 'softmax' }] });
   * net.summary().includes('Total params: 11,738'); // true: 5*5*1*8 + 8 = 208, and 12*12*8*10 + 10 = 11,530
   * ```
   */
  summary(): string {
    this.assertUsable('summary');
    const rows: [string, string, string][] = [['Layer', 'Output shape', 'Param #']];
    let total = 0;
    let trainable = 0;
    const add = (l: Layer, indent: string): void => {
      const n = l.params.reduce((s, p) => s + p.tensor.size, 0);
      const t = l.trainableParams.reduce((s, p) => s + p.tensor.size, 0);
      rows.push([`${indent}${l.describe()}${l.params.length > 0 && !l.trainable ? ' (frozen)' : ''}`, formatFeatureShape(l.outputShape), n.toLocaleString('en-US')]);
      if (indent === '') {
        total += n;
        trainable += t;
      }
    };
    rows.push(['input', formatFeatureShape(this.inputShape), '0']);
    for (const l of this.stack) {
      add(l, '');
      const inner = l.type === 'residual' ? (l as unknown as { main: Layer[]; shortcut: Layer[] }) : null;
      if (inner) {
        for (const x of inner.main) add(x, '  main: ');
        for (const x of inner.shortcut) add(x, '  shortcut: ');
      }
    }
    const w = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
    const line = (r: [string, string, string]) => `${r[0].padEnd(w[0]!)}  ${r[1].padEnd(w[1]!)}  ${r[2].padStart(w[2]!)}`;
    const rule = '-'.repeat(w[0]! + w[1]! + w[2]! + 4);
    return [
      line(rows[0]!),
      rule,
      ...rows.slice(1).map(line),
      rule,
      `Total params: ${total.toLocaleString('en-US')}`,
      `Trainable params: ${trainable.toLocaleString('en-US')}`,
      `Non-trainable params: ${(total - trainable).toLocaleString('en-US')}`,
    ].join('\n');
  }

  /**
   * Freezes the first `upTo` layers of `specs` (transfer learning: keep a
   * pretrained body, train the head); unfreezes the rest. Returns the network.
   *
   * @example
   * ```ts
   * import { Network } from 'layerwise';
   * const net = new Network({ inputSize: 4, layers: [{ units: 8 }, { units: 8 }, { units: 1 }] });
   * net.freeze(2).layers.map((l) => l.trainable).join() === 'false,false,true'; // true
   * ```
   */
  freeze(upTo: number): this {
    const layers = this.declaredLayers;
    if (typeof upTo !== 'number' || !Number.isInteger(upTo) || upTo < 0 || upTo >= layers.length) {
      throw new ValueError(`freeze: upTo: expected an integer in [0, ${layers.length - 1}] (the network has ${layers.length} layers; the output layer stays trainable), got ${describe(upTo)}`);
    }
    this.assertUsable('freeze');
    layers.forEach((l, i) => (l.trainable = i >= upTo));
    this.dropInferencePlans();
    return this;
  }

  /**
   * Checks an input X, (n_x, m), rows (m, n_x), images (m, n_H, n_W, n_C) or sequences (n_x, m, T_x),
   * and returns it as a tensor. `finite: false` leaves the finiteness check to the caller, who
   * checks the copy it makes in the backend's memory (fit: one SIMD pass instead of a JS one).
   */
  checkInput(x: TensorLike, where: string, name = 'X', finite = true): Tensor {
    this.assertUsable(where);
    if (this.inputShape.kind === 'image') return this.checkImages(x, where, name, finite);
    if (this.inputLayout.kind === 'sequence') return this.checkSequences(x, this.inputLayout, where, name, finite);
    const X = assertMatrix(toTensor(x, where, name), where, name);
    if (this.examplesAsRows && X.cols !== this.inputSize) {
      const hint = X.rows === this.inputSize ? ` (that is the course's (n_x, m) layout: this network was built with inputShape [${this.inputSize}], which takes rows; transpose X, or build it with inputSize: ${this.inputSize})` : '';
      throw new ShapeError(`${where}: ${name}: expected shape (m, ${this.inputSize}) with one row per example (inputShape [${this.inputSize}]), got ${formatShape(X.shape)}${hint}`);
    }
    if (!this.examplesAsRows && X.rows !== this.inputSize) {
      throw new ShapeError(
        `${where}: ${name}: expected shape (${this.inputSize}, m) with one column per example (the first layer has inputSize ${this.inputSize}), got ${formatShape(X.shape)}`,
      );
    }
    assertNonEmpty(X, where, name);
    if (finite) assertFinite(X, where, name);
    this.assertFitsDType(X, where, name);
    return X;
  }

  /**
   * Checks an image batch against `inputShape`: (m, n_H, n_W, n_C), or the
   * course's flat (n_H n_W n_C, m) columns, which are turned into images.
   */
  private checkImages(x: TensorLike, where: string, name: string, finite: boolean): Tensor {
    let X = toTensor(x, where, name);
    const s = this.inputShape as FeatureShape & { kind: 'image' };
    if (X.shape.length === 2 && X.rows === this.inputSize && X.cols > 0) X = imagesFromColumns(X, [s.h, s.w, s.c]);
    const [m, h, w, c] = X.shape;
    if (X.shape.length !== 4 || h !== s.h || w !== s.w || c !== s.c) {
      const hint =
        X.shape.length === 2 ? ` (flat columns need ${this.inputSize} = ${s.h} x ${s.w} x ${s.c} rows)` : X.shape.length === 4 && c !== s.c ? ` (${c} channels where the network takes ${s.c})` : '';
      throw new ShapeError(
        `${where}: ${name}: expected images of shape (m, ${s.h}, ${s.w}, ${s.c}) to match inputShape [${s.h}, ${s.w}, ${s.c}] (or their flat columns (${this.inputSize}, m)), got ${formatShape(X.shape)}${hint}`,
      );
    }
    if (m === 0) throw new ShapeError(`${where}: ${name}: expected at least one example, got shape ${formatShape(X.shape)}`);
    if (finite) assertFinite(X, where, name);
    this.assertFitsDType(X, where, name);
    return X;
  }

  /** Checks a batch of sequences against the input's (n_x, T_x): X is the course's (n_x, m, T_x). */
  private checkSequences(x: TensorLike, s: SequenceShape, where: string, name: string, finite: boolean): Tensor {
    const X = toTensor(x, where, name);
    const [n, m, T] = X.shape;
    if (X.shape.length !== 3 || n !== s.units || T !== s.steps) {
      const hint = X.shape.length === 3 && n === s.units ? ` (${T} time steps where the network takes T_x = ${s.steps})` : X.shape.length !== 3 ? ` (a sequence batch has 3 axes: features, examples, time steps)` : '';
      throw new ShapeError(`${where}: ${name}: expected sequences of shape (${s.units}, m, ${s.steps}) to match inputShape { sequence: [${s.units}, ${s.steps}] } (n_x, m, T_x), got ${formatShape(X.shape)}${hint}`);
    }
    if (m === 0) throw new ShapeError(`${where}: ${name}: expected at least one example, got shape ${formatShape(X.shape)}`);
    if (finite) assertFinite(X, where, name);
    this.assertFitsDType(X, where, name);
    const first = this.layerStack[0];
    if (first instanceof EmbeddingLayer) first.checkIndices(X, where, name);
    return X;
  }

  /** The number of examples m in a checked input. */
  examples(X: Tensor): number {
    return this.examplesAsRows ? X.rows : this.inputLayout.kind === 'sequence' ? X.shape[1]! : X.cols;
  }

  /** Checks targets Y of shape (n[L], m) against X and the loss, and returns them as a tensor. */
  checkTargets(y: TensorLike, m: number, where: string, name = 'Y'): Tensor {
    const seq = this.outputSequence;
    if (seq) {
      const Y = toTensor(y, where, name);
      if (Y.shape.length !== 3 || Y.shape[0] !== seq.units || Y.shape[1] !== m || Y.shape[2] !== seq.steps) {
        throw new ShapeError(`${where}: ${name}: expected shape (${seq.units}, ${m}, ${seq.steps}) (n_y, m, T_y) to match the timeDistributed output and X's ${m} examples, got ${formatShape(Y.shape)}`);
      }
      assertFinite(Y, where, name);
      this.assertFitsDType(Y, where, name);
      this.loss.checkTargets(Y.reshape([seq.units, m * seq.steps]), where, name);
      return Y;
    }
    const Y = assertMatrix(toTensor(y, where, name), where, name);
    const nL = this.outputLayer.units;
    if (Y.rows !== nL || Y.cols !== m) {
      throw new ShapeError(`${where}: ${name}: expected shape (${nL}, ${m}) to match the output layer and X's ${m} examples, got ${formatShape(Y.shape)}`);
    }
    assertFinite(Y, where, name);
    this.assertFitsDType(Y, where, name);
    this.loss.checkTargets(Y, where, name);
    return Y;
  }

  /**
   * Checks that every parameter and batch-norm statistic is finite, so a
   * NaN put into the weights (through `parameters`, which are live) fails here,
   * naming the tensor, rather than coming out of every prediction.
   */
  checkParameters(where: string, name = 'network'): void {
    this.assertUsable(where);
    for (const [k, t] of namedState(this)) assertFinite(t, where, `${name}.${k}`);
  }

  /**
   * A float64 tensor given to a float32 network is copied into float32
   * buffers, where a value beyond float32's range (about 3.4e38) becomes
   * Infinity: refuse it here, with its position, instead.
   */
  private assertFitsDType(t: Tensor, where: string, name: string): void {
    if (this.dtype !== 'float32' || t.dtype !== 'float64') return;
    const d = t.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (!Number.isFinite(Math.fround(v))) {
        throw new ValueError(
          `${where}: ${name}: expected values within the float32 range of the network (|value| < 3.4e38), got ${v} at row ${Math.floor(i / t.cols)}, column ${i % t.cols}`,
        );
      }
    }
  }

  /**
   * The output activations A[L] for inputs X of shape (n_x, m).
   *
   * @example
   * ```ts
   * import { Network } from 'layerwise';
   * const net = new Network({ inputSize: 2, layers: [{ units: 1, activation: 'sigmoid' }], init: 'zeros' });
   * net.predict([[1], [2]]).get(0, 0) === 0.5; // true
   * ```
   */
  predict(x: TensorLike): Tensor {
    return this.outputs(x, 'predict');
  }

  /** A[L] for X, with checks naming the public call. */
  private outputs(x: TensorLike, where: string): Tensor {
    const X = this.checkInput(x, where);
    this.checkParameters(where);
    const m = this.examples(X);
    // On the JS heap, like the clone it replaces: results the user keeps hold no wasm memory.
    const seq = this.outputSequence;
    if (seq) {
      // (n_y, m, T_y): each chunk's (n_y, count, T_y) rows go to examples start .. start + count.
      const T = seq.steps;
      const res = new Tensor([seq.units, m, T], allocArray(seq.units * m * T, this.dtype));
      this.inChunks(X, m, (plan, start, count) => {
        const A = plan.forward(false);
        for (let i = 0; i < seq.units; i++) res.data.set(A.data.subarray(i * count * T, (i + 1) * count * T), (i * m + start) * T);
      });
      return res;
    }
    const out = new Tensor([this.outputLayer.units, m], allocArray(this.outputLayer.units * m, this.dtype));
    this.inChunks(X, m, (plan, start, count) => {
      const A = plan.forward(false);
      // A is (n[L], count): its columns go to columns start .. start + count of the result.
      for (let i = 0; i < A.rows; i++) out.data.set(A.data.subarray(i * count, (i + 1) * count), i * m + start);
    });
    return out;
  }

  /**
   * Runs inference plans over X in chunks of examples small enough that a
   * chunk's buffers (im2col matrices above all) stay within {@link INFERENCE_BYTES}:
   * a conv network predicting 10,000 images would otherwise allocate gigabytes.
   * Examples are independent at inference (batch normalization uses its
   * running statistics), so chunking changes no result.
   */
  private inChunks(X: Tensor, m: number, body: (plan: Plan, start: number, count: number) => void): void {
    const chunk = this.inferenceChunk(m);
    for (let start = 0; start < m; start += chunk) {
      const count = Math.min(chunk, m - start);
      const plan = this.forwardPlan(count);
      if (this.inputLayout.kind === 'sequence') copySequences(X, m, start, count, plan.input);
      else copyExamples(X, m, start, count, plan.input, this.inputShape.kind === 'image' ? 'rows' : this.examplesAsRows ? 'rowsToColumns' : 'columns');
      body(plan, start, count);
    }
  }

  /** How many of m examples one inference chunk takes (m when they all fit in {@link INFERENCE_BYTES}). */
  inferenceChunk(m: number): number {
    return Math.max(1, Math.min(m, Math.floor(INFERENCE_BYTES / this.inferenceBytesPerExample())));
  }

  /** The buffers an inference plan holds per example: every layer's outputs (Z and A), and the im2col rows of convolutions. */
  private inferenceBytesPerExample(): number {
    const bytes = this.dtype === 'float64' ? 8 : 4;
    let values = 0;
    const visit = (layers: readonly AnyLayer[]): void => {
      for (const l of layers) {
        values += 2 * featureCount(l.outputShape);
        values += l.valuesPerExample ?? 0;
        if (l instanceof Conv2DLayer) values += l.options.size * l.options.size * l.inputShape.c * featureCount(l.outputShape) / l.options.filters;
        if (l instanceof ResidualLayer) visit([...l.main, ...l.shortcut]);
      }
    };
    visit(this.stack);
    return values * bytes;
  }

  /**
   * Class predictions as a (1, m) row: 0/1 by `threshold` (a number in
   * (0, 1), default 0.5) for a sigmoid output with one unit, the argmax row
   * index for softmax (which takes no threshold).
   *
   * @example
   * ```ts
   * import { Network } from 'layerwise';
   * const net = new Network({ inputSize: 2, layers: [{ units: 1, activation: 'sigmoid' }], init: 'zeros' });
   * net.classify([[1], [2]]).get(0, 0) === 1; // true: 0.5 rounds up
   * ```
   */
  classify(x: TensorLike, threshold?: number): Tensor {
    const output = this.outputLayer;
    checkThreshold(threshold, output.activation, output.units, 'classify');
    const A = this.outputs(x, 'classify');
    const seq = this.outputSequence;
    // A sequence output is classified at every step: (1, m, T_y).
    if (seq) return classifyOutputs(A.reshape([seq.units, A.size / seq.units]), output.activation, threshold).reshape([1, A.shape[1]!, seq.steps]);
    return classifyOutputs(A, output.activation, threshold);
  }

  /**
   * The cost J on (X, Y), without regularization.
   *
   * @example
   * ```ts
   * import { Network } from 'layerwise';
   * const net = new Network({ inputSize: 1, layers: [{ units: 1, activation: 'sigmoid' }], init: 'zeros' });
   * Math.abs(net.cost([[1, 2]], [[1, 0]]) - Math.log(2)) < 1e-6; // true
   * ```
   */
  cost(x: TensorLike, y: TensorLike): number {
    const X = this.checkInput(x, 'cost');
    const m = this.examples(X);
    const Y = this.checkTargets(y, m, 'cost');
    this.checkParameters('cost');
    return this.costOfChecked(X, Y);
  }

  /**
   * The cost J of inputs and targets that `checkInput` and `checkTargets` have
   * accepted, in inference chunks (fit's dev cost for large dev sets).
   */
  costOfChecked(X: Tensor, Y: Tensor): number {
    const m = this.examples(X);
    let sum = 0;
    let weight = 0;
    this.inChunks(X, m, (plan, start, count) => {
      plan.forward(false);
      if (this.outputSequence) copySequences(Y, m, start, count, plan.target);
      else copyExamples(Y, m, start, count, plan.target, 'columns');
      // Chunks weigh by their examples (their real steps under a padding mask).
      sum += plan.cost() * plan.costWeight;
      weight += plan.costWeight;
    });
    return weight === 0 ? 0 : sum / weight;
  }

  /** An inference plan for m examples: the full chunk's and the last partial chunk's are kept. */
  private forwardPlan(m: number): Plan {
    if (this.inferencePlan?.m === m) return this.inferencePlan;
    if (this.remainderPlan?.m === m) return this.remainderPlan;
    // The plan replaced is given back now (it is the network's own: nothing else holds it).
    const plan = new Plan(this, m, false);
    if (!this.inferencePlan || m > this.inferencePlan.m) {
      this.inferencePlan?.dispose();
      this.inferencePlan = plan;
    } else {
      this.remainderPlan?.dispose();
      this.remainderPlan = plan;
    }
    return plan;
  }
}

const SMALLER = 'use fewer units or filters';

/** One declared layer's memory: its parameters and statistics, and the trainable part of them. */
export interface LayerBytes {
  /** The layer as messages name it: `layers[1] (dense 16000 relu: W2, b2)`. */
  readonly name: string;
  readonly bytes: number;
  readonly trainableBytes: number;
}

/** The declared layers' sizes from their tensors' shapes (the sizing build's tensors hold no values); `layers` without the input dropout. */
function layerSizes(layers: readonly AnyLayer[], dtype: DType): LayerBytes[] {
  const per = dtype === 'float64' ? 8 : 4;
  const bytes = (ts: readonly { tensor: Tensor }[]) => ts.reduce((s, { tensor }) => s + tensor.shape.reduce((p, d) => p * d, 1) * per, 0);
  const out: LayerBytes[] = [];
  let index = 0;
  for (const l of layers) {
    // An automatic Flatten is not among the declared layers (and holds nothing).
    if (l instanceof FlattenLayer && l.automatic) continue;
    const names = l.state.map((t) => t.name);
    out.push({ name: `layers[${index}] (${l.describe()}${names.length > 0 ? `: ${names.join(', ')}` : ''})`, bytes: bytes(l.state), trainableBytes: bytes(l.trainableParams) });
    index++;
  }
  return out;
}

/**
 * Refuses, before anything is allocated, `needed` bytes that the backend's
 * memory cannot hold besides what it holds already. Only the wasm backend
 * has a limit (4 GiB of wasm memory). `what` and `breakdown` say what the
 * bytes are for; `sizes` (the layers) name the largest layer.
 */
export function checkFits(be: Backend, needed: number, sizes: readonly LayerBytes[], own: number, where: string, what: string, advice: string): void {
  const limit = memoryLimit(be);
  if (limit && needed > limit.maxBytes - limit.bytesInUse) throw tooLarge(be, needed, sizes, own, where, what, advice, null);
}

/**
 * The error for memory the backend cannot hold: the bytes (`what` with %s
 * for them), what holds the memory (`own` bytes of it are the network's
 * own), and the largest layer.
 */
export function tooLarge(be: Backend, needed: number, sizes: readonly LayerBytes[], own: number, where: string, what: string, advice: string, cause: Error | null): ValueError {
  const limit = memoryLimit(be) ?? { maxBytes: 0, bytesInUse: 0, tensorBytes: 0 };
  const largest = sizes.reduce<LayerBytes | null>((a, l) => (a === null || l.bytes > a.bytes ? l : a), null);
  // Other tensors hold memory that dispose() would give back; the kernels' scratch (a few MiB) always stays.
  const others = limit.tensorBytes - own;
  const held = [own > 0 ? `${formatBytes(own)} by this network` : '', others >= 2 ** 20 ? `${formatBytes(others)} by other tensors: dispose networks you no longer need (net.dispose())` : '']
    .filter((x) => x !== '')
    .join('; ');
  const inUse = held === '' ? '' : `, and ${formatBytes(limit.bytesInUse)} of it are in use (${held})`;
  return new ValueError(
    `${where}: ${what.replace('%s', formatBytes(needed))}, more than the ${be.name} backend's memory can hold: it is at most ${formatBytes(limit.maxBytes)}${inUse}. ` +
      `The largest layer is ${largest ? `${largest.name}, ${formatBytes(largest.bytes)}` : 'none'}: ${advice}`,
    cause ? { cause } : undefined,
  );
}

/**
 * A build context whose backend allocates nothing: layers built with it run
 * every check and know every shape, but their tensors hold no values (the
 * initializers fill zero-length arrays). Any other kernel a layer's
 * constructor calls does nothing (a kernel run on those tensors would write
 * past them).
 */
function sizingContext(ctx: BuildContext): BuildContext {
  const be = new Proxy(ctx.be, {
    get: (target, key) => (key === 'zeros' ? shapeOnly : typeof target[key as keyof Backend] === 'function' ? () => 0 : target[key as keyof Backend]),
  });
  const sizing: BuildContext = { ...ctx, be, rng: new Rng(0), nextNumber: 1, build: (specs, input, path, top) => buildLayers(sizing, specs, input, path, top) };
  return sizing;
}

/** A tensor with a shape and no values, for the sizing build only (nothing reads its values). */
function shapeOnly(shape: readonly number[], dtype: DType): Tensor {
  const t = Object.create(Tensor.prototype) as { shape: readonly number[]; data: FloatArray };
  t.shape = Object.freeze([...shape]);
  t.data = dtype === 'float64' ? new Float64Array(0) : new Float32Array(0);
  return t as unknown as Tensor;
}

function checkUnitInterval(value: unknown, where: string, name: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) throw new ValueError(`${where}: ${name}: expected a number in [0, 1), got ${describe(value)}`);
  return value;
}

/** The most bytes an inference chunk's buffers may take (see Network.inChunks). */
const INFERENCE_BYTES = 256 * 2 ** 20;

/**
 * All of a checked X into a plan's input of as many examples: as it is (columns, images, sequences), or
 * rows (m, n_x) of an `inputShape: [n_x]` network into the plan's (n_x, m) columns.
 */
export function loadInput(net: Network, X: Tensor, input: Tensor): void {
  if (net.examplesAsRows && !net.isImageNetwork) transposeInto(X.data, X.rows, X.cols, input.data);
  else input.data.set(X.data);
}

/**
 * Copies examples start .. start + count of X into DST: 'rows' (images, one row per example, into a
 * plan that takes rows), 'columns' (the course's (n, m)), or 'rowsToColumns' (rows (m, n) into a
 * plan's (n, count) columns).
 */
function copyExamples(X: Tensor, m: number, start: number, count: number, dst: Tensor, layout: 'rows' | 'columns' | 'rowsToColumns'): void {
  const n = X.size / m;
  if (layout === 'rows') {
    dst.data.set(X.data.subarray(start * n, (start + count) * n));
    return;
  }
  if (layout === 'rowsToColumns') {
    transposeInto(X.data.subarray(start * n, (start + count) * n), count, n, dst.data);
    return;
  }
  if (count === m) {
    dst.data.set(X.data);
    return;
  }
  for (let i = 0; i < n; i++) dst.data.set(X.data.subarray(i * m + start, i * m + start + count), i * count);
}

function checkBoolean(value: unknown, where: string, name: string): boolean {
  if (typeof value !== 'boolean') throw new ValueError(`${where}: ${name}: expected true or false, got ${describe(value)}`);
  return value;
}

/** Examples start .. start + count of sequences X (n, m, T) into DST (n, count, T): each feature's examples are contiguous. */
function copySequences(X: Tensor, m: number, start: number, count: number, dst: Tensor): void {
  const [n, , T] = X.shape as [number, number, number];
  if (count === m) {
    dst.data.set(X.data);
    return;
  }
  for (let i = 0; i < n; i++) dst.data.set(X.data.subarray((i * m + start) * T, (i * m + start + count) * T), i * count * T);
}

/** inputSize (flat) or inputShape (images, or { sequence: [n_x, T_x] }): exactly one. */
function checkInputShape(options: NetworkOptions, where: string): ActivationShape {
  if (options.inputShape === undefined) return flat(assertPositiveInt(options.inputSize, where, 'inputSize'));
  if (options.inputSize !== undefined) throw new ValueError(`${where}: options: expected one of inputSize (flat features) or inputShape (images), got both`);
  const s: unknown = options.inputShape;
  if (s !== null && typeof s === 'object' && !Array.isArray(s)) {
    assertKnownKeys(s as object, ['sequence'], where, 'inputShape.');
    const q: unknown = (s as { sequence?: unknown }).sequence;
    if (!Array.isArray(q) || q.length !== 2) throw new ValueError(`${where}: inputShape.sequence: expected [n_x, T_x] (features per step, time steps), got ${describe(q)}`);
    const nX = assertPositiveInt(q[0], where, 'inputShape.sequence[0] (n_x)');
    const T = assertPositiveInt(q[1], where, 'inputShape.sequence[1] (T_x)');
    return sequence(nX, T);
  }
  if (Array.isArray(s) && s.length === 1) return flat(assertPositiveInt(s[0], where, 'inputShape[0] (n_x)'));
  if (!Array.isArray(s) || s.length !== 3) throw new ValueError(`${where}: inputShape: expected [n_H, n_W, n_C] (images), [n_x] (flat rows) or { sequence: [n_x, T_x] }, got ${describe(s)}`);
  const [h, w, c] = ['n_H', 'n_W', 'n_C'].map((n, i) => assertPositiveInt(s[i], where, `inputShape[${i}] (${n})`)) as [number, number, number];
  return image(h, w, c);
}

/**
 * The tensors a network's training changes, by their course names (W1, b1,
 * gamma1, beta1, runningMean1, runningVar1, W2, ...), layer by layer.
 */
export function namedState(net: Network): [string, Tensor][] {
  return net.stack.flatMap((l) => l.state.map(({ name, tensor }): [string, Tensor] => [name, tensor]));
}

const NETWORK_OPTIONS: readonly (keyof NetworkOptions)[] = [
  'inputSize',
  'inputShape',
  'layers',
  'init',
  'seed',
  'dtype',
  'loss',
  'l2',
  'l1',
  'inputKeepProb',
  'keepProb',
  'batchNorm',
  'batchNormMomentum',
  'batchNormEpsilon',
];

/** The classification threshold: only a one-unit sigmoid output has one, and it must split (0, 1). */
function checkThreshold(threshold: unknown, output: Activation, units: number, where: string): number {
  if (threshold === undefined) return 0.5;
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold < 1)) {
    throw new ValueError(`${where}: threshold: expected a number in (0, 1), got ${describe(threshold)}`);
  }
  if (output.kind !== 'sigmoid' || units !== 1) {
    throw new ValueError(`${where}: threshold: expected none for a ${output.kind} output with ${units} unit${units === 1 ? '' : 's'} (only a one-unit sigmoid output is thresholded), got ${threshold}`);
  }
  return threshold;
}

/**
 * Turns output activations into class labels (see {@link Network.classify}); `threshold` as there.
 *
 * @example
 * ```ts
 * import { classifyOutputs, resolveActivation, tensor } from 'layerwise';
 * const labels = classifyOutputs(tensor([[0.2, 0.7]]), resolveActivation('sigmoid'));
 * labels.get(0, 0) === 0 && labels.get(0, 1) === 1; // true
 * ```
 */
export function classifyOutputs(A: Tensor, output: Activation, threshold?: number): Tensor {
  const t = checkThreshold(threshold, output, A.rows, 'classifyOutputs');
  const out = backendFor(A.dtype).zeros([1, A.cols], A.dtype);
  const { rows, cols } = A;
  for (let j = 0; j < cols; j++) {
    if (rows === 1) {
      const v = A.data[j] as number;
      out.data[j] = output.kind === 'sigmoid' ? (v >= t ? 1 : 0) : v;
    } else {
      let best = 0;
      for (let i = 1; i < rows; i++) if ((A.data[i * cols + j] as number) > (A.data[best * cols + j] as number)) best = i;
      out.data[j] = best;
    }
  }
  return out;
}

/**
 * Logistic regression: the one-layer network with one sigmoid unit and zero
 * initialization (zeros is fine here: a single unit has no symmetry to break).
 *
 * @example
 * ```ts
 * import { logisticRegression, fit } from 'layerwise';
 * const net = logisticRegression(2);
 * fit(net, [[0, 1, 2, 3], [0, 1, 2, 3]], [[0, 0, 1, 1]], { learningRate: 0.5, iterations: 500 });
 * net.predict([[3], [3]]).get(0, 0) > 0.5; // true
 * ```
 */
export function logisticRegression(inputSize: number, options: { seed?: number; dtype?: DType } = {}): Network {
  return new Network({ inputSize, layers: [{ units: 1, activation: 'sigmoid' }], init: 'zeros', ...options });
}
