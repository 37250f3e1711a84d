/**
 * Bidirectional recurrent layers and masking of padded steps (issue 16): float64 gradient checks
 * (each cell, several steps, with and without padding), a hand-computed masked simpleRnn, masked and
 * unmasked networks agreeing on full-length data, a padded example agreeing with the same example
 * unpadded in a shorter network (both directions), learning tests on every backend, the model format
 * round trip, and the bad inputs.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, deserializeModel, fit, getBackend, Network, Plan, Rng, serializeModel, StepMask, Tensor, type NetworkOptions } from '../../src/index.js';
import { backendNames, describeEachBackend, expectClose, withBackend } from '../helpers.js';

const CELLS = ['simpleRnn', 'lstm', 'gru'] as const;

/** Seeded sequences (n, m, T) in [-1, 1), zero from step lengths[j] on (padding at the end). */
function padded(n: number, lengths: readonly number[], T: number, seed: number): Tensor {
  const rng = new Rng(seed);
  const m = lengths.length;
  const t = new Tensor([n, m, T], new Float64Array(n * m * T));
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let s = 0; s < T; s++) t.data[(i * m + j) * T + s] = s < lengths[j]! ? 2 * rng.uniform() - 1 : 0;
  return t;
}

/** Seeded one-hot targets (k, m, T). */
function targets(k: number, m: number, T: number, seed: number): Tensor {
  const rng = new Rng(seed);
  const y = new Tensor([k, m, T], new Float64Array(k * m * T));
  for (let j = 0; j < m; j++) for (let s = 0; s < T; s++) y.data[(Math.floor(rng.uniform() * k) * m + j) * T + s] = 1;
  return y;
}

/** The gradients of one batch (Plan, training pass), by parameter, as plain arrays. */
function gradients(net: Network, X: Tensor, Y: Tensor): number[][] {
  const m = X.shape[1]!;
  const plan = new Plan(net, m, true);
  plan.input.data.set(X.data);
  plan.target.data.set(Y.data);
  plan.forward(true);
  plan.backward();
  const g = plan.paramGrads.map((t) => Array.from(t.data));
  plan.dispose();
  return g;
}

describeEachBackend('bidirectional and masked recurrent layers: gradient check (float64, < 1e-7)', () => {
  for (const cell of CELLS) {
    it(`${cell}: bidirectional, returnSequences -> timeDistributed softmax, T_x = 4`, () => {
      const net = new Network({ inputShape: { sequence: [3, 4] }, layers: [{ type: 'bidirectional', layer: { type: cell, units: 3, returnSequences: true } }, { type: 'timeDistributed', units: 3, activation: 'softmax' }], dtype: 'float64', seed: 2 });
      const r = checkGradients(net, padded(3, [4, 4, 4, 4, 4], 4, 1), targets(3, 5, 4, 3), { epsilon: 1e-6 });
      expect(r.difference).toBeLessThan(1e-7);
    });
    it(`${cell}: masking -> bidirectional (last states) -> dense softmax, lengths 5, 2, 4, 1, 3 of T_x = 5`, () => {
      const net = new Network({ inputShape: { sequence: [2, 5] }, layers: [{ type: 'masking' }, { type: 'bidirectional', layer: { type: cell, units: 3 } }, { units: 3, activation: 'softmax' }], dtype: 'float64', seed: 4 });
      const Y = [[1, 0, 0, 1, 0], [0, 1, 0, 0, 0], [0, 0, 1, 0, 1]];
      const r = checkGradients(net, padded(2, [5, 2, 4, 1, 3], 5, 5), Y, { epsilon: 1e-6 });
      expect(r.difference).toBeLessThan(1e-7);
    });
    it(`${cell}: masking -> bidirectional (sequences) -> ${cell} (sequences) -> timeDistributed softmax, loss over real steps only`, () => {
      const net = new Network({
        inputShape: { sequence: [2, 5] },
        layers: [{ type: 'masking' }, { type: 'bidirectional', layer: { type: cell, units: 2, returnSequences: true } }, { type: cell, units: 3, returnSequences: true }, { type: 'timeDistributed', units: 3, activation: 'softmax' }],
        dtype: 'float64',
        seed: 6,
      });
      const r = checkGradients(net, padded(2, [5, 3, 1, 4], 5, 7), targets(3, 4, 5, 8), { epsilon: 1e-6 });
      expect(r.difference).toBeLessThan(1e-7);
    });
    it(`${cell}: embedding maskZero -> ${cell} (sequences) -> timeDistributed sigmoid with l2`, () => {
      const net = new Network({
        inputShape: { sequence: [1, 4] },
        layers: [{ type: 'embedding', vocab: 5, dim: 3, maskZero: true }, { type: cell, units: 3, returnSequences: true }, { type: 'timeDistributed', units: 1, activation: 'sigmoid', l2: 0.2 }],
        dtype: 'float64',
        seed: 9,
      });
      const X = new Tensor([1, 3, 4], new Float64Array([2, 4, 1, 0, 3, 0, 0, 0, 1, 1, 2, 3]));
      const Y = new Tensor([1, 3, 4], new Float64Array([1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1]));
      const r = checkGradients(net, X, Y, { epsilon: 1e-6 });
      expect(r.difference).toBeLessThan(1e-7);
    });
  }
});

