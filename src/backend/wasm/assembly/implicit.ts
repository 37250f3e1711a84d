// Convolutions as implicit GEMM: the products of im2col + GEMM computed from
// the channels-last images (m, h, w, c) themselves, without the COLS matrix.
// Row p of COLS is the window of output pixel p: f runs of f c floats, one
// image row apart, starting at the window's corner. The micro-kernels read
// those runs in place, so nothing is copied: im2col's matrix (f f times the
// image, written and read back every step) never exists. Pad is 0 here; the
// TypeScript side pads X into a scratch first.
//
// Tiles are 4 rows by 8 columns, eight f32x4 accumulators like the GEMM's
// 2 x 16 tile, with the same loads per multiply-add: forward, 4 pixels x 8
// filters; filter gradient, 4 window elements x 8 filters; input gradient,
// 4 pixels x 8 window elements. Small convolutions have 8 or 16 filters,
// which the 16-wide GEMM tile computed half empty (8) or with K too short to
// amortize it.
//
// Every output element is a sum in a fixed order that depends on the
// geometry alone, never on which rows, tiles or examples a call covers, so
// work split between threads gives the same bits as one thread.
import { activationForward, LINEAR, RELU } from './activations';
import { addRun } from './conv';
import { load4, store4, width } from './lanes';

/** Rows of a tile. */
const TR = 4;
/** Columns of a tile (two f32x4). */
const TW = 8;
/** The filter gradient sums at least this many pixels in registers before adding them to dW. */
const DW_BLOCK = 256;

@inline function bytes(n: i32): usize {
  return <usize>n << 2;
}

/** n rounded up to whole tile columns. */
@inline function panelWidth(n: i32): i32 {
  return (n + TW - 1) & ~(TW - 1);
}

/** Bytes of one thread's tile scratch for input gradients of K-element windows: TR rows of K rounded up to whole panels. */
export function convTileBytes(k: i32): i32 {
  return TR * panelWidth(k) * 4;
}

/**
 * The 4 x 8 tile of a product whose A rows are read in place: row r starts at
 * a_r and runs `f` times `run` floats, the i-th run `rowStep` bytes after the
 * (i-1)-th; B is a packed panel, rows of 8 floats one after the other, one
 * per element of a run. The sums go to t_r (8 floats each), plus the 8 (or `cols`) floats at
 * `bias` unless it is 0, then through ReLU when `relu` is 1 (the same
 * operations as channelBiasActivation's). With f = 1 it is a plain GEMM tile
 * over `run` steps.
 */
function tile4x8(
  f: i32, run: i32, rowStep: usize, a0: usize, a1: usize, a2: usize, a3: usize, b: usize, t0: usize, t1: usize, t2: usize, t3: usize,
  bias: usize, cols: i32, relu: i32,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const skip = rowStep - bytes(run);
  for (let di = 0; di < f; di++) {
    for (let t = 0; t < run; t++) {
      const b0 = v128.load(b), b1 = v128.load(b, 16);
      let x = v128.load32_splat(a0);
      c00 = f32x4.add(c00, f32x4.mul(x, b0));
      c01 = f32x4.add(c01, f32x4.mul(x, b1));
      x = v128.load32_splat(a1);
      c10 = f32x4.add(c10, f32x4.mul(x, b0));
      c11 = f32x4.add(c11, f32x4.mul(x, b1));
      x = v128.load32_splat(a2);
      c20 = f32x4.add(c20, f32x4.mul(x, b0));
      c21 = f32x4.add(c21, f32x4.mul(x, b1));
      x = v128.load32_splat(a3);
      c30 = f32x4.add(c30, f32x4.mul(x, b0));
      c31 = f32x4.add(c31, f32x4.mul(x, b1));
      a0 += 4;
      a1 += 4;
      a2 += 4;
      a3 += 4;
      b += 32;
    }
    a0 += skip;
    a1 += skip;
    a2 += skip;
    a3 += skip;
  }
  if (bias != 0) {
    const b0 = cols == TW ? v128.load(bias) : loadLanes(bias, cols);
    const b1 = cols == TW ? v128.load(bias, 16) : cols > 4 ? loadLanes(bias + 16, cols - 4) : f32x4.splat(0);
    c00 = f32x4.add(c00, b0);
    c01 = f32x4.add(c01, b1);
    c10 = f32x4.add(c10, b0);
    c11 = f32x4.add(c11, b1);
    c20 = f32x4.add(c20, b0);
    c21 = f32x4.add(c21, b1);
    c30 = f32x4.add(c30, b0);
    c31 = f32x4.add(c31, b1);
  }
  if (relu) {
    const zero = f32x4.splat(0);
    c00 = f32x4.pmax(zero, c00);
    c01 = f32x4.pmax(zero, c01);
    c10 = f32x4.pmax(zero, c10);
    c11 = f32x4.pmax(zero, c11);
    c20 = f32x4.pmax(zero, c20);
    c21 = f32x4.pmax(zero, c21);
    c30 = f32x4.pmax(zero, c30);
    c31 = f32x4.pmax(zero, c31);
  }
  v128.store(t0, c00);
  v128.store(t0, c01, 16);
  v128.store(t1, c10);
  v128.store(t1, c11, 16);
  v128.store(t2, c20);
  v128.store(t2, c21, 16);
  v128.store(t3, c30);
  v128.store(t3, c31, 16);
}

