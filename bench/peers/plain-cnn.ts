/**
 * The "hand-written JS" CNN: the bench's MNIST CNN written directly as loops
 * over Float32Arrays, no library, as a competent JavaScript developer would
 * write it: direct convolution (no im2col), one example at a time, images
 * and kernels channels-last so the innermost loop runs over contiguous
 * output channels, buffers allocated once per batch size, max pooling that
 * remembers where each maximum came from, the cost from the logits, Adam.
 *
 * Layouts are layerwise's (bench/workloads/cnn.ts): activations (h, w, c)
 * per example, kernels (f, f, c_in, c_out), the dense W3 (10, 256) over the
 * (h, w, c) flatten. Its forward pass is also the shared evaluator that
 * scores every library's weights (bench/shared/evaluate.ts).
 */
import type { CnnTrainer } from '../shared/measure.js';
import { adam } from './plain-js.js';
import { CNN, CNN_SHAPE, cloneWeights, type CnnFixture, type CnnWeights } from '../workloads/cnn.js';

const S = CNN_SHAPE;
const K = S.k;

/** out (oh, ow, co) = b + valid convolution of x (h, w, ci) with W (K, K, ci, co). */
function convForward(x: Float32Array, xo: number, w: number, ci: number, W: Float32Array, b: Float32Array, co: number, out: Float32Array, oo: number, oh: number, ow: number): void {
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      const o = oo + (oy * ow + ox) * co;
      for (let c = 0; c < co; c++) out[o + c] = b[c]!;
      for (let ky = 0; ky < K; ky++) {
        for (let kx = 0; kx < K; kx++) {
          const xi = xo + ((oy + ky) * w + ox + kx) * ci;
          const wi = (ky * K + kx) * ci * co;
          for (let i = 0; i < ci; i++) {
            const v = x[xi + i]!;
            if (v === 0) continue; // ReLU outputs and blank pixels: many zeros
            const wr = wi + i * co;
            for (let c = 0; c < co; c++) out[o + c] = out[o + c]! + v * W[wr + c]!;
          }
        }
      }
    }
  }
}

/**
 * The backward pass of convForward for one example: dW += x * dz, db += dz,
 * and (when dx is given) dx += W * dz, for the dz (oh, ow, co) of its output.
 */
function convBackward(
  x: Float32Array, xo: number, w: number, ci: number, W: Float32Array, co: number,
  dz: Float32Array, zo: number, oh: number, ow: number,
  dW: Float32Array, db: Float32Array, dx: Float32Array | null,
): void {
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      const o = zo + (oy * ow + ox) * co;
      let any = false;
      for (let c = 0; c < co; c++) {
        const g = dz[o + c]!;
        if (g !== 0) {
          db[c] = db[c]! + g;
          any = true;
        }
      }
      if (!any) continue; // the ReLU and the pool let no gradient through here
      for (let ky = 0; ky < K; ky++) {
        for (let kx = 0; kx < K; kx++) {
          const xi = xo + ((oy + ky) * w + ox + kx) * ci;
          const wi = (ky * K + kx) * ci * co;
          for (let i = 0; i < ci; i++) {
            const v = x[xi + i]!;
            const wr = wi + i * co;
            let s = 0;
            for (let c = 0; c < co; c++) {
              const g = dz[o + c]!;
              dW[wr + c] = dW[wr + c]! + v * g;
              s += W[wr + c]! * g;
            }
            if (dx) dx[xi + i] = dx[xi + i]! + s;
          }
        }
      }
    }
  }
}

/** 2x2 max pool, stride 2, of x (h, w, c) into out (h/2, w/2, c); arg holds the index in x of each maximum. */
function maxPool(x: Float32Array, xo: number, h: number, w: number, c: number, out: Float32Array, arg: Int32Array, oo: number): void {
  const P = CNN.pool;
  const oh = h / P;
  const ow = w / P;
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      for (let ch = 0; ch < c; ch++) {
        let best = -Infinity;
        let at = 0;
        for (let py = 0; py < P; py++) {
          for (let px = 0; px < P; px++) {
            const i = xo + ((oy * P + py) * w + ox * P + px) * c + ch;
            if (x[i]! > best) {
              best = x[i]!;
              at = i;
            }
          }
        }
        const o = oo + (oy * ow + ox) * c + ch;
        out[o] = best;
        arg[o] = at;
      }
    }
  }
}

