/**
 * The transformer's layers in the object API (issue 16, section 2): layerNorm,
 * positionalEncoding, multiHeadAttention (optionally causal), transformerEncoder
 * and globalAveragePool1d. Values computed by hand from the course's formulas,
 * float64 gradient checks < 1e-7 on every backend, the causal mask's promise,
 * a save/load round trip, a learning test that needs attention across steps,
 * and each bad argument against its message.
 */
import { describe, expect, it } from 'vitest';
import { backendFor, checkGradients, compareGradients, deserializeModel, fit, Network, Rng, serializeModel, StepMask, Tensor, type AnyLayer, type NetworkOptions } from '../../src/index.js';
import { backendNames, describeEachBackend, expectClose, fitAllocatesNoTensors, withBackend } from '../helpers.js';

/** Seeded values in [-1, 1) of the given shape. */
function uniform(shape: number[], seed: number, dtype: 'float32' | 'float64' = 'float64'): Tensor {
  const rng = new Rng(seed);
  const size = shape.reduce((p, d) => p * d, 1);
  const t = new Tensor(shape, dtype === 'float64' ? new Float64Array(size) : new Float32Array(size));
  for (let i = 0; i < size; i++) t.data[i] = 2 * rng.uniform() - 1;
  return t;
}

/** One-hot labels (k, m): example j is class j mod k. */
function oneHot(m: number, k: number): number[][] {
  return Array.from({ length: k }, (_, r) => Array.from({ length: m }, (_, j) => (j % k === r ? 1 : 0)));
}

/** One-hot sequence labels (k, m, T): example j at step t is class (j + t) mod k. */
function sequenceLabels(k: number, m: number, T: number): Tensor {
  const Y = new Tensor([k, m, T], new Float64Array(k * m * T));
  for (let j = 0; j < m; j++) for (let t = 0; t < T; t++) Y.data[(((j + t) % k) * m + j) * T + t] = 1;
  return Y;
}

/** Runs one layer of a built network forward on x (a prediction pass compiled for x's batch). */
function runLayer(layer: AnyLayer, x: Tensor, m: number): Tensor {
  const be = backendFor(x.dtype);
  const c = layer.compile({ be, m, dtype: x.dtype, withBackward: false, rng: new Rng(0) });
  const input = be.zeros(x.shape, x.dtype);
  input.data.set(x.data);
  const out = c.forward(input, false, false);
  return new Tensor(out.shape, Float64Array.from(out.data));
}

