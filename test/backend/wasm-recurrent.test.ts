import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectSameBits, loadWasm, onHeap, randomWasm } from './wasm-helpers.js';

const wasm = loadWasm();
/** (n_a, m): single values, rows shorter than a SIMD group, tails of 1-3, a row of 65. */
const SHAPES: readonly (readonly [number, number])[] = [[1, 1], [1, 3], [3, 5], [7, 17], [17, 3], [33, 65]];

/** |a - b| <= tol max(1, |b|) everywhere. */
function expectNear(actual: Tensor, expected: Tensor, tol: number): void {
  expect(actual.shape).toEqual(expected.shape);
  for (let i = 0; i < expected.size; i++) {
    const e = expected.data[i]!;
    const d = Math.abs(actual.data[i]! - e);
    if (!(d <= tol * Math.max(1, Math.abs(e)))) throw new Error(`element ${i}: ${actual.data[i]} vs ${e}`);
  }
}

/** The inputs of one forward and backward step: pre-activations in [-6, 6) so the gates saturate too. */
function cellInputs(nA: number, m: number, seed: number) {
  const rng = new Rng(seed);
  return {
    g: randomWasm(wasm, [4 * nA, m], rng, -6, 6),
    b: randomWasm(wasm, [4 * nA, 1], rng),
    cPrev: randomWasm(wasm, [nA, m], rng, -2, 2),
    dA: randomWasm(wasm, [nA, m], rng),
    dC: randomWasm(wasm, [nA, m], rng),
  };
}

/** One forward and backward step on `be` into fresh tensors made by `make`. */
function runCell(be: Backend, make: (shape: number[]) => Tensor, x: ReturnType<typeof cellInputs>) {
  const [nA, m] = x.cPrev.shape as [number, number];
  const g = make([4 * nA, m]);
  be.copy(x.g, g);
  const c = make([nA, m]);
  const tanhC = make([nA, m]);
  const a = make([nA, m]);
  be.lstmCellForward(g, x.b, x.cPrev, c, tanhC, a);
  const dG = make([4 * nA, m]);
  const dCPrev = make([nA, m]);
  be.lstmCellBackward(g, x.cPrev, tanhC, x.dA, x.dC, dG, dCPrev);
  return { g, c, tanhC, a, dG, dCPrev };
}

const heap32 = (shape: number[]): Tensor => new Tensor(shape, new Float32Array(shape[0]! * shape[1]!));

describe('fused LSTM cell kernels: wasm vs the reference', () => {
  for (const [nA, m] of SHAPES) {
    it(`n_a ${nA}, m ${m}: gates, c, tanh(c), a, dG and dc_prev agree to float32 rounding`, () => {
      const x = cellInputs(nA, m, 100 * nA + m);
      const got = runCell(wasm, (s) => wasm.zeros(s, 'float32'), x);
      const want = runCell(jsBackend, heap32, { g: onHeap(x.g), b: onHeap(x.b), cPrev: onHeap(x.cPrev), dA: onHeap(x.dA), dC: onHeap(x.dC) });
      for (const k of ['g', 'c', 'tanhC', 'a', 'dG', 'dCPrev'] as const) expectNear(got[k], want[k], 2e-6);
    });
  }

  it('gives the same bits on tensors outside wasm memory (staged), and with dc_prev written over dC', () => {
    const x = cellInputs(5, 7, 3);
    const inWasm = runCell(wasm, (s) => wasm.zeros(s, 'float32'), x);
    const staged = runCell(wasm, heap32, { g: onHeap(x.g), b: onHeap(x.b), cPrev: onHeap(x.cPrev), dA: onHeap(x.dA), dC: onHeap(x.dC) });
    for (const k of ['g', 'c', 'tanhC', 'a', 'dG', 'dCPrev'] as const) expectSameBits(staged[k], inWasm[k]);
    for (const be of [wasm, jsBackend]) {
      const g = onHeap(inWasm.g);
      const dC = onHeap(x.dC);
      const dG = heap32([20, 7]);
      be.lstmCellBackward(g, x.cPrev, inWasm.tanhC, x.dA, dC, dG, dC);
      expectNear(dC, inWasm.dCPrev, be === wasm ? 0 : 2e-6);
    }
  });
});

