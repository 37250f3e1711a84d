/**
 * Flat networks fed one row per example (`inputShape: [n_x]`, X (m, n_x)), as Keras and PyTorch
 * users hold their data: the same training, predictions and gradients as the course's (n_x, m)
 * columns, since fit gathers either into the same column batches.
 */
import { describe, expect, it } from 'vitest';
import { Network, Rng, Tensor, checkGradients, deserializeModel, fit, serializeModel } from '../../src/index.js';
import { describeEachBackend } from '../helpers.js';

/** Seeded data: 3 features, 2 classes (one-hot), m examples; X as columns and as rows. */
function data(m: number, seed: number): { cols: Tensor; rows: Tensor; Y: Tensor } {
  const rng = new Rng(seed);
  const n = 3;
  const rows = new Float32Array(m * n);
  const Y = new Float32Array(2 * m);
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const v = rng.normal();
      rows[j * n + i] = v;
      s += v * (i + 1);
    }
    Y[(s > 0 ? 0 : 1) * m + j] = 1;
  }
  const cols = new Float32Array(m * n);
  for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) cols[i * m + j] = rows[j * n + i]!;
  return { cols: new Tensor([n, m], cols), rows: new Tensor([m, n], rows), Y: new Tensor([2, m], Y) };
}

const layers = [{ units: 5, activation: 'relu' as const }, { units: 2, activation: 'softmax' as const }];

describeEachBackend('inputShape [n_x]: rows per example', () => {
  for (const batchSize of [7, 40]) {
    it(`trains exactly as the course's columns do (batch ${batchSize} of 40, with a dev set)`, () => {
      const { cols, rows, Y } = data(40, 1);
      const dev = data(13, 2);
      const a = new Network({ inputSize: 3, layers, seed: 4 });
      const b = new Network({ inputShape: [3], layers, seed: 4 });
      const ha = fit(a, cols, Y, { learningRate: 0.05, epochs: 5, batchSize, optimizer: 'adam', dev: { X: dev.cols, Y: dev.Y } });
      const hb = fit(b, rows, Y, { learningRate: 0.05, epochs: 5, batchSize, optimizer: 'adam', dev: { X: dev.rows, Y: dev.Y } });
      expect(hb.cost).toEqual(ha.cost);
      expect(hb.dev).toEqual(ha.dev);
      expect(ha.cost.at(-1)!).toBeLessThan(ha.cost[0]!);
      expect(Array.from(b.predict(rows).data)).toEqual(Array.from(a.predict(cols).data));
      expect(b.cost(rows, Y)).toBe(a.cost(cols, Y));
      a.dispose();
      b.dispose();
    });
  }

  it('refuses a NaN or an infinity in X, named by its row and column, for mini-batches and the full batch', () => {
    const { cols, rows, Y } = data(20, 3);
    // Example 17's feature 2: row 17, column 2 of the rows; row 2, column 17 of the columns.
    for (const [X, inputShape, index, at] of [
      [rows, [3], 17 * 3 + 2, 'row 17, column 2'],
      [cols, undefined, 2 * 20 + 17, 'row 2, column 17'],
    ] as const) {
      for (const bad of [NaN, Infinity]) {
        const Xb = new Tensor(X.shape, Float32Array.from(X.data));
        Xb.data[index] = bad;
        for (const batchSize of [4, 20]) {
          const net = inputShape ? new Network({ inputShape, layers }) : new Network({ inputSize: 3, layers });
          expect(() => fit(net, Xb, Y, { learningRate: 0.1, epochs: 1, batchSize })).toThrow(`fit: X: expected finite numbers, got ${bad} at ${at}`);
          net.dispose();
        }
      }
    }
  });

  it('refuses the course layout, naming the shapes', () => {
    const { cols } = data(5, 1);
    const net = new Network({ inputShape: [3], layers });
    expect(() => net.predict(cols)).toThrow(
      "predict: X: expected shape (m, 3) with one row per example (inputShape [3]), got (3, 5) (that is the course's (n_x, m) layout: this network was built with inputShape [3], which takes rows; transpose X, or build it with inputSize: 3)",
    );
    expect(() => net.predict(new Tensor([5, 4], new Float32Array(20)))).toThrow('predict: X: expected shape (m, 3) with one row per example (inputShape [3]), got (5, 4)');
    expect(() => new Network({ inputShape: [0] as unknown as [number], layers })).toThrow('Network: inputShape[0] (n_x)');
    expect(() => new Network({ inputShape: [3, 4] as unknown as [number], layers })).toThrow(
      'Network: inputShape: expected [n_H, n_W, n_C] (images), [n_x] (flat rows) or { sequence: [n_x, T_x] }, got',
    );
    net.dispose();
  });
});

describe('inputShape [n_x] networks', () => {
  it('pass the gradient check on rows (float64)', () => {
    const { rows, Y } = data(6, 3);
    const net = new Network({ inputShape: [3], layers: [{ units: 4, activation: 'tanh' }, { units: 2, activation: 'softmax' }], dtype: 'float64', seed: 2 });
    const X64 = new Tensor([6, 3], Float64Array.from(rows.data));
    expect(checkGradients(net, X64, new Tensor([2, 6], Float64Array.from(Y.data))).difference).toBeLessThan(1e-7);
  });

  it('save and load with their inputShape, predicting the same', () => {
    const { rows } = data(9, 5);
    const net = new Network({ inputShape: [3], layers, seed: 6 });
    const saved = serializeModel(net);
    expect(saved.manifest.network.inputShape).toEqual([3]);
    const back = deserializeModel(saved.manifest, saved.weights).network;
    expect(back.examplesAsRows).toBe(true);
    expect(Array.from(back.predict(rows).data)).toEqual(Array.from(net.predict(rows).data));
  });
});
