/**
 * One step of each recurrent cell of course 5 against values computed here,
 * from the course's formulas on tiny inputs (plain arrays and Math, not the
 * library): the basic RNN, the LSTM and the full GRU, forward, and the RNN's
 * and LSTM's backward as the assignment writes them. On every backend, in
 * float64 and float32.
 */
import { expect, it } from 'vitest';
import { gruCellForward, lstmCellBackward, lstmCellForward, rnnCellBackward, rnnCellForward, rnnForward, tensor, type DType } from '../../src/index.js';
import { describeEachBackend, expectClose } from '../helpers.js';

type M = number[][];
const matmul = (A: M, B: M): M => A.map((r) => B[0]!.map((_, j) => r.reduce((s, v, k) => s + v * B[k]![j]!, 0)));
const plus = (A: M, B: M): M => A.map((r, i) => r.map((v, j) => v + (B[i]![j] ?? B[i]![0]!))); // B may be a (n, 1) bias
const times = (A: M, B: M): M => A.map((r, i) => r.map((v, j) => v * B[i]![j]!));
const map = (A: M, f: (v: number) => number): M => A.map((r) => r.map(f));
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
const softmax = (Z: M): M => {
  const e = map(Z, Math.exp);
  return e.map((r) => r.map((v, j) => v / e.reduce((s, row) => s + row[j]!, 0)));
};
const dense = (W: M, X: M, b: M): M => plus(matmul(W, X), b);

// n_x = 2, n_a = 2, n_y = 3, m = 2
const xt: M = [
  [0.5, -1.2],
  [0.3, 0.8],
];
const aPrev: M = [
  [0.1, -0.4],
  [0.6, 0.2],
];
const cPrev: M = [
  [-0.3, 0.9],
  [0.4, -0.7],
];
const concat: M = [...aPrev, ...xt];
const Wy: M = [
  [0.2, -0.5],
  [0.7, 0.1],
  [-0.3, 0.4],
];
const by: M = [[0.1], [-0.2], [0.05]];
const gate = (k: number): M => [
  [0.1 * k, -0.2, 0.3, 0.15 * k],
  [-0.25, 0.05 * k, -0.1, 0.2],
];
const bias = (k: number): M => [[0.1 * k], [-0.05 * k]];

