/**
 * The course's optimization study: moons (300 points, noise 0.2), a 2-5-2-1
 * network (ReLU, ReLU, sigmoid), mini-batches of 64, learning rate 0.0007:
 * gradient descent vs momentum vs Adam after the same number of epochs; then
 * gradient descent with learning-rate decay (0.1 / (1 + epoch / 1000), fixed interval).
 *
 * Run: npx tsx examples/optimizers.ts
 */
import { Network, accuracy, fit, makeMoons, type FitOptions } from 'layerwise';

const { X, Y } = makeMoons({ m: 300, noise: 0.2, seed: 3 });
const epochs = Number(process.argv[2] ?? 5000);
const run = (opts: Partial<FitOptions>) => {
  const net = new Network({ inputSize: 2, layers: [{ units: 5, activation: 'relu' }, { units: 2, activation: 'relu' }, { units: 1, activation: 'sigmoid' }], init: 'he', seed: 3 });
  const h = fit(net, X, Y, { learningRate: 0.0007, epochs, batchSize: 64, ...opts });
  return `cost ${h.epochs.at(-1)!.cost.toFixed(4)}, training accuracy ${(accuracy(net.classify(X), Y) * 100).toFixed(1)}%`;
};
console.log(`moons 300, 2-5-2-1, batch 64, ${epochs} epochs`);
console.log(`gradient descent (lr 0.0007): ${run({ optimizer: 'gd' })}`);
console.log(`momentum (beta 0.9):          ${run({ optimizer: 'momentum' })}`);
console.log(`Adam:                         ${run({ optimizer: 'adam' })}`);
console.log(`gradient descent + decay:     ${run({ optimizer: 'gd', learningRate: 0.1, schedule: { kind: 'fixedInterval', decayRate: 1, interval: 1000 } })}`);
