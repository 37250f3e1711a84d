/**
 * Checks shared by the optimizers' constructors, so every optimizer rejects a
 * bad hyperparameter with the same wording.
 */
import { ValueError } from '../../tensor/errors.js';
import { assertKnownKeys, assertPositiveFinite, describe } from '../../tensor/validate.js';

/**
 * Checks that `options` is undefined or a plain object whose keys are all in
 * `allowed`, so a misspelt hyperparameter (`betta`) fails loudly instead of
 * silently falling back to its default.
 */
export function readOptions<T extends object>(options: T | undefined, where: string, allowed: readonly string[]): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ValueError(`${where}: options: expected an object of hyperparameters, got ${describe(options)}`);
  }
  assertKnownKeys(options, allowed, where, '', 'hyperparameter');
  return options;
}

/** An exponential-average coefficient: beta in [0, 1). beta = 1 would never let a gradient in. */
export function assertBeta(value: unknown, where: string, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 1) {
    throw new ValueError(`${where}: ${name}: expected a number in [0, 1), got ${describe(value)}`);
  }
  return value;
}

/** The small constant that keeps sqrt(s) + epsilon away from zero: must be > 0. */
export function assertEpsilon(value: unknown, where: string): number {
  return assertPositiveFinite(value, where, 'epsilon');
}
