/**
 * The recurrent layers in a Network (issue 16, part 2): float64 gradient checks
 * through simpleRnn, LSTM and GRU over several time steps (last state and
 * returned sequences, stacked), a learning test on every backend, mini-batch
 * training of sequences, and the shape errors.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, deserializeModel, fit, Network, Rng, serializeModel, Tensor, type NetworkOptions } from '../../src/index.js';
import { describeEachBackend } from '../helpers.js';

/** Seeded sequences (n, m, T) in [-1, 1). */
function sequences(n: number, m: number, T: number, seed: number, dtype: 'float32' | 'float64' = 'float64'): Tensor {
  const rng = new Rng(seed);
  const t = new Tensor([n, m, T], dtype === 'float64' ? new Float64Array(n * m * T) : new Float32Array(n * m * T));
  for (let i = 0; i < t.size; i++) t.data[i] = 2 * rng.uniform() - 1;
  return t;
}

function oneHot(m: number, k: number): number[][] {
  return Array.from({ length: k }, (_, r) => Array.from({ length: m }, (_, j) => (j % k === r ? 1 : 0)));
}

const CELLS = ['simpleRnn', 'lstm', 'gru'] as const;

describe('recurrent layers: gradient check (float64, < 1e-7)', () => {
  for (const cell of CELLS) {
    it(`${cell}: last state -> dense softmax, T_x = 4`, () => {
      const net = new Network({ inputShape: { sequence: [3, 4] }, layers: [{ type: cell, units: 5 }, { units: 3, activation: 'softmax' }], dtype: 'float64', seed: 2 });
      const r = checkGradients(net, sequences(3, 6, 4, 1), oneHot(6, 3));
      expect(r.difference).toBeLessThan(1e-7);
      expect(r.grad.length).toBeGreaterThan(0);
    });
    it(`${cell}: returnSequences -> ${cell} -> dense sigmoid (stacked), T_x = 5`, () => {
      const net = new Network({
        inputShape: { sequence: [2, 5] },
        layers: [{ type: cell, units: 4, returnSequences: true }, { type: cell, units: 3 }, { units: 1 }],
        dtype: 'float64',
        seed: 3,
      });
      // epsilon 1e-6: at the default 1e-7 the two stacked LSTMs' small cost differences lose digits to
      // round-off (their difference falls as epsilon grows: 1.2e-7, 1.1e-8, 1.2e-9 at 1e-7, 1e-6, 1e-5).
      const r = checkGradients(net, sequences(2, 4, 5, 2), [[1, 0, 0, 1]], { epsilon: 1e-6 });
      expect(r.difference).toBeLessThan(1e-7);
    });
  }

  for (const cell of CELLS) {
    it(`${cell} returnSequences -> timeDistributed softmax output (loss over (n_y, m, T_y)), T_x = 4`, () => {
      const net = new Network({
        inputShape: { sequence: [3, 4] },
        layers: [{ type: cell, units: 4, returnSequences: true }, { type: 'timeDistributed', units: 3, activation: 'softmax' }],
        dtype: 'float64',
        seed: 6,
      });
      const Y = new Tensor([3, 5, 4], new Float64Array(60));
      for (let j = 0; j < 5; j++) for (let t = 0; t < 4; t++) Y.data[(((j + t) % 3) * 5 + j) * 4 + t] = 1;
      const r = checkGradients(net, sequences(3, 5, 4, 4), Y, { epsilon: 1e-6 });
      expect(r.difference).toBeLessThan(1e-7);
    });
  }

  it('a hidden timeDistributed tanh between two LSTMs, with l2 on an output timeDistributed sigmoid', () => {
    const net = new Network({
      inputShape: { sequence: [2, 3] },
      layers: [{ type: 'lstm', units: 3, returnSequences: true }, { type: 'timeDistributed', units: 4, activation: 'tanh' }, { type: 'gru', units: 3, returnSequences: true }, { type: 'timeDistributed', units: 1, activation: 'sigmoid', l2: 0.3 }],
      dtype: 'float64',
      seed: 8,
    });
    const Y = new Tensor([1, 4, 3], new Float64Array([1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0]));
    const r = checkGradients(net, sequences(2, 4, 3, 5), Y, { epsilon: 1e-6 });
    expect(r.difference).toBeLessThan(1e-7);
    // The cost is the loss averaged over steps and examples: a batch of one example repeated has its cost.
    expect(net.predict(sequences(2, 4, 3, 5)).shape).toEqual([1, 4, 3]);
  });

  it('names the parameters by the course (with the layer number)', () => {
    const net = new Network({ inputShape: { sequence: [3, 2] }, layers: [{ type: 'lstm', units: 4, returnSequences: true }, { type: 'gru', units: 2, returnSequences: true }, { type: 'simpleRnn', units: 2 }, { units: 1 }] });
    const names = Object.keys(net.parameters);
    expect(names).toEqual(['Wf1', 'bf1', 'Wi1', 'bi1', 'Wo1', 'bo1', 'Wc1', 'bc1', 'Wr2', 'br2', 'Wu2', 'bu2', 'Wc2', 'bc2', 'Wax3', 'Waa3', 'ba3', 'W4', 'b4']);
    expect(net.parameters.Wf1!.shape).toEqual([4, 7]);
    expect(net.parameters.Wax3!.shape).toEqual([2, 2]);
    expect(net.summary()).toContain('(4, m, 2)');
  });
});

