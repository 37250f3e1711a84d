// Elementwise kernels and reductions. Reductions accumulate in f64 (two
// f64x2 lanes per half vector): they feed costs and gradients that the
// reference backend sums in double precision, and they are memory-bound, so
// the wider accumulator costs nothing measurable.
import { hsum64, load4, promoteHigh, store4, width } from './lanes';

/** Sum of n floats at p, in f64. */
@inline export function sum64(p: usize, n: i32): f64 {
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const v = v128.load(p + (<usize>j << 2));
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
    hi = f64x2.add(hi, promoteHigh(v));
  }
  let s = hsum64(f64x2.add(lo, hi));
  for (; j < n; j++) s += <f64>load<f32>(p + (<usize>j << 2));
  return s;
}

/** out[i] = scale * sum_j X[i, j]. */
export function rowSum(x: usize, out: usize, rows: i32, cols: i32, scale: f64): void {
  for (let i = 0; i < rows; i++) {
    const s = sum64(x + (<usize>i * <usize>cols << 2), cols);
    store<f32>(out + (<usize>i << 2), <f32>(scale * s));
  }
}

/** sum of squares of n floats, in f64 (a float32 square is exact in f64). */
export function sumSquares(x: usize, n: i32): f64 {
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const v = v128.load(x + (<usize>j << 2));
    const l = f64x2.promote_low_f32x4(v);
    const h = promoteHigh(v);
    lo = f64x2.add(lo, f64x2.mul(l, l));
    hi = f64x2.add(hi, f64x2.mul(h, h));
  }
  let s = hsum64(f64x2.add(lo, hi));
  for (; j < n; j++) {
    const v = <f64>load<f32>(x + (<usize>j << 2));
    s += v * v;
  }
  return s;
}

/** Y += alpha * X. */
export function axpy(alpha: f32, x: usize, y: usize, n: i32): void {
  const va = f32x4.splat(alpha);
  for (let j = 0; j < n; j += width(j, n)) {
    const full = j + 4 <= n;
    const p = <usize>j << 2;
    store4(y + p, f32x4.add(load4(y + p, full), f32x4.mul(va, load4(x + p, full))), full);
  }
}

/** D = A - Y. */
export function subtract(a: usize, y: usize, d: usize, n: i32): void {
  for (let j = 0; j < n; j += width(j, n)) {
    const full = j + 4 <= n;
    const p = <usize>j << 2;
    store4(d + p, f32x4.sub(load4(a + p, full), load4(y + p, full)), full);
  }
}

/** Y = X (memory.copy handles overlap and is a single native call). */
export function copy(x: usize, y: usize, n: i32): void {
  memory.copy(y, x, <usize>n << 2);
}

/** X = value everywhere. */
export function fill(x: usize, n: i32, value: f32): void {
  if (value == 0 && (1 / value) > 0) {
    memory.fill(x, 0, <usize>n << 2);
    return;
  }
  const v = f32x4.splat(value);
  for (let j = 0; j < n; j += width(j, n)) store4(x + (<usize>j << 2), v, j + 4 <= n);
}
