/**
 * Evaluation metrics: accuracy, the confusion matrix with precision, recall
 * and F1 for classifiers, and MSE, MAE and R^2 for regression.
 */
import { formatShape, ShapeError, ValueError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertFinite, assertMatrix, assertNonEmpty, assertPositiveInt, toTensor, type TensorLike } from '../tensor/validate.js';

/**
 * The fraction of predictions equal to the labels. Both are (1, m) rows of
 * class labels, integers >= 0 (see Network.classify); one-hot Y of shape
 * (C, m) is turned into labels by its argmax. Probabilities or scores are
 * rejected rather than compared: pass Network.classify's output (or each
 * column's argmax) instead.
 *
 * @example
 * ```ts
 * import { accuracy } from 'layerwise';
 * accuracy([[1, 0, 1, 1]], [[1, 0, 0, 1]]) === 0.75; // true
 * ```
 */
export function accuracy(predictions: TensorLike, y: TensorLike): number {
  const where = 'accuracy';
  const P = asRow(toTensor(predictions, where, 'predictions'));
  const Yt = asRow(toTensor(y, where, 'Y'));
  assertMatrix(P, where, 'predictions');
  assertMatrix(Yt, where, 'Y');
  if (P.rows !== 1) {
    throw new ShapeError(
      `${where}: predictions: expected a (1, m) row of class labels, got shape ${formatShape(P.shape)} (for scores or probabilities, pass Network.classify's output or each column's argmax)`,
    );
  }
  assertNonEmpty(P, where, 'predictions');
  assertFinite(P, where, 'predictions');
  assertFinite(Yt, where, 'Y');
  const m = P.cols;
  if (Yt.cols !== m) throw new ShapeError(`${where}: Y: expected ${m} labels like predictions ${formatShape(P.shape)}, got ${formatShape(Yt.shape)}`);
  checkIntegerLabels(P, where, 'predictions', Yt.rows > 1 ? Yt.rows : null);
  let labels: ArrayLike<number>;
  if (Yt.rows === 1) {
    checkIntegerLabels(Yt, where, 'Y', null);
    labels = Yt.data;
  } else {
    labels = oneHotLabels(Yt, where);
  }
  let correct = 0;
  for (let j = 0; j < m; j++) if (P.data[j] === labels[j]) correct++;
  return correct / m;
}

/** A 1-D tensor of m values read as the (1, m) row it stands for (no copy). */
function asRow(t: Tensor): Tensor {
  return t.shape.length === 1 ? t.reshape([1, t.size]) : t;
}

/** Checks a (1, m) row holds class labels: integers >= 0, and < classes when that is known. */
function checkIntegerLabels(t: Tensor, where: string, name: string, classes: number | null): void {
  for (let j = 0; j < t.cols; j++) {
    const v = t.data[j] as number;
    if (!Number.isInteger(v) || v < 0) {
      throw new ValueError(
        `${where}: ${name}: expected class labels (integers >= 0), got ${v} at column ${j} (for probabilities, pass Network.classify's output or each column's argmax)`,
      );
    }
    if (classes !== null && v >= classes) {
      throw new ValueError(`${where}: ${name}: expected class labels in [0, ${classes}) like Y's ${classes} one-hot rows, got ${v} at column ${j}`);
    }
  }
}

/** The class of each one-hot column of Y (C, m). */
function oneHotLabels(Y: Tensor, where: string): Int32Array {
  const { rows, cols } = Y;
  const out = new Int32Array(cols);
  for (let j = 0; j < cols; j++) {
    let ones = 0;
    for (let i = 0; i < rows; i++) {
      const v = Y.data[i * cols + j] as number;
      if (v === 1) {
        ones++;
        out[j] = i;
      } else if (v !== 0) {
        throw new ValueError(`${where}: Y: expected a (1, m) row of class labels or one-hot columns (C, m), got ${v} at row ${i}, column ${j}`);
      }
    }
    if (ones !== 1) throw new ValueError(`${where}: Y: expected one-hot columns (exactly one 1 each), got ${ones} ones in column ${j}`);
  }
  return out;
}

/** Class labels read from either a (1, m) row of labels or an (n_y, m) tensor of scores. */
interface Labels {
  readonly values: Int32Array;
  /** n_y for a score tensor (its rows are the classes); null for a label row, whose classes are only bounded by its values. */
  readonly classes: number | null;
}

