import { describe, expect, it } from 'vitest';
import {
  accuracy,
  evaluate,
  fit,
  logisticRegression,
  makeBlobs,
  makeFlower,
  Network,
  oneHot,
  ShapeError,
  split,
  tensor,
  Tensor,
  ValueError,
  type ClassificationEvaluation,
  type Evaluation,
  type RegressionEvaluation,
} from '../../src/index.js';
import { describeEachBackend } from '../helpers.js';

function asClassification(e: Evaluation): ClassificationEvaluation {
  if (e.task !== 'classification') throw new Error(`expected a classification evaluation, got ${e.task}`);
  return e;
}

function asRegression(e: Evaluation): RegressionEvaluation {
  if (e.task !== 'regression') throw new Error(`expected a regression evaluation, got ${e.task}`);
  return e;
}

describeEachBackend('evaluate: diagnosis on real training runs', () => {
  it('logistic regression on the flower (not linearly separable) is high bias', () => {
    const { X, Y } = makeFlower({ m: 400, seed: 1 });
    const sets = split(X, Y, { ratios: [0.6, 0.2, 0.2], seed: 1, stratify: true });
    const net = logisticRegression(2);
    fit(net, sets.train.X, sets.train.Y, { learningRate: 0.5, iterations: 2000 });
    const result = asClassification(evaluate(net, sets, { optimalError: 0 }));
    expect(result.train.error).toBeGreaterThan(0.3); // a line cannot draw a flower
    expect(result.diagnosis?.verdict).toBe('high bias');
    expect(result.diagnosis?.advice[0]).toBe('Train a bigger network: more hidden units or more layers.');
    expect(result.test).toBeDefined();
  });

  it('a 1-unit hidden layer on the flower is high bias too', () => {
    const { X, Y } = makeFlower({ m: 400, seed: 1 });
    const sets = split(X, Y, { ratios: [0.6, 0.2, 0.2], seed: 1, stratify: true });
    const net = new Network({ inputSize: 2, layers: [{ units: 1, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], init: 'random', seed: 2 });
    fit(net, sets.train.X, sets.train.Y, { learningRate: 1.2, iterations: 3000 });
    expect(asClassification(evaluate(net, sets, { optimalError: 0 })).diagnosis?.verdict).toBe('high bias');
  });

  it('an unregularized 2-100-100-1 network on 40 noisy points is high variance', () => {
    // Overlapping blobs: a few labels sit on the wrong side, which a big network memorizes.
    const { X, Y } = makeBlobs({ m: 440, noise: 2, seed: 1 });
    const sets = split(X, Y, { dev: 400, seed: 1 });
    expect(sets.train.X.cols).toBe(40);
    const net = new Network({
      inputSize: 2,
      layers: [{ units: 100, activation: 'relu' }, { units: 100, activation: 'relu' }, { units: 1, activation: 'sigmoid' }],
      seed: 1,
    });
    fit(net, sets.train.X, sets.train.Y, { learningRate: 0.5, iterations: 400 });
    const result = asClassification(evaluate(net, { train: sets.train, dev: sets.dev }));
    expect(result.train.error).toBeLessThan(0.03);
    expect(result.dev!.error).toBeGreaterThan(0.1);
    expect(result.diagnosis?.verdict).toBe('high variance');
    expect(result.diagnosis?.advice).toContain('Add regularization: L2 (weight decay) or dropout.');
    expect(result.test).toBeUndefined();
  });
});

describeEachBackend('evaluate: scores', () => {
  it('classification: cost from Network.cost, accuracy from classify, error = 1 - accuracy', () => {
    const { X, Y } = makeBlobs({ m: 120, seed: 2 });
    const sets = split(X, Y, { ratios: [0.5, 0.25, 0.25], seed: 2 });
    const net = logisticRegression(2);
    fit(net, sets.train.X, sets.train.Y, { learningRate: 0.1, iterations: 100 });
    const result = asClassification(evaluate(net, sets));
    for (const key of ['train', 'dev', 'test'] as const) {
      const s = sets[key];
      const scores = result[key]!;
      expect(scores.cost).toBe(net.cost(s.X, s.Y));
      expect(scores.accuracy).toBe(accuracy(net.classify(s.X), s.Y));
      expect(scores.error).toBeCloseTo(1 - scores.accuracy, 12);
    }
    expect(result.diagnosis?.avoidableBias).toBeCloseTo(result.train.error, 12);
  });

  it('softmax classification with one-hot Y', () => {
    const labels = [0, 1, 2, 0, 1, 2];
    const X = tensor([[0, 5, 0, 0.1, 5.1, 0], [0, 0, 5, 0.1, 0, 5.2]]);
    const net = new Network({ inputSize: 2, layers: [{ units: 3, activation: 'softmax' }], init: 'zeros' });
    fit(net, X, oneHot(labels, 3), { learningRate: 0.5, iterations: 300 });
    const result = asClassification(evaluate(net, { train: { X, Y: oneHot(labels, 3) } }));
    expect(result.train.accuracy).toBe(1);
    expect(result.diagnosis).toBeUndefined(); // no dev set, no diagnosis
  });

  it('multi-label sigmoid outputs are scored label by label', () => {
    const net = new Network({ inputSize: 1, layers: [{ units: 2, activation: 'sigmoid' }], init: 'zeros' });
    net.layers[0]!.W.data.set([1, -1]); // output 0 says x > 0, output 1 says x < 0
    const result = asClassification(evaluate(net, { train: { X: [[1, -1]], Y: [[1, 0], [1, 1]] } }));
    expect(result.train.accuracy).toBe(0.75); // 3 of the 4 labels are right
  });

  it('regression: cost, MSE, MAE and R^2', () => {
    const xs = [-2, -1, 0, 1, 2, 3];
    const X = tensor([xs]);
    const Y = tensor([xs.map((x) => 2 * x + 1)]);
    const net = new Network({ inputSize: 1, layers: [{ units: 1, activation: 'linear' }], init: 'zeros' });
    net.layers[0]!.W.data[0] = 2;
    // b stays 0 (zeros init): the prediction 2x is off by exactly 1 everywhere
    const result = asRegression(evaluate(net, { train: { X, Y } }));
    expect(result.train.mse).toBeCloseTo(1, 12);
    expect(result.train.mae).toBeCloseTo(1, 12);
    const variance = xs.reduce((s, x) => s + (2 * x + 1 - 2) ** 2, 0); // mean of Y is 2
    expect(result.train.r2).toBeCloseTo(1 - 6 / variance, 12);
    expect(result.train.cost).toBe(net.cost(X, Y));
    expect('diagnosis' in result).toBe(false);
  });

  it('skips a set with no examples, such as the test set of a two-ratio split', () => {
    const { X, Y } = makeBlobs({ m: 50, seed: 1 });
    const sets = split(X, Y, { ratios: [0.8, 0.2] });
    const result = evaluate(logisticRegression(2), sets);
    expect(result.dev).toBeDefined();
    expect(result.test).toBeUndefined();
  });
});

describe('evaluate: bad input', () => {
  const net = logisticRegression(2);
  const train = { X: [[0, 1, 2], [1, 0, 1]], Y: [[0, 1, 1]] };

  it('names the set and argument with wrong shapes or values', () => {
    expect(() => evaluate(net, { train, dev: { X: [[0, 1]], Y: [[0, 1]] } })).toThrow(ShapeError);
    expect(() => evaluate(net, { train, dev: { X: [[0, 1]], Y: [[0, 1]] } })).toThrow(
      'evaluate: dev.X: expected shape (2, m) with one column per example (the first layer has inputSize 2), got (1, 2)',
    );
    expect(() => evaluate(net, { train: { X: train.X, Y: [[0, 1]] } })).toThrow("evaluate: train.Y: expected shape (1, 3) to match the output layer and X's 3 examples, got (1, 2)");
    expect(() => evaluate(net, { train: { X: train.X, Y: [[0, 2, 1]] } })).toThrow('evaluate: train.Y: binary cross-entropy needs labels in {0, 1}, got 2 at row 0, column 1');
    expect(() => evaluate(net, { train: { X: [[0, NaN, 2], [1, 0, 1]], Y: train.Y } })).toThrow('evaluate: train.X: expected finite numbers, got NaN at row 0, column 1');
    expect(() => evaluate(net, { train: { X: new Tensor([2, 0], new Float32Array(0)), Y: train.Y } })).toThrow('evaluate: train.X: expected at least one example (column), got shape (2, 0)');
  });

  it('no network, no train set, bad sets', () => {
    expect(() => evaluate({} as never, { train })).toThrow('evaluate: network: expected a Network, got an object');
    expect(() => evaluate(net, {} as never)).toThrow('evaluate: sets.train: expected { X, Y }, got undefined');
    expect(() => evaluate(net, null as never)).toThrow('evaluate: sets: expected { train: { X, Y }, dev?, test? }, got null');
    expect(() => evaluate(net, { train, dev: 3 as never })).toThrow('evaluate: sets.dev: expected { X, Y }, got 3');
  });

  it('an optimal error that does not fit', () => {
    expect(() => evaluate(net, { train, dev: train }, { optimalError: 2 })).toThrow(ValueError);
    expect(() => evaluate(net, { train, dev: train }, { optimalError: 2 })).toThrow('evaluate: optimalError: expected an error rate in [0, 1] (0.11 for 11%), got 2');
    // The untrained net classifies everything as 1 (sigmoid(0) = 0.5 rounds up): train error 1/3.
    expect(() => evaluate(net, { train, dev: train }, { optimalError: 0.5 })).toThrow(/^evaluate: optimalError: expected at most trainError \(0\.333/);
    const reg = new Network({ inputSize: 1, layers: [{ units: 1, activation: 'linear' }] });
    expect(() => evaluate(reg, { train: { X: [[1]], Y: [[1]] } }, { optimalError: 0.1 })).toThrow(
      'evaluate: optimalError: expected none for a regression network (loss meanSquaredError), got 0.1',
    );
  });
});
