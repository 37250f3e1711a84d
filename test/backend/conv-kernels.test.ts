import { describe, expect, it } from 'vitest';
import type { Activation, Backend, Kernels, WindowGeometry } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { compareGradients } from '../../src/functional/gradient-check.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor, tensor, zeros, type DType } from '../../src/tensor/tensor.js';
import { expectClose } from '../helpers.js';
import { expectSameBits, loadWasm, onHeap, randomWasm } from './wasm-helpers.js';

const js = jsBackend;

/** The geometry of a window operation, with outH and outW from the formula floor((h + 2 pad - f) / stride) + 1. */
function geometry(m: number, h: number, w: number, c: number, f: number, stride: number, pad: number): WindowGeometry {
  const out = (n: number): number => Math.floor((n + 2 * pad - f) / stride) + 1;
  return { m, h, w, c, f, stride, pad, outH: out(h), outW: out(w) };
}

/** A tensor of `shape` with the values `values` (row-major). */
function shaped(shape: readonly number[], values: readonly number[], dtype: DType = 'float32'): Tensor {
  return tensor(dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values), { shape });
}

/** A tensor of `shape` with values uniform in [lo, hi) on the JS heap. */
function random(shape: readonly number[], rng: Rng, dtype: DType = 'float64', lo = -1, hi = 1): Tensor {
  const t = zeros(shape, dtype);
  for (let i = 0; i < t.size; i++) t.data[i] = lo + (hi - lo) * rng.uniform();
  return t;
}

/** sum of X * Y over all elements. */
function dot(x: Tensor, y: Tensor): number {
  let s = 0;
  for (let i = 0; i < x.size; i++) s += x.data[i]! * y.data[i]!;
  return s;
}

describe('reference im2col / col2im', () => {
  it('1x3x3x1, f 2, stride 1, pad 0: one row per output pixel, the 2x2 window in row-major order', () => {
    const g = geometry(1, 3, 3, 1, 2, 1, 0);
    const cols = zeros([4, 4]);
    js.im2col(shaped([1, 3, 3, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9]), cols, g);
    expectClose(cols, [[1, 2, 4, 5], [2, 3, 5, 6], [4, 5, 7, 8], [5, 6, 8, 9]], 0);
  });

  it('pad 1, stride 2: padding positions are zeros', () => {
    const g = geometry(1, 2, 2, 1, 2, 2, 1);
    expect([g.outH, g.outW]).toEqual([2, 2]);
    const cols = zeros([4, 4]);
    cols.data.fill(7);
    js.im2col(shaped([1, 2, 2, 1], [1, 2, 3, 4]), cols, g);
    expectClose(cols, [[0, 0, 0, 1], [0, 0, 2, 0], [0, 3, 0, 0], [4, 0, 0, 0]], 0);
  });

  it('channels are the innermost run of each window position', () => {
    // X (1, 2, 2, 2): pixel (i, j) holds channels [10 (2i + j) + 1, 10 (2i + j) + 2].
    const g = geometry(1, 2, 2, 2, 2, 1, 0);
    const cols = zeros([1, 8]);
    js.im2col(shaped([1, 2, 2, 2], [1, 2, 11, 12, 21, 22, 31, 32]), cols, g);
    expectClose(cols, [[1, 2, 11, 12, 21, 22, 31, 32]], 0);
  });

  it('col2im adds every column entry back where im2col read it: overlap counts for a matrix of ones', () => {
    const g = geometry(1, 3, 3, 1, 2, 1, 0);
    const dx = zeros([1, 3, 3, 1]);
    dx.data.fill(5);
    js.col2im(shaped([4, 4], new Array<number>(16).fill(1)), dx, g);
    expectClose(dx, [1, 2, 1, 2, 4, 2, 1, 2, 1], 0);
  });

  it('col2im is the adjoint of im2col: <COLS, im2col(X)> = <col2im(COLS), X>', () => {
    const rng = new Rng(11);
    for (const g of [geometry(2, 5, 4, 3, 3, 2, 1), geometry(1, 7, 7, 2, 3, 1, 2), geometry(3, 4, 6, 1, 2, 3, 0)]) {
      const x = random([g.m, g.h, g.w, g.c], rng);
      const cols = random([g.m * g.outH * g.outW, g.f * g.f * g.c], rng);
      const imX = zeros(cols.shape, 'float64');
      js.im2col(x, imX, g);
      const back = zeros(x.shape, 'float64');
      js.col2im(cols, back, g);
      expect(Math.abs(dot(cols, imX) - dot(back, x))).toBeLessThan(1e-12 * (1 + Math.abs(dot(cols, imX))));
    }
  });
});

