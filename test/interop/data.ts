/**
 * Small deterministic data for the interop tests, and the layout conversions
 * between layerwise ((n, m) columns, (m, h, w, c) images) and the other
 * runtimes ((batch, n) rows, NHWC images).
 */
import { Rng, Tensor, oneHot } from '../../src/index.js';

/** m examples of n features in classes separated by a linear rule: X (n, m), Y one-hot (classes, m). */
export function tabular(m: number, n: number, classes: number, seed: number, scale = 1, shift = 0): { X: Tensor; Y: Tensor; labels: number[] } {
  const rng = new Rng(seed);
  const X = new Tensor([n, m], new Float32Array(n * m));
  const labels: number[] = [];
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const v = rng.normal();
      X.data[i * m + j] = v * scale + shift;
      s += v * (i + 1);
    }
    labels.push(Math.min(classes - 1, Math.max(0, Math.floor((s / n + 1) * (classes / 2)))));
  }
  return { X, Y: oneHot(labels, classes), labels };
}

/** m images (m, h, w, c) with values in [0, 1) and labels from their brightest quadrant: Y one-hot (classes, m). */
export function images(m: number, h: number, w: number, c: number, classes: number, seed: number): { X: Tensor; Y: Tensor } {
  const rng = new Rng(seed);
  const X = new Tensor([m, h, w, c], new Float32Array(m * h * w * c));
  const labels: number[] = [];
  for (let e = 0; e < m; e++) {
    const label = rng.int(classes);
    labels.push(label);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const bright = (y < h / 2 ? 0 : 2) + (x < w / 2 ? 0 : 1) === label % 4 ? 0.6 : 0;
        for (let k = 0; k < c; k++) X.data[((e * h + y) * w + x) * c + k] = Math.min(0.999, bright + rng.uniform() * 0.4);
      }
    }
  }
  return { X, Y: oneHot(labels, classes) };
}

/** (n, m) columns as (m, n) rows: what ONNX and TF.js take and give. */
export function rows(A: Tensor): Float32Array {
  const [n, m] = A.shape as [number, number];
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[j * n + i] = A.data[i * m + j]!;
  return out;
}

/** The largest |a - b| over matching values. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}
