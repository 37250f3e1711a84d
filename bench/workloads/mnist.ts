/**
 * Workload 1: MNIST MLP training. 784-128-64-10, ReLU, softmax +
 * categorical cross-entropy, Adam (lr 1e-3, beta1 0.9, beta2 0.999,
 * eps 1e-8), batch 64, the first 8000 of `loadMnist({ seed: 1 })` for
 * training and the next 2000 for test. The training set is shuffled every
 * epoch, by layerwise's fit (its network's generator, seed 1); the fixture
 * stores those permutations so every other library trains on the same
 * batches in the same order.
 */
import { arraysToLayers, layersToArrays, loadArrays, need, saveArrays, type LayerInit, type Matrix } from '../shared/fixtures.js';

export const MNIST = {
  layers: [784, 128, 64, 10],
  train: 8000,
  test: 2000,
  batchSize: 64,
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  seed: 1,
} as const;

export interface MnistFixture {
  init: LayerInit[];
  /** (784, 8000) and (10, 8000), the course's layout: one column per example. */
  trainX: Matrix;
  trainY: Matrix;
  testX: Matrix;
  testY: Matrix;
  /**
   * (epochs, 8000): row e is the order of the training examples in epoch e
   * (batch b is examples order[e][64 b .. 64 b + 63]), the permutation
   * layerwise's fit draws with `shuffle: true` (bench/workloads/make-fixtures.ts).
   */
  order: Matrix;
}

export function saveMnistFixture(f: MnistFixture): void {
  saveArrays('mnist', { ...layersToArrays(f.init), trainX: f.trainX, trainY: f.trainY, testX: f.testX, testY: f.testY, order: f.order });
}

export function loadMnistFixture(): MnistFixture {
  const a = loadArrays('mnist');
  return {
    init: arraysToLayers(a),
    trainX: need(a, 'trainX'),
    trainY: need(a, 'trainY'),
    testX: need(a, 'testX'),
    testY: need(a, 'testY'),
    order: need(a, 'order'),
  };
}

/** Epoch e's order of the training examples (a view of the fixture's row e); throws when the fixture holds fewer epochs. */
export function epochOrder(f: MnistFixture, e: number): Float32Array {
  const { rows, cols, data } = f.order;
  if (e >= rows) throw new Error(`the MNIST fixture holds the batch order of ${rows} epochs, asked for epoch ${e + 1}: remake it (npm run bench makes it)`);
  return data.subarray(e * cols, (e + 1) * cols);
}
