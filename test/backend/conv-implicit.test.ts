/**
 * The convolution kernels without im2col's matrix (convForward, convFilterGradient,
 * convInputGradient): the reference against im2col + matmul + col2im in float64, the wasm
 * implicit-GEMM kernels against the reference on odd shapes (every filter count around the
 * kernels' 4 x 8 tiles, padding, strides, partial tiles), staging, and bit-identical results
 * when the worker takes part.
 */
import { describe, expect, it } from 'vitest';
import type { Activation, Backend, WindowGeometry } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { checkGradients, Network, type ActivationSpec } from '../../src/index.js';
import { setWasmThreads, wasmThreads } from '../../src/backend/wasm/index.js';
import { workerTasks } from '../../src/backend/wasm/testing.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor, zeros, type DType } from '../../src/tensor/tensor.js';
import { expectClose } from '../helpers.js';
import { expectSameBits, loadWasm, onHeap, randomWasm, shareEveryKernel } from './wasm-helpers.js';

const js = jsBackend;
const wasm = loadWasm();

function geometry(m: number, h: number, w: number, c: number, f: number, stride: number, pad: number): WindowGeometry {
  const out = (n: number): number => Math.floor((n + 2 * pad - f) / stride) + 1;
  return { m, h, w, c, f, stride, pad, outH: out(h), outW: out(w) };
}

function random(shape: readonly number[], rng: Rng, dtype: DType = 'float64', lo = -1, hi = 1): Tensor {
  const t = zeros(shape, dtype);
  for (let i = 0; i < t.size; i++) t.data[i] = lo + (hi - lo) * rng.uniform();
  return t;
}

/** Geometries with odd edges, channels, strides and padding, and the two convolutions of the MNIST network. */
const GEOMETRIES: readonly WindowGeometry[] = [
  geometry(1, 3, 3, 1, 2, 1, 0),
  geometry(2, 5, 4, 3, 3, 2, 1),
  geometry(3, 7, 9, 2, 3, 1, 2),
  geometry(1, 6, 5, 13, 1, 1, 0),
  geometry(2, 9, 7, 5, 4, 3, 1),
  geometry(3, 4, 6, 1, 2, 3, 0),
  geometry(1, 1, 1, 3, 1, 1, 0),
  geometry(2, 2, 3, 4, 5, 1, 2),
  geometry(5, 11, 11, 8, 5, 1, 0),
  geometry(3, 28, 28, 1, 5, 1, 0),
  geometry(4, 12, 12, 8, 5, 1, 0),
];
const FILTERS = [1, 3, 8, 13, 16, 24] as const;
const ACTIVATIONS: readonly Activation[] = [{ kind: 'relu' }, { kind: 'leakyRelu', slope: 0.1 }, { kind: 'linear' }, { kind: 'sigmoid' }, { kind: 'tanh' }];

/**
 * Runs `run` on one thread, then on two (inside shareEveryKernel), expecting `tasks` kernels shared
 * with the worker and every output bit-identical.
 */
async function expectSameOnTwoThreads(run: () => Tensor[], tasks: number): Promise<void> {
  await setWasmThreads(1);
  const one = run();
  await setWasmThreads(2);
  const before = workerTasks();
  const two = run();
  expect(workerTasks()).toBe(before + tasks);
  for (let i = 0; i < one.length; i++) expectSameBits(two[i]!, one[i]!);
}

function label(g: WindowGeometry, n: number): string {
  return `m ${g.m}, ${g.h}x${g.w}x${g.c}, f ${g.f}, stride ${g.stride}, pad ${g.pad}, ${n} filters`;
}

