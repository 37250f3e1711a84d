// The GEMM register tile: a 2 x 16 block of C held in eight f32x4
// accumulators. Measured on Zen 5 under V8, eight accumulators is the most
// that stays in registers (ten or more spill and halve the speed), and 2 x 16
// beat 4 x 8 (fewer broadcasts per multiply).
//
// A is read in place through two strides, so one kernel serves A and A^T:
// row r of the tile at p is at a + r * lda + p * sa. B is read as rows of 16
// floats sb bytes apart: packed panels (sb = 64) or B itself when its rows
// are contiguous and packing would not pay.

export const MR = 2;
export const NR = 16;

/**
 * C(2 x 16) = alpha * acc + beta * C, or alpha * acc when beta is 0 (C's old
 * values, NaN included, are never read then). The edge path rebuilds exactly
 * this arithmetic so every element rounds the same however C is tiled.
 */
export function kernel2x16(kc: i32, a: usize, lda: usize, sa: usize, b: usize, sb: usize, c: usize, ldc: usize, alpha: f32, beta: f32): void {
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
  const va = f32x4.splat(alpha);
  if (beta == 0) {
    v128.store(c, f32x4.mul(c00, va));
    v128.store(c, f32x4.mul(c01, va), 16);
    v128.store(c, f32x4.mul(c02, va), 32);
    v128.store(c, f32x4.mul(c03, va), 48);
    c += ldc;
    v128.store(c, f32x4.mul(c10, va));
    v128.store(c, f32x4.mul(c11, va), 16);
    v128.store(c, f32x4.mul(c12, va), 32);
    v128.store(c, f32x4.mul(c13, va), 48);
    return;
  }
  const vb = f32x4.splat(beta);
  v128.store(c, f32x4.add(f32x4.mul(c00, va), f32x4.mul(v128.load(c), vb)));
  v128.store(c, f32x4.add(f32x4.mul(c01, va), f32x4.mul(v128.load(c, 16), vb)), 16);
  v128.store(c, f32x4.add(f32x4.mul(c02, va), f32x4.mul(v128.load(c, 32), vb)), 32);
  v128.store(c, f32x4.add(f32x4.mul(c03, va), f32x4.mul(v128.load(c, 48), vb)), 48);
  c += ldc;
  v128.store(c, f32x4.add(f32x4.mul(c10, va), f32x4.mul(v128.load(c), vb)));
  v128.store(c, f32x4.add(f32x4.mul(c11, va), f32x4.mul(v128.load(c, 16), vb)), 16);
  v128.store(c, f32x4.add(f32x4.mul(c12, va), f32x4.mul(v128.load(c, 32), vb)), 32);
  v128.store(c, f32x4.add(f32x4.mul(c13, va), f32x4.mul(v128.load(c, 48), vb)), 48);
}

/**
 * A partial tile (h < 2 rows or w < 16 columns). The kernel writes
 * alpha * acc into a scratch tile; a missing second row reads row 0 again
 * (lda = 0) rather than past the matrix. Then only the h x w valid values
 * are merged, with the same `t + beta * c` the full kernel computes.
 */
export function edgeTile(kc: i32, a: usize, lda: usize, sa: usize, b: usize, sb: usize, c: usize, ldc: usize, alpha: f32, beta: f32, h: i32, w: i32, tile: usize): void {
  kernel2x16(kc, a, h == MR ? lda : 0, sa, b, sb, tile, NR << 2, alpha, 0);
  for (let r = 0; r < h; r++) {
    const cr = c + <usize>r * ldc;
    const tr = tile + (<usize>(r * NR) << 2);
    for (let j = 0; j < w; j++) {
      const t = load<f32>(tr + (<usize>j << 2));
      const cp = cr + (<usize>j << 2);
      store<f32>(cp, beta == 0 ? t : t + beta * load<f32>(cp));
    }
  }
}
