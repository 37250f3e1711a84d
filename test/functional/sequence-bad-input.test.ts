/**
 * The sequence functions (course 5) refuse bad input with a message naming
 * the function, the argument, what was expected (in the course's symbols,
 * with the argument that fixed each size) and what was received: shapes
 * that disagree, T_x of 0, NaN, mixed dtypes, foreign caches, clip's
 * maxValue <= 0, heads that do not divide d, masks of the wrong shape, and
 * sample's vocabulary.
 */
import { describe, expect, it } from 'vitest';
import {
  clip,
  gruCellBackward,
  gruCellForward,
  gruForward,
  lstmBackward,
  lstmCellBackward,
  lstmCellForward,
  lstmForward,
  multiHeadAttention,
  oneStepAttention,
  oneStepAttentionBackward,
  positionalEncoding,
  rnnBackward,
  rnnForward,
  sample,
  scaledDotProductAttention,
  ShapeError,
  ValueError,
  zeros,
  type Tensor,
} from '../../src/index.js';

const z = (shape: number[]): Tensor => zeros(shape, 'float64');
const rnn = () => ({ Wax: z([5, 3]), Waa: z([5, 5]), ba: z([5, 1]), Wya: z([2, 5]), by: z([2, 1]) });
const gate = (): Tensor => z([5, 8]);
const lstm = () => ({ Wf: gate(), bf: z([5, 1]), Wi: gate(), bi: z([5, 1]), Wc: gate(), bc: z([5, 1]), Wo: gate(), bo: z([5, 1]), Wy: z([2, 5]), by: z([2, 1]) });
const gru = () => ({ Wr: gate(), br: z([5, 1]), Wu: gate(), bu: z([5, 1]), Wc: gate(), bc: z([5, 1]), Wy: z([2, 5]), by: z([2, 1]) });
const withNaN = (t: Tensor, i: number): Tensor => {
  t.data[i] = NaN;
  return t;
};

