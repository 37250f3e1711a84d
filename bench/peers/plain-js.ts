/**
 * The "hand-written JS" baseline: the course's dense network written
 * directly as loops over Float32Arrays, no library. It is what a careful
 * programmer would write by hand: buffers allocated once per batch size,
 * loop orders that walk memory contiguously in the innermost loop, float64
 * accumulators in the dot products, the cost from the logits. The math is the
 * course's, in its layout: A[l] is (n[l], m), one column per example.
 */
import { matrix, type LayerInit } from '../shared/fixtures.js';
import type { MnistTrainer, PlanarTrainer } from '../shared/measure.js';
import { MNIST, epochOrder, type MnistFixture } from '../workloads/mnist.js';
import { PLANAR, logitAccuracy, type PlanarFixture } from '../workloads/planar.js';

export type PlainActivation = 'relu' | 'tanh' | 'sigmoid' | 'softmax';

export type PlainOptimizer = { kind: 'gd' } | { kind: 'adam'; beta1: number; beta2: number; epsilon: number };

/** Per-layer buffers for one batch size. */
interface Buffers {
  m: number;
  Z: Float32Array[];
  A: Float32Array[];
  dZ: Float32Array[];
  dA: Float32Array[];
}

/** Z (n, m) = W (n, k) A (k, m) + b: rank-1 updates along rows of A, so the inner loop is contiguous. */
export function linearForward(W: Float32Array, b: Float32Array, A: Float32Array, Z: Float32Array, n: number, k: number, m: number): void {
  for (let i = 0; i < n; i++) {
    const zi = i * m;
    Z.fill(b[i]!, zi, zi + m);
    for (let p = 0; p < k; p++) {
      const w = W[i * k + p]!;
      const ap = p * m;
      for (let j = 0; j < m; j++) Z[zi + j] = Z[zi + j]! + w * A[ap + j]!;
    }
  }
}

/** dW (n, k) = dZ (n, m) A^T: a dot product of two contiguous rows per entry; db = row sums of dZ. */
export function weightGradients(dZ: Float32Array, A: Float32Array, dW: Float32Array, db: Float32Array, n: number, k: number, m: number): void {
  for (let i = 0; i < n; i++) {
    const zi = i * m;
    let sb = 0;
    for (let j = 0; j < m; j++) sb += dZ[zi + j]!;
    db[i] = sb;
    for (let p = 0; p < k; p++) {
      const ap = p * m;
      let s = 0;
      for (let j = 0; j < m; j++) s += dZ[zi + j]! * A[ap + j]!;
      dW[i * k + p] = s;
    }
  }
}

/** dA (k, m) = W^T (k, n) dZ (n, m): rank-1 updates along rows of dZ. */
export function inputGradients(W: Float32Array, dZ: Float32Array, dA: Float32Array, n: number, k: number, m: number): void {
  dA.fill(0);
  for (let i = 0; i < n; i++) {
    const zi = i * m;
    for (let p = 0; p < k; p++) {
      const w = W[i * k + p]!;
      const ap = p * m;
      for (let j = 0; j < m; j++) dA[ap + j] = dA[ap + j]! + w * dZ[zi + j]!;
    }
  }
}

function activate(act: PlainActivation, Z: Float32Array, A: Float32Array, n: number, m: number): void {
  if (act === 'relu') for (let i = 0; i < Z.length; i++) A[i] = Z[i]! > 0 ? Z[i]! : 0;
  else if (act === 'tanh') for (let i = 0; i < Z.length; i++) A[i] = Math.tanh(Z[i]!);
  else if (act === 'sigmoid') {
    for (let i = 0; i < Z.length; i++) {
      // Branch on the sign so exp never overflows.
      const z = Z[i]!;
      if (z >= 0) A[i] = 1 / (1 + Math.exp(-z));
      else {
        const e = Math.exp(z);
        A[i] = e / (1 + e);
      }
    }
  } else {
    for (let j = 0; j < m; j++) {
      let max = -Infinity;
      for (let i = 0; i < n; i++) max = Math.max(max, Z[i * m + j]!);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += Math.exp(Z[i * m + j]! - max);
      for (let i = 0; i < n; i++) A[i * m + j] = Math.exp(Z[i * m + j]! - max) / sum;
    }
  }
}

/** The mean loss from the output logits: softplus(z) - y z for sigmoid, logsumexp(z) - y.z for softmax. */
function lossFromLogits(act: PlainActivation, Z: Float32Array, Y: Float32Array, n: number, m: number): number {
  let total = 0;
  if (act === 'sigmoid') {
    for (let j = 0; j < Z.length; j++) {
      const z = Z[j]!;
      total += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - Y[j]! * z;
    }
  } else {
    for (let j = 0; j < m; j++) {
      let max = -Infinity;
      for (let i = 0; i < n; i++) max = Math.max(max, Z[i * m + j]!);
      let sum = 0;
      let yz = 0;
      for (let i = 0; i < n; i++) {
        sum += Math.exp(Z[i * m + j]! - max);
        yz += Y[i * m + j]! * Z[i * m + j]!;
      }
      total += max + Math.log(sum) - yz;
    }
  }
  return total / m;
}

