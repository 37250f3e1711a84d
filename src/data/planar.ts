/**
 * Generated 2-D datasets from the course's assignments, all drawn from the one
 * seeded generator so a seed reproduces the data exactly.
 */
import { Rng } from '../random/rng.js';
import { ValueError } from '../tensor/errors.js';
import { allocArray, assertDType, Tensor, type DType } from '../tensor/tensor.js';
import { assertFiniteNumber, assertPositiveInt, assertSeed, describe } from '../tensor/validate.js';

/** A dataset in the course's layout: X (n_x, m), Y (n_y, m). */
export interface Dataset {
  X: Tensor;
  Y: Tensor;
}

/** Options of {@link makeFlower}. */
export interface FlowerOptions {
  /** Total number of points, split evenly between the two classes; default 400. */
  m?: number;
  /** Default 1. */
  seed?: number;
  /** The course's `a`: the longest petal's length, a finite number > 0; default 4. */
  a?: number;
  dtype?: DType;
}

/**
 * The planar "flower" of the course's one-hidden-layer assignment: for class
 * j in {0, 1}, m/2 points with t = linspace(3.12 j, 3.12 (j+1)) + 0.2 randn,
 * r = a sin(4t) + 0.2 randn, x = (r sin t, r cos t). Not linearly separable.
 *
 * @example
 * ```ts
 * import { makeFlower } from 'layerwise';
 * const { X, Y } = makeFlower({ seed: 1 });
 * X.rows === 2 && X.cols === 400; // true
 * Y.rows === 1 && Y.cols === 400; // true
 * ```
 */
export function makeFlower(options: FlowerOptions = {}): Dataset {
  const where = 'makeFlower';
  checkOptions(options, where);
  const m = assertPositiveInt(options.m ?? 400, where, 'm');
  const a = assertFiniteNumber(options.a ?? 4, where, 'a', { min: 0, minOpen: true });
  const { rng, X, Y } = blank(m, options, where);
  const N = Math.floor(m / 2);
  for (let j = 0; j < 2; j++) {
    const n = j === 0 ? N : m - N;
    const t = new Float64Array(n);
    for (let i = 0; i < n; i++) t[i] = j * 3.12 + (n === 1 ? 0 : (3.12 * i) / (n - 1)) + rng.normal() * 0.2;
    for (let i = 0; i < n; i++) {
      const r = a * Math.sin(4 * t[i]!) + rng.normal() * 0.2;
      const col = j * N + i;
      X.data[col] = r * Math.sin(t[i]!);
      X.data[m + col] = r * Math.cos(t[i]!);
      Y.data[col] = j;
    }
  }
  return { X, Y };
}

/** Options of the simple generators. */
export interface BlobOptions {
  m?: number;
  seed?: number;
  /** Standard deviation of the Gaussian noise, a finite number >= 0. */
  noise?: number;
  dtype?: DType;
}

/**
 * Two Gaussian blobs centred at (-2, -2) (label 0) and (2, 2) (label 1):
 * linearly separable for small noise, the logistic-regression case.
 *
 * @example
 * ```ts
 * import { makeBlobs } from 'layerwise';
 * const { X, Y } = makeBlobs({ m: 200, seed: 3 });
 * X.rows === 2 && X.cols === 200 && Y.cols === 200; // true
 * ```
 */
export function makeBlobs(options: BlobOptions = {}): Dataset {
  const where = 'makeBlobs';
  const m = assertPositiveInt(checkOptions(options, where).m ?? 200, where, 'm');
  const noise = checkNoise(options.noise ?? 0.8, where);
  return generate(m, options, where, (rng, i) => {
    const label = i % 2;
    const c = label === 1 ? 2 : -2;
    return [c + rng.normal() * noise, c + rng.normal() * noise, label];
  });
}

/**
 * XOR: points in the four quadrants of [-1, 1]^2, label 1 where x1 * x2 < 0.
 *
 * @example
 * ```ts
 * import { makeXor } from 'layerwise';
 * const { X, Y } = makeXor({ m: 200, seed: 1 });
 * X.rows === 2 && X.cols === 200 && Y.cols === 200; // true
 * ```
 */
export function makeXor(options: BlobOptions = {}): Dataset {
  const where = 'makeXor';
  const m = assertPositiveInt(checkOptions(options, where).m ?? 200, where, 'm');
  const noise = checkNoise(options.noise ?? 0, where);
  return generate(m, options, where, (rng) => {
    let x1 = rng.uniform() * 2 - 1;
    let x2 = rng.uniform() * 2 - 1;
    // keep points off the axes, where the label flips
    x1 += x1 >= 0 ? 0.1 : -0.1;
    x2 += x2 >= 0 ? 0.1 : -0.1;
    const label = x1 * x2 < 0 ? 1 : 0;
    return [x1 + rng.normal() * noise, x2 + rng.normal() * noise, label];
  });
}

