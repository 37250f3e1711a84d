// Loads and stores for loops that handle a row's tail (fewer than four
// elements left) with the same vector code as the body: a tail element is
// splatted into all lanes and lane 0 is stored back. Keeping one code path
// means the tail is computed exactly like the body.

/** How far a tail-aware loop at j of n advances: 4 in the body, 1 in the tail. */
@inline export function width(j: i32, n: i32): i32 {
  return j + 4 <= n ? 4 : 1;
}

/** Four floats at p, or the float at p in every lane when `full` is false. */
@inline export function load4(p: usize, full: bool): v128 {
  return full ? v128.load(p) : v128.load32_splat(p);
}

/** Stores four lanes at p, or only lane 0 when `full` is false. */
@inline export function store4(p: usize, v: v128, full: bool): void {
  if (full) v128.store(p, v);
  else store<f32>(p, f32x4.extract_lane(v, 0));
}

/** Sum of the four lanes, in a fixed order. */
@inline export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Sum of the two lanes of an f64x2. */
@inline export function hsum64(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** The high two floats of v, widened to f64x2. */
@inline export function promoteHigh(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}

/** How far an f64x2 loop at j of n advances: 2 in the body, 1 for a last odd element. */
@inline export function width2(j: i32, n: i32): i32 {
  return j + 2 <= n ? 2 : 1;
}

/** Two floats at p widened to f64x2, or one (in lane 0) when `full` is false. */
@inline export function load2(p: usize, full: bool): v128 {
  return f64x2.promote_low_f32x4(full ? v128.load64_zero(p) : v128.load32_zero(p));
}

/** Rounds an f64x2 to float32 and stores two floats at p, or only lane 0 when `full` is false. */
@inline export function store2(p: usize, v: v128, full: bool): void {
  const f = f32x4.demote_f64x2_zero(v);
  if (full) v128.store64_lane(p, f, 0);
  else v128.store32_lane(p, f, 0);
}

/**
 * A 4 x 4 block transposed in registers: four floats at offset `off` of
 * each of rows r0..r3 become four vectors, the q-th holding float q of each
 * row, stored at dst + q * stride.
 */
@inline export function transpose4x4(r0: usize, r1: usize, r2: usize, r3: usize, off: usize, dst: usize, stride: usize): void {
  const x0 = v128.load(r0 + off), x1 = v128.load(r1 + off), x2 = v128.load(r2 + off), x3 = v128.load(r3 + off);
  const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(dst + stride, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}