describe('reference convolution kernels = im2col, matmul and col2im', () => {
  for (const [i, g] of GEOMETRIES.entries()) {
    const n = FILTERS[i % FILTERS.length]!;
    it(label(g, n), () => {
      const rng = new Rng(i);
      const k = g.f * g.f * g.c;
      const p = g.m * g.outH * g.outW;
      const x = random([g.m, g.h, g.w, g.c], rng);
      const w = random([g.f, g.f, g.c, n], rng);
      const b = random([1, n], rng);
      const cols = zeros([p, k], 'float64');
      js.im2col(x, cols, g);
      const wm = new Tensor([k, n], w.data);

      const z = zeros([p, n], 'float64');
      const a = zeros([p, n], 'float64');
      const act = ACTIVATIONS[i % ACTIVATIONS.length]!;
      js.convForward(x, w, b, z, a, act, g);
      const zRef = zeros([p, n], 'float64');
      const aRef = zeros([p, n], 'float64');
      js.matmul(cols, wm, zRef, false, false, 1, 0);
      js.channelBiasActivation(zRef, b, aRef, act);
      expectClose(z, zRef.data, 1e-12);
      expectClose(a, aRef.data, 1e-12);

      const dz = random([g.m, g.outH, g.outW, n], rng);
      const dzm = new Tensor([p, n], dz.data);
      const dw = zeros(w.shape, 'float64');
      js.convFilterGradient(x, dz, dw, 0.25, g);
      const dwRef = zeros([k, n], 'float64');
      js.matmul(cols, dzm, dwRef, true, false, 0.25, 0);
      expectClose(dw, dwRef.data, 1e-12);

      const dx = zeros(x.shape, 'float64');
      dx.data.fill(7);
      js.convInputGradient(dz, w, dx, g);
      const dCols = zeros([p, k], 'float64');
      js.matmul(dzm, wm, dCols, false, true, 1, 0);
      const dxRef = zeros(x.shape, 'float64');
      js.col2im(dCols, dxRef, g);
      expectClose(dx, dxRef.data, 1e-12);
    });
  }
});

/** Z, A, dW and dX of the wasm kernels and of the reference (on float32 copies of the same inputs). */
function compareWithReference(g: WindowGeometry, n: number, act: Activation, rng: Rng, withBias: boolean): void {
  const x = randomWasm(wasm, [g.m, g.h, g.w, g.c], rng);
  const w = randomWasm(wasm, [g.f, g.f, g.c, n], rng);
  const b = withBias ? randomWasm(wasm, [1, n], rng) : null;
  const dz = randomWasm(wasm, [g.m, g.outH, g.outW, n], rng);
  const run = (be: Backend, inputs: readonly Tensor[]): Tensor[] => {
    const [xi, wi, dzi] = inputs as [Tensor, Tensor, Tensor];
    const bi = inputs[3] ?? null;
    const out = [[g.m, g.outH, g.outW, n], [g.m, g.outH, g.outW, n], w.shape, x.shape].map((s) => be.zeros(s, 'float32'));
    for (const t of out) t.data.fill(NaN);
    const [z, a, dw, dx] = out as [Tensor, Tensor, Tensor, Tensor];
    be.convForward(xi, wi, bi, z, a, act, g);
    be.convFilterGradient(xi, dzi, dw, 1 / g.m, g);
    be.convInputGradient(dzi, wi, dx, g);
    return out;
  };
  const inputs = [x, w, dz, ...(b ? [b] : [])];
  const got = run(wasm, inputs);
  const expected = run(js, inputs.map(onHeap));
  // float32 sums in another order: |error| grows with the number of terms and their size.
  const k = g.f * g.f * g.c;
  const tol = (terms: number): number => 4e-7 * Math.sqrt(terms) + 1e-6;
  expectClose(got[0]!, expected[0]!.data, tol(k));
  expectClose(got[1]!, expected[1]!.data, tol(k));
  expectClose(got[2]!, expected[2]!.data, tol(g.m * g.outH * g.outW));
  expectClose(got[3]!, expected[3]!.data, tol(n * g.f * g.f));
}

