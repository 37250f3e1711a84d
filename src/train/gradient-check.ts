/**
 * The gradient check for a whole Network, regularization, batch normalization
 * and dropout included: masks are drawn once and held fixed while the
 * parameters are nudged, as the course advises ("turn off dropout, or fix the mask").
 */
import { compareGradients, type GradientCheckResult } from '../functional/gradient-check.js';
import { loadInput, Network } from '../nn/network.js';
import { Plan } from '../nn/plan.js';
import { ValueError } from '../tensor/errors.js';
import { assertPositiveFinite, describe, type TensorLike } from '../tensor/validate.js';

/**
 * Compares a network's backprop gradients (of the regularized cost, in
 * training mode) with two-sided differences. Use a float64 network for the
 * course's < 1e-7 threshold. The network's parameters end as they started.
 *
 * @example
 * ```ts
 * import { Network, checkGradients } from 'layerwise';
 * const net = new Network({ inputSize: 2, layers: [{ units: 3, keepProb: 0.8 }, { units: 1 }], l2: 0.7, dtype: 'float64', seed: 1 });
 * checkGradients(net, [[1, 2, -1], [0.5, -1, 2]], [[1, 0, 1]]).difference < 1e-7; // true
 * ```
 */
export function checkGradients(net: Network, x: TensorLike, y: TensorLike, options: { epsilon?: number } = {}): GradientCheckResult {
  const where = 'checkGradients';
  if (!(net instanceof Network)) throw new ValueError(`${where}: net: expected a Network, got ${describe(net)}`);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ValueError(`${where}: options: expected { epsilon? }, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (key !== 'epsilon') throw new ValueError(`${where}: ${key}: expected only epsilon, got an unknown option`);
  }
  const X = net.checkInput(x, where);
  const m = net.examples(X);
  const Y = net.checkTargets(y, m, where);
  // NaN weights would make every difference NaN, and NaN < 1e-7 reads as a failed check, not a bad network.
  net.checkParameters(where, 'net');
  const epsilon = assertPositiveFinite(options.epsilon ?? (net.dtype === 'float64' ? 1e-7 : 1e-2), where, 'epsilon');
  const plan = new Plan(net, m, true);
  loadInput(net, X, plan.input);
  plan.target.data.set(Y.data);
  plan.forward(true, true);
  plan.backward();
  const cost = () => {
    plan.forward(true, false);
    return plan.cost() + plan.regularizationCost();
  };
  return compareGradients(plan.params, plan.paramGrads, cost, epsilon);
}
