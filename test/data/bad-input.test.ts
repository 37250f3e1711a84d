/**
 * The data helpers reject options and inputs that would give NaN or Infinity
 * data, or a misleading message, naming the function and the argument.
 */
import { describe, expect, it } from 'vitest';
import {
  fromRows,
  makeBlobs,
  makeCircles,
  makeFlower,
  makeMoons,
  makeSpiral,
  makeXor,
  oneHot,
  ShapeError,
  split,
  Standardizer,
  takeColumns,
  tensor,
  ValueError,
  type DType,
} from '../../src/index.js';
import { STANDARDIZER_MIN_STD } from '../../src/data/normalize.js';

describe('planar generators', () => {
  it('reject a noise that is NaN, infinite or negative', () => {
    expect(() => makeBlobs({ noise: NaN })).toThrow(ValueError);
    expect(() => makeBlobs({ noise: NaN })).toThrow('makeBlobs: noise: expected a finite number >= 0, got NaN');
    expect(() => makeBlobs({ noise: -1 })).toThrow('makeBlobs: noise: expected a finite number >= 0, got -1');
    expect(() => makeXor({ noise: Infinity })).toThrow('makeXor: noise: expected a finite number >= 0, got Infinity');
    expect(() => makeMoons({ noise: '0.2' as unknown as number })).toThrow('makeMoons: noise: expected a finite number >= 0, got "0.2"');
    expect(() => makeCircles({ noise: -0.05 })).toThrow('makeCircles: noise: expected a finite number >= 0, got -0.05');
    expect(() => makeSpiral({ noise: NaN })).toThrow('makeSpiral: noise: expected a finite number >= 0, got NaN');
    expect(makeXor({ m: 4, noise: 0 }).X.size).toBe(8);
  });

  it("makeFlower's a and makeCircles' factor must be in range", () => {
    expect(() => makeFlower({ a: NaN })).toThrow('makeFlower: a: expected a finite number > 0, got NaN');
    expect(() => makeFlower({ a: 0 })).toThrow('makeFlower: a: expected a finite number > 0, got 0');
    expect(() => makeCircles({ factor: Infinity })).toThrow('makeCircles: factor: expected a finite number >= 0 and < 1, got Infinity');
    expect(() => makeCircles({ factor: 1 })).toThrow('makeCircles: factor: expected a finite number >= 0 and < 1, got 1');
    expect(() => makeCircles({ factor: -0.5 })).toThrow('makeCircles: factor: expected a finite number >= 0 and < 1, got -0.5');
    expect(makeCircles({ m: 4, factor: 0.5 }).X.size).toBe(8);
  });

  it('name themselves, not Rng, for a bad seed; reject a bad dtype and options', () => {
    expect(() => makeFlower({ seed: -1 })).toThrow('makeFlower: seed: expected an integer in [0, 2^32), got -1');
    expect(() => makeMoons({ seed: 1.5 })).toThrow('makeMoons: seed: expected an integer in [0, 2^32), got 1.5');
    expect(() => makeBlobs({ seed: 2 ** 32 })).toThrow('makeBlobs: seed: expected an integer in [0, 2^32), got 4294967296');
    expect(() => makeMoons({ m: 4, dtype: 'int8' as DType })).toThrow('makeMoons: dtype: expected "float32" or "float64", got "int8"');
    expect(() => makeFlower({ dtype: 'float16' as DType })).toThrow('makeFlower: dtype: expected "float32" or "float64", got "float16"');
    expect(() => makeSpiral(null as never)).toThrow('makeSpiral: options: expected an object, got null');
    expect(makeFlower({ m: 4, dtype: 'float64' }).X.dtype).toBe('float64');
  });
});

