/**
 * The hand-written JS baseline on the LSTM workload: the course's LSTM and a
 * softmax at every step as loops over Float32Arrays (bench/peers/plain-js.ts's
 * dense loops for the products), backpropagation through time and Adam.
 * Buffers are allocated once; inputs are multiplied as dense one-hot columns,
 * as layerwise does (no index trick), so the work is the same computation.
 */
import { LSTM, LSTM_GATES, batchRows, type LstmFixture, type LstmTrainer } from '../workloads/lstm.js';
import { adam, inputGradients, linearForward, weightGradients } from './plain-js.js';

function logistic(x: number): number {
  const e = Math.exp(-Math.abs(x));
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}

export function plainLstmTrainer(f: LstmFixture): LstmTrainer {
  const V = f.chars.length;
  const nA = LSTM.units;
  const T = LSTM.steps;
  const B = LSTM.batchSize;
  const K = nA + V;
  const G = 4 * nA;
  const W = new Float32Array(G * K);
  const b = new Float32Array(G);
  LSTM_GATES.forEach((g, k) => {
    W.set(f.init[`W${g}`], k * nA * K);
    b.set(f.init[`b${g}`], k * nA);
  });
  const Wy = Float32Array.from(f.init.Wy);
  const by = Float32Array.from(f.init.by);
  const params = [W, b, Wy, by];
  const grads = params.map((p) => new Float32Array(p.length));
  const tmp = params.map((p) => new Float32Array(p.length));
  const ms = params.map((p) => new Float32Array(p.length));
  const vs = params.map((p) => new Float32Array(p.length));
  const per = (n: number) => Array.from({ length: T }, () => new Float32Array(n * B));
  const concat = per(K);
  const gates = per(G);
  const cs = Array.from({ length: T + 1 }, () => new Float32Array(nA * B));
  const tanhC = per(nA);
  const as = per(nA);
  const yhat = per(V);
  const dG = new Float32Array(G * B);
  const dconcat = new Float32Array(K * B);
  const da = new Float32Array(nA * B);
  const daNext = new Float32Array(nA * B);
  const dcNext = new Float32Array(nA * B);
  const dZy = new Float32Array(V * B);
  let step = 0;

  /** One batch: forward, the mean cross-entropy over the T B predictions, backward, Adam. */
  function batch(rows: Float32Array): number {
    let loss = 0;
    for (let t = 0; t < T; t++) {
      const cat = concat[t]!;
      if (t > 0) cat.set(as[t - 1]!, 0);
      else cat.fill(0, 0, nA * B);
      cat.fill(0, nA * B);
      for (let j = 0; j < B; j++) cat[(nA + rows[j * (T + 1) + t]!) * B + j] = 1;
      const g = gates[t]!;
      linearForward(W, b, cat, g, G, K, B);
      const c = cs[t + 1]!;
      const cp = cs[t]!;
      const th = tanhC[t]!;
      const a = as[t]!;
      const n = nA * B;
      for (let k = 0; k < n; k++) {
        const fg = (g[k] = logistic(g[k]!));
        const ig = (g[n + k] = logistic(g[n + k]!));
        const og = (g[2 * n + k] = logistic(g[2 * n + k]!));
        const cc = (g[3 * n + k] = Math.tanh(g[3 * n + k]!));
        const cn = (c[k] = fg * cp[k]! + ig * cc);
        const tc = (th[k] = Math.tanh(cn));
        a[k] = og * tc;
      }
      const y = yhat[t]!;
      linearForward(Wy, by, a, y, V, nA, B);
      for (let j = 0; j < B; j++) {
        let max = -Infinity;
        for (let i = 0; i < V; i++) max = Math.max(max, y[i * B + j]!);
        let sum = 0;
        for (let i = 0; i < V; i++) sum += Math.exp(y[i * B + j]! - max);
        const target = rows[j * (T + 1) + t + 1]!;
        loss += Math.log(sum) - (y[target * B + j]! - max);
        for (let i = 0; i < V; i++) y[i * B + j] = Math.exp(y[i * B + j]! - max) / sum;
      }
    }
    const scale = 1 / (T * B);
    for (const g of grads) g.fill(0);
    daNext.fill(0);
    dcNext.fill(0);
    const add = (k: number) => {
      const g = grads[k]!;
      const x = tmp[k]!;
      for (let i = 0; i < g.length; i++) g[i] = g[i]! + x[i]!;
    };
    for (let t = T - 1; t >= 0; t--) {
      const y = yhat[t]!;
      for (let i = 0; i < V * B; i++) dZy[i] = y[i]! * scale;
      for (let j = 0; j < B; j++) {
        const target = rows[j * (T + 1) + t + 1]!;
        dZy[target * B + j] = dZy[target * B + j]! - scale;
      }
      weightGradients(dZy, as[t]!, tmp[2]!, tmp[3]!, V, nA, B);
      add(2);
      add(3);
      inputGradients(Wy, dZy, da, V, nA, B);
      const g = gates[t]!;
      const cp = cs[t]!;
      const th = tanhC[t]!;
      const n = nA * B;
      for (let k = 0; k < n; k++) {
        const fg = g[k]!;
        const ig = g[n + k]!;
        const og = g[2 * n + k]!;
        const cc = g[3 * n + k]!;
        const tc = th[k]!;
        const dak = da[k]! + daNext[k]!;
        const dc = dcNext[k]! + dak * og * (1 - tc * tc);
        dG[k] = dc * cp[k]! * fg * (1 - fg);
        dG[n + k] = dc * cc * ig * (1 - ig);
        dG[2 * n + k] = dak * tc * og * (1 - og);
        dG[3 * n + k] = dc * ig * (1 - cc * cc);
        dcNext[k] = dc * fg;
      }
      weightGradients(dG, concat[t]!, tmp[0]!, tmp[1]!, G, K, B);
      add(0);
      add(1);
      inputGradients(W, dG, dconcat, G, K, B);
      daNext.set(dconcat.subarray(0, nA * B));
    }
    step++;
    const c1 = 1 - LSTM.beta1 ** step;
    const c2 = 1 - LSTM.beta2 ** step;
    params.forEach((p, k) => adam(p, grads[k]!, ms[k]!, vs[k]!, LSTM.learningRate, LSTM.beta1, LSTM.beta2, LSTM.epsilon, c1, c2));
    return loss * scale;
  }

  return {
    sameComputation: true,
    note: 'hand-written loops over Float32Arrays (dense one-hot inputs), BPTT, Adam',
    async train(batches, batchEnd) {
      for (let i = 0; i < batches; i++) batchEnd(batch(batchRows(f, i)));
    },
  };
}