describe('reference pooling', () => {
  const X = [1, 3, 2, 0, 5, 4, 1, 7, 0, 2, 9, 8, 6, 1, 3, 3];

  it('4x4, f 2, stride 2: max and mean of each quadrant', () => {
    const g = geometry(1, 4, 4, 1, 2, 2, 0);
    const out = zeros([1, 2, 2, 1]);
    js.maxPoolForward(shaped([1, 4, 4, 1], X), out, g);
    expectClose(out, [5, 7, 6, 9], 0);
    js.avgPoolForward(shaped([1, 4, 4, 1], X), out, g);
    expectClose(out, [13 / 4, 10 / 4, 9 / 4, 23 / 4], 1e-7);
  });

  it('4x4, f 2, stride 2 backward: max to the arg-max, mean spread over the quadrant', () => {
    const g = geometry(1, 4, 4, 1, 2, 2, 0);
    const dx = zeros([1, 4, 4, 1]);
    dx.data.fill(-1);
    js.maxPoolBackward(shaped([1, 2, 2, 1], [1, 2, 3, 4]), shaped([1, 4, 4, 1], X), dx, g);
    expectClose(dx, [0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 4, 0, 3, 0, 0, 0], 0);
    js.avgPoolBackward(shaped([1, 2, 2, 1], [4, 8, 12, 16]), dx, g);
    expectClose(dx, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], 0);
  });

  it('overlapping windows (f 3, stride 1) add their gradients at a shared arg-max', () => {
    const g = geometry(1, 4, 4, 1, 3, 1, 0);
    const out = zeros([1, 2, 2, 1]);
    js.maxPoolForward(shaped([1, 4, 4, 1], X), out, g);
    expectClose(out, [9, 9, 9, 9], 0);
    const dx = zeros([1, 4, 4, 1]);
    js.maxPoolBackward(shaped([1, 2, 2, 1], [1, 2, 3, 4]), shaped([1, 4, 4, 1], X), dx, g);
    expectClose(dx, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0], 0);
  });

  it('max pool backward sends a tied gradient to the first maximum in row-major window order, per channel', () => {
    // Two channels of a 2x2 image: channel 0 all ties (first is (0, 0)); channel 1 ties at (0, 1), (1, 0), (1, 1).
    const g = geometry(1, 2, 2, 2, 2, 1, 0);
    const dx = zeros([1, 2, 2, 2]);
    js.maxPoolBackward(shaped([1, 1, 1, 2], [3, 5]), shaped([1, 2, 2, 2], [1, 0, 1, 5, 1, 5, 1, 5]), dx, g);
    expectClose(dx, [3, 0, 0, 5, 0, 0, 0, 0], 0);
  });
});

