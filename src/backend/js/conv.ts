/**
 * Reference kernels for convolutional networks: im2col / col2im, pooling,
 * zero padding and per-channel bias, sums and batch normalization. Images are
 * (m, h, w, c) row-major (channels last); a (p, c) matrix view has one row per
 * pixel. The loops follow the formulas of the Kernels doc comments directly,
 * accumulate in double precision and round once, so they are the oracle the
 * wasm kernels are tested against.
 */
import type { FloatArray, Tensor } from '../../tensor/tensor.js';
import type { Activation, Kernels, WindowGeometry } from '../backend.js';
import { activationKernels } from './activations.js';

/**
 * Walks every (row, window position) pair of the im2col matrix: COLS = im2col(X), or with
 * `adjoint` X += col2im(COLS) (X zeroed by the caller). Padding positions are zeros in COLS
 * and dropped by the adjoint.
 */
function windowCopies(X: FloatArray, C: FloatArray, g: WindowGeometry, adjoint: boolean): void {
  const { m, h, w, c, f, stride, pad, outH, outW } = g;
  let co = 0;
  for (let n = 0; n < m; n++) {
    for (let oi = 0; oi < outH; oi++) {
      for (let oj = 0; oj < outW; oj++) {
        for (let di = 0; di < f; di++) {
          const ii = oi * stride + di - pad;
          for (let dj = 0; dj < f; dj++, co += c) {
            const jj = oj * stride + dj - pad;
            if (ii < 0 || ii >= h || jj < 0 || jj >= w) {
              if (!adjoint) C.fill(0, co, co + c);
              continue;
            }
            const xo = ((n * h + ii) * w + jj) * c;
            if (adjoint) for (let k = 0; k < c; k++) X[xo + k] = X[xo + k]! + C[co + k]!;
            else for (let k = 0; k < c; k++) C[co + k] = X[xo + k]!;
          }
        }
      }
    }
  }
}

/** See Kernels.im2col. */
export function im2col(x: Tensor, cols: Tensor, g: WindowGeometry): void {
  windowCopies(x.data, cols.data, g, false);
}

/** See Kernels.col2im. */
export function col2im(cols: Tensor, dx: Tensor, g: WindowGeometry): void {
  dx.data.fill(0);
  windowCopies(dx.data, cols.data, g, true);
}

/**
 * The index in X of channel 0 of window element (di, dj) of output pixel (e, oi, oj), or -1 where
 * it falls in the padding.
 */
function windowPixel(g: WindowGeometry, e: number, oi: number, oj: number, di: number, dj: number): number {
  const ii = oi * g.stride + di - g.pad;
  const jj = oj * g.stride + dj - g.pad;
  if (ii < 0 || ii >= g.h || jj < 0 || jj >= g.w) return -1;
  return ((e * g.h + ii) * g.w + jj) * g.c;
}

/** Double-precision sums of the reference convolutions, kept from call to call (grown, never shrunk). */
let sums = new Float64Array(0);

/** `sums` with at least n entries, the first n zero. */
function zeroedSums(n: number): Float64Array {
  if (sums.length < n) sums = new Float64Array(n);
  sums.fill(0, 0, n);
  return sums;
}

/** See Kernels.convForward: each sum over the window in double precision, rounded once. */
export function convForward(x: Tensor, w: Tensor, b: Tensor | null, z: Tensor, a: Tensor | null, act: Activation, g: WindowGeometry): void {
  const X = x.data;
  const W = w.data;
  const Z = z.data;
  const { f, c } = g;
  const n = W.length / (f * f * c);
  let zo = 0;
  for (let e = 0; e < g.m; e++) {
    for (let oi = 0; oi < g.outH; oi++) {
      for (let oj = 0; oj < g.outW; oj++, zo += n) {
        const s = zeroedSums(n);
        for (let di = 0; di < f; di++) {
          for (let dj = 0; dj < f; dj++) {
            const xo = windowPixel(g, e, oi, oj, di, dj);
            if (xo < 0) continue;
            for (let ch = 0, wo = (di * f + dj) * c * n; ch < c; ch++, wo += n) {
              const v = X[xo + ch]!;
              // As the reference matmul: a zero input adds nothing (ReLU outputs are often zero).
              if (v === 0) continue;
              for (let o = 0; o < n; o++) s[o] = s[o]! + v * W[wo + o]!;
            }
          }
        }
        for (let o = 0; o < n; o++) Z[zo + o] = s[o]!;
      }
    }
  }
  if (b) {
    const B = b.data;
    for (let i = 0; i < Z.length; i += n) for (let o = 0; o < n; o++) Z[i + o] = Z[i + o]! + B[o]!;
  }
  if (a) activationKernels[act.kind].forward(Z, a.data, Z.length / n, n, act);
}