describe('masking: a 1-unit simpleRnn by hand (the last of 3 steps is padding)', () => {
  // x = (0.5, -1, pad); a<t> = tanh(Wax x<t> + Waa a<t-1> + ba); y^<t> = sigmoid(W a<t> + b); y = (1, 0, -).
  const [Wax, Waa, ba, W, b] = [0.8, 0.5, 0.1, 1.5, -0.2];
  const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
  const a1 = Math.tanh(Wax * 0.5 + ba);
  const a2 = Math.tanh(Wax * -1 + Waa * a1 + ba);
  const y1 = sigmoid(W * a1 + b);
  const y2 = sigmoid(W * a2 + b);
  const make = (): Network => {
    const net = new Network({ inputShape: { sequence: [1, 3] }, layers: [{ type: 'masking' }, { type: 'simpleRnn', units: 1, returnSequences: true }, { type: 'timeDistributed', units: 1, activation: 'sigmoid' }], dtype: 'float64' });
    const p = net.parameters;
    p.Wax1!.data[0] = Wax;
    p.Waa1!.data[0] = Waa;
    p.ba1!.data[0] = ba;
    p.W2!.data[0] = W;
    p.b2!.data[0] = b;
    return net;
  };
  const X = new Tensor([1, 1, 3], new Float64Array([0.5, -1, 0]));
  // The target of the padded step is ignored: any value gives the same cost and gradients.
  const Y = new Tensor([1, 1, 3], new Float64Array([1, 0, 1]));

  it('the output at the padded step is the carried state; the cost is the mean over the 2 real steps', () => {
    const net = make();
    const out = net.predict(X).data;
    expect(out[0]).toBeCloseTo(y1, 14);
    expect(out[1]).toBeCloseTo(y2, 14);
    expect(out[2]).toBeCloseTo(y2, 14);
    expect(net.cost(X, Y)).toBeCloseTo((-Math.log(y1) - Math.log(1 - y2)) / 2, 14);
    expect(net.cost(X, new Tensor([1, 1, 3], new Float64Array([1, 0, 0])))).toBe(net.cost(X, Y));
  });

  it('the gradients from the formulas (backpropagation through the 2 real steps)', () => {
    const dzy1 = (y1 - 1) / 2;
    const dzy2 = (y2 - 0) / 2;
    const dz2 = W * dzy2 * (1 - a2 * a2);
    const dz1 = (W * dzy1 + Waa * dz2) * (1 - a1 * a1);
    const expected = [dz1 * 0.5 + dz2 * -1, dz2 * a1, dz1 + dz2, dzy1 * a1 + dzy2 * a2, dzy1 + dzy2];
    const got = gradients(make(), X, Y).map((g) => g[0]!);
    expected.forEach((e, i) => expect(got[i]).toBeCloseTo(e, 14));
  });
});

