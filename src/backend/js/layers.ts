/**
 * Reference kernels for regularization, dropout, mini-batch gathering and
 * batch normalization.
 */
import { xoshiroNext } from '../../random/rng.js';
import type { Tensor } from '../../tensor/tensor.js';

/** sum |X|. */
export function sumAbs(x: Tensor): number {
  const X = x.data;
  let s = 0;
  for (let i = 0; i < X.length; i++) s += Math.abs(X[i]!);
  return s;
}

/** Y += alpha sign(X). */
export function addSign(alpha: number, x: Tensor, y: Tensor): void {
  const X = x.data;
  const Y = y.data;
  for (let i = 0; i < Y.length; i++) {
    const v = X[i]!;
    if (v > 0) Y[i] = Y[i]! + alpha;
    else if (v < 0) Y[i] = Y[i]! - alpha;
  }
}

/** OUT = X * Y. */
export function mul(x: Tensor, y: Tensor, out: Tensor): void {
  const X = x.data;
  const Y = y.data;
  const O = out.data;
  for (let i = 0; i < O.length; i++) O[i] = X[i]! * Y[i]!;
}

/** MASK from the generator state (1/keepProb with probability keepProb, else 0); OUT = X * MASK. */
export function dropout(state: Int32Array, x: Tensor, mask: Tensor, out: Tensor, keepProb: number): void {
  const X = x.data;
  const M = mask.data;
  const O = out.data;
  const scale = 1 / keepProb;
  for (let i = 0; i < M.length; i++) {
    M[i] = xoshiroNext(state) / 4294967296 < keepProb ? scale : 0;
    O[i] = X[i]! * M[i]!;
  }
}

/** DST[:, k] = SRC[:, indices[start + k]]. */
export function gatherColumns(src: Tensor, indices: Int32Array, start: number, count: number, dst: Tensor): void {
  const S = src.data;
  const D = dst.data;
  const rows = src.rows;
  const m = src.cols;
  for (let i = 0; i < rows; i++) {
    const so = i * m;
    const d0 = i * count;
    for (let k = 0; k < count; k++) D[d0 + k] = S[so + indices[start + k]!]!;
  }
}

/** DST[:, k] = SRC_T[indices[start + k], :]. */
export function gatherRows(srcT: Tensor, indices: Int32Array, start: number, count: number, dst: Tensor): void {
  const S = srcT.data;
  const D = dst.data;
  const n = srcT.cols;
  for (let k = 0; k < count; k++) {
    const so = indices[start + k]! * n;
    for (let i = 0; i < n; i++) D[i * count + k] = S[so + i]!;
  }
}

/** DST[k, ...] = SRC[indices[start + k], ...]. */
export function gatherExamples(src: Tensor, indices: Int32Array, start: number, count: number, dst: Tensor): void {
  const S = src.data;
  const D = dst.data;
  const n = D.length / count;
  for (let k = 0; k < count; k++) {
    const so = indices[start + k]! * n;
    for (let i = 0; i < n; i++) D[k * n + i] = S[so + i]!;
  }
}

/** See Kernels.batchNormForward. */
export function batchNormForward(
  z: Tensor,
  gamma: Tensor,
  beta: Tensor,
  out: Tensor,
  zhat: Tensor,
  mean: Tensor,
  invStd: Tensor,
  runningMean: Tensor,
  runningVar: Tensor,
  momentum: number,
  epsilon: number,
  training: boolean,
): void {
  const Z = z.data;
  const O = out.data;
  const H = zhat.data;
  const rows = z.rows;
  const m = z.cols;
  for (let i = 0; i < rows; i++) {
    const off = i * m;
    let mu: number;
    let inv: number;
    if (training) {
      let s = 0;
      for (let j = 0; j < m; j++) s += Z[off + j]!;
      mu = s / m;
      let v = 0;
      for (let j = 0; j < m; j++) v += (Z[off + j]! - mu) ** 2;
      v /= m;
      inv = 1 / Math.sqrt(v + epsilon);
      mean.data[i] = mu;
      invStd.data[i] = inv;
      runningMean.data[i] = momentum * runningMean.data[i]! + (1 - momentum) * mu;
      runningVar.data[i] = momentum * runningVar.data[i]! + (1 - momentum) * v;
    } else {
      mu = runningMean.data[i]!;
      inv = 1 / Math.sqrt(runningVar.data[i]! + epsilon);
    }
    const g = gamma.data[i]!;
    const b = beta.data[i]!;
    for (let j = 0; j < m; j++) {
      const h = (Z[off + j]! - mu) * inv;
      H[off + j] = h;
      O[off + j] = g * h + b;
    }
  }
}

/** See Kernels.batchNormBackward. */
export function batchNormBackward(dOut: Tensor, zhat: Tensor, gamma: Tensor, invStd: Tensor, dZ: Tensor, dGamma: Tensor, dBeta: Tensor): void {
  const G = dOut.data;
  const H = zhat.data;
  const D = dZ.data;
  const rows = zhat.rows;
  const m = zhat.cols;
  for (let i = 0; i < rows; i++) {
    const off = i * m;
    let sg = 0;
    let sgh = 0;
    for (let j = 0; j < m; j++) {
      sg += G[off + j]!;
      sgh += G[off + j]! * H[off + j]!;
    }
    dGamma.data[i] = sgh / m;
    dBeta.data[i] = sg / m;
    const g = gamma.data[i]!;
    const inv = invStd.data[i]!;
    const meanG = (g * sg) / m;
    const meanGH = (g * sgh) / m;
    for (let j = 0; j < m; j++) D[off + j] = inv * (g * G[off + j]! - meanG - H[off + j]! * meanGH);
  }
}