describe('transformer layers: values computed by hand', () => {
  it('layerNorm of (1, 2, 3, 4): mean 2.5, variance 1.25, then gamma and beta per feature', () => {
    const net = new Network({ inputSize: 4, layers: [{ type: 'layerNorm' }, { units: 2, activation: 'softmax' }], dtype: 'float64' });
    const ln = net.stack[0]!;
    const x = new Tensor([4, 2], new Float64Array([1, -3, 2, 0, 3, 0, 4, 3]));
    // Example 0 is (1, 2, 3, 4); example 1 is (-3, 0, 0, 3): mean 0, variance 4.5.
    const e = 1e-6;
    const s0 = Math.sqrt(1.25 + e);
    const s1 = Math.sqrt(4.5 + e);
    expectClose(runLayer(ln, x, 2), [[-1.5 / s0, -3 / s1], [-0.5 / s0, 0], [0.5 / s0, 0], [1.5 / s0, 3 / s1]], 1e-12);
    expect(ln.params.map((p) => p.name)).toEqual(['gamma1', 'beta1']);
    ln.params[0]!.tensor.data.set([2, 1, 1, 1]);
    ln.params[1]!.tensor.data.set([0, 0, 1, 0]);
    expectClose(runLayer(ln, x, 2), [[-3 / s0, -6 / s1], [-0.5 / s0, 0], [0.5 / s0 + 1, 1], [1.5 / s0, 3 / s1]], 1e-12);
  });

  it('positionalEncoding adds PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...): d = 4, positions 0 and 1', () => {
    const net = new Network({ inputShape: { sequence: [4, 2] }, layers: [{ type: 'positionalEncoding' }, { type: 'timeDistributed', units: 2, activation: 'softmax' }], dtype: 'float64' });
    // Two examples: zeros, and ones (so the sum shows).
    const x = new Tensor([4, 2, 2], new Float64Array(16));
    for (let k = 0; k < 4; k++) x.data.set([1, 1], k * 4 + 2);
    const out = runLayer(net.stack[0]!, x, 2);
    const pe = [
      [0, Math.sin(1)],
      [1, Math.cos(1)],
      [0, Math.sin(1 / 100)], // 10000^(2/4) = 100
      [1, Math.cos(1 / 100)],
    ];
    for (let k = 0; k < 4; k++) {
      for (let t = 0; t < 2; t++) {
        expect(out.data[k * 4 + t]).toBeCloseTo(pe[k]![t]!, 14);
        expect(out.data[k * 4 + 2 + t]).toBeCloseTo(pe[k]![t]! + 1, 14);
      }
    }
  });

  /** A 1-head attention over x<1> = (1, 0), x<2> = (0, 2) with identity projections and zero biases. */
  function identityAttention(causal: boolean): Tensor {
    const net = new Network({ inputShape: { sequence: [2, 2] }, layers: [{ type: 'multiHeadAttention', heads: 1, causal }, { type: 'timeDistributed', units: 2, activation: 'softmax' }], dtype: 'float64' });
    const mha = net.stack[0]!;
    expect(mha.params.map((p) => p.name)).toEqual(['Wq1', 'bq1', 'Wk1', 'bk1', 'Wv1', 'bv1', 'Wo1', 'bo1']);
    for (const p of mha.params) p.tensor.data.set(p.name.startsWith('W') ? [1, 0, 0, 1] : [0, 0]);
    // (d, m, T) = (2, 1, 2): row k holds feature k at steps 1, 2.
    return runLayer(mha, new Tensor([2, 1, 2], new Float64Array([1, 0, 0, 2])), 1);
  }

  it('multiHeadAttention, 1 head, identity projections: softmax(x<t> . x<s> / sqrt(2)) weights over the steps', () => {
    const out = identityAttention(false);
    // Step 1: scores (1, 0) / sqrt 2, weight a on x<1>; step 2: scores (0, 4) / sqrt 2, weight b on x<1>.
    const a = 1 / (1 + Math.exp(-1 / Math.SQRT2));
    const b = 1 / (1 + Math.exp(4 / Math.SQRT2));
    expectClose(out, [a, b, 2 * (1 - a), 2 * (1 - b)], 1e-12);
  });

  it('causal multiHeadAttention: step 1 sees only itself (output x<1>), step 2 both steps', () => {
    const out = identityAttention(true);
    const b = 1 / (1 + Math.exp(4 / Math.SQRT2));
    expectClose(out, [1, b, 0, 2 * (1 - b)], 1e-12);
  });

  it('globalAveragePool1d: the mean over the steps, (n, m, T) -> (n, m)', () => {
    const net = new Network({ inputShape: { sequence: [2, 3] }, layers: [{ type: 'globalAveragePool1d' }, { units: 2, activation: 'softmax' }], dtype: 'float64' });
    // Feature 0: example 0 (1, 2, 6), example 1 (0, 0, 3); feature 1: (-1, -1, -1), (4, 5, 6).
    const x = new Tensor([2, 2, 3], new Float64Array([1, 2, 6, 0, 0, 3, -1, -1, -1, 4, 5, 6]));
    expectClose(runLayer(net.stack[0]!, x, 2), [[3, 1], [-1, 5]], 1e-15);
  });

  it('a causal encoder: changing a later step leaves the earlier steps\' outputs as they were', () => {
    const net = new Network({
      inputShape: { sequence: [4, 5] },
      layers: [{ type: 'positionalEncoding' }, { type: 'transformerEncoder', heads: 2, ff: 8, causal: true }, { type: 'multiHeadAttention', heads: 4, causal: true }, { type: 'timeDistributed', units: 3, activation: 'softmax' }],
      dtype: 'float64',
      seed: 3,
    });
    const x = uniform([4, 2, 5], 1);
    const before = net.predict(x);
    const changed = new Tensor(x.shape, Float64Array.from(x.data));
    for (let k = 0; k < 4; k++) for (let j = 0; j < 2; j++) changed.data[(k * 2 + j) * 5 + 3] = x.data[(k * 2 + j) * 5 + 3]! + 0.7; // step 4 of 5
    const after = net.predict(changed);
    let moved = 0;
    for (let i = 0; i < before.size; i++) {
      const t = i % 5;
      if (t < 3) expect(after.data[i]).toBe(before.data[i]);
      else moved = Math.max(moved, Math.abs(after.data[i]! - before.data[i]!));
    }
    expect(moved).toBeGreaterThan(1e-4);
    // Without the mask, the first steps move too.
    const open = new Network({ inputShape: { sequence: [4, 5] }, layers: [{ type: 'multiHeadAttention', heads: 2 }, { type: 'timeDistributed', units: 3, activation: 'softmax' }], dtype: 'float64', seed: 3 });
    expect(Math.abs(open.predict(changed).data[0]! - open.predict(x).data[0]!)).toBeGreaterThan(1e-6); // example 1, step 1
  });
});