function readLabels(x: TensorLike, where: string, name: string): Labels {
  const t = assertMatrix(toTensor(x, where, name), where, name);
  assertNonEmpty(t, where, name);
  assertFinite(t, where, name);
  const { rows, cols } = t;
  const values = new Int32Array(cols);
  if (rows === 1) {
    for (let j = 0; j < cols; j++) {
      const v = t.data[j] as number;
      if (!Number.isInteger(v) || v < 0) {
        throw new ValueError(`${where}: ${name}: expected class labels (integers >= 0) in a (1, m) row, got ${v} at column ${j}`);
      }
      values[j] = v;
    }
    return { values, classes: null };
  }
  // One-hot targets and softmax outputs alike: the class is the row with the largest value.
  for (let j = 0; j < cols; j++) {
    let best = 0;
    for (let i = 1; i < rows; i++) if (t.get(i, j) > t.get(best, j)) best = i;
    values[j] = best;
  }
  return { values, classes: rows };
}

function maxOf(a: Int32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if ((a[i] as number) > m) m = a[i] as number;
  return m;
}

function checkLabelsBelow(l: Labels, n: number, where: string, name: string): void {
  if (l.classes !== null && l.classes !== n) {
    throw new ShapeError(`${where}: ${name}: expected ${n} rows (one per class), got ${l.classes}`);
  }
  const j = l.values.findIndex((v) => v >= n);
  if (j >= 0) throw new ValueError(`${where}: ${name}: expected class labels in [0, ${n}), got ${l.values[j]} at column ${j}`);
}

function confusion(predictions: TensorLike, y: TensorLike, numClasses: number | undefined, where: string): number[][] {
  const P = readLabels(predictions, where, 'predictions');
  const Y = readLabels(y, where, 'Y');
  const m = Y.values.length;
  if (P.values.length !== m) {
    throw new ShapeError(`${where}: predictions: expected ${m} examples (columns) like Y, got ${P.values.length}`);
  }
  let n: number;
  if (numClasses !== undefined) n = assertPositiveInt(numClasses, where, 'numClasses');
  else n = P.classes ?? Y.classes ?? Math.max(2, maxOf(P.values) + 1, maxOf(Y.values) + 1);
  checkLabelsBelow(Y, n, where, 'Y');
  checkLabelsBelow(P, n, where, 'predictions');
  const matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < m; j++) matrix[Y.values[j] as number]![P.values[j] as number]!++;
  return matrix;
}

/**
 * The confusion matrix: entry [i][j] counts the examples of true class i
 * predicted as class j, so rows sum to each class's support and the diagonal
 * holds the correct predictions.
 *
 * Predictions and Y are each either a (1, m) row of integer class labels
 * (what Network.classify returns) or an (n_y, m) tensor of one-hot targets or
 * class scores, read by each column's argmax. The number of classes is
 * `numClasses`, else n_y of a score tensor, else the largest label + 1
 * (at least 2, so all-zero binary labels still give a 2 x 2 matrix).
 *
 * @example
 * ```ts
 * import { confusionMatrix } from 'layerwise';
 * const cm = confusionMatrix([[1, 0, 1, 1]], [[1, 0, 0, 1]]); // [[1, 1], [0, 2]]: rows are true classes
 * JSON.stringify(cm) === '[[1,1],[0,2]]'; // true
 * ```
 */
export function confusionMatrix(predictions: TensorLike, y: TensorLike, numClasses?: number): number[][] {
  return confusion(predictions, y, numClasses, 'confusionMatrix');
}

/** Precision, recall and F1 of one class, or their macro average. */
export interface ClassScores {
  /** Of the examples predicted as this class, the fraction that are: TP / (TP + FP); 0 when the class is never predicted. */
  readonly precision: number;
  /** Of the examples of this class, the fraction predicted as it: TP / (TP + FN); 0 when the class has no examples. */
  readonly recall: number;
  /** The harmonic mean 2 P R / (P + R); 0 when P + R = 0. */
  readonly f1: number;
}

/** {@link ClassScores} of one class, with how many examples it has. */
export interface ClassReport extends ClassScores {
  /** The number of examples whose true class this is. */
  readonly support: number;
}

/** What {@link classificationReport} returns. */
export interface ClassificationReport {
  /** The confusion matrix (rows: true class, columns: predicted class). */
  readonly confusion: number[][];
  /** One report per class, by class index. */
  readonly classes: ClassReport[];
  /** The unweighted mean over all classes of precision, recall and F1, each class counting once whatever its support. */
  readonly macro: ClassScores;
  /** The fraction of correct predictions. */
  readonly accuracy: number;
}