describe('wasm convolution kernels vs the reference', () => {
  for (const [i, g] of GEOMETRIES.entries()) {
    for (const n of FILTERS) {
      it(label(g, n), () => {
        const rng = new Rng(100 * i + n);
        compareWithReference(g, n, ACTIVATIONS[(i + n) % ACTIVATIONS.length]!, rng, (i + n) % 2 === 0);
      });
    }
  }

  it('writes A over Z when they are the same tensor, and leaves A alone when none is given', () => {
    const g = geometry(2, 6, 7, 3, 3, 1, 1);
    const rng = new Rng(9);
    const x = randomWasm(wasm, [g.m, g.h, g.w, g.c], rng);
    const w = randomWasm(wasm, [g.f, g.f, g.c, 5], rng);
    const b = randomWasm(wasm, [1, 5], rng);
    const z = wasm.zeros([g.m, g.outH, g.outW, 5], 'float32');
    const a = wasm.zeros(z.shape, 'float32');
    wasm.convForward(x, w, b, z, a, { kind: 'relu' }, g);
    const inPlace = wasm.zeros(z.shape, 'float32');
    wasm.convForward(x, w, b, inPlace, inPlace, { kind: 'relu' }, g);
    expectSameBits(inPlace, a);
    const untouched = wasm.zeros(z.shape, 'float32');
    untouched.data.fill(3);
    const plain = wasm.zeros(z.shape, 'float32');
    wasm.convForward(x, w, b, plain, null, { kind: 'relu' }, g);
    expectSameBits(plain, z);
    expect(untouched.data.every((v) => v === 3)).toBe(true);
  });

  it('stages tensors that live on the JS heap', () => {
    const g = geometry(2, 9, 8, 3, 3, 2, 1);
    const rng = new Rng(12);
    const x = randomWasm(wasm, [g.m, g.h, g.w, g.c], rng);
    const w = randomWasm(wasm, [g.f, g.f, g.c, 11], rng);
    const dz = randomWasm(wasm, [g.m, g.outH, g.outW, 11], rng);
    const outs = (): Tensor[] => [[g.m, g.outH, g.outW, 11], w.shape, x.shape].map((s) => zeros(s));
    const [z, dw, dx] = outs() as [Tensor, Tensor, Tensor];
    wasm.convForward(onHeap(x), onHeap(w), null, z, null, { kind: 'linear' }, g);
    wasm.convFilterGradient(onHeap(x), onHeap(dz), dw, 0.5, g);
    wasm.convInputGradient(onHeap(dz), onHeap(w), dx, g);
    const [z2, dw2, dx2] = [[g.m, g.outH, g.outW, 11], w.shape, x.shape].map((s) => wasm.zeros(s, 'float32')) as [Tensor, Tensor, Tensor];
    wasm.convForward(x, w, null, z2, null, { kind: 'linear' }, g);
    wasm.convFilterGradient(x, dz, dw2, 0.5, g);
    wasm.convInputGradient(dz, w, dx2, g);
    expectSameBits(z, z2);
    expectSameBits(dw, dw2);
    expectSameBits(dx, dx2);
  });
});

describe('wasm convolution kernels on two threads', () => {
  shareEveryKernel();

  const SHARED: readonly (readonly [WindowGeometry, number])[] = [
    [geometry(64, 28, 28, 1, 5, 1, 0), 8],
    [geometry(64, 12, 12, 8, 5, 1, 0), 16],
    [geometry(12, 17, 13, 3, 3, 2, 1), 13],
    [geometry(5, 16, 16, 6, 3, 1, 1), 20],
  ];
  for (const [g, n] of SHARED) {
    it(`give bit-identical results to one thread: ${label(g, n)}`, async () => {
      expect(wasmThreads()).toBe(2);
      const rng = new Rng(g.h * n);
      const x = randomWasm(wasm, [g.m, g.h, g.w, g.c], rng);
      const w = randomWasm(wasm, [g.f, g.f, g.c, n], rng);
      const b = randomWasm(wasm, [1, n], rng);
      const dz = randomWasm(wasm, [g.m, g.outH, g.outW, n], rng);
      const run = (): Tensor[] => {
        const out = [[g.m, g.outH, g.outW, n], [g.m, g.outH, g.outW, n], w.shape, x.shape].map((s) => wasm.zeros(s, 'float32'));
        const [z, a, dw, dx] = out as [Tensor, Tensor, Tensor, Tensor];
        wasm.convForward(x, w, b, z, a, { kind: 'relu' }, g);
        wasm.convFilterGradient(x, dz, dw, 1 / g.m, g);
        wasm.convInputGradient(dz, w, dx, g);
        return out;
      };
      await expectSameOnTwoThreads(run, 3);
    });
  }
});