/** A padding mask of m examples of T steps where example j has `lengths[j]` real steps, then padding. */
function paddingMask(lengths: readonly number[], T: number): StepMask {
  const mask = new StepMask(lengths.length, T);
  lengths.forEach((n, j) => mask.values.fill(0, j * T + n, (j + 1) * T));
  mask.update();
  return mask;
}

/**
 * A float64 layer compiled with a padding mask: L = sum(R * output) for fixed R; backward's dIn and
 * m times its parameter gradients against central differences of L. Returns the relative difference.
 */
function maskedGradientCheck(layer: AnyLayer, x: Tensor, mask: StepMask): number {
  const be = backendFor('float64');
  const m = mask.m;
  const c = layer.compile({ be, m, dtype: 'float64', withBackward: true, rng: new Rng(0), mask });
  const R = uniform(batchShapeOf(layer.outputShape, m), 31);
  const loss = (): number => {
    const out = c.forward(x, true, false);
    let sum = 0;
    for (let i = 0; i < out.size; i++) sum += R.data[i]! * out.data[i]!;
    return sum;
  };
  loss();
  const dIn = be.zeros(x.shape, 'float64');
  c.backward(x, new Tensor(R.shape, Float64Array.from(R.data)), dIn, false);
  // The layer's parameter gradients are (1/m) dL/dtheta (the cost is the mean over examples).
  const grads = c.grads.map((g) => new Tensor(g.shape, Float64Array.from(g.data, (v) => v * m)));
  return compareGradients([x, ...layer.trainableParams.map((p) => p.tensor)], [dIn, ...grads], loss, 1e-6).difference;
}

function batchShapeOf(s: AnyLayer['outputShape'], m: number): number[] {
  return s.kind === 'sequence' ? [s.units, m, s.steps] : s.kind === 'flat' ? [s.units, m] : [m, s.h, s.w, s.c];
}

