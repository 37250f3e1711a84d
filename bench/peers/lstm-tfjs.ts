/**
 * TensorFlow.js on the LSTM workload: a hand-written loop over tf.variable
 * parameters with optimizer.minimize (as bench/peers/tfjs.ts does for the
 * MLP and the CNN: tf.layers + fit adds overhead). The input product of all
 * 25 steps is one matMul before the loop; each step is h Kh plus that, the
 * four gates from slices, c and h, then one matMul for the softmax of every
 * step. Gates in layerwise's order [f; i; o; c], sigmoid (not TF.js's
 * default hard sigmoid) for the three gates.
 */
import * as tf from '@tensorflow/tfjs';
import { LSTM, LSTM_GATES, batchRows, type LstmFixture, type LstmTrainer } from '../workloads/lstm.js';

/** W (rows, cols) row-major -> W^T (cols, rows) as a tensor. */
function transposed(w: Float32Array, rows: number, cols: number): tf.Tensor2D {
  return tf.tensor2d(w, [rows, cols]).transpose();
}

export function tfLstmTrainer(f: LstmFixture, note: string): LstmTrainer {
  const V = f.chars.length;
  const nA = LSTM.units;
  const T = LSTM.steps;
  const B = LSTM.batchSize;
  // layerwise's Wg (n_a, n_a + V) over [a; x]: Kh = [Wf; Wi; Wo; Wc][:, :n_a]^T (n_a, 4 n_a), Kx the rest (V, 4 n_a).
  const stacked = new Float32Array(4 * nA * (nA + V));
  LSTM_GATES.forEach((g, k) => stacked.set(f.init[`W${g}`], k * nA * (nA + V)));
  const W = tf.tensor2d(stacked, [4 * nA, nA + V]);
  const Kh = tf.variable(W.slice([0, 0], [4 * nA, nA]).transpose());
  const Kx = tf.variable(W.slice([0, nA], [4 * nA, V]).transpose());
  W.dispose();
  const bias = new Float32Array(4 * nA);
  LSTM_GATES.forEach((g, k) => bias.set(f.init[`b${g}`], k * nA));
  const b = tf.variable(tf.tensor1d(bias));
  const Wy = tf.variable(transposed(f.init.Wy, V, nA));
  const by = tf.variable(tf.tensor1d(f.init.by));
  const params = [Kh, Kx, b, Wy, by];
  const opt = tf.train.adam(LSTM.learningRate, LSTM.beta1, LSTM.beta2, LSTM.epsilon);

  const loss = (x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar => {
    // x (T B, V) time-major: the input products of every step at once.
    const xk = tf.add(tf.matMul(x, Kx), b);
    let h: tf.Tensor2D = tf.zeros([B, nA]);
    let c: tf.Tensor2D = tf.zeros([B, nA]);
    const hs: tf.Tensor2D[] = [];
    for (let t = 0; t < T; t++) {
      const z = tf.add(tf.matMul(h, Kh), xk.slice([t * B, 0], [B, 4 * nA]));
      const s = tf.sigmoid(z.slice([0, 0], [B, 3 * nA]));
      const cc = tf.tanh(z.slice([0, 3 * nA], [B, nA]));
      c = tf.add(tf.mul(s.slice([0, 0], [B, nA]), c), tf.mul(s.slice([0, nA], [B, nA]), cc));
      h = tf.mul(s.slice([0, 2 * nA], [B, nA]), tf.tanh(c));
      hs.push(h);
    }
    const logits = tf.add(tf.matMul(tf.concat(hs, 0), Wy), by);
    return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
  };

  return {
    sameComputation: true,
    note: `${note}; hand-written loop, optimizer.minimize`,
    async train(batches, batchEnd) {
      for (let i = 0; i < batches; i++) {
        const rows = batchRows(f, i);
        // Time-major indices: x<t> of sequence j at row t B + j.
        const xi = new Int32Array(T * B);
        const yi = new Int32Array(T * B);
        for (let t = 0; t < T; t++) {
          for (let j = 0; j < B; j++) {
            xi[t * B + j] = rows[j * (T + 1) + t]!;
            yi[t * B + j] = rows[j * (T + 1) + t + 1]!;
          }
        }
        const cost = tf.tidy(() => {
          const x = tf.oneHot(tf.tensor1d(xi, 'int32'), V).toFloat() as tf.Tensor2D;
          const y = tf.oneHot(tf.tensor1d(yi, 'int32'), V).toFloat() as tf.Tensor2D;
          let out: tf.Scalar | null;
          try {
            out = opt.minimize(() => loss(x, y), true, params);
          } catch (e) {
            if (i > 0) throw e;
            throw new Error(`n/a (unable to train this network: ${e instanceof Error ? e.message : String(e)})`);
          }
          return out!.dataSync()[0]!;
        });
        batchEnd(cost);
      }
    },
  };
}
