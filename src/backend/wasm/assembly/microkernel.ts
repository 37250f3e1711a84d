// The GEMM register tile: a 2 x 16 block of C held in eight f32x4
// accumulators. Measured on Zen 5 under V8, eight accumulators is the most
// that stays in registers (ten or more spill and halve the speed), and 2 x 16
// beat 4 x 8 (fewer broadcasts per multiply).
//
// A is read in place through two strides, so one kernel serves A and A^T:
// row r of the tile at p is at a + r * lda + p * sa. B is read as rows of 16
// floats sb bytes apart: packed panels (sb = 64) or B itself when its rows
// are contiguous and packing would not pay.
//
// The loop sits alone in `accumulate`, apart from the alpha/beta epilogue,
// and the module is built without Binaryen's optimizer (build-wasm.ts).
// Together, V8 emits the loop in source order (four B loads, then one
// broadcast per row) and it runs at ~50 GFLOP/s on one Zen 5 core at
// 3.4 GHz, about 90% of the mul + add peak; with either change alone, ~40.

export const MR = 2;
export const NR = 16;

/** The two rows of raw sums (alpha = 1, beta = 0) at t and t + ldt. */
export function accumulate(kc: i32, a: usize, lda: usize, sa: usize, b: usize, sb: usize, t: usize, ldt: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load(b, 32), b3 = v128.load(b, 48);
    let x = v128.load32_splat(a);
    c00 = f32x4.add(c00, f32x4.mul(x, b0));
    c01 = f32x4.add(c01, f32x4.mul(x, b1));
    c02 = f32x4.add(c02, f32x4.mul(x, b2));
    c03 = f32x4.add(c03, f32x4.mul(x, b3));
    x = v128.load32_splat(a + lda);
    c10 = f32x4.add(c10, f32x4.mul(x, b0));
    c11 = f32x4.add(c11, f32x4.mul(x, b1));
    c12 = f32x4.add(c12, f32x4.mul(x, b2));
    c13 = f32x4.add(c13, f32x4.mul(x, b3));
    a += sa;
    b += sb;
  }
  v128.store(t, c00);
  v128.store(t, c01, 16);
  v128.store(t, c02, 32);
  v128.store(t, c03, 48);
  t += ldt;
  v128.store(t, c10);
  v128.store(t, c11, 16);
  v128.store(t, c12, 32);
  v128.store(t, c13, 48);
}

/** One row of 16: c = alpha * t + beta * c, or alpha * t when beta is 0 (C's old values, NaN included, are never read then). */
@inline function mergeRow(t: usize, c: usize, va: v128, vb: v128, beta: f32): void {
  if (beta == 0) {
    v128.store(c, f32x4.mul(v128.load(t), va));
    v128.store(c, f32x4.mul(v128.load(t, 16), va), 16);
    v128.store(c, f32x4.mul(v128.load(t, 32), va), 32);
    v128.store(c, f32x4.mul(v128.load(t, 48), va), 48);
    return;
  }
  v128.store(c, f32x4.add(f32x4.mul(v128.load(t), va), f32x4.mul(v128.load(c), vb)));
  v128.store(c, f32x4.add(f32x4.mul(v128.load(t, 16), va), f32x4.mul(v128.load(c, 16), vb)), 16);
  v128.store(c, f32x4.add(f32x4.mul(v128.load(t, 32), va), f32x4.mul(v128.load(c, 32), vb)), 32);
  v128.store(c, f32x4.add(f32x4.mul(v128.load(t, 48), va), f32x4.mul(v128.load(c, 48), vb)), 48);
}

/**
 * C(2 x 16) = alpha * acc + beta * C, or alpha * acc when beta is 0. With
 * alpha 1 and beta 0 the sums go straight into C; otherwise through `tile`
 * (2 x 16 floats of scratch). The edge path rebuilds exactly this
 * arithmetic so every element rounds the same however C is tiled.
 */
export function kernel2x16(kc: i32, a: usize, lda: usize, sa: usize, b: usize, sb: usize, c: usize, ldc: usize, alpha: f32, beta: f32, tile: usize): void {
  if (alpha == 1 && beta == 0) {
    accumulate(kc, a, lda, sa, b, sb, c, ldc);
    return;
  }
  accumulate(kc, a, lda, sa, b, sb, tile, NR << 2);
  const va = f32x4.splat(alpha);
  const vb = f32x4.splat(beta);
  mergeRow(tile, c, va, vb, beta);
  mergeRow(tile + (NR << 2), c + ldc, va, vb, beta);
}

/**
 * A partial tile (h < 2 rows or w < 16 columns). The sums go to the scratch
 * tile; a missing second row reads row 0 again (lda = 0) rather than past
 * the matrix. Then only the h x w valid values are merged, with the same
 * `alpha * t + beta * c` the full kernel computes.
 */
export function edgeTile(kc: i32, a: usize, lda: usize, sa: usize, b: usize, sb: usize, c: usize, ldc: usize, alpha: f32, beta: f32, h: i32, w: i32, tile: usize): void {
  accumulate(kc, a, h == MR ? lda : 0, sa, b, sb, tile, NR << 2);
  for (let r = 0; r < h; r++) {
    const cr = c + <usize>r * ldc;
    const tr = tile + (<usize>(r * NR) << 2);
    for (let j = 0; j < w; j++) {
      const t = alpha * load<f32>(tr + (<usize>j << 2));
      const cp = cr + (<usize>j << 2);
      store<f32>(cp, beta == 0 ? t : t + beta * load<f32>(cp));
    }
  }
}