describe('reference zeroPad, bias, sums and transpose', () => {
  it('zeroPad surrounds each channel with zeros; backward takes the interior', () => {
    const out = zeros([1, 4, 4, 1]);
    out.data.fill(9);
    js.zeroPad(shaped([1, 2, 2, 1], [1, 2, 3, 4]), out, 1, 2, 2, 1, 1, false);
    expectClose(out, [0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0], 0);
    const padded = shaped([1, 4, 4, 1], Array.from({ length: 16 }, (_, i) => i + 1));
    const dx = zeros([1, 2, 2, 1]);
    js.zeroPad(padded, dx, 1, 2, 2, 1, 1, true);
    expectClose(dx, [6, 7, 10, 11], 0);
  });

  it('zeroPad keeps channels together and examples apart (m 2, c 2, pad 1 on a 1x1 image)', () => {
    const out = zeros([2, 3, 3, 2]);
    js.zeroPad(shaped([2, 1, 1, 2], [1, 2, 3, 4]), out, 2, 1, 1, 2, 1, false);
    const expected = new Array<number>(36).fill(0);
    [expected[8], expected[9], expected[26], expected[27]] = [1, 2, 3, 4];
    expectClose(out, expected, 0);
    const dx = zeros([2, 1, 1, 2]);
    js.zeroPad(out, dx, 2, 1, 1, 2, 1, true);
    expectClose(dx, [1, 2, 3, 4], 0);
  });

  it('channelBiasActivation adds b per column of the (p, c) view, then applies the activation', () => {
    const z = shaped([1, 1, 2, 3], [1, -2, 3, -4, 5, -6]);
    const a = zeros([1, 1, 2, 3]);
    js.channelBiasActivation(z, shaped([1, 3], [1, 1, -1]), a, { kind: 'relu' });
    expectClose(z, [2, -1, 2, -3, 6, -7], 0);
    expectClose(a, [2, 0, 2, 0, 6, 0], 0);
    js.channelBiasActivation(z, shaped([1, 3], [0, 0, 0]), z, { kind: 'leakyRelu', slope: 0.5 });
    expectClose(z, [2, -0.5, 2, -1.5, 6, -3.5], 0);
  });

  it('colSum sums each column and scales; transpose swaps rows and columns', () => {
    const out = zeros([1, 2]);
    js.colSum(shaped([3, 2], [1, 2, 3, 4, 5, 6]), out, 0.5);
    expectClose(out, [4.5, 6], 0);
    const t = zeros([3, 2]);
    js.transpose(shaped([2, 3], [1, 2, 3, 4, 5, 6]), t);
    expectClose(t, [1, 4, 2, 5, 3, 6], 0);
    const back = zeros([2, 1, 1, 3]);
    js.transpose(t, back);
    expectClose(back, [1, 2, 3, 4, 5, 6], 0);
  });
});

/** The tensors channel batch norm writes. */
interface BNState {
  readonly out: Tensor;
  readonly zhat: Tensor;
  readonly mean: Tensor;
  readonly invStd: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
}

/** Zeroed state for Z with c channels from `backend` (running statistics 0 and 1 unless given). */
function bnState(backend: Backend, z: Tensor, c: number, running?: [Tensor, Tensor]): BNState {
  const v = (): Tensor => backend.zeros([1, c], z.dtype);
  const runningVar = running?.[1] ?? v();
  if (!running) runningVar.data.fill(1);
  return { out: backend.zeros(z.shape, z.dtype), zhat: backend.zeros(z.shape, z.dtype), mean: v(), invStd: v(), runningMean: running?.[0] ?? v(), runningVar };
}

/** One forward pass of `kernels` on Z into s (momentum 0.9, epsilon 1e-5). */
function bnForward(kernels: Kernels, z: Tensor, gamma: Tensor, beta: Tensor, s: BNState, training: boolean): void {
  kernels.channelBatchNormForward(z, gamma, beta, s.out, s.zhat, s.mean, s.invStd, s.runningMean, s.runningVar, 0.9, 1e-5, training);
}

/** A reference forward pass of channel batch norm on Z with fresh state. */
function channelBN(z: Tensor, gamma: Tensor, beta: Tensor, training = true, running?: [Tensor, Tensor]): BNState {
  const s = bnState(js, z, gamma.size, running);
  bnForward(js, z, gamma, beta, s, training);
  return s;
}

