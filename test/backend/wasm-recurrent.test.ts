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
    expect(relativeDifference(Array.from(dG.data), numericGradient(z, () => loss(z, cPrev)))).toBeLessThan(1e-7);
    expect(relativeDifference(Array.from(dCPrev.data), numericGradient(cPrev, () => loss(z, cPrev)))).toBeLessThan(1e-7);
  });
});

/** Central differences of `loss` by each value of `t` (restored after). */
function numericGradient(t: Tensor, loss: () => number, h = 1e-6): number[] {
  return Array.from(t.data, (v, k) => {
    t.data[k] = v + h;
    const up = loss();
    t.data[k] = v - h;
    const down = loss();
    t.data[k] = v;
    return (up - down) / (2 * h);
  });
}

/** ||a - b|| / (||a|| + ||b||) over paired lists. */
function relativeDifference(analytic: number[], numeric: number[]): number {
  let num = 0;
  let den = 0;
  analytic.forEach((a, k) => {
    num += (a - numeric[k]!) ** 2;
    den += a ** 2 + numeric[k]! ** 2;
  });
  return Math.sqrt(num) / Math.sqrt(den);
}

/** The GRU kernels' inputs: gate and candidate pre-activations, biases, c_prev and the incoming gradients. */
function gruInputs(nA: number, m: number, seed: number) {
  const rng = new Rng(seed);
  return {
    g: randomWasm(wasm, [2 * nA, m], rng, -6, 6),
    b: randomWasm(wasm, [2 * nA, 1], rng),
    z: randomWasm(wasm, [nA, m], rng, -4, 4),
    bc: randomWasm(wasm, [nA, 1], rng),
    cPrev: randomWasm(wasm, [nA, m], rng, -1, 1),
    dC: randomWasm(wasm, [nA, m], rng),
    dRC: randomWasm(wasm, [nA, m], rng),
  };
}

/** Both GRU passes forward and back on `be` into tensors from `make`. */
function runGru(be: Backend, make: (shape: number[]) => Tensor, x: ReturnType<typeof gruInputs>) {
  const [nA, m] = x.cPrev.shape as [number, number];
  const g = make([2 * nA, m]);
  be.copy(x.g, g);
  const rc = make([nA, m]);
  be.gruGatesForward(g, x.b, x.cPrev, rc);
  const r = new Tensor([nA, m], g.data.subarray(0, nA * m));
  const u = new Tensor([nA, m], g.data.subarray(nA * m));
  const cc = make([nA, m]);
  be.copy(x.z, cc);
  const c = make([nA, m]);
  be.gruCellForward(cc, x.bc, u, x.cPrev, c);
  const dCC = make([nA, m]);
  const dU = make([nA, m]);
  const dCPrev = make([nA, m]);
  be.gruCellBackward(x.dC, u, cc, x.cPrev, dCC, dU, dCPrev);
  const dR = make([nA, m]);
  const dRCPrev = make([nA, m]);
  be.gruGatesBackward(x.dRC, r, x.cPrev, dR, dRCPrev);
  return { g, rc, cc, c, dCC, dU, dCPrev, dR, dRCPrev };
}

const GRU_OUTPUTS = ['g', 'rc', 'cc', 'c', 'dCC', 'dU', 'dCPrev', 'dR', 'dRCPrev'] as const;

describe('fused GRU kernels: wasm vs the reference', () => {
  const heap = (x: ReturnType<typeof gruInputs>) => ({ g: onHeap(x.g), b: onHeap(x.b), z: onHeap(x.z), bc: onHeap(x.bc), cPrev: onHeap(x.cPrev), dC: onHeap(x.dC), dRC: onHeap(x.dRC) });
  for (const [nA, m] of SHAPES) {
    it(`n_a ${nA}, m ${m}: gates, Γr * c_prev, c~, c and the four gradients agree to float32 rounding`, () => {
      const x = gruInputs(nA, m, 7 * nA + m);
      const got = runGru(wasm, (s) => wasm.zeros(s, 'float32'), x);
      const want = runGru(jsBackend, heap32, heap(x));
      for (const k of GRU_OUTPUTS) expectNear(got[k], want[k], 2e-6);
    });
  }

  it('gives the same bits staged (tensors outside wasm memory), and with dRC_prev written over dRC', () => {
    const x = gruInputs(6, 9, 5);
    const inWasm = runGru(wasm, (s) => wasm.zeros(s, 'float32'), x);
    const staged = runGru(wasm, heap32, heap(x));
    for (const k of GRU_OUTPUTS) expectSameBits(staged[k], inWasm[k]);
    const dRC = onHeap(x.dRC);
    wasm.gruGatesBackward(dRC, new Tensor([6, 9], inWasm.g.data.subarray(0, 54)), x.cPrev, heap32([6, 9]), dRC);
    expectSameBits(dRC, inWasm.dRCPrev);
  });
});

