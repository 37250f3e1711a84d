/**
 * The course-notation functional API for convolutions (course 4, week 1, "Convolution model -
 * Step by Step"): hand-computed values, two-sided gradient checks in float64, the tiny helpers
 * against the kernels, float32 on every backend, and every bad input with its message.
 */
import { describe, expect, it } from 'vitest';
import {
  backendFor,
  compareGradients,
  convBackward,
  convForward,
  convSingleStep,
  createMaskFromWindow,
  distributeValue,
  getBackend,
  listBackends,
  poolBackward,
  poolForward,
  Rng,
  ShapeError,
  tensor,
  Tensor,
  ValueError,
  zeroPad,
  zeros,
  type ConvCache,
  type DType,
  type NestedArray,
  type PoolCache,
} from '../../src/index.js';
import { describeEachBackend, expectClose, withBackend } from '../helpers.js';

const f64 = (values: NestedArray): Tensor => tensor(values, { dtype: 'float64' });

/** A tensor of uniform values in [-1, 1) (distinct almost surely: max pooling is differentiable there). */
function random(shape: readonly number[], rng: Rng, dtype: DType = 'float64'): Tensor {
  const t = zeros(shape, dtype);
  for (let i = 0; i < t.size; i++) t.data[i] = 2 * rng.uniform() - 1;
  return t;
}

/** Random A_prev (m, n_H_prev, n_W_prev, n_C_prev), W (f, f, n_C_prev, n_C) and b (1, 1, 1, n_C). */
function randomConv(rng: Rng, aShape: readonly [number, number, number, number], f: number, nC: number, dtype: DType = 'float64'): { A: Tensor; W: Tensor; b: Tensor } {
  return { A: random(aShape, rng, dtype), W: random([f, f, aShape[3], nC], rng, dtype), b: random([1, 1, 1, nC], rng, dtype) };
}

/** Calls `body` for every index [n, i, j, c] of a rank-4 shape, row-major. */
function forEachIndex(shape: readonly number[], body: (n: number, i: number, j: number, c: number) => void): void {
  const [m, h, w, C] = shape as [number, number, number, number];
  for (let n = 0; n < m; n++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let c = 0; c < C; c++) body(n, i, j, c);
}

/** Element [n, i, j, c] of a rank-4 tensor. */
function at(t: Tensor, ...index: number[]): number {
  let k = 0;
  index.forEach((x, d) => (k = k * t.shape[d]! + x));
  return t.data[k]!;
}

/** sum(a * b): the cost J whose gradient with respect to a is b. */
function dot(a: Tensor, b: Tensor): number {
  let s = 0;
  for (let i = 0; i < a.size; i++) s += a.data[i]! * b.data[i]!;
  return s;
}

/** The (h, w, c) block of example n at (i0, j0), as a rank-3 tensor (the course's a_slice_prev). */
function window3(A: Tensor, n: number, i0: number, j0: number, h: number, w: number): Tensor {
  const c = A.shape[3]!;
  const out = zeros([h, w, c], A.dtype);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let k = 0; k < c; k++) out.data[(i * w + j) * c + k] = at(A, n, i0 + i, j0 + j, k);
  return out;
}

/** W[:, :, :, c], one filter (f, f, n_C_prev). */
function filter(W: Tensor, c: number): Tensor {
  const [f, , cPrev, nC] = W.shape as [number, number, number, number];
  const out = zeros([f, f, cPrev], W.dtype);
  for (let k = 0; k < out.size; k++) out.data[k] = W.data[k * nC + c]!;
  return out;
}

// One 3x3 image, one channel: 1..9 row by row.
const A33 = [[[[1], [2], [3]], [[4], [5], [6]], [[7], [8], [9]]]];
// Two filters (2, 2, 1, 2): [[1, 2], [3, 4]] and [[0, 0], [0, 1]], biases 0.5 and -1.
const W2 = [[[[1, 0]], [[2, 0]]], [[[3, 0]], [[4, 1]]]];
const b2 = [[[[0.5, -1]]]];