/**
 * The rule: label 1 when the sequence's first value exceeds its last. A classifier must carry
 * the first step through the whole sequence (the recurrence), not only read the last input.
 */
function ruleData(m: number, T: number, seed: number): { X: Tensor; Y: Tensor } {
  const rng = new Rng(seed);
  const X = new Tensor([1, m, T], new Float32Array(m * T));
  const Y = new Tensor([1, m], new Float32Array(m));
  for (let j = 0; j < m; j++) {
    for (let t = 0; t < T; t++) X.data[j * T + t] = 2 * rng.uniform() - 1;
    Y.data[j] = X.data[j * T]! > X.data[j * T + T - 1]! ? 1 : 0;
  }
  return { X, Y };
}

describeEachBackend('recurrent layers learn a sequence rule', () => {
  it('an LSTM classifies "first > last" over 6 steps: >= 90% on held-out sequences (mini-batches, adam, seeded)', () => {
    const T = 6;
    const train = ruleData(512, T, 1);
    const test = ruleData(256, T, 2);
    const net = new Network({ inputShape: { sequence: [1, T] }, layers: [{ type: 'lstm', units: 16 }, { units: 1, activation: 'sigmoid' }], seed: 4 });
    const h = fit(net, train.X, train.Y, { learningRate: 0.02, epochs: 40, batchSize: 64, optimizer: 'adam' });
    expect(h.cost.at(-1)!).toBeLessThan(h.cost[0]! / 2);
    const A = net.predict(test.X);
    let right = 0;
    for (let j = 0; j < 256; j++) if ((A.data[j]! >= 0.5 ? 1 : 0) === test.Y.data[j]) right++;
    expect(right / 256).toBeGreaterThanOrEqual(0.9);
  });
});

describe('sequence networks: mini-batches and chunks match the whole batch', () => {
  it('predict of a subset equals the matching columns; fit with batchSize 3 over 7 examples runs', () => {
    const X = sequences(2, 7, 3, 5);
    const net = new Network({ inputShape: { sequence: [2, 3] }, layers: [{ type: 'gru', units: 3 }, { units: 2, activation: 'softmax' }], dtype: 'float64', seed: 1 });
    const all = net.predict(X);
    // Example 4 alone, cut out of X (n, m, T) by hand.
    const one = new Tensor([2, 1, 3], new Float64Array([...X.data.subarray(4 * 3, 5 * 3), ...X.data.subarray((7 + 4) * 3, (7 + 5) * 3)]));
    const a = net.predict(one);
    expect(a.get(0, 0)).toBeCloseTo(all.get(0, 4), 12);
    expect(a.get(1, 0)).toBeCloseTo(all.get(1, 4), 12);
    // Full-batch gradient descent and mini-batches of the same examples in order give the same first cost.
    const h = fit(net, X, oneHot(7, 2), { learningRate: 0.1, epochs: 3, batchSize: 3, shuffle: false });
    expect(h.cost.length).toBe(9);
    expect(Number.isFinite(h.cost.at(-1)!)).toBe(true);
  });
});

