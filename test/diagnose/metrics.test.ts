/** Classification and regression metrics against hand-computed values. */
import { describe, expect, it } from 'vitest';
import { classificationReport, confusionMatrix, mae, mse, r2, ShapeError, tensor, ValueError } from '../../src/index.js';

// Three classes, ten examples (interleaved, as real data would be):
//   true 0 (3 examples): predicted 0, 0, 1      -> row 0 = [2, 1, 0]
//   true 1 (4 examples): predicted 1, 1, 1, 2   -> row 1 = [0, 3, 1]
//   true 2 (3 examples): predicted 2, 0, 0      -> row 2 = [2, 0, 1]
const Y = [0, 1, 2, 0, 1, 2, 0, 1, 2, 1];
const P = [0, 1, 2, 0, 1, 0, 1, 1, 0, 2];
const CM = [
  [2, 1, 0],
  [0, 3, 1],
  [2, 0, 1],
];

function oneHot(labels: number[], n: number): number[][] {
  return Array.from({ length: n }, (_, i) => labels.map((l) => (l === i ? 1 : 0)));
}

describe('confusionMatrix', () => {
  it('counts true class (row) against predicted class (column)', () => {
    expect(confusionMatrix([P], [Y])).toEqual(CM);
  });

  it('reads one-hot targets and class scores by their argmax', () => {
    const scores = oneHot(P, 3).map((row) => row.map((v) => 0.1 + 0.7 * v)); // softmax-like columns
    expect(confusionMatrix(scores, oneHot(Y, 3))).toEqual(CM);
    expect(confusionMatrix(tensor([P]), tensor(oneHot(Y, 3)))).toEqual(CM);
  });

  it('binary labels give a 2 x 2 matrix, even when only one class appears', () => {
    expect(confusionMatrix([[1, 0, 1, 1]], [[1, 0, 0, 1]])).toEqual([
      [1, 1],
      [0, 2],
    ]);
    expect(confusionMatrix([[0, 0]], [[0, 0]])).toEqual([
      [2, 0],
      [0, 0],
    ]);
    expect(confusionMatrix([[0, 1]], [[0, 1]], 4)).toEqual([
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });
});

describe('classificationReport', () => {
  it('gives per-class and macro precision, recall and F1 of the hand-made matrix', () => {
    const r = classificationReport([P], [Y]);
    expect(r.confusion).toEqual(CM);
    // precision = diagonal / column sum: 2/4, 3/4, 1/2; recall = diagonal / row sum: 2/3, 3/4, 1/3
    // F1 = 2PR/(P+R): class 0 (2/3)/(7/6) = 4/7; class 1 0.75; class 2 (1/3)/(5/6) = 2/5
    const expected = [
      { precision: 0.5, recall: 2 / 3, f1: 4 / 7, support: 3 },
      { precision: 0.75, recall: 0.75, f1: 0.75, support: 4 },
      { precision: 0.5, recall: 1 / 3, f1: 0.4, support: 3 },
    ];
    r.classes.forEach((c, i) => {
      const e = expected[i]!;
      expect(c.precision).toBeCloseTo(e.precision, 14);
      expect(c.recall).toBeCloseTo(e.recall, 14);
      expect(c.f1).toBeCloseTo(e.f1, 14);
      expect(c.support).toBe(e.support);
    });
    expect(r.macro.precision).toBeCloseTo(1.75 / 3, 14);
    expect(r.macro.recall).toBeCloseTo(1.75 / 3, 14);
    expect(r.macro.f1).toBeCloseTo((4 / 7 + 0.75 + 0.4) / 3, 14);
    expect(r.accuracy).toBeCloseTo(0.6, 14); // (2 + 3 + 1) / 10
  });

  it('gives precision 0 (not NaN) to a class never predicted and recall 0 to a class with no examples', () => {
    // class 2 is never predicted; class 3 (numClasses 4) has no examples and no predictions
    const r = classificationReport([[0, 1, 1, 0]], [[0, 1, 2, 2]], 4);
    expect(r.classes[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 2 });
    expect(r.classes[3]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    // class 0: predicted twice, once right -> P 1/2, R 1/1; class 1 likewise
    expect(r.classes[0]!.precision).toBe(0.5);
    expect(r.classes[0]!.recall).toBe(1);
    expect(r.macro.precision).toBe((0.5 + 0.5 + 0 + 0) / 4);
    expect(Number.isNaN(r.macro.f1)).toBe(false);
  });

  it('scores a perfect classifier 1 everywhere', () => {
    const r = classificationReport([Y], [Y]);
    expect(r.macro).toEqual({ precision: 1, recall: 1, f1: 1 });
    expect(r.accuracy).toBe(1);
  });
});

describe('classification bad input', () => {
  const cases: [string, () => unknown, typeof ShapeError | typeof ValueError, string][] = [
    ['length mismatch', () => confusionMatrix([[0, 1, 1]], [[0, 1, 1, 0]]), ShapeError, 'confusionMatrix: predictions: expected 4 examples (columns) like Y, got 3'],
    ['NaN prediction', () => confusionMatrix([[0, NaN]], [[0, 1]]), ValueError, 'confusionMatrix: predictions: expected finite numbers, got NaN at row 0, column 1'],
    ['NaN score', () => classificationReport([[0.2, 0.1], [0.8, NaN]], [[0, 1]]), ValueError, 'classificationReport: predictions: expected finite numbers, got NaN at row 1, column 1'],
    ['fractional label', () => confusionMatrix([[0, 1, 1]], [[0, 1, 0.5]]), ValueError, 'confusionMatrix: Y: expected class labels (integers >= 0) in a (1, m) row, got 0.5 at column 2'],
    ['negative label', () => confusionMatrix([[-1, 1]], [[0, 1]]), ValueError, 'confusionMatrix: predictions: expected class labels (integers >= 0) in a (1, m) row, got -1 at column 0'],
    ['label >= numClasses', () => confusionMatrix([[0, 1]], [[2, 1]], 2), ValueError, 'confusionMatrix: Y: expected class labels in [0, 2), got 2 at column 0'],
    ['numClasses 0', () => confusionMatrix([[0]], [[0]], 0), ValueError, 'confusionMatrix: numClasses: expected a positive integer, got 0'],
    ['rows vs numClasses', () => confusionMatrix([[0, 1]], oneHot([0, 1], 3), 4), ShapeError, 'confusionMatrix: Y: expected 4 rows (one per class), got 3'],
    ['rows vs rows', () => classificationReport(oneHot([0, 1], 3), oneHot([0, 1], 2)), ShapeError, 'classificationReport: Y: expected 3 rows (one per class), got 2'],
    ['3-D', () => confusionMatrix([[[0, 1]]], [[0, 1]]), ShapeError, 'confusionMatrix: predictions: expected a matrix (2-D), got shape (1, 1, 2)'],
    ['not a tensor', () => confusionMatrix('01' as unknown as number[], [[0, 1]]), ValueError, 'confusionMatrix: predictions: expected a Tensor or nested number arrays, got string'],
  ];
  for (const [label, call, type, message] of cases) {
    it(label, () => {
      expect(call).toThrow(type);
      expect(call).toThrow(message);
    });
  }
});

describe('regression metrics', () => {
  it('mse and mae over all entries', () => {
    // errors 0, 0, -2: mse = 4/3, mae = 2/3
    expect(mse([[1, 2, 3]], [[1, 2, 5]])).toBeCloseTo(4 / 3, 14);
    expect(mae([[1, 2, 3]], [[1, 2, 5]])).toBeCloseTo(2 / 3, 14);
    // two outputs: errors 1, -1, 0, 2 -> mse = 6/4, mae = 4/4
    expect(mse([[1, 0], [3, 6]], [[0, 1], [3, 4]])).toBeCloseTo(1.5, 14);
    expect(mae([[1, 0], [3, 6]], [[0, 1], [3, 4]])).toBeCloseTo(1, 14);
  });

  it('r2 is 1 for perfect predictions and 0 for predicting the mean', () => {
    const y = [[3, -0.5, 2, 7]];
    expect(r2(y, y)).toBe(1);
    const mean = (3 - 0.5 + 2 + 7) / 4;
    expect(r2([[mean, mean, mean, mean]], y)).toBeCloseTo(0, 14);
  });

  it('r2 on a hand case, negative when worse than the mean, averaged over output rows', () => {
    // y = 1, 2, 3 (mean 2, SS_tot = 2); predictions 1, 2, 4: SS_res = 1 -> 1 - 1/2 = 0.5
    expect(r2([[1, 2, 4]], [[1, 2, 3]])).toBeCloseTo(0.5, 14);
    // predictions 3, 2, 1: SS_res = 8 -> 1 - 8/2 = -3
    expect(r2([[3, 2, 1]], [[1, 2, 3]])).toBeCloseTo(-3, 14);
    // rows: 0.5 and 1 -> 0.75
    expect(r2([[1, 2, 4], [0, 5, 1]], [[1, 2, 3], [0, 5, 1]])).toBeCloseTo(0.75, 14);
    // a constant row of Y: 1 if predicted exactly, else 0
    expect(r2([[5, 5, 5]], [[5, 5, 5]])).toBe(1);
    expect(r2([[5, 5, 6]], [[5, 5, 5]])).toBe(0);
  });

  it('rejects mismatched shapes and non-finite values', () => {
    expect(() => mse([[1, 2]], [[1, 2, 3]])).toThrow(new ShapeError('mse: predictions: expected shape (1, 3) like Y, got (1, 2)'));
    expect(() => mae([[1], [2], [3]], [[1, 2, 3]])).toThrow(new ShapeError('mae: predictions: expected shape (1, 3) like Y, got (3, 1)'));
    expect(() => r2([[1, 2]], [[1, NaN]])).toThrow(new ValueError('r2: Y: expected finite numbers, got NaN at row 0, column 1'));
    expect(() => mse([[Infinity, 2]], [[1, 2]])).toThrow(new ValueError('mse: predictions: expected finite numbers, got Infinity at row 0, column 0'));
    expect(() => r2([[[1]]], [[1]])).toThrow('r2: predictions: expected a matrix (2-D), got shape (1, 1, 1)');
  });
});