describeEachBackend('hand-computed values', () => {
  // Small integers, halves and quarters: exact in float32 too, so each dtype the backend computes itself gets the same checks.
  for (const dtype of getBackend().dtypes) {
    const t = (values: NestedArray): Tensor => tensor(values, { dtype });
    describe(dtype, () => {
      it('zeroPad surrounds a 2x2 image with zeros on n_H and n_W only', () => {
        const P = zeroPad(t([[[[1, 10], [2, 20]], [[3, 30], [4, 40]]]]), 1);
        expect(P.shape).toEqual([1, 4, 4, 2]);
        expect(P.dtype).toBe(dtype);
        const ch0 = [0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0];
        expect(Array.from({ length: 16 }, (_, k) => P.data[2 * k])).toEqual(ch0);
        expect(Array.from({ length: 16 }, (_, k) => P.data[2 * k + 1])).toEqual(ch0.map((v) => 10 * v));
        expect(Array.from(zeroPad([[[[5]]]], 0).data)).toEqual([5]);
      });

      it('convSingleStep is sum(a_slice_prev * W) + b', () => {
        const a = [[[1, -1], [2, 0]], [[3, 1], [4, 2]]]; // (2, 2, 2)
        const W = [[[1, 1], [0, 5]], [[0, 2], [-1, 0]]];
        // 1 - 1 + 0 + 0 + 0 + 2 - 4 + 0 = -2, plus b
        expect(convSingleStep(t(a), t(W), 0.25)).toBe(-1.75);
        expect(convSingleStep(t(a), t(W), t([[[-3]]]))).toBe(-5);
      });

      it('convForward, stride 1 and no padding: every 2x2 window times each filter, plus its bias', () => {
        const { Z, cache } = convForward(t(A33), t(W2), t(b2), { stride: 1, pad: 0 });
        expect(Z.shape).toEqual([1, 2, 2, 2]);
        // Filter 0: 1a + 2b + 3c + 4d over [[a, b], [c, d]]: 1+4+12+20, 2+6+15+24, 4+10+21+32, 5+12+24+36; + 0.5.
        // Filter 1: the bottom-right value of each window, - 1.
        expect(Array.from(Z.data)).toEqual([37.5, 4, 47.5, 5, 67.5, 7, 77.5, 8]);
        expect(cache.hparameters).toEqual({ stride: 1, pad: 0 });
        expect(cache.Aprev.shape).toEqual([1, 3, 3, 1]);
      });

      it('convForward with stride 2 and pad 1: output floor((3 + 2 - 2) / 2) + 1 = 2', () => {
        const { Z } = convForward(t(A33), t(W2), t(b2), { stride: 2, pad: 1 });
        expect(Z.shape).toEqual([1, 2, 2, 2]);
        // Windows of the padded 5x5 at (0,0), (0,2), (2,0), (2,2): [[0,0],[0,1]], [[0,0],[2,3]], [[0,4],[0,7]], [[5,6],[8,9]].
        expect(Array.from(Z.data)).toEqual([4.5, 0, 18.5, 2, 36.5, 6, 77.5, 8]);
      });

      it('convBackward sums over the batch: db is the sum of dZ per channel, dW and dA_prev by hand', () => {
        // Two identical examples; dZ is 1 on channel 0 and 0 on channel 1.
        const A = t([A33[0]!, A33[0]!]);
        const { cache } = convForward(A, t(W2), t(b2), { stride: 1, pad: 0 });
        const dZ = t([0, 1].map(() => [0, 1].map(() => [0, 1].map(() => [1, 0]))));
        const { dAPrev, dW, db } = convBackward(dZ, cache);
        expect(Array.from(db.data)).toEqual([8, 0]); // 2 examples x 4 positions, not divided by m
        expect(db.shape).toEqual([1, 1, 1, 2]);
        // dW[di, dj, 0, 0] = sum over examples of the 2x2 block of A at (di, dj): 2 x (12, 16, 24, 28).
        expect(Array.from(dW.data)).toEqual([24, 0, 32, 0, 48, 0, 56, 0]);
        // dA_prev: each window adds filter 0 [[1, 2], [3, 4]]; per example the same.
        const one = [1, 3, 2, 4, 10, 6, 3, 7, 4];
        expect(Array.from(dAPrev.data)).toEqual([...one, ...one]);
      });

      it('max and average pooling of a 4x4 image, f = 2 s = 2 and f = 3 s = 1', () => {
        const X = t([[[1, 3, 2, 4], [5, 7, 6, 8], [9, 2, 1, 0], [3, 4, 8, 5]].map((row) => row.map((v) => [v]))]);
        const pool = (f: number, stride: number, mode: 'max' | 'average'): number[] => Array.from(poolForward(X, { f, stride, mode }).A.data);
        expect(pool(2, 2, 'max')).toEqual([7, 8, 9, 8]);
        expect(pool(2, 2, 'average')).toEqual([4, 5, 4.5, 3.5]);
        expect(pool(3, 1, 'max')).toEqual([9, 8, 9, 8]);
        expectClose(pool(3, 1, 'average'), [36 / 9, 33 / 9, 45 / 9, 41 / 9], dtype === 'float64' ? 1e-15 : 1e-6);
        expect(poolForward(X, { f: 2 }).A.shape).toEqual([1, 2, 2, 1]); // stride defaults to f, mode to 'max'
        expect(poolForward(X, { f: 2 }).cache.hparameters).toEqual({ f: 2, stride: 2, mode: 'max' });
      });

      it('poolBackward on a window with a tie: max gives all of dA to the first maximum, average spreads it', () => {
        const { cache } = poolForward(t([[[[3], [3]], [[1], [2]]]]), { f: 2, stride: 2 });
        expect(Array.from(poolBackward(t([[[[6]]]]), cache).data)).toEqual([6, 0, 0, 0]);
        const avg = poolForward(t([[[[3], [3]], [[1], [2]]]]), { f: 2, stride: 2, mode: 'average' }).cache;
        expect(Array.from(poolBackward(t([[[[6]]]]), avg).data)).toEqual([1.5, 1.5, 1.5, 1.5]);
      });

      it('createMaskFromWindow marks the first maximum only; distributeValue splits dz evenly', () => {
        expect(Array.from(createMaskFromWindow([[1, 3], [3, 2]]).data)).toEqual([0, 1, 0, 0]);
        expect(Array.from(createMaskFromWindow(t([[-1, -4], [-2, -1]])).data)).toEqual([1, 0, 0, 0]);
        const d = distributeValue(2, [2, 2]);
        expect(d.shape).toEqual([2, 2]);
        expect(Array.from(d.data)).toEqual([0.5, 0.5, 0.5, 0.5]);
        expect(distributeValue(3, [1, 3], 'float64').dtype).toBe('float64');
      });
    });
  }
});