describe('fromRows', () => {
  it('rejects a first row that is not an array, and an empty row', () => {
    expect(() => fromRows([5] as never)).toThrow(ShapeError);
    expect(() => fromRows([5] as never)).toThrow('fromRows: rows: row 0: expected an array of numbers (one per feature), got 5');
    expect(() => fromRows([[]])).toThrow('fromRows: rows: row 0: expected at least one value (feature), got an empty row');
    expect(() => fromRows([[1], 'a'] as never)).toThrow('fromRows: rows: row 1: expected 1 values like row 0, got "a"');
  });

  it('describes a value that is not a number as it is (a string is quoted)', () => {
    expect(() => fromRows([['1', '2']] as never)).toThrow(ValueError);
    expect(() => fromRows([['1', '2']] as never)).toThrow('fromRows: rows: expected a finite number at row 0, column 0, got "1"');
    expect(() => fromRows([[1, 2], [3, null]] as never)).toThrow('fromRows: rows: expected a finite number at row 1, column 1, got null');
  });

  it('rejects a dtype other than float32 / float64', () => {
    expect(() => fromRows([[1]], 'int' as DType)).toThrow('fromRows: dtype: expected "float32" or "float64", got "int"');
    expect(() => oneHot([0, 1], 2, 'int8' as DType)).toThrow('oneHot: dtype: expected "float32" or "float64", got "int8"');
    expect(() => oneHot([0, '1'] as never, 2)).toThrow('oneHot: labels: expected an integer in [0, 1] at index 1, got "1"');
  });
});

describe('Standardizer', () => {
  const json = (std: number[], mean: number[] = std.map(() => 0)) => ({ kind: 'standardizer', version: 1, mean, std });

  it('fromJSON rejects a std below float32\'s smallest normal, which would make transform return Infinity', () => {
    expect(() => Standardizer.fromJSON(json([1e-300]))).toThrow(ValueError);
    expect(() => Standardizer.fromJSON(json([1, 1e-300]))).toThrow(
      'Standardizer.fromJSON: std: expected 0 (a constant feature) or a number >= 1.1754943508222875e-38 (float32\'s smallest normal; dividing by less overflows), got 1e-300 at index 1',
    );
    expect(() => Standardizer.fromJSON(json([5e-324]))).toThrow('got 5e-324 at index 0');
    expect(() => Standardizer.fromJSON(json([1], [NaN]))).toThrow('Standardizer.fromJSON: mean: expected finite numbers, got NaN at index 0');
    expect(() => Standardizer.fromJSON(json([1], [Infinity]))).toThrow('Standardizer.fromJSON: mean: expected finite numbers, got Infinity at index 0');
    expect(Standardizer.fromJSON(json([STANDARDIZER_MIN_STD, 0])).features).toBe(2);
  });

  it('fit refuses a feature whose std is below the same threshold (so toJSON always round-trips)', () => {
    const X = tensor([[0, 2e-100]], { dtype: 'float64' });
    expect(() => Standardizer.fit(X)).toThrow(
      'Standardizer.fit: X: expected each feature\'s standard deviation to be 0 or >= 1.1754943508222875e-38 (float32\'s smallest normal; dividing by less overflows), got 1e-100 in row 0: rescale that feature first',
    );
  });

  it('transform refuses values that standardize past float32\'s range, leaving X unchanged in place', () => {
    const s = Standardizer.fromJSON(json([1e-30]));
    expect(() => s.transform([[1e10]])).toThrow(
      'Standardizer.transform: X: expected values whose standardized value (x - mean) / std fits float32, got 10000000000 at row 0, column 0 (mean 0, std 1e-30, giving 9.999999999999999e+39)',
    );
    const X = tensor([[1e-31, 1e10]]);
    const before = Array.from(X.data);
    expect(() => s.transformInPlace(X)).toThrow(/^Standardizer\.transformInPlace: X: expected values whose standardized value .* at row 0, column 1 /);
    expect(Array.from(X.data)).toEqual(before);
    expect(s.transform(tensor([[1e10]], { dtype: 'float64' })).get(0, 0)).toBeCloseTo(1e40, -30);
  });
});

describe('split and takeColumns', () => {
  it('split rejects NaN in X or Y instead of copying it into the sets', () => {
    expect(() => split([[1, NaN, 3, 4]], [[1, 0, 1, 0]], { ratios: [0.5, 0.5] })).toThrow('split: X: expected finite numbers, got NaN at row 0, column 1');
    expect(() => split([[1, 2, 3, 4]], [[1, NaN, 1, 0]], { ratios: [0.5, 0.5] })).toThrow('split: Y: expected finite numbers, got NaN at row 0, column 1');
  });

  it('takeColumns rejects indices that are not an array', () => {
    expect(() => takeColumns([[1, 2]], 1 as never)).toThrow('takeColumns: indices: expected an array of column indices, got 1');
  });
});
