import { describe, expect, it } from 'vitest';
import type { Activation, LossKind } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { Rng } from '../../src/random/rng.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose } from '../helpers.js';
import { loadWasm, onHeap, randomWasm } from './wasm-helpers.js';

const wasm = loadWasm();

const ACTIVATIONS: readonly Activation[] = [
  { kind: 'sigmoid' },
  { kind: 'tanh' },
  { kind: 'relu' },
  { kind: 'leakyRelu', slope: 0.2 },
  { kind: 'linear' },
  { kind: 'softmax' },
];
const SHAPES: readonly (readonly [number, number])[] = [[1, 1], [1, 3], [3, 17], [17, 63], [65, 3], [63, 65], [257, 5], [5, 257]];
/** Float32 rounding of a few ulp, against the reference's double arithmetic rounded once. */
const TOL = 2e-6;

/** Logits over the range where activations saturate, plus exact zeros and tiny values. */
function logits(shape: readonly number[], rng: Rng): Tensor {
  const t = randomWasm(wasm, shape, rng, -20, 20);
  for (let i = 0; i < t.size; i += 7) t.data[i] = 0;
  for (let i = 3; i < t.size; i += 11) t.data[i] = (rng.uniform() - 0.5) * 1e-3;
  for (let i = 5; i < t.size; i += 13) t.data[i] = (rng.uniform() - 0.5) * 200;
  return t;
}

function actName(act: Activation): string {
  return act.kind === 'leakyRelu' ? `leakyRelu(${act.slope})` : act.kind;
}

describe('wasm activations vs the reference', () => {
  for (const act of ACTIVATIONS) {
    for (const [rows, cols] of SHAPES) {
      it(`${actName(act)} ${rows}x${cols}: biasActivation, activation, activationBackward`, () => {
        const rng = new Rng(rows * 31 + cols);
        const z = logits([rows, cols], rng);
        const b = randomWasm(wasm, [rows, 1], rng, -2, 2);
        const zRef = onHeap(z);
        const a = wasm.zeros([rows, cols], 'float32');
        const aRef = onHeap(a);
        wasm.biasActivation(z, b, a, act);
        jsBackend.biasActivation(zRef, b, aRef, act);
        expectClose(z, zRef.data, 0);
        expectClose(a, aRef.data, TOL);

        const a2 = wasm.zeros([rows, cols], 'float32');
        wasm.activation(z, a2, act);
        expectClose(a2, aRef.data, TOL);

        const dA = randomWasm(wasm, [rows, cols], rng);
        const dZ = wasm.zeros([rows, cols], 'float32');
        const dZRef = onHeap(dZ);
        wasm.activationBackward(dA, z, aRef, dZ, act);
        jsBackend.activationBackward(dA, z, aRef, dZRef, act);
        expectClose(dZ, dZRef.data, TOL);
      });
    }
    it(`${actName(act)} in place (A is Z, dZ is dA)`, () => {
      const rng = new Rng(99);
      const z = logits([9, 13], rng);
      const b = randomWasm(wasm, [9, 1], rng);
      const zRef = onHeap(z);
      wasm.biasActivation(z, b, z, act);
      jsBackend.biasActivation(zRef, b, zRef, act);
      expectClose(z, zRef.data, TOL);
      const dA = randomWasm(wasm, [9, 13], rng);
      const dARef = onHeap(dA);
      wasm.activationBackward(dA, zRef, zRef, dA, act);
      jsBackend.activationBackward(dARef, zRef, zRef, dARef, act);
      expectClose(dA, dARef.data, TOL);
    });
  }

  it('propagates NaN through sigmoid, tanh and leaky ReLU, and maps it to 0 in ReLU, like the reference', () => {
    for (const act of ACTIVATIONS.filter((x) => x.kind !== 'softmax')) {
      const z = wasm.zeros([1, 5], 'float32');
      z.data.set([NaN, 1, -1, Infinity, -Infinity]);
      const a = wasm.zeros([1, 5], 'float32');
      const aRef = onHeap(a);
      wasm.activation(z, a, act);
      jsBackend.activation(z, aRef, act);
      // Absolute, not only against the reference: ReLU(NaN) = 0 (max(0, z) reads NaN as not above 0), the others keep NaN.
      if (act.kind === 'relu') expect(a.data[0]).toBe(0);
      else expect(a.data[0]).toBeNaN();
      expect(Number.isNaN(a.data[0])).toBe(Number.isNaN(aRef.data[0]));
      a.data[0] = aRef.data[0] = 0;
      expectClose(a, aRef.data, TOL);
    }
  });
});

