/**
 * The language-model helpers of course 5, week 1: clip bounds every element
 * of every gradient (without touching the inputs), and sample draws one
 * character at a time from the RNN's softmax as the course's sample does,
 * seeded through the library's Rng.
 */
import { describe, expect, it } from 'vitest';
import { clip, rnnBackward, rnnCellForward, rnnForward, Rng, sample, tensor, zeros, type DType, type Tensor } from '../../src/index.js';
import { describeEachBackend } from '../helpers.js';

function randn(shape: number[], seed: number, scale = 1, dtype: DType = 'float64'): Tensor {
  const t = zeros(shape, 'float64');
  new Rng(seed).fillNormal(t.data, scale);
  return dtype === 'float64' ? t : t.clone(dtype);
}

describe('clip', () => {
  it('clips every element of every gradient to [-maxValue, maxValue], as numpy.clip, and returns copies', () => {
    const dWaa = tensor([[12, -0.5], [-30, 4]], { dtype: 'float64' });
    const dby = tensor([[Infinity], [-Infinity], [5]]);
    const out = clip({ dWaa, dby }, 5);
    expect(Array.from(out.dWaa.data)).toEqual([5, -0.5, -5, 4]);
    expect(Array.from(out.dby.data)).toEqual([5, -5, 5]);
    expect(out.dWaa.dtype).toBe('float64');
    expect(out.dby.dtype).toBe('float32');
    expect(Array.from(dWaa.data)).toEqual([12, -0.5, -30, 4]);
    expect(out.dWaa).not.toBe(dWaa);
  });

  it("takes rnnBackward's gradients as they are", () => {
    const p = { Wax: randn([4, 3], 1, 3), Waa: randn([4, 4], 2, 3), ba: randn([4, 1], 3), Wya: randn([2, 4], 4), by: randn([2, 1], 5) };
    const { a, caches } = rnnForward(randn([3, 5, 6], 6), randn([4, 5], 7), p);
    const g = rnnBackward(randn(a.shape as number[], 8, 50), caches);
    const c = clip(g, 1);
    expect(Object.keys(c).sort()).toEqual(Object.keys(g).sort());
    for (const k of Object.keys(g) as (keyof typeof g)[]) {
      expect(Math.max(...Array.from(c[k].data, Math.abs))).toBeLessThanOrEqual(1);
      g[k].data.forEach((v, i) => expect(c[k].data[i]).toBe(Math.min(1, Math.max(-1, v))));
    }
  });
});

const chars = ['\n', 'a', 'b', 'c', 'd'];
const charToIx = Object.fromEntries(chars.map((ch, i) => [ch, i]));

function params(dtype: DType = 'float64') {
  return { Wax: randn([6, 5], 11, 1, dtype), Waa: randn([6, 6], 12, 0.5, dtype), ba: randn([6, 1], 13, 0.3, dtype), Wya: randn([5, 6], 14, 1, dtype), by: randn([5, 1], 15, 0.3, dtype) };
}

describe('sample', () => {
  it("draws each character from the cell's softmax, feeding it back one-hot, with the Rng seeded once", () => {
    const p = params();
    const { indices, text } = sample(p, charToIx, { seed: 7 });
    // The course's loop, written out with the cell and the same generator.
    const rng = new Rng(7);
    let x = zeros([5, 1], 'float64');
    let a = zeros([6, 1], 'float64');
    const want: number[] = [];
    let idx = -1;
    while (idx !== 0 && want.length < 50) {
      const step = rnnCellForward(x, a, p);
      const u = rng.uniform();
      let sum = 0;
      idx = Array.from(step.ytPred.data).findIndex((q) => (sum += q) > u);
      want.push(idx);
      x = zeros([5, 1], 'float64');
      x.data[idx] = 1;
      a = step.aNext;
    }
    if (idx !== 0) want.push(0);
    expect(indices).toEqual(want);
    expect(text).toBe(want.map((i) => chars[i]).join(''));
    expect(text.endsWith('\n')).toBe(true);
  });

  it('the same seed gives the same sample; other seeds give others', () => {
    const p = params();
    const texts = Array.from({ length: 20 }, (_, seed) => sample(p, charToIx, { seed }).text);
    expect(sample(p, charToIx, { seed: 3 }).text).toBe(texts[3]);
    expect(new Set(texts).size).toBeGreaterThan(5); // short samples (the newline is likely here) repeat now and then
  });

  it('follows the probabilities: the first character over 4000 seeds', () => {
    const by = tensor([[Math.log(0.1)], [Math.log(0.4)], [Math.log(0.2)], [Math.log(0.2)], [Math.log(0.1)]], { dtype: 'float64' });
    const p = { ...params(), Wya: zeros([5, 6], 'float64'), by }; // y = softmax(by) at every step
    const counts = [0, 0, 0, 0, 0];
    for (let seed = 0; seed < 4000; seed++) counts[sample(p, charToIx, { seed }).indices[0]!]!++;
    [0.1, 0.4, 0.2, 0.2, 0.1].forEach((q, i) => expect(Math.abs(counts[i]! / 4000 - q)).toBeLessThan(0.025));
  });

  it("stops at maxLength (the course's 50) and appends '\\n'; accepts a Map", () => {
    const by = tensor([[-40], [10], [10], [-40], [-40]], { dtype: 'float64' }); // never '\n'
    const p = { ...params(), Wya: zeros([5, 6], 'float64'), by };
    const long = sample(p, charToIx, { seed: 1 });
    expect(long.indices.length).toBe(51);
    expect(long.text).toMatch(/^[ab]{50}\n$/);
    const short = sample(p, new Map(Object.entries(charToIx)), { seed: 1, maxLength: 5 });
    expect(short.text).toBe(long.text.slice(0, 5) + '\n');
  });
});

describeEachBackend('sample in float32', (backend) => {
  it(`runs the backend's kernels and gives a sample that ends with '\\n' [${backend}]`, () => {
    const { text, indices } = sample(params('float32'), charToIx, { seed: 2 });
    expect(text.endsWith('\n')).toBe(true);
    expect(indices.every((i) => i >= 0 && i < 5)).toBe(true);
    expect(text).toBe(sample(params('float64'), charToIx, { seed: 2 }).text); // the draws are far from the float32 rounding
  });
});
