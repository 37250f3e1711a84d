/**
 * Activation names and their one resolver. The math lives in the backends'
 * kernels; this module turns what a user writes ('relu', { name: 'leakyRelu',
 * slope: 0.2 }) into the tagged union the kernels switch on.
 */
import type { Activation } from '../backend/backend.js';
import { ValueError } from '../tensor/errors.js';
import { describe } from '../tensor/validate.js';

/** The activations layerwise provides. */
export type ActivationName = Activation['kind'];

/** What a user may pass as an activation: a name, or leaky ReLU with its slope. */
export type ActivationSpec = ActivationName | { name: 'leakyRelu'; slope?: number } | Activation;

/** The course's default leaky ReLU slope. */
export const DEFAULT_LEAKY_SLOPE = 0.01;

const byName: { readonly [K in ActivationName]: Activation } = {
  sigmoid: { kind: 'sigmoid' },
  tanh: { kind: 'tanh' },
  relu: { kind: 'relu' },
  leakyRelu: { kind: 'leakyRelu', slope: DEFAULT_LEAKY_SLOPE },
  linear: { kind: 'linear' },
  softmax: { kind: 'softmax' },
};

/** Every activation name, for help texts and validation. */
export const ACTIVATION_NAMES = Object.keys(byName) as ActivationName[];

/**
 * Resolves an activation spec; throws on unknown names or a bad slope.
 *
 * @example
 * ```ts
 * import { resolveActivation } from 'layerwise';
 * resolveActivation('relu').kind === 'relu'; // true
 * resolveActivation({ name: 'leakyRelu', slope: 0.2 }); // { kind: 'leakyRelu', slope: 0.2 }
 * ```
 */
export function resolveActivation(spec: ActivationSpec, where = 'resolveActivation', name = 'activation'): Activation {
  if (typeof spec === 'string') {
    const act = Object.prototype.hasOwnProperty.call(byName, spec) ? byName[spec] : undefined;
    if (!act) throw unknown(spec, where, name);
    return act;
  }
  if (spec !== null && typeof spec === 'object') {
    const key = 'kind' in spec ? spec.kind : spec.name;
    if (key === 'leakyRelu') {
      const slope = (spec as { slope?: number }).slope ?? DEFAULT_LEAKY_SLOPE;
      if (typeof slope !== 'number' || !Number.isFinite(slope) || slope < 0 || slope >= 1) {
        throw new ValueError(`${where}: ${name}: leakyRelu slope: expected a finite number in [0, 1), got ${describe(slope)}`);
      }
      return { kind: 'leakyRelu', slope };
    }
    return resolveActivation(key as ActivationName, where, name);
  }
  throw unknown(spec, where, name);
}

/** The spec that recreates an activation (for model files and messages). */
export function activationToSpec(act: Activation): ActivationSpec {
  return act.kind === 'leakyRelu' && act.slope !== DEFAULT_LEAKY_SLOPE ? { name: 'leakyRelu', slope: act.slope } : act.kind;
}

function unknown(spec: unknown, where: string, name: string): ValueError {
  return new ValueError(`${where}: ${name}: expected one of ${ACTIVATION_NAMES.map((n) => `"${n}"`).join(', ')}, got ${describe(spec)}`);
}
