import { describe, expect, it } from 'vitest';
import { jsBackend } from '../../src/backend/js/index.js';
import { Rng } from '../../src/random/rng.js';
import { zeros, type Tensor } from '../../src/tensor/tensor.js';
import { expectClose } from '../helpers.js';
import { expectSameBits, loadWasm, onHeap, randomWasm } from './wasm-helpers.js';

const wasm = loadWasm();
const SHAPES: readonly (readonly [number, number])[] = [[1, 1], [1, 3], [3, 17], [17, 63], [65, 3], [63, 65], [5, 257]];

/** Clones of every tensor, on the JS heap, for the reference to update. */
function heapCopies(ts: readonly Tensor[]): Tensor[] {
  return ts.map(onHeap);
}

describe('wasm optimizer steps vs the reference', () => {
  for (const [rows, cols] of SHAPES) {
    it(`${rows}x${cols}: momentum and RMSprop match to the float32 bit, Adam to float32 rounding`, () => {
      const rng = new Rng(rows * 3 + cols);
      const w = randomWasm(wasm, [rows, cols], rng);
      const g = randomWasm(wasm, [rows, cols], rng, -0.1, 0.1);
      const m = randomWasm(wasm, [rows, cols], rng, -0.01, 0.01);
      const v = randomWasm(wasm, [rows, cols], rng, 0, 0.01);

      let [wr, mr] = heapCopies([w, m]) as [Tensor, Tensor];
      wasm.momentumUpdate(w, g, m, 0.05, 0.9);
      jsBackend.momentumUpdate(wr, g, mr, 0.05, 0.9);
      expectSameBits(w, wr);
      expectSameBits(m, mr);

      let vr: Tensor;
      [wr, vr] = heapCopies([w, v]) as [Tensor, Tensor];
      wasm.rmspropUpdate(w, g, v, 0.01, 0.999, 1e-8);
      jsBackend.rmspropUpdate(wr, g, vr, 0.01, 0.999, 1e-8);
      expectSameBits(w, wr);
      expectSameBits(v, vr);

      [wr, mr, vr] = heapCopies([w, m, v]) as [Tensor, Tensor, Tensor];
      for (const step of [1, 2, 37]) {
        wasm.adamUpdate(w, g, m, v, 0.001, 0.9, 0.999, 1e-8, step);
        jsBackend.adamUpdate(wr, g, mr, vr, 0.001, 0.9, 0.999, 1e-8, step);
      }
      // Adam runs in float32 in wasm (the reference in float64): equal to float32 rounding.
      // (m sums terms of either sign, so the bound is relative to the tensor's scale, not each element's.)
      for (const [a, b] of [[w, wr], [m, mr], [v, vr]] as const) {
        const scale = Math.max(...Array.from(b.data, Math.abs));
        for (let i = 0; i < a.size; i++) expect(Math.abs(a.data[i]! - b.data[i]!)).toBeLessThanOrEqual(1e-6 * scale);
      }
    });
  }
});

describe('wasm regularization, dropout and gather kernels vs the reference', () => {
  for (const [rows, cols] of SHAPES) {
    it(`${rows}x${cols}: sumAbs, addSign, mul, dropout, gatherColumns, gatherRows`, () => {
      const rng = new Rng(rows * 5 + cols);
      const x = randomWasm(wasm, [rows, cols], rng, -2, 2);
      for (let i = 0; i < x.size; i += 3) x.data[i] = 0;
      const expectedAbs = jsBackend.sumAbs(x);
      expect(Math.abs(wasm.sumAbs(x) - expectedAbs)).toBeLessThanOrEqual(1e-12 * expectedAbs);

      const y = randomWasm(wasm, [rows, cols], rng);
      y.data[0] = -0;
      const yr = onHeap(y);
      wasm.addSign(-0.01, x, y);
      jsBackend.addSign(-0.01, x, yr);
      expectSameBits(y, yr);

      const mask = randomWasm(wasm, [rows, cols], rng, 0, 2);
      const out = wasm.zeros([rows, cols], 'float32');
      const outRef = onHeap(out);
      wasm.mul(x, mask, out);
      jsBackend.mul(x, mask, outRef);
      expectSameBits(out, outRef);
      wasm.mul(x, mask, x); // in place
      expectSameBits(x, outRef);

      // Dropout draws the same mask from the same generator state, and leaves the state where the reference does.
      for (const keepProb of [0.5, 0.8, 0.999]) {
        const rngWasm = new Rng(rows + cols);
        const rngRef = new Rng(rows + cols);
        const dm = wasm.zeros([rows, cols], 'float32');
        const dout = wasm.zeros([rows, cols], 'float32');
        const dmRef = onHeap(dm);
        const doutRef = onHeap(dout);
        wasm.dropout(rngWasm.words, x, dm, dout, keepProb);
        jsBackend.dropout(rngRef.words, onHeap(x), dmRef, doutRef, keepProb);
        expectSameBits(dm, dmRef);
        expectSameBits(dout, doutRef);
        expect(rngWasm.getState()).toEqual(rngRef.getState());
        // The mask is what drawing from the generator one number at a time gives.
        const rngOne = new Rng(rows + cols);
        const scale = Math.fround(1 / keepProb);
        expect(Array.from(dm.data)).toEqual(Array.from({ length: dm.size }, () => (rngOne.uniform32() < keepProb ? scale : 0)));
      }

      const indices = Int32Array.from({ length: cols + 3 }, () => rng.int(cols));
      const count = Math.max(1, cols - 1);
      const dst = wasm.zeros([rows, count], 'float32');
      const dstRef = onHeap(dst);
      wasm.gatherColumns(x, indices, 2, count, dst);
      jsBackend.gatherColumns(x, indices, 2, count, dstRef);
      expectSameBits(dst, dstRef);

      // gatherRows reads examples from rows of a transposed copy: the same batch.
      const xT = wasm.zeros([cols, rows], 'float32');
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) xT.data[j * rows + i] = x.data[i * cols + j]!;
      const dstRows = wasm.zeros([rows, count], 'float32');
      wasm.gatherRows(xT, indices, 2, count, dstRows);
      expectSameBits(dstRows, dstRef);
      const dstRowsRef = onHeap(dstRows);
      jsBackend.gatherRows(onHeap(xT), indices, 2, count, dstRowsRef);
      expectSameBits(dstRowsRef, dstRef);

      // gatherExamples copies the same examples row to row: the transpose of that batch.
      const examples = wasm.zeros([count, rows], 'float32');
      wasm.gatherExamples(xT, indices, 2, count, examples);
      const examplesRef = zeros([count, rows]);
      jsBackend.gatherExamples(onHeap(xT), indices, 2, count, examplesRef);
      expectSameBits(examples, examplesRef);
      for (let k = 0; k < count; k++) for (let i = 0; i < rows; i++) expect(examples.data[k * rows + i]).toBe(dstRef.data[i * count + k]);
      const staged = zeros([count, rows]);
      wasm.gatherExamples(onHeap(xT), indices, 2, count, staged);
      expectSameBits(staged, examplesRef);
    });
  }
});

