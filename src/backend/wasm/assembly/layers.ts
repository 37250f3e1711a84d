// Kernels for regularization, dropout, mini-batch gathering and batch
// normalization. Where the reference computes in double and rounds once,
// these do too (f64x2), so results match it to the last float32 bit or
// within a rounding of a double-precision sum.
import { hsum64, load2, load4, promoteHigh, store2, store4, transpose4x4, width, width2 } from './lanes';
import { sum64 } from './elementwise';

/** sum |X| in f64. */
export function sumAbs(x: usize, n: i32): f64 {
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const v = f32x4.abs(v128.load(x + (<usize>j << 2)));
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
    hi = f64x2.add(hi, promoteHigh(v));
  }
  let s = hsum64(f64x2.add(lo, hi));
  for (; j < n; j++) s += Math.abs(<f64>load<f32>(x + (<usize>j << 2)));
  return s;
}

/** Y += alpha sign(X); Y is left exactly as it was where X is 0 or NaN. */
export function addSign(alpha: f64, x: usize, y: usize, n: i32): void {
  const va = f64x2.splat(alpha);
  const zero = f64x2.splat(0);
  for (let j = 0; j < n; j += width2(j, n)) {
    const full = j + 2 <= n;
    const p = <usize>j << 2;
    const xv = load2(x + p, full);
    const yv = load2(y + p, full);
    const moved = v128.bitselect(f64x2.add(yv, va), f64x2.sub(yv, va), f64x2.gt(xv, zero));
    store2(y + p, v128.bitselect(moved, yv, v128.or(f64x2.gt(xv, zero), f64x2.lt(xv, zero))), full);
  }
}

/** OUT = X * Y (a float32 product rounds like the reference's double one). */
export function mul(x: usize, y: usize, out: usize, n: i32): void {
  for (let j = 0; j < n; j += width(j, n)) {
    const full = j + 4 <= n;
    const p = <usize>j << 2;
    store4(out + p, f32x4.mul(load4(x + p, full), load4(y + p, full)), full);
  }
}

/** DST[i, k] = SRC[i, idx[k]] for k < count; SRC has m columns, idx holds i32 column numbers. */
export function gatherColumns(src: usize, idx: usize, rows: i32, m: i32, count: i32, dst: usize): void {
  for (let i = 0; i < rows; i++) {
    const s = src + (<usize>i * <usize>m << 2);
    const d = dst + (<usize>i * <usize>count << 2);
    for (let k = 0; k < count; k++) {
      store<f32>(d + (<usize>k << 2), load<f32>(s + (<usize>load<i32>(idx + (<usize>k << 2)) << 2)));
    }
  }
}

/**
 * DST[i, k] = SRC_T[idx[k], i] for k < count: examples stored one per row (n
 * floats), gathered into columns. Four examples at a time, four features of
 * each are loaded as vectors and transposed in registers, so every store
 * writes four adjacent columns.
 */
export function gatherRows(srcT: usize, idx: usize, n: i32, count: i32, dst: usize): void {
  const stride = <usize>count << 2;
  const n4 = n & ~3;
  let k = 0;
  for (; k + 4 <= count; k += 4) {
    const s0 = row(srcT, idx, k, n);
    const s1 = row(srcT, idx, k + 1, n);
    const s2 = row(srcT, idx, k + 2, n);
    const s3 = row(srcT, idx, k + 3, n);
    let d = dst + (<usize>k << 2);
    for (let i = 0; i < n4; i += 4) {
      transpose4x4(s0, s1, s2, s3, <usize>i << 2, d, stride);
      d += stride << 2;
    }
    for (let i = n4; i < n; i++) {
      const off = <usize>i << 2;
      store<f32>(d, load<f32>(s0 + off));
      store<f32>(d, load<f32>(s1 + off), 4);
      store<f32>(d, load<f32>(s2 + off), 8);
      store<f32>(d, load<f32>(s3 + off), 12);
      d += stride;
    }
  }
  for (; k < count; k++) {
    const s = row(srcT, idx, k, n);
    const d = dst + (<usize>k << 2);
    for (let i = 0; i < n; i++) store<f32>(d + <usize>i * stride, load<f32>(s + (<usize>i << 2)));
  }
}

/** DST row k (n floats) = SRC row idx[k], for k < count: whole examples, row to row. */
export function gatherExamples(src: usize, idx: usize, n: i32, count: i32, dst: usize): void {
  const bytes = <usize>n << 2;
  for (let k = 0; k < count; k++) memory.copy(dst + <usize>k * bytes, row(src, idx, k, n), bytes);
}

/** Address of the source row of the k-th gathered example. */
@inline function row(srcT: usize, idx: usize, k: i32, n: i32): usize {
  return srcT + ((<usize>load<i32>(idx + (<usize>k << 2)) * <usize>n) << 2);
}

/** sum over n floats of (x - mu)^2 in f64. */
function squaredDeviations(x: usize, n: i32, mu: f64): f64 {
  const vm = f64x2.splat(mu);
  let acc = f64x2.splat(0);
  let j = 0;
  for (; j + 2 <= n; j += 2) {
    const d = f64x2.sub(load2(x + (<usize>j << 2), true), vm);
    acc = f64x2.add(acc, f64x2.mul(d, d));
  }
  let s = hsum64(acc);
  for (; j < n; j++) {
    const d = <f64>load<f32>(x + (<usize>j << 2)) - mu;
    s += d * d;
  }
  return s;
}

