/**
 * The course's formulas on inputs small enough to check by hand. Expected
 * values are worked out in the comments, not taken from the code under test.
 */
import { expect, it } from 'vitest';
import {
  computeCost,
  initializeParameters,
  linearActivationBackward,
  linearActivationForward,
  linearBackward,
  linearForward,
  modelBackward,
  modelForward,
  tensor,
  updateParameters,
} from '../../src/index.js';
import { describeEachBackend, expectClose } from '../helpers.js';

const sig = (z: number) => 1 / (1 + Math.exp(-z));

describeEachBackend('known values', () => {
  it('linearForward: Z = W A + b broadcasts b over the m columns', () => {
    // W = [1 -1], A = [[1 2],[3 4]], b = 0.5: Z = [1-3+0.5, 2-4+0.5]
    const { Z, cache } = linearForward([[1, 2], [3, 4]], [[1, -1]], [[0.5]]);
    expectClose(Z, [[-1.5, -1.5]]);
    expect(cache.W.toArray()).toEqual([[1, -1]]);
  });

  it('linearActivationForward applies each activation to Z', () => {
    // Z = 1 * A + 0 = [-2, 0, 3]
    const A = [[-2, 0, 3]];
    const W = [[1]];
    const b = [[0]];
    expectClose(linearActivationForward(A, W, b, 'sigmoid').A, [[sig(-2), 0.5, sig(3)]]);
    expectClose(linearActivationForward(A, W, b, 'tanh').A, [[Math.tanh(-2), 0, Math.tanh(3)]]);
    expectClose(linearActivationForward(A, W, b, 'relu').A, [[0, 0, 3]]);
    expectClose(linearActivationForward(A, W, b, 'leakyRelu').A, [[-0.02, 0, 3]]);
    expectClose(linearActivationForward(A, W, b, { name: 'leakyRelu', slope: 0.2 }).A, [[-0.4, 0, 3]]);
    expectClose(linearActivationForward(A, W, b, 'linear').A, [[-2, 0, 3]]);
  });

  it('softmax normalizes each column (example) separately', () => {
    // column 0: softmax(1, 2, 3) = (0.09003057, 0.24472847, 0.66524096); column 1: equal logits -> 1/3 each
    const { A } = linearActivationForward([[1, 5], [2, 5], [3, 5]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[0], [0], [0]], 'softmax');
    expectClose(A, [[0.09003057, 1 / 3], [0.24472847, 1 / 3], [0.66524096, 1 / 3]]);
  });

  it('computeCost: binary cross-entropy, categorical cross-entropy and MSE', () => {
    // -(1/3)[log 0.8 + log 0.9 + log 0.6] = 0.27977656...
    expect(computeCost([[0.8, 0.9, 0.4]], [[1, 1, 0]])).toBeCloseTo(0.2797765635793422, 6);
    // -(1/1) log 0.66524096 for the one-hot class 2
    expect(computeCost([[0.09003057], [0.24472847], [0.66524096]], [[0], [0], [1]], 'categoricalCrossEntropy')).toBeCloseTo(0.40760596, 6);
    // ((1-0)^2 + (2-0)^2) / 2 examples
    expect(computeCost([[1, 2]], [[0, 0]], 'meanSquaredError')).toBeCloseTo(2.5, 10);
    // two outputs: per-example loss is the mean over outputs: ((1 + 9)/2 + (0 + 4)/2) / 2 = 3.5
    expect(computeCost([[1, 0], [3, 2]], [[0, 0], [0, 0]], 'mse')).toBeCloseTo(3.5, 10);
  });

  it('computeCost stays finite for saturated outputs (never log 0)', () => {
    const J = computeCost([[1, 0]], [[0, 1]]);
    expect(Number.isFinite(J)).toBe(true);
    // clamped to eps = 1e-7: -log(1e-7) = 16.118...
    expect(J).toBeCloseTo(-Math.log(1e-7), 3);
    expect(computeCost([[1, 0]], [[1, 0]])).toBeCloseTo(0, 6);
  });

  it('linearBackward: dW = (1/m) dZ A^T, db = (1/m) sum dZ, dA_prev = W^T dZ', () => {
    // A = [1 2], W = [3], dZ = [1 1], m = 2: dW = (1*1 + 1*2)/2 = 1.5, db = 2/2 = 1, dA_prev = [3 3]
    const { cache } = linearForward([[1, 2]], [[3]], [[0]]);
    const { dW, db, dAPrev } = linearBackward([[1, 1]], cache);
    expectClose(dW, [[1.5]]);
    expectClose(db, [[1]]);
    expectClose(dAPrev, [[3, 3]]);
  });

  it('linearBackward with two units and two inputs', () => {
    // A = [[1, 2], [0, -1]], W = [[1, 2], [3, 4]], dZ = [[1, -1], [2, 0]], m = 2
    // dZ A^T = [[1*1 + -1*2, 1*0 + -1*-1], [2*1 + 0, 0]] = [[-1, 1], [2, 0]] -> /2
    // db = [[0], [2]] / 2; W^T dZ = [[1*1+3*2, 1*-1+3*0], [2*1+4*2, 2*-1+4*0]] = [[7, -1], [10, -2]]
    const { cache } = linearForward([[1, 2], [0, -1]], [[1, 2], [3, 4]], [[0], [0]]);
    const g = linearBackward([[1, -1], [2, 0]], cache);
    expectClose(g.dW, [[-0.5, 0.5], [1, 0]]);
    expectClose(g.db, [[0], [1]]);
    expectClose(g.dAPrev, [[7, -1], [10, -2]]);
  });

  it("linearActivationBackward: dZ = dA * g'(Z)", () => {
    // relu: Z = [1, -2] -> g' = [1, 0]; dZ = [1, 0]; dW = (1*1 + 0*-2)/2 = 0.5
    const relu = linearActivationForward([[1, -2]], [[1]], [[0]], 'relu');
    expectClose(linearActivationBackward([[1, 1]], relu.cache, 'relu').dW, [[0.5]]);
    // sigmoid: Z = 0 -> g' = 0.25; dA = 1 -> dZ = 0.25; A_prev = 2 -> dW = 0.5
    const s = linearActivationForward([[2]], [[0]], [[0]], 'sigmoid');
    expectClose(linearActivationBackward([[1]], s.cache, 'sigmoid').dW, [[0.5]]);
    // tanh: Z = 0 -> g' = 1; leakyRelu(slope 0.2) at Z = -1 -> g' = 0.2
    const t = linearActivationForward([[2]], [[0]], [[0]], 'tanh');
    expectClose(linearActivationBackward([[1]], t.cache, 'tanh').dW, [[2]]);
    const lk = linearActivationForward([[1]], [[-1]], [[0]], { name: 'leakyRelu', slope: 0.2 });
    expectClose(linearActivationBackward([[1]], lk.cache, { name: 'leakyRelu', slope: 0.2 }).db, [[0.2]]);
  });

  it('modelBackward starts from dZ[L] = A[L] - Y for sigmoid + cross-entropy', () => {
    // one sigmoid unit, W = 0, b = 0: A = 0.5 everywhere; X = [1, 3], Y = [1, 0]
    // dZ = [-0.5, 0.5]; dW = (1/2)(-0.5*1 + 0.5*3) = 0.5; db = 0
    const p = initializeParameters([1, 1], { init: 'zeros' });
    const { AL, caches } = modelForward([[1, 3]], p, ['sigmoid']);
    const g = modelBackward(AL, [[1, 0]], caches);
    expectClose(g.dW1!, [[0.5]]);
    expectClose(g.db1!, [[0]]);
    expect(g.dA0!.shape).toEqual([1, 2]);
  });

  it('updateParameters: W = W - alpha dW, b = b - alpha db, inputs untouched', () => {
    const p = { W1: tensor([[1, 2]]), b1: tensor([[3]]) };
    const next = updateParameters(p, { dW1: tensor([[10, -10]]), db1: tensor([[1]]) }, 0.1);
    expectClose(next.W1!, [[0, 3]]);
    expectClose(next.b1!, [[2.9]]);
    expect(p.W1.toArray()).toEqual([[1, 2]]);
  });
});