describe('recurrent cells: shapes that disagree, naming the argument and where each size came from', () => {
  it('rnnForward', () => {
    expect(() => rnnForward(z([3, 10, 4]), z([5, 9]), rnn())).toThrow(ShapeError);
    expect(() => rnnForward(z([3, 10, 4]), z([5, 9]), rnn())).toThrow('rnnForward: a0: expected shape (5, 10) = (n_a, m), with n_a = 5 from parameters.Wax and m = 10 from x, got (5, 9)');
    expect(() => rnnForward(z([4, 10, 4]), z([5, 10]), rnn())).toThrow('rnnForward: x: expected shape (3, m, T_x) = (n_x, m, T_x), with n_x = 3 from parameters.Wax, got (4, 10, 4)');
    expect(() => rnnForward(z([3, 10]), z([5, 10]), rnn())).toThrow('rnnForward: x: expected shape (3, m, T_x) = (n_x, m, T_x), with n_x = 3 from parameters.Wax, got (3, 10)');
    expect(() => rnnForward(z([3, 10, 4]), z([5, 10]), { ...rnn(), Waa: z([5, 4]) })).toThrow(
      'rnnForward: parameters.Waa: expected shape (5, 5) = (n_a, n_a), with n_a = 5 from parameters.Wax, got (5, 4)',
    );
    const noBy: Record<string, Tensor> = rnn();
    delete noBy.by;
    expect(() => rnnForward(z([3, 10, 4]), z([5, 10]), noBy as never)).toThrow('rnnForward: parameters: expected { Wax, Waa, ba, Wya, by }, got no by');
  });

  it('the LSTM and GRU gates act on [a_prev; x_t]: (n_a, n_a + n_x)', () => {
    expect(() => lstmForward(z([3, 10, 2]), z([5, 10]), { ...lstm(), Wf: z([5, 5]) })).toThrow(
      'lstmForward: parameters.Wf: expected n_a + n_x = 5 (from parameters.Wf) to leave n_x >= 1 beside n_a = 5 (from parameters.Wf), got (5, 5)',
    );
    expect(() => lstmForward(z([3, 10, 2]), z([5, 10]), { ...lstm(), Wi: z([5, 9]) })).toThrow(
      'lstmForward: parameters.Wi: expected shape (5, 8) = (n_a, n_a + n_x), with n_a = 5 from parameters.Wf and n_a + n_x = 8 from parameters.Wf, got (5, 9)',
    );
    expect(() => lstmCellForward(z([4, 10]), z([5, 10]), z([5, 10]), lstm())).toThrow(
      'lstmCellForward: xt: expected shape (3, m) = (n_x, m), with n_a + n_x = 8 from parameters.Wf and n_a = 5 from parameters.Wf, got (4, 10)',
    );
    expect(() => lstmCellForward(z([3, 10]), z([5, 10]), z([5, 11]), lstm())).toThrow('lstmCellForward: cPrev: expected shape (5, 10) = (n_a, m), with n_a = 5 from parameters.Wf and m = 10 from xt, got (5, 11)');
    expect(() => gruForward(z([3, 10, 2]), z([5, 10]), { ...gru(), bu: z([4, 1]) })).toThrow('gruForward: parameters.bu: expected shape (5, 1) = (n_a, 1), with n_a = 5 from parameters.Wr, got (4, 1)');
  });

  it('T_x of 0 is refused by every sequence function', () => {
    for (const [name, run] of [
      ['rnnForward', () => rnnForward(z([3, 10, 0]), z([5, 10]), rnn())],
      ['lstmForward', () => lstmForward(z([3, 10, 0]), z([5, 10]), lstm())],
      ['gruForward', () => gruForward(z([3, 10, 0]), z([5, 10]), gru())],
    ] as const) {
      expect(run).toThrow(ShapeError);
      expect(run).toThrow(`${name}: x: expected shape (n_x, m, T_x) with T_x >= 1 (at least one time step), got (3, 10, 0)`);
    }
    expect(() => rnnBackward(z([5, 10, 0]), [])).toThrow('rnnBackward: caches: expected the caches from rnnForward, one per time step (T_x >= 1), got an empty array');
    const { caches } = rnnForward(z([3, 2, 2]), z([5, 2]), rnn());
    expect(() => rnnBackward(z([5, 2, 0]), caches)).toThrow('rnnBackward: da: expected shape (n_a, m, T_x) with T_x >= 1 (at least one time step), got (5, 2, 0)');
  });

  it('NaN in an input, a parameter or a gradient, named with its index', () => {
    expect(() => rnnForward(withNaN(z([3, 2, 2]), 5), z([5, 2]), rnn())).toThrow(ValueError);
    expect(() => rnnForward(withNaN(z([3, 2, 2]), 5), z([5, 2]), rnn())).toThrow('rnnForward: x: expected finite numbers, got NaN at [1, 0, 1]');
    const p = rnn();
    withNaN(p.Waa, 7);
    expect(() => rnnForward(z([3, 2, 2]), z([5, 2]), p)).toThrow('rnnForward: parameters.Waa: expected finite numbers, got NaN at [1, 2]');
    const { caches } = lstmForward(z([3, 2, 2]), z([5, 2]), lstm());
    expect(() => lstmBackward(withNaN(z([5, 2, 2]), 3), caches)).toThrow('lstmBackward: da: expected finite numbers, got NaN at [0, 1, 1]');
    expect(() => lstmCellForward(z([3, 2]), z([5, 2]), withNaN(z([5, 2]), 0), lstm())).toThrow('lstmCellForward: cPrev: expected finite numbers, got NaN at [0, 0]');
  });

  it('the dtype of the Tensors, and the caches of the right function', () => {
    expect(() => rnnForward(zeros([3, 2, 2]), z([5, 2]), rnn())).toThrow('rnnForward: x: expected dtype float64 like parameters.Wax, got float32');
    expect(() => rnnBackward(z([5, 2, 2]), 'x' as never)).toThrow('rnnBackward: caches: expected the caches from rnnForward (one per time step), got "x"');
    const lstmCaches = lstmForward(z([3, 2, 2]), z([5, 2]), lstm()).caches;
    expect(() => rnnBackward(z([5, 2, 2]), lstmCaches as never)).toThrow('rnnBackward: caches[0].parameters: expected { Wax, Waa, ba, Wya, by }, got no Wax, Waa, ba, Wya');
    const { caches } = rnnForward(z([3, 2, 2]), z([5, 2]), rnn());
    expect(() => rnnBackward(z([5, 2, 3]), caches)).toThrow(
      'rnnBackward: da: expected shape (5, 2, 2) = (n_a, m, T_x), with n_a = 5 from caches[0].parameters.Wax and m = 2 from caches[0].xt and T_x = 2 from caches (one per step), got (5, 2, 3)',
    );
    expect(() => lstmCellBackward(z([5, 2]), z([5, 2]), null as never)).toThrow('lstmCellBackward: cache: expected the cache from lstmCellForward');
    const { cache } = gruCellForward(z([3, 2]), z([5, 2]), gru());
    expect(() => gruCellBackward(z([5, 3]), cache)).toThrow('gruCellBackward: daNext: expected shape (5, 2) = (n_a, m), with n_a = 5 from cache.parameters.Wr and m = 2 from cache.xt, got (5, 3)');
  });
});

