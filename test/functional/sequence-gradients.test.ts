/**
 * Backpropagation through time against two-sided numerical differences
 * (float64, relative difference < 1e-7) for the RNN, LSTM and GRU over
 * several steps, through the scalar loss L = sum(G * a) on the hidden states
 * (so da = G, the upstream gradient of every a<t>), and for one cell; then
 * float32 on each backend's kernels against float64.
 */
import { describe, expect, it } from 'vitest';
import {
  compareGradients,
  gruBackward,
  gruCellBackward,
  gruCellForward,
  gruForward,
  lstmBackward,
  lstmCellBackward,
  lstmCellForward,
  lstmForward,
  Rng,
  rnnBackward,
  rnnCellBackward,
  rnnCellForward,
  rnnForward,
  zeros,
  type DType,
  type Tensor,
} from '../../src/index.js';
import { describeEachBackend, expectClose } from '../helpers.js';

const [nX, nA, nY, m, T] = [3, 4, 2, 3, 5];

function randn(shape: number[], seed: number, scale = 1): Tensor {
  const t = zeros(shape, 'float64');
  new Rng(seed).fillNormal(t.data, scale);
  return t;
}

/** sum(G * t): the scalar loss whose gradient with respect to t is G. */
function dot(G: Tensor, t: Tensor): number {
  let s = 0;
  for (let i = 0; i < t.size; i++) s += G.data[i]! * t.data[i]!;
  return s;
}

type Params = Record<string, Tensor>;
interface Cell {
  readonly name: string;
  /** Parameter names (each gradient is d<name>) and shapes. */
  readonly params: Record<string, number[]>;
  readonly forward: (x: Tensor, a0: Tensor, p: Params) => { a: Tensor; caches: unknown[] };
  readonly backward: (da: Tensor, caches: unknown[]) => Record<string, Tensor>;
  /** One cell: the loss sum(G * a_next) (+ sum(H * c_next) for the LSTM) and its gradients. */
  readonly cell: (xt: Tensor, aPrev: Tensor, p: Params, G: Tensor, H: Tensor) => { loss: () => number; grads: () => Record<string, Tensor> };
}

const gate = [nA, nA + nX];
const col = [nA, 1];
const out = { Wy: [nY, nA], by: [nY, 1] };
const cPrev = randn([nA, m], 99);

const cells: Cell[] = [
  {
    name: 'RNN',
    params: { Wax: [nA, nX], Waa: [nA, nA], ba: col, Wya: [nY, nA], by: [nY, 1] },
    forward: (x, a0, p) => rnnForward(x, a0, p as never),
    backward: (da, caches) => ({ ...rnnBackward(da, caches as never) }),
    cell: (xt, aPrev, p, G) => ({
      loss: () => dot(G, rnnCellForward(xt, aPrev, p as never).aNext),
      grads: () => {
        const g = rnnCellBackward(G, rnnCellForward(xt, aPrev, p as never).cache);
        return { dx: g.dxt, da0: g.daPrev, dWax: g.dWax, dWaa: g.dWaa, dba: g.dba };
      },
    }),
  },
  {
    name: 'LSTM',
    params: { Wf: gate, bf: col, Wi: gate, bi: col, Wc: gate, bc: col, Wo: gate, bo: col, ...out },
    forward: (x, a0, p) => lstmForward(x, a0, p as never),
    backward: (da, caches) => ({ ...lstmBackward(da, caches as never) }),
    cell: (xt, aPrev, p, G, H) => ({
      loss: () => {
        const r = lstmCellForward(xt, aPrev, cPrev, p as never);
        return dot(G, r.aNext) + dot(H, r.cNext);
      },
      grads: () => {
        const g = lstmCellBackward(G, H, lstmCellForward(xt, aPrev, cPrev, p as never).cache);
        return { ...g, dx: g.dxt, da0: g.daPrev };
      },
    }),
  },
  {
    name: 'GRU',
    params: { Wr: gate, br: col, Wu: gate, bu: col, Wc: gate, bc: col, ...out },
    forward: (x, a0, p) => gruForward(x, a0, p as never),
    backward: (da, caches) => ({ ...gruBackward(da, caches as never) }),
    cell: (xt, aPrev, p, G) => ({
      loss: () => dot(G, gruCellForward(xt, aPrev, p as never).aNext),
      grads: () => {
        const g = gruCellBackward(G, gruCellForward(xt, aPrev, p as never).cache);
        return { ...g, dx: g.dxt, da0: g.daPrev };
      },
    }),
  },
];