describe('transformer layers with a padding mask (StepMask, compiled directly)', () => {
  it('multiHeadAttention: the real steps\' outputs are those of the same sequence without its padded tail, whatever the padding holds', () => {
    const layers = (T: number): NetworkOptions => ({ inputShape: { sequence: [4, T] }, layers: [{ type: 'multiHeadAttention', heads: 2 }, { type: 'timeDistributed', units: 2, activation: 'softmax' }], dtype: 'float64', seed: 5 });
    const long = new Network(layers(5)).stack[0]!;
    const short = new Network(layers(3)).stack[0]!;
    const x = uniform([4, 1, 5], 2);
    const be = backendFor('float64');
    const run = (l: AnyLayer, input: Tensor, mask: StepMask | null) => Array.from(l.compile({ be, m: 1, dtype: 'float64', withBackward: false, rng: new Rng(0), mask }).forward(input, false, false).data);
    const prefix = new Tensor([4, 1, 3], new Float64Array(12));
    for (let k = 0; k < 4; k++) for (let t = 0; t < 3; t++) prefix.data[k * 3 + t] = x.data[k * 5 + t]!;
    const want = run(short, prefix, null);
    const got = run(long, x, paddingMask([3], 5));
    for (let k = 0; k < 4; k++) for (let t = 0; t < 3; t++) expect(got[k * 5 + t]).toBeCloseTo(want[k * 3 + t]!, 12);
    // Without the mask the padded steps change the real ones.
    expect(Math.abs(run(long, x, null)[0]! - want[0]!)).toBeGreaterThan(1e-6);
  });

  it('end to end: embedding with maskZero -> encoder -> pool: a padded sequence predicts as its real steps in a shorter network', () => {
    const net = (T: number) =>
      new Network({
        inputShape: { sequence: [1, T] },
        layers: [{ type: 'embedding', vocab: 6, dim: 8, maskZero: true }, { type: 'positionalEncoding' }, { type: 'transformerEncoder', heads: 2, ff: 8 }, { type: 'globalAveragePool1d' }, { units: 2, activation: 'softmax' }],
        dtype: 'float64',
        seed: 8,
      });
    const padded = net(6).predict([[[3, 1, 4, 0, 0, 0], [5, 2, 1, 1, 2, 0]]]);
    expectClose(padded.data.filter((_, i) => i % 2 === 0), net(3).predict([[[3, 1, 4]]]).data, 1e-12);
    expectClose(padded.data.filter((_, i) => i % 2 === 1), net(5).predict([[[5, 2, 1, 1, 2]]]).data, 1e-12);
  });

  it('globalAveragePool1d: the mean over each example\'s real steps', () => {
    const pool = new Network({ inputShape: { sequence: [2, 3] }, layers: [{ type: 'globalAveragePool1d' }, { units: 2, activation: 'softmax' }], dtype: 'float64' }).stack[0]!;
    const x = new Tensor([2, 2, 3], new Float64Array([1, 2, 6, 0, 4, 3, -1, -3, 7, 4, 5, 6]));
    const out = pool.compile({ be: backendFor('float64'), m: 2, dtype: 'float64', withBackward: false, rng: new Rng(0), mask: paddingMask([2, 1], 3) }).forward(x, false, false);
    expectClose(out, [[1.5, 0], [-2, 4]], 1e-15);
  });

  it('gradients with padding (float64, < 1e-7): multiHeadAttention (plain and causal), the encoder block, globalAveragePool1d', () => {
    const mask = paddingMask([5, 3, 1], 5);
    const build = (layers: NetworkOptions['layers']) => new Network({ inputShape: { sequence: [4, 5] }, layers, dtype: 'float64', seed: 9 }).stack[0]!;
    const x = uniform([4, 3, 5], 4);
    const tail: NetworkOptions['layers'] = [{ type: 'timeDistributed', units: 2, activation: 'softmax' }];
    expect(maskedGradientCheck(build([{ type: 'multiHeadAttention', heads: 2 }, ...tail]), x, mask)).toBeLessThan(1e-7);
    expect(maskedGradientCheck(build([{ type: 'multiHeadAttention', heads: 2, causal: true }, ...tail]), x, mask)).toBeLessThan(1e-7);
    expect(maskedGradientCheck(build([{ type: 'transformerEncoder', heads: 2, ff: 6 }, ...tail]), x, mask)).toBeLessThan(1e-7);
    expect(maskedGradientCheck(build([{ type: 'globalAveragePool1d' }, { units: 2, activation: 'softmax' }]), x, mask)).toBeLessThan(1e-7);
  });
});

