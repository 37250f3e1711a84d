/**
 * A drawn digit to what the network saw in training, the way MNIST was made:
 * the ink's bounding box scaled (keeping its aspect) to fit a 20x20 box,
 * averaged down to grey levels, then placed in a 28x28 field so that its
 * centre of mass sits at the centre. Pure arithmetic, tested in Node.
 */

/** `ink` is w x h values in [0, 1] (1 = full ink), row-major. Returns 784 grey levels in [0, 1]; all zero when nothing is drawn. */
export function digitize(ink: ArrayLike<number>, w: number, h: number): Float32Array {
  const out = new Float32Array(784);
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (ink[y * w + x]! > 0.05) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return out;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = 20 / Math.max(bw, bh);
  const sw = Math.max(1, Math.round(bw * scale));
  const sh = Math.max(1, Math.round(bh * scale));
  // Box-filter the bounding box down to sw x sh: each small pixel averages the source pixels it covers.
  const small = new Float32Array(sw * sh);
  for (let sy = 0; sy < sh; sy++) {
    const ya = y0 + (sy * bh) / sh;
    const yb = y0 + ((sy + 1) * bh) / sh;
    for (let sx = 0; sx < sw; sx++) {
      const xa = x0 + (sx * bw) / sw;
      const xb = x0 + ((sx + 1) * bw) / sw;
      let sum = 0;
      let area = 0;
      for (let y = Math.floor(ya); y < Math.ceil(yb); y++) {
        const wy = Math.min(yb, y + 1) - Math.max(ya, y);
        for (let x = Math.floor(xa); x < Math.ceil(xb); x++) {
          const wx = Math.min(xb, x + 1) - Math.max(xa, x);
          sum += ink[y * w + x]! * wx * wy;
          area += wx * wy;
        }
      }
      small[sy * sw + sx] = area > 0 ? sum / area : 0;
    }
  }
  // Centre of mass of the small image, moved to (14, 14) (rounded to whole pixels, clipped to the field).
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      const v = small[y * sw + x]!;
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  }
  const ox = Math.max(0, Math.min(28 - sw, Math.round(14 - cx / mass)));
  const oy = Math.max(0, Math.min(28 - sh, Math.round(14 - cy / mass)));
  for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) out[(oy + y) * 28 + ox + x] = Math.min(1, small[y * sw + x]!);
  return out;
}
