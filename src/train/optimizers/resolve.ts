/**
 * One way to name an optimizer in configs, the CLI and model files, and one
 * resolver that turns the name into an instance.
 */
import { ValueError } from '../../tensor/errors.js';
import { describe } from '../../tensor/validate.js';
import { GradientDescent, Optimizer } from '../optimizer.js';
import { Adam, type AdamOptions } from './adam.js';
import { readOptions } from './hyperparameters.js';
import { Momentum, type MomentumOptions } from './momentum.js';
import { RMSprop, type RMSpropOptions } from './rmsprop.js';

/** The optimizers that can be named. */
export type OptimizerName = 'gd' | 'momentum' | 'rmsprop' | 'adam';

/** An optimizer named with its hyperparameters; omitted ones take their defaults. */
export type OptimizerConfig =
  | { readonly name: 'gd' }
  | ({ readonly name: 'momentum' } & MomentumOptions)
  | ({ readonly name: 'rmsprop' } & RMSpropOptions)
  | ({ readonly name: 'adam' } & AdamOptions);

/** Anything {@link resolveOptimizer} accepts: a name, a config, or an optimizer (returned as is). */
export type OptimizerSpec = OptimizerName | OptimizerConfig | Optimizer;

type Hyperparameters = Readonly<Record<string, unknown>>;

// Hyperparameters are checked by each constructor; the cast only hands them over.
const factories: { readonly [K in OptimizerName]: (h: Hyperparameters) => Optimizer } = {
  gd: (h) => {
    readOptions(h, 'GradientDescent', []);
    return new GradientDescent();
  },
  momentum: (h) => new Momentum(h as MomentumOptions),
  rmsprop: (h) => new RMSprop(h as RMSpropOptions),
  adam: (h) => new Adam(h as AdamOptions),
};

/**
 * The names {@link resolveOptimizer} knows.
 *
 * @example
 * ```ts
 * import { OPTIMIZER_NAMES } from 'layerwise';
 * OPTIMIZER_NAMES.includes('adam'); // true
 * ```
 */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = Object.freeze(Object.keys(factories) as OptimizerName[]);

function isOptimizerName(name: unknown): name is OptimizerName {
  return typeof name === 'string' && Object.hasOwn(factories, name);
}

/**
 * Makes an optimizer from its name or its config. Together with
 * {@link Optimizer.getConfig} and {@link Optimizer.getState} this rebuilds a
 * checkpointed optimizer exactly.
 *
 * @example
 * ```ts
 * import { resolveOptimizer, type OptimizerConfig } from 'layerwise';
 * const adam = resolveOptimizer('adam');
 * const momentum = resolveOptimizer({ name: 'momentum', beta: 0.95 });
 * const saved = { config: adam.getConfig(), state: adam.getState() };
 * const resumed = resolveOptimizer(saved.config as OptimizerConfig);
 * resumed.setState(saved.state);
 * resumed.name === 'adam' && momentum.name === 'momentum'; // true
 * ```
 */
export function resolveOptimizer(spec: OptimizerSpec): Optimizer {
  const where = 'resolveOptimizer';
  if (spec instanceof Optimizer) return spec;
  const expected = OPTIMIZER_NAMES.map((n) => `"${n}"`).join(', ');
  if (typeof spec === 'string') {
    if (!isOptimizerName(spec)) throw new ValueError(`${where}: spec: expected one of ${expected}, got ${describe(spec)}`);
    return factories[spec]({});
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new ValueError(`${where}: spec: expected an optimizer name or { name, ...hyperparameters }, got ${describe(spec)}`);
  }
  const { name, ...hyperparameters } = spec as { name?: unknown };
  if (!isOptimizerName(name)) throw new ValueError(`${where}: spec.name: expected one of ${expected}, got ${describe(name)}`);
  return factories[name](hyperparameters);
}
