/**
 * L2, L1, inverted dropout and batch normalization inside the Network:
 * gradient checks in float64 and the statistical properties the course states.
 */
import { expect, it } from 'vitest';
import { checkGradients, fit, getBackend, makeFlower, Network, Plan, Rng, tensor, ValueError } from '../../src/index.js';
import { describeEachBackend } from '../helpers.js';

const rng = new Rng(5);
const X = Array.from({ length: 3 }, () => Array.from({ length: 8 }, () => rng.normal()));
const Y = [[1, 0, 1, 1, 0, 0, 1, 0]];

function net64(extra: object, layers?: object[]): Network {
  return new Network({
    inputSize: 3,
    layers: (layers as never) ?? [{ units: 5, activation: 'tanh' }, { units: 4, activation: 'relu' }, { units: 1, activation: 'sigmoid' }],
    dtype: 'float64',
    seed: 2,
    init: 'xavier',
    ...extra,
  });
}

// float64 runs on the js kernels whatever the current backend (backendFor), so this block's wasm copy checks that routing.
describeEachBackend('gradient check with regularization, dropout and batch norm (float64, < 1e-7)', () => {
  it('L2 (lambda 0.7)', () => {
    expect(checkGradients(net64({ l2: 0.7 }), X, Y).difference).toBeLessThan(1e-7);
  });
  it('L1 (lambda 0.3)', () => {
    expect(checkGradients(net64({ l1: 0.3 }), X, Y).difference).toBeLessThan(1e-7);
  });
  it('L2 and L1 per layer', () => {
    const n = net64({}, [{ units: 5, activation: 'tanh', l2: 1.5 }, { units: 4, activation: 'leakyRelu', l1: 0.2 }, { units: 1, activation: 'sigmoid' }]);
    expect(checkGradients(n, X, Y).difference).toBeLessThan(1e-7);
  });
  it('dropout on the input and hidden layers, masks held fixed', () => {
    const n = net64({ inputKeepProb: 0.8, keepProb: 0.6 });
    expect(checkGradients(n, X, Y).difference).toBeLessThan(1e-7);
  });
  it('batch normalization in training mode, with L2 and softmax output', () => {
    const n = net64({ batchNorm: true, l2: 0.1 }, [{ units: 5, activation: 'tanh' }, { units: 4, activation: 'relu' }, { units: 2, activation: 'softmax' }]);
    const Y2 = [Y[0]!, Y[0]!.map((v) => 1 - v)];
    expect(checkGradients(n, X, Y2).difference).toBeLessThan(1e-7);
  });
});

describeEachBackend('regularization cost', () => {
  it('L2 adds (lambda / 2m) sum ||W||^2 and L1 adds (lambda / m) sum |W|', () => {
    const n = new Network({ inputSize: 2, layers: [{ units: 1, activation: 'sigmoid', l2: 0.5 }], init: 'zeros', dtype: 'float64' });
    n.parameters.W1!.data.set([3, -4]); // ||W||^2 = 25
    const plan = new Plan(n, 5, true);
    // (0.5 / (2 * 5)) * 25 = 1.25
    expect(plan.regularizationCost()).toBeCloseTo(1.25, 12);
    const n1 = new Network({ inputSize: 2, layers: [{ units: 1, activation: 'sigmoid' }], l1: 0.5, init: 'zeros', dtype: 'float64' });
    n1.parameters.W1!.data.set([3, -4]); // sum |W| = 7 -> (0.5 / 5) * 7 = 0.7
    expect(new Plan(n1, 5, true).regularizationCost()).toBeCloseTo(0.7, 12);
  });

  it('history exposes the regularized and the unregularized cost separately', () => {
    const { X: fx, Y: fy } = makeFlower({ m: 100, seed: 1 });
    const n = new Network({ inputSize: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 1 }], l2: 0.7, seed: 1 });
    const h = fit(n, fx, fy, { learningRate: 0.5, iterations: 50 });
    expect(h.unregularizedCost).toHaveLength(50);
    for (let i = 0; i < 50; i++) expect(h.cost[i]!).toBeGreaterThan(h.unregularizedCost[i]!);
  });

  it('L2 keeps the weights smaller than no regularization on the same run', () => {
    const { X: fx, Y: fy } = makeFlower({ m: 200, seed: 1 });
    const norm = (lambda: number) => {
      const n = new Network({ inputSize: 2, layers: [{ units: 20, activation: 'relu' }, { units: 1 }], l2: lambda, seed: 3 });
      fit(n, fx, fy, { learningRate: 0.3, iterations: 1500 });
      return n.layers.reduce((s, l) => s + Array.from(l.W.data).reduce((a, w) => a + w * w, 0), 0);
    };
    expect(norm(0.7)).toBeLessThan(0.5 * norm(0));
  });
});