describeEachBackend('transformer layers: gradient check (float64, < 1e-7)', () => {
  it('layerNorm over a sequence (per step) and over a flat hidden layer', () => {
    const seq = new Network({
      inputShape: { sequence: [4, 3] },
      layers: [{ type: 'timeDistributed', units: 5, activation: 'tanh' }, { type: 'layerNorm' }, { type: 'timeDistributed', units: 3, activation: 'softmax' }],
      dtype: 'float64',
      seed: 2,
    });
    // gamma and beta away from 1 and 0, so their gradients and the input's are each exercised.
    const [gamma, beta] = seq.stack[1]!.params;
    gamma!.tensor.data.set(uniform([5, 1], 9).data.map((v) => 1 + v / 2));
    beta!.tensor.data.set(uniform([5, 1], 10).data);
    expect(checkGradients(seq, uniform([4, 6, 3], 1), sequenceLabels(3, 6, 3), { epsilon: 1e-6 }).difference).toBeLessThan(1e-7);
    const flat = new Network({ inputSize: 3, layers: [{ units: 5, activation: 'tanh' }, { type: 'layerNorm', epsilon: 1e-3 }, { units: 3, activation: 'softmax' }], dtype: 'float64', seed: 4 });
    expect(checkGradients(flat, uniform([3, 7], 3), oneHot(7, 3), { epsilon: 1e-6 }).difference).toBeLessThan(1e-7);
  });

  for (const causal of [false, true]) {
    it(`multiHeadAttention, 2 heads${causal ? ', causal' : ''} -> timeDistributed softmax`, () => {
      const net = new Network({
        inputShape: { sequence: [4, 3] },
        layers: [{ type: 'multiHeadAttention', heads: 2, causal }, { type: 'timeDistributed', units: 3, activation: 'softmax' }],
        dtype: 'float64',
        seed: 5,
      });
      // Non-zero biases, so their gradients are checked where they matter.
      for (const p of net.stack[0]!.params) if (p.name.startsWith('b')) p.tensor.data.set(uniform([4, 1], p.name.length + 20).data);
      const r = checkGradients(net, uniform([4, 5, 3], 6), sequenceLabels(3, 5, 3), { epsilon: 1e-6 });
      expect(r.difference).toBeLessThan(1e-7);
      expect(r.grad.length).toBe(4 * 16 + 4 * 4 + 3 * 4 + 3); // Wq, Wk, Wv, Wo (4, 4) and their biases, then W2, b2
    });
  }

  it('the whole encoder block (keepProb 1) between positionalEncoding and globalAveragePool1d -> dense softmax', () => {
    const net = new Network({
      inputShape: { sequence: [4, 3] },
      layers: [{ type: 'positionalEncoding' }, { type: 'transformerEncoder', heads: 2, ff: 6 }, { type: 'globalAveragePool1d' }, { units: 3, activation: 'softmax' }],
      dtype: 'float64',
      seed: 7,
    });
    expect(Object.keys(net.parameters)).toEqual(['Wq1', 'bq1', 'Wk1', 'bk1', 'Wv1', 'bv1', 'Wo1', 'bo1', 'gamma2', 'beta2', 'W3', 'b3', 'W4', 'b4', 'gamma5', 'beta5', 'W6', 'b6']);
    const r = checkGradients(net, uniform([4, 5, 3], 8), oneHot(5, 3), { epsilon: 1e-6 });
    expect(r.difference).toBeLessThan(1e-7);
  });
});

/**
 * "Does the first token appear again later?": sequences of T tokens from a vocabulary of V, half of
 * them with the first token repeated at a random later step, half with it nowhere else. The label
 * depends on comparing step 1 with every other step, which the mean over steps of per-token vectors
 * cannot do: attention from step 1 to the steps holding its own token can.
 */
function repeatTask(m: number, T: number, V: number, seed: number): { X: Tensor; Y: Tensor; labels: number[] } {
  const rng = new Rng(seed);
  const X = new Tensor([1, m, T], new Float32Array(m * T));
  const Y = new Tensor([2, m], new Float32Array(2 * m));
  const labels: number[] = [];
  const draw = (n: number) => Math.min(n - 1, Math.floor(rng.uniform() * n));
  for (let j = 0; j < m; j++) {
    const first = draw(V);
    const repeat = j % 2;
    for (let t = 1; t < T; t++) {
      let tok = draw(V - 1);
      if (tok >= first) tok++; // any token but the first
      X.data[j * T + t] = tok;
    }
    X.data[j * T] = first;
    if (repeat) X.data[j * T + 1 + draw(T - 1)] = first;
    Y.data[repeat * m + j] = 1;
    labels.push(repeat);
  }
  return { X, Y, labels };
}