/**
 * tile4x8 for four windows one float apart (single-channel images, stride 1: four neighbouring
 * pixels of a row), read through one pointer at constant offsets. The same sums in the same
 * order as tile4x8's.
 */
function tile4x8Adjacent(f: i32, run: i32, rowStep: usize, a: usize, b: usize, t0: usize, t1: usize, t2: usize, t3: usize, bias: usize, relu: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const skip = rowStep - bytes(run);
  for (let di = 0; di < f; di++) {
    for (let t = 0; t < run; t++) {
      const b0 = v128.load(b), b1 = v128.load(b, 16);
      let x = v128.load32_splat(a);
      c00 = f32x4.add(c00, f32x4.mul(x, b0));
      c01 = f32x4.add(c01, f32x4.mul(x, b1));
      x = v128.load32_splat(a, 4);
      c10 = f32x4.add(c10, f32x4.mul(x, b0));
      c11 = f32x4.add(c11, f32x4.mul(x, b1));
      x = v128.load32_splat(a, 8);
      c20 = f32x4.add(c20, f32x4.mul(x, b0));
      c21 = f32x4.add(c21, f32x4.mul(x, b1));
      x = v128.load32_splat(a, 12);
      c30 = f32x4.add(c30, f32x4.mul(x, b0));
      c31 = f32x4.add(c31, f32x4.mul(x, b1));
      a += 4;
      b += 32;
    }
    a += skip;
  }
  if (bias != 0) {
    const b0 = v128.load(bias), b1 = v128.load(bias, 16);
    c00 = f32x4.add(c00, b0);
    c01 = f32x4.add(c01, b1);
    c10 = f32x4.add(c10, b0);
    c11 = f32x4.add(c11, b1);
    c20 = f32x4.add(c20, b0);
    c21 = f32x4.add(c21, b1);
    c30 = f32x4.add(c30, b0);
    c31 = f32x4.add(c31, b1);
  }
  if (relu) {
    const zero = f32x4.splat(0);
    c00 = f32x4.pmax(zero, c00);
    c01 = f32x4.pmax(zero, c01);
    c10 = f32x4.pmax(zero, c10);
    c11 = f32x4.pmax(zero, c11);
    c20 = f32x4.pmax(zero, c20);
    c21 = f32x4.pmax(zero, c21);
    c30 = f32x4.pmax(zero, c30);
    c31 = f32x4.pmax(zero, c31);
  }
  v128.store(t0, c00);
  v128.store(t0, c01, 16);
  v128.store(t1, c10);
  v128.store(t1, c11, 16);
  v128.store(t2, c20);
  v128.store(t2, c21, 16);
  v128.store(t3, c30);
  v128.store(t3, c31, 16);
}

/**
 * Rows a0..a3 (n floats each, in place) times `panels` packed panels of 8 columns, one after the
 * other from b (n rows of 8 floats each): the 4 x 8 tiles of one row of tiles, in one call. Tile
 * j's sums go to t + 32 j + r tRow for row r.
 */
