// Vector math for the activations: e^x, sigmoid and tanh on four float32 lanes.
// Float32 accuracy is the goal (a few ulp), matching what the reference
// backend's double-precision results round to.

const LOG2E: f32 = 1.44269504088896341;
// ln 2 split in two so that n * LN2_HI is exact for the n that occur here.
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
// Below this e^x is subnormal in float32; we return 0 there.
const EXP_MIN: f32 = -87.33654;
const TANH_SMALL: f32 = 0.625;

/** e^x for x <= 0 (Cephes expf: range reduction by ln 2, degree-5 polynomial). NaN stays NaN. */
@inline export function expNeg(x: v128): v128 {
  const lo = f32x4.splat(EXP_MIN);
  const under = f32x4.lt(x, lo);
  // pmax is one instruction; a NaN x passes through untouched.
  x = f32x4.pmax(x, lo);
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  // 2^n built directly in the exponent bits; n is in [-126, 0] after the clamp.
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return v128.andnot(f32x4.mul(y, scale), under);
}

/** 1 / (1 + e^-x), from e^-|x| so nothing overflows. */
@inline export function sigmoidV(x: v128): v128 {
  const e = expNeg(f32x4.neg(f32x4.abs(x)));
  const nonNeg = f32x4.ge(x, f32x4.splat(0));
  // x >= 0: 1 / (1 + e); x < 0: e / (1 + e). One division either way.
  const num = v128.bitselect(f32x4.splat(1), e, nonNeg);
  return f32x4.div(num, f32x4.add(f32x4.splat(1), e));
}

/**
 * tanh. (1 - e) / (1 + e) with e = e^-2|x| loses relative precision near 0,
 * so small |x| uses an odd polynomial (fitted for relative error < 1e-7).
 */
@inline export function tanhV(x: v128): v128 {
  const ax = f32x4.abs(x);
  const e = expNeg(f32x4.mul(ax, f32x4.splat(-2)));
  const one = f32x4.splat(1);
  const big = f32x4.div(f32x4.sub(one, e), f32x4.add(one, e));
  // copysign(big, x)
  const signBit = v128.and(x, i32x4.splat(0x80000000));
  const large = v128.or(big, signBit);
  const u = f32x4.mul(x, x);
  let p = f32x4.splat(-0.00571896788);
  p = f32x4.add(f32x4.mul(p, u), f32x4.splat(0.0206531305));
  p = f32x4.add(f32x4.mul(p, u), f32x4.splat(-0.0537446588));
  p = f32x4.add(f32x4.mul(p, u), f32x4.splat(0.133315131));
  p = f32x4.add(f32x4.mul(p, u), f32x4.splat(-0.333332866));
  const small = f32x4.add(x, f32x4.mul(f32x4.mul(x, u), p));
  return v128.bitselect(small, large, f32x4.lt(ax, f32x4.splat(TANH_SMALL)));
}