describe('reference channel batch normalization', () => {
  const rng = new Rng(5);
  // (m 2, 2, 3, c 3): p = 12 rows of the (p, c) view.
  const z = random([2, 2, 3, 3], rng, 'float64', -2, 3);
  const gamma = random([1, 3], rng, 'float64', 0.5, 1.5);
  const beta = random([1, 3], rng);

  it('forward: per-channel mean and variance over every pixel of every example, running statistics, Zhat and OUT', () => {
    const rm = shaped([1, 3], [1, 2, 3], 'float64');
    const rv = shaped([1, 3], [4, 5, 6], 'float64');
    const s = channelBN(z, gamma, beta, true, [rm, rv]);
    for (let ch = 0; ch < 3; ch++) {
      const col = Array.from({ length: 12 }, (_, r) => z.data[r * 3 + ch]!);
      const mu = col.reduce((a, b) => a + b, 0) / 12;
      const variance = col.reduce((a, b) => a + (b - mu) ** 2, 0) / 12;
      const inv = 1 / Math.sqrt(variance + 1e-5);
      expect(s.mean.data[ch]).toBeCloseTo(mu, 14);
      expect(s.invStd.data[ch]).toBeCloseTo(inv, 12);
      expect(s.runningMean.data[ch]).toBeCloseTo(0.9 * (ch + 1) + 0.1 * mu, 14);
      expect(s.runningVar.data[ch]).toBeCloseTo(0.9 * (ch + 4) + 0.1 * variance, 14);
      for (let r = 0; r < 12; r++) {
        expect(s.zhat.data[r * 3 + ch]).toBeCloseTo((col[r]! - mu) * inv, 12);
        expect(s.out.data[r * 3 + ch]).toBeCloseTo(gamma.data[ch]! * (col[r]! - mu) * inv + beta.data[ch]!, 12);
      }
    }
  });

  it('inference uses the running statistics and leaves them as they were', () => {
    const s = channelBN(z, gamma, beta, false, [shaped([1, 3], [1, 2, 3], 'float64'), shaped([1, 3], [4, 5, 6], 'float64')]);
    expectClose(s.runningMean, [1, 2, 3], 0);
    for (let i = 0; i < z.size; i++) {
      const ch = i % 3;
      expect(s.zhat.data[i]).toBeCloseTo((z.data[i]! - (ch + 1)) / Math.sqrt(ch + 4 + 1e-5), 12);
    }
  });

  it('backward matches a two-sided numerical derivative of sum(R * OUT) (relative error < 1e-7)', () => {
    const R = random(z.shape, rng);
    const loss = (): number => dot(R, channelBN(z, gamma, beta).out);
    const s = channelBN(z, gamma, beta);
    const dZ = zeros(z.shape, 'float64');
    const dGamma = zeros([1, 3], 'float64');
    const dBeta = zeros([1, 3], 'float64');
    js.channelBatchNormBackward(R, s.zhat, gamma, s.invStd, dZ, dGamma, dBeta, 2);

    // dGamma and dBeta are the loss gradient divided by m = 2 examples.
    const perExample = (t: Tensor): Tensor => new Tensor(t.shape, t.data.map((v) => 2 * v));
    const check = compareGradients([z, gamma, beta], [dZ, perExample(dGamma), perExample(dBeta)], loss, 1e-5);
    expect(check.difference).toBeLessThan(1e-7);
    // dZ may be dOut.
    const inPlace = onHeap64(R);
    js.channelBatchNormBackward(inPlace, s.zhat, gamma, s.invStd, inPlace, dGamma, dBeta, 2);
    expectClose(inPlace, dZ.data, 0);
  });
});

/** A float64 copy. */
function onHeap64(t: Tensor): Tensor {
  return new Tensor(t.shape, Float64Array.from(t.data));
}

const wasm = loadWasm();
const SIZES = [1, 3, 5, 7, 17, 29] as const;
const CHANNELS = [1, 3, 8, 13] as const;
const ACTIVATIONS: readonly Activation[] = [{ kind: 'relu' }, { kind: 'leakyRelu', slope: 0.1 }, { kind: 'linear' }, { kind: 'sigmoid' }, { kind: 'tanh' }];

/** One parity case: a convolution's geometry and the pooling geometry (pad 0, f at most the image) of the same batch. */
interface ParityCase {
  readonly g: WindowGeometry;
  readonly pool: WindowGeometry;
  readonly act: Activation;
}

/**
 * A deterministic, covering subset of the odd shapes: each parameter drawn from a seeded
 * generator (sizes, strides 1-3, pads 0-2, f 1-7, channels, m 1 or 3), keeping only geometries
 * with an output; the test below checks that every value of every parameter appears.
 */
function parityCases(count: number): ParityCase[] {
  const rng = new Rng(2024);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rng.uniform() * values.length)]!;
  const cases: ParityCase[] = [];
  while (cases.length < count) {
    const [h, w, c, m] = [pick(SIZES), pick(SIZES), pick(CHANNELS), pick([1, 3])];
    const [f, stride, pad] = [pick([1, 2, 3, 4, 5, 6, 7]), pick([1, 2, 3]), pick([0, 1, 2])];
    if (h + 2 * pad < f || w + 2 * pad < f) continue;
    const act = ACTIVATIONS[cases.length % ACTIVATIONS.length]!;
    cases.push({ g: geometry(m, h, w, c, f, stride, pad), pool: geometry(m, h, w, c, Math.min(f, h, w), stride, 0), act });
  }
  return cases;
}