describe('fused GRU kernels: the formulas', () => {
  it('reference in float64: each gradient is the derivative of sum(dC c) or sum(dRC Γr c_prev) by central differences (< 1e-7 relative)', () => {
    const nA = 3;
    const m = 2;
    const rng = new Rng(12);
    const r64 = (rows: number, cols: number, s: number): Tensor => new Tensor([rows, cols], Float64Array.from({ length: rows * cols }, () => s * (2 * rng.uniform() - 1)));
    const f64 = (rows: number, cols: number): Tensor => new Tensor([rows, cols], new Float64Array(rows * cols));
    const zg = r64(2 * nA, m, 2);
    const b = r64(2 * nA, 1, 0.5);
    const z = r64(nA, m, 2);
    const bc = r64(nA, 1, 0.5);
    const cPrev = r64(nA, m, 1);
    const dC = r64(nA, m, 1);
    const dRC = r64(nA, m, 1);
    /** The gates σ(zg + b) and Γr * c_prev from the current zg and cPrev. */
    const gates = () => {
      const g = new Tensor(zg.shape, Float64Array.from(zg.data));
      const rc = f64(nA, m);
      jsBackend.gruGatesForward(g, b, cPrev, rc);
      return { g, rc, r: new Tensor([nA, m], g.data.subarray(0, nA * m)), u: new Tensor([nA, m], g.data.subarray(nA * m)) };
    };
    const cell = () => {
      const { u } = gates();
      const cc = new Tensor(z.shape, Float64Array.from(z.data));
      const c = f64(nA, m);
      jsBackend.gruCellForward(cc, bc, u, cPrev, c);
      return { cc, c, u };
    };
    const dot = (a: Tensor, w: Tensor): number => {
      let s = 0;
      for (let k = 0; k < a.size; k++) s += a.data[k]! * w.data[k]!;
      return s;
    };
    const cellLoss = () => dot(cell().c, dC);
    const gateLoss = () => dot(gates().rc, dRC);
    const { cc, u } = cell();
    const { r } = gates();
    const dCC = f64(nA, m);
    const dU = f64(nA, m);
    const dCPrev = f64(nA, m);
    jsBackend.gruCellBackward(dC, u, cc, cPrev, dCC, dU, dCPrev);
    const dR = f64(nA, m);
    const dRCPrev = f64(nA, m);
    jsBackend.gruGatesBackward(dRC, r, cPrev, dR, dRCPrev);
    expect(relativeDifference(Array.from(dCC.data), numericGradient(z, cellLoss))).toBeLessThan(1e-7);
    // The update gate's rows of zg move c through Γu; the relevance rows move nothing in c.
    const cellByGates = numericGradient(zg, cellLoss);
    expect(relativeDifference(Array.from(dU.data), cellByGates.slice(nA * m))).toBeLessThan(1e-7);
    expect(cellByGates.slice(0, nA * m).every((d) => d === 0)).toBe(true);
    // c_prev's direct path in c (Γu fixed): d/dc_prev of c_prev + Γu (c~ - c_prev) is 1 - Γu.
    expect(relativeDifference(Array.from(dCPrev.data), numericGradient(cPrev, cellLoss))).toBeLessThan(1e-7);
    expect(relativeDifference(Array.from(dR.data), numericGradient(zg, gateLoss).slice(0, nA * m))).toBeLessThan(1e-7);
    expect(relativeDifference(Array.from(dRCPrev.data), numericGradient(cPrev, gateLoss))).toBeLessThan(1e-7);
  });

  for (const be of [jsBackend, wasm]) {
    it(`${be.name}: pre-activations 0, c_prev = 1 and c~ = 0 give Γr = Γu = 1/2, c = 1/2 and the hand-derived gradients`, () => {
      const t = (v: number[]): Tensor => {
        const out = be.zeros([v.length, 1], 'float32');
        out.data.set(v);
        return out;
      };
      const g = t([0, 0]);
      const rc = t([9]);
      be.gruGatesForward(g, t([0, 0]), t([1]), rc);
      expectNear(g, new Tensor([2, 1], Float32Array.of(0.5, 0.5)), 1e-7);
      expectNear(rc, new Tensor([1, 1], Float32Array.of(0.5)), 1e-7);
      const cc = t([0]);
      const c = t([9]);
      be.gruCellForward(cc, t([0]), t([0.5]), t([1]), c);
      expectNear(c, new Tensor([1, 1], Float32Array.of(0.5)), 1e-7);
      // dC = 2: dc~ = 2 Γu (1 - 0) = 1; dΓu = 2 (0 - 1) / 4 = -0.5; dc_prev = 2 (1 - Γu) = 1.
      const out = [t([9]), t([9]), t([9])] as const;
      be.gruCellBackward(t([2]), t([0.5]), cc, t([1]), ...out);
      expectNear(new Tensor([3, 1], Float32Array.from(out.map((o) => o.data[0]!))), new Tensor([3, 1], Float32Array.of(1, -0.5, 1)), 1e-7);
      // dRC = 4, c_prev = 1, Γr = 1/2: dΓr = 4 / 4 = 1; dRC_prev = 2.
      const dR = t([9]);
      const dRCPrev = t([9]);
      be.gruGatesBackward(t([4]), t([0.5]), t([1]), dR, dRCPrev);
      expectNear(new Tensor([2, 1], Float32Array.of(dR.data[0]!, dRCPrev.data[0]!)), new Tensor([2, 1], Float32Array.of(1, 2)), 1e-7);
    });
  }
});