describe('wasm batch normalization vs the reference', () => {
  for (const [rows, cols] of SHAPES) {
    for (const training of [true, false]) {
      it(`${rows}x${cols} ${training ? 'training' : 'inference'}: forward and backward`, () => {
        const rng = new Rng(rows * 11 + cols);
        const z = randomWasm(wasm, [rows, cols], rng, -3, 5);
        const gamma = randomWasm(wasm, [rows, 1], rng, 0.5, 1.5);
        const beta = randomWasm(wasm, [rows, 1], rng);
        const stats = [0, 1, 2, 3].map(() => randomWasm(wasm, [rows, 1], rng, 0.1, 1)) as [Tensor, Tensor, Tensor, Tensor];
        const [mean, invStd, runningMean, runningVar] = stats;
        const out = wasm.zeros([rows, cols], 'float32');
        const zhat = wasm.zeros([rows, cols], 'float32');
        const [outR, zhatR, meanR, invStdR, rmR, rvR] = heapCopies([out, zhat, mean, invStd, runningMean, runningVar]) as Tensor[];
        wasm.batchNormForward(z, gamma, beta, out, zhat, mean, invStd, runningMean, runningVar, 0.9, 1e-5, training);
        jsBackend.batchNormForward(z, gamma, beta, outR!, zhatR!, meanR!, invStdR!, rmR!, rvR!, 0.9, 1e-5, training);
        // Sums in a different order can move a double's last bit, rarely a float32's.
        for (const [a, e] of [[out, outR], [zhat, zhatR], [mean, meanR], [invStd, invStdR], [runningMean, rmR], [runningVar, rvR]] as const) {
          expectClose(a, e!.data, 1e-6);
        }

        const dOut = randomWasm(wasm, [rows, cols], rng);
        const dZ = wasm.zeros([rows, cols], 'float32');
        const dGamma = wasm.zeros([rows, 1], 'float32');
        const dBeta = wasm.zeros([rows, 1], 'float32');
        const [dZR, dGR, dBR] = heapCopies([dZ, dGamma, dBeta]) as Tensor[];
        wasm.batchNormBackward(dOut, zhatR!, gamma, invStdR!, dZ, dGamma, dBeta);
        jsBackend.batchNormBackward(dOut, zhatR!, gamma, invStdR!, dZR!, dGR!, dBR!);
        expectClose(dZ, dZR!.data, 1e-5);
        expectClose(dGamma, dGR!.data, 1e-6);
        expectClose(dBeta, dBR!.data, 1e-6);
      });
    }
  }

  it('leaves the batch statistics of a tensor outside wasm memory alone in inference', () => {
    const rng = new Rng(1);
    const z = onHeap(randomWasm(wasm, [3, 8], rng));
    const vec = (): Tensor => onHeap(randomWasm(wasm, [3, 1], rng, 0.5, 1));
    const [gamma, beta, mean, invStd, rm, rv] = [vec(), vec(), vec(), vec(), vec(), vec()] as Tensor[];
    const before = onHeap(mean!);
    wasm.batchNormForward(z, gamma!, beta!, onHeap(z), onHeap(z), mean!, invStd!, rm!, rv!, 0.9, 1e-5, false);
    expectSameBits(mean!, before);
  });
});