describeEachBackend('masking changes nothing on full-length data; padding equals a shorter sequence', () => {
  for (const cell of CELLS) {
    it(`${cell}: masking -> bidirectional -> timeDistributed and the same without masking: identical outputs and gradients`, () => {
      const layers: NetworkOptions['layers'] = [{ type: 'bidirectional', layer: { type: cell, units: 3, returnSequences: true } }, { type: 'timeDistributed', units: 2, activation: 'softmax' }];
      const masked = new Network({ inputShape: { sequence: [2, 4] }, layers: [{ type: 'masking' }, ...layers], seed: 11 });
      const plain = new Network({ inputShape: { sequence: [2, 4] }, layers, seed: 11 });
      const X = padded(2, [4, 4, 4], 4, 12);
      const Y = targets(2, 3, 4, 13);
      const X32 = new Tensor(X.shape, Float32Array.from(X.data));
      const Y32 = new Tensor(Y.shape, Float32Array.from(Y.data));
      expect(Array.from(masked.predict(X32).data)).toEqual(Array.from(plain.predict(X32).data));
      expect(Math.abs(masked.cost(X32, Y32) - plain.cost(X32, Y32))).toBeLessThanOrEqual(1e-6);
      expect(gradients(masked, X32, Y32)).toEqual(gradients(plain, X32, Y32));
    });

    it(`${cell}: a padded example (3 of 6 steps) gives the outputs, cost and gradients of the same 3 steps in a T_x = 3 network`, () => {
      const layers = (mask: boolean): NetworkOptions['layers'] => [
        ...(mask ? [{ type: 'masking' as const }] : []),
        { type: 'bidirectional', layer: { type: cell, units: 3, returnSequences: true } },
        { type: 'timeDistributed', units: 2, activation: 'softmax' },
      ];
      const long = new Network({ inputShape: { sequence: [2, 6] }, layers: layers(true), dtype: 'float64', seed: 14 });
      const short = new Network({ inputShape: { sequence: [2, 3] }, layers: layers(false), dtype: 'float64', seed: 14 });
      for (const [name, t] of Object.entries(long.parameters)) expect(Array.from(short.parameters[name]!.data)).toEqual(Array.from(t.data));
      const X = padded(2, [3], 6, 15);
      const Xs = new Tensor([2, 1, 3], Float64Array.from([0, 1, 2, 6, 7, 8].map((i) => X.data[i]!)));
      const Y = targets(2, 1, 6, 16);
      const Ys = new Tensor([2, 1, 3], Float64Array.from([0, 1, 2, 6, 7, 8].map((i) => Y.data[i]!)));
      const out = long.predict(X).data;
      const outS = short.predict(Xs).data;
      for (const [i, k] of [0, 1, 2, 6, 7, 8].entries()) expect(out[k]).toBeCloseTo(outS[i]!, 12);
      expect(long.cost(X, Y)).toBeCloseTo(short.cost(Xs, Ys), 12);
      const g = gradients(long, X, Y);
      gradients(short, Xs, Ys).forEach((gs, p) => gs.forEach((v, i) => expect(g[p]![i]).toBeCloseTo(v, 12)));
    });
  }
});

describe('masking: examples with no real step', () => {
  it('count nothing: a batch of only padding costs 0 with zero gradients (no NaN); mixed in, the cost is the other examples\'', () => {
    const net = new Network({ inputShape: { sequence: [2, 3] }, layers: [{ type: 'masking' }, { type: 'bidirectional', layer: { type: 'gru', units: 2, returnSequences: true } }, { type: 'timeDistributed', units: 2, activation: 'softmax' }], dtype: 'float64', seed: 51 });
    const empty = padded(2, [0, 0], 3, 52);
    const Y = targets(2, 2, 3, 53);
    expect(net.cost(empty, Y)).toBe(0);
    for (const g of gradients(net, empty, Y)) for (const v of g) expect(v).toBe(0);
    const X = padded(2, [3, 0], 3, 54);
    const first = new Tensor([2, 1, 3], Float64Array.from([0, 1, 2, 6, 7, 8].map((i) => X.data[i]!)));
    const Y1 = new Tensor([2, 1, 3], Float64Array.from([0, 1, 2, 6, 7, 8].map((i) => Y.data[i]!)));
    expect(net.cost(X, Y)).toBeCloseTo(net.cost(first, Y1), 14);
  });
});

