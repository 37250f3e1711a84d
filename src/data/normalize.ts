/**
 * Input standardization, x := (x - mu) / sigma per feature, with mu and sigma
 * from the training set only: the dev and test sets (and every input at
 * inference) must go through the same transformation, or the network sees
 * inputs from another distribution than the one it was trained on.
 */
import { formatShape, ShapeError, ValueError } from '../tensor/errors.js';
import { allocArray, Tensor } from '../tensor/tensor.js';
import { assertFinite, assertMatrix, assertNonEmpty, describe, toTensor, type TensorLike } from '../tensor/validate.js';

/**
 * The smallest non-zero sigma a standardizer accepts: float32's smallest
 * normal number, 2^-126. Below it 1/sigma overflows float32 and a feature's
 * values (x - mu) / sigma become Infinity; such a feature needs rescaling
 * before it is standardized.
 */
export const STANDARDIZER_MIN_STD = 1.1754943508222875e-38;

/** float32's largest finite value: a float32 output beyond it rounds to Infinity. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** The JSON form of a {@link Standardizer}, to store next to a model. */
export interface StandardizerJSON {
  kind: 'standardizer';
  version: 1;
  /** mu, one value per feature. */
  mean: number[];
  /** sigma (population, 1/m), one value per feature; 0 for a constant feature, else >= {@link STANDARDIZER_MIN_STD}. */
  std: number[];
}

/**
 * Per-feature mean and standard deviation of a training set, applied to any
 * X of shape (n_x, m).
 *
 * The standard deviation is the population one, sigma^2 = (1/m) sum (x - mu)^2,
 * as in the course. A feature that is constant in the training set (sigma = 0)
 * is only centred (divided by 1), never divided by 0, and is named in
 * `warnings`. The statistics are computed in float64, in two passes over the
 * values minus the feature's first value, so a constant feature has exactly
 * sigma = 0 however large m is (one pass would leave rounding noise there, and
 * dividing by that noise would blow the feature up).
 *
 * @example
 * ```ts
 * import { Standardizer, split, makeFlower } from 'layerwise';
 * const { X, Y } = makeFlower({ seed: 1 });
 * const { train, dev } = split(X, Y, { ratios: [0.8, 0.2] });
 * const scaler = Standardizer.fit(train.X);
 * const Xtrain = scaler.transform(train.X); // mean 0, std 1 per row
 * const Xdev = scaler.transform(dev.X);     // the training set's mu and sigma
 * const saved = JSON.stringify(scaler);     // travels with the model
 * const again = Standardizer.fromJSON(JSON.parse(saved));
 * again.transform(dev.X).get(0, 0) === Xdev.get(0, 0); // true
 * ```
 */
export class Standardizer {
  /** mu, (n_x, 1) float64. */
  readonly mean: Tensor;
  /** sigma, (n_x, 1) float64; 0 for a feature that was constant in the training set. */
  readonly std: Tensor;
  /** One line per constant feature; empty when every feature varies. */
  readonly warnings: readonly string[];
  /** What each feature is divided by: sigma, or 1 where sigma is 0. */
  private readonly divisor: Float64Array;

  private constructor(mean: Float64Array, std: Float64Array) {
    const n = mean.length;
    this.mean = new Tensor([n, 1], mean);
    this.std = new Tensor([n, 1], std);
    this.divisor = std.map((s) => (s === 0 ? 1 : s));
    const warnings: string[] = [];
    std.forEach((s, i) => {
      if (s === 0) warnings.push(`feature ${i} (row ${i}) has zero variance in the training data (every value is ${mean[i]}): it is centred but not scaled`);
    });
    this.warnings = Object.freeze(warnings);
  }

  /** n_x, the number of features. */
  get features(): number {
    return this.divisor.length;
  }