describe('clip and sample', () => {
  it('clip refuses a maxValue <= 0 and NaN gradients', () => {
    for (const bad of [0, -1, NaN, Infinity]) expect(() => clip({ dWaa: z([2, 2]) }, bad)).toThrow(`clip: maxValue: expected a finite number > 0, got ${bad}`);
    expect(() => clip({ dWaa: withNaN(z([2, 2]), 3) }, 5)).toThrow('clip: gradients.dWaa: expected numbers, got NaN at index 3 (the gradients diverged: lower the learning rate)');
    expect(() => clip({ dWaa: [[1]] } as never, 5)).toThrow('clip: gradients.dWaa: expected a Tensor, got [[1]]');
  });

  it("sample checks the vocabulary against the parameters and needs '\\n'", () => {
    const p = { Wax: z([5, 3]), Waa: z([5, 5]), ba: z([5, 1]), Wya: z([3, 5]), by: z([3, 1]) };
    expect(() => sample(p, { a: 0, b: 1, c: 2 })).toThrow(`sample: charToIx: expected '\\n' in the vocabulary (it ends each sample), got "abc"`);
    expect(() => sample(p, { '\n': 0, a: 1 })).toThrow("sample: charToIx: expected 3 characters (the vocabulary size, by's rows), got 2");
    expect(() => sample(p, { '\n': 0, a: 1, b: 1 })).toThrow('sample: charToIx["b"]: expected each index once, got 1 also for "a"');
    expect(() => sample(p, { '\n': 0, a: 1, b: 3 })).toThrow(`sample: charToIx["b"]: expected an index in [0, 3) (the vocabulary size, by's rows), got 3`);
    expect(() => sample(rnn(), { '\n': 0, a: 1 })).toThrow('sample: parameters.Wax: expected 2 columns (n_x = n_y = the vocabulary: the input is the previous character, one-hot), got 3');
    expect(() => sample(p, { '\n': 0, a: 1, b: 2 }, { sed: 1 } as never)).toThrow('sample: options.sed: expected one of seed, maxLength (did you mean seed?)');
    expect(() => sample(p, { '\n': 0, a: 1, b: 2 }, { seed: -1 })).toThrow('sample: options.seed: expected an integer in [0, 2^32), got -1');
  });
});

