// Kernels for convolutional networks over channels-last images (m, h, w, c):
// the innermost dimension is the channel, so a pixel is a contiguous run of
// c floats and a window row a run of f c floats. im2col / col2im and zero
// padding are straight copies and adds of such runs; pooling and the
// per-channel reductions work on four channels per vector with a one-lane
// tail (lanes.ts), for any channel count.
//
// The per-channel sums (colSum, batch normalization) accumulate in f64 into
// a scratch block of doubles passed in by the caller, one row after the
// other, in the reference's order: they match it to the last float32 bit
// while reading the matrix once, row by row.
import { activationForward } from './activations';
import { load4, promoteHigh, store4, transpose4x4, width } from './lanes';

/** Runs at least this long (in floats) are copied with memory.copy / memory.fill, a native call; shorter ones inline. */
const LONG_RUN = 64;

/** The byte size of n floats. */
@inline function bytes(n: i32): usize {
  return <usize>n << 2;
}

/** The byte size of n doubles. */
@inline function doubles(n: i32): usize {
  return <usize>n << 3;
}

/** DST[0 .. n) = SRC[0 .. n) (no overlap); the last vector may overlap the one before it. */
@inline function copyRun(dst: usize, src: usize, n: i32): void {
  if (n >= LONG_RUN) {
    memory.copy(dst, src, bytes(n));
  } else if (n >= 4) {
    for (let k = 0; k + 4 < n; k += 4) v128.store(dst + bytes(k), v128.load(src + bytes(k)));
    v128.store(dst + bytes(n - 4), v128.load(src + bytes(n - 4)));
  } else {
    for (let k = 0; k < n; k++) store<f32>(dst + bytes(k), load<f32>(src + bytes(k)));
  }
}

/** DST[0 .. n) = 0. */
@inline function zeroRun(dst: usize, n: i32): void {
  if (n >= LONG_RUN) {
    memory.fill(dst, 0, bytes(n));
  } else if (n >= 4) {
    const zero = f32x4.splat(0);
    for (let k = 0; k + 4 < n; k += 4) v128.store(dst + bytes(k), zero);
    v128.store(dst + bytes(n - 4), zero);
  } else {
    for (let k = 0; k < n; k++) store<f32>(dst + bytes(k), 0);
  }
}

/** DST[0 .. n) += SRC[0 .. n). */
@inline export function addRun(dst: usize, src: usize, n: i32): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) v128.store(dst + bytes(k), f32x4.add(v128.load(dst + bytes(k)), v128.load(src + bytes(k))));
  for (; k < n; k++) store<f32>(dst + bytes(k), load<f32>(dst + bytes(k)) + load<f32>(src + bytes(k)));
}

/**
 * The im2col walk: COLS = im2col(X), or with `adjoint` X += col2im(COLS). Each window row (di) is
 * one run of f c floats: zeros for the columns left of the image, a copy (or add) of the pixels
 * inside it, zeros for those right of it; rows above or below the image are zeros (or skipped).
 */
function windowRuns(x: usize, cols: usize, m: i32, h: i32, w: i32, c: i32, f: i32, stride: i32, pad: i32, outH: i32, outW: i32, adjoint: bool): void {
  const run = f * c;
  const row = bytes(w * c);
  let d = cols;
  for (let n = 0; n < m; n++) {
    const image = x + bytes(n * h * w * c);
    for (let oi = 0; oi < outH; oi++) {
      const i0 = oi * stride - pad;
      const rowsInside = i0 >= 0 && i0 + f <= h;
      for (let oj = 0; oj < outW; oj++) {
        const j0 = oj * stride - pad;
        if (rowsInside && j0 >= 0 && j0 + f <= w) {
          // The whole window is inside the image: f runs, one image row apart.
          let src = image + bytes((i0 * w + j0) * c);
          for (let di = 0; di < f; di++) {
            if (adjoint) addRun(src, d, run);
            else copyRun(d, src, run);
            src += row;
            d += bytes(run);
          }
          continue;
        }
        // The window columns dj in [lo, hi) fall inside the image.
        const lo = min(f, max(0, -j0));
        const hi = max(lo, min(f, w - j0));
        const left = lo * c;
        const inside = (hi - lo) * c;
        for (let di = 0; di < f; di++) {
          const ii = i0 + di;
          if (<u32>ii >= <u32>h || inside == 0) {
            if (!adjoint) zeroRun(d, run);
          } else {
            const src = image + bytes((ii * w + j0 + lo) * c);
            if (adjoint) {
              addRun(src, d + bytes(left), inside);
            } else {
              zeroRun(d, left);
              copyRun(d + bytes(left), src, inside);
              zeroRun(d + bytes(left + inside), run - left - inside);
            }
          }
          d += bytes(run);
        }
      }
    }
  }
}