  /**
   * Computes mu and sigma of each row of a training set X (n_x, m).
   *
   * @example
   * ```ts
   * import { Standardizer } from 'layerwise';
   * const s = Standardizer.fit([[1, 2, 3], [10, 10, 10]]);
   * s.mean.get(0, 0) === 2 && s.mean.get(1, 0) === 10; // true
   * s.warnings;       // ['feature 1 (row 1) has zero variance ...']
   * ```
   */
  static fit(x: TensorLike): Standardizer {
    const where = 'Standardizer.fit';
    const X = assertMatrix(toTensor(x, where, 'X'), where, 'X');
    assertNonEmpty(X, where, 'X');
    assertFinite(X, where, 'X');
    const { rows, cols } = X;
    const mean = new Float64Array(rows);
    const std = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      const off = i * cols;
      const shift = X.data[off]!;
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += X.data[off + j]! - shift;
      const mu = sum / cols;
      // Two passes over the shifted values: no cancellation, and exactly 0 for a constant row.
      let sumSq = 0;
      for (let j = 0; j < cols; j++) {
        const d = X.data[off + j]! - shift - mu;
        sumSq += d * d;
      }
      mean[i] = shift + mu;
      std[i] = Math.sqrt(sumSq / cols);
      if (std[i]! > 0 && std[i]! < STANDARDIZER_MIN_STD) {
        throw new ValueError(
          `${where}: X: expected each feature's standard deviation to be 0 or >= ${STANDARDIZER_MIN_STD} (float32's smallest normal; dividing by less overflows), got ${std[i]} in row ${i}: rescale that feature first`,
        );
      }
    }
    return new Standardizer(mean, std);
  }

  /**
   * (X - mu) / sigma as a new tensor of X's dtype. X may have any number of
   * columns, none included, but must have n_x rows.
   *
   * @example
   * ```ts
   * import { Standardizer } from 'layerwise';
   * const s = Standardizer.fit([[0, 2, 4]]);
   * s.transform([[2, 6]]).toArray(); // [[0, 2.449...]] (sigma = sqrt(8/3))
   * Math.abs(s.transform([[6]]).get(0, 0) - 4 / Math.sqrt(8 / 3)) < 1e-6; // true
   * ```
   */
  transform(x: TensorLike): Tensor {
    const X = this.check(x, 'Standardizer.transform');
    const out = new Tensor(X.shape, allocArray(X.size, X.dtype));
    this.standardize(X, out, 'Standardizer.transform');
    return out;
  }

  /**
   * Standardizes X in place (no copy) and returns it.
   *
   * @example
   * ```ts
   * import { Standardizer, tensor } from 'layerwise';
   * const X = tensor([[0, 2, 4]]);
   * Standardizer.fit(X).transformInPlace(X); // X is now [[-1.22, 0, 1.22]]
   * ```
   */
  transformInPlace(x: Tensor): Tensor {
    const where = 'Standardizer.transformInPlace';
    if (!(x instanceof Tensor)) throw new ValueError(`${where}: X: expected a Tensor (nested arrays cannot be changed in place), got ${describe(x)}`);
    const X = this.check(x, where);
    // Checked before any value is written, so a failure leaves X unchanged.
    this.standardize(X, null, where);
    this.standardize(X, X, null);
    return X;
  }

  /**
   * The inverse of {@link Standardizer.transform}: x * sigma + mu as a new
   * tensor of X's dtype (sigma taken as 1 for a constant feature, as in
   * transform). It maps a network's outputs trained on standardized targets
   * back to the targets' own units.
   *
   * @example
   * ```ts
   * import { Standardizer } from 'layerwise';
   * const s = Standardizer.fit([[100, 200, 300]]);
   * const scaled = s.transform([[150, 300]]);
   * const back = s.inverseTransform(scaled);
   * Math.abs(back.get(0, 0) - 150) < 1e-3 && Math.abs(back.get(0, 1) - 300) < 1e-3; // true
   * ```
   */
  inverseTransform(x: TensorLike): Tensor {
    const where = 'Standardizer.inverseTransform';
    const X = this.check(x, where);
    const out = new Tensor(X.shape, allocArray(X.size, X.dtype));
    const { rows, cols } = X;
    const limit = X.dtype === 'float32' ? FLOAT32_MAX : Number.MAX_VALUE;
    for (let i = 0; i < rows; i++) {
      const mu = this.mean.data[i]!;
      const sigma = this.divisor[i]!;
      const off = i * cols;
      for (let j = 0; j < cols; j++) {
        const v = X.data[off + j]! * sigma + mu;
        if (!(Math.abs(v) <= limit)) {
          throw new ValueError(`${where}: X: expected values whose value x * std + mean fits ${X.dtype}, got ${X.data[off + j]} at row ${i}, column ${j} (mean ${mu}, std ${sigma}, giving ${v})`);
        }
        out.data[off + j] = v;
      }
    }
    return out;
  }

  /**
   * The statistics as plain JSON (what `JSON.stringify` writes).
   *
   * @example
   * ```ts
   * import { Standardizer } from 'layerwise';
   * Standardizer.fit([[0, 2, 4]]).toJSON(); // { kind: 'standardizer', version: 1, mean: [2], std: [1.63...] }
   * ```
   */
  toJSON(): StandardizerJSON {
    return { kind: 'standardizer', version: 1, mean: Array.from(this.mean.data), std: Array.from(this.std.data) };
  }

  /**
   * Rebuilds a standardizer from {@link Standardizer.toJSON}'s output (or
   * that output as a JSON string), checking every field.
   *
   * @example
   * ```ts
   * import { Standardizer } from 'layerwise';
   * const s = Standardizer.fromJSON({ kind: 'standardizer', version: 1, mean: [2], std: [0.5] });
   * s.transform([[3]]).get(0, 0) === 2; // true
   * ```
   */
  static fromJSON(json: unknown): Standardizer {
    const where = 'Standardizer.fromJSON';
    let value = json;
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value) as unknown;
      } catch (e) {
        throw new ValueError(`${where}: json: expected valid JSON text, got a string that does not parse (${e instanceof Error ? e.message : String(e)})`);
      }
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ValueError(`${where}: json: expected an object { kind: "standardizer", version: 1, mean, std }, got ${describe(value)}`);
    }
    const obj = value as Record<string, unknown>;
    if (obj.kind !== 'standardizer') throw new ValueError(`${where}: kind: expected "standardizer", got ${describe(obj.kind)}`);
    if (obj.version !== 1) throw new ValueError(`${where}: version: expected 1, got ${describe(obj.version)}`);
    const mean = numberArray(obj.mean, where, 'mean', false);
    const std = numberArray(obj.std, where, 'std', true);
    if (std.length !== mean.length) {
      throw new ValueError(`${where}: std: expected ${mean.length} values (one per feature, like mean), got ${std.length}`);
    }
    const tiny = std.findIndex((s) => s > 0 && s < STANDARDIZER_MIN_STD);
    if (tiny >= 0) {
      throw new ValueError(
        `${where}: std: expected 0 (a constant feature) or a number >= ${STANDARDIZER_MIN_STD} (float32's smallest normal; dividing by less overflows), got ${std[tiny]} at index ${tiny}`,
      );
    }
    return new Standardizer(mean, std);
  }

  private check(x: TensorLike, where: string): Tensor {
    const X = assertMatrix(toTensor(x, where, 'X'), where, 'X');
    if (X.rows !== this.features) {
      throw new ShapeError(`${where}: X: expected ${this.features} features (rows) like the training data, got ${X.rows} (shape ${formatShape(X.shape)})`);
    }
    assertFinite(X, where, 'X');
    return X;
  }

  /**
   * (x - mu) / sigma for every value of X, written to `out` when given, and,
   * when `where` is given, checked to be finite in X's dtype (a value far from
   * mu over a small sigma can pass float32's range even when X and sigma are
   * fine). One loop serves the check alone (before an in-place write, so a
   * failure leaves X unchanged), the checked copy and the plain write.
   */
  private standardize(X: Tensor, out: Tensor | null, where: string | null): void {
    const { rows, cols } = X;
    const limit = X.dtype === 'float32' ? FLOAT32_MAX : Number.MAX_VALUE;
    for (let i = 0; i < rows; i++) {
      const mu = this.mean.data[i]!;
      const inv = 1 / this.divisor[i]!;
      const off = i * cols;
      for (let j = 0; j < cols; j++) {
        const x = X.data[off + j]!;
        const v = (x - mu) * inv;
        if (where !== null && !(Math.abs(v) <= limit)) {
          throw new ValueError(
            `${where}: X: expected values whose standardized value (x - mean) / std fits ${X.dtype}, got ${x} at row ${i}, column ${j} (mean ${mu}, std ${this.std.data[i]}, giving ${v})`,
          );
        }
        if (out !== null) out.data[off + j] = v;
      }
    }
  }
}

function numberArray(value: unknown, where: string, name: string, nonNegative: boolean): Float64Array {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ValueError(`${where}: ${name}: expected a non-empty array of numbers (one per feature), got ${describe(value)}`);
  }
  const out = new Float64Array(value.length);
  value.forEach((v: unknown, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || (nonNegative && v < 0)) {
      const what = nonNegative ? 'finite numbers >= 0' : 'finite numbers';
      throw new ValueError(`${where}: ${name}: expected ${what}, got ${describe(v)} at index ${i}`);
    }
    out[i] = v;
  });
  return out;
}
