import { describe, expect, it } from 'vitest';
import { jsBackend } from '../../src/backend/js/index.js';
import { Rng } from '../../src/random/rng.js';
import { expectClose } from '../helpers.js';
import { loadWasm, onHeap, randomWasm } from './wasm-helpers.js';

const wasm = loadWasm();

/** (m, k, n): every odd size in every position, plus the shapes that pick each code path. */
const SHAPES: readonly (readonly [number, number, number])[] = [
  [1, 1, 1], [1, 3, 17], [3, 17, 1], [17, 1, 3], [63, 65, 257], [65, 257, 63], [257, 63, 65],
  [17, 257, 1], [1, 63, 65], [65, 1, 257], [257, 17, 3], [3, 65, 63], [63, 3, 17],
  [4, 2, 400], [1, 4, 400], // row-major B read in place (few rows)
  [4, 400, 2], [1, 400, 4], [33, 400, 8], // dot products (A B^T with few columns)
  [20, 600, 30], // several K blocks
  [3, 5, 1100], // more columns than one packed block
  [130, 40, 20], // more rows than one row block
  [1024, 20, 33], // A^T packed into row pairs (m a multiple of 1024)
  [131, 301, 130], // A^T packed (>= 128 columns): odd last row pair, K blocks of 152 and 149 steps
];
const TRANSPOSES: readonly (readonly [boolean, boolean])[] = [[false, false], [false, true], [true, false], [true, true]];
const SCALARS: readonly (readonly [number, number])[] = [[1, 0], [0.5, 1], [-1.5, 0.25], [2, -1]];

function name(t: readonly [boolean, boolean]): string {
  return `${t[0] ? 'T' : 'N'}${t[1] ? 'T' : 'N'}`;
}

describe('wasm matmul vs the reference', () => {
  for (const [m, k, n] of SHAPES) {
    for (const tr of TRANSPOSES) {
      it(`${m}x${k}x${n} ${name(tr)}`, () => {
        const rng = new Rng(m * 1000 + k * 10 + n);
        const [tA, tB] = tr;
        const a = randomWasm(wasm, tA ? [k, m] : [m, k], rng);
        const b = randomWasm(wasm, tB ? [n, k] : [k, n], rng);
        // Rounding grows with k: each product and partial sum rounds once in float32.
        const tol = 1e-6 + 4e-7 * k;
        for (const [alpha, beta] of SCALARS) {
          const c = randomWasm(wasm, [m, n], rng);
          const expected = onHeap(c);
          wasm.matmul(a, b, c, tA, tB, alpha, beta);
          jsBackend.matmul(a, b, expected, tA, tB, alpha, beta);
          expectClose(c, expected.data, tol);
        }
      });
    }
  }

  it('ignores NaN in C when beta is 0', () => {
    const rng = new Rng(7);
    for (const [m, k, n] of [[3, 5, 7], [40, 30, 50], [4, 300, 2]] as const) {
      const a = randomWasm(wasm, [m, k], rng);
      const b = randomWasm(wasm, [k, n], rng);
      const bt = randomWasm(wasm, [n, k], rng);
      for (const [bb, tB] of [[b, false], [bt, true]] as const) {
        const c = wasm.zeros([m, n], 'float32');
        c.data.fill(NaN);
        const expected = onHeap(c);
        wasm.matmul(a, bb, c, false, tB, 1, 0);
        jsBackend.matmul(a, bb, expected, false, tB, 1, 0);
        expect(c.data.every(Number.isFinite)).toBe(true);
        expectClose(c, expected.data, 1e-5);
      }
    }
  });

  it('scales C by beta when k is 0', () => {
    const rng = new Rng(8);
    const c = randomWasm(wasm, [3, 4], rng);
    const expected = onHeap(c);
    wasm.matmul(wasm.zeros([3, 0], 'float32'), wasm.zeros([0, 4], 'float32'), c, false, false, 1, 0.5);
    jsBackend.matmul(wasm.zeros([3, 0], 'float32'), wasm.zeros([0, 4], 'float32'), expected, false, false, 1, 0.5);
    expectClose(c, expected.data, 0);
  });

  it('gives the same results for tensors outside wasm memory (copied in and out)', () => {
    const rng = new Rng(9);
    const a = randomWasm(wasm, [37, 50], rng);
    const b = randomWasm(wasm, [50, 41], rng);
    const c = randomWasm(wasm, [37, 41], rng);
    const cHeap = onHeap(c);
    wasm.matmul(a, b, c, false, false, 0.5, 0.5);
    wasm.matmul(onHeap(a), onHeap(b), cHeap, false, false, 0.5, 0.5);
    expect(Array.from(cHeap.data)).toEqual(Array.from(c.data));
  });
});