describe('sequence networks: bad input', () => {
  const base: NetworkOptions = { inputShape: { sequence: [2, 3] }, layers: [{ type: 'lstm', units: 3 }, { units: 1 }] };
  it('refuses T_x of 0, a malformed sequence shape, and unknown keys', () => {
    expect(() => new Network({ ...base, inputShape: { sequence: [2, 0] } })).toThrow(/inputShape.sequence\[1\] \(T_x\)/);
    expect(() => new Network({ ...base, inputShape: { sequence: [2] } as never })).toThrow(/expected \[n_x, T_x\]/);
    expect(() => new Network({ ...base, inputShape: { sequence: [2, 3], steps: 3 } as never })).toThrow(/steps/);
  });
  it('refuses sequences of the wrong rank or length', () => {
    const net = new Network(base);
    expect(() => net.predict([[1, 2]])).toThrow(/expected sequences of shape \(2, m, 3\).*3 axes/);
    expect(() => net.predict(new Tensor([2, 4, 5], new Float32Array(40)))).toThrow(/5 time steps where the network takes T_x = 3/);
    expect(() => net.predict(new Tensor([3, 4, 3], new Float32Array(36)))).toThrow(/expected sequences of shape \(2, m, 3\)/);
  });
  it('refuses a recurrent layer on flat input, a dense layer on a sequence, a sequence output', () => {
    expect(() => new Network({ inputSize: 3, layers: [{ type: 'lstm', units: 3 }, { units: 1 }] })).toThrow(/needs a sequence input/);
    expect(() => new Network({ inputShape: { sequence: [2, 3] }, layers: [{ type: 'gru', units: 3, returnSequences: true }, { units: 1 }] })).toThrow(/returnSequences: false/);
    expect(() => new Network({ inputShape: { sequence: [2, 3] }, layers: [{ type: 'lstm', units: 0 }, { units: 1 }] })).toThrow(/units/);
    expect(() => new Network({ inputShape: { sequence: [2, 3] }, layers: [{ type: 'lstm', units: 2, returnSequences: 1 as never }, { units: 1 }] })).toThrow(/returnSequences/);
    expect(() => new Network({ inputShape: { sequence: [2, 3] }, layers: [{ type: 'lstm', units: 2 }, { type: 'timeDistributed', units: 2, activation: 'softmax' }] })).toThrow(/timeDistributed layer needs a sequence input/);
  });
  it('refuses targets that do not match a sequence output', () => {
    const net = new Network({ inputShape: { sequence: [2, 3] }, layers: [{ type: 'lstm', units: 2, returnSequences: true }, { type: 'timeDistributed', units: 2, activation: 'softmax' }] });
    const X = sequences(2, 4, 3, 1, 'float32');
    expect(() => net.cost(X, oneHot(4, 2))).toThrow(/expected shape \(2, 4, 3\) \(n_y, m, T_y\)/);
  });
});

describeEachBackend('fit: gradient clipping', () => {
  const make = () => new Network({ inputShape: { sequence: [2, 4] }, layers: [{ type: 'simpleRnn', units: 3 }, { units: 1 }], seed: 7, init: 'he' });
  const X = sequences(2, 8, 4, 9, 'float32');
  const Y = [[1, 0, 1, 1, 0, 0, 1, 0]];
  /** Every parameter's change after one plain gradient step, as one vector. */
  const step = (options: { clipValue?: number; clipNorm?: number }): number[] => {
    const net = make();
    const before = Object.values(net.parameters).map((t) => Array.from(t.data));
    fit(net, X, Y, { learningRate: 1, iterations: 1, ...options });
    return Object.values(net.parameters).flatMap((t, k) => Array.from(t.data, (v, i) => v - before[k]![i]!));
  };
  it('clipNorm scales the update to the given global norm; clipValue bounds each element', () => {
    const free = step({});
    const norm = Math.hypot(...free);
    expect(norm).toBeGreaterThan(0.01);
    const byNorm = step({ clipNorm: norm / 4 });
    expect(Math.hypot(...byNorm)).toBeCloseTo(norm / 4, 5);
    byNorm.forEach((d, i) => expect(d).toBeCloseTo(free[i]! / 4, 5));
    // A norm above the gradient's changes nothing.
    step({ clipNorm: norm * 2 }).forEach((d, i) => expect(d).toBeCloseTo(free[i]!, 6));
    const c = Math.max(...free.map(Math.abs)) / 3;
    const byValue = step({ clipValue: c });
    byValue.forEach((d, i) => expect(d).toBeCloseTo(Math.max(-c, Math.min(c, free[i]!)), 5));
  });
  it('refuses clipNorm or clipValue <= 0', () => {
    expect(() => fit(make(), X, Y, { learningRate: 1, iterations: 1, clipNorm: 0 })).toThrow(/clipNorm: expected a finite number > 0/);
    expect(() => fit(make(), X, Y, { learningRate: 1, iterations: 1, clipValue: -1 })).toThrow(/clipValue: expected a finite number > 0/);
  });
});

