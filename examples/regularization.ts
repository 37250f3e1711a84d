/**
 * The course's regularization study on generated data that a 2-20-3-1 ReLU
 * network overfits: no regularization vs L2 (lambda 0.7) vs inverted dropout
 * (keep_prob 0.86), learning rate 0.3, 30,000 iterations of batch gradient
 * descent; then how many weights L1 and L2 drive to (near) zero.
 *
 * Run: npx tsx examples/regularization.ts
 */
import { Network, accuracy, fit, makeMoons, type LayerSpec, type NetworkOptions } from 'layerwise';

// 100 noisy training points and a 1,000-point dev set from the same distribution.
const train = makeMoons({ m: 100, noise: 0.35, seed: 2 });
const dev = makeMoons({ m: 1000, noise: 0.35, seed: 102 });

function run(extra: Partial<NetworkOptions>, hidden: LayerSpec['activation'] = 'relu') {
  const net = new Network({
    inputSize: 2,
    layers: [{ units: 20, activation: hidden }, { units: 3, activation: hidden }, { units: 1, activation: 'sigmoid' }],
    init: 'xavier',
    seed: 3,
    ...extra,
  });
  fit(net, train.X, train.Y, { learningRate: 0.3, iterations: 30_000 });
  const weights = net.layers.flatMap((l) => Array.from(l.W.data));
  return {
    train: accuracy(net.classify(train.X), train.Y),
    dev: accuracy(net.classify(dev.X), dev.Y),
    nearZero: weights.filter((w) => Math.abs(w) < 1e-3).length / weights.length,
  };
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
console.log('2-20-3-1 ReLU, lr 0.3, 30,000 iterations, 100 train / 1,000 dev points');
console.log('setting            train    dev      gap');
for (const [name, extra] of [['none', {}], ['L2 lambda 0.7', { l2: 0.7 }], ['dropout 0.86', { keepProb: 0.86 }]] as const) {
  const r = run(extra);
  console.log(`${name.padEnd(19)}${pct(r.train).padEnd(9)}${pct(r.dev).padEnd(9)}${pct(r.train - r.dev)}`);
}
console.log('\nshare of weights with |w| < 0.001 (tanh hidden layers, so no unit dies):');
for (const [name, extra] of [['none', {}], ['L2 lambda 0.7', { l2: 0.7 }], ['L1 lambda 0.1', { l1: 0.1 }]] as const) {
  console.log(`${name.padEnd(19)}${pct(run(extra, 'tanh').nearZero)}`);
}
