// GEMM as dot products, for C = A B^T with few columns (n <= 8): the
// backprop shape dW = dZ A^T of small layers, where k (the batch) is long
// and m, n are tiny. Both operands are contiguous along k there, so each
// C element is a SIMD dot product; packing into 16-wide panels would mostly
// multiply padding.
import { hsum } from './lanes';

/** tile[r * 4 + t] = dot(row r of A, row t of B^T), for a 2 x 4 block. */
function dot2x4(k: i32, a0: usize, a1: usize, b0: usize, b1: usize, b2: usize, b3: usize, tile: usize): void {
  let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
  let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
  const k4 = k & ~3;
  for (let p = 0; p < k4; p += 4) {
    const off = <usize>p << 2;
    const x0 = v128.load(a0 + off), x1 = v128.load(a1 + off);
    let y = v128.load(b0 + off);
    s00 = f32x4.add(s00, f32x4.mul(x0, y));
    s10 = f32x4.add(s10, f32x4.mul(x1, y));
    y = v128.load(b1 + off);
    s01 = f32x4.add(s01, f32x4.mul(x0, y));
    s11 = f32x4.add(s11, f32x4.mul(x1, y));
    y = v128.load(b2 + off);
    s02 = f32x4.add(s02, f32x4.mul(x0, y));
    s12 = f32x4.add(s12, f32x4.mul(x1, y));
    y = v128.load(b3 + off);
    s03 = f32x4.add(s03, f32x4.mul(x0, y));
    s13 = f32x4.add(s13, f32x4.mul(x1, y));
  }
  store<f32>(tile, hsum(s00) + tail(a0, b0, k4, k));
  store<f32>(tile, hsum(s01) + tail(a0, b1, k4, k), 4);
  store<f32>(tile, hsum(s02) + tail(a0, b2, k4, k), 8);
  store<f32>(tile, hsum(s03) + tail(a0, b3, k4, k), 12);
  store<f32>(tile, hsum(s10) + tail(a1, b0, k4, k), 16);
  store<f32>(tile, hsum(s11) + tail(a1, b1, k4, k), 20);
  store<f32>(tile, hsum(s12) + tail(a1, b2, k4, k), 24);
  store<f32>(tile, hsum(s13) + tail(a1, b3, k4, k), 28);
}

@inline function tail(x: usize, y: usize, from: i32, k: i32): f32 {
  let s: f32 = 0;
  for (let p = from; p < k; p++) s += load<f32>(x + (<usize>p << 2)) * load<f32>(y + (<usize>p << 2));
  return s;
}

/** C = alpha * A B^T + beta * C with A (m x k) and B stored (n x k), both row-major. */
export function gemmDot(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, alpha: f32, beta: f32, tile: usize): void {
  const row = <usize>k << 2;
  for (let i = 0; i < m; i += 2) {
    const h = min(2, m - i);
    const a0 = a + <usize>i * row;
    // A missing second row or column re-reads the first: valid memory, result dropped.
    const a1 = h == 2 ? a0 + row : a0;
    for (let j = 0; j < n; j += 4) {
      const w = min(4, n - j);
      const b0 = b + <usize>j * row;
      dot2x4(k, a0, a1, b0, w > 1 ? b0 + row : b0, w > 2 ? b0 + 2 * row : b0, w > 3 ? b0 + 3 * row : b0, tile);
      for (let r = 0; r < h; r++) {
        for (let t = 0; t < w; t++) {
          const cp = c + ((<usize>(i + r) * <usize>n + <usize>(j + t)) << 2);
          const v = alpha * load<f32>(tile + (<usize>(r * 4 + t) << 2));
          store<f32>(cp, beta == 0 ? v : v + beta * load<f32>(cp));
        }
      }
    }
  }
}