function panels4x8(panels: i32, n: i32, a0: usize, a1: usize, a2: usize, a3: usize, b: usize, t: usize, tRow: usize): void {
  for (let j = 0; j < panels; j++) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    for (let o = 0; o < n; o++) {
      const b0 = v128.load(b), b1 = v128.load(b, 16);
      const p = bytes(o);
      let x = v128.load32_splat(a0 + p);
      c00 = f32x4.add(c00, f32x4.mul(x, b0));
      c01 = f32x4.add(c01, f32x4.mul(x, b1));
      x = v128.load32_splat(a1 + p);
      c10 = f32x4.add(c10, f32x4.mul(x, b0));
      c11 = f32x4.add(c11, f32x4.mul(x, b1));
      x = v128.load32_splat(a2 + p);
      c20 = f32x4.add(c20, f32x4.mul(x, b0));
      c21 = f32x4.add(c21, f32x4.mul(x, b1));
      x = v128.load32_splat(a3 + p);
      c30 = f32x4.add(c30, f32x4.mul(x, b0));
      c31 = f32x4.add(c31, f32x4.mul(x, b1));
      b += 32;
    }
    v128.store(t, c00);
    v128.store(t, c01, 16);
    v128.store(t + tRow, c10);
    v128.store(t + tRow, c11, 16);
    v128.store(t + 2 * tRow, c20);
    v128.store(t + 2 * tRow, c21, 16);
    v128.store(t + 3 * tRow, c30);
    v128.store(t + 3 * tRow, c31, 16);
    t += 32;
  }
}

/** DST[0 .. w) = SRC[0 .. w) for a tile row of w <= 16 floats. */
@inline function copyLanes(dst: usize, src: usize, w: i32): void {
  for (let j = 0; j < w; j++) store<f32>(dst + bytes(j), load<f32>(src + bytes(j)));
}

/**
 * The forward tile of `h` (1..4) pixels whose windows start at q0..q3 (the missing ones repeat
 * q0), for every panel of 8 filters: Z rows zp, zp + n, ... get the sums, plus b unless it is
 * 0, through ReLU when `relu` is 1. W comes packed by packFilterColumns (panels of K rows).
 */
function forwardTile(
  h: i32, q0: usize, q1: usize, q2: usize, q3: usize, zp: usize, n: i32, w: usize, f: i32, run: i32, rowBytes: usize, b: usize, relu: i32,
  tile: usize,
): void {
  const zRow = bytes(n);
  const panelBytes = <usize>(f * run) * 32;
  for (let j = 0; j < n; j += TW) {
    const cols = min(TW, n - j);
    const panel = w + <usize>(j / TW) * panelBytes;
    const bias = b == 0 ? 0 : b + bytes(j);
    const out = zp + bytes(j);
    if (h == TR && cols == TW) {
      if (q1 == q0 + 4 && q2 == q0 + 8 && q3 == q0 + 12) tile4x8Adjacent(f, run, rowBytes, q0, panel, out, out + zRow, out + 2 * zRow, out + 3 * zRow, bias, relu);
      else tile4x8(f, run, rowBytes, q0, q1, q2, q3, panel, out, out + zRow, out + 2 * zRow, out + 3 * zRow, bias, cols, relu);
      continue;
    }
    tile4x8(f, run, rowBytes, q0, q1, q2, q3, panel, tile, tile + 32, tile + 64, tile + 96, bias, cols, relu);
    for (let r = 0; r < h; r++) copyLanes(out + <usize>r * zRow, tile + <usize>r * 32, cols);
  }
}

/** Z rows [0, rows) += b, then A = g(Z) when A is given (codes of activations.ts). */
function finishRows(z: usize, b: usize, a: usize, rows: i32, n: i32, act: i32, slope: f32): void {
  if (b != 0) {
    for (let r = 0; r < rows; r++) addRun(z + bytes(r * n), b, n);
  }
  if (a != 0) activationForward(z, 0, a, rows, n, act, slope);
}

/** The pixels a forward call finishes (bias, activation) at a time, while their rows of Z are in cache. */
const FINISH_PIXELS = 64;