/** Buffers for a batch of m examples, every per-example block contiguous. */
interface Buffers {
  m: number;
  a1: Float32Array; // conv1 + ReLU (24, 24, 8)
  p1: Float32Array; // pool1 (12, 12, 8)
  arg1: Int32Array;
  a2: Float32Array; // conv2 + ReLU (8, 8, 16)
  p2: Float32Array; // pool2 (4, 4, 16) = the 256 dense inputs
  arg2: Int32Array;
  z3: Float32Array; // logits (m, 10)
  probs: Float32Array;
  d2: Float32Array; // gradients of a2 (then of conv2's output)
  dp1: Float32Array;
  d1: Float32Array;
}

function buffers(m: number): Buffers {
  const n1 = S.conv1.h * S.conv1.w * S.c1;
  const q1 = S.pool1.h * S.pool1.w * S.c1;
  const n2 = S.conv2.h * S.conv2.w * S.c2;
  return {
    m,
    a1: new Float32Array(m * n1),
    p1: new Float32Array(m * q1),
    arg1: new Int32Array(m * q1),
    a2: new Float32Array(m * n2),
    p2: new Float32Array(m * S.flat),
    arg2: new Int32Array(m * S.flat),
    z3: new Float32Array(m * CNN.classes),
    probs: new Float32Array(m * CNN.classes),
    d2: new Float32Array(m * n2),
    dp1: new Float32Array(m * q1),
    d1: new Float32Array(m * n1),
  };
}

function relu(a: Float32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) if (a[i]! < 0) a[i] = 0;
}

const KEYS = ['W1', 'b1', 'W2', 'b2', 'W3', 'b3'] as const;

/** The CNN trained by hand: `step` is forward, cost, backward and Adam on one batch. */
export class PlainCnn {
  readonly w: CnnWeights;
  private readonly grad: CnnWeights;
  private readonly m1: CnnWeights;
  private readonly v1: CnnWeights;
  private t = 0;
  private bufs: Buffers | null = null;

  constructor(init: CnnWeights) {
    this.w = cloneWeights(init);
    const zeros = (): CnnWeights => {
      const z = cloneWeights(init);
      for (const k of KEYS) z[k].fill(0);
      return z;
    };
    this.grad = zeros();
    this.m1 = zeros();
    this.v1 = zeros();
  }

  private buffersFor(m: number): Buffers {
    if (!this.bufs || this.bufs.m !== m) this.bufs = buffers(m);
    return this.bufs;
  }

  /** Forward pass of m images X (m, 28, 28, 1), examples from row `from`; the logits land in the returned z3 (m, 10). */
  forward(X: Float32Array, from: number, m: number): Buffers {
    const b = this.buffersFor(m);
    const { W1, b1, W2, b2, W3, b3 } = this.w;
    const n0 = S.h0 * S.w0 * S.c0;
    const n1 = S.conv1.h * S.conv1.w * S.c1;
    const q1 = S.pool1.h * S.pool1.w * S.c1;
    const n2 = S.conv2.h * S.conv2.w * S.c2;
    for (let e = 0; e < m; e++) {
      convForward(X, (from + e) * n0, S.w0, S.c0, W1, b1, S.c1, b.a1, e * n1, S.conv1.h, S.conv1.w);
      relu(b.a1, e * n1, (e + 1) * n1);
      maxPool(b.a1, e * n1, S.conv1.h, S.conv1.w, S.c1, b.p1, b.arg1, e * q1);
      convForward(b.p1, e * q1, S.pool1.w, S.c1, W2, b2, S.c2, b.a2, e * n2, S.conv2.h, S.conv2.w);
      relu(b.a2, e * n2, (e + 1) * n2);
      maxPool(b.a2, e * n2, S.conv2.h, S.conv2.w, S.c2, b.p2, b.arg2, e * S.flat);
      for (let j = 0; j < CNN.classes; j++) {
        let s = b3[j]!;
        const wr = j * S.flat;
        const pr = e * S.flat;
        for (let k = 0; k < S.flat; k++) s += W3[wr + k]! * b.p2[pr + k]!;
        b.z3[e * CNN.classes + j] = s;
      }
    }
    return b;
  }