/** COLS (m outH outW, f f c) = im2col(X); see Kernels.im2col. */
export function im2col(x: usize, cols: usize, m: i32, h: i32, w: i32, c: i32, f: i32, stride: i32, pad: i32, outH: i32, outW: i32): void {
  windowRuns(x, cols, m, h, w, c, f, stride, pad, outH, outW, false);
}

/** DX = col2im(COLS), the adjoint of im2col; see Kernels.col2im. */
export function col2im(cols: usize, dx: usize, m: i32, h: i32, w: i32, c: i32, f: i32, stride: i32, pad: i32, outH: i32, outW: i32): void {
  memory.fill(dx, 0, bytes(m * h * w * c));
  windowRuns(dx, cols, m, h, w, c, f, stride, pad, outH, outW, true);
}

/**
 * Z[r, :] += b for every row r of the (rows, c) view, then A = g(Z) (codes of activations.ts).
 * One channel is a single row with a scalar bias, which activationForward fuses into its pass.
 */
export function channelBiasActivation(z: usize, b: usize, a: usize, rows: i32, c: i32, act: i32, slope: f32): void {
  if (c == 1) {
    activationForward(z, b, a, 1, rows, act, slope);
    return;
  }
  for (let r = 0; r < rows; r++) addRun(z + bytes(r * c), b, c);
  activationForward(z, 0, a, rows, c, act, slope);
}

/** S[0 .. n) += X[0 .. n) in f64 (S holds n doubles). */
@inline function accumulate(s: usize, x: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const v = v128.load(x + bytes(j));
    const p = s + doubles(j);
    v128.store(p, f64x2.add(v128.load(p), f64x2.promote_low_f32x4(v)));
    v128.store(p, f64x2.add(v128.load(p, 16), promoteHigh(v)), 16);
  }
  for (; j < n; j++) store<f64>(s + doubles(j), load<f64>(s + doubles(j)) + <f64>load<f32>(x + bytes(j)));
}

/** out[j] = scale sum_i X[i, j] for X (rows, cols); `scratch` holds cols doubles. */
export function colSum(x: usize, out: usize, rows: i32, cols: i32, scale: f64, scratch: usize): void {
  // Groups of 8 columns keep their sums in registers, one pass over the rows per group.
  const grouped = cols & ~7;
  for (let j = 0; j < grouped; j += 8) columnGroupSums(x + bytes(j), bytes(cols), rows, scratch + doubles(j));
  const rest = cols - grouped;
  if (rest > 0) {
    const s = scratch + doubles(grouped);
    memory.fill(s, 0, doubles(rest));
    for (let i = 0; i < rows; i++) accumulate(s, x + bytes(i * cols + grouped), rest);
  }
  for (let j = 0; j < cols; j++) store<f32>(out + bytes(j), <f32>(scale * load<f64>(scratch + doubles(j))));
}

/** S[0 .. 8) = the f64 sums over `rows` rows (`ld` bytes apart) of the 8 floats at x, row after row (accumulate's order). */
function columnGroupSums(x: usize, ld: usize, rows: i32, s: usize): void {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
  for (let i = 0; i < rows; i++) {
    const v0 = v128.load(x), v1 = v128.load(x, 16);
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v0));
    s1 = f64x2.add(s1, promoteHigh(v0));
    s2 = f64x2.add(s2, f64x2.promote_low_f32x4(v1));
    s3 = f64x2.add(s3, promoteHigh(v1));
    x += ld;
  }
  v128.store(s, s0);
  v128.store(s, s1, 16);
  v128.store(s, s2, 32);
  v128.store(s, s3, 48);
}

/** Columns per block of the transpose: a block's output rows stay in L1 while four input rows stream through. */
const TRANSPOSE_BLOCK = 64;