describeEachBackend('initializeParameters', () => {
  it('gives the course shapes: W[l] (n[l], n[l-1]), b[l] (n[l], 1) zeros', () => {
    const p = initializeParameters([5, 4, 3]);
    expect(p.W1!.shape).toEqual([4, 5]);
    expect(p.b1!.shape).toEqual([4, 1]);
    expect(p.W2!.shape).toEqual([3, 4]);
    expect(p.b2!.shape).toEqual([3, 1]);
    expect(Array.from(p.b1!.data)).toEqual([0, 0, 0, 0]);
  });

  it('scales: random 0.01, He sqrt(2/n), Xavier sqrt(1/n), zeros', () => {
    const std = (t: { data: ArrayLike<number> }) => {
      const d = Array.from(t.data);
      const mean = d.reduce((s, v) => s + v, 0) / d.length;
      return Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length);
    };
    // 400 x 500 = 200,000 draws: the sample std is within 0.5% of the true one (its own spread is ~0.16%)
    expect(std(initializeParameters([500, 400], { init: 'random', seed: 1 }).W1!) / 0.01).toBeCloseTo(1, 2);
    expect(std(initializeParameters([500, 400], { init: 'he', seed: 1 }).W1!) / Math.sqrt(2 / 500)).toBeCloseTo(1, 2);
    expect(std(initializeParameters([500, 400], { init: 'xavier', seed: 1 }).W1!) / Math.sqrt(1 / 500)).toBeCloseTo(1, 2);
    expect(std(initializeParameters([500, 400], { init: { name: 'random', scale: 10 }, seed: 1 }).W1!) / 10).toBeCloseTo(1, 2);
    expect(Array.from(initializeParameters([3, 2], { init: 'zeros' }).W1!.data)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('the same seed gives the same weights; another seed others', () => {
    const a = initializeParameters([4, 3, 1], { seed: 7 });
    const b = initializeParameters([4, 3, 1], { seed: 7 });
    const c = initializeParameters([4, 3, 1], { seed: 8 });
    expect(Array.from(a.W1!.data)).toEqual(Array.from(b.W1!.data));
    expect(Array.from(a.W1!.data)).not.toEqual(Array.from(c.W1!.data));
  });
});