  /**
   * Softmax of the logits into probs and the mean cross-entropy against the
   * labels of examples [from, from + m) (logsumexp(z) - z[label]).
   */
  private softmaxCost(b: Buffers, labels: Int32Array, from: number): number {
    const C = CNN.classes;
    let total = 0;
    for (let e = 0; e < b.m; e++) {
      let max = -Infinity;
      for (let j = 0; j < C; j++) max = Math.max(max, b.z3[e * C + j]!);
      let sum = 0;
      for (let j = 0; j < C; j++) {
        const p = Math.exp(b.z3[e * C + j]! - max);
        b.probs[e * C + j] = p;
        sum += p;
      }
      for (let j = 0; j < C; j++) b.probs[e * C + j] = b.probs[e * C + j]! / sum;
      total += max + Math.log(sum) - b.z3[e * C + labels[from + e]!]!;
    }
    return total / b.m;
  }

  /** The predicted class of each of m images from row `from`. */
  predict(X: Float32Array, from: number, m: number): Int32Array {
    const b = this.forward(X, from, m);
    const out = new Int32Array(m);
    for (let e = 0; e < m; e++) {
      let best = 0;
      for (let j = 1; j < CNN.classes; j++) if (b.z3[e * CNN.classes + j]! > b.z3[e * CNN.classes + best]!) best = j;
      out[e] = best;
    }
    return out;
  }

  /** One iteration on the batch of rows [from, from + m): forward, cost, backward, Adam. Returns the cost before the update. */
  step(X: Float32Array, labels: Int32Array, from: number, m: number, learningRate: number): number {
    const b = this.forward(X, from, m);
    const J = this.softmaxCost(b, labels, from);
    const { W1, W2, W3 } = this.w;
    const g = this.grad;
    for (const k of KEYS) g[k].fill(0);
    b.d2.fill(0);
    b.dp1.fill(0);
    b.d1.fill(0);
    const C = CNN.classes;
    const n0 = S.h0 * S.w0 * S.c0;
    const n1 = S.conv1.h * S.conv1.w * S.c1;
    const q1 = S.pool1.h * S.pool1.w * S.c1;
    const n2 = S.conv2.h * S.conv2.w * S.c2;
    const dp2 = new Float32Array(S.flat);
    for (let e = 0; e < m; e++) {
      // Dense: dz = (p - y) / m; dW3 += dz p2^T, db3 += dz, dp2 = W3^T dz.
      dp2.fill(0);
      for (let j = 0; j < C; j++) {
        const dz = (b.probs[e * C + j]! - (labels[from + e] === j ? 1 : 0)) / m;
        g.b3[j] = g.b3[j]! + dz;
        const wr = j * S.flat;
        const pr = e * S.flat;
        for (let k = 0; k < S.flat; k++) {
          g.W3[wr + k] = g.W3[wr + k]! + dz * b.p2[pr + k]!;
          dp2[k] = dp2[k]! + W3[wr + k]! * dz;
        }
      }
      // Pool 2 back to its maxima, through conv2's ReLU (a2 > 0).
      for (let k = 0; k < S.flat; k++) {
        const at = b.arg2[e * S.flat + k]!;
        if (b.a2[at]! > 0) b.d2[at] = b.d2[at]! + dp2[k]!;
      }
      convBackward(b.p1, e * q1, S.pool1.w, S.c1, W2, S.c2, b.d2, e * n2, S.conv2.h, S.conv2.w, g.W2, g.b2, b.dp1);
      for (let k = 0; k < q1; k++) {
        const at = b.arg1[e * q1 + k]!;
        if (b.a1[at]! > 0) b.d1[at] = b.d1[at]! + b.dp1[e * q1 + k]!;
      }
      convBackward(X, (from + e) * n0, S.w0, S.c0, W1, S.c1, b.d1, e * n1, S.conv1.h, S.conv1.w, g.W1, g.b1, null);
    }
    this.t++;
    const c1 = 1 - Math.pow(CNN.beta1, this.t);
    const c2 = 1 - Math.pow(CNN.beta2, this.t);
    for (const k of KEYS) adam(this.w[k], g[k], this.m1[k], this.v1[k], learningRate, CNN.beta1, CNN.beta2, CNN.epsilon, c1, c2);
    return J;
  }
}

/** The hand-written CNN on the bench's schedule. */
export function plainCnnTrainer(f: CnnFixture, labels: Int32Array): CnnTrainer {
  const net = new PlainCnn(f.init);
  const B = CNN.batchSize;
  const X = f.trainX.data;
  return {
    async train(batches, batchEnd) {
      const perEpoch = Math.floor(f.trainX.rows / B);
      for (let i = 0; i < batches; i++) batchEnd(net.step(X, labels, (i % perEpoch) * B, B, CNN.learningRate));
    },
    snapshot: () => cloneWeights(net.w),
  };
}
