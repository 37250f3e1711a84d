/**
 * The course's planar data classification with one hidden layer:
 * 2 -> 4 tanh -> 1 sigmoid, weights randn * 0.01, biases 0, learning rate 1.2,
 * 10,000 iterations of batch gradient descent on the 400-point flower.
 *
 * Run: npm start
 */
import { Network, accuracy, fit, getBackend, makeFlower } from 'layerwise';

const { X, Y } = makeFlower({ m: 400, seed: 1 });
const net = new Network({
  inputSize: 2,
  layers: [
    { units: 4, activation: 'tanh' },
    { units: 1, activation: 'sigmoid' },
  ],
  init: 'random', // randn * 0.01
  seed: 2,
});

console.log(`layerwise: planar flower, 2-4-1 tanh/sigmoid, ${X.cols} examples, backend ${getBackend().name}`);
const history = fit(net, X, Y, {
  learningRate: 1.2,
  iterations: 10_000,
  onIteration: (i, cost) => {
    if (i % 1000 === 0) console.log(`Cost after iteration ${i}: ${cost.toFixed(6)}`);
  },
});
const acc = accuracy(net.classify(X), Y);
console.log(`Final cost: ${history.cost.at(-1)!.toFixed(6)}`);
console.log(`Training accuracy: ${(acc * 100).toFixed(1)}%  (${history.seconds.toFixed(2)} s)`);
