/**
 * Weight initializers. Biases always start at zero; the initializer picks W.
 * zeros is right only for logistic regression (it cannot break symmetry in a
 * hidden layer); random is randn * scale; He and Xavier scale by fan-in.
 */
import type { Rng } from '../random/rng.js';
import { ValueError } from '../tensor/errors.js';
import type { FloatArray } from '../tensor/tensor.js';
import { describe } from '../tensor/validate.js';

/** A resolved initializer. */
export type Initializer =
  | { readonly kind: 'zeros' }
  | { readonly kind: 'random'; readonly scale: number }
  | { readonly kind: 'he' }
  | { readonly kind: 'xavier' };

/** What a user may pass: a name, or random with its scale. */
export type InitSpec = Initializer['kind'] | { name: 'random'; scale?: number } | Initializer;

/** The course's small random scale: randn * 0.01. */
export const DEFAULT_RANDOM_SCALE = 0.01;

const NAMES: readonly Initializer['kind'][] = ['zeros', 'random', 'he', 'xavier'];

/**
 * Resolves an initializer spec; throws on unknown names.
 *
 * @example
 * ```ts
 * import { resolveInitializer } from 'layerwise';
 * resolveInitializer('he').kind === 'he'; // true
 * resolveInitializer({ name: 'random', scale: 10 }); // large random init
 * ```
 */
export function resolveInitializer(spec: InitSpec, where = 'resolveInitializer', arg = 'init'): Initializer {
  const name = typeof spec === 'string' ? spec : spec !== null && typeof spec === 'object' ? ('kind' in spec ? spec.kind : spec.name) : undefined;
  if (typeof name !== 'string' || !NAMES.includes(name as Initializer['kind'])) {
    throw new ValueError(`${where}: ${arg}: expected one of ${NAMES.map((n) => `"${n}"`).join(', ')}, got ${describe(typeof spec === 'object' && spec !== null ? name : spec)}`);
  }
  if (name === 'random') {
    const scale = typeof spec === 'object' && 'scale' in spec && spec.scale !== undefined ? spec.scale : DEFAULT_RANDOM_SCALE;
    if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
      throw new ValueError(`${where}: ${arg}: random scale: expected a finite number > 0, got ${describe(scale)}`);
    }
    return { kind: 'random', scale };
  }
  return { kind: name as 'zeros' | 'he' | 'xavier' };
}

/**
 * The standard deviation of W[l] entries for a layer with `fanIn` = n[l-1] inputs.
 *
 * @example
 * ```ts
 * import { initScale } from 'layerwise';
 * initScale({ kind: 'he' }, 8) === 0.5; // true: sqrt(2 / 8)
 * initScale({ kind: 'random', scale: 0.01 }, 8) === 0.01; // true
 * ```
 */
export function initScale(init: Initializer, fanIn: number): number {
  switch (init.kind) {
    case 'zeros':
      return 0;
    case 'random':
      return init.scale;
    case 'he':
      return Math.sqrt(2 / fanIn);
    case 'xavier':
      return Math.sqrt(1 / fanIn);
  }
}

/** Fills W (row-major, (n[l], n[l-1])) from the generator; zeros draws nothing. */
export function initializeWeights(w: FloatArray, fanIn: number, init: Initializer, rng: Rng): void {
  if (init.kind === 'zeros') {
    w.fill(0);
    return;
  }
  rng.fillNormal(w, initScale(init, fanIn));
}