/**
 * Z (P, n) = conv(X, W) for output pixels [p0, p1) (P = m outH outW, pixels in (example, row,
 * column) order), then Z += b (b = 0: none) and A = g(Z) (a = 0: none). X is (m, h, w, c) with
 * pad 0; W is (f f c, n) packed by packFilterColumns. `tile` is 128 bytes
 * of scratch. p0 is a multiple of 4 (or 0), so tiles fall on the same pixels however the
 * pixels are split. With one output (no A, or A over Z) the bias and a ReLU are applied to the
 * tile's registers; otherwise blocks of rows are finished while they are in cache.
 */
export function convForward(
  x: usize, w: usize, b: usize, z: usize, a: usize, m: i32, h: i32, wd: i32, c: i32, f: i32, stride: i32, outH: i32, outW: i32, n: i32,
  act: i32, slope: f32, p0: i32, p1: i32, tile: usize,
): void {
  if (p0 >= p1) return;
  const run = f * c;
  const rowBytes = bytes(wd * c);
  const pixStep = bytes(stride * c);
  const perImage = outH * outW;
  let ex = p0 / perImage;
  let oi = (p0 - ex * perImage) / outW;
  let oj = p0 - ex * perImage - oi * outW;
  let corner = x + bytes(((ex * h + oi * stride) * wd + oj * stride) * c);
  let q0: usize = 0, q1: usize = 0, q2: usize = 0, q3: usize = 0;
  let filled = 0;
  let first = p0;
  let finished = p0;
  // In the tile: the bias, and ReLU (or nothing else: linear over Z itself).
  const inTile = (a == 0 || a == z) && (act == RELU || act == LINEAR);
  const tileBias = inTile ? b : 0;
  const relu = inTile && a != 0 && act == RELU ? 1 : 0;
  const finish = !inTile && (b != 0 || a != 0);
  for (let p = p0; p < p1; p++) {
    if (filled == 0) q0 = corner;
    else if (filled == 1) q1 = corner;
    else if (filled == 2) q2 = corner;
    else q3 = corner;
    filled++;
    // The next pixel's window.
    oj++;
    corner += pixStep;
    if (oj == outW) {
      oj = 0;
      oi++;
      if (oi == outH) {
        oi = 0;
        ex++;
      }
      corner = x + bytes(((ex * h + oi * stride) * wd) * c);
    }
    if (filled < TR && p + 1 < p1) continue;
    if (filled < 2) q1 = q0;
    if (filled < 3) q2 = q0;
    if (filled < 4) q3 = q0;
    forwardTile(filled, q0, q1, q2, q3, z + bytes(first * n), n, w, f, run, rowBytes, tileBias, relu, tile);
    first = p + 1;
    filled = 0;
    if (finish && (first - finished >= FINISH_PIXELS || first == p1)) {
      finishRows(z + bytes(finished * n), b, a == 0 ? 0 : a + bytes(finished * n), first - finished, n, act, slope);
      finished = first;
    }
  }
}

/** Bytes of W (K, n) or W^T packed into panels of 8 columns: panelWidth(n) K floats. */
export function packedFilterBytes(k: i32, n: i32): i32 {
  return panelWidth(n) * k * 4;
}

/**
 * W (K, n) as panels of 8 columns for convForward: panel j is K rows of W[i, 8j .. 8j + 8), the
 * columns past n zero.
 */
export function packFilterColumns(w: usize, dst: usize, k: i32, n: i32): void {
  for (let j = 0; j < n; j += TW) {
    for (let i = 0; i < k; i++) {
      for (let q = 0; q < TW; q++) store<f32>(dst + bytes(q), j + q < n ? load<f32>(w + bytes(i * n + j + q)) : 0);
      dst += 32;
    }
  }
}

/**
 * W^T (n, K) as panels of 8 columns for convInputGradient: panel j is n rows of W[8j .. 8j + 8, o]
 * (row o), the elements past K zero.
 */
export function packFilterRows(w: usize, dst: usize, k: i32, n: i32): void {
  for (let j = 0; j < k; j += TW) {
    for (let o = 0; o < n; o++) {
      for (let q = 0; q < TW; q++) store<f32>(dst + bytes(q), j + q < k ? load<f32>(w + bytes((j + q) * n + o)) : 0);
      dst += 32;
    }
  }
}

