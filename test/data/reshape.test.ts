import { describe, expect, it } from 'vitest';
import { accuracy, flattenImages, fromRows, makeFlower, oneHot, tensor, toRows } from '../../src/index.js';

describe('reshape helpers', () => {
  it('flattenImages turns (a, b, c, d) into (b*c*d, a), one column per image', () => {
    // two 2x2x1 images: [1 2; 3 4] and [5 6; 7 8]
    const imgs = tensor([1, 2, 3, 4, 5, 6, 7, 8], { shape: [2, 2, 2, 1] });
    const X = flattenImages(imgs);
    expect(X.shape).toEqual([4, 2]);
    expect(X.toArray()).toEqual([[1, 5], [2, 6], [3, 7], [4, 8]]);
    // the course's 64x64x3 images: 12,288 features
    expect(flattenImages(tensor(new Float32Array(3 * 64 * 64 * 3), { shape: [3, 64, 64, 3] })).shape).toEqual([12288, 3]);
  });

  it('fromRows builds (n_x, m) from example rows and toRows inverts it', () => {
    const X = fromRows([[1, 2], [3, 4], [5, 6]]);
    expect(X.shape).toEqual([2, 3]);
    expect(X.toArray()).toEqual([[1, 3, 5], [2, 4, 6]]);
    expect(toRows(X)).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(() => fromRows([[1, 2], [3]])).toThrow('fromRows: rows: row 1: expected 2 values like row 0, got 1');
    expect(() => fromRows([[1, NaN]])).toThrow('fromRows: rows: expected a finite number at row 0, column 1, got NaN');
  });

  it('oneHot makes (C, m) columns and rejects labels out of range', () => {
    expect(oneHot([2, 0, 1], 3).toArray()).toEqual([[0, 1, 0], [0, 0, 1], [1, 0, 0]]);
    expect(() => oneHot([0, 3], 3)).toThrow('oneHot: labels: expected an integer in [0, 2] at index 1, got 3');
  });

  it('accuracy compares label rows, or one-hot Y by argmax', () => {
    expect(accuracy([[1, 0, 1, 1]], [[1, 0, 0, 1]])).toBe(0.75);
    expect(accuracy([[2, 0]], oneHot([2, 1], 3))).toBe(0.5);
    expect(() => accuracy([[1, 0]], [[1, 0, 1]])).toThrow('accuracy: Y: expected 2 labels');
  });

  it('makeFlower follows the course recipe: 200 points per class, radius bounded by a + noise', () => {
    const { X, Y } = makeFlower({ seed: 1 });
    expect(X.shape).toEqual([2, 400]);
    expect(Array.from(Y.data).filter((v) => v === 1)).toHaveLength(200);
    expect(Array.from(Y.data.subarray(0, 200)).every((v) => v === 0)).toBe(true);
    for (let j = 0; j < 400; j++) expect(Math.hypot(X.get(0, j), X.get(1, j))).toBeLessThan(4 + 1.2);
    expect(makeFlower({ seed: 1 }).X.data).toEqual(X.data);
  });
});