/** OUT (cols, rows) = X^T for X (rows, cols): 4 x 4 tiles transposed in registers, column blocks for locality. */
export function transpose(x: usize, out: usize, rows: i32, cols: i32): void {
  const stride = bytes(rows);
  const rows4 = rows & ~3;
  for (let j0 = 0; j0 < cols; j0 += TRANSPOSE_BLOCK) {
    const j1 = min(cols, j0 + TRANSPOSE_BLOCK);
    const tiled = j0 + ((j1 - j0) & ~3);
    for (let i = 0; i < rows4; i += 4) {
      const r0 = x + bytes(i * cols);
      const r1 = r0 + bytes(cols);
      const r2 = r1 + bytes(cols);
      const r3 = r2 + bytes(cols);
      for (let j = j0; j < tiled; j += 4) transpose4x4(r0, r1, r2, r3, bytes(j), out + bytes(j * rows + i), stride);
      for (let j = tiled; j < j1; j++) {
        for (let q = 0; q < 4; q++) store<f32>(out + bytes(j * rows + i + q), load<f32>(x + bytes((i + q) * cols + j)));
      }
    }
    for (let i = rows4; i < rows; i++) {
      for (let j = j0; j < j1; j++) store<f32>(out + bytes(j * rows + i), load<f32>(x + bytes(i * cols + j)));
    }
  }
}

// Pooling: one generic walk over the output pixels; each kernel is a small final class whose
// inlined `window` handles every channel of one window (`changetype<K>(0)` gives a receiver
// without allocating, as in activations.ts). `corner` is the byte offset in the image of the
// window's top-left pixel, `o` that of the output pixel; `row` is the bytes of one image row.

/** Calls K's `window` for every output pixel (n, oi, oj) in row-major order. */
@inline function pool<K>(a: usize, b: usize, d: usize, m: i32, h: i32, w: i32, c: i32, f: i32, stride: i32, outH: i32, outW: i32): void {
  const k = changetype<K>(0);
  const row = bytes(w * c);
  let o: usize = 0;
  for (let n = 0; n < m; n++) {
    for (let oi = 0; oi < outH; oi++) {
      let corner = bytes((n * h + oi * stride) * w * c);
      for (let oj = 0; oj < outW; oj++) {
        k.window(a, b, d, corner, o, c, f, row);
        corner += bytes(stride * c);
        o += bytes(c);
      }
    }
  }
}

@final class MaxForward {
  /** OUT[o] = the window's maximum per channel (pmax keeps the first of equal values, like `v > best`). */
  @inline window(x: usize, _b: usize, out: usize, corner: usize, o: usize, c: i32, f: i32, row: usize): void {
    for (let ch = 0; ch < c; ch += width(ch, c)) {
      const full = ch + 4 <= c;
      const p = x + corner + bytes(ch);
      let best = load4(p, full);
      for (let di = 0; di < f; di++) {
        for (let dj = 0; dj < f; dj++) best = f32x4.pmax(best, load4(p + <usize>di * row + bytes(dj * c), full));
      }
      store4(out + o + bytes(ch), best, full);
    }
  }
}

/** dx[p + off] += g. */
@inline function addAt(p: usize, g: f32): void {
  store<f32>(p, load<f32>(p) + g);
}

/** Per lane, the byte offset (from w) of the first maximum of the f x f window at w: `v > best` in row-major order. */
@inline function firstMaxOffsets(w: usize, c: i32, f: i32, row: usize, full: bool): v128 {
  let best = load4(w, full);
  let at = i32x4.splat(0);
  for (let di = 0; di < f; di++) {
    for (let dj = 0; dj < f; dj++) {
      const off = <i32>(<usize>di * row + bytes(dj * c));
      const v = load4(w + <usize>off, full);
      const gt = f32x4.gt(v, best);
      best = v128.bitselect(v, best, gt);
      at = v128.bitselect(i32x4.splat(off), at, gt);
    }
  }
  return at;
}

// Max pooling backward with or without ReLU's derivative folded in (X = relu(Z): a gradient is
// kept only where X at the arg-max is > 0, as activationBackward would then keep it).

@final class Plain {
  @inline relu(): bool {
    return false;
  }
}

@final class ReluMasked {
  @inline relu(): bool {
    return true;
  }
}

/** dx[q] += g, unless ReLU's derivative is folded in and X at q (the arg-max) is not > 0. */
@inline function addAtMax<M>(dx: usize, x: usize, q: usize, g: f32): void {
  if (!changetype<M>(0).relu() || load<f32>(x + q) > 0) addAt(dx + q, g);
}

