/**
 * The object API: learning on stated data and seeds, determinism, and that it
 * runs the same math as the functional API.
 */
import { expect, it } from 'vitest';
import {
  accuracy,
  fit,
  getBackend,
  logisticRegression,
  makeBlobs,
  makeFlower,
  makeXor,
  modelBackward,
  modelForward,
  Network,
  Plan,
} from '../../src/index.js';
import { describeEachBackend, expectClose } from '../helpers.js';

describeEachBackend('learning', () => {
  it('the planar flower net (2-4-1 tanh/sigmoid, lr 1.2, 10,000 iterations, randn*0.01) reaches >= 88% training accuracy', () => {
    const { X, Y } = makeFlower({ m: 400, seed: 1 });
    const net = new Network({ inputSize: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], init: 'random', seed: 2 });
    const h = fit(net, X, Y, { learningRate: 1.2, iterations: 10_000 });
    expect(h.cost).toHaveLength(10_000);
    expect(h.cost[0]).toBeCloseTo(Math.log(2), 3); // tiny weights: A ~ 0.5 everywhere
    expect(h.cost.at(-1)!).toBeLessThan(0.25);
    expect(accuracy(net.classify(X), Y)).toBeGreaterThanOrEqual(0.88);
  });

  it('logistic regression (1 sigmoid unit, zero init) reaches >= 99% on linearly separable blobs', () => {
    const { X, Y } = makeBlobs({ m: 400, seed: 5, noise: 0.8 });
    const net = logisticRegression(2);
    expect(Array.from(net.parameters.W1!.data)).toEqual([0, 0]);
    fit(net, X, Y, { learningRate: 0.1, iterations: 1000 });
    expect(accuracy(net.classify(X), Y)).toBeGreaterThanOrEqual(0.99);
  });

  it('a deep ReLU net with He init learns XOR', () => {
    const { X, Y } = makeXor({ m: 200, seed: 4 });
    const net = new Network({
      inputSize: 2,
      layers: [{ units: 8, activation: 'relu' }, { units: 8, activation: 'relu' }, { units: 4, activation: 'relu' }, { units: 1, activation: 'sigmoid' }],
      init: 'he',
      seed: 1,
    });
    fit(net, X, Y, { learningRate: 0.3, iterations: 3000 });
    expect(accuracy(net.classify(X), Y)).toBeGreaterThanOrEqual(0.97);
  });

  it('a linear output with MSE fits a regression target', () => {
    // y = 3 x1 - 2 x2 + 1 on 50 points: a linear unit fits it to near zero cost
    const { X } = makeBlobs({ m: 50, seed: 9 });
    const Y = [Array.from({ length: 50 }, (_, j) => 3 * X.get(0, j) - 2 * X.get(1, j) + 1)];
    const net = new Network({ inputSize: 2, layers: [{ units: 1, activation: 'linear' }], init: 'zeros' });
    const h = fit(net, X, Y, { learningRate: 0.05, iterations: 2000 });
    expect(h.cost.at(-1)!).toBeLessThan(1e-6);
    expectClose(net.parameters.W1!, [[3, -2]], 1e-3);
    expectClose(net.parameters.b1!, [[1]], 1e-3);
  });

  it('softmax + categorical cross-entropy separates three blobs', () => {
    const { X } = makeFlower({ m: 300, seed: 3 });
    // label by angle sector: 3 classes, not linearly separable in one unit but easy with a hidden layer
    const labels = Array.from({ length: 300 }, (_, j) => Math.floor(((Math.atan2(X.get(1, j), X.get(0, j)) + Math.PI) / (2 * Math.PI)) * 3) % 3);
    const Y = [0, 1, 2].map((c) => labels.map((l) => (l === c ? 1 : 0)));
    const net = new Network({ inputSize: 2, layers: [{ units: 16, activation: 'tanh' }, { units: 3, activation: 'softmax' }], seed: 1, init: 'xavier' });
    fit(net, X, Y, { learningRate: 0.5, iterations: 2000 });
    expect(accuracy(net.classify(X), [labels])).toBeGreaterThanOrEqual(0.95);
  });
});