const CASES = parityCases(150);

/** A float32 tensor of `shape` in wasm memory and one on the JS heap, both zero. */
function outputs(shape: readonly number[]): [Tensor, Tensor] {
  return [wasm.zeros(shape, 'float32'), zeros(shape)];
}

describe('wasm convolutional kernels vs the reference', () => {
  it('the parity cases cover every value of every parameter', () => {
    const seen = (key: (g: WindowGeometry) => number): number[] => [...new Set(CASES.map((k) => key(k.g)))].sort((a, b) => a - b);
    expect(seen((g) => g.h)).toEqual([...SIZES]);
    expect(seen((g) => g.w)).toEqual([...SIZES]);
    expect(seen((g) => g.c)).toEqual([...CHANNELS]);
    expect(seen((g) => g.m)).toEqual([1, 3]);
    expect(seen((g) => g.f)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(seen((g) => g.stride)).toEqual([1, 2, 3]);
    expect(seen((g) => g.pad)).toEqual([0, 1, 2]);
  });

  for (const [k, { g, pool, act }] of CASES.entries()) {
    const label = `m ${g.m}, ${g.h}x${g.w}x${g.c}, f ${g.f}, stride ${g.stride}, pad ${g.pad}`;
    it(`${label}: im2col, col2im, pooling, zeroPad`, () => {
      const rng = new Rng(k);
      const x = randomWasm(wasm, [g.m, g.h, g.w, g.c], rng);
      const xRef = onHeap(x);

      const [cols, colsRef] = outputs([g.m * g.outH * g.outW, g.f * g.f * g.c]);
      cols.data.fill(NaN);
      wasm.im2col(x, cols, g);
      js.im2col(xRef, colsRef, g);
      expectSameBits(cols, colsRef);

      const dCols = randomWasm(wasm, cols.shape, rng);
      const [dx, dxRef] = outputs(x.shape);
      dx.data.fill(NaN);
      wasm.col2im(dCols, dx, g);
      js.col2im(onHeap(dCols), dxRef, g);
      // The same float32 additions in the same order.
      expectSameBits(dx, dxRef);

      const [pooled, pooledRef] = outputs([g.m, pool.outH, pool.outW, g.c]);
      wasm.maxPoolForward(x, pooled, pool);
      js.maxPoolForward(xRef, pooledRef, pool);
      expectSameBits(pooled, pooledRef);
      const dPooled = randomWasm(wasm, pooled.shape, rng);
      wasm.maxPoolBackward(dPooled, x, dx, pool);
      js.maxPoolBackward(onHeap(dPooled), xRef, dxRef, pool);
      expectSameBits(dx, dxRef);
      wasm.avgPoolForward(x, pooled, pool);
      js.avgPoolForward(xRef, pooledRef, pool);
      expectClose(pooled, pooledRef.data, 1e-6);
      wasm.avgPoolBackward(dPooled, dx, pool);
      js.avgPoolBackward(onHeap(dPooled), dxRef, pool);
      expectClose(dx, dxRef.data, 1e-6);

      const [padded, paddedRef] = outputs([g.m, g.h + 2 * g.pad, g.w + 2 * g.pad, g.c]);
      padded.data.fill(NaN);
      wasm.zeroPad(x, padded, g.m, g.h, g.w, g.c, g.pad, false);
      js.zeroPad(xRef, paddedRef, g.m, g.h, g.w, g.c, g.pad, false);
      expectSameBits(padded, paddedRef);
      const back = wasm.zeros(x.shape, 'float32');
      wasm.zeroPad(padded, back, g.m, g.h, g.w, g.c, g.pad, true);
      expectSameBits(back, xRef);
    });

    it(`${label}: ${act.kind} bias, colSum, transpose, channel batch norm on the (p, c) view`, () => {
      const rng = new Rng(1000 + k);
      const z = randomWasm(wasm, [g.m, g.h, g.w, g.c], rng, -2, 3);
      const zRef = onHeap(z);
      const b = randomWasm(wasm, [1, g.c], rng);
      const [a, aRef] = outputs(z.shape);
      wasm.channelBiasActivation(z, b, a, act);
      js.channelBiasActivation(zRef, b, aRef, act);
      expectSameBits(z, zRef);
      expectClose(a, aRef.data, 1e-6);

      const [sums, sumsRef] = outputs([1, g.c]);
      wasm.colSum(z, sums, 1 / g.m);
      js.colSum(zRef, sumsRef, 1 / g.m);
      expectSameBits(sums, sumsRef);

      const flat = z.reshape([g.m, g.h * g.w * g.c]);
      const [t, tRef] = outputs([g.h * g.w * g.c, g.m]);
      wasm.transpose(flat, t);
      js.transpose(onHeap(flat), tRef);
      expectSameBits(t, tRef);
      const p = g.m * g.h * g.w;
      const [t2, t2Ref] = outputs([p, g.c]);
      wasm.transpose(z.reshape([g.c, p]), t2);
      js.transpose(zRef.reshape([g.c, p]), t2Ref);
      expectSameBits(t2, t2Ref);

      expectChannelBatchNorm(z, zRef, g.m, rng);
    });
  }

  it('stages tensors that live on the JS heap', () => {
    const g = geometry(2, 5, 7, 3, 3, 2, 1);
    const rng = new Rng(77);
    const x = onHeap(randomWasm(wasm, [g.m, g.h, g.w, g.c], rng));
    const cols = zeros([g.m * g.outH * g.outW, g.f * g.f * g.c]);
    const colsRef = zeros(cols.shape);
    wasm.im2col(x, cols, g);
    js.im2col(x, colsRef, g);
    expectSameBits(cols, colsRef);
    const dx = zeros(x.shape);
    const dxRef = zeros(x.shape);
    wasm.col2im(cols, dx, g);
    js.col2im(cols, dxRef, g);
    expectSameBits(dx, dxRef);
  });

  it('has its own wasm implementation of every kernel of the interface', () => {
    const kernels = Object.keys(jsBackend).filter((k) => typeof jsBackend[k as keyof typeof jsBackend] === 'function') as (keyof Kernels)[];
    expect(kernels.length).toBeGreaterThanOrEqual(36);
    for (const k of kernels) {
      expect(Object.hasOwn(wasm, k), k).toBe(true);
      expect(typeof wasm[k], k).toBe('function');
      expect(wasm[k] === jsBackend[k], k).toBe(false);
    }
  });
});

/** Channel batch norm forward (training, then inference) and backward on Z as a (p, c) view: wasm against the reference, to the bit. */
function expectChannelBatchNorm(z: Tensor, zRef: Tensor, m: number, rng: Rng): void {
  const c = z.shape[3]!;
  const gamma = randomWasm(wasm, [1, c], rng, 0.5, 1.5);
  const beta = randomWasm(wasm, [1, c], rng);
  const s = bnState(wasm, z, c);
  const sRef = bnState(js, zRef, c);
  const keys = Object.keys(s) as (keyof BNState)[];
  for (const training of [true, false, true]) {
    bnForward(wasm, z, gamma, beta, s, training);
    bnForward(js, zRef, gamma, beta, sRef, training);
    for (const key of keys) expectSameBits(s[key], sRef[key]);
  }

  const dOut = randomWasm(wasm, z.shape, rng);
  const [dZ, dZRef] = outputs(z.shape);
  const [dGamma, dGammaRef] = outputs([1, c]);
  const [dBeta, dBetaRef] = outputs([1, c]);
  wasm.channelBatchNormBackward(dOut, s.zhat, gamma, s.invStd, dZ, dGamma, dBeta, m);
  js.channelBatchNormBackward(onHeap(dOut), sRef.zhat, gamma, sRef.invStd, dZRef, dGammaRef, dBetaRef, m);
  expectSameBits(dZ, dZRef);
  expectSameBits(dGamma, dGammaRef);
  expectSameBits(dBeta, dBetaRef);
  // dZ may be dOut.
  wasm.channelBatchNormBackward(dOut, s.zhat, gamma, s.invStd, dOut, dGamma, dBeta, m);
  expectSameBits(dOut, dZ);
}
