/**
 * Errors thrown by layerwise. Every message names the argument, what was
 * expected and what was received, so a user can fix the call without reading
 * the library's source.
 */

/**
 * Thrown when an argument has the wrong shape.
 *
 * @example
 * ```ts
 * import { ShapeError } from 'layerwise';
 * const e = new ShapeError('fit: X: expected shape (2, m), got (3, 400)');
 * e instanceof Error && e.name === 'ShapeError'; // true
 * ```
 */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

/**
 * Thrown when an argument has a value outside its domain: NaN, a label that is
 * not 0 or 1, a negative learning rate, an unknown name.
 *
 * @example
 * ```ts
 * import { ValueError } from 'layerwise';
 * const e = new ValueError('fit: learningRate: expected a finite number > 0, got -1');
 * e.name === 'ValueError'; // true
 * ```
 */
export class ValueError extends Error {
  override name = 'ValueError';
}

/**
 * Thrown when training diverges (the cost becomes NaN or Infinity).
 *
 * @example
 * ```ts
 * import { DivergenceError } from 'layerwise';
 * const e = new DivergenceError('fit: cost became NaN at iteration 12', 12);
 * e.iteration === 12; // true
 * ```
 */
export class DivergenceError extends Error {
  override name = 'DivergenceError';
  constructor(
    message: string,
    readonly iteration: number,
  ) {
    super(message);
  }
}

/**
 * Formats a shape the way the course writes it: `(2, 400)`.
 *
 * @example
 * ```ts
 * import { formatShape } from 'layerwise';
 * formatShape([2, 400]) === '(2, 400)'; // true
 * ```
 */
export function formatShape(shape: readonly number[]): string {
  return `(${shape.join(', ')})`;
}

/**
 * A value as it should read in an error message (validate.ts's `describe`
 * delegates here, so tensor.ts can use it without importing validate.ts,
 * which imports tensor.ts).
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
