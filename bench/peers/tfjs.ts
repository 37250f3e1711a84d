/**
 * TensorFlow.js at its fastest in Node: a hand-written training loop with
 * optimizer.minimize over tf.variable parameters. (tf.layers + model.fit
 * computes the same thing but measured about 1.6x slower here for MNIST, so
 * using it would flatter layerwise.)
 *
 * Backends: 'cpu' (plain JS kernels) and 'wasm' (XNNPACK, SIMD). The wasm
 * binary is read from node_modules; nothing is fetched.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { matrix, type LayerInit, type Matrix } from '../shared/fixtures.js';
import type { CnnTrainer, MnistTrainer, PlanarTrainer } from '../shared/measure.js';
import { CNN, CNN_PARAM_SHAPES, CNN_SHAPE, type CnnFixture, type CnnWeights } from '../workloads/cnn.js';
import { MNIST, epochOrder, type MnistFixture } from '../workloads/mnist.js';
import { PLANAR, logitAccuracy, type PlanarFixture } from '../workloads/planar.js';

/** Selects the TF.js backend; returns a note saying what runs. */
export async function useTfBackend(kind: 'cpu' | 'wasm'): Promise<string> {
  if (kind === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    wasm.setWasmPaths(join(dist, 'dist') + '/');
    // The multi-threaded build fails to start under Node (its workers need a browser); use the SIMD one.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  if (!(await tf.setBackend(kind))) throw new Error(`TF.js backend ${kind} did not initialize`);
  await tf.ready();
  const simd = kind === 'wasm' ? `, SIMD ${String(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))}, 1 thread` : '';
  return `tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}${simd}`;
}

function transpose(m: Matrix): Float32Array {
  const out = new Float32Array(m.data.length);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out[j * m.rows + i] = m.data[i * m.cols + j]!;
  return out;
}

/** Examples as rows (m, n), the layout tf.layers expects. */
function rowsTensor(m: Matrix): tf.Tensor2D {
  return tf.tensor2d(transpose(m), [m.cols, m.rows]);
}

export function tfMnistTrainer(f: MnistFixture, note: string): MnistTrainer {
  // A dense kernel is (in, out) = W^T, as in tf.layers.dense; examples are rows.
  const params = f.init.flatMap(({ W, b }) => [
    tf.variable(tf.tensor2d(transpose(W), [W.cols, W.rows])),
    tf.variable(tf.tensor2d(b.data, [1, b.rows])),
  ]);
  const logits = (x: tf.Tensor2D): tf.Tensor2D => {
    // relu(x W + b) per hidden layer, plain logits at the output (the loss applies the softmax).
    let a = x;
    for (let l = 0; l < f.init.length; l++) {
      const z = tf.add(tf.matMul(a, params[2 * l]!), params[2 * l + 1]!) as tf.Tensor2D;
      a = l < f.init.length - 1 ? tf.relu(z) : z;
    }
    return a;
  };
  // TF.js's Adam defaults epsilon to 1e-7: set the course's 1e-8 explicitly.
  const opt = tf.train.adam(MNIST.learningRate, MNIST.beta1, MNIST.beta2, MNIST.epsilon);
  const xs = rowsTensor(f.trainX);
  const ys = rowsTensor(f.trainY);
  const B = MNIST.batchSize;
  return {
    sameComputation: true,
    note,
    async train(epochs, epochEnd) {
      for (let e = 0; e < epochs; e++) {
        // The epoch's shuffled order (the fixture's), each batch gathered from it as a shuffling input pipeline would.
        const order = tf.tensor1d(Int32Array.from(epochOrder(f, e)), 'int32');
        for (let from = 0; from + B <= xs.shape[0]; from += B) {
          tf.tidy(() => {
            const idx = order.slice(from, B);
            const x = tf.gather(xs, idx) as tf.Tensor2D;
            const y = tf.gather(ys, idx) as tf.Tensor2D;
            // Softmax cross-entropy from the logits, the mean over the batch.
            opt.minimize(() => tf.losses.softmaxCrossEntropy(y, logits(x)) as tf.Scalar, false, params);
          });
        }
        order.dispose();
        epochEnd();
      }
    },
    snapshot: () =>
      f.init.map(({ W, b }, l) => {
        // Back from (in, out) to the course's (out, in).
        const kernel = matrix(W.cols, W.rows, params[2 * l]!.dataSync() as Float32Array);
        return { W: matrix(W.rows, W.cols, transpose(kernel)), b: matrix(b.rows, 1, Float32Array.from(params[2 * l + 1]!.dataSync())) };
      }),
  };
}

function variable(m: Matrix, name: string): tf.Variable {
  return tf.variable(tf.tensor2d(m.data, [m.rows, m.cols]), true, name);
}

export function tfPlanarTrainer(f: PlanarFixture, note: string): PlanarTrainer {
  const [l1, l2] = f.init as [LayerInit, LayerInit];
  const W1 = variable(l1.W, 'W1');
  const b1 = variable(l1.b, 'b1');
  const W2 = variable(l2.W, 'W2');
  const b2 = variable(l2.b, 'b2');
  const X = tf.tensor2d(f.X.data, [f.X.rows, f.X.cols]);
  const Y = tf.tensor2d(f.Y.data, [f.Y.rows, f.Y.cols]);
  const logits = (): tf.Tensor => tf.add(tf.matMul(W2, tf.tanh(tf.add(tf.matMul(W1, X), b1))), b2);
  // Mean binary cross-entropy computed from the logits, as the course's cost.
  const loss = (): tf.Scalar => tf.losses.sigmoidCrossEntropy(Y, logits()) as tf.Scalar;
  const opt = tf.train.sgd(PLANAR.learningRate);
  return {
    note,
    train(iterations) {
      for (let i = 0; i < iterations; i++) opt.minimize(loss, false, [W1, b1, W2, b2]);
    },
    evaluate() {
      const cost = tf.tidy(() => loss().dataSync()[0]!);
      const z = tf.tidy(() => logits().dataSync() as Float32Array);
      return { cost, accuracy: logitAccuracy(z, f.Y.data) };
    },
  };
}

/**
 * The CNN with tf.conv2d / tf.maxPool on NHWC images and (f, f, c_in, c_out)
 * filters (layerwise's kernel layout as it is), the dense kernel W3^T over
 * the same (h, w, c) flatten; the same hand-written minimize loop as the MLP.
 * A backend that cannot compute a gradient this network needs fails its
 * first step: that error is reported as the variant's reason.
 */
export function tfCnnTrainer(f: CnnFixture, note: string): CnnTrainer {
  const S = CNN_SHAPE;
  const filter = (w: Float32Array, key: 'W1' | 'W2') => tf.variable(tf.tensor4d(w, CNN_PARAM_SHAPES[key] as [number, number, number, number]));
  const W1 = filter(f.init.W1, 'W1');
  const b1 = tf.variable(tf.tensor1d(f.init.b1));
  const W2 = filter(f.init.W2, 'W2');
  const b2 = tf.variable(tf.tensor1d(f.init.b2));
  const W3 = tf.variable(tf.tensor2d(transpose(matrix(CNN.classes, S.flat, f.init.W3)), [S.flat, CNN.classes]));
  const b3 = tf.variable(tf.tensor1d(f.init.b3));
  const params = [W1, b1, W2, b2, W3, b3];
  const logits = (x: tf.Tensor4D): tf.Tensor2D => {
    const a1 = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, W1 as tf.Tensor4D, 1, 'valid'), b1)) as tf.Tensor4D, CNN.pool, CNN.pool, 'valid');
    const a2 = tf.maxPool(tf.relu(tf.add(tf.conv2d(a1, W2 as tf.Tensor4D, 1, 'valid'), b2)) as tf.Tensor4D, CNN.pool, CNN.pool, 'valid');
    return tf.add(tf.matMul(tf.reshape(a2, [x.shape[0], S.flat]), W3), b3) as tf.Tensor2D;
  };
  const opt = tf.train.adam(CNN.learningRate, CNN.beta1, CNN.beta2, CNN.epsilon);
  const m = f.trainX.rows;
  const xs = tf.tensor4d(f.trainX.data, [m, S.h0, S.w0, S.c0]);
  const ys = rowsTensor(f.trainY);
  const B = CNN.batchSize;
  const perEpoch = Math.floor(m / B);
  return {
    note,
    async train(batches, batchEnd) {
      for (let i = 0; i < batches; i++) {
        const from = (i % perEpoch) * B;
        // Sliced per batch inside tidy (a view, as a tf.data pipeline would hand out).
        const cost = tf.tidy(() => {
          const x = xs.slice([from, 0, 0, 0], [B, -1, -1, -1]);
          const y = ys.slice([from, 0], [B, -1]);
          let loss: tf.Scalar | null;
          try {
            loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, logits(x)) as tf.Scalar, true, params);
          } catch (e) {
            if (i > 0) throw e;
            throw new Error(`n/a (unable to train this network: ${e instanceof Error ? e.message : String(e)})`);
          }
          return loss!.dataSync()[0]!;
        });
        batchEnd(cost);
      }
    },
    snapshot(): CnnWeights {
      const read = (v: tf.Variable) => Float32Array.from(v.dataSync() as Float32Array);
      return {
        W1: read(W1),
        b1: read(b1),
        W2: read(W2),
        b2: read(b2),
        // Back from (256, 10) to (10, 256).
        W3: transpose(matrix(S.flat, CNN.classes, read(W3))),
        b3: read(b3),
      };
    },
  };
}
