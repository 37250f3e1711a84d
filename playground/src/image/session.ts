/**
 * One CNN training run of the image mode: the network, its optimizer, the
 * digits, training in short chunks (a few mini-batches per `fit` call, so the
 * worker answers messages between them), an evaluation of the training and
 * dev sets after every epoch, the feature maps of one dev digit, the
 * filters, and the classification of a drawn digit. No worker or DOM: the
 * Node tests run the same code.
 */
import { backendFor, fit, Network, Plan, resolveOptimizer, Rng, serializeModel, Tensor, type ActivationShape, type Optimizer, type SerializedModel } from '../lib.js';
import type { Digits, DigitSet } from './data.js';
import type { Evaluation, FeatureMap, Filters, ImageInfo, ImageSnapshot, LayerInfo, Scores } from './protocol.js';
import { CLASSES, cloneImageState, imageNetworkOptions, type ImageState } from './spec.js';

/** Examples per fit call: a few mini-batches, a few tens of milliseconds. */
const CHUNK_EXAMPLES = 128;

function shapeOf(s: ActivationShape): number[] {
  return s.kind === 'image' ? [s.h, s.w, s.c] : s.kind === 'flat' ? [s.units] : [s.units, s.steps];
}

/** One-hot targets (10, m) of some labels. */
function oneHot(labels: ArrayLike<number>, m: number, into?: Tensor): Tensor {
  const Y = into ?? new Tensor([CLASSES, m], new Float32Array(CLASSES * m));
  Y.data.fill(0);
  for (let j = 0; j < m; j++) Y.data[labels[j]! * m + j] = 1;
  return Y;
}

export class ImageSession {
  readonly net: Network;
  readonly state: ImageState;
  learningRate: number;
  /** Complete epochs. */
  epochs = 0;
  /** Examples trained in the current epoch. */
  private position = 0;
  private examples = 0;
  private readonly optimizer: Optimizer;
  private readonly rng: Rng;
  private order: Int32Array;
  private readonly chunk: number;
  private readonly Xc: Tensor;
  private readonly Yc: Tensor;
  private readonly trainX: Tensor;
  private readonly devX: Tensor;
  private costSum = 0;
  private costCount = 0;
  private probePlan: Plan | null = null;
  probe = 0;
  /** The newest evaluation not yet sent. */
  private pending: Evaluation | null = null;

  constructor(
    state: ImageState,
    readonly digits: Digits,
    readonly generation = 0,
  ) {
    this.state = cloneImageState(state);
    this.net = new Network(imageNetworkOptions(state));
    this.optimizer = resolveOptimizer(state.optimizer);
    this.learningRate = state.learningRate;
    this.rng = new Rng(state.seed);
    this.order = this.shuffled();
    // Whole mini-batches per call; an epoch is the whole calls that fit in the training set (the few digits
    // left over are different ones each epoch, since every epoch reshuffles).
    this.chunk = Math.max(1, Math.round(CHUNK_EXAMPLES / state.batchSize)) * state.batchSize;
    this.Xc = new Tensor([this.chunk, 28, 28, 1], new Float32Array(this.chunk * 784));
    this.Yc = new Tensor([CLASSES, this.chunk], new Float32Array(CLASSES * this.chunk));
    this.trainX = new Tensor([digits.train.m, 28, 28, 1], digits.train.pixels);
    this.devX = new Tensor([digits.dev.m, 28, 28, 1], digits.dev.pixels);
    this.pending = this.evaluate();
  }

  private shuffled(): Int32Array {
    return this.rng.shuffle(Int32Array.from({ length: this.digits.train.m }, (_, i) => i));
  }

  /** Examples in one epoch: whole chunks. */
  get epochLength(): number {
    return Math.max(this.chunk, Math.floor(this.digits.train.m / this.chunk) * this.chunk);
  }

  /** Epochs as a fraction. */
  get epoch(): number {
    return this.epochs + this.position / this.epochLength;
  }

  layers(): LayerInfo[] {
    return this.net.stack.map((l) => ({ name: l.describe(), type: l.type, shape: shapeOf(l.outputShape), params: l.params.reduce((s, p) => s + p.tensor.size, 0) }));
  }

  info(): ImageInfo {
    const layers = this.layers();
    const dev = this.digits.dev;
    return {
      generation: this.generation,
      layers,
      summary: this.net.summary(),
      totalParams: layers.reduce((s, l) => s + l.params, 0),
      trainM: this.digits.train.m,
      devM: dev.m,
      devPixels: Uint8Array.from(dev.pixels, (v) => Math.round(v * 255)),
      devLabels: dev.labels.slice(),
      backend: backendFor(this.net.dtype).name,
    };
  }