/**
 * Two interleaving half circles ("moons"), the course's optimization
 * assignment data: label 0 on the upper moon, 1 on the lower.
 *
 * @example
 * ```ts
 * import { makeMoons } from 'layerwise';
 * const { X, Y } = makeMoons({ m: 300, noise: 0.2, seed: 3 });
 * X.rows === 2 && X.cols === 300 && Y.cols === 300; // true
 * ```
 */
export function makeMoons(options: BlobOptions = {}): Dataset {
  const where = 'makeMoons';
  const m = assertPositiveInt(checkOptions(options, where).m ?? 300, where, 'm');
  const noise = checkNoise(options.noise ?? 0.2, where);
  const half = Math.ceil(m / 2);
  return generate(m, options, where, (rng, i) => {
    const upper = i < half;
    const n = upper ? half : m - half;
    const k = upper ? i : i - half;
    const t = n === 1 ? 0 : (Math.PI * k) / (n - 1);
    const x1 = upper ? Math.cos(t) : 1 - Math.cos(t);
    const x2 = upper ? Math.sin(t) : 0.5 - Math.sin(t);
    return [x1 + rng.normal() * noise, x2 + rng.normal() * noise, upper ? 0 : 1];
  });
}

/** Options of {@link makeCircles}. */
export interface CircleOptions extends BlobOptions {
  /** Radius of the inner circle (the outer one has radius 1), in [0, 1); default 0.8, as in scikit-learn's make_circles. */
  factor?: number;
}

/**
 * Two concentric circles (radius 1: label 0, radius `factor`: label 1), the
 * course's initialization-study data (make_circles with noise 0.05).
 *
 * @example
 * ```ts
 * import { makeCircles } from 'layerwise';
 * const { X, Y } = makeCircles({ m: 300, noise: 0.05, seed: 1 });
 * X.rows === 2 && X.cols === 300 && Y.cols === 300; // true
 * ```
 */
export function makeCircles(options: CircleOptions = {}): Dataset {
  const where = 'makeCircles';
  const m = assertPositiveInt(checkOptions(options, where).m ?? 300, where, 'm');
  const noise = checkNoise(options.noise ?? 0.05, where);
  // scikit-learn's range: at 1 the two classes would lie on one circle.
  const factor = assertFiniteNumber(options.factor ?? 0.8, where, 'factor', { min: 0, max: 1, maxOpen: true });
  return generate(m, options, where, (rng, i) => {
    const inner = i % 2 === 1;
    const t = rng.uniform() * 2 * Math.PI;
    const r = inner ? factor : 1;
    return [r * Math.cos(t) + rng.normal() * noise, r * Math.sin(t) + rng.normal() * noise, inner ? 1 : 0];
  });
}

/**
 * Two interleaved spirals (labels 0 and 1).
 *
 * @example
 * ```ts
 * import { makeSpiral } from 'layerwise';
 * const { X, Y } = makeSpiral({ m: 400, seed: 1 });
 * X.rows === 2 && X.cols === 400 && Y.cols === 400; // true
 * ```
 */
export function makeSpiral(options: BlobOptions = {}): Dataset {
  const where = 'makeSpiral';
  const m = assertPositiveInt(checkOptions(options, where).m ?? 400, where, 'm');
  const noise = checkNoise(options.noise ?? 0.05, where);
  const half = Math.ceil(m / 2);
  return generate(m, options, where, (rng, i) => {
    const label = i < half ? 0 : 1;
    const k = label === 0 ? i : i - half;
    const n = label === 0 ? half : m - half;
    const r = (k / Math.max(1, n)) * 5;
    const t = 1.75 * (k / Math.max(1, n)) * 2 * Math.PI + label * Math.PI;
    return [(r * Math.sin(t)) / 5 + rng.normal() * noise, (r * Math.cos(t)) / 5 + rng.normal() * noise, label];
  });
}

function checkOptions<T>(options: T, where: string): T {
  if (options === null || typeof options !== 'object') throw new ValueError(`${where}: options: expected an object, got ${describe(options)}`);
  return options;
}

function checkNoise(noise: unknown, where: string): number {
  return assertFiniteNumber(noise, where, 'noise', { min: 0 });
}

/** The seeded generator and the (2, m) X and (1, m) Y a generator fills, with the seed and dtype checked under `where`. */
function blank(m: number, options: { seed?: number; dtype?: DType }, where: string): Dataset & { rng: Rng } {
  const rng = new Rng(assertSeed(options.seed ?? 1, where));
  const dtype = assertDType(options.dtype ?? 'float32', where);
  return { rng, X: new Tensor([2, m], allocArray(2 * m, dtype)), Y: new Tensor([1, m], allocArray(m, dtype)) };
}

function generate(m: number, options: BlobOptions, where: string, point: (rng: Rng, i: number) => [number, number, number]): Dataset {
  const { rng, X, Y } = blank(m, options, where);
  for (let i = 0; i < m; i++) {
    const [x1, x2, y] = point(rng, i);
    X.data[i] = x1;
    X.data[m + i] = x2;
    Y.data[i] = y;
  }
  return { X, Y };
}
