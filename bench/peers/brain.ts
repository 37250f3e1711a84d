/**
 * brain.js (the npm "latest", 1.x: pure JS, no GPU build needed). It cannot
 * express the same computation: one activation for every layer (so the
 * output is ReLU, not softmax), a squared-error delta instead of
 * cross-entropy, and an update after every example (no mini-batches). It
 * starts from the same weights with the same architecture and Adam
 * settings, so its examples/s is comparable work per example, but its cost
 * is not compared; its test accuracy is shown for what it is.
 */
import { createRequire } from 'node:module';
import { matrix, type Matrix } from '../shared/fixtures.js';
import type { MnistTrainer } from '../shared/measure.js';
import { MNIST, type MnistFixture } from '../workloads/mnist.js';

// brain.js is CommonJS whose named exports Node's ESM loader cannot detect: require it.
const { NeuralNetwork } = createRequire(import.meta.url)('brain.js') as typeof import('brain.js');

/** brain.js internals that its typings leave out; read from dist/neural-network.js (1.6.1). */
interface BrainInternals {
  sizes: number[] | null;
  weights: Float32Array[][];
  biases: Float32Array[];
  initialize(): void;
}

function columnsAsArrays(m: Matrix): number[][] {
  const out: number[][] = [];
  for (let j = 0; j < m.cols; j++) {
    const col = new Array<number>(m.rows);
    for (let i = 0; i < m.rows; i++) col[i] = m.data[i * m.cols + j]!;
    out.push(col);
  }
  return out;
}

/** `examples`: brain.js is so slow that it trains on that prefix of the training set only. */
export function brainMnistTrainer(f: MnistFixture, examples: number): MnistTrainer {
  const options = {
    hiddenLayers: [MNIST.layers[1], MNIST.layers[2]],
    activation: 'relu' as const,
    praxis: 'adam' as const,
    learningRate: MNIST.learningRate,
    // brain.js stops early below errorThresh (it must be in (0, 1)): make that unreachable.
    errorThresh: 1e-12,
    iterations: 1,
  };
  // The constructor also takes the training options (praxis must be known before initialize()).
  const net = new NeuralNetwork(options);
  // Narrow cast: sizing and initializing by hand is the only way to set the starting weights.
  const inner = net as unknown as BrainInternals;
  inner.sizes = [...MNIST.layers];
  inner.initialize();
  f.init.forEach(({ W, b }, l) => {
    for (let i = 0; i < W.rows; i++) {
      inner.weights[l + 1]![i]!.set(W.data.subarray(i * W.cols, (i + 1) * W.cols));
      inner.biases[l + 1]![i] = b.data[i]!;
    }
  });
  const inputs = columnsAsArrays(f.trainX);
  const outputs = columnsAsArrays(f.trainY);
  const data = inputs.slice(0, examples).map((input, j) => ({ input, output: outputs[j]! }));
  return {
    sameComputation: false,
    outputActivation: 'relu',
    examplesPerEpoch: data.length,
    note: `brain.js 1.x: ReLU output + squared error, Adam per example (no batches), first ${data.length} examples only; cost not comparable`,
    async train(epochs, epochEnd) {
      for (let e = 0; e < epochs; e++) {
        // One brain.js "iteration" is one pass over the data in order.
        net.train(data, options);
        epochEnd();
      }
    },
    snapshot: () =>
      f.init.map(({ W, b }, l) => {
        const out = matrix(W.rows, W.cols);
        for (let i = 0; i < W.rows; i++) out.data.set(inner.weights[l + 1]![i]!, i * W.cols);
        return { W: out, b: matrix(b.rows, 1, Float32Array.from(inner.biases[l + 1]!)) };
      }),
  };
}
