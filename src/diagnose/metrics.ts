/**
 * Evaluation metrics.
 */
import { formatShape, ShapeError } from '../tensor/errors.js';
import { toTensor, type TensorLike } from '../tensor/validate.js';

/**
 * The fraction of predictions equal to the labels. Both are (1, m) rows of
 * class labels (see Network.classify); one-hot Y of shape (C, m) is turned
 * into labels by its argmax.
 *
 * @example
 * ```ts
 * import { accuracy } from 'layerwise';
 * accuracy([[1, 0, 1, 1]], [[1, 0, 0, 1]]); // 0.75
 * ```
 */
export function accuracy(predictions: TensorLike, y: TensorLike): number {
  const where = 'accuracy';
  const P = toTensor(predictions, where, 'predictions');
  let Y = toTensor(y, where, 'Y');
  if (Y.rows > 1 && Y.cols === P.cols) {
    const labels: number[] = [];
    for (let j = 0; j < Y.cols; j++) {
      let best = 0;
      for (let i = 1; i < Y.rows; i++) if (Y.get(i, j) > Y.get(best, j)) best = i;
      labels.push(best);
    }
    Y = toTensor(labels, where, 'Y');
  }
  if (P.size !== Y.size || P.size === 0) throw new ShapeError(`${where}: Y: expected ${P.size} labels like predictions ${formatShape(P.shape)}, got ${formatShape(Y.shape)}`);
  let correct = 0;
  for (let i = 0; i < P.size; i++) if (P.data[i] === Y.data[i]) correct++;
  return correct / P.size;
}
