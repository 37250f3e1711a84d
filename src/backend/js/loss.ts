import type { Tensor } from '../../tensor/tensor.js';
import type { LossKind } from '../backend.js';

/** log(1 + e^x) without overflow for large x or loss of precision for small. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/**
 * Sum over the batch of the per-example loss. Cross-entropies are computed from
 * the logits: -[y log s(z) + (1-y) log(1-s(z))] = softplus(z) - y z, and
 * -sum_i y_i log softmax(z)_i = logsumexp(z) - sum_i y_i z_i, which stay finite
 * however saturated the output is.
 */
export function lossSum(loss: LossKind, z: Tensor, a: Tensor, y: Tensor): number {
  const Z = z.data;
  const A = a.data;
  const Y = y.data;
  let total = 0;
  switch (loss) {
    case 'binaryCrossEntropy':
      for (let i = 0; i < Z.length; i++) total += softplus(Z[i] as number) - (Y[i] as number) * (Z[i] as number);
      return total;
    case 'meanSquaredError': {
      for (let i = 0; i < A.length; i++) {
        const d = (A[i] as number) - (Y[i] as number);
        total += d * d;
      }
      return total / a.rows;
    }
    case 'categoricalCrossEntropy': {
      const rows = z.rows;
      const cols = z.cols;
      for (let j = 0; j < cols; j++) {
        let max = -Infinity;
        for (let i = 0; i < rows; i++) max = Math.max(max, Z[i * cols + j] as number);
        let sum = 0;
        let yz = 0;
        for (let i = 0; i < rows; i++) {
          const v = Z[i * cols + j] as number;
          sum += Math.exp(v - max);
          yz += (Y[i * cols + j] as number) * v;
        }
        total += max + Math.log(sum) - yz;
      }
      return total;
    }
  }
}

/** dZ = A - Y. */
export function outputDelta(a: Tensor, y: Tensor, dZ: Tensor): void {
  const A = a.data;
  const Y = y.data;
  const D = dZ.data;
  for (let i = 0; i < A.length; i++) D[i] = (A[i] as number) - (Y[i] as number);
}

/**
 * dL/dA for each example. Cross-entropy gradients divide by A or 1-A, so
 * those are clamped away from 0 by the same epsilon the cost uses.
 */
export function lossGradient(loss: LossKind, a: Tensor, y: Tensor, dA: Tensor): void {
  const A = a.data;
  const Y = y.data;
  const D = dA.data;
  const eps = a.dtype === 'float64' ? 1e-15 : 1e-7;
  switch (loss) {
    case 'binaryCrossEntropy':
      for (let i = 0; i < A.length; i++) {
        const p = Math.min(Math.max(A[i] as number, eps), 1 - eps);
        const t = Y[i] as number;
        D[i] = -(t / p - (1 - t) / (1 - p));
      }
      return;
    case 'meanSquaredError': {
      const s = 2 / a.rows;
      for (let i = 0; i < A.length; i++) D[i] = s * ((A[i] as number) - (Y[i] as number));
      return;
    }
    case 'categoricalCrossEntropy':
      for (let i = 0; i < A.length; i++) D[i] = -(Y[i] as number) / Math.max(A[i] as number, eps);
      return;
  }
}
