import { describe, expect, it } from 'vitest';
import { Rng, ShapeError, split, Standardizer, tensor, Tensor, ValueError } from '../../src/index.js';

/** Row-wise mean and population std. */
function rowStats(X: Tensor): { mean: number[]; std: number[] } {
  const mean: number[] = [];
  const std: number[] = [];
  for (let i = 0; i < X.rows; i++) {
    let s = 0;
    for (let j = 0; j < X.cols; j++) s += X.get(i, j);
    const mu = s / X.cols;
    let v = 0;
    for (let j = 0; j < X.cols; j++) v += (X.get(i, j) - mu) ** 2;
    mean.push(mu);
    std.push(Math.sqrt(v / X.cols));
  }
  return { mean, std };
}

/** Three features on very different scales: ~N(5, 2), ~N(-300, 50), ~N(0.001, 0.0001). */
function features(m: number, seed: number): Tensor {
  const rng = new Rng(seed);
  const X = new Tensor([3, m], new Float32Array(3 * m));
  for (let j = 0; j < m; j++) {
    X.set(0, j, 5 + 2 * rng.normal());
    X.set(1, j, -300 + 50 * rng.normal());
    X.set(2, j, 0.001 + 0.0001 * rng.normal());
  }
  return X;
}

describe('Standardizer', () => {
  it('gives the training set mean 0 and std 1 per feature (within 1e-5, float32)', () => {
    const X = features(500, 1);
    const s = Standardizer.fit(X);
    const Z = s.transform(X);
    expect(Z.shape).toEqual([3, 500]);
    expect(Z.dtype).toBe('float32');
    const { mean, std } = rowStats(Z);
    for (let i = 0; i < 3; i++) {
      expect(Math.abs(mean[i]!)).toBeLessThan(1e-5);
      expect(Math.abs(std[i]! - 1)).toBeLessThan(1e-5);
    }
    expect(s.warnings).toEqual([]);
    expect(X.get(1, 0)).not.toBeCloseTo(Z.get(1, 0)); // transform did not touch X
  });

  it('the dev set is transformed with the training set\'s statistics, not its own', () => {
    const X = features(400, 2);
    const { train, dev } = split(X, tensor([new Array<number>(400).fill(0)]), { ratios: [0.75, 0.25], seed: 3 });
    const s = Standardizer.fit(train.X);
    const own = rowStats(dev.X);
    const Zdev = s.transform(dev.X);
    for (let i = 0; i < 3; i++) {
      const mu = s.mean.get(i, 0);
      const sigma = s.std.get(i, 0);
      expect(mu).not.toBe(own.mean[i]);
      for (let j = 0; j < 5; j++) expect(Zdev.get(i, j)).toBeCloseTo((dev.X.get(i, j) - mu) / sigma, 4);
    }
    // The dev set is close to, but not exactly, mean 0 / std 1: it was not fitted on.
    const { mean } = rowStats(Zdev);
    expect(mean.some((v) => Math.abs(v) > 1e-3)).toBe(true);
    expect(mean.every((v) => Math.abs(v) < 0.5)).toBe(true);
  });

  it('uses the population std (1/m), as the course does', () => {
    const s = Standardizer.fit([[0, 2, 4]]);
    expect(s.mean.toArray()).toEqual([[2]]);
    expect(s.std.get(0, 0)).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(s.mean.dtype).toBe('float64');
  });

  it('a zero-variance feature is centred, not divided by 0, and named in a warning', () => {
    const X = tensor([
      [1, 2, 3, 4],
      [7.3, 7.3, 7.3, 7.3],
      [0, 0, 0, 0],
    ]);
    const s = Standardizer.fit(X);
    expect(s.std.toArray()).toEqual([[Math.sqrt(1.25)], [0], [0]]);
    const Z = s.transform(X);
    expect(Array.from(Z.data).every(Number.isFinite)).toBe(true);
    expect(Z.toArray()[1]).toEqual([0, 0, 0, 0]);
    const t = s.transform([[2.5], [8.3], [1]]);
    expect(t.get(1, 0)).toBeCloseTo(1, 5); // 8.3 - 7.3, divided by 1
    expect(t.get(2, 0)).toBe(1);
    expect(s.warnings).toHaveLength(2);
    expect(s.warnings[0]).toMatch(/^feature 1 \(row 1\) has zero variance in the training data \(every value is 7\.3/);
    expect(s.warnings[1]).toMatch(/^feature 2 \(row 2\) has zero variance/);
  });

  it('a constant feature stays exactly constant for large m (no rounding noise to divide by)', () => {
    const X = new Tensor([1, 100_001], new Float32Array(100_001).fill(0.1));
    const s = Standardizer.fit(X);
    expect(s.std.get(0, 0)).toBe(0);
    expect(s.warnings).toHaveLength(1);
  });

  it('transformInPlace changes X itself and gives what transform gives', () => {
    const X = features(50, 4);
    const s = Standardizer.fit(X);
    const expected = Array.from(s.transform(X).data);
    const same = s.transformInPlace(X);
    expect(same).toBe(X);
    expect(Array.from(X.data)).toEqual(expected);
  });

  it('transforms a set with no examples (the empty test set of a two-ratio split)', () => {
    const s = Standardizer.fit([[1, 2, 3]]);
    expect(s.transform(new Tensor([1, 0], new Float32Array(0))).shape).toEqual([1, 0]);
  });

  it('round-trips through JSON, and the copy transforms the same way', () => {
    const X = features(100, 5);
    const s = Standardizer.fit(X);
    const text = JSON.stringify(s);
    const back = Standardizer.fromJSON(JSON.parse(text));
    expect(back.toJSON()).toEqual(s.toJSON());
    expect(Array.from(back.transform(X).data)).toEqual(Array.from(s.transform(X).data));
    expect(Standardizer.fromJSON(text).toJSON()).toEqual(s.toJSON());
    const constant = Standardizer.fromJSON({ kind: 'standardizer', version: 1, mean: [1, 2], std: [1, 0] });
    expect(constant.warnings).toHaveLength(1);
  });
});

describe('Standardizer bad input', () => {
  const s = Standardizer.fit([
    [1, 2, 3],
    [4, 5, 7],
    [0, 1, 0],
  ]);

  it('X with another number of features', () => {
    expect(() => s.transform([[1, 2]])).toThrow(ShapeError);
    expect(() => s.transform([[1, 2], [3, 4]])).toThrow('Standardizer.transform: X: expected 3 features (rows) like the training data, got 2 (shape (2, 2))');
    expect(() => s.transformInPlace(tensor([[1, 2]]))).toThrow('Standardizer.transformInPlace: X: expected 3 features (rows) like the training data, got 1 (shape (1, 2))');
    expect(() => s.transformInPlace([[1], [2], [3]] as never)).toThrow('Standardizer.transformInPlace: X: expected a Tensor (nested arrays cannot be changed in place), got [[1], [2], [3]]');
  });

  it('NaN or Infinity in X', () => {
    expect(() => Standardizer.fit([[1, NaN, 3]])).toThrow('Standardizer.fit: X: expected finite numbers, got NaN at row 0, column 1');
    expect(() => s.transform([[1], [Infinity], [0]])).toThrow('Standardizer.transform: X: expected finite numbers, got Infinity at row 1, column 0');
  });

  it('malformed JSON', () => {
    const ok = { kind: 'standardizer', version: 1, mean: [0, 1], std: [1, 2] };
    expect(() => Standardizer.fromJSON(null)).toThrow(ValueError);
    expect(() => Standardizer.fromJSON(null)).toThrow('Standardizer.fromJSON: json: expected an object { kind: "standardizer", version: 1, mean, std }, got null');
    expect(() => Standardizer.fromJSON('{oops')).toThrow(/^Standardizer\.fromJSON: json: expected valid JSON text, got a string that does not parse/);
    expect(() => Standardizer.fromJSON({ ...ok, kind: 'scaler' })).toThrow('Standardizer.fromJSON: kind: expected "standardizer", got "scaler"');
    expect(() => Standardizer.fromJSON({ ...ok, version: 2 })).toThrow('Standardizer.fromJSON: version: expected 1, got 2');
    expect(() => Standardizer.fromJSON({ ...ok, mean: [] })).toThrow('Standardizer.fromJSON: mean: expected a non-empty array of numbers (one per feature), got []');
    expect(() => Standardizer.fromJSON({ ...ok, mean: [0, null] })).toThrow('Standardizer.fromJSON: mean: expected finite numbers, got null at index 1');
    expect(() => Standardizer.fromJSON({ ...ok, std: [1, -2] })).toThrow('Standardizer.fromJSON: std: expected finite numbers >= 0, got -2 at index 1');
    expect(() => Standardizer.fromJSON({ ...ok, std: [1] })).toThrow('Standardizer.fromJSON: std: expected 2 values (one per feature, like mean), got 1');
  });
});