describe('bidirectional with masking: what each direction outputs at padded steps', () => {
  /** masking -> bidirectional(cell, 2 units, sequences) -> a linear timeDistributed output set to the identity, so predict shows the bidirectional output. */
  const make = (cell: (typeof CELLS)[number], T: number): Network => {
    const net = new Network({ inputShape: { sequence: [2, T] }, layers: [{ type: 'masking' }, { type: 'bidirectional', layer: { type: cell, units: 2, returnSequences: true } }, { type: 'timeDistributed', units: 4, activation: 'linear' }], dtype: 'float64', seed: 41 });
    const W = net.parameters.W2!;
    W.data.fill(0);
    for (let i = 0; i < 4; i++) W.data[i * 4 + i] = 1;
    return net;
  };
  for (const cell of CELLS) {
    it(`${cell}: trailing padding: the forward copy's carried last real state, the backward copy's zero start state`, () => {
      const out = make(cell, 4).predict(padded(2, [2], 4, 42)).data; // (4, 1, 4): rows 0-1 forward, 2-3 backward
      for (const t of [2, 3]) {
        for (const r of [0, 1]) expect(out[r * 4 + t]).toBe(out[r * 4 + 1]);
        for (const r of [2, 3]) expect(out[r * 4 + t]).toBe(0);
      }
      for (const r of [0, 1, 2, 3]) expect(out[r * 4]).not.toBe(0);
    });
    it(`${cell}: padding between real steps is skipped by both directions (the real steps' outputs are the sequence's without it)`, () => {
      const X = padded(2, [3], 3, 43);
      X.data[1] = 0;
      X.data[4] = 0; // step 2 of 3 padded
      const gap = make(cell, 3).predict(X).data;
      const joined = make(cell, 2).predict(new Tensor([2, 1, 2], Float64Array.from([X.data[0]!, X.data[2]!, X.data[3]!, X.data[5]!]))).data;
      for (let r = 0; r < 4; r++) {
        expect(gap[r * 3]).toBeCloseTo(joined[r * 2]!, 14);
        expect(gap[r * 3 + 2]).toBeCloseTo(joined[r * 2 + 1]!, 14);
      }
    });
  }
});

/**
 * Bits b<1..L> (L in 3..8 of T_x = 8, padded with zeros), one-hot [1, 0] / [0, 1]; the target at real step t
 * is the next bit b<t+1>, or class 2 ("end") at the last real step. Both need the future: the backward direction.
 */
function nextBitData(m: number, T: number, seed: number): { X: Tensor; Y: Tensor; lengths: number[]; bits: number[][] } {
  const rng = new Rng(seed);
  const X = new Tensor([2, m, T], new Float32Array(2 * m * T));
  const Y = new Tensor([3, m, T], new Float32Array(3 * m * T));
  const lengths: number[] = [];
  const bits: number[][] = [];
  for (let j = 0; j < m; j++) {
    const L = 3 + Math.floor(rng.uniform() * (T - 2));
    const b = Array.from({ length: L }, () => (rng.uniform() < 0.5 ? 0 : 1));
    lengths.push(L);
    bits.push(b);
    for (let t = 0; t < L; t++) {
      X.data[(b[t]! * m + j) * T + t] = 1;
      Y.data[((t + 1 < L ? b[t + 1]! : 2) * m + j) * T + t] = 1;
    }
    // Padded steps: X all zeros (masked); Y class 0 (ignored by the masked loss).
    for (let t = L; t < T; t++) Y.data[(0 * m + j) * T + t] = 1;
  }
  return { X, Y, lengths, bits };
}

