/**
 * Makes each workload's data and starting weights with layerwise itself
 * (its generators and initializers), once, in the runner. The children only
 * load the result, so TF.js, brain.js and the hand-written JS never load
 * layerwise.
 */
import { Network, makeFlower, type ActivationName, type InitSpec, type Tensor } from '../../src/index.js';
import { loadMnist } from '../../src/node/index.js';
import { matrix, type LayerInit, type Matrix } from '../shared/fixtures.js';
import { MNIST, type MnistFixture } from './mnist.js';
import { PLANAR, type PlanarFixture } from './planar.js';
import { CNN, CNN_PARAM_SHAPES, CNN_PARAMS, cnnLayers, type CnnFixture, type CnnWeights } from './cnn.js';
import { mnistNetwork } from '../peers/layerwise.js';
import { VARIANTS } from '../variants.js';

function toMatrix(t: Tensor): Matrix {
  return matrix(t.rows, t.cols, Float32Array.from(t.data));
}

/** The weights a fresh layerwise network starts from (W[l] is (n[l], n[l-1]), b[l] is (n[l], 1)). */
function initialWeights(dims: readonly number[], activations: readonly ActivationName[], init: InitSpec, seed: number): LayerInit[] {
  const net = new Network({ inputSize: dims[0]!, layers: activations.map((activation, i) => ({ units: dims[i + 1]!, activation })), init, seed });
  return activations.map((_, i) => ({ W: toMatrix(net.parameters[`W${i + 1}`]!), b: toMatrix(net.parameters[`b${i + 1}`]!) }));
}

function columns(src: Matrix, from: number, count: number): Matrix {
  const out = matrix(src.rows, count);
  for (let i = 0; i < src.rows; i++) out.data.set(src.data.subarray(i * src.cols + from, i * src.cols + from + count), i * count);
  return out;
}

/** The most MNIST epochs any variant trains (the fixture holds a batch order for each). */
export const MNIST_ORDER_EPOCHS = Math.max(...VARIANTS.map((v) => v.mnistEpochs[0]));

/**
 * Each epoch's order of the m training examples as layerwise's fit draws it
 * with `shuffle: true`: the identity shuffled by the network's generator,
 * epoch after epoch (fit draws nothing else from it for this network: no
 * dropout, no augmentation). The network is the one the layerwise trainers
 * build (bench/peers/layerwise.ts mnistNetwork), so it starts from the same
 * generator state; the harness test checks fit follows this order.
 */
export function mnistOrder(init: readonly LayerInit[], m: number, epochs: number): Matrix {
  const rng = mnistNetwork(init).rng;
  const out = matrix(epochs, m);
  const order = new Int32Array(m);
  for (let e = 0; e < epochs; e++) {
    for (let i = 0; i < m; i++) order[i] = i;
    rng.shuffle(order);
    out.data.set(order, e * m);
  }
  return out;
}

/**
 * He initialization from seed 1, biases zero; the first 8000 digits of
 * loadMnist({ seed: 1 }) to train, the next 2000 to test; each epoch's
 * batch order as layerwise's fit shuffles it.
 */
export function makeMnistFixture(epochs = MNIST_ORDER_EPOCHS): MnistFixture {
  const { X, Y } = loadMnist({ count: MNIST.train + MNIST.test, seed: MNIST.seed });
  const [x, y] = [toMatrix(X), toMatrix(Y)];
  const init = initialWeights(MNIST.layers, ['relu', 'relu', 'softmax'], 'he', MNIST.seed);
  return {
    init,
    trainX: columns(x, 0, MNIST.train),
    trainY: columns(y, 0, MNIST.train),
    testX: columns(x, MNIST.train, MNIST.test),
    testY: columns(y, MNIST.train, MNIST.test),
    order: mnistOrder(init, MNIST.train, epochs),
  };
}

/** randn * 0.01 from seed 2, biases zero, on makeFlower({ m: 400, seed: 1 }). */
export function makePlanarFixture(): PlanarFixture {
  const { X, Y } = makeFlower({ m: PLANAR.m, seed: PLANAR.dataSeed });
  return { init: initialWeights(PLANAR.layers, ['tanh', 'sigmoid'], 'random', PLANAR.initSeed), X: toMatrix(X), Y: toMatrix(Y) };
}

/** Columns [from, from + count) of a (rows, cols) matrix as rows: (count, rows), one example per row. */
function examplesAsRows(src: Matrix, from: number, count: number): Matrix {
  const out = matrix(count, src.rows);
  for (let i = 0; i < src.rows; i++) for (let j = 0; j < count; j++) out.data[j * src.rows + i] = src.data[i * src.cols + from + j]!;
  return out;
}

/**
 * The MLP workload's digits as NHWC images (one example per row; a 784-pixel
 * column is already the row-major 28x28 image), and the weights of a fresh
 * layerwise CNN with He initialization from seed 1 (biases zero).
 */
export function makeCnnFixture(): CnnFixture {
  const { X, Y } = loadMnist({ count: CNN.train + CNN.test, seed: CNN.seed });
  const [x, y] = [toMatrix(X), toMatrix(Y)];
  const net = new Network({ inputShape: CNN.input, layers: cnnLayers(), init: 'he', seed: CNN.seed });
  const init = {} as CnnWeights;
  for (const key of CNN_PARAMS) {
    const p = net.parameters[key];
    const size = CNN_PARAM_SHAPES[key].reduce((a, b) => a * b, 1);
    if (!p || p.data.length !== size) throw new Error(`makeCnnFixture: expected layerwise parameter ${key} of ${size} values (${CNN_PARAM_SHAPES[key].join('x')}), got ${p ? p.shape.join('x') : 'none'}`);
    init[key] = Float32Array.from(p.data);
  }
  return {
    init,
    trainX: examplesAsRows(x, 0, CNN.train),
    trainY: columns(y, 0, CNN.train),
    testX: examplesAsRows(x, CNN.train, CNN.test),
    testY: columns(y, CNN.train, CNN.test),
  };
}