@final class MaxBackward<M> {
  /** Adds dOut[o] at the first maximum of the window, per channel: the arg-max is kept as a byte offset per lane. */
  @inline window(dOut: usize, x: usize, dx: usize, corner: usize, o: usize, c: i32, f: i32, row: usize): void {
    for (let ch = 0; ch < c; ch += width(ch, c)) {
      const full = ch + 4 <= c;
      const p = corner + bytes(ch);
      const at = firstMaxOffsets(x + p, c, f, row, full);
      const g = load4(dOut + o + bytes(ch), full);
      addAtMax<M>(dx, x, p + <usize>i32x4.extract_lane(at, 0), f32x4.extract_lane(g, 0));
      if (full) {
        addAtMax<M>(dx, x, p + 4 + <usize>i32x4.extract_lane(at, 1), f32x4.extract_lane(g, 1));
        addAtMax<M>(dx, x, p + 8 + <usize>i32x4.extract_lane(at, 2), f32x4.extract_lane(g, 2));
        addAtMax<M>(dx, x, p + 12 + <usize>i32x4.extract_lane(at, 3), f32x4.extract_lane(g, 3));
      }
    }
  }
}

/** The lanes of X at the per-lane byte offsets `at` from p (lane k's float at p + 4 k + at[k]); lane 0 alone when not full. */
@inline function gatherAt(p: usize, at: v128, full: bool): v128 {
  let v = v128.load32_splat(p + <usize>i32x4.extract_lane(at, 0));
  if (full) {
    v = f32x4.replace_lane(v, 1, load<f32>(p + 4 + <usize>i32x4.extract_lane(at, 1)));
    v = f32x4.replace_lane(v, 2, load<f32>(p + 8 + <usize>i32x4.extract_lane(at, 2)));
    v = f32x4.replace_lane(v, 3, load<f32>(p + 12 + <usize>i32x4.extract_lane(at, 3)));
  }
  return v;
}

@final class MaxBackwardTiled<M> {
  /**
   * For windows that tile the image (stride f, no rows or columns left over): writes every
   * position of the window, dOut[o] + 0 at the first maximum (what adding it to a zeroed DX
   * gives, -0 becoming +0) and 0 elsewhere, so DX needs no clearing pass before.
   */
  @inline window(dOut: usize, x: usize, dx: usize, corner: usize, o: usize, c: i32, f: i32, row: usize): void {
    const zero = f32x4.splat(0);
    for (let ch = 0; ch < c; ch += width(ch, c)) {
      const full = ch + 4 <= c;
      const p = corner + bytes(ch);
      const at = firstMaxOffsets(x + p, c, f, row, full);
      let g = f32x4.add(load4(dOut + o + bytes(ch), full), zero);
      if (changetype<M>(0).relu()) g = v128.and(g, f32x4.gt(gatherAt(x + p, at, full), zero));
      for (let di = 0; di < f; di++) {
        for (let dj = 0; dj < f; dj++) {
          const off = <i32>(<usize>di * row + bytes(dj * c));
          store4(dx + p + <usize>off, v128.and(g, i32x4.eq(at, i32x4.splat(off))), full);
        }
      }
    }
  }
}

// 2 x 2 windows, the common pooling, unrolled: the same comparisons in the same order as the
// classes above, without their loops over a runtime f.

@final class MaxForward2 {
  @inline window(x: usize, _b: usize, out: usize, corner: usize, o: usize, c: i32, _f: i32, row: usize): void {
    for (let ch = 0; ch < c; ch += width(ch, c)) {
      const full = ch + 4 <= c;
      const p = x + corner + bytes(ch);
      const best = f32x4.pmax(f32x4.pmax(f32x4.pmax(load4(p, full), load4(p + bytes(c), full)), load4(p + row, full)), load4(p + row + bytes(c), full));
      store4(out + o + bytes(ch), best, full);
    }
  }
}

