/**
 * Mini-batch training, dev-set learning curves, early stopping and aborting.
 */
import { expect, it } from 'vitest';
import { fit, getBackend, makeFlower, modelBackward, modelForward, Network, tensor, updateParameters, type Parameters } from '../../src/index.js';
import { describeEachBackend, expectClose } from '../helpers.js';

function columns(t: { get(i: number, j: number): number; rows: number }, from: number, to: number): number[][] {
  return Array.from({ length: t.rows }, (_, i) => Array.from({ length: to - from }, (_, k) => t.get(i, from + k)));
}

describeEachBackend('mini-batches', () => {
  // Each dtype the backend computes itself (float64 on wasm runs the js kernels, checked in the js copy).
  for (const dtype of getBackend().dtypes) {
    const tol = dtype === 'float64' ? 1e-12 : 1e-6;
    it(`one unshuffled epoch of batches 4, 4, 2 equals three gradient steps, the last a mean over its own 2 examples (${dtype})`, () => {
      const { X, Y } = makeFlower({ m: 10, seed: 1, dtype });
      const net = new Network({ inputSize: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], dtype, seed: 5, init: 'xavier' });
      let p: Parameters = {};
      for (const [k, v] of Object.entries(net.parameters)) p[k as keyof Parameters] = v.clone();
      const h = fit(net, X, Y, { learningRate: 0.5, epochs: 1, batchSize: 4, shuffle: false });
      expect(h.cost).toHaveLength(3);
      for (const [from, to] of [[0, 4], [4, 8], [8, 10]] as const) {
        const { AL, caches } = modelForward(tensor(columns(X, from, to), { dtype }), p, ['tanh', 'sigmoid']);
        p = updateParameters(p, modelBackward(AL, tensor(columns(Y, from, to), { dtype }), caches), 0.5);
      }
      expectClose(net.parameters.W1!, p.W1!.data, tol);
      expectClose(net.parameters.b2!, p.b2!.data, tol);
    });
  }

  it('batch size 1 is stochastic gradient descent: m updates per epoch', () => {
    const { X, Y } = makeFlower({ m: 12, seed: 1 });
    const net = new Network({ inputSize: 2, layers: [{ units: 2 }, { units: 1 }], seed: 1 });
    expect(fit(net, X, Y, { learningRate: 0.1, epochs: 2, batchSize: 1 }).cost).toHaveLength(24);
  });

  it('reshuffles with the seeded generator: same seed, same run; shuffle changes the order', () => {
    const { X, Y } = makeFlower({ m: 100, seed: 2 });
    const run = (seed: number, shuffle = true) => {
      const net = new Network({ inputSize: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1 }], seed });
      return fit(net, X, Y, { learningRate: 0.3, epochs: 3, batchSize: 16, shuffle }).cost;
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(3, false));
  });

  it('mini-batch Adam-free gradient descent still learns the flower', () => {
    const { X, Y } = makeFlower({ m: 400, seed: 1 });
    const net = new Network({ inputSize: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 1 }], seed: 2, init: 'xavier' });
    const h = fit(net, X, Y, { learningRate: 0.5, epochs: 200, batchSize: 64 });
    expect(h.epochs).toHaveLength(200);
    expect(h.epochs.at(-1)!.cost).toBeLessThan(0.35);
  });

  it('rejects bad batch sizes and ambiguous lengths', () => {
    const net = new Network({ inputSize: 1, layers: [{ units: 1 }] });
    expect(() => fit(net, [[1, 2]], [[0, 1]], { learningRate: 0.1, epochs: 1, batchSize: 0 })).toThrow('fit: batchSize: expected a positive integer, got 0');
    expect(() => fit(net, [[1, 2]], [[0, 1]], { learningRate: 0.1, epochs: 1, batchSize: 1.5 })).toThrow('got 1.5');
    expect(() => fit(net, [[1, 2]], [[0, 1]], { learningRate: 0.1, epochs: 1, batchSize: 3 })).toThrow('fit: batchSize: expected at most the 2 training examples, got 3');
    expect(() => fit(net, [[1, 2]], [[0, 1]], { learningRate: 0.1, epochs: 1, iterations: 3 })).toThrow('fit: options: expected exactly one of iterations or epochs, got both');
    expect(() => fit(net, [[1, 2]], [[0, 1]], { learningRate: 0.1 })).toThrow('got neither');
    expect(() => fit(net, [[1, 2]], [[0, 1]], { learningRate: 0.1, epochs: 1, schedule: { kind: 'custom', rate: () => -1 } })).toThrow('fit: schedule: learning rate at epoch 0: expected a finite number >= 0, got -1');
  });
});

describeEachBackend('dev set, early stopping, abort', () => {
  const { X, Y } = makeFlower({ m: 60, seed: 4 });
  const dev = makeFlower({ m: 200, seed: 5 });

  it('records dev cost per epoch and every k iterations (learning curves)', () => {
    const net = new Network({ inputSize: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1 }], seed: 1 });
    const h = fit(net, X, Y, { learningRate: 0.3, epochs: 4, batchSize: 20, dev, devEvery: 2 });
    expect(h.dev.map((d) => d.iteration)).toEqual([2, 3, 4, 6, 8, 9, 10, 12]);
    expect(h.epochs.every((e) => e.devCost !== null)).toBe(true);
    expect(h.epochs[3]!.devCost).toBe(h.dev.at(-1)!.cost);
  });

  it('early stopping restores the best-dev weights: the returned network has the best dev cost seen', () => {
    const net = new Network({ inputSize: 2, layers: [{ units: 60, activation: 'relu' }, { units: 60, activation: 'relu' }, { units: 1 }], seed: 1 });
    const h = fit(net, X, Y, { learningRate: 0.5, epochs: 400, dev, earlyStopping: { patience: 20 } });
    expect(h.stopReason).toBe('earlyStopping');
    const best = Math.min(...h.epochs.map((e) => e.devCost!));
    expect(h.epochs[h.bestEpoch!]!.devCost).toBe(best);
    expect(net.cost(dev.X, dev.Y)).toBeCloseTo(best, 6);
    expect(h.epochs.length).toBe(h.bestEpoch! + 21);
  });

  it('an aborted signal stops after the current iteration and keeps the history so far', () => {
    const net = new Network({ inputSize: 2, layers: [{ units: 4 }, { units: 1 }], seed: 1 });
    const ctrl = new AbortController();
    const h = fit(net, X, Y, { learningRate: 0.1, iterations: 1000, onIteration: (i) => i === 9 && ctrl.abort(), signal: ctrl.signal });
    expect(h.stopReason).toBe('aborted');
    expect(h.cost).toHaveLength(10);
  });

  it('early stopping without a dev set is an error', () => {
    const net = new Network({ inputSize: 2, layers: [{ units: 1 }] });
    expect(() => fit(net, X, Y, { learningRate: 0.1, epochs: 1, earlyStopping: { patience: 2 } })).toThrow('fit: earlyStopping: needs a dev set (options.dev), got none');
  });
});
