/**
 * Attention (course 5, weeks 3 and 4): one_step_attention, scaled dot-product
 * attention with and without masks, positional encoding and multi-head
 * attention, against values computed here from the course's formulas; the
 * gradient check in float64 (< 1e-7); float32 on each backend against float64.
 */
import { describe, expect, it } from 'vitest';
import {
  compareGradients,
  multiHeadAttention,
  multiHeadAttentionBackward,
  oneStepAttention,
  oneStepAttentionBackward,
  positionalEncoding,
  Rng,
  scaledDotProductAttention,
  scaledDotProductAttentionBackward,
  tensor,
  zeros,
  type DType,
  type Tensor,
} from '../../src/index.js';
import { describeEachBackend, expectClose } from '../helpers.js';

type M = number[][];
const rows = (X: M, Y: M): M => X.map((r) => Y.map((s) => r.reduce((acc, v, k) => acc + v * s[k]!, 0))); // X Y^T
const softmaxRow = (r: number[]): number[] => {
  const mx = Math.max(...r);
  const e = r.map((v) => Math.exp(v - mx));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

/** The course's scaled_dot_product_attention for one example: softmax(Q K^T / sqrt(d_k) + (1 - mask) * -1e9) V. */
function sdpa(Q: M, K: M, V: M, mask: M | null): { out: M; w: M } {
  const s = rows(Q, K).map((r, i) => r.map((v, j) => v / Math.sqrt(Q[0]!.length) + (mask ? (1 - (mask[i] ?? mask[0]!)[j]!) * -1e9 : 0)));
  const w = s.map(softmaxRow);
  return { out: w.map((r) => V[0]!.map((_, c) => r.reduce((acc, v, k) => acc + v * V[k]![c]!, 0))), w };
}

function randn(shape: number[], seed: number, scale = 1, dtype: DType = 'float64'): Tensor {
  const t = zeros(shape, 'float64');
  new Rng(seed).fillNormal(t.data, scale);
  return dtype === 'float64' ? t : t.clone(dtype);
}

const dot = (G: Tensor, t: Tensor): number => {
  let s = 0;
  for (let i = 0; i < t.size; i++) s += G.data[i]! * t.data[i]!;
  return s;
};

// Q (2, 2, 2), K (2, 3, 2), V (2, 3, 2)
const Qv = [
  [
    [0.3, -0.8],
    [1.1, 0.2],
  ],
  [
    [-0.5, 0.4],
    [0.9, -1.3],
  ],
];
const Kv = [
  [
    [0.7, 0.1],
    [-0.2, 0.5],
    [1.0, -0.6],
  ],
  [
    [0.2, 0.9],
    [-0.4, -0.3],
    [0.6, 0.8],
  ],
];
const Vv = [
  [
    [1, 2],
    [3, -1],
    [0.5, 0.25],
  ],
  [
    [-2, 1],
    [0, 4],
    [1.5, -0.5],
  ],
];
const padding = [[[1, 1, 0]], [[1, 0, 1]]]; // (m, 1, T_k)
const lookAhead = [
  [1, 0, 0],
  [1, 1, 0],
]; // (T_q, T_k)

describeEachBackend('attention against the course formulas', () => {
  for (const dtype of ['float64', 'float32'] as DType[]) {
    const tol = dtype === 'float64' ? 1e-12 : 2e-6;
    const f = (v: number[][] | number[][][]): Tensor => tensor(v, { dtype });

    for (const [name, mask] of [
      ['no mask', null],
      ['a padding mask (m, 1, T_k)', padding],
      ['a look-ahead mask (T_q, T_k)', lookAhead],
    ] as const) {
      it(`scaledDotProductAttention with ${name} [${dtype}]`, () => {
        const { output, weights } = scaledDotProductAttention(f(Qv), f(Kv), f(Vv), mask && f(mask as number[][]));
        expect(output.shape).toEqual([2, 2, 2]);
        expect(weights.shape).toEqual([2, 2, 3]);
        for (let j = 0; j < 2; j++) {
          const mj = mask === null ? null : ((mask.length === 2 && mask[0]!.length === 3 ? mask : mask[j]) as M);
          const want = sdpa(Qv[j]!, Kv[j]!, Vv[j]!, mj);
          expectClose(output.data.subarray(j * 4, j * 4 + 4), want.out.flat(), tol);
          expectClose(weights.data.subarray(j * 6, j * 6 + 6), want.w.flat(), tol);
        }
        if (mask === padding) expect([weights.data[2], weights.data[5], weights.data[7], weights.data[10]]).toEqual([0, 0, 0, 0]);
      });
    }

    it(`scaledDotProductAttention of one sequence (T_q, d_k) [${dtype}]`, () => {
      const { output, weights } = scaledDotProductAttention(f(Qv[1]!), f(Kv[1]!), f(Vv[1]!), f([[0, 1, 1]]));
      const want = sdpa(Qv[1]!, Kv[1]!, Vv[1]!, [[0, 1, 1]]);
      expect(output.shape).toEqual([2, 2]);
      expectClose(output, want.out, tol);
      expectClose(weights, want.w, tol);
    });

    it(`multiHeadAttention with identity projections is the attention of each head's slice of the features [${dtype}]`, () => {
      const d = 4;
      const I = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
      const b0 = Array.from({ length: d }, () => [0]);
      const X = [0, 1].map((j) => [0, 1, 2].map((t) => [0, 1, 2, 3].map((k) => Math.sin(1 + j * 7 + t * 3 + k))));
      const p = { Wq: f(I), bq: f(b0), Wk: f(I), bk: f(b0), Wv: f(I), bv: f(b0), Wo: f(I), bo: f(b0) };
      const { output, weights } = multiHeadAttention(f(X), f(X), f(X), p, { heads: 2, mask: f(padding) });
      expect(output.shape).toEqual([2, 3, 4]);
      expect(weights.shape).toEqual([2, 2, 3, 3]);
      for (let j = 0; j < 2; j++) {
        for (let h = 0; h < 2; h++) {
          const part = X[j]!.map((r) => r.slice(2 * h, 2 * h + 2));
          const want = sdpa(part, part, part, padding[j]!);
          expectClose(Array.from({ length: 6 }, (_, k) => output.data[j * 12 + Math.floor(k / 2) * 4 + 2 * h + (k % 2)]!), want.out.flat(), tol);
          expectClose(weights.data.subarray((j * 2 + h) * 9, (j * 2 + h) * 9 + 9), want.w.flat(), tol);
        }
      }
    });

    it(`oneStepAttention: e = relu(W2 tanh(W1 [s_prev; a<t'>] + b1) + b2), α = softmax over t', context = Σ α a [${dtype}]`, () => {
      // n_a = 2, n_s = 1, n_e = 3, m = 2, T_x = 3
      const a = [
        [
          [0.5, -1, 0.2],
          [1.5, 0.3, -0.7],
        ],
        [
          [0.1, 0.9, -0.4],
          [-1.2, 0.6, 0.8],
        ],
      ];
      const s = [[0.4, -0.9]];
      const W1 = [
        [0.3, -0.5, 0.8],
        [0.6, 0.2, -0.4],
        [-0.7, 0.9, 0.1],
      ];
      const b1 = [[0.1], [-0.2], [0.05]];
      const W2 = [[0.9, -0.6, 1.2]];
      const b2 = [[0.5]];
      const { context, alphas } = oneStepAttention(f(a), f(s), { W1: f(W1), b1: f(b1), W2: f(W2), b2: f(b2) });
      expect(alphas.shape).toEqual([2, 3]);
      for (let j = 0; j < 2; j++) {
        const e = [0, 1, 2].map((t) => {
          const concat = [s[0]![j]!, a[0]![j]![t]!, a[1]![j]![t]!];
          const h = W1.map((r, i) => Math.tanh(r.reduce((acc, w, k) => acc + w * concat[k]!, 0) + b1[i]![0]!));
          return Math.max(0, W2[0]!.reduce((acc, w, k) => acc + w * h[k]!, 0) + b2[0]![0]!);
        });
        const alpha = softmaxRow(e);
        expectClose(alphas.data.subarray(j * 3, j * 3 + 3), alpha, tol);
        expectClose([context.get(0, j), context.get(1, j)], [0, 1].map((i) => alpha.reduce((acc, w, t) => acc + w * a[i]![j]![t]!, 0)), tol);
      }
    });
  }

  it("positionalEncoding: PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(...)", () => {
    const PE = positionalEncoding(7, 6, 'float64');
    for (let pos = 0; pos < 7; pos++) {
      for (let k = 0; k < 6; k++) {
        const angle = pos / 10000 ** ((2 * Math.floor(k / 2)) / 6);
        expect(PE.get(pos, k)).toBeCloseTo(k % 2 === 0 ? Math.sin(angle) : Math.cos(angle), 14);
      }
    }
    expect(positionalEncoding(3, 4).dtype).toBe('float32');
  });
});

describe('gradient check (float64, two-sided differences, epsilon 1e-7)', () => {
  const [m, Tq, Tk, dk, dv] = [2, 3, 4, 5, 3];
  const masks: [string, Tensor | null][] = [
    ['no mask', null],
    ['a padding mask (m, 1, T_k)', tensor([[[1, 1, 0, 1]], [[1, 0, 1, 1]]], { dtype: 'float64' })],
    ['a look-ahead mask (T_q, T_k)', tensor([[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]], { dtype: 'float64' })],
    ['a full mask (m, T_q, T_k)', tensor([[[1, 1, 1, 0], [0, 1, 1, 1], [1, 0, 1, 0]], [[1, 1, 1, 1], [1, 1, 0, 1], [0, 0, 1, 1]]], { dtype: 'float64' })],
  ];
  for (const [name, mask] of masks) {
    it(`scaledDotProductAttention with ${name}: dQ, dK, dV`, () => {
      const [Q, K, V, G] = [randn([m, Tq, dk], 1), randn([m, Tk, dk], 2), randn([m, Tk, dv], 3), randn([m, Tq, dv], 4)];
      const g = scaledDotProductAttentionBackward(G, scaledDotProductAttention(Q, K, V, mask).cache);
      const r = compareGradients([Q, K, V], [g.dQ, g.dK, g.dV], () => dot(G, scaledDotProductAttention(Q, K, V, mask).output), 1e-7);
      expect(r.difference).toBeLessThan(1e-7);
    });
  }

  it('oneStepAttention: da (through the sum and the energies), dsPrev, dW1, db1, dW2, db2', () => {
    const [nA, nS, nE, T] = [4, 3, 5, 6];
    const p = { W1: randn([nE, nS + nA], 5, 0.5), b1: randn([nE, 1], 6, 0.3), W2: randn([1, nE], 7), b2: tensor([[1.5]], { dtype: 'float64' }) };
    const [a, s, G] = [randn([nA, m, T], 8), randn([nS, m], 9), randn([nA, m], 10)];
    const g = oneStepAttentionBackward(G, oneStepAttention(a, s, p).cache);
    const r = compareGradients([a, s, p.W1, p.b1, p.W2, p.b2], [g.da, g.dsPrev, g.dW1, g.db1, g.dW2, g.db2], () => dot(G, oneStepAttention(a, s, p).context), 1e-7);
    expect(r.difference).toBeLessThan(1e-7);
  });

  function mhaParams(d: number): Record<'Wq' | 'bq' | 'Wk' | 'bk' | 'Wv' | 'bv' | 'Wo' | 'bo', Tensor> {
    const names = ['Wq', 'bq', 'Wk', 'bk', 'Wv', 'bv', 'Wo', 'bo'] as const;
    return Object.fromEntries(names.map((k, i) => [k, randn(k.startsWith('W') ? [d, d] : [d, 1], 20 + i, k.startsWith('W') ? 0.5 : 0.2)])) as never;
  }
  const order = ['Wq', 'bq', 'Wk', 'bk', 'Wv', 'bv', 'Wo', 'bo'] as const;

  it('multiHeadAttention (cross-attention, 3 heads, a padding mask): dQ, dK, dV and every parameter', () => {
    const d = 6;
    const p = mhaParams(d);
    const mask = masks[1]![1]!;
    const [Q, KV, G] = [randn([m, Tq, d], 11), randn([m, Tk, d], 12), randn([m, Tq, d], 13)];
    const run = () => multiHeadAttention(Q, KV, KV, p, { heads: 3, mask });
    const g = multiHeadAttentionBackward(G, run().cache);
    const dKV = zeros(KV.shape, 'float64');
    dKV.data.set(g.dK.data.map((v, i) => v + g.dV.data[i]!));
    const r = compareGradients([Q, KV, ...order.map((k) => p[k])], [g.dQ, dKV, ...order.map((k) => g[`d${k}`])], () => dot(G, run().output), 1e-7);
    expect(r.difference).toBeLessThan(1e-7);
  });

  it('multiHeadAttention as self-attention of one sequence (2 heads): dX = dQ + dK + dV', () => {
    const d = 4;
    const p = mhaParams(d);
    const [X, G] = [randn([5, d], 14), randn([5, d], 15)];
    const run = () => multiHeadAttention(X, X, X, p, { heads: 2, mask: tensor([[1, 1, 1, 0, 1]], { dtype: 'float64' }) });
    const g = multiHeadAttentionBackward(G, run().cache);
    const dX = zeros(X.shape, 'float64');
    dX.data.set(g.dQ.data.map((v, i) => v + g.dK.data[i]! + g.dV.data[i]!));
    const r = compareGradients([X, ...order.map((k) => p[k])], [dX, ...order.map((k) => g[`d${k}`])], () => dot(G, run().output), 1e-7);
    expect(r.difference).toBeLessThan(1e-7);
  });
});

describeEachBackend('float32 attention on the backend agrees with float64', (backend) => {
  const f32 = (t: Tensor): Tensor => t.clone('float32');
  it(`scaledDotProductAttention with a mask, forward and backward [${backend}]`, () => {
    const [Q, K, V, G] = [randn([3, 4, 8], 1), randn([3, 6, 8], 2), randn([3, 6, 5], 3), randn([3, 4, 5], 4)];
    const mask = tensor([[[1, 1, 1, 0, 1, 1]], [[1, 1, 1, 1, 1, 1]], [[0, 1, 1, 1, 0, 1]]], { dtype: 'float64' });
    const a = scaledDotProductAttention(Q, K, V, mask);
    const b = scaledDotProductAttention(f32(Q), f32(K), f32(V), f32(mask));
    expect(b.output.dtype).toBe('float32');
    expectClose(b.output, a.output.data, 1e-5);
    expectClose(b.weights, a.weights.data, 1e-5);
    const ga = scaledDotProductAttentionBackward(G, a.cache);
    const gb = scaledDotProductAttentionBackward(f32(G), b.cache);
    for (const k of ['dQ', 'dK', 'dV'] as const) expectClose(gb[k], ga[k].data, 1e-4);
  });

  it(`oneStepAttention and multiHeadAttention [${backend}]`, () => {
    const p = { W1: randn([10, 3 + 4], 5, 0.5), b1: randn([10, 1], 6, 0.3), W2: randn([1, 10], 7), b2: tensor([[1]], { dtype: 'float64' }) };
    const [a, s] = [randn([4, 2, 6], 8), randn([3, 2], 9)];
    const o = oneStepAttention(a, s, p);
    const o32 = oneStepAttention(f32(a), f32(s), { W1: f32(p.W1), b1: f32(p.b1), W2: f32(p.W2), b2: f32(p.b2) });
    expectClose(o32.context, o.context.data, 1e-5);
    const go = oneStepAttentionBackward(o.context, o.cache);
    const go32 = oneStepAttentionBackward(o32.context, o32.cache);
    for (const k of ['da', 'dsPrev', 'dW1', 'db1', 'dW2', 'db2'] as const) expectClose(go32[k], go[k].data, 1e-4);

    const W = (seed: number): Tensor => randn([8, 8], seed, 0.4);
    const bb = (seed: number): Tensor => randn([8, 1], seed, 0.1);
    const mp = { Wq: W(1), bq: bb(2), Wk: W(3), bk: bb(4), Wv: W(5), bv: bb(6), Wo: W(7), bo: bb(8) };
    const X = randn([2, 5, 8], 9);
    const r = multiHeadAttention(X, X, X, mp, { heads: 4 });
    const mp32 = Object.fromEntries(Object.entries(mp).map(([k, v]) => [k, f32(v)])) as typeof mp;
    const r32 = multiHeadAttention(f32(X), f32(X), f32(X), mp32, { heads: 4 });
    expectClose(r32.output, r.output.data, 1e-5);
    const g = multiHeadAttentionBackward(r.output, r.cache);
    const g32 = multiHeadAttentionBackward(r32.output, r32.cache);
    for (const k of ['dQ', 'dWq', 'dbo', 'dWo', 'dbk'] as const) expectClose(g32[k], g[k].data, 1e-4);
  });
});
