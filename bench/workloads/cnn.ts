/**
 * Workload 3: a small MNIST CNN. 28x28x1 -> conv 5x5x8 (stride 1, valid)
 * ReLU -> max pool 2 -> conv 5x5x16 ReLU -> max pool 2 -> flatten (4x4x16 =
 * 256) -> dense 10 softmax; categorical cross-entropy, Adam (lr 1e-3, beta1
 * 0.9, beta2 0.999, eps 1e-8), batch 64, the MLP workload's digits (the first
 * 8000 of `loadMnist({ seed: 1 })` to train, in that fixed order, the next
 * 2000 to test), He-initialized weights from layerwise (seed 1), biases 0.
 *
 * The weights travel in layerwise's layout, which every peer converts from:
 * conv kernels (f, f, c_in, c_out) ("HWIO", TF.js's filter layout too), conv
 * biases (c_out), the dense W3 (10, 256) whose 256 inputs are the pooled
 * (h, w, c) volume flattened row-major (TF.js's flatten of NHWC is the same
 * order; PyTorch's flatten of NCHW is (c, h, w)), b3 (10).
 */
import { loadArrays, matrix, need, saveArrays, type Matrix } from '../shared/fixtures.js';
import { MNIST } from './mnist.js';

/** The MLP workload's digits, batch size, Adam settings and seed. */
const { train, test, batchSize, learningRate, beta1, beta2, epsilon, seed } = MNIST;

export const CNN = {
  /** Image height, width, channels. */
  input: [28, 28, 1],
  /** Kernel size and filters of the two conv layers (valid, stride 1), each followed by ReLU and a 2x2 max pool (stride 2). */
  size: 5,
  filters: [8, 16],
  pool: 2,
  classes: 10,
  train,
  test,
  batchSize,
  learningRate,
  beta1,
  beta2,
  epsilon,
  seed,
} as const;

/** The layer geometry the peers build from (every size derived from CNN). */
export const CNN_SHAPE = (() => {
  const [h0, w0, c0] = CNN.input;
  const [c1, c2] = CNN.filters;
  const k = CNN.size;
  const conv1 = { h: h0 - k + 1, w: w0 - k + 1 }; // 24 x 24
  const pool1 = { h: conv1.h / CNN.pool, w: conv1.w / CNN.pool }; // 12 x 12
  const conv2 = { h: pool1.h - k + 1, w: pool1.w - k + 1 }; // 8 x 8
  const pool2 = { h: conv2.h / CNN.pool, w: conv2.w / CNN.pool }; // 4 x 4
  return { h0, w0, c0, c1, c2, k, conv1, pool1, conv2, pool2, flat: pool2.h * pool2.w * c2 };
})();

/** The CNN's layers as layerwise's `new Network({ inputShape: [28, 28, 1], layers })` spells them. */
export function cnnLayers() {
  return [
    { type: 'conv2d', filters: CNN.filters[0], size: CNN.size },
    { type: 'maxPool2d', size: CNN.pool },
    { type: 'conv2d', filters: CNN.filters[1], size: CNN.size },
    { type: 'maxPool2d', size: CNN.pool },
    { units: CNN.classes, activation: 'softmax' },
  ] as const;
}

/** The parameters in layerwise's layout, each a flat float32 array (see the module comment). */
export interface CnnWeights {
  W1: Float32Array;
  b1: Float32Array;
  W2: Float32Array;
  b2: Float32Array;
  W3: Float32Array;
  b3: Float32Array;
}

export const CNN_PARAMS = ['W1', 'b1', 'W2', 'b2', 'W3', 'b3'] as const;

/** Each parameter's shape in layerwise's layout (its `net.parameters` shapes, the biases flattened). */
export const CNN_PARAM_SHAPES: Record<keyof CnnWeights, readonly number[]> = {
  W1: [CNN.size, CNN.size, CNN.input[2], CNN.filters[0]],
  b1: [CNN.filters[0]],
  W2: [CNN.size, CNN.size, CNN.filters[0], CNN.filters[1]],
  b2: [CNN.filters[1]],
  W3: [CNN.classes, CNN_SHAPE.flat],
  b3: [CNN.classes],
};

export function cloneWeights(w: CnnWeights): CnnWeights {
  return { W1: w.W1.slice(), b1: w.b1.slice(), W2: w.W2.slice(), b2: w.b2.slice(), W3: w.W3.slice(), b3: w.b3.slice() };
}

export interface CnnFixture {
  init: CnnWeights;
  /** (8000, 784): one row per example, each a 28x28x1 image in (h, w, c) order, i.e. NHWC. */
  trainX: Matrix;
  /** One-hot (10, 8000), the course's layout. */
  trainY: Matrix;
  testX: Matrix;
  testY: Matrix;
}

/** The fixture's file name in bench/out/fixtures (the PyTorch peer reads it too). */
export const CNN_FIXTURE = 'cnn';

export function saveCnnFixture(f: CnnFixture): void {
  const w: Record<string, Matrix> = {};
  for (const key of CNN_PARAMS) w[key] = matrix(f.init[key].length / CNN_PARAM_SHAPES[key].at(-1)!, CNN_PARAM_SHAPES[key].at(-1)!, f.init[key]);
  saveArrays(CNN_FIXTURE, { ...w, trainX: f.trainX, trainY: f.trainY, testX: f.testX, testY: f.testY });
}

export function loadCnnFixture(): CnnFixture {
  const a = loadArrays(CNN_FIXTURE);
  const p = (key: keyof CnnWeights) => need(a, key).data;
  return {
    init: { W1: p('W1'), b1: p('b1'), W2: p('W2'), b2: p('b2'), W3: p('W3'), b3: p('b3') },
    trainX: need(a, 'trainX'),
    trainY: need(a, 'trainY'),
    testX: need(a, 'testX'),
    testY: need(a, 'testY'),
  };
}

/** The class of each column of a one-hot (classes, m) matrix. */
export function labelsOf(Y: Matrix): Int32Array {
  const out = new Int32Array(Y.cols);
  for (let i = 0; i < Y.rows; i++) for (let j = 0; j < Y.cols; j++) if (Y.data[i * Y.cols + j]! > 0.5) out[j] = i;
  return out;
}