@final class MaxBackwardTiled2<M> {
  /** MaxBackwardTiled for 2 x 2 windows: the mask of the first maximum, then four stores. */
  @inline window(dOut: usize, x: usize, dx: usize, corner: usize, o: usize, c: i32, _f: i32, row: usize): void {
    const zero = f32x4.splat(0);
    const right = bytes(c);
    for (let ch = 0; ch < c; ch += width(ch, c)) {
      const full = ch + 4 <= c;
      const p = corner + bytes(ch);
      const v00 = load4(x + p, full);
      const v01 = load4(x + p + right, full);
      const v10 = load4(x + p + row, full);
      const v11 = load4(x + p + row + right, full);
      // Which of the four is the first maximum, as lane masks (the later ones win only when greater).
      let best = v00;
      const gt01 = f32x4.gt(v01, best);
      best = v128.bitselect(v01, best, gt01);
      const gt10 = f32x4.gt(v10, best);
      best = v128.bitselect(v10, best, gt10);
      const is11 = f32x4.gt(v11, best);
      const is10 = v128.andnot(gt10, is11);
      const is01 = v128.andnot(v128.andnot(gt01, gt10), is11);
      const is00 = v128.not(v128.or(v128.or(gt01, gt10), is11));
      let g = f32x4.add(load4(dOut + o + bytes(ch), full), zero);
      if (changetype<M>(0).relu()) g = v128.and(g, f32x4.gt(v128.bitselect(v11, best, is11), zero));
      store4(dx + p, v128.and(g, is00), full);
      store4(dx + p + right, v128.and(g, is01), full);
      store4(dx + p + row, v128.and(g, is10), full);
      store4(dx + p + row + right, v128.and(g, is11), full);
    }
  }
}

@final class AvgForward {
  /** OUT[o] = the window's sum per channel / (f f). */
  @inline window(x: usize, _b: usize, out: usize, corner: usize, o: usize, c: i32, f: i32, row: usize): void {
    const area = f32x4.splat(<f32>(f * f));
    for (let ch = 0; ch < c; ch += width(ch, c)) {
      const full = ch + 4 <= c;
      const p = x + corner + bytes(ch);
      let s = f32x4.splat(0);
      for (let di = 0; di < f; di++) {
        for (let dj = 0; dj < f; dj++) s = f32x4.add(s, load4(p + <usize>di * row + bytes(dj * c), full));
      }
      store4(out + o + bytes(ch), f32x4.div(s, area), full);
    }
  }
}

@final class AvgBackward {
  /** Adds dOut[o] / (f f) to every position of the window, per channel. */
  @inline window(dOut: usize, _b: usize, dx: usize, corner: usize, o: usize, c: i32, f: i32, row: usize): void {
    const area = f32x4.splat(<f32>(f * f));
    for (let ch = 0; ch < c; ch += width(ch, c)) {
      const full = ch + 4 <= c;
      const g = f32x4.div(load4(dOut + o + bytes(ch), full), area);
      const p = dx + corner + bytes(ch);
      for (let di = 0; di < f; di++) {
        for (let dj = 0; dj < f; dj++) {
          const q = p + <usize>di * row + bytes(dj * c);
          store4(q, f32x4.add(load4(q, full), g), full);
        }
      }
    }
  }
}

/** Max pooling forward; see Kernels.maxPoolForward. */
export function maxPoolForward(x: usize, out: usize, m: i32, h: i32, w: i32, c: i32, f: i32, stride: i32, outH: i32, outW: i32): void {
  if (f == 2) pool<MaxForward2>(x, 0, out, m, h, w, c, f, stride, outH, outW);
  else pool<MaxForward>(x, 0, out, m, h, w, c, f, stride, outH, outW);
}

/** Max pooling backward; see Kernels.maxPoolBackward (`relu` 1: reluMask). */
export function maxPoolBackward(dOut: usize, x: usize, dx: usize, m: i32, h: i32, w: i32, c: i32, f: i32, stride: i32, outH: i32, outW: i32, relu: i32): void {
  if (relu) maxPoolBackwardOf<ReluMasked>(dOut, x, dx, m, h, w, c, f, stride, outH, outW);
  else maxPoolBackwardOf<Plain>(dOut, x, dx, m, h, w, c, f, stride, outH, outW);
}

@inline function maxPoolBackwardOf<M>(dOut: usize, x: usize, dx: usize, m: i32, h: i32, w: i32, c: i32, f: i32, stride: i32, outH: i32, outW: i32): void {
  if (stride == f && outH * f == h && outW * f == w) {
    if (f == 2) pool<MaxBackwardTiled2<M>>(dOut, x, dx, m, h, w, c, f, stride, outH, outW);
    else pool<MaxBackwardTiled<M>>(dOut, x, dx, m, h, w, c, f, stride, outH, outW);
    return;
  }
  memory.fill(dx, 0, bytes(m * h * w * c));
  pool<MaxBackward<M>>(dOut, x, dx, m, h, w, c, f, stride, outH, outW);
}