describe('wasm elementwise kernels vs the reference', () => {
  for (const [rows, cols] of SHAPES) {
    it(`${rows}x${cols}: rowSum, axpy, copy, fill, outputDelta, sumSquares`, () => {
      const rng = new Rng(rows * 7 + cols);
      const x = randomWasm(wasm, [rows, cols], rng, -3, 3);
      const y = randomWasm(wasm, [rows, cols], rng, -3, 3);

      const out = wasm.zeros([rows, 1], 'float32');
      const outRef = onHeap(out);
      wasm.rowSum(x, out, 1 / cols);
      jsBackend.rowSum(x, outRef, 1 / cols);
      expectClose(out, outRef.data, 1e-6);

      const y2 = onHeap(y);
      wasm.axpy(-0.37, x, y);
      jsBackend.axpy(-0.37, x, y2);
      expectClose(y, y2.data, 1e-6);

      const c = wasm.zeros([rows, cols], 'float32');
      wasm.copy(x, c);
      expect(Array.from(c.data)).toEqual(Array.from(x.data));
      wasm.fill(c, -2.5);
      expect(c.data.every((v) => v === -2.5)).toBe(true);
      wasm.fill(c, 0);
      expect(c.data.every((v) => v === 0)).toBe(true);

      const d = wasm.zeros([rows, cols], 'float32');
      const dRef = onHeap(d);
      wasm.outputDelta(x, y, d);
      jsBackend.outputDelta(x, y, dRef);
      expect(Array.from(d.data)).toEqual(Array.from(dRef.data));

      expect(wasm.sumSquares(x)).toBeCloseTo(jsBackend.sumSquares(x), 9);
      expect(Math.abs(wasm.sumSquares(x) - jsBackend.sumSquares(x))).toBeLessThanOrEqual(1e-12 * jsBackend.sumSquares(x));
    });
  }

  it('fill with -0 writes -0', () => {
    const c = wasm.zeros([2, 3], 'float32');
    wasm.fill(c, -0);
    expect(c.data.every((v) => Object.is(v, -0))).toBe(true);
  });
});

/** Labels for a loss: 0/1 for binary, one-hot columns for categorical, reals for MSE. */
function labels(loss: LossKind, rows: number, cols: number, rng: Rng): Tensor {
  const y = wasm.zeros([rows, cols], 'float32');
  if (loss === 'meanSquaredError') for (let i = 0; i < y.size; i++) y.data[i] = rng.uniform() * 4 - 2;
  else if (loss === 'binaryCrossEntropy') for (let i = 0; i < y.size; i++) y.data[i] = rng.uniform() < 0.5 ? 1 : 0;
  else for (let j = 0; j < cols; j++) y.data[rng.int(rows) * cols + j] = 1;
  return y;
}

const LOSS_CASES: readonly (readonly [LossKind, Activation])[] = [
  ['binaryCrossEntropy', { kind: 'sigmoid' }],
  ['meanSquaredError', { kind: 'linear' }],
  ['categoricalCrossEntropy', { kind: 'softmax' }],
];

describe('wasm losses vs the reference', () => {
  for (const [loss, act] of LOSS_CASES) {
    for (const [rows, cols] of [[1, 1], [1, 17], [3, 63], [10, 65], [1, 257]] as const) {
      if (loss === 'binaryCrossEntropy' && rows > 1) continue;
      it(`${loss} ${rows}x${cols}: lossSum, lossGradient`, () => {
        const rng = new Rng(rows * 13 + cols);
        const z = logits([rows, cols], rng);
        const a = wasm.zeros([rows, cols], 'float32');
        jsBackend.activation(z, a, act);
        // Outputs at the clamps: exactly 0 and 1, and within eps of them.
        if (loss !== 'meanSquaredError' && cols > 4) a.data.set([0, 1, 1e-9, 1 - 1e-8].slice(0, Math.min(4, a.size)));
        const y = labels(loss, rows, cols, rng);
        const expected = jsBackend.lossSum(loss, z, a, y);
        expect(Math.abs(wasm.lossSum(loss, z, a, y) - expected)).toBeLessThanOrEqual(1e-12 * Math.abs(expected) + 1e-12);

        const dA = wasm.zeros([rows, cols], 'float32');
        const dARef = onHeap(dA);
        wasm.lossGradient(loss, a, y, dA);
        jsBackend.lossGradient(loss, a, y, dARef);
        expectClose(dA, dARef.data, 1e-7);
      });
    }
  }
});

describe('kernels on tensors outside wasm memory', () => {
  it('copies inputs in and outputs back, also when an output is an input', () => {
    const rng = new Rng(5);
    const z = onHeap(logits([7, 9], rng));
    const b = onHeap(randomWasm(wasm, [7, 1], rng));
    const zRef = onHeap(z);
    wasm.biasActivation(z, b, z, { kind: 'tanh' });
    jsBackend.biasActivation(zRef, b, zRef, { kind: 'tanh' });
    expectClose(z, zRef.data, TOL);

    const x = onHeap(randomWasm(wasm, [7, 9], rng));
    const y = onHeap(randomWasm(wasm, [7, 9], rng));
    const yRef = onHeap(y);
    wasm.axpy(0.5, x, y);
    jsBackend.axpy(0.5, x, yRef);
    expectClose(y, yRef.data, 1e-6);
    expect(wasm.sumSquares(x)).toBeCloseTo(jsBackend.sumSquares(x), 9);
  });

  it('works on a reshaped view of a wasm tensor', () => {
    const rng = new Rng(6);
    const x = randomWasm(wasm, [6, 4], rng);
    const flat = x.reshape([1, 24]);
    const out = wasm.zeros([1, 1], 'float32');
    wasm.rowSum(flat, out, 1);
    expect(out.data[0]).toBeCloseTo(Array.from(x.data).reduce((s, v) => s + v, 0), 5);
  });
});

describe('the wasm backend object', () => {
  it('implements every kernel the reference backend has', () => {
    const kernels = (o: object): string[] => Object.keys(o).filter((k) => typeof (o as Record<string, unknown>)[k] === 'function').sort();
    expect(kernels(wasm)).toEqual(kernels(jsBackend));
    expect(wasm.name).toBe('wasm');
    expect(wasm.dtypes).toEqual(['float32']);
  });

  it('keeps float64 tensors on the JS heap', () => {
    const t = wasm.zeros([2, 2], 'float64');
    expect(t.dtype).toBe('float64');
  });
});