/** The accuracy over real steps only. */
function realStepAccuracy(net: Network, d: ReturnType<typeof nextBitData>): number {
  const c = net.classify(d.X).data;
  const T = d.X.shape[2]!;
  let right = 0;
  let total = 0;
  d.lengths.forEach((L, j) => {
    for (let t = 0; t < L; t++) {
      total++;
      if (c[j * T + t] === (t + 1 < L ? d.bits[j]![t + 1]! : 2)) right++;
    }
  });
  return right / total;
}

describeEachBackend('learning with masking', () => {
  it('a masked bidirectional LSTM predicts the next bit and the end of variable-length sequences: >= 97% of held-out real steps (seed 3); a forward-only LSTM cannot (< 75%)', () => {
    const T = 8;
    const train = nextBitData(512, T, 1);
    const test = nextBitData(256, T, 2);
    const options = { learningRate: 0.03, epochs: 25, batchSize: 64, optimizer: 'adam' as const };
    const bi = new Network({ inputShape: { sequence: [2, T] }, layers: [{ type: 'masking' }, { type: 'bidirectional', layer: { type: 'lstm', units: 8, returnSequences: true } }, { type: 'timeDistributed', units: 3, activation: 'softmax' }], seed: 3 });
    fit(bi, train.X, train.Y, options);
    const fw = new Network({ inputShape: { sequence: [2, T] }, layers: [{ type: 'masking' }, { type: 'lstm', units: 16, returnSequences: true }, { type: 'timeDistributed', units: 3, activation: 'softmax' }], seed: 3 });
    fit(fw, train.X, train.Y, options);
    expect(realStepAccuracy(bi, test)).toBeGreaterThanOrEqual(0.97);
    expect(realStepAccuracy(fw, test)).toBeLessThan(0.75);
  });
});

describe('bidirectional with masking: the wasm kernels agree with the reference (float32)', () => {
  for (const cell of CELLS) {
    it(`${cell}: outputs and gradients within 1e-5`, () => {
      expect(backendNames()).toContain('wasm');
      const X32 = new Tensor([2, 4, 5], Float32Array.from(padded(2, [5, 3, 1, 4], 5, 31).data));
      const Y32 = new Tensor([3, 4, 5], Float32Array.from(targets(3, 4, 5, 32).data));
      const run = (backend: string): { out: number[]; grads: number[][] } =>
        withBackend(backend, () => {
          const net = new Network({ inputShape: { sequence: [2, 5] }, layers: [{ type: 'masking' }, { type: 'bidirectional', layer: { type: cell, units: 4, returnSequences: true } }, { type: 'timeDistributed', units: 3, activation: 'softmax' }], seed: 33 });
          return { out: Array.from(net.predict(X32).data), grads: gradients(net, X32, Y32) };
        });
      const js = run('js');
      const wasm = run('wasm');
      expectClose(wasm.out, js.out, 1e-5);
      wasm.grads.forEach((g, p) => expectClose(g, js.grads[p]!, 1e-5));
    });
  }
});