  /**
   * Trains one chunk of mini-batches (the library's fit on the next examples of this epoch's order);
   * after the epoch's last chunk, evaluates both sets. Returns true when an epoch ended. Throws the
   * library's DivergenceError when the cost stops being finite.
   */
  trainChunk(): boolean {
    const { train } = this.digits;
    const k = this.chunk;
    const labels = new Uint8Array(k);
    for (let i = 0; i < k; i++) {
      const src = this.order[(this.position + i) % train.m]!;
      this.Xc.data.set(train.pixels.subarray(src * 784, src * 784 + 784), i * 784);
      labels[i] = train.labels[src]!;
    }
    oneHot(labels, k, this.Yc);
    fit(this.net, this.Xc, this.Yc, {
      learningRate: this.learningRate,
      epochs: 1,
      batchSize: this.state.batchSize,
      optimizer: this.optimizer,
      shuffle: false,
      ...(this.state.augment ? { augment: { shift: 2 } } : {}),
      onIteration: (_, cost) => {
        this.costSum += cost;
        this.costCount++;
      },
    });
    this.position += k;
    this.examples += k;
    if (this.position < this.epochLength) return false;
    this.position = 0;
    this.epochs++;
    this.order = this.shuffled();
    this.pending = this.evaluate();
    return true;
  }

  /** Trains chunks for about `ms` milliseconds (at least one); returns true when an epoch ended. */
  trainFor(ms: number, untilEpochEnd = false): boolean {
    const start = performance.now();
    let ended = false;
    do {
      ended = this.trainChunk() || ended;
    } while (!ended && !untilEpochEnd && performance.now() - start < ms);
    return ended;
  }

  private scores(X: Tensor, set: DigitSet, dev: boolean): { scores: Scores; predicted: Uint8Array; confidence: Float32Array; confusion: Int32Array } {
    const A = this.net.predict(X);
    const m = set.m;
    const predicted = new Uint8Array(dev ? m : 0);
    const confidence = new Float32Array(dev ? m : 0);
    const confusion = new Int32Array(dev ? CLASSES * CLASSES : 0);
    let loss = 0;
    let wrong = 0;
    for (let j = 0; j < m; j++) {
      let best = 0;
      for (let c = 1; c < CLASSES; c++) if (A.data[c * m + j]! > A.data[best * m + j]!) best = c;
      const truth = set.labels[j]!;
      loss -= Math.log(Math.max(A.data[truth * m + j]!, 1e-12));
      if (best !== truth) wrong++;
      if (dev) {
        predicted[j] = best;
        confidence[j] = A.data[best * m + j]!;
        confusion[truth * CLASSES + best]!++;
      }
    }
    return { scores: { loss: loss / m, error: wrong / m }, predicted, confidence, confusion };
  }

  /** Cost and error of both sets, and the dev predictions. */
  evaluate(): Evaluation {
    const train = this.scores(this.trainX, this.digits.train, false);
    const dev = this.scores(this.devX, this.digits.dev, true);
    return { epoch: this.epochs, train: train.scores, dev: dev.scores, confusion: dev.confusion, predicted: dev.predicted, confidence: dev.confidence };
  }

  /** The output of every layer for dev digit `probe`, from one forward pass through a plan of batch size 1. */
  featureMaps(): FeatureMap[] {
    this.probePlan ??= new Plan(this.net, 1, false);
    const plan = this.probePlan;
    const i = Math.min(this.probe, this.digits.dev.m - 1);
    plan.input.data.set(this.digits.dev.pixels.subarray(i * 784, i * 784 + 784));
    const maps: FeatureMap[] = [];
    let x = plan.input;
    plan.chain.compiled.forEach((layer, l) => {
      x = layer.forward(x, false, false);
      const spec = this.net.stack[l]!;
      const shape = spec.outputShape;
      if (shape.kind === 'image') maps.push({ layer: l, name: spec.describe(), h: shape.h, w: shape.w, c: shape.c, data: Float32Array.from(x.data) });
    });
    return maps;
  }

  /** W of every conv layer, (f, f, c_in, c_out). */
  filters(): Filters[] {
    const out: Filters[] = [];
    this.net.stack.forEach((l, i) => {
      if (l.type !== 'conv2d') return;
      const W = l.params.find((p) => p.name.startsWith('W'));
      if (!W) return;
      const [f, , cin, cout] = W.tensor.shape as [number, number, number, number];
      out.push({ layer: i, name: W.name, f, cin, cout, data: Float32Array.from(W.tensor.data) });
    });
    return out;
  }

  snapshot(): ImageSnapshot {
    const batchCost = this.costCount > 0 ? this.costSum / this.costCount : null;
    this.costSum = 0;
    this.costCount = 0;
    const evaluation = this.pending;
    this.pending = null;
    return { generation: this.generation, epoch: this.epoch, examples: this.examples, batchCost, probe: this.probe, maps: this.featureMaps(), filters: this.filters(), evaluation };
  }

  /** The class probabilities of one 28x28 digit (grey levels in [0, 1]). */
  classify(pixels: Float32Array): Float32Array {
    const A = this.net.predict(new Tensor([1, 28, 28, 1], Float32Array.from(pixels)));
    return Float32Array.from(A.data);
  }

  exportModel(): SerializedModel {
    const s = this.state;
    return serializeModel(this.net, {
      metadata: {
        source: 'layerwise playground (image mode)',
        data: `MNIST digits from the mnist package: ${this.digits.train.m} train, ${this.digits.dev.m} dev; grey levels in [0, 1], X (m, 28, 28, 1)`,
        classes: Array.from({ length: CLASSES }, (_, k) => String(k)),
        epoch: this.epochs,
        training: { learningRate: this.learningRate, batchSize: s.batchSize, optimizer: s.optimizer, augment: s.augment ? { shift: 2 } : null },
      },
    });
  }

  dispose(): void {
    this.probePlan?.dispose();
    this.probePlan = null;
  }
}