describeEachBackend('the helpers agree with the kernels', () => {
  for (const dtype of getBackend().dtypes) {
    describe(dtype, () => {
      it("convForward's Z[n, i, j, c] is convSingleStep on the padded window", () => {
        const rng = new Rng(3);
        const [stride, pad, f] = [2, 1, 3];
        const { A, W, b } = randomConv(rng, [2, 5, 6, 3], f, 4, dtype);
        const { Z } = convForward(A, W, b, { stride, pad });
        const P = zeroPad(A, pad);
        expect(Z.shape).toEqual([2, 3, 3, 4]);
        const byWindows: number[] = [];
        forEachIndex(Z.shape, (n, i, j, c) => byWindows.push(convSingleStep(window3(P, n, i * stride, j * stride, f, f), filter(W, c), b.data[c]!)));
        // float32: the kernel rounds each product and partial sum, convSingleStep sums the same 27 float32 products in float64.
        expectClose(Z, byWindows, dtype === 'float64' ? 1e-13 : 1e-5);
      });

      /** The course's pool_backward loop: each window's dA through createMaskFromWindow or distributeValue, added up. */
      function poolBackwardByWindows(dA: Tensor, cache: PoolCache): number[] {
        const { Aprev, hparameters: { f, stride, mode } } = cache;
        const out = new Array<number>(Aprev.size).fill(0);
        const [, h, w, C] = Aprev.shape as [number, number, number, number];
        forEachIndex(dA.shape, (n, i, j, c) => {
          const win = Array.from({ length: f }, (_, di) => Array.from({ length: f }, (_, dj) => at(Aprev, n, i * stride + di, j * stride + dj, c)));
          const g = at(dA, n, i, j, c);
          const share = mode === 'max' ? createMaskFromWindow(tensor(win, { dtype: Aprev.dtype })).data.map((v) => v * g) : distributeValue(g, [f, f], Aprev.dtype).data;
          share.forEach((v, k) => (out[((n * h + i * stride + Math.floor(k / f)) * w + j * stride + (k % f)) * C + c]! += v));
        });
        return out;
      }

      for (const mode of ['max', 'average'] as const) {
        for (const [f, stride] of [[2, 2], [3, 1], [2, 3]] as const) {
          it(`poolBackward (${mode}, f ${f}, stride ${stride}) is the sum of each window's ${mode === 'max' ? 'createMaskFromWindow * dA' : 'distributeValue(dA)'}, ties included`, () => {
            const rng = new Rng(11);
            // Small integers: many ties, which the first-maximum rule must break like the kernel.
            const A = zeros([2, 7, 6, 2], dtype);
            for (let k = 0; k < A.size; k++) A.data[k] = rng.int(3);
            const { A: out, cache } = poolForward(A, { f, stride, mode });
            const dA = random(out.shape, rng, dtype);
            expectClose(poolBackward(dA, cache), poolBackwardByWindows(dA, cache), dtype === 'float64' ? 1e-14 : 1e-6);
          });
        }
      }
    });
  }
});