/** A dense network trained by hand: one `step` is forward, cost, backward and update on one batch. */
export class PlainMlp {
  readonly W: Float32Array[];
  readonly b: Float32Array[];
  private readonly dims: number[];
  private readonly dW: Float32Array[];
  private readonly db: Float32Array[];
  private readonly mW: Float32Array[] = [];
  private readonly vW: Float32Array[] = [];
  private readonly mb: Float32Array[] = [];
  private readonly vb: Float32Array[] = [];
  private t = 0;
  private readonly buffers = new Map<number, Buffers>();

  constructor(
    init: readonly LayerInit[],
    private readonly activations: readonly PlainActivation[],
    private readonly optimizer: PlainOptimizer,
  ) {
    this.dims = [init[0]!.W.cols, ...init.map((l) => l.W.rows)];
    this.W = init.map((l) => l.W.data.slice());
    this.b = init.map((l) => l.b.data.slice());
    this.dW = this.W.map((w) => new Float32Array(w.length));
    this.db = this.b.map((b) => new Float32Array(b.length));
    if (optimizer.kind === 'adam') {
      for (let l = 0; l < this.W.length; l++) {
        this.mW.push(new Float32Array(this.W[l]!.length));
        this.vW.push(new Float32Array(this.W[l]!.length));
        this.mb.push(new Float32Array(this.b[l]!.length));
        this.vb.push(new Float32Array(this.b[l]!.length));
      }
    }
  }

  private buffersFor(m: number): Buffers {
    let bufs = this.buffers.get(m);
    if (!bufs) {
      const per = this.dims.map((n) => n * m);
      bufs = {
        m,
        Z: per.slice(1).map((s) => new Float32Array(s)),
        A: per.slice(1).map((s) => new Float32Array(s)),
        dZ: per.slice(1).map((s) => new Float32Array(s)),
        dA: per.slice(1, -1).map((s) => new Float32Array(s)),
      };
      this.buffers.set(m, bufs);
    }
    return bufs;
  }

  /** Forward pass of X (n[0], m); returns the buffers holding every Z[l] and A[l]. */
  forward(X: Float32Array, m: number): Buffers {
    const bufs = this.buffersFor(m);
    let input = X;
    for (let l = 0; l < this.W.length; l++) {
      const n = this.dims[l + 1]!;
      linearForward(this.W[l]!, this.b[l]!, input, bufs.Z[l]!, n, this.dims[l]!, m);
      activate(this.activations[l]!, bufs.Z[l]!, bufs.A[l]!, n, m);
      input = bufs.A[l]!;
    }
    return bufs;
  }

  /** The output probabilities A[L] (n[L], m) for X, copied out. */
  predict(X: Float32Array, m: number): Float32Array {
    return this.forward(X, m).A[this.W.length - 1]!.slice();
  }

  /** The mean loss of X against Y, from the logits. */
  cost(X: Float32Array, Y: Float32Array, m: number): number {
    const L = this.W.length;
    return lossFromLogits(this.activations[L - 1]!, this.forward(X, m).Z[L - 1]!, Y, this.dims[L]!, m);
  }

  /** One iteration on a batch: forward, cost, backward, update. Returns the batch's cost (before the update). */
  step(X: Float32Array, Y: Float32Array, m: number, learningRate: number): number {
    const L = this.W.length;
    const bufs = this.forward(X, m);
    const J = lossFromLogits(this.activations[L - 1]!, bufs.Z[L - 1]!, Y, this.dims[L]!, m);
    // dZ[L] = (A[L] - Y) / m for sigmoid + BCE and softmax + CCE; the 1/m is folded in here once.
    const AL = bufs.A[L - 1]!;
    const dZL = bufs.dZ[L - 1]!;
    for (let i = 0; i < AL.length; i++) dZL[i] = (AL[i]! - Y[i]!) / m;
    for (let l = L - 1; l >= 0; l--) {
      const n = this.dims[l + 1]!;
      const k = this.dims[l]!;
      const Aprev = l === 0 ? X : bufs.A[l - 1]!;
      weightGradients(bufs.dZ[l]!, Aprev, this.dW[l]!, this.db[l]!, n, k, m);
      if (l === 0) break;
      const dA = bufs.dA[l - 1]!;
      inputGradients(this.W[l]!, bufs.dZ[l]!, dA, n, k, m);
      const dZ = bufs.dZ[l - 1]!;
      const Z = bufs.Z[l - 1]!;
      const A = bufs.A[l - 1]!;
      const act = this.activations[l - 1]!;
      if (act === 'relu') for (let i = 0; i < dA.length; i++) dZ[i] = Z[i]! > 0 ? dA[i]! : 0;
      else if (act === 'tanh') for (let i = 0; i < dA.length; i++) dZ[i] = dA[i]! * (1 - A[i]! * A[i]!);
      else for (let i = 0; i < dA.length; i++) dZ[i] = dA[i]! * A[i]! * (1 - A[i]!);
    }
    this.update(learningRate);
    return J;
  }