describe('model format: sequence networks', () => {
  it('serializeModel / deserializeModel round-trip simpleRnn, lstm and gru (returnSequences, frozen), predicting the same', () => {
    const net = new Network({
      inputShape: { sequence: [3, 4] },
      layers: [{ type: 'lstm', units: 4, returnSequences: true }, { type: 'gru', units: 3, returnSequences: true, trainable: false }, { type: 'simpleRnn', units: 2 }, { units: 2, activation: 'softmax' }],
      seed: 5,
    });
    const X = sequences(3, 5, 4, 3, 'float32');
    const { manifest, weights } = serializeModel(net);
    expect(manifest.network.inputShape).toEqual({ sequence: [3, 4] });
    const back = deserializeModel(JSON.parse(JSON.stringify(manifest)), weights).network;
    expect(back.specs).toEqual(net.specs);
    expect(Object.keys(back.parameters)).toEqual(Object.keys(net.parameters));
    expect(Array.from(back.predict(X).data)).toEqual(Array.from(net.predict(X).data));
  });
  it('round-trips a timeDistributed output (a language model shape)', () => {
    const net = new Network({ inputShape: { sequence: [3, 4] }, layers: [{ type: 'gru', units: 4, returnSequences: true }, { type: 'timeDistributed', units: 3, activation: 'softmax' }], seed: 2 });
    const { manifest, weights } = serializeModel(net);
    const back = deserializeModel(JSON.parse(JSON.stringify(manifest)), weights).network;
    const X = sequences(3, 2, 4, 8, 'float32');
    expect(back.specs).toEqual(net.specs);
    expect(Array.from(back.predict(X).data)).toEqual(Array.from(net.predict(X).data));
  });
  it('refuses a manifest whose inputSize does not match the sequence', () => {
    const net = new Network({ inputShape: { sequence: [2, 3] }, layers: [{ type: 'gru', units: 2 }, { units: 1 }] });
    const { manifest, weights } = serializeModel(net);
    const bad = JSON.parse(JSON.stringify(manifest)) as typeof manifest;
    bad.network.inputSize = 5;
    expect(() => deserializeModel(bad, weights)).toThrow(/inputSize: expected 2 x 3 = 6/);
  });
});

/** One-hot symbols x<t> (V, m, T) drawn at random, and targets y<t> = x<t-1> (y<0> = x<0>): the output must remember the previous step. */
function echoData(V: number, m: number, T: number, seed: number): { X: Tensor; Y: Tensor; symbols: Int32Array } {
  const rng = new Rng(seed);
  const symbols = new Int32Array(m * T);
  const X = new Tensor([V, m, T], new Float32Array(V * m * T));
  const Y = new Tensor([V, m, T], new Float32Array(V * m * T));
  for (let j = 0; j < m; j++) {
    for (let t = 0; t < T; t++) {
      const s = Math.floor(rng.uniform() * V);
      symbols[j * T + t] = s;
      X.data[(s * m + j) * T + t] = 1;
      const prev = t === 0 ? s : symbols[j * T + t - 1]!;
      Y.data[(prev * m + j) * T + t] = 1;
    }
  }
  return { X, Y, symbols };
}