function accuracy(net: Network, X: Tensor, labels: readonly number[]): number {
  const A = net.predict(X);
  let right = 0;
  for (let j = 0; j < labels.length; j++) if ((A.get(1, j) > A.get(0, j) ? 1 : 0) === labels[j]) right++;
  return right / labels.length;
}

describeEachBackend('a transformer encoder learns a task that needs attention across steps', () => {
  const [T, V] = [5, 4];
  const train = repeatTask(1024, T, V, 1);
  const test = repeatTask(512, T, V, 2);
  const head: NetworkOptions['layers'] = [{ type: 'embedding', vocab: V, dim: 8, init: 'xavier' }, { type: 'positionalEncoding' }];
  const tail: NetworkOptions['layers'] = [{ type: 'globalAveragePool1d' }, { units: 2, activation: 'softmax' }];
  const options = { learningRate: 0.02, epochs: 40, batchSize: 64, optimizer: 'adam' } as const;

  it('embedding -> positionalEncoding -> transformerEncoder (2 heads) -> globalAveragePool1d -> softmax: >= 95% on held-out sequences (seeded)', () => {
    const net = new Network({ inputShape: { sequence: [1, T] }, layers: [...head, { type: 'transformerEncoder', heads: 2, ff: 16 }, ...tail], seed: 4 });
    const h = fit(net, train.X, train.Y, options);
    expect(h.cost.at(-1)!).toBeLessThan(h.cost[0]! / 3);
    expect(accuracy(net, test.X, test.labels)).toBeGreaterThanOrEqual(0.95);
  });

  it('the same network without the encoder stays near chance (< 70%): the task needs attention', () => {
    const net = new Network({ inputShape: { sequence: [1, T] }, layers: [...head, ...tail], seed: 4 });
    fit(net, train.X, train.Y, options);
    expect(accuracy(net, test.X, test.labels)).toBeLessThan(0.7);
  });
});

describeEachBackend('transformer layers: training allocates no tensors per step', (backend) => {
  it('fit of embedding -> PE -> causal encoder with dropout -> pool -> softmax: no zeros() call and the same wasm heap between iterations 20 and 220', () => {
    const { X, Y } = repeatTask(64, 5, 4, 3);
    const net = new Network({
      inputShape: { sequence: [1, 5] },
      layers: [{ type: 'embedding', vocab: 4, dim: 8 }, { type: 'positionalEncoding' }, { type: 'transformerEncoder', heads: 2, ff: 8, keepProb: 0.9, causal: true }, { type: 'globalAveragePool1d' }, { units: 2, activation: 'softmax' }],
      seed: 1,
    });
    fitAllocatesNoTensors(backend, net, X, Y, { learningRate: 0.01, epochs: 60, batchSize: 16, optimizer: 'adam' }, [20, 220]);
  });
});

/**
 * A copy task for a language model: 4 random tokens of 5, then the same 4 again and the first once
 * more; y<t> = x<t+1>. The first half's next tokens are random; every next token of the second
 * half is the token 4 steps back, which a causal model finds only by attending to earlier steps.
 */
function copyTask(m: number, seed: number): { X: Tensor; Y: Tensor } {
  const [H, V] = [4, 5];
  const T = 2 * H;
  const rng = new Rng(seed);
  const X = new Tensor([1, m, T], new Float32Array(m * T));
  const Y = new Tensor([V, m, T], new Float32Array(V * m * T));
  for (let j = 0; j < m; j++) {
    const s = Array.from({ length: H }, () => Math.min(V - 1, Math.floor(rng.uniform() * V)));
    const seq = [...s, ...s, s[0]!];
    for (let t = 0; t < T; t++) {
      X.data[j * T + t] = seq[t]!;
      Y.data[(seq[t + 1]! * m + j) * T + t] = 1;
    }
  }
  return { X, Y };
}