describeEachBackend('one step of each cell, from the course formulas', () => {
  for (const dtype of ['float64', 'float32'] as DType[]) {
    const tol = dtype === 'float64' ? 1e-12 : 2e-6;
    const f = (v: M): ReturnType<typeof tensor> => tensor(v, { dtype });

    it(`rnnCellForward [${dtype}]: a_next = tanh(Waa a_prev + Wax xt + ba), yt_pred = softmax(Wya a_next + by)`, () => {
      const Wax = gate(1).map((r) => r.slice(0, 2));
      const Waa = gate(2).map((r) => r.slice(2));
      const ba = bias(1);
      const aNext = map(plus(plus(matmul(Waa, aPrev), matmul(Wax, xt)), ba), Math.tanh);
      const out = rnnCellForward(f(xt), f(aPrev), { Wax: f(Wax), Waa: f(Waa), ba: f(ba), Wya: f(Wy), by: f(by) });
      expect(out.aNext.dtype).toBe(dtype);
      expectClose(out.aNext, aNext, tol);
      expectClose(out.ytPred, softmax(dense(Wy, aNext, by)), tol);
      expect(out.cache.aPrev.toArray()).toEqual(f(aPrev).toArray());

      // rnn_cell_backward: dtanh = (1 - a_next^2) * da_next, dxt = Wax^T dtanh, dWaa = dtanh a_prev^T, dba = sum(dtanh)
      const daNext: M = [
        [1, -0.5],
        [0.25, 2],
      ];
      const dtanh = times(map(aNext, (a) => 1 - a * a), daNext);
      const T = (A: M): M => A[0]!.map((_, j) => A.map((r) => r[j]!));
      const g = rnnCellBackward(f(daNext), out.cache);
      expectClose(g.dxt, matmul(T(Wax), dtanh), tol);
      expectClose(g.daPrev, matmul(T(Waa), dtanh), tol);
      expectClose(g.dWax, matmul(dtanh, T(xt)), tol);
      expectClose(g.dWaa, matmul(dtanh, T(aPrev)), tol);
      expectClose(g.dba, dtanh.map((r) => [r[0]! + r[1]!]), tol);
    });

    it(`rnnForward [${dtype}]: step t of the sequence is the cell on x[:, :, t] and a<t-1>`, () => {
      const p = { Wax: f(gate(1).map((r) => r.slice(0, 2))), Waa: f(gate(2).map((r) => r.slice(2))), ba: f(bias(1)), Wya: f(Wy), by: f(by) };
      const x = [0, 1].map((i) => [0, 1].map((j) => [xt[i]![j]!, -xt[i]![j]!, 0.5])); // (2, 2, 3)
      const seq = rnnForward(tensor(x, { dtype }), f(aPrev), p);
      let a = f(aPrev);
      for (let t = 0; t < 3; t++) {
        const step = rnnCellForward(f(x.map((r) => r.map((c) => c[t]!))), a, p);
        a = step.aNext;
        const at = (s: ReturnType<typeof tensor>, n: number) => Array.from({ length: n * 2 }, (_, k) => s.data[k * 3 + t]!);
        expectClose(at(seq.a, 2), step.aNext.data, tol);
        expectClose(at(seq.yPred, 3), step.ytPred.data, tol);
      }
    });

    it(`lstmCellForward [${dtype}]: the gates on [a_prev; xt], c_next = Γf c_prev + Γu c~, a_next = Γo tanh(c_next)`, () => {
      const [Wf, Wi, Wc, Wo] = [gate(1), gate(2), gate(3), gate(4)];
      const [bf, bi, bc, bo] = [bias(1), bias(2), bias(3), bias(4)];
      const ft = map(dense(Wf, concat, bf), sigmoid);
      const it_ = map(dense(Wi, concat, bi), sigmoid);
      const cct = map(dense(Wc, concat, bc), Math.tanh);
      const ot = map(dense(Wo, concat, bo), sigmoid);
      const cNext = plus(times(ft, cPrev), times(it_, cct));
      const aNext = times(ot, map(cNext, Math.tanh));
      const p = { Wf: f(Wf), bf: f(bf), Wi: f(Wi), bi: f(bi), Wc: f(Wc), bc: f(bc), Wo: f(Wo), bo: f(bo), Wy: f(Wy), by: f(by) };
      const out = lstmCellForward(f(xt), f(aPrev), f(cPrev), p);
      expectClose(out.cNext, cNext, tol);
      expectClose(out.aNext, aNext, tol);
      expectClose(out.ytPred, softmax(dense(Wy, aNext, by)), tol);
      expectClose(out.cache.ft, ft, tol);
      expectClose(out.cache.it, it_, tol);
      expectClose(out.cache.cct, cct, tol);
      expectClose(out.cache.ot, ot, tol);

      // lstm_cell_backward as the assignment writes it
      const daNext: M = [
        [0.5, -1],
        [1.5, 0.2],
      ];
      const dcNext: M = [
        [-0.3, 0.7],
        [0.1, 0.4],
      ];
      const tc = map(cNext, Math.tanh);
      const dtc = times(times(ot, map(tc, (v) => 1 - v * v)), daNext); // ot * (1 - tanh(c_next)^2) * da_next
      const dot = times(times(times(daNext, tc), ot), map(ot, (o) => 1 - o));
      const dcct = times(plus(times(dcNext, it_), times(dtc, it_)), map(cct, (c) => 1 - c * c));
      const dit = times(times(plus(times(dcNext, cct), times(dtc, cct)), it_), map(it_, (i) => 1 - i));
      const dft = times(times(plus(times(dcNext, cPrev), times(dtc, cPrev)), ft), map(ft, (v) => 1 - v));
      const T = (A: M): M => A[0]!.map((_, j) => A.map((r) => r[j]!));
      const g = lstmCellBackward(f(daNext), f(dcNext), out.cache);
      expectClose(g.dWf, matmul(dft, T(concat)), tol);
      expectClose(g.dWi, matmul(dit, T(concat)), tol);
      expectClose(g.dWc, matmul(dcct, T(concat)), tol);
      expectClose(g.dWo, matmul(dot, T(concat)), tol);
      expectClose(g.dbf, dft.map((r) => [r[0]! + r[1]!]), tol);
      expectClose(g.dbo, dot.map((r) => [r[0]! + r[1]!]), tol);
      expectClose(g.dcPrev, plus(times(dcNext, ft), times(dtc, ft)), tol);
      const dconcat = [Wf, Wi, Wc, Wo].map((W, k) => matmul(T(W), [dft, dit, dcct, dot][k]!)).reduce((s, d) => plus(s, d));
      expectClose(g.daPrev, dconcat.slice(0, 2), tol);
      expectClose(g.dxt, dconcat.slice(2), tol);
    });

    it(`gruCellForward [${dtype}]: Γr, Γu on [c_prev; xt], c~ = tanh(Wc [Γr c_prev; xt] + bc), c = Γu c~ + (1 - Γu) c_prev`, () => {
      const [Wr, Wu, Wc] = [gate(1), gate(2), gate(3)];
      const [br, bu, bc] = [bias(1), bias(2), bias(3)];
      const gr = map(dense(Wr, concat, br), sigmoid);
      const gu = map(dense(Wu, concat, bu), sigmoid);
      const cct = map(dense(Wc, [...times(gr, aPrev), ...xt], bc), Math.tanh);
      const c = plus(times(gu, cct), times(map(gu, (u) => 1 - u), aPrev));
      const out = gruCellForward(f(xt), f(aPrev), { Wr: f(Wr), br: f(br), Wu: f(Wu), bu: f(bu), Wc: f(Wc), bc: f(bc), Wy: f(Wy), by: f(by) });
      expectClose(out.aNext, c, tol);
      expectClose(out.ytPred, softmax(dense(Wy, c, by)), tol);
      expectClose(out.cache.rt, gr, tol);
      expectClose(out.cache.ut, gu, tol);
      expectClose(out.cache.cct, cct, tol);
    });
  }
});