/** Average pooling forward; see Kernels.avgPoolForward. */
export function avgPoolForward(x: usize, out: usize, m: i32, h: i32, w: i32, c: i32, f: i32, stride: i32, outH: i32, outW: i32): void {
  pool<AvgForward>(x, 0, out, m, h, w, c, f, stride, outH, outW);
}

/** Average pooling backward; see Kernels.avgPoolBackward. */
export function avgPoolBackward(dOut: usize, dx: usize, m: i32, h: i32, w: i32, c: i32, f: i32, stride: i32, outH: i32, outW: i32): void {
  memory.fill(dx, 0, bytes(m * h * w * c));
  pool<AvgBackward>(dOut, 0, dx, m, h, w, c, f, stride, outH, outW);
}

/**
 * Zero padding: OUT (m, h + 2 pad, w + 2 pad, c) = X with `pad` zeros around each image; with
 * `backward`, OUT (m, h, w, c) = the interior of the padded X. Image rows are runs of w c floats.
 */
export function zeroPad(x: usize, out: usize, m: i32, h: i32, w: i32, c: i32, pad: i32, backward: i32): void {
  const run = w * c;
  const padded = (w + 2 * pad) * c;
  const side = pad * c;
  for (let n = 0; n < m; n++) {
    const small = bytes(n * h * run);
    const big = bytes(n * (h + 2 * pad) * padded);
    if (backward) {
      for (let i = 0; i < h; i++) copyRun(out + small + bytes(i * run), x + big + bytes((i + pad) * padded + side), run);
      continue;
    }
    zeroRun(out + big, pad * padded + side);
    for (let i = 0; i < h; i++) {
      const d = out + big + bytes((i + pad) * padded + side);
      copyRun(d, x + small + bytes(i * run), run);
      // The right border of this row and the left border of the next are one run.
      zeroRun(d + bytes(run), i + 1 < h ? 2 * side : side + pad * padded);
    }
  }
}

// Batch normalization per channel. The scratch holds four planes of c doubles (plane k at
// s + 8 c k, see plane()): the per-channel sums, then the coefficients of the last pass. Rows
// are read four channels at a time (one float32x4 widened to two f64x2), the last c % 4
// channels one at a time; every value takes the reference's f64 operations in its order.

/** The address of plane k of the scratch for c channels. */
@inline function plane(s: usize, c: i32, k: i32): usize {
  return s + doubles(c * k);
}

/** Rounds two f64x2 to float32 and stores them as four floats at p. */
@inline function storeDemoted(p: usize, lo: v128, hi: v128): void {
  v128.store(p, v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
}

/** S[j] += (X[j] - M[j])^2 in f64 for j < n (S and M hold n doubles). */
@inline function accumulateSquares(s: usize, x: usize, mu: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const v = v128.load(x + bytes(j));
    const p = s + doubles(j);
    const lo = f64x2.sub(f64x2.promote_low_f32x4(v), v128.load(mu + doubles(j)));
    const hi = f64x2.sub(promoteHigh(v), v128.load(mu + doubles(j), 16));
    v128.store(p, f64x2.add(v128.load(p), f64x2.mul(lo, lo)));
    v128.store(p, f64x2.add(v128.load(p, 16), f64x2.mul(hi, hi)), 16);
  }
  for (; j < n; j++) {
    const d = getF(x, j) - getD(mu, j);
    setD(s, j, getD(s, j) + d * d);
  }
}

/** S0[j] += G[j] and S1[j] += G[j] H[j] in f64 for j < n. */
@inline function accumulateProducts(s0: usize, s1: usize, g: usize, hh: usize, n: i32): void {
  accumulate(s0, g, n);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const gv = v128.load(g + bytes(j));
    const hv = v128.load(hh + bytes(j));
    const p = s1 + doubles(j);
    v128.store(p, f64x2.add(v128.load(p), f64x2.mul(f64x2.promote_low_f32x4(gv), f64x2.promote_low_f32x4(hv))));
    v128.store(p, f64x2.add(v128.load(p, 16), f64x2.mul(promoteHigh(gv), promoteHigh(hv))), 16);
  }
  for (; j < n; j++) setD(s1, j, getD(s1, j) + getF(g, j) * getF(hh, j));
}