  private update(lr: number): void {
    const opt = this.optimizer;
    if (opt.kind === 'gd') {
      for (let l = 0; l < this.W.length; l++) {
        sgd(this.W[l]!, this.dW[l]!, lr);
        sgd(this.b[l]!, this.db[l]!, lr);
      }
      return;
    }
    this.t++;
    const c1 = 1 - Math.pow(opt.beta1, this.t);
    const c2 = 1 - Math.pow(opt.beta2, this.t);
    for (let l = 0; l < this.W.length; l++) {
      adam(this.W[l]!, this.dW[l]!, this.mW[l]!, this.vW[l]!, lr, opt.beta1, opt.beta2, opt.epsilon, c1, c2);
      adam(this.b[l]!, this.db[l]!, this.mb[l]!, this.vb[l]!, lr, opt.beta1, opt.beta2, opt.epsilon, c1, c2);
    }
  }
}

function sgd(w: Float32Array, g: Float32Array, lr: number): void {
  for (let i = 0; i < w.length; i++) w[i] = w[i]! - lr * g[i]!;
}

/** W -= lr * mhat / (sqrt(vhat) + eps), with the bias corrections c1 = 1 - beta1^t, c2 = 1 - beta2^t. */
export function adam(
  w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array,
  lr: number, beta1: number, beta2: number, eps: number, c1: number, c2: number,
): void {
  for (let i = 0; i < w.length; i++) {
    const gi = g[i]!;
    const mi = beta1 * m[i]! + (1 - beta1) * gi;
    const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] = w[i]! - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
  }
}

/** Copies columns [from, from + count) of the row-major (rows, cols) X into out (rows, count). */
export function gatherColumns(X: Float32Array, rows: number, cols: number, from: number, count: number, out: Float32Array): void {
  for (let i = 0; i < rows; i++) out.set(X.subarray(i * cols + from, i * cols + from + count), i * count);
}

/** Copies the columns `order[from .. from + count)` of the row-major (rows, cols) X into out (rows, count): a shuffled batch. */
export function gatherColumnsAt(X: Float32Array, rows: number, cols: number, order: ArrayLike<number>, from: number, count: number, out: Float32Array): void {
  for (let i = 0; i < rows; i++) {
    const src = i * cols;
    const dst = i * count;
    for (let j = 0; j < count; j++) out[dst + j] = X[src + order[from + j]!]!;
  }
}

/** MNIST: 784-128-64-10 ReLU/softmax with Adam, batch 64, each epoch's batches in the fixture's shuffled order. */
export function plainMnistTrainer(f: MnistFixture): MnistTrainer {
  const net = new PlainMlp(f.init, ['relu', 'relu', 'softmax'], { kind: 'adam', beta1: MNIST.beta1, beta2: MNIST.beta2, epsilon: MNIST.epsilon });
  const { trainX: X, trainY: Y } = f;
  const B = MNIST.batchSize;
  const xb = new Float32Array(X.rows * B);
  const yb = new Float32Array(Y.rows * B);
  return {
    sameComputation: true,
    async train(epochs, epochEnd) {
      for (let e = 0; e < epochs; e++) {
        const order = epochOrder(f, e);
        // 8000 / 64 has no remainder, so every batch is full.
        for (let from = 0; from + B <= X.cols; from += B) {
          gatherColumnsAt(X.data, X.rows, X.cols, order, from, B, xb);
          gatherColumnsAt(Y.data, Y.rows, Y.cols, order, from, B, yb);
          net.step(xb, yb, B, MNIST.learningRate);
        }
        epochEnd();
      }
    },
    snapshot: () => net.W.map((w, l) => ({ W: matrix(f.init[l]!.W.rows, f.init[l]!.W.cols, w.slice()), b: matrix(net.b[l]!.length, 1, net.b[l]!.slice()) })),
  };
}

/** The planar net: 2-4-1 tanh/sigmoid, full-batch gradient descent. */
export function plainPlanarTrainer(f: PlanarFixture): PlanarTrainer {
  const net = new PlainMlp(f.init, ['tanh', 'sigmoid'], { kind: 'gd' });
  const m = f.X.cols;
  return {
    train(iterations) {
      for (let i = 0; i < iterations; i++) net.step(f.X.data, f.Y.data, m, PLANAR.learningRate);
    },
    evaluate() {
      const cost = net.cost(f.X.data, f.Y.data, m);
      const z = net.forward(f.X.data, m).Z[1]!;
      return { cost, accuracy: logitAccuracy(z, f.Y.data) };
    },
  };
}