function makeParams(c: Cell): Params {
  return Object.fromEntries(Object.entries(c.params).map(([k, shape], i) => [k, randn(shape, 10 + i, k.startsWith('b') ? 0.3 : 0.6)]));
}

/** The parameters whose gradient the backward pass returns (the output layer Wy/Wya, by is not part of it, as in the course). */
const trained = (c: Cell): string[] => Object.keys(c.params).filter((k) => !['Wya', 'Wy', 'by'].includes(k));

describe('gradient check (float64, two-sided differences, epsilon 1e-7)', () => {
  for (const c of cells) {
    it(`${c.name} over ${T} steps: dx, da0 and every gate's dW, db`, () => {
      const p = makeParams(c);
      const [x, a0, G] = [randn([nX, m, T], 1), randn([nA, m], 2), randn([nA, m, T], 3)];
      const g = c.backward(G, c.forward(x, a0, p).caches);
      const names = trained(c);
      const r = compareGradients([x, a0, ...names.map((k) => p[k]!)], [g.dx!, g.da0!, ...names.map((k) => g[`d${k}`]!)], () => dot(G, c.forward(x, a0, p).a), 1e-7);
      expect(r.grad.length).toBe(x.size + a0.size + names.reduce((s, k) => s + p[k]!.size, 0));
      expect(r.difference).toBeLessThan(1e-7);
    });

    it(`${c.name}: one cell's backward`, () => {
      const p = makeParams(c);
      const [xt, aPrev, G, H] = [randn([nX, m], 4), randn([nA, m], 5), randn([nA, m], 6), randn([nA, m], 7)];
      const { loss, grads } = c.cell(xt, aPrev, p, G, H);
      const g = grads();
      const names = trained(c);
      const r = compareGradients([xt, aPrev, ...names.map((k) => p[k]!)], [g.dx!, g.da0!, ...names.map((k) => g[`d${k}`]!)], loss, 1e-7);
      expect(r.difference).toBeLessThan(1e-7);
    });
  }

  it('the check sees a wrong gradient: the LSTM dWf off by 0.01 in one element', () => {
    const c = cells[1]!;
    const p = makeParams(c);
    const [x, a0, G] = [randn([nX, m, T], 1), randn([nA, m], 2), randn([nA, m, T], 3)];
    const g = c.backward(G, c.forward(x, a0, p).caches);
    g.dWf!.data[0] = g.dWf!.data[0]! + 0.01;
    const r = compareGradients([p.Wf!], [g.dWf!], () => dot(G, c.forward(x, a0, p).a), 1e-7);
    expect(r.difference).toBeGreaterThan(1e-4);
  });
});

const cast = (t: Tensor, dtype: DType): Tensor => t.clone(dtype);

describeEachBackend('float32 on the backend agrees with float64', (backend) => {
  for (const c of cells) {
    it(`${c.name}: forward and backward over ${T} steps [${backend}]`, () => {
      const p = makeParams(c);
      const [x, a0, G] = [randn([nX, m, T], 1), randn([nA, m], 2), randn([nA, m, T], 3)];
      const f64 = c.forward(x, a0, p);
      const g64 = c.backward(G, f64.caches);
      const p32 = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, cast(v, 'float32')]));
      const f32 = c.forward(cast(x, 'float32'), cast(a0, 'float32'), p32);
      const g32 = c.backward(cast(G, 'float32'), f32.caches);
      expect(f32.a.dtype).toBe('float32');
      expectClose(f32.a, f64.a.data, 1e-5);
      for (const [k, v] of Object.entries(g64)) {
        expect(g32[k]!.dtype).toBe('float32');
        expectClose(g32[k]!, v.data, 1e-4);
      }
    });
  }
});
