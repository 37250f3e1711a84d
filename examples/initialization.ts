/**
 * The course's initialization study: a 2-10-5-1 ReLU network on two circles,
 * 15,000 iterations of batch gradient descent (learning rate 0.01), with
 * zeros, large random (randn * 10) and He initialization.
 *
 * Run: npx tsx examples/initialization.ts
 */
import { Network, accuracy, fit, makeCircles, type InitSpec } from 'layerwise';

const train = makeCircles({ m: 300, noise: 0.05, seed: 1 });
const test = makeCircles({ m: 100, noise: 0.05, seed: 2 });
console.log('2-10-5-1 ReLU on two circles, lr 0.01, 15,000 iterations');
for (const [name, init] of [['zeros', 'zeros'], ['random * 10', { name: 'random', scale: 10 }], ['He', 'he']] as [string, InitSpec][]) {
  const net = new Network({ inputSize: 2, layers: [{ units: 10, activation: 'relu' }, { units: 5, activation: 'relu' }, { units: 1, activation: 'sigmoid' }], init, seed: 3 });
  const h = fit(net, train.X, train.Y, { learningRate: 0.01, iterations: 15_000 });
  console.log(`${name.padEnd(13)} first cost ${h.cost[0]!.toFixed(4).padEnd(9)} last cost ${h.cost.at(-1)!.toFixed(4).padEnd(8)} train ${(accuracy(net.classify(train.X), train.Y) * 100).toFixed(1)}%  test ${(accuracy(net.classify(test.X), test.Y) * 100).toFixed(1)}%`);
}