describe('attention', () => {
  const mha = (d: number) => {
    const W = z([d, d]);
    const b = z([d, 1]);
    return { Wq: W, bq: b, Wk: W, bk: b, Wv: W, bv: b, Wo: W, bo: b };
  };

  it('a mask of the wrong shape, naming the shapes that broadcast', () => {
    const [Q, K, V] = [z([2, 3, 4]), z([2, 5, 4]), z([2, 5, 2])];
    expect(() => scaledDotProductAttention(Q, K, V, z([2, 5, 3]))).toThrow(ShapeError);
    expect(() => scaledDotProductAttention(Q, K, V, z([2, 5, 3]))).toThrow(
      'scaledDotProductAttention: mask: expected shape (m, T_q, T_k) = (2, 3, 5) or one that broadcasts to it (1 for m or T_q), got (2, 5, 3)',
    );
    expect(() => scaledDotProductAttention(Q, K, V, z([3, 1, 5]))).toThrow('got (3, 1, 5)');
    expect(() => scaledDotProductAttention(z([3, 4]), z([5, 4]), z([5, 2]), z([3, 4]))).toThrow(
      'scaledDotProductAttention: mask: expected shape (T_q, T_k) = (3, 5) or one that broadcasts to it (1 for T_q), got (3, 4)',
    );
    expect(() => scaledDotProductAttention(Q, K, V, withNaN(z([2, 1, 5]), 1))).toThrow('scaledDotProductAttention: mask: expected finite numbers, got NaN at [0, 0, 1]');
    const X = z([2, 5, 8]);
    expect(() => multiHeadAttention(X, X, X, mha(8), { heads: 2, mask: z([5, 4]) })).toThrow('multiHeadAttention: mask: expected shape (m, T_q, T_k) = (2, 5, 5)');
  });

  it('Q, K and V that disagree', () => {
    expect(() => scaledDotProductAttention(z([2, 3, 4]), z([2, 5, 3]), z([2, 5, 2]))).toThrow(
      'scaledDotProductAttention: K: expected shape (2, T_k, 4) = (m, T_k, d_k), with m = 2 from Q and d_k = 4 from Q, got (2, 5, 3)',
    );
    expect(() => scaledDotProductAttention(z([2, 3, 4]), z([2, 5, 4]), z([2, 6, 2]))).toThrow(
      'scaledDotProductAttention: V: expected shape (2, 5, d_v) = (m, T_k, d_v), with m = 2 from Q and T_k = 5 from K, got (2, 6, 2)',
    );
    expect(() => scaledDotProductAttention(z([1, 2, 3, 4]), z([2, 5, 4]), z([2, 6, 2]))).toThrow('scaledDotProductAttention: Q: expected shape (m, T_q, d_k) or (T_q, d_k), got (1, 2, 3, 4)');
    expect(() => scaledDotProductAttention(withNaN(z([2, 3, 4]), 2), z([2, 5, 4]), z([2, 5, 2]))).toThrow('scaledDotProductAttention: Q: expected finite numbers, got NaN at [0, 0, 2]');
  });

  it('heads that do not divide d, and multi-head shapes', () => {
    const X = z([2, 5, 8]);
    for (const heads of [3, 0, 2.5, 16]) {
      expect(() => multiHeadAttention(X, X, X, mha(8), { heads })).toThrow(ValueError);
      expect(() => multiHeadAttention(X, X, X, mha(8), { heads })).toThrow(
        `multiHeadAttention: options.heads: expected a positive integer that divides d = 8 (each head has depth d / heads), got ${heads}`,
      );
    }
    expect(() => multiHeadAttention(X, X, X, { ...mha(8), Wk: z([8, 6]) }, { heads: 2 })).toThrow('multiHeadAttention: parameters.Wk: expected shape (8, 8) = (d, d), with d = 8 from parameters.Wq, got (8, 6)');
    const Y = z([2, 5, 6]);
    expect(() => multiHeadAttention(Y, Y, Y, mha(8), { heads: 2 })).toThrow('multiHeadAttention: Q: expected shape (m, T_q, 8) = (m, T_q, d), with d = 8 from parameters.Wq, got (2, 5, 6)');
    expect(() => multiHeadAttention(X, X, X, mha(8), null as never)).toThrow('multiHeadAttention: options: expected { heads, mask? }, got null');
  });

  it('oneStepAttention: W1 must be (n_e, n_s + n_a)', () => {
    const p = (w1: number[], w2 = [1, 10]) => ({ W1: z(w1), b1: z([10, 1]), W2: z(w2), b2: z([1, 1]) });
    expect(() => oneStepAttention(z([4, 2, 6]), z([3, 2]), p([10, 8]))).toThrow(
      'oneStepAttention: sPrev: expected shape (4, 2) = (n_s, m), with n_s + n_a = 8 from parameters.W1 and n_a = 4 from a and m = 2 from a, got (3, 2)',
    );
    expect(() => oneStepAttention(z([4, 2, 6]), z([3, 2]), p([10, 4]))).toThrow('oneStepAttention: a: expected n_s + n_a = 4 (from parameters.W1) to leave n_s >= 1 beside n_a = 4 (from a), got (4, 2, 6)');
    expect(() => oneStepAttention(z([4, 2, 0]), z([3, 2]), p([10, 7]))).toThrow('oneStepAttention: a: expected shape (n_a, m, T_x) with T_x >= 1 (at least one time step), got (4, 2, 0)');
    expect(() => oneStepAttention(z([4, 2, 6]), z([3, 2]), p([10, 7], [2, 10]))).toThrow('oneStepAttention: parameters.W2: expected shape (1, 10) = (1, n_e), with n_e = 10 from parameters.W1, got (2, 10)');
    const { cache } = oneStepAttention(z([4, 2, 6]), z([3, 2]), p([10, 7]));
    expect(() => oneStepAttentionBackward(z([4, 3]), cache)).toThrow('oneStepAttentionBackward: dContext: expected shape (4, 2) = (n_a, m), with n_a = 4 from cache.a and m = 2 from cache.a, got (4, 3)');
  });

  it('positionalEncoding needs positive integers', () => {
    expect(() => positionalEncoding(0, 4)).toThrow('positionalEncoding: positions: expected a positive integer, got 0');
    expect(() => positionalEncoding(3, 2.5)).toThrow('positionalEncoding: d: expected a positive integer, got 2.5');
  });
});