// The filter gradient's panels of dZ: 8 columns read in place, or the last w < 8 of a row lane by
// lane (reading 8 floats there could run past the end of dZ).

@final class FullPanel {
  @inline lo(p: usize, _w: i32): v128 {
    return v128.load(p);
  }
  @inline hi(p: usize, _w: i32): v128 {
    return v128.load(p, 16);
  }
}

/** Floats [0, min(w, 4)) at p in lanes 0.., the other lanes zero. */
@inline function loadLanes(p: usize, w: i32): v128 {
  let v = v128.load32_zero(p);
  if (w > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (w > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  if (w > 3) v = f32x4.replace_lane(v, 3, load<f32>(p, 12));
  return v;
}

@final class PartialPanel {
  @inline lo(p: usize, w: i32): v128 {
    return loadLanes(p, w);
  }
  @inline hi(p: usize, w: i32): v128 {
    return w > 4 ? loadLanes(p + 16, w - 4) : f32x4.splat(0);
  }
}

/**
 * The raw sums of a filter-gradient tile over `rows` output rows of one example: for every pixel,
 * X at corner + o_r (the tile's four window elements) times dZ's 8 (or w) columns at dz. The
 * first pixel's window starts at `corner`; pixels are `pixStep` bytes apart along an output
 * row and rows `rowStep` apart; dZ rows are `ldz` bytes apart. Sums go to t (4 rows of 8).
 */
@inline function filterSums<P>(
  rows: i32, outW: i32, corner: usize, rowStep: usize, pixStep: usize, o0: usize, o1: usize, o2: usize, o3: usize, dz: usize, ldz: usize, w: i32, t: usize,
): void {
  const panel = changetype<P>(0);
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let i = 0; i < rows; i++) {
    let q = corner;
    for (let j = 0; j < outW; j++) {
      const b0 = panel.lo(dz, w), b1 = panel.hi(dz, w);
      let x = v128.load32_splat(q + o0);
      c00 = f32x4.add(c00, f32x4.mul(x, b0));
      c01 = f32x4.add(c01, f32x4.mul(x, b1));
      x = v128.load32_splat(q + o1);
      c10 = f32x4.add(c10, f32x4.mul(x, b0));
      c11 = f32x4.add(c11, f32x4.mul(x, b1));
      x = v128.load32_splat(q + o2);
      c20 = f32x4.add(c20, f32x4.mul(x, b0));
      c21 = f32x4.add(c21, f32x4.mul(x, b1));
      x = v128.load32_splat(q + o3);
      c30 = f32x4.add(c30, f32x4.mul(x, b0));
      c31 = f32x4.add(c31, f32x4.mul(x, b1));
      q += pixStep;
      dz += ldz;
    }
    corner += rowStep;
  }
  v128.store(t, c00);
  v128.store(t, c01, 16);
  v128.store(t, c10, 32);
  v128.store(t, c11, 48);
  v128.store(t, c20, 64);
  v128.store(t, c21, 80);
  v128.store(t, c30, 96);
  v128.store(t, c31, 112);
}

function filterSumsFull(
  rows: i32, outW: i32, corner: usize, rowStep: usize, pixStep: usize, o0: usize, o1: usize, o2: usize, o3: usize, dz: usize, ldz: usize, t: usize,
): void {
  filterSums<FullPanel>(rows, outW, corner, rowStep, pixStep, o0, o1, o2, o3, dz, ldz, TW, t);
}

function filterSumsPartial(
  rows: i32, outW: i32, corner: usize, rowStep: usize, pixStep: usize, o0: usize, o1: usize, o2: usize, o3: usize, dz: usize, ldz: usize, w: i32, t: usize,
): void {
  filterSums<PartialPanel>(rows, outW, corner, rowStep, pixStep, o0, o1, o2, o3, dz, ldz, w, t);
}

/**
 * filterSums for a tile of 2 window elements (at corner + o0, corner + o1) by 16 columns of dZ:
 * the same sums with half the broadcasts, for filter counts that are multiples of 16. Sums go
 * to t (2 rows of 16).
 */
function filterSums2x16(rows: i32, outW: i32, corner: usize, rowStep: usize, pixStep: usize, o0: usize, o1: usize, dz: usize, ldz: usize, t: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  for (let i = 0; i < rows; i++) {
    let q = corner;
    for (let j = 0; j < outW; j++) {
      const b0 = v128.load(dz), b1 = v128.load(dz, 16), b2 = v128.load(dz, 32), b3 = v128.load(dz, 48);
      let x = v128.load32_splat(q + o0);
      c00 = f32x4.add(c00, f32x4.mul(x, b0));
      c01 = f32x4.add(c01, f32x4.mul(x, b1));
      c02 = f32x4.add(c02, f32x4.mul(x, b2));
      c03 = f32x4.add(c03, f32x4.mul(x, b3));
      x = v128.load32_splat(q + o1);
      c10 = f32x4.add(c10, f32x4.mul(x, b0));
      c11 = f32x4.add(c11, f32x4.mul(x, b1));
      c12 = f32x4.add(c12, f32x4.mul(x, b2));
      c13 = f32x4.add(c13, f32x4.mul(x, b3));
      q += pixStep;
      dz += ldz;
    }
    corner += rowStep;
  }
  v128.store(t, c00);
  v128.store(t, c01, 16);
  v128.store(t, c02, 32);
  v128.store(t, c03, 48);
  v128.store(t, c10, 64);
  v128.store(t, c11, 80);
  v128.store(t, c12, 96);
  v128.store(t, c13, 112);
}

/** Whether the filter gradient of n filters runs 2 x 16 tiles (n a multiple of 16) rather than 4 x 8. */
@inline function wideFilterTiles(n: i32): bool {
  return n % 16 == 0;
}

/** The tiles of window elements convFilterGradient splits K elements into, for n filters. */
export function convFilterTiles(k: i32, n: i32): i32 {
  const rows = wideFilterTiles(n) ? 2 : TR;
  return (k + rows - 1) / rows;
}

/** The byte offset of window element k in a window: k = (di, dj, ch), di rows down and (k - di f c) floats along. */
@inline function windowOffset(k: i32, run: i32, rowBytes: usize): usize {
  const di = k / run;
  return <usize>di * rowBytes + bytes(k - di * run);
}

/**
 * dW (K, n) = scale COLS^T dZ for the window elements of tiles [t0, t1) (tile t covers elements
 * [4t, min(K, 4t + 4)), or [2t, 2t + 2) with 2 x 16 tiles; see convFilterTiles) over the pixels
 * of examples [e0, e1). X is (m, h, w, c) with pad 0, dZ (m outH outW, n). Each element sums
 * its pixels in order, in blocks of whole output rows of about DW_BLOCK pixels (one example at
 * most) that are added up in float32, then scaled. `tile` is 256 bytes of scratch.
 */
export function convFilterGradient(
  x: usize, dz: usize, dw: usize, h: i32, wd: i32, c: i32, f: i32, stride: i32, outH: i32, outW: i32, n: i32, scale: f32,
  t0: i32, t1: i32, e0: i32, e1: i32, tile: usize,
): void {
  const k = f * f * c;
  const run = f * c;
  const rowBytes = bytes(wd * c);
  const pixStep = bytes(stride * c);
  const rowStep = <usize>stride * rowBytes;
  const ldz = bytes(n);
  const imageBytes = bytes(h * wd * c);
  const blockRows = min(outH, max(1, (DW_BLOCK + outW - 1) / outW));
  const vs = f32x4.splat(scale);
  const wide = wideFilterTiles(n);
  const tileRows = wide ? 2 : TR;
  const tileCols = wide ? 16 : TW;
  for (let t = t0; t < t1; t++) {
    const k0 = t * tileRows;
    const rows = min(tileRows, k - k0);
    const o0 = windowOffset(k0, run, rowBytes);
    const o1 = rows > 1 ? windowOffset(k0 + 1, run, rowBytes) : o0;
    const o2 = rows > 2 ? windowOffset(k0 + 2, run, rowBytes) : o0;
    const o3 = rows > 3 ? windowOffset(k0 + 3, run, rowBytes) : o0;
    for (let j = 0; j < n; j += tileCols) {
      const cols = min(tileCols, n - j);
      // The running sums of the tile (32 floats either shape), after the tile scratch's block sums.
      const acc = tile + 128;
      memory.fill(acc, 0, 128);
      for (let e = e0; e < e1; e++) {
        const image = x + <usize>e * imageBytes;
        for (let i0 = 0; i0 < outH; i0 += blockRows) {
          const r = min(blockRows, outH - i0);
          const corner = image + <usize>i0 * rowStep;
          const dzp = dz + bytes(((e * outH + i0) * outW) * n + j);
          if (wide) filterSums2x16(r, outW, corner, rowStep, pixStep, o0, o1, dzp, ldz, tile);
          else if (cols == TW) filterSumsFull(r, outW, corner, rowStep, pixStep, o0, o1, o2, o3, dzp, ldz, tile);
          else filterSumsPartial(r, outW, corner, rowStep, pixStep, o0, o1, o2, o3, dzp, ldz, cols, tile);
          for (let q: usize = 0; q < 128; q += 16) v128.store(acc + q, f32x4.add(v128.load(acc + q), v128.load(tile + q)));
        }
      }
      for (let q: usize = 0; q < 128; q += 16) v128.store(acc + q, f32x4.mul(v128.load(acc + q), vs));
      for (let r = 0; r < rows; r++) copyLanes(dw + bytes((k0 + r) * n + j), acc + bytes(r * tileCols), cols);
    }
  }
}

/**
 * DST[i] = scale (P_0[i] + P_1[i] + ... + P_{count-1}[i]) for i < size, the parts `size` floats
 * apart from `parts`, added in order: the filter gradient from per-part sums (see
 * CONV_FILTER_PARTS in shared.ts).
 */
export function sumParts(dst: usize, parts: usize, count: i32, size: i32, scale: f32): void {
  const stride = bytes(size);
  const vs = f32x4.splat(scale);
  for (let i = 0; i < size; i += width(i, size)) {
    const full = i + 4 <= size;
    let p = parts + bytes(i);
    let s = load4(p, full);
    for (let q = 1; q < count; q++) {
      p += stride;
      s = f32x4.add(s, load4(p, full));
    }
    store4(dst + bytes(i), f32x4.mul(s, vs), full);
  }
}

/**
 * DX = col2im(dZ W^T) for examples [e0, e1): each example's image is zeroed, then for every tile
 * of 4 of its pixels (the last one shorter) the 4 rows of dZ W^T are computed into `tile` and
 * added where im2col read them, pixel by pixel in order (the reference col2im's order). `wt` is
 * W^T packed by packFilterRows; `tile` holds convTileBytes(K) bytes.
 */
export function convInputGradient(
  dz: usize, wt: usize, dx: usize, m: i32, h: i32, wd: i32, c: i32, f: i32, stride: i32, outH: i32, outW: i32, n: i32,
  e0: i32, e1: i32, tile: usize,
): void {
  if (e0 >= e1) return;
  const k = f * f * c;
  const run = f * c;
  const rowBytes = bytes(wd * c);
  const imageBytes = bytes(h * wd * c);
  const ldz = bytes(n);
  const tRow = bytes(panelWidth(k));
  const perImage = outH * outW;
  memory.fill(dx + <usize>e0 * imageBytes, 0, <usize>(e1 - e0) * imageBytes);
  for (let e = e0; e < e1; e++) {
    const image = dx + <usize>e * imageBytes;
    const rows = dz + bytes(e * perImage * n);
    for (let p = 0; p < perImage; p += TR) {
      const hgt = min(TR, perImage - p);
      const a0 = rows + <usize>p * ldz;
      const a1 = hgt > 1 ? a0 + ldz : a0;
      const a2 = hgt > 2 ? a0 + 2 * ldz : a0;
      const a3 = hgt > 3 ? a0 + 3 * ldz : a0;
      panels4x8(panelWidth(k) / TW, n, a0, a1, a2, a3, wt, tile, tRow);
      for (let r = 0; r < hgt; r++) {
        const q = p + r;
        const oi = q / outW;
        const oj = q - oi * outW;
        let dst = image + bytes((oi * stride * wd + oj * stride) * c);
        let src = tile + <usize>r * tRow;
        for (let di = 0; di < f; di++) {
          addRun(dst, src, run);
          dst += rowBytes;
          src += bytes(run);
        }
      }
    }
  }
}
