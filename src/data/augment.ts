/**
 * Data augmentation for image batches (m, n_H, n_W, n_C), seeded, in place:
 * horizontal flips, random shifts (a crop of the zero-padded image), small
 * rotations about the centre and brightness changes. Each example draws its
 * transform from the network's generator, so the same seed gives the same
 * run; `fit` applies it to the training batches only, never to dev or test.
 *
 * Flip, shift and rotation are one inverse map per output pixel, sampled
 * bilinearly with zeros outside the image; brightness adds one offset to
 * every value of the example.
 */
import type { Rng } from '../random/rng.js';
import { ValueError } from '../tensor/errors.js';
import type { FloatArray } from '../tensor/tensor.js';
import { assertKnownKeys, describe } from '../tensor/validate.js';

/** What to vary, and by how much. Everything is off unless given. */
export interface AugmentOptions {
  /** Mirror left-right with probability 1/2. */
  flip?: boolean;
  /** Shift by a whole number of pixels drawn uniformly in [-shift, shift] on each axis (zeros come in). */
  shift?: number;
  /** Rotate by an angle drawn uniformly in [-rotate, rotate] degrees about the centre. */
  rotate?: number;
  /** Add an offset drawn uniformly in [-brightness, brightness] to every value. */
  brightness?: number;
}

const KEYS: readonly (keyof AugmentOptions)[] = ['flip', 'shift', 'rotate', 'brightness'];

/** Checks augmentation options; returns them complete. */
export function resolveAugment(value: unknown, where: string, name = 'augment'): Required<AugmentOptions> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ValueError(`${where}: ${name}: expected { flip?, shift?, rotate?, brightness? }, got ${describe(value)}`);
  assertKnownKeys(value, KEYS, where, `${name}.`);
  const o = value as AugmentOptions;
  if (o.flip !== undefined && typeof o.flip !== 'boolean') throw new ValueError(`${where}: ${name}.flip: expected true or false, got ${describe(o.flip)}`);
  const shift = o.shift ?? 0;
  if (typeof shift !== 'number' || !Number.isInteger(shift) || shift < 0) throw new ValueError(`${where}: ${name}.shift: expected a whole number of pixels >= 0, got ${describe(shift)}`);
  const rotate = o.rotate ?? 0;
  if (typeof rotate !== 'number' || !(rotate >= 0 && rotate <= 180)) throw new ValueError(`${where}: ${name}.rotate: expected degrees in [0, 180], got ${describe(rotate)}`);
  const brightness = o.brightness ?? 0;
  if (typeof brightness !== 'number' || !Number.isFinite(brightness) || brightness < 0) throw new ValueError(`${where}: ${name}.brightness: expected a finite number >= 0, got ${describe(brightness)}`);
  return { flip: o.flip ?? false, shift, rotate, brightness };
}

/**
 * Augments a batch in place. `scratch` holds one example (h w c values); nothing is allocated.
 *
 * @example
 * ```ts
 * import { augmentBatch, Rng } from 'layerwise';
 * const img = Float32Array.from([1, 2, 3, 4]); // one 2x2x1 image
 * augmentBatch(img, 1, 2, 2, 1, { flip: true, shift: 0, rotate: 0, brightness: 0 }, new Rng(3), new Float32Array(4));
 * [[1, 2, 3, 4], [2, 1, 4, 3]].some((v) => v.join() === Array.from(img).join()); // true
 * ```
 */
export function augmentBatch(data: FloatArray, m: number, h: number, w: number, c: number, o: Required<AugmentOptions>, rng: Rng, scratch: FloatArray): void {
  const n = h * w * c;
  const cy = (h - 1) / 2;
  const cx = (w - 1) / 2;
  for (let e = 0; e < m; e++) {
    const flip = o.flip && rng.uniform() < 0.5;
    const dy = o.shift > 0 ? Math.floor(rng.uniform() * (2 * o.shift + 1)) - o.shift : 0;
    const dx = o.shift > 0 ? Math.floor(rng.uniform() * (2 * o.shift + 1)) - o.shift : 0;
    const angle = o.rotate > 0 ? ((2 * rng.uniform() - 1) * o.rotate * Math.PI) / 180 : 0;
    const bright = o.brightness > 0 ? (2 * rng.uniform() - 1) * o.brightness : 0;
    const base = e * n;
    if (!flip && dy === 0 && dx === 0 && angle === 0) {
      if (bright !== 0) for (let i = 0; i < n; i++) data[base + i] = data[base + i]! + bright;
      continue;
    }
    for (let i = 0; i < n; i++) scratch[i] = data[base + i]!;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        // Output (i, j) reads the source point the inverse map sends it to: undo the shift, the rotation, then the flip.
        const y = i - dy - cy;
        const x = j - dx - cx;
        const sy = cos * y + sin * x + cy;
        let sx = -sin * y + cos * x + cx;
        if (flip) sx = w - 1 - sx;
        writePixel(data, base + (i * w + j) * c, scratch, sy, sx, h, w, c, bright);
      }
    }
  }
}

/** Bilinear sample of `src` (h, w, c) at (sy, sx), zeros outside, plus `bright`, into dst[at .. at + c). */
function writePixel(dst: FloatArray, at: number, src: FloatArray, sy: number, sx: number, h: number, w: number, c: number, bright: number): void {
  const y0 = Math.floor(sy);
  const x0 = Math.floor(sx);
  const fy = sy - y0;
  const fx = sx - x0;
  for (let k = 0; k < c; k++) {
    const v =
      (1 - fy) * ((1 - fx) * at2(src, y0, x0, k, h, w, c) + fx * at2(src, y0, x0 + 1, k, h, w, c)) +
      fy * ((1 - fx) * at2(src, y0 + 1, x0, k, h, w, c) + fx * at2(src, y0 + 1, x0 + 1, k, h, w, c));
    dst[at + k] = v + bright;
  }
}

function at2(src: FloatArray, y: number, x: number, k: number, h: number, w: number, c: number): number {
  return y < 0 || y >= h || x < 0 || x >= w ? 0 : src[(y * w + x) * c + k]!;
}
