/**
 * Backprop against two-sided numerical differences (the course's gradient
 * check) in float64: relative difference < 1e-7 for deep nets mixing every
 * activation, with each matching loss.
 */
import { describe, expect, it } from 'vitest';
import {
  compareGradients, computeCost, gradientCheck, initializeParameters, modelBackward, modelForward, oneHot, Rng, tensor, type ActivationSpec, type LossName, type Tensor,
} from '../../src/index.js';
import { describeEachBackend } from '../helpers.js';

function randomMatrix(rows: number, cols: number, seed: number, scale = 1): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.normal() * scale));
}

const m = 7;
const X = randomMatrix(4, m, 11);
const hidden: ActivationSpec[] = ['relu', 'tanh', 'sigmoid', 'leakyRelu', { name: 'leakyRelu', slope: 0.3 }, 'linear'];

const cases: { name: string; dims: number[]; acts: ActivationSpec[]; loss: LossName; Y: number[][] }[] = [
  { name: 'sigmoid + binary cross-entropy', dims: [4, 5, 4, 3, 5, 4, 3, 1], acts: [...hidden, 'sigmoid'], loss: 'binaryCrossEntropy', Y: [[1, 0, 1, 1, 0, 0, 1]] },
  {
    name: 'softmax + categorical cross-entropy',
    dims: [4, 5, 4, 3, 5, 4, 3, 3],
    acts: [...hidden, 'softmax'],
    loss: 'categoricalCrossEntropy',
    Y: oneHot([0, 2, 1, 1, 0, 2, 2], 3).toArray() as number[][],
  },
  { name: 'linear + mean squared error', dims: [4, 5, 4, 3, 5, 4, 3, 2], acts: [...hidden, 'linear'], loss: 'meanSquaredError', Y: randomMatrix(2, m, 5) },
  { name: 'relu + mean squared error (regression)', dims: [4, 6, 1], acts: ['tanh', 'relu'], loss: 'meanSquaredError', Y: [[0.5, 1, 2, 0.1, 3, 0.7, 1.5]] },
  { name: 'tanh + mean squared error', dims: [4, 3, 2], acts: ['leakyRelu', 'tanh'], loss: 'meanSquaredError', Y: randomMatrix(2, m, 6, 0.5) },
  { name: 'sigmoid hidden + softmax in the middle', dims: [4, 4, 3, 1], acts: ['sigmoid', 'softmax', 'sigmoid'], loss: 'bce', Y: [[0, 0, 1, 1, 0, 1, 0]] },
];

// float64 runs on the js kernels whatever the current backend (backendFor), so the wasm copy checks that routing;
// the float32 case at the end runs on each backend's own kernels.
describeEachBackend('gradient check (float64, two-sided, epsilon 1e-7)', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.dims.join('-')} with ${c.acts.map((a) => (typeof a === 'string' ? a : 'leakyRelu(0.3)')).join(', ')}`, () => {
      const p = initializeParameters(c.dims, { init: 'xavier', seed: 3, dtype: 'float64' });
      // non-zero biases so every term of db is exercised
      for (let l = 1; l < c.dims.length; l++) p[`b${l}`]!.data.set(randomMatrix(c.dims[l]!, 1, 20 + l, 0.1).flat());
      const r = gradientCheck(p, X, c.Y, { activations: c.acts, loss: c.loss });
      expect(r.grad.length).toBe(c.dims.slice(1).reduce((s, n, i) => s + n * c.dims[i]! + n, 0));
      expect(r.difference).toBeLessThan(1e-7);
    });
  }

  describe('detects a wrong gradient', () => {
    // Backprop's own gradient for a 4-3-1 net, then the library's comparer on it, corrupted or not.
    const Y = [[1, 0, 1, 1, 0, 0, 1]];
    const acts: ActivationSpec[] = ['tanh', 'sigmoid'];
    const X64 = tensor(X, { dtype: 'float64' });
    function setUp(): { flat: Tensor[]; analytic: Tensor[]; cost: () => number } {
      const p = initializeParameters([4, 3, 1], { init: 'he', seed: 1, dtype: 'float64' });
      p.b1!.data.set([0.1, -0.2, 0.05]);
      const { AL, caches } = modelForward(X64, p, acts);
      const g = modelBackward(AL, Y, caches);
      const flat = [p.W1!, p.b1!, p.W2!, p.b2!];
      const analytic = [g.dW1!, g.db1!, g.dW2!, g.db2!].map((t) => t.clone());
      return { flat, analytic, cost: () => computeCost(modelForward(X64, p, acts).AL, Y) };
    }

    it('the correct gradient passes at 1e-7', () => {
      const { flat, analytic, cost } = setUp();
      expect(compareGradients(flat, analytic, cost, 1e-7).difference).toBeLessThan(1e-7);
    });

    for (const [what, corrupt] of [
      ['one weight off by 0.1', (g: Tensor[]) => { g[0]!.data[0]! += 0.1; }],
      ['db1 scaled by 1.05', (g: Tensor[]) => { g[1]!.data.forEach((v, i, d) => { d[i] = v * 1.05; }); }],
      ['dW2 with its sign flipped', (g: Tensor[]) => { g[2]!.data.forEach((v, i, d) => { d[i] = -v; }); }],
      ['db2 missing (zero)', (g: Tensor[]) => { g[3]!.data.fill(0); }],
    ] as const) {
      it(`${what}: a difference far above 1e-7`, () => {
        const { flat, analytic, cost } = setUp();
        corrupt(analytic);
        expect(compareGradients(flat, analytic, cost, 1e-7).difference).toBeGreaterThan(1e-4);
      });
    }
  });

  it('does not change the parameters passed in', () => {
    const p = initializeParameters([4, 3, 1], { init: 'he', seed: 1 });
    const before = Array.from(p.W1!.data);
    gradientCheck(p, X, [[1, 0, 1, 1, 0, 0, 1]]);
    expect(Array.from(p.W1!.data)).toEqual(before);
  });

  it('works in float32 at a float32 tolerance', () => {
    const p = initializeParameters([4, 5, 1], { init: 'xavier', seed: 3 });
    const r = gradientCheck(p, tensor(X), [[1, 0, 1, 1, 0, 0, 1]], { activations: ['tanh', 'sigmoid'], dtype: 'float32' });
    // Measured 5.5e-5; a db scaled by 1.05 gives ~6e-3, so 1e-3 still tells a wrong gradient apart.
    expect(r.difference).toBeLessThan(1e-3);
  });
});
