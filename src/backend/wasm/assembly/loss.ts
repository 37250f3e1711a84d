// Losses and their gradients. These run once per step on the output layer
// only (classes x batch values), so they favour accuracy over speed: the
// cost is summed in f64 with the same formulas as the reference backend,
// and gradients are computed in f64x2 and rounded once to float32.
import { hsum64, promoteHigh } from './lanes';

export const BINARY_CROSS_ENTROPY = 0;
export const MEAN_SQUARED_ERROR = 1;
export const CATEGORICAL_CROSS_ENTROPY = 2;

/** log(1 + e^x) without overflow for large x or lost digits for small. */
@inline function softplus(x: f64): f64 {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

@inline function f(p: usize, i: i32): f64 {
  return <f64>load<f32>(p + (<usize>i << 2));
}

function binaryCrossEntropySum(z: usize, y: usize, n: i32): f64 {
  let total: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = f(z, i);
    total += softplus(v) - f(y, i) * v;
  }
  return total;
}

function squaredErrorSum(a: usize, y: usize, n: i32): f64 {
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    const av = v128.load(a + p);
    const yv = v128.load(y + p);
    const dl = f64x2.sub(f64x2.promote_low_f32x4(av), f64x2.promote_low_f32x4(yv));
    const dh = f64x2.sub(promoteHigh(av), promoteHigh(yv));
    lo = f64x2.add(lo, f64x2.mul(dl, dl));
    hi = f64x2.add(hi, f64x2.mul(dh, dh));
  }
  let total = hsum64(f64x2.add(lo, hi));
  for (; i < n; i++) {
    const d = f(a, i) - f(y, i);
    total += d * d;
  }
  return total;
}

/** sum over columns of logsumexp(z) - sum_i y_i z_i. */
function categoricalCrossEntropySum(z: usize, y: usize, rows: i32, cols: i32): f64 {
  let total: f64 = 0;
  for (let j = 0; j < cols; j++) {
    let max = -Infinity;
    for (let i = 0; i < rows; i++) max = Math.max(max, f(z, i * cols + j));
    let sum: f64 = 0;
    let yz: f64 = 0;
    for (let i = 0; i < rows; i++) {
      const v = f(z, i * cols + j);
      sum += Math.exp(v - max);
      yz += f(y, i * cols + j) * v;
    }
    total += max + Math.log(sum) - yz;
  }
  return total;
}

/** The summed loss over all examples (the cost times m). */
export function lossSum(kind: i32, z: usize, a: usize, y: usize, rows: i32, cols: i32): f64 {
  switch (kind) {
    case BINARY_CROSS_ENTROPY: return binaryCrossEntropySum(z, y, rows * cols);
    case MEAN_SQUARED_ERROR: return squaredErrorSum(a, y, rows * cols) / <f64>rows;
    default: return categoricalCrossEntropySum(z, y, rows, cols);
  }
}

/** dL/dA on two values (f64x2) at a time; eps keeps divisions away from 0. */
@inline function gradient(kind: i32, a: v128, y: v128, scale: v128, eps: v128): v128 {
  const one = f64x2.splat(1);
  switch (kind) {
    case BINARY_CROSS_ENTROPY: {
      const p = f64x2.min(f64x2.max(a, eps), f64x2.sub(one, eps));
      return f64x2.neg(f64x2.sub(f64x2.div(y, p), f64x2.div(f64x2.sub(one, y), f64x2.sub(one, p))));
    }
    case MEAN_SQUARED_ERROR: return f64x2.mul(scale, f64x2.sub(a, y));
    default: return f64x2.div(f64x2.neg(y), f64x2.max(a, eps));
  }
}

/** dA = dL/dA per example (not divided by m). */
export function lossGradient(kind: i32, a: usize, y: usize, dA: usize, rows: i32, cols: i32, eps: f64): void {
  const n = rows * cols;
  const scale = f64x2.splat(2 / <f64>rows);
  const e = f64x2.splat(eps);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const p = <usize>i << 2;
    const g = gradient(kind, f64x2.promote_low_f32x4(v128.load64_zero(a + p)), f64x2.promote_low_f32x4(v128.load64_zero(y + p)), scale, e);
    v128.store64_lane(dA + p, f32x4.demote_f64x2_zero(g), 0);
  }
  if (i < n) {
    const p = <usize>i << 2;
    const g = gradient(kind, f64x2.promote_low_f32x4(v128.load32_zero(a + p)), f64x2.promote_low_f32x4(v128.load32_zero(y + p)), scale, e);
    v128.store32_lane(dA + p, f32x4.demote_f64x2_zero(g), 0);
  }
}