describe('max pooling: the one-pass backward over tiling windows, and ReLU\'s derivative folded in', () => {
  // Even edges tile (the parity cases of conv-kernels.test.ts have odd ones); stride 1 and
  // leftover edges take the clearing path. Values from a small set tie often (the first maximum
  // wins) and are often 0 or below (ReLU's derivative is 0 there); gradients include -0 (a zeroed
  // DX plus -0 is +0).
  const shapes = [[3, 24, 24, 8, 2, 2], [2, 8, 8, 16, 2, 2], [4, 4, 6, 5, 2, 2], [2, 9, 9, 3, 3, 3], [1, 2, 2, 1, 2, 2], [2, 7, 6, 5, 2, 2], [2, 6, 7, 3, 3, 1]] as const;
  for (const [m, h, w, c, f, stride] of shapes) {
    const g = geometry(m, h, w, c, f, stride, 0);
    it(`${label(g, c)}: forward and backward bit for bit as the reference`, () => {
      const rng = new Rng(h * c + f);
      const x = wasm.zeros([m, h, w, c], 'float32');
      for (let i = 0; i < x.size; i++) x.data[i] = Math.max(0, Math.floor(rng.uniform() * 5) - 2);
      const dOut = randomWasm(wasm, [m, g.outH, g.outW, c], rng);
      for (let i = 0; i < dOut.size; i += 7) dOut.data[i] = -0;
      const [out, outRef] = [wasm.zeros(dOut.shape, 'float32'), zeros(dOut.shape)];
      wasm.maxPoolForward(x, out, g);
      js.maxPoolForward(onHeap(x), outRef, g);
      expectSameBits(out, outRef);
      for (const reluMask of [false, true]) {
        const [dx, dxRef] = [wasm.zeros(x.shape, 'float32'), zeros(x.shape)];
        dx.data.fill(NaN);
        wasm.maxPoolBackward(dOut, x, dx, g, reluMask);
        js.maxPoolBackward(onHeap(dOut), onHeap(x), dxRef, g, reluMask);
        expectSameBits(dx, dxRef);
      }
      // Folded in, ReLU's derivative gives what activationBackward gives after the plain pass.
      const [masked, unmasked] = [wasm.zeros(x.shape, 'float32'), wasm.zeros(x.shape, 'float32')];
      wasm.maxPoolBackward(dOut, x, masked, g, true);
      wasm.maxPoolBackward(dOut, x, unmasked, g);
      const rows = (t: Tensor): Tensor => t.reshape([t.size / c, c]);
      wasm.activationBackward(rows(unmasked), rows(x), rows(x), rows(unmasked), { kind: 'relu' });
      expectSameBits(masked, unmasked);
    });
  }
});

describe('pooling and activation backward on two threads', () => {
  shareEveryKernel();

  for (const [m, h, w, c, f, stride] of [[64, 24, 24, 8, 2, 2], [20, 29, 27, 13, 3, 2], [90, 19, 19, 5, 3, 1]] as const) {
    const g = geometry(m, h, w, c, f, stride, 0);
    it(`give bit-identical results to one thread: pooling ${label(g, c)}`, async () => {
      const rng = new Rng(h * w * c);
      const x = randomWasm(wasm, [m, h, w, c], rng);
      const dOut = randomWasm(wasm, [m, g.outH, g.outW, c], rng);
      const run = (): Tensor[] => {
        const out = [dOut.shape, x.shape, dOut.shape, x.shape].map((s) => wasm.zeros(s, 'float32'));
        const [maxOut, maxDx, avgOut, avgDx] = out as [Tensor, Tensor, Tensor, Tensor];
        wasm.maxPoolForward(x, maxOut, g);
        wasm.maxPoolBackward(dOut, x, maxDx, g, true);
        wasm.avgPoolForward(x, avgOut, g);
        wasm.avgPoolBackward(dOut, avgDx, g);
        return out;
      };
      await expectSameOnTwoThreads(run, 4);
    });
  }

  for (const act of ACTIVATIONS) {
    it(`give bit-identical results to one thread: ${act.kind} backward of 100,003 values`, async () => {
      const rng = new Rng(5);
      const [z, a, dA] = [0, 1, 2].map(() => randomWasm(wasm, [100_003, 1], rng)) as [Tensor, Tensor, Tensor];
      const run = (): Tensor[] => {
        const dZ = wasm.zeros(z.shape, 'float32');
        wasm.activationBackward(dA, z, a, dZ, act);
        return [dZ];
      };
      await expectSameOnTwoThreads(run, 1);
    });
  }
});

describe('conv2d layers on these kernels', () => {
  // Without batch norm the layer keeps A alone and reads g'(Z) off it. (Padding only in the first
  // layer: a window of padding and dead ReLU outputs would put Z exactly on ReLU's kink.)
  const activations: readonly ActivationSpec[] = ['relu', 'sigmoid', 'tanh', 'linear', { name: 'leakyRelu', slope: 0.2 }];
  for (const activation of activations) {
    it(`pass a float64 gradient check with ${JSON.stringify(activation)}`, () => {
      const net = new Network({
        inputShape: [7, 6, 2],
        layers: [{ type: 'conv2d', filters: 3, size: 3, padding: 1, activation }, { type: 'conv2d', filters: 5, size: 2, stride: 2, activation }, { units: 2, activation: 'softmax' }],
        dtype: 'float64',
        seed: 3,
      });
      const rng = new Rng(8);
      const X = random([3, 7, 6, 2], rng);
      const Y = [[1, 0, 1], [0, 1, 0]];
      expect(checkGradients(net, X, Y).difference).toBeLessThan(1e-7);
    });
  }
});