@inline function getF(p: usize, i: i32): f64 {
  return <f64>load<f32>(p + bytes(i));
}

@inline function setF(p: usize, i: i32, v: f64): void {
  store<f32>(p + bytes(i), <f32>v);
}

@inline function getD(p: usize, i: i32): f64 {
  return load<f64>(p + doubles(i));
}

@inline function setD(p: usize, i: i32, v: f64): void {
  store<f64>(p + doubles(i), v);
}

/**
 * The per-channel statistics into planes 0 (mean) and 1 (invStd) of the scratch. Training: of
 * the batch, one pass for the sums and one for the squared deviations, also written to mean /
 * invStd and blended into the running statistics; inference: from the running ones.
 */
function channelStatistics(
  z: usize, mean: usize, invStd: usize, runningMean: usize, runningVar: usize, rows: i32, c: i32,
  momentum: f64, oneMinusMomentum: f64, eps: f64, training: i32, s: usize,
): void {
  const s0 = plane(s, c, 0);
  const s1 = plane(s, c, 1);
  if (!training) {
    for (let j = 0; j < c; j++) {
      setD(s0, j, getF(runningMean, j));
      setD(s1, j, 1 / Math.sqrt(getF(runningVar, j) + eps));
    }
    return;
  }
  const count = <f64>rows;
  memory.fill(s0, 0, doubles(2 * c));
  for (let i = 0; i < rows; i++) accumulate(s0, z + bytes(i * c), c);
  for (let j = 0; j < c; j++) setD(s0, j, getD(s0, j) / count);
  for (let i = 0; i < rows; i++) accumulateSquares(s1, z + bytes(i * c), s0, c);
  for (let j = 0; j < c; j++) {
    const mu = getD(s0, j);
    const variance = getD(s1, j) / count;
    const inv = 1 / Math.sqrt(variance + eps);
    setD(s1, j, inv);
    setF(mean, j, mu);
    setF(invStd, j, inv);
    setF(runningMean, j, momentum * getF(runningMean, j) + oneMinusMomentum * mu);
    setF(runningVar, j, momentum * getF(runningVar, j) + oneMinusMomentum * variance);
  }
}

/** Planes k and k + 1 of the scratch = A and B widened to f64 (gamma and beta, or gamma and invStd). */
function widen(s: usize, c: i32, k: i32, a: usize, b: usize): void {
  for (let j = 0; j < c; j++) {
    setD(plane(s, c, k), j, getF(a, j));
    setD(plane(s, c, k + 1), j, getF(b, j));
  }
}

// The last pass of channel batch normalization, over every row: from X and Y (four floats of
// each, widened; Y only when `readsY`) and the four coefficient planes c0..c3 of the scratch,
// `first` gives what is stored at O1 and `second` what is stored at O2 (when `two`). The last c % 4 channels of a row go
// through the same lane functions one value at a time, so they round like the others.

@final class Normalize {
  // X = Z, coefficients mean, invStd, gamma, beta: O1 = Zhat = (Z - mean) invStd, O2 = OUT = gamma Zhat + beta.
  @inline readsY(): bool { return false; }
  @inline two(): bool { return true; }
  @inline first(x: v128, _y: v128, c0: v128, c1: v128, _c2: v128, _c3: v128): v128 {
    return f64x2.mul(f64x2.sub(x, c0), c1);
  }
  @inline second(zhat: v128, c2: v128, c3: v128): v128 {
    return f64x2.add(f64x2.mul(c2, zhat), c3);
  }
}

@final class Backward {
  // X = dOut, Y = Zhat, coefficients mean(G), mean(G Zhat), gamma, invStd (G = gamma dOut):
  // O1 = dZ = invStd (gamma dOut - mean(G) - Zhat mean(G Zhat)), in the reference's order.
  @inline readsY(): bool { return true; }
  @inline two(): bool { return false; }
  @inline first(x: v128, y: v128, c0: v128, c1: v128, c2: v128, c3: v128): v128 {
    return f64x2.mul(c3, f64x2.sub(f64x2.sub(f64x2.mul(c2, x), c0), f64x2.mul(y, c1)));
  }
  @inline second(r: v128, _c2: v128, _c3: v128): v128 {
    return r;
  }
}