describeEachBackend('a sequence output learns (softmax at every step, mini-batches)', () => {
  it('an LSTM + timeDistributed softmax echoes the previous symbol: >= 95% of held-out steps right (seeded)', () => {
    const V = 4;
    const T = 5;
    const train = echoData(V, 256, T, 11);
    const test = echoData(V, 128, T, 12);
    const net = new Network({ inputShape: { sequence: [V, T] }, layers: [{ type: 'lstm', units: 12, returnSequences: true }, { type: 'timeDistributed', units: V, activation: 'softmax' }], seed: 3 });
    const h = fit(net, train.X, train.Y, { learningRate: 0.03, epochs: 30, batchSize: 32, optimizer: 'adam', clipNorm: 5 });
    expect(h.cost.at(-1)!).toBeLessThan(h.cost[0]! / 4);
    const labels = net.classify(test.X);
    expect(labels.shape).toEqual([1, 128, T]);
    let right = 0;
    for (let j = 0; j < 128; j++) for (let t = 0; t < T; t++) if (labels.data[j * T + t] === (t === 0 ? test.symbols[j * T] : test.symbols[j * T + t - 1])) right++;
    expect(right / (128 * T)).toBeGreaterThanOrEqual(0.95);
    // The cost of the test set is the mean over steps and examples, in chunks as in one batch.
    expect(Number.isFinite(net.cost(test.X, test.Y))).toBe(true);
  });
});

describe('embedding layer', () => {
  const indices = (m: number, T: number, vocab: number, seed: number): Tensor => {
    const rng = new Rng(seed);
    return new Tensor([1, m, T], Float64Array.from({ length: m * T }, () => Math.floor(rng.uniform() * vocab)));
  };
  it('gradient check (float64, < 1e-7): embedding -> lstm -> dense softmax over 4 steps', () => {
    const net = new Network({ inputShape: { sequence: [1, 4] }, layers: [{ type: 'embedding', vocab: 6, dim: 3, init: 'xavier' }, { type: 'lstm', units: 4 }, { units: 3, activation: 'softmax' }], dtype: 'float64', seed: 9 });
    const r = checkGradients(net, indices(5, 4, 6, 3), oneHot(5, 3), { epsilon: 1e-6 });
    expect(r.difference).toBeLessThan(1e-7);
    expect(Object.keys(net.parameters)[0]).toBe('E1');
  });
  it('looks up the rows of a given matrix; frozen, training leaves E as given', () => {
    const E = [
      [1, 2],
      [3, 4],
      [5, 6],
    ];
    const net = new Network({ inputShape: { sequence: [1, 2] }, layers: [{ type: 'embedding', vocab: 3, dim: 2, weights: E, trainable: false }, { type: 'gru', units: 2 }, { units: 1 }], seed: 1 });
    expect(Array.from(net.parameters.E1!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    fit(net, new Tensor([1, 4, 2], new Float32Array([0, 1, 2, 0, 1, 1, 2, 2])), [[1, 0, 1, 0]], { learningRate: 0.5, iterations: 5 });
    expect(Array.from(net.parameters.E1!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const { manifest, weights } = serializeModel(net);
    const back = deserializeModel(JSON.parse(JSON.stringify(manifest)), weights).network;
    expect(Array.from(back.parameters.E1!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(back.specs[0]).toEqual({ type: 'embedding', vocab: 3, dim: 2, trainable: false });
  });
  it('refuses indices outside the vocabulary, a matrix of the wrong shape, and a non-index input', () => {
    const net = new Network({ inputShape: { sequence: [1, 2] }, layers: [{ type: 'embedding', vocab: 3, dim: 2 }, { type: 'gru', units: 2 }, { units: 1 }] });
    expect(() => net.predict(new Tensor([1, 1, 2], new Float32Array([0, 3])))).toThrow(/integers in \[0, 3\).*got 3 at example 0, step 1/);
    expect(() => net.predict(new Tensor([1, 1, 2], new Float32Array([0.5, 1])))).toThrow(/got 0.5/);
    expect(() => new Network({ inputShape: { sequence: [1, 2] }, layers: [{ type: 'embedding', vocab: 3, dim: 2, weights: [[1, 2]] }, { type: 'gru', units: 2 }, { units: 1 }] })).toThrow(/expected the \(vocab, dim\) = \(3, 2\) matrix E, got \(1, 2\)/);
    expect(() => new Network({ inputShape: { sequence: [2, 2] }, layers: [{ type: 'embedding', vocab: 3, dim: 2 }, { type: 'gru', units: 2 }, { units: 1 }] })).toThrow(/reads indices \(1, m, T_x\)/);
  });
});