describe('fused LSTM cell kernels: the formulas', () => {
  for (const be of [jsBackend, wasm]) {
    it(`${be.name}: pre-activations 0 and c_prev = 1 give every gate 1/2, c~ = 0, c = 1/2 and the hand-derived gradients`, () => {
      const t = (v: number[]): Tensor => {
        const out = be.zeros([v.length === 4 ? 4 : 1, 1], 'float32');
        out.data.set(v);
        return out;
      };
      const g = t([0, 0, 0, 0]);
      const c = t([0]);
      const tanhC = t([0]);
      const a = t([0]);
      be.lstmCellForward(g, t([0, 0, 0, 0]), t([1]), c, tanhC, a);
      const th = Math.tanh(0.5);
      expectNear(g, new Tensor([4, 1], Float32Array.of(0.5, 0.5, 0.5, 0)), 1e-7);
      expectNear(c, new Tensor([1, 1], Float32Array.of(0.5)), 1e-7);
      expectNear(a, new Tensor([1, 1], Float32Array.of(0.5 * th)), 1e-7);
      // dA = 1, dC = 0: dc = Γo (1 - tanh(c)^2); dΓf = dc c_prev Γf (1 - Γf); dΓu = dc c~ ... = 0;
      // dΓo = tanh(c) Γo (1 - Γo); dc~ = dc Γu (1 - c~^2); dc_prev = dc Γf.
      const dG = t([9, 9, 9, 9]);
      const dCPrev = t([9]);
      be.lstmCellBackward(g, t([1]), tanhC, t([1]), t([0]), dG, dCPrev);
      const dc = 0.5 * (1 - th * th);
      expectNear(dG, new Tensor([4, 1], Float32Array.of(dc * 0.25, 0, th * 0.25, dc * 0.5)), 1e-6);
      expectNear(dCPrev, new Tensor([1, 1], Float32Array.of(dc * 0.5)), 1e-6);
    });
  }

  it('reference in float64: dG and dc_prev are the derivatives of sum(dA a + dC c) by central differences (< 1e-7 relative)', () => {
    const nA = 3;
    const m = 2;
    const rng = new Rng(11);
    const r = (rows: number, cols: number, s: number): Tensor => new Tensor([rows, cols], Float64Array.from({ length: rows * cols }, () => s * (2 * rng.uniform() - 1)));
    const z = r(4 * nA, m, 2);
    const b = r(4 * nA, 1, 0.5);
    const cPrev = r(nA, m, 1);
    const dA = r(nA, m, 1);
    const dC = r(nA, m, 1);
    const f64 = (rows: number, cols: number): Tensor => new Tensor([rows, cols], new Float64Array(rows * cols));
    const loss = (zz: Tensor, cp: Tensor): number => {
      const g = new Tensor(zz.shape, Float64Array.from(zz.data));
      const c = f64(nA, m);
      const a = f64(nA, m);
      jsBackend.lstmCellForward(g, b, cp, c, f64(nA, m), a);
      let s = 0;
      for (let k = 0; k < nA * m; k++) s += dA.data[k]! * a.data[k]! + dC.data[k]! * c.data[k]!;
      return s;
    };
    const g = new Tensor(z.shape, Float64Array.from(z.data));
    const tanhC = f64(nA, m);
    jsBackend.lstmCellForward(g, b, cPrev, f64(nA, m), tanhC, f64(nA, m));
    const dG = f64(4 * nA, m);
    const dCPrev = f64(nA, m);
    jsBackend.lstmCellBackward(g, cPrev, tanhC, dA, dC, dG, dCPrev);
    const h = 1e-6;
    const numeric = (t: Tensor, k: number, other: () => number): number => {
      const v = t.data[k]!;
      t.data[k] = v + h;
      const up = other();
      t.data[k] = v - h;
      const down = other();
      t.data[k] = v;
      return (up - down) / (2 * h);
    };
    const pairs: [number, number][] = [];
    for (let k = 0; k < z.size; k++) pairs.push([dG.data[k]!, numeric(z, k, () => loss(z, cPrev))]);
    for (let k = 0; k < cPrev.size; k++) pairs.push([dCPrev.data[k]!, numeric(cPrev, k, () => loss(z, cPrev))]);
    let num = 0;
    let den = 0;
    for (const [an, nu] of pairs) {
      num += (an - nu) ** 2;
      den += an ** 2 + nu ** 2;
    }
    expect(Math.sqrt(num) / Math.sqrt(den)).toBeLessThan(1e-7);
  });
});