/**
 * Per-class and macro-averaged precision, recall and F1, with the confusion
 * matrix and accuracy. Inputs are read as in {@link confusionMatrix}.
 *
 * A class that is never predicted has precision 0 (not NaN), and a class with
 * no examples has recall 0; both still count in the macro average, so a model
 * that ignores a class is not flattered by it.
 *
 * @example
 * ```ts
 * import { classificationReport } from 'layerwise';
 * const r = classificationReport([[1, 0, 1, 1]], [[1, 0, 0, 1]]);
 * r.classes[1]; // { precision: 2/3, recall: 1, f1: 0.8, support: 2 }
 * r.macro.f1;   // (2/3 + 0.8) / 2
 * r.classes[1]!.recall === 1 && Math.abs(r.classes[1]!.f1 - 0.8) < 1e-12; // true
 * ```
 */
export function classificationReport(predictions: TensorLike, y: TensorLike, numClasses?: number): ClassificationReport {
  const cm = confusion(predictions, y, numClasses, 'classificationReport');
  const n = cm.length;
  const classes: ClassReport[] = [];
  let correct = 0;
  let total = 0;
  for (let c = 0; c < n; c++) {
    const tp = cm[c]![c]!;
    let predicted = 0;
    let support = 0;
    for (let k = 0; k < n; k++) {
      predicted += cm[k]![c]!;
      support += cm[c]![k]!;
    }
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    classes.push({ precision, recall, f1, support });
    correct += tp;
    total += support;
  }
  const mean = (key: keyof ClassScores): number => classes.reduce((s, c) => s + c[key], 0) / n;
  return { confusion: cm, classes, macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') }, accuracy: correct / total };
}

/** Checks a regression pair: equal shapes, at least one example, finite values. */
function regressionPair(predictions: TensorLike, y: TensorLike, where: string): [Tensor, Tensor] {
  const Y = assertMatrix(toTensor(y, where, 'Y'), where, 'Y');
  const P = assertMatrix(toTensor(predictions, where, 'predictions'), where, 'predictions');
  assertNonEmpty(Y, where, 'Y');
  if (P.rows !== Y.rows || P.cols !== Y.cols) {
    throw new ShapeError(`${where}: predictions: expected shape ${formatShape(Y.shape)} like Y, got ${formatShape(P.shape)}`);
  }
  assertFinite(P, where, 'predictions');
  assertFinite(Y, where, 'Y');
  return [P, Y];
}

/**
 * Mean squared error over all n_y x m entries: (1 / (n_y m)) sum (yhat - y)^2.
 * Unlike the course's regression cost it has no factor 1/2.
 *
 * @example
 * ```ts
 * import { mse } from 'layerwise';
 * mse([[1, 2, 3]], [[1, 2, 5]]) === 4 / 3; // true
 * ```
 */
export function mse(predictions: TensorLike, y: TensorLike): number {
  const [P, Y] = regressionPair(predictions, y, 'mse');
  let s = 0;
  for (let i = 0; i < P.size; i++) s += ((P.data[i] as number) - (Y.data[i] as number)) ** 2;
  return s / P.size;
}

/**
 * Mean absolute error over all n_y x m entries: (1 / (n_y m)) sum |yhat - y|.
 *
 * @example
 * ```ts
 * import { mae } from 'layerwise';
 * mae([[1, 2, 3]], [[1, 2, 5]]) === 2 / 3; // true
 * ```
 */
export function mae(predictions: TensorLike, y: TensorLike): number {
  const [P, Y] = regressionPair(predictions, y, 'mae');
  let s = 0;
  for (let i = 0; i < P.size; i++) s += Math.abs((P.data[i] as number) - (Y.data[i] as number));
  return s / P.size;
}

/**
 * The coefficient of determination R^2 = 1 - SS_res / SS_tot per output row,
 * averaged over the n_y rows: 1 for perfect predictions, 0 for always
 * predicting the mean of Y, negative for worse. Where a row of Y is constant
 * (SS_tot = 0) its R^2 is 1 if predicted exactly, else 0.
 *
 * @example
 * ```ts
 * import { r2 } from 'layerwise';
 * r2([[1, 2, 3]], [[1, 2, 3]]) === 1; // true
 * r2([[2, 2, 2]], [[1, 2, 3]]) === 0; // true
 * ```
 */
export function r2(predictions: TensorLike, y: TensorLike): number {
  const [P, Y] = regressionPair(predictions, y, 'r2');
  const { rows, cols } = Y;
  let total = 0;
  for (let i = 0; i < rows; i++) {
    let mean = 0;
    for (let j = 0; j < cols; j++) mean += Y.get(i, j);
    mean /= cols;
    let res = 0;
    let tot = 0;
    for (let j = 0; j < cols; j++) {
      res += (P.get(i, j) - Y.get(i, j)) ** 2;
      tot += (Y.get(i, j) - mean) ** 2;
    }
    total += tot > 0 ? 1 - res / tot : res === 0 ? 1 : 0;
  }
  return total / rows;
}
