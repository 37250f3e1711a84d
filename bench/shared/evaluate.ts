/** Judges every library's weights with the same code. */
import { PlainMlp, gatherColumns } from '../peers/plain-js.js';
import { matrix, type LayerInit, type Matrix } from './fixtures.js';
import type { MnistFixture } from '../workloads/mnist.js';
import { PlainCnn } from '../peers/plain-cnn.js';
import { labelsOf, type CnnFixture, type CnnWeights } from '../workloads/cnn.js';

/**
 * Cost and test accuracy of a set of weights, by the hand-written forward
 * pass (the same code for every library's weights). The cost is the mean
 * cross-entropy over the training set from the logits.
 */
export function evaluateMnist(weights: readonly LayerInit[], f: MnistFixture, output: 'softmax' | 'relu'): { trainCost: number; testAccuracy: number } {
  // The bench's networks: ReLU hidden layers, then the output activation.
  const activations = weights.map((_, l) => (l === weights.length - 1 ? output : 'relu'));
  const net = new PlainMlp(weights, activations, { kind: 'gd' });
  let costSum = 0;
  chunks(f.trainX, f.trainY, (x, y, m) => (costSum += net.cost(x.data, y.data, m) * m));
  let right = 0;
  chunks(f.testX, f.testY, (x, y, m) => (right += argmaxAccuracy(net.predict(x.data, m), y) * m));
  return { trainCost: costSum / f.trainX.cols, testAccuracy: right / f.testX.cols };
}

/** Column blocks small enough for the caches: a forward pass over all 8000 columns at once runs several times slower. */
const CHUNK = 500;

function chunks(X: Matrix, Y: Matrix, visit: (x: Matrix, y: Matrix, m: number) => void): void {
  for (let from = 0; from < X.cols; from += CHUNK) {
    const m = Math.min(CHUNK, X.cols - from);
    const x = matrix(X.rows, m);
    const y = matrix(Y.rows, m);
    gatherColumns(X.data, X.rows, X.cols, from, m, x.data);
    gatherColumns(Y.data, Y.rows, Y.cols, from, m, y.data);
    visit(x, y, m);
  }
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

/** Test accuracy of a set of CNN weights, by the hand-written forward pass (the same code for every library's weights). */
export function evaluateCnn(weights: CnnWeights, f: CnnFixture): number {
  const net = new PlainCnn(weights);
  const labels = labelsOf(f.testY);
  let right = 0;
  for (let from = 0; from < f.testX.rows; from += CHUNK) {
    const m = Math.min(CHUNK, f.testX.rows - from);
    const predicted = net.predict(f.testX.data, from, m);
    for (let e = 0; e < m; e++) if (predicted[e] === labels[from + e]) right++;
  }
  return right / f.testX.rows;
}