describe('bidirectional: names, summary, spec and the model format', () => {
  it('names each direction\'s parameters with _fw / _bw and shows the layer in the summary', () => {
    const net = new Network({ inputShape: { sequence: [3, 5] }, layers: [{ type: 'bidirectional', layer: { type: 'gru', units: 4, returnSequences: true } }, { type: 'bidirectional', layer: { type: 'simpleRnn', units: 2 } }, { units: 1 }] });
    expect(Object.keys(net.parameters)).toEqual([
      ...['Wr1', 'br1', 'Wu1', 'bu1', 'Wc1', 'bc1'].map((n) => `${n}_fw`),
      ...['Wr1', 'br1', 'Wu1', 'bu1', 'Wc1', 'bc1'].map((n) => `${n}_bw`),
      'Wax2_fw', 'Waa2_fw', 'ba2_fw', 'Wax2_bw', 'Waa2_bw', 'ba2_bw', 'W3', 'b3',
    ]);
    expect(net.parameters.Wr1_bw!.shape).toEqual([4, 7]);
    expect(net.parameters.Wax2_fw!.shape).toEqual([2, 8]);
    const s = net.summary();
    expect(s).toContain('bidirectional gru 4 seq');
    expect(s).toContain('(8, m, 5)');
    expect(s).toContain('(4, m)');
    expect(net.specs[0]).toEqual({ type: 'bidirectional', layer: { type: 'gru', units: 4, returnSequences: true } });
  });

  it('a trained masked bidirectional network saves and loads with bit-identical predictions', () => {
    const T = 6;
    const X = new Tensor([1, 8, T], new Float32Array(8 * T));
    const rng = new Rng(21);
    for (let j = 0; j < 8; j++) for (let t = 0; t < 2 + (j % 5); t++) X.data[j * T + t] = 1 + Math.floor(rng.uniform() * 6);
    const Y = targets(2, 8, T, 22);
    const net = new Network({ inputShape: { sequence: [1, T] }, layers: [{ type: 'embedding', vocab: 7, dim: 4, maskZero: true }, { type: 'bidirectional', layer: { type: 'lstm', units: 3, returnSequences: true }, trainable: true }, { type: 'timeDistributed', units: 2, activation: 'softmax' }], seed: 23 });
    fit(net, X, new Tensor(Y.shape, Float32Array.from(Y.data)), { learningRate: 0.05, epochs: 3, batchSize: 4, optimizer: 'adam' });
    const saved = serializeModel(net);
    const back = deserializeModel(JSON.parse(JSON.stringify(saved.manifest)), saved.weights).network;
    expect(back.specs).toEqual(net.specs);
    expect((back.specs[0] as { maskZero?: boolean }).maskZero).toBe(true);
    expect(Array.from(back.predict(X).data)).toEqual(Array.from(net.predict(X).data));
  });
});