describeEachBackend('inverted dropout', () => {
  // Each dtype the backend computes itself: its own dropout kernel draws the masks.
  for (const dtype of getBackend().dtypes) {
    it(`keeps about keepProb of the units and leaves the mean activation unchanged (${dtype})`, () => {
      const n = new Network({ inputSize: 1, layers: [{ units: 50, activation: 'sigmoid', keepProb: 0.7 }, { units: 1 }], seed: 4, dtype });
      const m = 2000;
      const plan = new Plan(n, m, true);
      plan.input.data.set(Float64Array.from({ length: m }, (_, j) => Math.sin(j)));
      plan.forward(true);
      const A = plan.A[0]!.data;
      const dropped = plan.out[1]!.data;
      let kept = 0;
      let meanA = 0;
      let meanD = 0;
      for (let i = 0; i < A.length; i++) {
        if (dropped[i] !== 0) kept++;
        meanA += A[i]!;
        meanD += dropped[i]!;
      }
      // 100,000 Bernoulli(0.7) draws: std of the kept fraction is 0.0014
      expect(kept / A.length).toBeCloseTo(0.7, 2);
      // A ~ 0.5 with entries in (0, 1): the relative std of the dropped mean is below 0.5%
      expect(meanD / meanA).toBeCloseTo(1, 1);
      expect(Math.abs(meanD / meanA - 1)).toBeLessThan(0.01);
    });
  }

  it('keepProb = 1 is exactly the network without dropout, bit for bit', () => {
    const { X: fx, Y: fy } = makeFlower({ m: 100, seed: 2 });
    const run = (keep?: number) => {
      const n = new Network({ inputSize: 2, layers: [{ units: 6, activation: 'tanh', ...(keep === undefined ? {} : { keepProb: keep }) }, { units: 1 }], seed: 9, inputKeepProb: 1 });
      return { h: fit(n, fx, fy, { learningRate: 0.5, iterations: 100 }).cost, W: Array.from(n.parameters.W1!.data) };
    };
    expect(run(1)).toEqual(run());
  });

  it('prediction does not drop units: deterministic, and equal for any keepProb with the same weights', () => {
    const a = new Network({ inputSize: 2, layers: [{ units: 6, keepProb: 0.5 }, { units: 1 }], seed: 1 });
    const b = new Network({ inputSize: 2, layers: [{ units: 6 }, { units: 1 }], seed: 1 });
    const x = tensor([[0.3, -1, 2], [1, 0.5, -0.2]]);
    expect(a.predict(x).data).toEqual(a.predict(x).data);
    expect(a.predict(x).data).toEqual(b.predict(x).data);
  });

  it('rejects keepProb outside (0, 1], and dropout on the output layer', () => {
    expect(() => new Network({ inputSize: 2, layers: [{ units: 3, keepProb: 0 }, { units: 1 }] })).toThrow('Network: layers[0].keepProb: expected a keep probability in (0, 1], got 0');
    expect(() => new Network({ inputSize: 2, layers: [{ units: 3, keepProb: 1.2 }, { units: 1 }] })).toThrow('got 1.2');
    expect(() => new Network({ inputSize: 2, layers: [{ units: 3 }], inputKeepProb: -0.5 })).toThrow('Network: inputKeepProb: expected a keep probability in (0, 1], got -0.5');
    expect(() => new Network({ inputSize: 2, layers: [{ units: 1, keepProb: 0.5 }] })).toThrow('dropout applies to hidden layers, not the output layer');
  });

  it('rejects negative or non-finite lambda', () => {
    expect(() => new Network({ inputSize: 2, layers: [{ units: 1 }], l2: -1 })).toThrow(ValueError);
    expect(() => new Network({ inputSize: 2, layers: [{ units: 1 }], l2: -1 })).toThrow('Network: l2: expected a finite number >= 0 (the regularization strength lambda), got -1');
    expect(() => new Network({ inputSize: 2, layers: [{ units: 1, l1: NaN }] })).toThrow('Network: layers[0].l1: expected a finite number >= 0');
  });
});

describeEachBackend('batch normalization', () => {
  it('normalizes Z per unit over the batch in training and uses running statistics at prediction', () => {
    const { X: fx, Y: fy } = makeFlower({ m: 200, seed: 3 });
    const n = new Network({ inputSize: 2, layers: [{ units: 8, activation: 'relu', batchNorm: true }, { units: 1 }], seed: 2 });
    expect(Object.keys(n.parameters)).toEqual(['W1', 'gamma1', 'beta1', 'W2', 'b2']);
    const plan = new Plan(n, 200, true);
    plan.run(fx);
    plan.forward(true);
    // in training mode with gamma = 1, beta = 0 each row of Z is standardized
    const Z = plan.Z[0]!;
    for (let i = 0; i < 8; i++) {
      let s = 0;
      let s2 = 0;
      for (let j = 0; j < 200; j++) {
        s += Z.get(i, j);
        s2 += Z.get(i, j) ** 2;
      }
      expect(s / 200).toBeCloseTo(0, 5);
      expect(s2 / 200).toBeCloseTo(1, 3);
    }
    fit(n, fx, fy, { learningRate: 0.1, epochs: 30, batchSize: 32 });
    // running statistics make predictions independent of the batch: one column alone equals its column in the batch
    const all = n.predict(fx);
    const one = n.predict([[fx.get(0, 7)], [fx.get(1, 7)]]);
    expect(one.get(0, 0)).toBeCloseTo(all.get(0, 7), 6);
  });

  it('is rejected on the output layer', () => {
    expect(() => new Network({ inputSize: 2, layers: [{ units: 1, batchNorm: true }] })).toThrow('batch normalization applies to hidden layers, not the output layer');
  });
});