/** See Kernels.convFilterGradient: each sum over the batch's pixels in double precision, rounded once. */
export function convFilterGradient(x: Tensor, dz: Tensor, dw: Tensor, scale: number, g: WindowGeometry): void {
  const X = x.data;
  const D = dz.data;
  const DW = dw.data;
  const { f, c } = g;
  const n = DW.length / (f * f * c);
  const s = zeroedSums(DW.length);
  let zo = 0;
  for (let e = 0; e < g.m; e++) {
    for (let oi = 0; oi < g.outH; oi++) {
      for (let oj = 0; oj < g.outW; oj++, zo += n) {
        for (let di = 0; di < f; di++) {
          for (let dj = 0; dj < f; dj++) {
            const xo = windowPixel(g, e, oi, oj, di, dj);
            if (xo < 0) continue;
            for (let ch = 0, wo = (di * f + dj) * c * n; ch < c; ch++, wo += n) {
              const v = X[xo + ch]!;
              if (v === 0) continue;
              for (let o = 0; o < n; o++) s[wo + o] = s[wo + o]! + v * D[zo + o]!;
            }
          }
        }
      }
    }
  }
  for (let i = 0; i < DW.length; i++) DW[i] = scale * s[i]!;
}

/** See Kernels.convInputGradient: each element of dZ W^T in double precision, added pixel by pixel as col2im does. */
export function convInputGradient(dz: Tensor, w: Tensor, dx: Tensor, g: WindowGeometry): void {
  const D = dz.data;
  const W = w.data;
  const DX = dx.data;
  const { f, c } = g;
  const n = W.length / (f * f * c);
  DX.fill(0);
  let zo = 0;
  for (let e = 0; e < g.m; e++) {
    for (let oi = 0; oi < g.outH; oi++) {
      for (let oj = 0; oj < g.outW; oj++, zo += n) {
        for (let di = 0; di < f; di++) {
          for (let dj = 0; dj < f; dj++) {
            const xo = windowPixel(g, e, oi, oj, di, dj);
            if (xo < 0) continue;
            for (let ch = 0; ch < c; ch++) {
              const wo = ((di * f + dj) * c + ch) * n;
              let s = 0;
              for (let o = 0; o < n; o++) s += D[zo + o]! * W[wo + o]!;
              DX[xo + ch] = DX[xo + ch]! + s;
            }
          }
        }
      }
    }
  }
}

/** Z += b broadcast over the rows of the (p, c) view, then A = g(Z). */
export function channelBiasActivation(z: Tensor, b: Tensor, a: Tensor, act: Activation): void {
  const Z = z.data;
  const B = b.data;
  const c = B.length;
  const rows = Z.length / c;
  for (let i = 0; i < Z.length; i += c) {
    for (let j = 0; j < c; j++) Z[i + j] = Z[i + j]! + B[j]!;
  }
  activationKernels[act.kind].forward(Z, a.data, rows, c, act);
}

/** out[j] = scale * sum_i X[i, j], with out (1, cols). */
export function colSum(x: Tensor, out: Tensor, scale: number): void {
  const X = x.data;
  const O = out.data;
  const cols = O.length;
  for (let j = 0; j < cols; j++) {
    let s = 0;
    for (let i = j; i < X.length; i += cols) s += X[i]!;
    O[j] = scale * s;
  }
}

