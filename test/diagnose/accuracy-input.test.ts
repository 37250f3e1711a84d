/**
 * accuracy compares class labels only: probabilities, scores and NaN are
 * rejected (they would silently count as wrong), and a shape mismatch blames
 * the argument that has the wrong shape.
 */
import { describe, expect, it } from 'vitest';
import { accuracy, oneHot, ShapeError, tensor, ValueError } from '../../src/index.js';

describe('accuracy input checks', () => {
  it('rejects probabilities passed as predictions, saying what to pass instead', () => {
    expect(() => accuracy([[0.75, 0.25, 0.5]], [[1, 0, 1]])).toThrow(ValueError);
    expect(() => accuracy([[0.75, 0.25, 0.5]], [[1, 0, 1]])).toThrow(
      "accuracy: predictions: expected class labels (integers >= 0), got 0.75 at column 0 (for probabilities, pass Network.classify's output or each column's argmax)",
    );
    expect(() => accuracy([[1, -1]], [[1, 0]])).toThrow('accuracy: predictions: expected class labels (integers >= 0), got -1 at column 1');
  });

  it('rejects a score matrix as predictions, naming predictions rather than Y', () => {
    expect(() => accuracy([[0.9, 0.1, 0.8], [0.1, 0.9, 0.2]], [[0, 1, 0]])).toThrow(ShapeError);
    expect(() => accuracy([[0.9, 0.1, 0.8], [0.1, 0.9, 0.2]], [[0, 1, 0]])).toThrow(
      "accuracy: predictions: expected a (1, m) row of class labels, got shape (2, 3) (for scores or probabilities, pass Network.classify's output or each column's argmax)",
    );
  });

  it('rejects NaN predictions and labels instead of counting them as wrong', () => {
    expect(() => accuracy([[NaN, 0, 1]], [[1, 0, 1]])).toThrow('accuracy: predictions: expected finite numbers, got NaN at row 0, column 0');
    expect(() => accuracy([[1, 0, 1]], [[1, NaN, 1]])).toThrow('accuracy: Y: expected finite numbers, got NaN at row 0, column 1');
  });

  it('checks Y: integer labels, or one-hot columns', () => {
    expect(() => accuracy([[1, 0]], [[1, 0.5]])).toThrow('accuracy: Y: expected class labels (integers >= 0), got 0.5 at column 1');
    expect(() => accuracy([[1, 0]], [[0.25, 0.75], [0.75, 0.25]])).toThrow('accuracy: Y: expected a (1, m) row of class labels or one-hot columns (C, m), got 0.25 at row 0, column 0');
    expect(() => accuracy([[1, 0]], [[1, 1], [1, 0]])).toThrow('accuracy: Y: expected one-hot columns (exactly one 1 each), got 2 ones in column 0');
    expect(() => accuracy([[3, 0]], oneHot([1, 0], 3))).toThrow("accuracy: predictions: expected class labels in [0, 3) like Y's 3 one-hot rows, got 3 at column 0");
    expect(() => accuracy([[1, 0]], [[1, 0, 1]])).toThrow('accuracy: Y: expected 2 labels like predictions (1, 2), got (1, 3)');
  });

  it('still reads labels, one-hot Y and 1-D tensors', () => {
    expect(accuracy([[1, 0, 1, 1]], [[1, 0, 0, 1]])).toBe(0.75);
    expect(accuracy([[2, 0]], oneHot([2, 1], 3))).toBe(0.5);
    expect(accuracy(tensor(new Float32Array([1, 0]), { shape: [2] }), [[1, 1]])).toBe(0.5);
  });
});