/** The last pass of channel batch norm with the lane functions of K; see above. */
@inline function lastPass<K>(x: usize, y: usize, o1: usize, o2: usize, rows: i32, c: i32, scratch: usize): void {
  const k = changetype<K>(0);
  const k1 = doubles(c);
  const k2 = doubles(2 * c);
  const k3 = doubles(3 * c);
  for (let i = 0; i < rows; i++) {
    const off = bytes(i * c);
    let j = 0;
    for (; j + 4 <= c; j += 4) {
      const p = off + bytes(j);
      const xv = v128.load(x + p);
      const yv = k.readsY() ? v128.load(y + p) : xv;
      const d = scratch + doubles(j);
      const c2lo = v128.load(d + k2);
      const c2hi = v128.load(d + k2, 16);
      const c3lo = v128.load(d + k3);
      const c3hi = v128.load(d + k3, 16);
      const lo = k.first(f64x2.promote_low_f32x4(xv), f64x2.promote_low_f32x4(yv), v128.load(d), v128.load(d + k1), c2lo, c3lo);
      const hi = k.first(promoteHigh(xv), promoteHigh(yv), v128.load(d, 16), v128.load(d + k1, 16), c2hi, c3hi);
      storeDemoted(o1 + p, lo, hi);
      if (k.two()) storeDemoted(o2 + p, k.second(lo, c2lo, c3lo), k.second(hi, c2hi, c3hi));
    }
    for (; j < c; j++) {
      const p = off + bytes(j);
      const d = scratch + doubles(j);
      const c2 = v128.load64_splat(d + k2);
      const c3 = v128.load64_splat(d + k3);
      const xs = f64x2.splat(getF(x + p, 0));
      const r = k.first(xs, k.readsY() ? f64x2.splat(getF(y + p, 0)) : xs, v128.load64_splat(d), v128.load64_splat(d + k1), c2, c3);
      setF(o1 + p, 0, f64x2.extract_lane(r, 0));
      if (k.two()) setF(o2 + p, 0, f64x2.extract_lane(k.second(r, c2, c3), 0));
    }
  }
}

/**
 * Channel batch normalization forward over the rows of Z (rows, c); see Kernels.channelBatchNormForward.
 * `scratch` holds 4 c doubles: mean, invStd, gamma, beta.
 */
export function channelBatchNormForward(
  z: usize, gamma: usize, beta: usize, out: usize, zhat: usize, mean: usize, invStd: usize, runningMean: usize, runningVar: usize,
  rows: i32, c: i32, momentum: f64, oneMinusMomentum: f64, eps: f64, training: i32, scratch: usize,
): void {
  channelStatistics(z, mean, invStd, runningMean, runningVar, rows, c, momentum, oneMinusMomentum, eps, training, scratch);
  widen(scratch, c, 2, gamma, beta);
  lastPass<Normalize>(z, z, zhat, out, rows, c, scratch);
}

/**
 * Channel batch normalization backward; see Kernels.channelBatchNormBackward: sums over the rows,
 * dGamma and dBeta divided by m, dZ with means over the rows. dZ may be dOut. `scratch` holds
 * 4 c doubles: mean(G), mean(G Zhat), gamma, invStd (G = gamma dOut).
 */
export function channelBatchNormBackward(
  dOut: usize, zhat: usize, gamma: usize, invStd: usize, dZ: usize, dGamma: usize, dBeta: usize, rows: i32, c: i32, m: i32, scratch: usize,
): void {
  const s0 = plane(scratch, c, 0);
  const s1 = plane(scratch, c, 1);
  memory.fill(scratch, 0, doubles(2 * c));
  for (let i = 0; i < rows; i++) accumulateProducts(s0, s1, dOut + bytes(i * c), zhat + bytes(i * c), c);
  for (let j = 0; j < c; j++) {
    const sg = getD(s0, j);
    const sgh = getD(s1, j);
    setF(dGamma, j, sgh / <f64>m);
    setF(dBeta, j, sg / <f64>m);
    const g = getF(gamma, j);
    setD(s0, j, (g * sg) / <f64>rows);
    setD(s1, j, (g * sgh) / <f64>rows);
  }
  widen(scratch, c, 2, gamma, invStd);
  lastPass<Backward>(dOut, zhat, dZ, 0, rows, c, scratch);
}