// float64 on every backend: two-sided differences need it, and backendFor('float64') is the js backend whatever is
// current, so the wasm copy checks that routing (the wasm float32 kernels are checked above and below).
describeEachBackend('gradient checks (float64, two-sided differences)', () => {
  const EPS = 1e-7;
  // [m, n_H_prev, n_W_prev, n_C_prev, n_C, f, stride, pad]
  const convCases: readonly (readonly number[])[] = [
    [2, 4, 5, 3, 2, 2, 1, 0],
    [2, 5, 7, 2, 3, 3, 2, 1],
    [1, 7, 6, 2, 2, 3, 3, 2],
    [3, 6, 4, 3, 2, 2, 3, 1],
    [2, 5, 6, 2, 3, 1, 1, 0], // 1x1 filters: the GEMM reads A_prev itself, no im2col
    [2, 3, 4, 1, 2, 4, 2, 2],
  ];
  for (const [m, h, w, cPrev, nC, f, stride, pad] of convCases as (readonly [number, number, number, number, number, number, number, number])[]) {
    it(`convBackward: A_prev (${m}, ${h}, ${w}, ${cPrev}), W (${f}, ${f}, ${cPrev}, ${nC}), stride ${stride}, pad ${pad}`, () => {
      const rng = new Rng(m * 100 + f * 10 + stride + pad);
      const { A, W, b } = randomConv(rng, [m, h, w, cPrev], f, nC);
      const hp = { stride, pad };
      const { Z, cache } = convForward(A, W, b, hp);
      const dZ = random(Z.shape, rng); // J = sum(Z * dZ), so dJ/dZ = dZ
      const J = (): number => dot(convForward(A, W, b, hp).Z, dZ);
      const { dAPrev, dW, db } = convBackward(dZ, cache);
      for (const [p, g] of [[A, dAPrev], [W, dW], [b, db]] as const) {
        expect(g.dtype).toBe('float64');
        expect(g.shape).toEqual(p.shape);
        expect(compareGradients([p], [g], J, EPS).difference).toBeLessThan(1e-7);
      }
    });
  }

  for (const mode of ['max', 'average'] as const) {
    for (const [f, stride] of [[2, 2], [3, 1], [2, 3], [3, 2]] as const) {
      it(`poolBackward (${mode}): f ${f}, stride ${stride}`, () => {
        const rng = new Rng(f * 10 + stride);
        const A = random([2, 7, 5, 3], rng);
        const { A: out, cache } = poolForward(A, { f, stride, mode });
        const dA = random(out.shape, rng);
        const dAprev = poolBackward(dA, cache);
        const J = (): number => dot(poolForward(A, { f, stride, mode }).A, dA);
        expect(compareGradients([A], [dAprev], J, EPS).difference).toBeLessThan(1e-7);
      });
    }
  }

  it('conv -> max pool, chained backward through both', () => {
    const rng = new Rng(5);
    const { A, W, b } = randomConv(rng, [2, 6, 6, 2], 3, 3);
    const forward = () => {
      const conv = convForward(A, W, b, { stride: 1, pad: 1 });
      return { conv, pool: poolForward(conv.Z, { f: 2, stride: 2 }) };
    };
    const { conv, pool } = forward();
    const dA = random(pool.A.shape, rng);
    const grads = convBackward(poolBackward(dA, pool.cache), conv.cache);
    const J = (): number => dot(forward().pool.A, dA);
    expect(compareGradients([A, W, b], [grads.dAPrev, grads.dW, grads.db], J, EPS).difference).toBeLessThan(1e-7);
  });
});