describe('bad input', () => {
  const seq = { inputShape: { sequence: [2, 4] } as const };
  it('maskZero with a vocab of 1', () => {
    expect(() => new Network({ inputShape: { sequence: [1, 4] }, layers: [{ type: 'embedding', vocab: 1, dim: 2, maskZero: true }, { type: 'lstm', units: 2 }, { units: 1 }] })).toThrow(
      /layers\[0\]\.vocab: maskZero makes index 0 the padding token, so expected a vocab of at least 2 .*got 1/,
    );
  });
  it('maskZero that is not a boolean', () => {
    expect(() => new Network({ inputShape: { sequence: [1, 4] }, layers: [{ type: 'embedding', vocab: 3, dim: 2, maskZero: 'yes' as unknown as boolean }, { type: 'lstm', units: 2 }, { units: 1 }] })).toThrow(/layers\[0\]\.maskZero: expected true or false, got "yes"/);
  });
  it('masking on a flat input', () => {
    expect(() => new Network({ inputSize: 3, layers: [{ type: 'masking' }, { units: 1 }] })).toThrow(/layers\[0\]: a masking layer marks padded steps of a sequence input .*got \(3, m\)/);
  });
  it('masking anywhere but first, and input dropout before it', () => {
    expect(() => new Network({ ...seq, layers: [{ type: 'lstm', units: 2, returnSequences: true }, { type: 'masking' }, { type: 'lstm', units: 2 }, { units: 1 }] })).toThrow(/layers\[1\]: a masking layer that marks padding must be the network's first layer/);
    expect(() => new Network({ ...seq, inputKeepProb: 0.8, layers: [{ type: 'masking' }, { type: 'lstm', units: 2 }, { units: 1 }] })).toThrow(/inputKeepProb: input dropout would change the values layers\[0\] \(masking\) reads .*got 0\.8/);
  });
  it('a masking value that is not a finite number', () => {
    expect(() => new Network({ ...seq, layers: [{ type: 'masking', value: NaN }, { type: 'lstm', units: 2 }, { units: 1 }] })).toThrow(/layers\[0\]\.value: expected a finite number .*got NaN/);
  });
  it('a bidirectional layer without a recurrent layer, or on a flat input', () => {
    expect(() => new Network({ ...seq, layers: [{ type: 'bidirectional', layer: { type: 'dense', units: 3 } as never }, { units: 1 }] })).toThrow(/layers\[0\]\.layer: expected a recurrent layer spec .*got \{"type":"dense","units":3\}|layers\[0\]\.layer: expected a recurrent layer spec/);
    expect(() => new Network({ ...seq, layers: [{ type: 'bidirectional' } as never, { units: 1 }] })).toThrow(/layers\[0\]\.layer: expected a recurrent layer spec .*got undefined/);
    expect(() => new Network({ ...seq, layers: [{ type: 'bidirectional', layer: { type: 'lstm', units: 2, trainable: false } }, { units: 1 }] })).toThrow(/layers\[0\]\.layer\.trainable: give trainable on the bidirectional layer/);
    expect(() => new Network({ ...seq, layers: [{ type: 'bidirectional', layer: { type: 'lstm', units: 2, bogus: 1 } as never }, { units: 1 }] })).toThrow(/layers\[0\]\.layer\.bogus/);
    expect(() => new Network({ inputSize: 4, layers: [{ type: 'bidirectional', layer: { type: 'gru', units: 2 } }, { units: 1 }] })).toThrow(/layers\[0\]\.layer: a gru layer needs a sequence input \(n_x, m, T_x\), got \(4, m\)/);
  });
  it('a StepMask of a bad size, or of another shape than the layer compiled with it', () => {
    expect(() => new StepMask(0, 3)).toThrow(/StepMask: m: expected a positive integer.*got 0/);
    expect(() => new StepMask(2, 1.5)).toThrow(/StepMask: steps: expected a positive integer.*got 1\.5/);
    const net = new Network({ ...seq, layers: [{ type: 'masking' }, { type: 'bidirectional', layer: { type: 'gru', units: 2 } }, { units: 1 }] });
    const options = { be: getBackend(), m: 3, dtype: 'float32' as const, withBackward: true, rng: new Rng(1) };
    expect(() => net.layerStack[1]!.compile({ ...options, mask: new StepMask(3, 5) })).toThrow(/gru: mask: expected a padding mask \(m, T\) = \(3, 4\) for the layer's batch and steps, got \(3, 5\)/);
    expect(() => net.layerStack[0]!.compile({ ...options, mask: new StepMask(2, 4) })).toThrow(/masking: mask: expected a padding mask \(m, T\) = \(3, 4\) .*got \(2, 4\)/);
  });
  it('a mask reaching a layer that does not read it', () => {
    // A dense layer after the sequence ends is fine; the sequence itself must not reach a layer that ignores the mask.
    expect(() => new Network({ ...seq, layers: [{ type: 'masking' }, { type: 'lstm', units: 2 }, { units: 1 }] })).not.toThrow();
    expect(() => new Network({ inputShape: { sequence: [1, 4] }, layers: [{ type: 'embedding', vocab: 5, dim: 4, maskZero: true }, { type: 'transformerEncoder', heads: 2 }, { type: 'globalAveragePool1d' }, { units: 1 }] })).not.toThrow();
    expect(() => new Network({ ...seq, layers: [{ type: 'masking' }, { type: 'lstm', units: 3, returnSequences: true }, { type: 'attention', steps: 2, units: 3 }, { type: 'timeDistributed', units: 2, activation: 'softmax' }] })).toThrow(
      /layers\[2\]: the attention layer does not read the padding mask of layers\[0\], so padded steps would count; expected simpleRnn, lstm, gru, bidirectional, .* got attention/,
    );
    expect(() => new Network({ inputShape: { sequence: [1, 4] }, layers: [{ type: 'embedding', vocab: 3, dim: 2, maskZero: true }, { type: 'masking' }, { type: 'lstm', units: 2 }, { units: 1 }] })).toThrow(
      /layers\[1\]: a masking layer that marks padding must be the network's first layer/,
    );
  });
});
