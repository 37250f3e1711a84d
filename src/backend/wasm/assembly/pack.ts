// Packing B into panels of 16 columns: panel row p holds B(p0 + p, j0 .. j0+15)
// contiguously, so the micro-kernel streams one 64-byte line per step.
// Columns past the matrix edge are zero: they compute lanes that are dropped.
import { transpose4x4 } from './lanes';
import { NR } from './microkernel';

/** From row-major B (k x n, ldb = n floats): each panel row is a 64-byte copy. */
export function packRows(dst: usize, b: usize, ldb: i32, p0: i32, kc: i32, j0: i32, w: i32): void {
  let src = b + ((<usize>p0 * <usize>ldb + <usize>j0) << 2);
  const step = <usize>ldb << 2;
  if (w == NR) {
    for (let p = 0; p < kc; p++) {
      v128.store(dst, v128.load(src));
      v128.store(dst, v128.load(src, 16), 16);
      v128.store(dst, v128.load(src, 32), 32);
      v128.store(dst, v128.load(src, 48), 48);
      src += step;
      dst += NR << 2;
    }
    return;
  }
  for (let p = 0; p < kc; p++) {
    for (let j = 0; j < NR; j++) store<f32>(dst + (<usize>j << 2), j < w ? load<f32>(src + (<usize>j << 2)) : 0);
    src += step;
    dst += NR << 2;
  }
}

/**
 * From B stored transposed (n x k, ldb = k floats): column j of op(B) is a
 * contiguous row of the stored matrix, so four of them are loaded as vectors
 * and transposed in registers, 4 x 4 at a time.
 */
export function packColumns(dst: usize, b: usize, ldb: i32, p0: i32, kc: i32, j0: i32, w: i32): void {
  const rowBytes = <usize>ldb << 2;
  const kc4 = kc & ~3;
  for (let g = 0; g < NR; g += 4) {
    const out = dst + (<usize>g << 2);
    if (g + 4 > w) {
      packColumnsScalar(out, b, ldb, p0, kc, j0 + g, w - g);
      continue;
    }
    const r0 = b + ((<usize>(j0 + g) * <usize>ldb + <usize>p0) << 2);
    const r1 = r0 + rowBytes;
    const r2 = r1 + rowBytes;
    const r3 = r2 + rowBytes;
    for (let p = 0; p < kc4; p += 4) transpose4x4(r0, r1, r2, r3, <usize>p << 2, out + (<usize>(p * NR) << 2), NR << 2);
    for (let p = kc4; p < kc; p++) {
      const o = out + (<usize>(p * NR) << 2);
      const off = <usize>p << 2;
      store<f32>(o, load<f32>(r0 + off));
      store<f32>(o, load<f32>(r1 + off), 4);
      store<f32>(o, load<f32>(r2 + off), 8);
      store<f32>(o, load<f32>(r3 + off), 12);
    }
  }
}

/** Four panel columns of which only `w` (possibly <= 0) exist; the rest are zero. */
function packColumnsScalar(out: usize, b: usize, ldb: i32, p0: i32, kc: i32, j0: i32, w: i32): void {
  for (let p = 0; p < kc; p++) {
    const o = out + (<usize>(p * NR) << 2);
    for (let t = 0; t < 4; t++) {
      const v: f32 = t < w ? load<f32>(b + ((<usize>(j0 + t) * <usize>ldb + <usize>(p0 + p)) << 2)) : 0;
      store<f32>(o + (<usize>t << 2), v);
    }
  }
}

/**
 * Packs rows [i0, i0 + mc) of op(A) = A^T (A stored k x m, ldA = m floats),
 * steps [p0, p0 + kc), as row pairs: pair q holds (A(i, p), A(i + 1, p)) for
 * each p, contiguously (kc x 8 bytes). Read in place, op(A)'s column steps
 * are m floats apart: every step of a tile touches a new cache line (and for
 * m a multiple of 1024, the same L1 set); packed, a tile streams one line per
 * 8 steps. Four steps of four rows are loaded as vectors and regrouped by
 * 64-bit halves, so each pair's run is written contiguously.
 * A missing last row is zero (the edge path never reads it).
 */
export function packATransposed(dst: usize, a: usize, m: i32, p0: i32, kc: i32, i0: i32, mc: i32): void {
  const pairBytes = <usize>kc << 3;
  const pairs = (mc + 1) >> 1;
  const row = <usize>m << 2;
  const kc4 = kc & ~3;
  let q = 0;
  for (; 2 * q + 4 <= mc; q += 2) {
    let src = a + ((<usize>p0 * <usize>m + <usize>(i0 + 2 * q)) << 2);
    let o0 = dst + <usize>q * pairBytes;
    let o1 = o0 + pairBytes;
    for (let p = 0; p < kc4; p += 4) {
      const v0 = v128.load(src), v1 = v128.load(src + row), v2 = v128.load(src + 2 * row), v3 = v128.load(src + 3 * row);
      v128.store(o0, v128.shuffle<i64>(v0, v1, 0, 2));
      v128.store(o0, v128.shuffle<i64>(v2, v3, 0, 2), 16);
      v128.store(o1, v128.shuffle<i64>(v0, v1, 1, 3));
      v128.store(o1, v128.shuffle<i64>(v2, v3, 1, 3), 16);
      src += 4 * row; o0 += 32; o1 += 32;
    }
    for (let p = kc4; p < kc; p++) {
      const v = v128.load(src);
      v128.store64_lane(o0, v, 0);
      v128.store64_lane(o1, v, 1);
      src += row; o0 += 8; o1 += 8;
    }
  }
  for (; q < pairs; q++) {
    const i = 2 * q;
    for (let p = 0; p < kc; p++) {
      const src = a + ((<usize>(p0 + p) * <usize>m + <usize>(i0 + i)) << 2);
      const o = dst + <usize>q * pairBytes + (<usize>p << 3);
      store<f32>(o, load<f32>(src));
      store<f32>(o, i + 1 < mc ? load<f32>(src + 4) : 0, 4);
    }
  }
}