describeEachBackend('a causal encoder learns a language model that needs attention to earlier steps', () => {
  it('embedding -> PE -> causal transformerEncoder -> timeDistributed softmax: >= 95% next-token accuracy over the second half of held-out copy sequences', () => {
    const [m, T, V] = [256, 8, 5];
    const train = copyTask(512, 1);
    const test = copyTask(m, 2);
    const net = new Network({
      inputShape: { sequence: [1, T] },
      layers: [{ type: 'embedding', vocab: V, dim: 8 }, { type: 'positionalEncoding' }, { type: 'transformerEncoder', heads: 2, ff: 16, causal: true }, { type: 'timeDistributed', units: V, activation: 'softmax' }],
      seed: 3,
    });
    fit(net, train.X, train.Y, { learningRate: 0.02, epochs: 30, batchSize: 64, optimizer: 'adam' });
    const A = net.predict(test.X);
    const at = (t: Tensor, v: number, j: number, step: number) => t.data[(v * m + j) * T + step]!;
    let right = 0;
    for (let j = 0; j < m; j++) {
      for (let step = 4; step < T; step++) {
        let best = 0;
        for (let v = 1; v < V; v++) if (at(A, v, j, step) > at(A, best, j, step)) best = v;
        if (at(test.Y, best, j, step) === 1) right++;
      }
    }
    expect(right / (m * 4)).toBeGreaterThanOrEqual(0.95);
  });
});

describe('transformer layers: float32 on the js and wasm backends agree', () => {
  it('the same seeded encoder network predicts within 1e-5 before and after 3 epochs of adam', () => {
    expect(backendNames()).toEqual(expect.arrayContaining(['js', 'wasm']));
    const { X, Y } = repeatTask(48, 5, 4, 5);
    const run = (backend: string) =>
      withBackend(backend, () => {
        const net = new Network({
          inputShape: { sequence: [1, 5] },
          layers: [{ type: 'embedding', vocab: 4, dim: 8 }, { type: 'positionalEncoding' }, { type: 'transformerEncoder', heads: 2, ff: 8, causal: true }, { type: 'layerNorm' }, { type: 'globalAveragePool1d' }, { units: 2, activation: 'softmax' }],
          seed: 2,
        });
        const before = Array.from(net.predict(X).data);
        fit(net, X, Y, { learningRate: 0.01, epochs: 3, batchSize: 16, optimizer: 'adam', shuffle: false });
        return { before, after: Array.from(net.predict(X).data) };
      });
    const js = run('js');
    const wasm = run('wasm');
    expectClose(wasm.before, js.before, 1e-5);
    expectClose(wasm.after, js.after, 1e-5);
    expect(Math.max(...js.after.map((v, i) => Math.abs(v - js.before[i]!)))).toBeGreaterThan(1e-3); // training moved it
  });
});

describe('transformer layers: save and load', () => {
  it('a saved encoder network loads with bit-identical predictions (float32 and float64), dropout and causal kept', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const net = new Network({
        inputShape: { sequence: [4, 3] },
        layers: [
          { type: 'positionalEncoding' },
          { type: 'layerNorm', epsilon: 1e-4 },
          { type: 'transformerEncoder', heads: 2, ff: 5, keepProb: 0.9, causal: true },
          { type: 'multiHeadAttention', heads: 4, trainable: false },
          { type: 'globalAveragePool1d' },
          { units: 2, activation: 'softmax' },
        ],
        dtype,
        seed: 11,
      });
      const x = uniform([4, 6, 3], 12, dtype);
      fit(net, x, oneHot(6, 2), { learningRate: 0.05, epochs: 2 });
      const { manifest, weights } = serializeModel(net);
      const loaded = deserializeModel(JSON.parse(JSON.stringify(manifest)), weights).network;
      expect(loaded.stack.map((l) => l.toSpec())).toEqual(net.stack.map((l) => l.toSpec()));
      expect(Array.from(loaded.predict(x).data)).toEqual(Array.from(net.predict(x).data));
      expect(net.summary()).toContain('transformerEncoder 2x2 ff 5 causal dropout 0.9');
    }
  });
});