/** sum over n of x * y in f64. */
function dot64(x: usize, y: usize, n: i32): f64 {
  let acc = f64x2.splat(0);
  let j = 0;
  for (; j + 2 <= n; j += 2) acc = f64x2.add(acc, f64x2.mul(load2(x + (<usize>j << 2), true), load2(y + (<usize>j << 2), true)));
  let s = hsum64(acc);
  for (; j < n; j++) s += <f64>load<f32>(x + (<usize>j << 2)) * <f64>load<f32>(y + (<usize>j << 2));
  return s;
}

@inline function f(p: usize, i: i32): f64 {
  return <f64>load<f32>(p + (<usize>i << 2));
}

@inline function set(p: usize, i: i32, v: f64): void {
  store<f32>(p + (<usize>i << 2), <f32>v);
}

/** Batch normalization forward over the m columns of each row; see Kernels.batchNormForward. */
export function batchNormForward(
  z: usize, gamma: usize, beta: usize, out: usize, zhat: usize, mean: usize, invStd: usize, runningMean: usize, runningVar: usize,
  rows: i32, m: i32, momentum: f64, oneMinusMomentum: f64, eps: f64, training: i32,
): void {
  for (let i = 0; i < rows; i++) {
    const off = <usize>i * <usize>m << 2;
    let mu: f64;
    let inv: f64;
    if (training) {
      mu = sum64(z + off, m) / <f64>m;
      const variance = squaredDeviations(z + off, m, mu) / <f64>m;
      inv = 1 / Math.sqrt(variance + eps);
      set(mean, i, mu);
      set(invStd, i, inv);
      set(runningMean, i, momentum * f(runningMean, i) + oneMinusMomentum * mu);
      set(runningVar, i, momentum * f(runningVar, i) + oneMinusMomentum * variance);
    } else {
      mu = f(runningMean, i);
      inv = 1 / Math.sqrt(f(runningVar, i) + eps);
    }
    const vm = f64x2.splat(mu);
    const vi = f64x2.splat(inv);
    const vg = f64x2.splat(f(gamma, i));
    const vb = f64x2.splat(f(beta, i));
    for (let j = 0; j < m; j += width2(j, m)) {
      const full = j + 2 <= m;
      const p = off + (<usize>j << 2);
      const h = f64x2.mul(f64x2.sub(load2(z + p, full), vm), vi);
      store2(zhat + p, h, full);
      store2(out + p, f64x2.add(f64x2.mul(vg, h), vb), full);
    }
  }
}

/** Batch normalization backward; see Kernels.batchNormBackward. dZ may be dOut. */
export function batchNormBackward(dOut: usize, zhat: usize, gamma: usize, invStd: usize, dZ: usize, dGamma: usize, dBeta: usize, rows: i32, m: i32): void {
  const count = <f64>m;
  for (let i = 0; i < rows; i++) {
    const off = <usize>i * <usize>m << 2;
    const sg = sum64(dOut + off, m);
    const sgh = dot64(dOut + off, zhat + off, m);
    set(dGamma, i, sgh / count);
    set(dBeta, i, sg / count);
    const g = f(gamma, i);
    const vg = f64x2.splat(g);
    const vi = f64x2.splat(f(invStd, i));
    const meanG = f64x2.splat((g * sg) / count);
    const meanGH = f64x2.splat((g * sgh) / count);
    for (let j = 0; j < m; j += width2(j, m)) {
      const full = j + 2 <= m;
      const p = off + (<usize>j << 2);
      const t = f64x2.sub(f64x2.sub(f64x2.mul(vg, load2(dOut + p, full)), meanG), f64x2.mul(load2(zhat + p, full), meanGH));
      store2(dZ + p, f64x2.mul(vi, t), full);
    }
  }
}

/**
 * Inverted dropout: MASK[i] = scale where the next xoshiro128** draw r
 * (the state's four words at `state`, advanced n times and stored back)
 * satisfies r / 2^32 < keepProb, i.e. r < threshold = keepProb * 2^32
 * (exact in f64), else 0; OUT = X * MASK. The same step as xoshiroNext in
 * src/random/rng.ts, so masks match the reference backend bit for bit.
 */
export function dropout(state: usize, x: usize, mask: usize, out: usize, n: i32, threshold: f64, scale: f32): void {
  let s0 = load<i32>(state);
  let s1 = load<i32>(state, 4);
  let s2 = load<i32>(state, 8);
  let s3 = load<i32>(state, 12);
  for (let i = 0; i < n; i++) {
    const r = <u32>(rotl<i32>(s1 * 5, 7) * 9);
    s2 ^= s0;
    s3 ^= s1;
    const t = s1 << 9;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl<i32>(s3, 11);
    // Bit masking, not a branch (V8 compiles select and ?: on floats to one):
    // keep or drop is random, and the mispredictions cost twice the rest.
    const keep = <i32>(<f64>r < threshold);
    const m = reinterpret<f32>(reinterpret<i32>(scale) & -keep);
    const p = <usize>i << 2;
    store<f32>(mask + p, m);
    store<f32>(out + p, load<f32>(x + p) * m);
  }
  store<i32>(state, s0);
  store<i32>(state, s1, 4);
  store<i32>(state, s2, 8);
  store<i32>(state, s3, 12);
}
