/**
 * Workload 1: MNIST MLP training. 784-128-64-10, ReLU, softmax +
 * categorical cross-entropy, Adam (lr 1e-3, beta1 0.9, beta2 0.999,
 * eps 1e-8), batch 64, the first 8000 of `loadMnist({ seed: 1 })` for
 * training (in that fixed order, never shuffled) and the next 2000 for test.
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
}

export function saveMnistFixture(f: MnistFixture): void {
  saveArrays('mnist', { ...layersToArrays(f.init), trainX: f.trainX, trainY: f.trainY, testX: f.testX, testY: f.testY });
}

export function loadMnistFixture(): MnistFixture {
  const a = loadArrays('mnist');
  return { init: arraysToLayers(a), trainX: need(a, 'trainX'), trainY: need(a, 'trainY'), testX: need(a, 'testX'), testY: need(a, 'testY') };
}