/** OUT = X^T, X read as (x.rows, size / x.rows). */
export function transpose(x: Tensor, out: Tensor): void {
  const X = x.data;
  const O = out.data;
  const rows = x.rows;
  const cols = X.length / rows;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) O[j * rows + i] = X[i * cols + j]!;
  }
}

/** The index in X of window r's top-left corner, channel 0 (r counts the output pixels (n, oi, oj) in row-major order). */
function windowCorner(g: WindowGeometry, r: number): number {
  const perImage = g.outH * g.outW;
  const n = Math.floor(r / perImage);
  const oi = Math.floor((r - n * perImage) / g.outW);
  const oj = r - n * perImage - oi * g.outW;
  return ((n * g.h + oi * g.stride) * g.w + oj * g.stride) * g.c;
}

/** The index in X of the first maximum of the window at `corner` (row-major window order, di outer, dj inner). */
function argMax(X: FloatArray, g: WindowGeometry, corner: number): number {
  let best = corner;
  for (let di = 0; di < g.f; di++) {
    for (let dj = 0; dj < g.f; dj++) {
      const k = corner + (di * g.w + dj) * g.c;
      if (X[k]! > X[best]!) best = k;
    }
  }
  return best;
}

/** The sum of the window at `corner`. */
function windowSum(X: FloatArray, g: WindowGeometry, corner: number): number {
  let s = 0;
  for (let di = 0; di < g.f; di++) {
    for (let dj = 0; dj < g.f; dj++) s += X[corner + (di * g.w + dj) * g.c]!;
  }
  return s;
}

/** Adds v to every position of the window at `corner`. */
function windowAdd(D: FloatArray, g: WindowGeometry, corner: number, v: number): void {
  for (let di = 0; di < g.f; di++) {
    for (let dj = 0; dj < g.f; dj++) {
      const k = corner + (di * g.w + dj) * g.c;
      D[k] = D[k]! + v;
    }
  }
}

/** See Kernels.maxPoolForward. */
export function maxPoolForward(x: Tensor, out: Tensor, g: WindowGeometry): void {
  const X = x.data;
  const O = out.data;
  for (let r = 0, o = 0; o < O.length; r++) {
    const corner = windowCorner(g, r);
    for (let ch = 0; ch < g.c; ch++, o++) O[o] = X[argMax(X, g, corner + ch)]!;
  }
}

/** See Kernels.maxPoolBackward: each gradient goes to the first maximum of its window (with reluMask, only where it is > 0). */
export function maxPoolBackward(dOut: Tensor, x: Tensor, dx: Tensor, g: WindowGeometry, reluMask = false): void {
  const X = x.data;
  const G = dOut.data;
  const D = dx.data;
  D.fill(0);
  for (let r = 0, o = 0; o < G.length; r++) {
    const corner = windowCorner(g, r);
    for (let ch = 0; ch < g.c; ch++, o++) {
      const k = argMax(X, g, corner + ch);
      if (!reluMask || X[k]! > 0) D[k] = D[k]! + G[o]!;
    }
  }
}

/** See Kernels.avgPoolForward. */
export function avgPoolForward(x: Tensor, out: Tensor, g: WindowGeometry): void {
  const X = x.data;
  const O = out.data;
  const area = g.f * g.f;
  for (let r = 0, o = 0; o < O.length; r++) {
    const corner = windowCorner(g, r);
    for (let ch = 0; ch < g.c; ch++, o++) O[o] = windowSum(X, g, corner + ch) / area;
  }
}

/** See Kernels.avgPoolBackward. */
export function avgPoolBackward(dOut: Tensor, dx: Tensor, g: WindowGeometry): void {
  const G = dOut.data;
  const D = dx.data;
  const area = g.f * g.f;
  D.fill(0);
  for (let r = 0, o = 0; o < G.length; r++) {
    const corner = windowCorner(g, r);
    for (let ch = 0; ch < g.c; ch++, o++) windowAdd(D, g, corner + ch, G[o]! / area);
  }
}

