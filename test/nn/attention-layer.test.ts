/**
 * The attention decoder layer (course 5, week 3) in a Network: its output against the
 * assignment's formulas written out here in plain arithmetic, float64 gradient checks through
 * several decoder steps (into the energies and into the encoder below it), the attention weights
 * (rows sum to 1, the formulas' α), the model format, the summary and the bad input; and the
 * attention map's SVG.
 */
import { describe, expect, it } from 'vitest';
import { attentionMapSvg, attentionWeights, checkGradients, deserializeModel, fit, Network, Rng, serializeModel, Tensor, type NetworkOptions } from '../../src/index.js';
import { backendNames, describeEachBackend, expectClose, fitAllocatesNoTensors, withBackend } from '../helpers.js';

/** Seeded sequences (n, m, T) in [-1, 1). */
function sequences(n: number, m: number, T: number, seed: number, dtype: 'float32' | 'float64' = 'float64'): Tensor {
  const rng = new Rng(seed);
  const t = new Tensor([n, m, T], dtype === 'float64' ? new Float64Array(n * m * T) : new Float32Array(n * m * T));
  for (let i = 0; i < t.size; i++) t.data[i] = 2 * rng.uniform() - 1;
  return t;
}

/** One-hot targets (V, m, T): example j's class at step t is (j + 2t) mod V. */
function targets(V: number, m: number, T: number): Tensor {
  const Y = new Tensor([V, m, T], new Float64Array(V * m * T));
  for (let j = 0; j < m; j++) for (let t = 0; t < T; t++) Y.data[(((j + 2 * t) % V) * m + j) * T + t] = 1;
  return Y;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * The decoder written out from the assignment, example by example, step by step:
 * e<t'> = relu(W2 tanh(W1 [s; a<t'>] + b1) + b2), α = softmax(e), context = Σ α<t'> a<t'>,
 * then the LSTM on [s; context] with gates Γf, Γu, Γo, c~. Returns s<1..T_y> (n_s, m, T_y) and α (m, T_y, T_x).
 */
function reference(p: Record<string, Tensor>, l: number, a: Tensor): { s: number[]; alphas: number[] } {
  const [nA, m, Tx] = a.shape as [number, number, number];
  const W1 = p[`Wdensor1_${l}`]!;
  const nE = W1.rows;
  const nS = p[`Wf${l}`]!.rows;
  const Ty = s_steps;
  const out = new Array<number>(nS * m * Ty).fill(0);
  const alphas: number[] = [];
  const dot = (W: Tensor, row: number, v: number[]): number => v.reduce((sum, x, k) => sum + W.get(row, k) * x, 0);
  for (let j = 0; j < m; j++) {
    let s = new Array<number>(nS).fill(0);
    let c = new Array<number>(nS).fill(0);
    for (let t = 0; t < Ty; t++) {
      const aAt = (tp: number): number[] => Array.from({ length: nA }, (_, i) => a.data[(i * m + j) * Tx + tp]!);
      const e = Array.from({ length: Tx }, (_, tp) => {
        const h = Array.from({ length: nE }, (_, r) => Math.tanh(dot(W1, r, [...s, ...aAt(tp)]) + p[`bdensor1_${l}`]!.get(r, 0)));
        return Math.max(0, dot(p[`Wdensor2_${l}`]!, 0, h) + p[`bdensor2_${l}`]!.get(0, 0));
      });
      const max = Math.max(...e);
      const ex = e.map((v) => Math.exp(v - max));
      const alpha = ex.map((v) => v / ex.reduce((x, y) => x + y, 0));
      alphas.push(...alpha);
      const context = Array.from({ length: nA }, (_, i) => alpha.reduce((sum, al, tp) => sum + al * aAt(tp)[i]!, 0));
      const concat = [...s, ...context];
      const gate = (w: string, b: string, f: (z: number) => number) => Array.from({ length: nS }, (_, r) => f(dot(p[`${w}${l}`]!, r, concat) + p[`${b}${l}`]!.get(r, 0)));
      const [gf, gu, go, cc] = [gate('Wf', 'bf', sigmoid), gate('Wi', 'bi', sigmoid), gate('Wo', 'bo', sigmoid), gate('Wc', 'bc', Math.tanh)];
      c = c.map((cp, r) => gf[r]! * cp + gu[r]! * cc[r]!);
      s = c.map((cn, r) => go[r]! * Math.tanh(cn));
      for (let r = 0; r < nS; r++) out[(r * m + j) * Ty + t] = s[r]!;
    }
  }
  return { s: out, alphas };
}
const s_steps = 3;