describeEachBackend('determinism', () => {
  it('the same seed gives the same weights and the same run, bit for bit', () => {
    const run = (seed: number) => {
      const { X, Y } = makeFlower({ seed: 1 });
      const net = new Network({ inputSize: 2, layers: [{ units: 5, activation: 'relu' }, { units: 1, activation: 'sigmoid' }], seed });
      const initial = Array.from(net.parameters.W1!.data);
      const h = fit(net, X, Y, { learningRate: 0.5, iterations: 200 });
      return { initial, cost: h.cost, W1: Array.from(net.parameters.W1!.data), W2: Array.from(net.parameters.W2!.data) };
    };
    const a = run(42);
    const b = run(42);
    expect(b).toEqual(a);
    expect(run(43).initial).not.toEqual(a.initial);
  });
});

describeEachBackend('one implementation', () => {
  // Each dtype the backend computes itself: float64 on wasm runs the reference kernels, which the js copy checks.
  for (const dtype of getBackend().dtypes) {
    const tol = dtype === 'float64' ? 1e-12 : 1e-5;
    it(`Network gradients equal modelBackward gradients on the same parameters (${dtype})`, () => {
      const { X, Y } = makeFlower({ m: 20, seed: 2, dtype });
      const net = new Network({ inputSize: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], seed: 3, dtype });
      const plan = new Plan(net, 20, true);
      plan.run(X);
      plan.backward(Y);
      const { AL, caches } = modelForward(X, net.parameters, ['tanh', 'sigmoid']);
      const g = modelBackward(AL, Y, caches);
      expectClose(plan.grads[0]!.dW!, g.dW1!.data, tol);
      expectClose(plan.grads[1]!.db!, g.db2!.data, tol);
      expect(Math.abs(net.cost(X, Y) - plan.cost(Y))).toBeLessThan(tol);
    });
  }
});

describeEachBackend('Network', () => {
  it('exposes parameters by course name with course shapes', () => {
    const net = new Network({ inputSize: 3, layers: [{ units: 4 }, { units: 2 }, { units: 1 }] });
    const p = net.parameters;
    expect(Object.keys(p)).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
    expect(p.W1!.shape).toEqual([4, 3]);
    expect(p.W3!.shape).toEqual([1, 2]);
    expect(p.b2!.shape).toEqual([2, 1]);
    expect(net.layerDims).toEqual([3, 4, 2, 1]);
    // defaults: relu hidden layers, sigmoid output, BCE
    expect(net.layers.map((l) => l.activation.kind)).toEqual(['relu', 'relu', 'sigmoid']);
    expect(net.loss.kind).toBe('binaryCrossEntropy');
  });

  it('picks the loss from the output: softmax -> CCE, linear -> MSE', () => {
    expect(new Network({ inputSize: 2, layers: [{ units: 3, activation: 'softmax' }] }).loss.kind).toBe('categoricalCrossEntropy');
    expect(new Network({ inputSize: 2, layers: [{ units: 1, activation: 'linear' }] }).loss.kind).toBe('meanSquaredError');
    expect(new Network({ inputSize: 2, layers: [{ units: 1, activation: 'relu' }] }).loss.kind).toBe('meanSquaredError');
  });

  it('binary cross-entropy cost stays finite when the sigmoid saturates', () => {
    const net = new Network({ inputSize: 1, layers: [{ units: 1, activation: 'sigmoid' }], init: 'zeros' });
    net.parameters.W1!.data[0] = 1000; // z = +-1000: float32 sigmoid is exactly 0 or 1
    const J = net.cost([[1, -1]], [[0, 1]]);
    expect(Number.isFinite(J)).toBe(true);
    expect(J).toBeCloseTo(1000, 3); // softplus(1000) - 0 = 1000 per example
    const h = fit(net, [[1, -1]], [[0, 1]], { learningRate: 0.001, iterations: 3 });
    expect(h.cost.every(Number.isFinite)).toBe(true);
  });

  it('predict returns A[L]; classify thresholds at 0.5 or takes the argmax', () => {
    const net = new Network({ inputSize: 1, layers: [{ units: 1, activation: 'sigmoid' }], init: 'zeros' });
    net.parameters.W1!.data[0] = 2;
    expectClose(net.predict([[0, 1, -1]]), [[0.5, 1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(2))]]);
    expect(net.classify([[0, 1, -1]]).toArray()).toEqual([[1, 1, 0]]);
    const soft = new Network({ inputSize: 1, layers: [{ units: 3, activation: 'softmax' }], init: 'zeros' });
    soft.parameters.W1!.data.set([-1, 0, 1]);
    expect(soft.classify([[5, -5]]).toArray()).toEqual([[2, 0]]);
  });
});
