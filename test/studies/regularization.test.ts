/**
 * The course's regularization study on generated data that a 2-20-3-1 ReLU
 * network overfits (lr 0.3, 30,000 iterations): L2 (lambda 0.7) and dropout
 * (keep_prob 0.86) each lower the train-dev gap; L1 drives weights to zero
 * where L2 does not. The figures are in the README (examples/regularization.ts).
 */
import { expect, it } from 'vitest';
import { accuracy, fit, makeMoons, Network, type LayerSpec, type NetworkOptions } from '../../src/index.js';
import { describeEachBackend } from '../helpers.js';

const train = makeMoons({ m: 100, noise: 0.35, seed: 2 });
const dev = makeMoons({ m: 1000, noise: 0.35, seed: 102 });

function run(extra: Partial<NetworkOptions>, hidden: LayerSpec['activation'] = 'relu', iterations = 30_000) {
  const net = new Network({ inputSize: 2, layers: [{ units: 20, activation: hidden }, { units: 3, activation: hidden }, { units: 1, activation: 'sigmoid' }], init: 'xavier', seed: 3, ...extra });
  fit(net, train.X, train.Y, { learningRate: 0.3, iterations });
  const w = net.layers.flatMap((l) => Array.from(l.W.data));
  return { gap: accuracy(net.classify(train.X), train.Y) - accuracy(net.classify(dev.X), dev.Y), nearZero: w.filter((x) => Math.abs(x) < 1e-3).length / w.length };
}

describeEachBackend('regularization study', (backend) => {
  // The expensive part on one backend: these three 30,000-iteration runs take about 10 s on the js kernels (2 s on
  // wasm), so the js copy skips them; the L1/L2 runs below train the same network on both.
  it.skipIf(backend === 'js')('without regularization the network overfits; L2 and dropout each lower the train-dev gap', () => {
    const none = run({});
    expect(none.gap).toBeGreaterThan(0.07);
    expect(run({ l2: 0.7 }).gap).toBeLessThan(none.gap - 0.02);
    expect(run({ keepProb: 0.86 }).gap).toBeLessThan(none.gap - 0.01);
  });

  it('L1 drives most weights to (near) zero; L2 and no regularization do not', () => {
    expect(run({}, 'tanh', 10_000).nearZero).toBeLessThan(0.05);
    expect(run({ l2: 0.7 }, 'tanh', 10_000).nearZero).toBeLessThan(0.05);
    expect(run({ l1: 0.1 }, 'tanh', 10_000).nearZero).toBeGreaterThan(0.5);
  });
});