describe('backends', () => {
  it('the wasm backend is loaded, so the blocks marked [wasm] run float32 on it', () => {
    expect(listBackends()).toContain('wasm');
  });
});

describeEachBackend('dtypes and backends', (backend) => {
  const rng = new Rng(21);
  const { A, W, b } = randomConv(rng, [2, 6, 5, 3], 3, 4);
  const hp = { stride: 2, pad: 1 };
  // The float64 references, on the reference backend whichever block this is.
  const { ref, refGrads, refMax, refAvg, dZ, dMax, dAvg } = withBackend('js', () => {
    const ref = convForward(A, W, b, hp);
    const dZ = random(ref.Z.shape, rng);
    const refMax = poolForward(A, { f: 2, stride: 1 });
    const refAvg = poolForward(A, { f: 3, stride: 2, mode: 'average' });
    const dMax = random(refMax.A.shape, rng);
    const dAvg = random(refAvg.A.shape, rng);
    return { ref, refGrads: convBackward(dZ, ref.cache), refMax, refAvg, dZ, dMax, dAvg };
  });

  it('float32 in, float32 out, within float32 tolerance of float64', () => {
    expect(backendFor('float32').name).toBe(backend);
    const A32 = A.clone('float32');
    const { Z, cache } = convForward(A32, W.clone('float32'), b.clone('float32'), hp);
    const g = convBackward(dZ.clone('float32'), cache);
    const max = poolForward(A32, { f: 2, stride: 1 });
    const avg = poolForward(A32, { f: 3, stride: 2, mode: 'average' });
    const outputs: [Tensor, Tensor][] = [
      [Z, ref.Z],
      [g.dAPrev, refGrads.dAPrev],
      [g.dW, refGrads.dW],
      [g.db, refGrads.db],
      [zeroPad(A32, 2), zeroPad(A, 2)],
      [max.A, refMax.A],
      [avg.A, refAvg.A],
      [poolBackward(dMax.clone('float32'), max.cache), poolBackward(dMax, refMax.cache)],
      [poolBackward(dAvg.clone('float32'), avg.cache), poolBackward(dAvg, refAvg.cache)],
    ];
    for (const [got, want] of outputs) {
      expect(got.dtype).toBe('float32');
      expect(got.shape).toEqual(want.shape);
      expectClose(got, want.data, 1e-5);
    }
  });

  it('float64 runs on the reference kernels whatever the backend, and gives the same values', () => {
    expect(backendFor('float64').name).toBe('js');
    const { Z, cache } = convForward(A, W, b, hp);
    expect(Z.dtype).toBe('float64');
    expect(Array.from(Z.data)).toEqual(Array.from(ref.Z.data));
    expect(Array.from(convBackward(dZ, cache).dW.data)).toEqual(Array.from(refGrads.dW.data));
  });

  it('dZ and dA given as nested arrays (float32) are read in the cache dtype', () => {
    const { cache } = convForward(f64(A33), f64(W2), f64(b2));
    const dZ = [[[[1, 0], [1, 0]], [[1, 0], [1, 0]]]];
    const { db } = convBackward(dZ, cache);
    expect(db.dtype).toBe('float64');
    expect(Array.from(db.data)).toEqual([4, 0]);
    const pooled = poolForward(f64(A33), { f: 3 });
    expect(poolBackward([[[[2]]]], pooled.cache).dtype).toBe('float64');
  });
});

