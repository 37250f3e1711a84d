/**
 * Moving between row-per-example data (CSV rows, image batches) and the
 * course's column-per-example layout.
 */
import { formatShape, ShapeError, ValueError } from '../tensor/errors.js';
import { allocArray, Tensor, type DType } from '../tensor/tensor.js';
import { transposeInto } from '../tensor/transpose.js';
import { assertPositiveInt, describe, toTensor, type TensorLike } from '../tensor/validate.js';

/**
 * Flattens a batch of images of shape (a, b, c, d), e.g. (m, 64, 64, 3), into
 * the course's X of shape (b*c*d, a): one column per image, the pixels in
 * row-major order (numpy's `X.reshape(X.shape[0], -1).T`).
 *
 * @example
 * ```ts
 * import { flattenImages, tensor } from 'layerwise';
 * const imgs = tensor([1, 2, 3, 4, 5, 6, 7, 8], { shape: [2, 2, 2, 1] });
 * flattenImages(imgs).toArray(); // [[1, 5], [2, 6], [3, 7], [4, 8]]
 * flattenImages(imgs).get(0, 1) === 5; // true
 * ```
 */
export function flattenImages(images: TensorLike): Tensor {
  const where = 'flattenImages';
  const t = toTensor(images, where, 'images');
  if (t.shape.length < 2) throw new ShapeError(`${where}: images: expected shape (a, b, c, d) with a images, got ${formatShape(t.shape)}`);
  const a = t.shape[0]!;
  const n = t.size / a;
  const out = new Tensor([n, a], allocArray(t.size, t.dtype));
  transposeInto(t.data, a, n, out.data);
  return out;
}

/**
 * The inverse of {@link flattenImages}: the course's X of shape (n_H n_W n_C, m)
 * (one column per image, pixels in row-major (h, w, c) order, as Flatten
 * writes them) back into images (m, n_H, n_W, n_C).
 *
 * @example
 * ```ts
 * import { flattenImages, imagesFromColumns, tensor } from 'layerwise';
 * const imgs = tensor([1, 2, 3, 4, 5, 6, 7, 8], { shape: [2, 2, 2, 1] });
 * imagesFromColumns(flattenImages(imgs), [2, 2, 1]).data.join() === '1,2,3,4,5,6,7,8'; // true
 * ```
 */
export function imagesFromColumns(x: TensorLike, shape: readonly [number, number, number]): Tensor {
  const where = 'imagesFromColumns';
  const t = toTensor(x, where, 'X');
  if (!Array.isArray(shape) || shape.length !== 3) throw new ValueError(`${where}: shape: expected [n_H, n_W, n_C], got ${describe(shape)}`);
  const [h, w, c] = shape.map((d, i) => assertPositiveInt(d, where, `shape[${i}]`)) as [number, number, number];
  const n = h * w * c;
  if (t.shape.length !== 2 || t.rows !== n) throw new ShapeError(`${where}: X: expected shape (${n}, m) = (n_H n_W n_C, m) for images of ${h} x ${w} x ${c}, got ${formatShape(t.shape)}`);
  const m = t.cols;
  const out = new Tensor([m, h, w, c], allocArray(t.size, t.dtype));
  transposeInto(t.data, n, m, out.data);
  return out;
}

/**
 * Builds X of shape (n_x, m) from rows that are examples.
 *
 * @example
 * ```ts
 * import { fromRows } from 'layerwise';
 * const X = fromRows([[1, 2], [3, 4], [5, 6]]); // 2 features, 3 examples
 * X.rows === 2 && X.cols === 3 && X.get(1, 0) === 2; // true
 * ```
 */
export function fromRows(rows: readonly (readonly number[])[], dtype: DType = 'float32'): Tensor {
  const where = 'fromRows';
  if (!Array.isArray(rows) || rows.length === 0) throw new ShapeError(`${where}: rows: expected at least one row (example), got ${Array.isArray(rows) ? 'none' : typeof rows}`);
  const m = rows.length;
  const first: unknown = rows[0];
  if (!Array.isArray(first)) throw new ShapeError(`${where}: rows: row 0: expected an array of numbers (one per feature), got ${describe(first)}`);
  const n = first.length;
  if (n === 0) throw new ShapeError(`${where}: rows: row 0: expected at least one value (feature), got an empty row`);
  const out = new Tensor([n, m], allocArray(n * m, dtype, where));
  for (let j = 0; j < m; j++) {
    const row: unknown = rows[j];
    if (!Array.isArray(row) || row.length !== n) {
      throw new ShapeError(`${where}: rows: row ${j}: expected ${n} values like row 0, got ${Array.isArray(row) ? row.length : describe(row)}`);
    }
    for (let i = 0; i < n; i++) {
      const v: unknown = row[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${where}: rows: expected a finite number at row ${j}, column ${i}, got ${describe(v)}`);
      out.data[i * m + j] = v;
    }
  }
  return out;
}

/**
 * The inverse of {@link fromRows}: one array per example (column).
 *
 * @example
 * ```ts
 * import { toRows, tensor } from 'layerwise';
 * toRows(tensor([[1, 3, 5], [2, 4, 6]])); // [[1, 2], [3, 4], [5, 6]]
 * toRows([[1, 3]])[1]![0] === 3; // true
 * ```
 */
export function toRows(x: TensorLike): number[][] {
  const X = toTensor(x, 'toRows', 'X');
  const { rows, cols } = X;
  const out: number[][] = [];
  for (let j = 0; j < cols; j++) {
    const r: number[] = [];
    for (let i = 0; i < rows; i++) r.push(X.data[i * cols + j]!);
    out.push(r);
  }
  return out;
}

/**
 * One-hot targets of shape (C, m) from integer class labels 0..C-1.
 *
 * @example
 * ```ts
 * import { oneHot } from 'layerwise';
 * oneHot([2, 0, 1], 3).toArray(); // [[0, 1, 0], [0, 0, 1], [1, 0, 0]]
 * JSON.stringify(oneHot([2, 0, 1], 3).toArray()) === '[[0,1,0],[0,0,1],[1,0,0]]'; // true
 * ```
 */
export function oneHot(labels: readonly number[] | Tensor, numClasses: number, dtype: DType = 'float32'): Tensor {
  const where = 'oneHot';
  const C = assertPositiveInt(numClasses, where, 'numClasses');
  const values = labels instanceof Tensor ? Array.from(labels.data) : labels;
  if (!Array.isArray(values) && !(labels instanceof Tensor)) throw new ValueError(`${where}: labels: expected an array of class indices, got ${typeof labels}`);
  const m = values.length;
  if (m === 0) throw new ShapeError(`${where}: labels: expected at least one label, got none`);
  const out = new Tensor([C, m], allocArray(C * m, dtype, where));
  values.forEach((v, j) => {
    if (!Number.isInteger(v) || v < 0 || v >= C) throw new ValueError(`${where}: labels: expected an integer in [0, ${C - 1}] at index ${j}, got ${describe(v)}`);
    out.data[v * m + j] = 1;
  });
  return out;
}