/** See Kernels.zeroPad: OUT = X padded, or with `backward` OUT = the interior of X. */
export function zeroPad(x: Tensor, out: Tensor, m: number, h: number, w: number, c: number, pad: number, backward: boolean): void {
  const X = x.data;
  const O = out.data;
  const padW = w + 2 * pad;
  const run = w * c;
  if (!backward) O.fill(0);
  for (let n = 0; n < m; n++) {
    for (let i = 0; i < h; i++) {
      const small = (n * h + i) * run;
      const big = ((n * (h + 2 * pad) + i + pad) * padW + pad) * c;
      if (backward) for (let k = 0; k < run; k++) O[small + k] = X[big + k]!;
      else for (let k = 0; k < run; k++) O[big + k] = X[small + k]!;
    }
  }
}

/** The mean of column ch of the (p, c) view, over its p rows, in double precision. */
function columnMean(Z: FloatArray, c: number, ch: number): number {
  let s = 0;
  for (let i = ch; i < Z.length; i += c) s += Z[i]!;
  return s / (Z.length / c);
}

/** The (biased) variance of column ch of the (p, c) view around `mean`. */
function columnVariance(Z: FloatArray, c: number, ch: number, mean: number): number {
  let v = 0;
  for (let i = ch; i < Z.length; i += c) {
    const d = Z[i]! - mean;
    v += d * d;
  }
  return v / (Z.length / c);
}

/** See Kernels.channelBatchNormForward: Kernels.batchNormForward per column of the (p, c) view. */
export const channelBatchNormForward: Kernels['channelBatchNormForward'] = (
  z, gamma, beta, out, zhat, mean, invStd, runningMean, runningVar, momentum, epsilon, training,
) => {
  const Z = z.data;
  const O = out.data;
  const H = zhat.data;
  const c = gamma.size;
  for (let ch = 0; ch < c; ch++) {
    let mu: number;
    let inv: number;
    if (training) {
      mu = columnMean(Z, c, ch);
      const variance = columnVariance(Z, c, ch, mu);
      inv = 1 / Math.sqrt(variance + epsilon);
      mean.data[ch] = mu;
      invStd.data[ch] = inv;
      runningMean.data[ch] = momentum * runningMean.data[ch]! + (1 - momentum) * mu;
      runningVar.data[ch] = momentum * runningVar.data[ch]! + (1 - momentum) * variance;
    } else {
      mu = runningMean.data[ch]!;
      inv = 1 / Math.sqrt(runningVar.data[ch]! + epsilon);
    }
    const gc = gamma.data[ch]!;
    const bc = beta.data[ch]!;
    for (let i = ch; i < Z.length; i += c) {
      const hv = (Z[i]! - mu) * inv;
      H[i] = hv;
      O[i] = gc * hv + bc;
    }
  }
};

/** See Kernels.channelBatchNormBackward: means over the p rows, dGamma and dBeta divided by m. dZ may be dOut. */
export const channelBatchNormBackward: Kernels['channelBatchNormBackward'] = (dOut, zhat, gamma, invStd, dZ, dGamma, dBeta, m) => {
  const G = dOut.data;
  const H = zhat.data;
  const D = dZ.data;
  const c = gamma.size;
  const p = H.length / c;
  for (let ch = 0; ch < c; ch++) {
    let sg = 0;
    let sgh = 0;
    for (let i = ch; i < H.length; i += c) {
      sg += G[i]!;
      sgh += G[i]! * H[i]!;
    }
    dGamma.data[ch] = sgh / m;
    dBeta.data[ch] = sg / m;
    const gc = gamma.data[ch]!;
    const inv = invStd.data[ch]!;
    const meanG = (gc * sg) / p;
    const meanGH = (gc * sgh) / p;
    for (let i = ch; i < H.length; i += c) D[i] = inv * (gc * G[i]! - meanG - H[i]! * meanGH);
  }
};
