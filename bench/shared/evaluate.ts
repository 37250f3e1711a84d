/** Judges every library's weights with the same code. */
import { PlainMlp } from '../peers/plain-js.js';
import type { LayerInit, Matrix } from './fixtures.js';
import type { MnistFixture } from '../workloads/mnist.js';

/**
 * Cost and test accuracy of a set of weights, by the hand-written forward
 * pass (the same code for every library's weights). The cost is the mean
 * cross-entropy over the training set from the logits.
 */
export function evaluateMnist(weights: readonly LayerInit[], f: MnistFixture, output: 'softmax' | 'relu'): { trainCost: number; testAccuracy: number } {
  // The bench's networks: ReLU hidden layers, then the output activation.
  const activations = weights.map((_, l) => (l === weights.length - 1 ? output : 'relu'));
  const net = new PlainMlp(weights, activations, { kind: 'gd' });
  const trainCost = net.cost(f.trainX.data, f.trainY.data, f.trainX.cols);
  const testAccuracy = argmaxAccuracy(net.predict(f.testX.data, f.testX.cols), f.testY);
  return { trainCost, testAccuracy };
}

/** The fraction of columns whose largest output is the one-hot label (ties go to the lower index). */
function argmaxAccuracy(A: Float32Array, Y: Matrix): number {
  let right = 0;
  for (let j = 0; j < Y.cols; j++) {
    let best = 0;
    let label = 0;
    for (let i = 1; i < Y.rows; i++) {
      if (A[i * Y.cols + j]! > A[best * Y.cols + j]!) best = i;
      if (Y.data[i * Y.cols + j]! > Y.data[label * Y.cols + j]!) label = i;
    }
    if (best === label) right++;
  }
  return right / Y.cols;
}
