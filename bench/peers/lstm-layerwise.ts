/**
 * layerwise on the LSTM workload (bench/workloads/lstm.ts) through its public
 * API: Network (lstm 128 with returnSequences, timeDistributed softmax) and
 * one fit call over the one-hot sequences X, Y (V, m, T), batches of 32 in
 * the fixture's order. The backend is selected by bench/peers/layerwise.ts.
 */
import { Tensor } from '../../src/index.js';
import { fitInOrder } from './layerwise.js';
import { LAYERWISE_NAMES, LSTM, LSTM_PARAMS, lstmNetwork, type LstmFixture, type LstmTrainer } from '../workloads/lstm.js';

/** One-hot X and Y (V, m, T) of every sequence: x<t> = row[t], y<t> = row[t + 1]. */
export function oneHotSequences(f: LstmFixture): { X: Tensor; Y: Tensor } {
  const V = f.chars.length;
  const T = LSTM.steps;
  const m = f.text.rows;
  const X = new Tensor([V, m, T], new Float32Array(V * m * T));
  const Y = new Tensor([V, m, T], new Float32Array(V * m * T));
  for (let j = 0; j < m; j++) {
    for (let t = 0; t < T; t++) {
      X.data[(f.text.data[j * (T + 1) + t]! * m + j) * T + t] = 1;
      Y.data[(f.text.data[j * (T + 1) + t + 1]! * m + j) * T + t] = 1;
    }
  }
  return { X, Y };
}

export function layerwiseLstmTrainer(f: LstmFixture, note: string): LstmTrainer {
  const net = lstmNetwork(f.chars.length);
  for (const key of LSTM_PARAMS) {
    const p = net.parameters[LAYERWISE_NAMES[key]];
    if (!p || p.data.length !== f.init[key].length) throw new Error(`layerwise LSTM: parameter ${key} has ${p ? p.size : 0} values, the fixture ${f.init[key].length}`);
    p.data.set(f.init[key]);
  }
  const { X, Y } = oneHotSequences(f);
  return {
    sameComputation: true,
    note: `${note}; Network + one fit call, X (V, m, T) one-hot`,
    async train(batches, batchEnd) {
      fitInOrder(net, X, Y, LSTM, batches, batchEnd);
    },
  };
}
