/**
 * The sequence functions give their scratch back: on the wasm backend, a
 * call leaves in the heap only the tensors it returns (and, for a forward
 * pass, the buffers its caches are views of).
 */
import { describe, expect, it } from 'vitest';
import {
  clip,
  gruBackward,
  gruForward,
  listBackends,
  lstmBackward,
  lstmCellBackward,
  lstmCellForward,
  lstmForward,
  memory,
  multiHeadAttention,
  multiHeadAttentionBackward,
  oneStepAttention,
  oneStepAttentionBackward,
  rnnBackward,
  rnnForward,
  Rng,
  sample,
  scaledDotProductAttention,
  scaledDotProductAttentionBackward,
  zeros,
  type Tensor,
} from '../../src/index.js';
import { withBackend } from '../helpers.js';

const hasWasm = listBackends().includes('wasm');

function randn(shape: number[], seed: number, scale = 0.5): Tensor {
  const t = zeros(shape); // float32, on the JS heap: inputs are not counted
  new Rng(seed).fillNormal(t.data, scale);
  return t;
}

/** How many wasm tensors `fn` leaves allocated (no finalizer runs inside synchronous code). */
function held(fn: () => unknown): number {
  const before = memory().wasm!.tensors!;
  fn();
  return memory().wasm!.tensors! - before;
}

const count = (o: object): number => Object.values(o).filter((v) => v !== null && typeof v === 'object' && 'data' in v).length;

describe.skipIf(!hasWasm)('sequence functions free their scratch [wasm]', () => {
  const [nX, nA, m, T] = [3, 4, 2, 5];
  const gate = (seed: number): Tensor => randn([nA, nA + nX], seed);
  const col = (seed: number): Tensor => randn([nA, 1], seed);
  const x = randn([nX, m, T], 1);
  const a0 = randn([nA, m], 2);
  const da = randn([nA, m, T], 3);

  it('the backward passes hold only their gradients; the forward passes their outputs and what the caches view', () => {
    withBackend('wasm', () => {
      const rnnP = { Wax: randn([nA, nX], 4), Waa: randn([nA, nA], 5), ba: col(6), Wya: randn([2, nA], 7), by: randn([2, 1], 8) };
      let rnn!: ReturnType<typeof rnnForward>;
      expect(held(() => (rnn = rnnForward(x, a0, rnnP)))).toBe(2 + 2); // a, yPred; x and a as time steps
      let g: object = {};
      expect(held(() => (g = rnnBackward(da, rnn.caches)))).toBe(count(g));

      const lstmP = { Wf: gate(9), bf: col(10), Wi: gate(11), bi: col(12), Wc: gate(13), bc: col(14), Wo: gate(15), bo: col(16), Wy: randn([2, nA], 17), by: randn([2, 1], 18) };
      let lstm!: ReturnType<typeof lstmForward>;
      expect(held(() => (lstm = lstmForward(x, a0, lstmP)))).toBe(3 + 5); // a, c, yPred; x, a, c, the gates and c0
      expect(held(() => (g = lstmBackward(da, lstm.caches)))).toBe(count(g));
      expect(count(g)).toBe(10);
      let cell!: ReturnType<typeof lstmCellForward>;
      expect(held(() => (cell = lstmCellForward(randn([nX, m], 19), a0, a0, lstmP)))).toBe(4); // a_next, c_next, yt_pred, the gates
      expect(held(() => (g = lstmCellBackward(a0, a0, cell.cache)))).toBe(count(g));

      const gruP = { Wr: gate(20), br: col(21), Wu: gate(22), bu: col(23), Wc: gate(24), bc: col(25), Wy: randn([2, nA], 26), by: randn([2, 1], 27) };
      let gru!: ReturnType<typeof gruForward>;
      expect(held(() => (gru = gruForward(x, a0, gruP)))).toBe(2 + 4); // a, yPred; x, a, the gates, c~
      expect(held(() => (g = gruBackward(da, gru.caches)))).toBe(count(g));

      expect(held(() => clip({ dW: randn([3, 3], 28, 9) }, 1))).toBe(1);
      const charRnn = { ...rnnP, Wya: randn([3, nA], 29), by: randn([3, 1], 30) }; // the vocabulary is n_x = n_y = 3
      expect(held(() => sample(charRnn, { '\n': 0, a: 1, b: 2 }, { seed: 1 }))).toBe(0);
    });
  });

  it('attention holds only its outputs', () => {
    withBackend('wasm', () => {
      const att = { W1: randn([6, 3 + nA], 29), b1: randn([6, 1], 30), W2: randn([1, 6], 31), b2: randn([1, 1], 32) };
      let o!: ReturnType<typeof oneStepAttention>;
      expect(held(() => (o = oneStepAttention(randn([nA, m, T], 33), randn([3, m], 34), att)))).toBe(2); // context, alphas
      let g: object = {};
      expect(held(() => (g = oneStepAttentionBackward(o.context, o.cache)))).toBe(count(g));

      const [Q, K, V] = [randn([2, 3, 4], 35), randn([2, 5, 4], 36), randn([2, 5, 2], 37)];
      const mask = zeros([2, 1, 5]);
      mask.data.set([1, 1, 1, 0, 1, 0, 1, 1, 1, 1]);
      let s!: ReturnType<typeof scaledDotProductAttention>;
      expect(held(() => (s = scaledDotProductAttention(Q, K, V, mask)))).toBe(2);
      expect(held(() => (g = scaledDotProductAttentionBackward(s.output, s.cache)))).toBe(3);

      const W = (seed: number): Tensor => randn([4, 4], seed);
      const b = (seed: number): Tensor => randn([4, 1], seed);
      const p = { Wq: W(38), bq: b(39), Wk: W(40), bk: b(41), Wv: W(42), bv: b(43), Wo: W(44), bo: b(45) };
      let h!: ReturnType<typeof multiHeadAttention>;
      expect(held(() => (h = multiHeadAttention(Q, K, K, p, { heads: 2, mask })))).toBe(2);
      expect(held(() => (g = multiHeadAttentionBackward(h.output, h.cache)))).toBe(count(g));
      expect(count(g)).toBe(11);
    });
  });
});