/** Parameters drawn so the energies' relu is active for most t' (b2 > 0). */
function spread(net: Network, seed: number): void {
  const rng = new Rng(seed);
  for (const [name, t] of Object.entries(net.parameters)) for (let i = 0; i < t.size; i++) t.data[i] = (name.startsWith('bdensor2') ? 0.5 : 0) + rng.normal() * 0.8;
}

describe('attention layer: the assignment\'s formulas', () => {
  it('s<1..T_y> and α equal the decoder written out by hand (n_a 2, n_s 3, n_e 2, T_x 4, T_y 3, m 2)', () => {
    const net = new Network({ inputShape: { sequence: [2, 4] }, layers: [{ type: 'attention', steps: s_steps, units: 3, energyUnits: 2 }, { type: 'timeDistributed', units: 2, activation: 'softmax' }], dtype: 'float64', seed: 1 });
    spread(net, 3);
    const X = sequences(2, 2, 4, 5);
    const want = reference(net.parameters, 1, X);
    // The states are the timeDistributed layer's input: read them through a linear hidden copy of the output.
    const probe = new Network({ inputShape: { sequence: [2, 4] }, layers: [{ type: 'attention', steps: s_steps, units: 3, energyUnits: 2 }, { type: 'timeDistributed', units: 3, activation: 'linear' }], dtype: 'float64', loss: 'meanSquaredError', seed: 1 });
    for (const [name, t] of Object.entries(net.parameters)) if (probe.parameters[name] && name !== 'W2' && name !== 'b2') probe.parameters[name]!.data.set(t.data);
    probe.parameters.W2!.data.set([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    probe.parameters.b2!.data.fill(0);
    const s = probe.predict(X);
    expect(s.shape).toEqual([3, 2, 3]);
    for (let i = 0; i < want.s.length; i++) expect(s.data[i]).toBeCloseTo(want.s[i]!, 12);
    const alphas = attentionWeights(net, X);
    expect(alphas.shape).toEqual([2, 3, 4]);
    for (let i = 0; i < want.alphas.length; i++) expect(alphas.data[i]).toBeCloseTo(want.alphas[i]!, 12);
    // Not uniform: the energies differ over t' (the relu is not dead everywhere).
    expect(Math.max(...want.alphas) - Math.min(...want.alphas)).toBeGreaterThan(0.05);
  });
});

describeEachBackend('attention layer: gradient check (float64, < 1e-7)', () => {
  it('lstm (returnSequences) -> attention (T_y 3) -> timeDistributed softmax: every parameter, into the encoder', () => {
    const net = new Network({
      inputShape: { sequence: [3, 5] },
      layers: [{ type: 'lstm', units: 3, returnSequences: true }, { type: 'attention', steps: 3, units: 4, energyUnits: 3 }, { type: 'timeDistributed', units: 3, activation: 'softmax' }],
      dtype: 'float64',
      seed: 2,
    });
    spread(net, 4);
    const r = checkGradients(net, sequences(3, 4, 5, 1), targets(3, 4, 3), { epsilon: 1e-6 });
    expect(r.difference).toBeLessThan(1e-7);
    // The densors get gradients (the energies are not dead); bdensor2 aside: adding a constant to every
    // energy leaves the softmax unchanged, so its gradient is 0 wherever the relu passes all of them.
    const names = Object.keys(net.parameters);
    expect(names.slice(8, 20)).toEqual(['Wdensor1_2', 'bdensor1_2', 'Wdensor2_2', 'bdensor2_2', 'Wf2', 'bf2', 'Wi2', 'bi2', 'Wo2', 'bo2', 'Wc2', 'bc2']);
    expect(r.grad.length).toBe(names.reduce((s, n) => s + net.parameters[n]!.size, 0));
    let offset = 0;
    for (const n of names) {
      const size = net.parameters[n]!.size;
      if (n.startsWith('Wdensor') || n.startsWith('bdensor1')) expect(Math.max(...Array.from(r.grad.slice(offset, offset + size), Math.abs)), n).toBeGreaterThan(1e-5);
      offset += size;
    }
  });

  it('attention as the first layer (no input gradient), T_y 4, with a frozen encoder-free stack', () => {
    const net = new Network({ inputShape: { sequence: [2, 3] }, layers: [{ type: 'attention', steps: 4, units: 2 }, { type: 'timeDistributed', units: 2, activation: 'softmax' }], dtype: 'float64', seed: 5 });
    spread(net, 6);
    const r = checkGradients(net, sequences(2, 3, 3, 2), targets(2, 3, 4), { epsilon: 1e-6 });
    expect(r.difference).toBeLessThan(1e-7);
  });
});

describeEachBackend('attention layer: weights, format and summary', (backend) => {
  const options: NetworkOptions = {
    inputShape: { sequence: [4, 6] },
    layers: [{ type: 'lstm', units: 5, returnSequences: true }, { type: 'attention', steps: 3, units: 6, energyUnits: 4 }, { type: 'timeDistributed', units: 4, activation: 'softmax' }],
    seed: 3,
  };

  it('attentionWeights: (m, T_y, T_x), each row sums to 1, in chunks as in one pass', () => {
    const net = new Network(options);
    spread(net, 1);
    const X = sequences(4, 300, 6, 9, 'float32');
    const A = attentionWeights(net, X);
    expect(A.shape).toEqual([300, 3, 6]);
    for (let r = 0; r < 300 * 3; r++) {
      const row = Array.from(A.data.subarray(r * 6, r * 6 + 6));
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      expect(Math.min(...row)).toBeGreaterThanOrEqual(0);
    }
    // Example 280 alone (a second chunk above) gives the same weights.
    const one = new Tensor([4, 1, 6], new Float32Array(24));
    for (let i = 0; i < 4; i++) one.data.set(X.data.subarray((i * 300 + 280) * 6, (i * 300 + 281) * 6), i * 6);
    const B = attentionWeights(net, one);
    for (let k = 0; k < 18; k++) expect(B.data[k]).toBeCloseTo(A.data[280 * 18 + k]!, 6);
  });

  it(`saves and loads with bit-identical predictions [${backend}]`, () => {
    const net = new Network(options);
    spread(net, 2);
    const X = sequences(4, 7, 6, 3, 'float32');
    const { manifest, weights } = serializeModel(net);
    const back = deserializeModel(JSON.parse(JSON.stringify(manifest)), weights).network;
    expect(back.specs[1]).toEqual({ type: 'attention', steps: 3, units: 6, energyUnits: 4 });
    expect(Array.from(back.predict(X).data)).toEqual(Array.from(net.predict(X).data));
    expect(Array.from(attentionWeights(back, X).data)).toEqual(Array.from(attentionWeights(net, X).data));
  });

  it('summary line, toSpec defaults, parameter count', () => {
    const net = new Network({ ...options, layers: [options.layers[0]!, { type: 'attention', steps: 3, units: 6 }, options.layers[2]!] });
    const line = net.summary().split('\n').find((l) => l.includes('attention'))!;
    expect(line).toContain('(6, m, 3)');
    // densor1 10 x (6 + 5) + 10, densor2 1 x 10 + 1, LSTM 4 x (6 x (6 + 5) + 6)
    expect(line).toContain(String(10 * 11 + 10 + 10 + 1 + 4 * (6 * 11 + 6)));
    expect(net.specs[1]).toEqual({ type: 'attention', steps: 3, units: 6 });
  });
});

describeEachBackend('attention layer: training allocates no tensors per step', (backend) => {
  it('fit of lstm -> attention -> timeDistributed softmax: no zeros() call and the same wasm heap between iterations 10 and 60', () => {
    const X = sequences(3, 24, 5, 4, 'float32');
    const Y = new Tensor([3, 24, 4], new Float32Array(3 * 24 * 4));
    for (let j = 0; j < 24; j++) for (let t = 0; t < 4; t++) Y.data[(((j + t) % 3) * 24 + j) * 4 + t] = 1;
    const net = new Network({ inputShape: { sequence: [3, 5] }, layers: [{ type: 'lstm', units: 4, returnSequences: true }, { type: 'attention', steps: 4, units: 5 }, { type: 'timeDistributed', units: 3, activation: 'softmax' }], seed: 1 });
    // 30 epochs of 3 mini-batches each: iterations 0 .. 89.
    const h = fitAllocatesNoTensors(backend, net, X, Y, { learningRate: 0.01, epochs: 30, batchSize: 8, optimizer: 'adam' }, [10, 60]);
    expect(h.cost.at(-1)!).toBeLessThan(h.cost[0]!);
  });
});

describe('attention layer: float32 on the js and wasm backends agree; a frozen layer stays put', () => {
  const options: NetworkOptions = {
    inputShape: { sequence: [3, 6] },
    layers: [{ type: 'bidirectional', layer: { type: 'lstm', units: 4, returnSequences: true } }, { type: 'attention', steps: 3, units: 5 }, { type: 'timeDistributed', units: 3, activation: 'softmax' }],
    seed: 4,
  };
  const X = sequences(3, 20, 6, 7, 'float32');
  const Y = new Tensor([3, 20, 3], new Float32Array(3 * 20 * 3));
  for (let j = 0; j < 20; j++) for (let t = 0; t < 3; t++) Y.data[(((j * t + t) % 3) * 20 + j) * 3 + t] = 1;

  it('the same seeded network predicts within 1e-5 before and after 3 epochs of adam, and its attention weights too', () => {
    expect(backendNames()).toEqual(expect.arrayContaining(['js', 'wasm']));
    const run = (backend: string) =>
      withBackend(backend, () => {
        const net = new Network(options);
        const before = Array.from(net.predict(X).data);
        fit(net, X, Y, { learningRate: 0.02, epochs: 3, batchSize: 8, optimizer: 'adam', shuffle: false });
        return { before, after: Array.from(net.predict(X).data), alphas: Array.from(attentionWeights(net, X).data) };
      });
    const js = run('js');
    const wasm = run('wasm');
    expectClose(wasm.before, js.before, 1e-5);
    expectClose(wasm.after, js.after, 1e-5);
    expectClose(wasm.alphas, js.alphas, 1e-5);
    expect(Math.max(...js.after.map((v, i) => Math.abs(v - js.before[i]!)))).toBeGreaterThan(1e-3);
  });

  it('trainable: false keeps the decoder\'s parameters through fit (the encoder below still learns) and survives a round trip', () => {
    const net = new Network({ ...options, layers: [options.layers[0]!, { type: 'attention', steps: 3, units: 5, trainable: false }, options.layers[2]!] });
    const frozen = Object.fromEntries(Object.entries(net.parameters).map(([k, t]) => [k, Array.from(t.data)]));
    fit(net, X, Y, { learningRate: 0.02, epochs: 2, batchSize: 8, optimizer: 'adam' });
    for (const [k, t] of Object.entries(net.parameters)) {
      const moved = t.data.some((v, i) => v !== frozen[k]![i]);
      expect(moved, k).toBe(!/^(Wdensor|bdensor|W[fioc]2|b[fioc]2)/.test(k));
    }
    expect(net.specs[1]).toEqual({ type: 'attention', steps: 3, units: 5, trainable: false });
    const { manifest, weights } = serializeModel(net);
    const back = deserializeModel(JSON.parse(JSON.stringify(manifest)), weights).network;
    expect(back.layerStack[1]!.trainable).toBe(false);
  });
});

describe('attention layer: bad input', () => {
  const base = { inputShape: { sequence: [2, 3] } as const, dtype: 'float64' as const };
  it('refuses a flat input, bad sizes and unknown keys, naming the layer', () => {
    expect(() => new Network({ inputSize: 4, layers: [{ type: 'attention', steps: 2, units: 3 } as never, { units: 2, activation: 'softmax' }] })).toThrow(/layers\[0\]: an attention layer reads the encoder's states a \(n_a, m, T_x\), got \(4, m\)/);
    expect(() => new Network({ ...base, layers: [{ type: 'attention', steps: 0, units: 3 }, { type: 'timeDistributed', units: 2, activation: 'softmax' }] })).toThrow(/layers\[0\]\.steps: expected a positive integer/);
    expect(() => new Network({ ...base, layers: [{ type: 'attention', steps: 2, units: 1.5 }, { type: 'timeDistributed', units: 2, activation: 'softmax' }] })).toThrow(/layers\[0\]\.units/);
    expect(() => new Network({ ...base, layers: [{ type: 'attention', steps: 2, units: 3, energyUnits: -1 }, { type: 'timeDistributed', units: 2, activation: 'softmax' }] })).toThrow(/layers\[0\]\.energyUnits/);
    expect(() => new Network({ ...base, layers: [{ type: 'attention', steps: 2, units: 3, heads: 2 } as never, { type: 'timeDistributed', units: 2, activation: 'softmax' }] })).toThrow(/heads/);
    expect(() => new Network({ ...base, layers: [{ type: 'attention', steps: 2, units: 3 }] })).toThrow(/last layer to be a dense output layer/);
  });
  it('attentionWeights refuses a network without attention and inputs of the wrong shape', () => {
    const plain = new Network({ ...base, layers: [{ type: 'lstm', units: 2 }, { units: 2, activation: 'softmax' }] });
    expect(() => attentionWeights(plain, sequences(2, 1, 3, 1))).toThrow(/attentionWeights: net: expected a network with an attention layer/);
    expect(() => attentionWeights({} as Network, sequences(2, 1, 3, 1))).toThrow(/attentionWeights: net: expected a Network/);
    const net = new Network({ ...base, layers: [{ type: 'attention', steps: 2, units: 3 }, { type: 'timeDistributed', units: 2, activation: 'softmax' }] });
    expect(() => attentionWeights(net, sequences(2, 1, 4, 1))).toThrow(/attentionWeights: X: expected sequences of shape \(2, m, 3\)/);
  });
});

describe('attentionMapSvg', () => {
  const weights = [
    [0.7, 0.2, 0.1],
    [0, 0.5, 0.5],
  ];
  it('draws one cell per weight with the value, the characters on both axes, escaped', () => {
    const svg = attentionMapSvg({ weights, source: 'a<', target: ['x', '&'], title: 'a "map"' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg.match(/<title>/g)!.length).toBe(6);
    expect(svg).toContain('α = 0.700');
    expect(svg).toContain('&amp; ← (pad): α = 0.500');
    expect(svg).toContain('>&lt;</text>');
    expect(svg).toContain('a &quot;map&quot;');
    // The colour scale's ends: white for 0, dark blue for 1.
    expect(svg).toContain('fill="#ffffff"><title>&amp; ← a: α = 0.000');
    expect(attentionMapSvg({ weights: [[1]], source: 'q', target: 'z' })).toContain('fill="#08306b"><title>');
  });
  it('picks an example of (m, T_y, T_x) weights', () => {
    const w = new Tensor([2, 1, 2], new Float64Array([1, 0, 0.25, 0.75]));
    expect(attentionMapSvg({ weights: w, source: 'ab', target: 'z', example: 1 })).toContain('z ← b: α = 0.750');
  });
  it('refuses mismatched characters, values outside [0, 1] and a bad example', () => {
    expect(() => attentionMapSvg({ weights, source: 'abcd', target: 'xy' })).toThrow(/source: expected at most T_x = 3 characters \(the weights' columns\), got 4/);
    expect(() => attentionMapSvg({ weights, source: 'ab', target: 'x' })).toThrow(/target: expected T_y = 2 characters \(the weights' rows\), got 1/);
    expect(() => attentionMapSvg({ weights: [[0.5, NaN, 0.5]], source: 'ab', target: 'x' })).toThrow(/weights/);
    expect(() => attentionMapSvg({ weights: [[0.5, 1.5, 0]], source: 'ab', target: 'x' })).toThrow(/weights: expected values in \[0, 1\], got 1.5 at row 0, column 1/);
    expect(() => attentionMapSvg({ weights: new Tensor([2, 1, 1], new Float64Array([1, 1])), source: 'a', target: 'x', example: 2 })).toThrow(/example: expected an integer in \[0, 2\)/);
    expect(() => attentionMapSvg({ weights, source: 5 as never, target: 'xy' })).toThrow(/source: expected a string or an array of strings, got/);
    expect(() => attentionMapSvg(null as never)).toThrow(/options: expected \{ weights, source, target \}/);
    expect(() => attentionMapSvg({ weights, source: 'ab', target: 'xy', example: 0 })).toThrow(/example: applies to \(m, T_y, T_x\) weights, got weights of shape \(2, 3\)/);
    expect(() => attentionMapSvg({ weights, source: 'ab', target: 'xy', cellSize: 2 })).toThrow(/cellSize: expected a number of pixels in \[4, 200\], got 2/);
    expect(() => attentionMapSvg({ weights, source: 'ab', target: 'xy', title: 3 as never })).toThrow(/title: expected a string, got 3/);
    expect(() => attentionMapSvg({ weights: new Tensor([1, 1, 1, 2], new Float64Array([1, 0])), source: 'a', target: 'x' })).toThrow(/weights: expected a \(T_y, T_x\) matrix or \(m, T_y, T_x\) weights, got shape \(1, 1, 1, 2\)/);
  });
});