describe('transformer layers: a frozen encoder', () => {
  it('trainable: false keeps every encoder parameter while the embedding below still learns through it', () => {
    const { X, Y } = repeatTask(32, 5, 4, 6);
    const net = new Network({
      inputShape: { sequence: [1, 5] },
      layers: [{ type: 'embedding', vocab: 4, dim: 8 }, { type: 'transformerEncoder', heads: 2, ff: 8, trainable: false }, { type: 'globalAveragePool1d' }, { units: 2, activation: 'softmax' }],
      seed: 3,
    });
    const copy = () => Object.fromEntries(Object.entries(net.parameters).map(([k, t]) => [k, Array.from(t.data)]));
    const before = copy();
    fit(net, X, Y, { learningRate: 0.05, epochs: 3 });
    const after = copy();
    const encoder = Object.keys(before).filter((k) => !/^(E1|W7|b7)$/.test(k));
    expect(encoder).toHaveLength(16); // Wq2..bo2, gamma3, beta3, W4, b4, W5, b5, gamma6, beta6
    for (const k of encoder) expect(after[k]).toEqual(before[k]);
    expect(after.E1).not.toEqual(before.E1);
    expect(net.stack[1]!.toSpec()).toEqual({ type: 'transformerEncoder', heads: 2, ff: 8, trainable: false });
  });
});

describe('transformer layers: bad input', () => {
  const seq = (layers: unknown[], units = 64): NetworkOptions => ({ inputShape: { sequence: [units, 3] }, layers: [...layers, { units: 2, activation: 'softmax' }] as NetworkOptions['layers'] });
  it('heads that do not divide d', () => {
    expect(() => new Network(seq([{ type: 'multiHeadAttention', heads: 5 }, { type: 'globalAveragePool1d' }]))).toThrow('layers[0].heads: expected a divisor of d = 64 (each of the heads has depth d / heads), got 5');
    expect(() => new Network(seq([{ type: 'transformerEncoder', heads: 3 }, { type: 'globalAveragePool1d' }], 8))).toThrow('layers[0].heads: expected a divisor of d = 8');
    expect(() => new Network(seq([{ type: 'transformerEncoder', heads: 0 }, { type: 'globalAveragePool1d' }], 8))).toThrow('layers[0].heads: expected a positive integer, got 0');
  });
  it('a non-sequence input', () => {
    for (const type of ['multiHeadAttention', 'transformerEncoder', 'positionalEncoding', 'globalAveragePool1d']) {
      const spec = type === 'multiHeadAttention' || type === 'transformerEncoder' ? { type, heads: 2 } : { type };
      expect(() => new Network({ inputSize: 8, layers: [spec as never, { units: 2, activation: 'softmax' }] })).toThrow(`layers[0]: a ${type} layer needs a sequence input (d, m, T), got (8, m)`);
    }
    expect(() => new Network({ inputShape: [4, 4, 2], layers: [{ type: 'layerNorm' }, { units: 2, activation: 'softmax' }] })).toThrow('layers[0]: a layerNorm layer normalizes a flat (n, m) or sequence (n, m, T) input over its n features, got an image (m, 4, 4, 2)');
  });
  it('keepProb outside (0, 1], ff < 1, a bad epsilon or causal, unknown keys', () => {
    const enc = (extra: object) => new Network(seq([{ type: 'transformerEncoder', heads: 2, ...extra }, { type: 'globalAveragePool1d' }], 8));
    expect(() => enc({ keepProb: 0 })).toThrow('layers[0].keepProb: expected a keep probability in (0, 1], got 0');
    expect(() => enc({ keepProb: 1.5 })).toThrow('layers[0].keepProb: expected a keep probability in (0, 1], got 1.5');
    expect(() => enc({ ff: 0 })).toThrow('layers[0].ff: expected a positive integer, got 0');
    expect(() => enc({ ff: 2.5 })).toThrow('layers[0].ff: expected a positive integer, got 2.5');
    expect(() => enc({ causal: 'yes' })).toThrow('layers[0].causal: expected true or false, got "yes"');
    expect(() => enc({ dropout: 0.1 })).toThrow(/layers\[0\]\.dropout/);
    expect(() => new Network(seq([{ type: 'layerNorm', epsilon: 0 }, { type: 'globalAveragePool1d' }], 8))).toThrow('layers[0].epsilon: expected a finite number > 0, got 0');
  });
  it('a sequence reaching the dense output without a pool says so', () => {
    expect(() => new Network(seq([{ type: 'transformerEncoder', heads: 2 }], 8))).toThrow(/sequence/);
  });
});