describe('bad inputs', () => {
  const A = zeros([1, 3, 3, 1], 'float64');
  const W = zeros([2, 2, 1, 2], 'float64');
  const b = zeros([1, 1, 1, 2], 'float64');

  it('convForward: A_prev must be (m, n_H_prev, n_W_prev, n_C_prev)', () => {
    expect(() => convForward(zeros([3, 3], 'float64'), W, b)).toThrow(ShapeError);
    expect(() => convForward(zeros([3, 3], 'float64'), W, b)).toThrow('convForward: A_prev: expected shape (m, n_H_prev, n_W_prev, n_C_prev), got (3, 3)');
    expect(() => convForward(zeros([0, 3, 3, 1], 'float64'), W, b)).toThrow(
      'convForward: A_prev: expected shape (m, n_H_prev, n_W_prev, n_C_prev) with every dimension >= 1, got (0, 3, 3, 1)',
    );
    expect(() => convForward('x' as never, W, b)).toThrow('convForward: A_prev: expected a Tensor or nested number arrays, got string');
  });

  it("convForward: W must be square filters over A_prev's channels, b one bias per filter", () => {
    expect(() => convForward(A, zeros([2, 2, 1], 'float64'), b)).toThrow('convForward: W: expected shape (f, f, n_C_prev, n_C), got (2, 2, 1)');
    expect(() => convForward(A, zeros([2, 2, 3, 2], 'float64'), b)).toThrow(ShapeError);
    expect(() => convForward(A, zeros([2, 2, 3, 2], 'float64'), b)).toThrow(
      'convForward: W: expected shape (f, f, 1, n_C) (square filters over the n_C_prev = 1 channels of A_prev (1, 3, 3, 1)), got (2, 2, 3, 2)',
    );
    expect(() => convForward(A, zeros([2, 1, 1, 2], 'float64'), b)).toThrow('convForward: W: expected shape (f, f, 1, n_C)');
    expect(() => convForward(A, W, zeros([1, 2], 'float64'))).toThrow(ShapeError);
    expect(() => convForward(A, W, zeros([1, 2], 'float64'))).toThrow('convForward: b: expected shape (1, 1, 1, 2) (one bias per filter of W (2, 2, 1, 2)), got (1, 2)');
    expect(() => convForward(A, W, zeros([1, 1, 1, 3], 'float64'))).toThrow('convForward: b: expected shape (1, 1, 1, 2)');
    expect(() => convForward(A, W, zeros([1, 1, 1, 2], 'float32'))).toThrow(ValueError);
    expect(() => convForward(A, W, zeros([1, 1, 1, 2], 'float32'))).toThrow('convForward: A_prev, W and b must share a dtype, got float64, float64, float32');
  });

  it('convForward: stride a positive integer, pad a non-negative integer, no unknown keys', () => {
    for (const stride of [0, -1, 1.5, NaN, '2']) {
      expect(() => convForward(A, W, b, { stride: stride as number })).toThrow(`convForward: hparameters.stride: expected a positive integer, got ${typeof stride === 'string' ? '"2"' : stride}`);
    }
    for (const pad of [-1, 0.5, Infinity]) {
      expect(() => convForward(A, W, b, { pad })).toThrow(ValueError);
      expect(() => convForward(A, W, b, { pad })).toThrow(`convForward: hparameters.pad: expected a non-negative integer, got ${pad}`);
    }
    expect(() => convForward(A, W, b, { strides: 2 } as never)).toThrow(
      'convForward: hparameters.strides: expected one of stride, pad (did you mean stride?), got an unknown hyperparameter',
    );
    expect(() => convForward(A, W, b, null as never)).toThrow('convForward: hparameters: expected { stride, pad }, got null');
  });

  it('convForward: a filter larger than the padded input says the formula and the numbers', () => {
    const big = zeros([5, 5, 1, 2], 'float64');
    expect(() => convForward(A, big, b)).toThrow(ShapeError);
    expect(() => convForward(A, big, b)).toThrow(
      'convForward: W: a 5x5 filter (stride 1, pad 0) does not fit A_prev (1, 3, 3, 1): expected output sizes floor((n + 2p - f) / s) + 1 >= 1, ' +
        'got n_H = floor((3 + 2*0 - 5) / 1) + 1 = -1 and n_W = floor((3 + 2*0 - 5) / 1) + 1 = -1',
    );
    expect(() => convForward(A, big, b, { pad: 1 })).not.toThrow(); // 3 + 2 - 5 = 0: n_H = 1
    expect(() => convForward(zeros([1, 3, 9, 1], 'float64'), zeros([4, 4, 1, 2], 'float64'), b, { stride: 2 })).toThrow(
      'got n_H = floor((3 + 2*0 - 4) / 2) + 1 = 0 and n_W = floor((9 + 2*0 - 4) / 2) + 1 = 3',
    );
  });

  it('convForward: NaN and Infinity in A_prev, W or b, named by index', () => {
    const bad = (t: Tensor, k: number, v: number): Tensor => {
      const c = t.clone();
      c.data[k] = v;
      return c;
    };
    expect(() => convForward(bad(A, 5, NaN), W, b)).toThrow(ValueError);
    expect(() => convForward(bad(A, 5, NaN), W, b)).toThrow('convForward: A_prev: expected finite numbers, got NaN at [0, 1, 2, 0]');
    expect(() => convForward(A, bad(W, 7, Infinity), b)).toThrow('convForward: W: expected finite numbers, got Infinity at [1, 1, 0, 1]');
    expect(() => convForward(A, W, bad(b, 1, -Infinity))).toThrow('convForward: b: expected finite numbers, got -Infinity at [0, 0, 0, 1]');
  });

  it('convBackward: a dZ that does not match the cache, NaN in dZ, a cache that is not one', () => {
    const { cache } = convForward(A, W, b, { stride: 1, pad: 0 });
    expect(() => convBackward(zeros([1, 2, 2, 3], 'float64'), cache)).toThrow(ShapeError);
    expect(() => convBackward(zeros([1, 2, 2, 3], 'float64'), cache)).toThrow(
      'convBackward: dZ: expected shape (1, 2, 2, 2) like Z (cache.Aprev (1, 3, 3, 1), cache.W (2, 2, 1, 2), stride 1, pad 0), got (1, 2, 2, 3)',
    );
    expect(() => convBackward(zeros([2, 2, 2], 'float64'), cache)).toThrow('convBackward: dZ: expected shape (1, 2, 2, 2) like Z');
    const dZ = zeros([1, 2, 2, 2], 'float64');
    dZ.data[3] = NaN;
    expect(() => convBackward(dZ, cache)).toThrow('convBackward: dZ: expected finite numbers, got NaN at [0, 0, 1, 1]');
    const ok = zeros([1, 2, 2, 2], 'float64');
    expect(() => convBackward(ok, null as never)).toThrow('convBackward: cache: expected the { Aprev, W, b, hparameters } cache from convForward, got null');
    expect(() => convBackward(ok, { ...cache, W: [[1]] } as never)).toThrow('convBackward: cache: expected the { Aprev, W, b, hparameters } cache from convForward, got an object');
    expect(() => convBackward(ok, { ...cache, hparameters: { stride: 0, pad: 0 } } as ConvCache)).toThrow('convBackward: cache.hparameters.stride: expected a positive integer, got 0');
    expect(() => convBackward(ok, { ...cache, b: zeros([1, 1, 1, 1], 'float64') })).toThrow('convBackward: cache.b: expected shape (1, 1, 1, 2)');
  });

  it('zeroPad and convSingleStep check their arguments', () => {
    expect(() => zeroPad(zeros([2, 2], 'float64'), 1)).toThrow('zeroPad: X: expected shape (m, n_H, n_W, n_C), got (2, 2)');
    expect(() => zeroPad(A, -1)).toThrow('zeroPad: pad: expected a non-negative integer, got -1');
    expect(() => zeroPad([[[[NaN]]]], 1)).toThrow('zeroPad: X: expected finite numbers, got NaN at [0, 0, 0, 0]');
    const a = [[[1], [2]], [[3], [4]]];
    expect(() => convSingleStep([[1, 2]], a, 0)).toThrow('convSingleStep: a_slice_prev: expected shape (f, f, n_C_prev), got (1, 2)');
    expect(() => convSingleStep(a, [[[1, 0], [0, 1]], [[1, 0], [0, 1]]], 0)).toThrow(ShapeError);
    expect(() => convSingleStep(a, [[[1, 0], [0, 1]], [[1, 0], [0, 1]]], 0)).toThrow('convSingleStep: W: expected shape (2, 2, 1) like a_slice_prev (one filter), got (2, 2, 2)');
    expect(() => convSingleStep(a, a, [[1, 2]])).toThrow('convSingleStep: b: expected a number or shape (1, 1, 1), got (1, 2)');
    expect(() => convSingleStep(a, a, NaN)).toThrow('convSingleStep: b: expected a finite number, got NaN');
    expect(() => convSingleStep(a, [[[1], [Infinity]], [[0], [0]]], 0)).toThrow('convSingleStep: W: expected finite numbers, got Infinity at [0, 1, 0]');
  });

  it('poolForward: f and stride positive integers, a window that fits, mode max or average, no unknown keys', () => {
    expect(() => poolForward(A, { f: 0 })).toThrow('poolForward: hparameters.f: expected a positive integer, got 0');
    expect(() => poolForward(A, {} as never)).toThrow('poolForward: hparameters.f: expected a positive integer, got undefined');
    expect(() => poolForward(A, { f: 2, stride: 1.5 })).toThrow('poolForward: hparameters.stride: expected a positive integer, got 1.5');
    expect(() => poolForward(A, { f: 2, mode: 'min' as never })).toThrow(ValueError);
    expect(() => poolForward(A, { f: 2, mode: 'min' as never })).toThrow('poolForward: hparameters.mode: expected "max" or "average", got "min"');
    expect(() => poolForward(A, { f: 2, mdoe: 'max' } as never)).toThrow(
      'poolForward: hparameters.mdoe: expected one of f, stride, mode (did you mean mode?), got an unknown hyperparameter',
    );
    expect(() => poolForward(A, { f: 4, stride: 1 })).toThrow(ShapeError);
    expect(() => poolForward(A, { f: 4, stride: 1 })).toThrow(
      'poolForward: hparameters.f: a 4x4 pooling window (stride 1, pad 0) does not fit A_prev (1, 3, 3, 1): expected output sizes floor((n + 2p - f) / s) + 1 >= 1, ' +
        'got n_H = floor((3 + 2*0 - 4) / 1) + 1 = 0 and n_W = floor((3 + 2*0 - 4) / 1) + 1 = 0',
    );
    expect(() => poolForward(zeros([1, 3], 'float64'), { f: 1 })).toThrow('poolForward: A_prev: expected shape (m, n_H_prev, n_W_prev, n_C_prev), got (1, 3)');
    expect(() => poolForward([[[[1], [Infinity]]]], { f: 1 })).toThrow('poolForward: A_prev: expected finite numbers, got Infinity at [0, 0, 1, 0]');
  });

  it('poolBackward: a dA that does not match the cache, NaN in dA, a cache that is not one', () => {
    const { cache } = poolForward(A, { f: 2, stride: 1, mode: 'average' });
    expect(() => poolBackward(zeros([1, 2, 2, 2], 'float64'), cache)).toThrow(ShapeError);
    expect(() => poolBackward(zeros([1, 2, 2, 2], 'float64'), cache)).toThrow(
      'poolBackward: dA: expected shape (1, 2, 2, 1) like A (cache.Aprev (1, 3, 3, 1), f 2, stride 1), got (1, 2, 2, 2)',
    );
    expect(() => poolBackward([[[[0], [0]], [[0], [NaN]]]], cache)).toThrow('poolBackward: dA: expected finite numbers, got NaN at [0, 1, 1, 0]');
    expect(() => poolBackward([[[[0]]]], { Aprev: 'x' } as never)).toThrow('poolBackward: cache: expected the { Aprev, hparameters } cache from poolForward, got an object');
    expect(() => poolBackward(zeros([1, 2, 2, 1]), { ...cache, hparameters: { ...cache.hparameters, mode: 'sum' as never } })).toThrow(
      'poolBackward: cache.hparameters.mode: expected "max" or "average", got "sum"',
    );
  });

  it('createMaskFromWindow and distributeValue check their arguments', () => {
    expect(() => createMaskFromWindow(zeros([2, 2, 1]))).toThrow('createMaskFromWindow: x: expected shape (f, f), got (2, 2, 1)');
    expect(() => createMaskFromWindow([[1, NaN]])).toThrow('createMaskFromWindow: x: expected finite numbers, got NaN at [0, 1]');
    expect(() => distributeValue(Infinity, [2, 2])).toThrow('distributeValue: dz: expected a finite number, got Infinity');
    expect(() => distributeValue(1, [2, 0] as never)).toThrow('distributeValue: shape: expected [n_H, n_W] (two positive integers), got [2, 0]');
    expect(() => distributeValue(1, [2] as never)).toThrow('distributeValue: shape: expected [n_H, n_W] (two positive integers), got [2]');
    expect(() => distributeValue(1, [2, 2], 'int8' as never)).toThrow('distributeValue: dtype: expected "float32" or "float64", got "int8"');
  });
});
