/**
 * The course's gradient check: every parameter nudged by +/- epsilon, the
 * two-sided difference (J+ - J-) / 2 epsilon compared with backprop's gradient
 * by ||grad - approx|| / (||grad|| + ||approx||).
 */
import { backendFor } from '../backend/registry.js';
import type { ActivationSpec } from '../nn/activations.js';
import { resolveLoss, type LossName } from '../nn/losses.js';
import type { Parameters } from '../nn/network.js';
import { formatShape, ShapeError, ValueError } from '../tensor/errors.js';
import { assertDType, Tensor, type DType } from '../tensor/tensor.js';
import { assertFinite, assertMatrix, assertNonEmpty, assertPositiveFinite, describe, toTensor, type TensorLike } from '../tensor/validate.js';
import { modelBackward } from './backward.js';
import { modelForward, type LayerCache } from './forward.js';
import { countLayers } from './parameters.js';

/** The result of a gradient check. */
export interface GradientCheckResult {
  /** ||grad - gradApprox|| / (||grad|| + ||gradApprox||). */
  difference: number;
  /** Backprop's gradient, all parameters as one vector (dW1, db1, dW2, ...). */
  grad: Float64Array;
  /** The two-sided numerical estimate, in the same order. */
  gradApprox: Float64Array;
}

function checkTensorList(list: unknown, where: string, name: string): readonly Tensor[] {
  if (!Array.isArray(list)) throw new ValueError(`${where}: ${name}: expected an array of Tensors, got ${describe(list)}`);
  list.forEach((t: unknown, i) => {
    if (!(t instanceof Tensor)) throw new ValueError(`${where}: ${name}[${i}]: expected a Tensor, got ${describe(t)}`);
    assertFinite(t, where, `${name}[${i}]`);
  });
  return list as readonly Tensor[];
}

/**
 * The generic check: `params` are nudged in place one element at a time,
 * `cost()` evaluates J, `analytic` is backprop's gradient in the same order.
 * `where` names the caller in error messages.
 *
 * @example
 * ```ts
 * import { compareGradients, tensor } from 'layerwise';
 * const w = tensor([[3]], { dtype: 'float64' });
 * const J = () => w.get(0, 0) ** 2; // dJ/dw = 2w = 6
 * compareGradients([w], [tensor([[6]], { dtype: 'float64' })], J, 1e-7).difference < 1e-7; // true
 * ```
 */
export function compareGradients(
  params: readonly Tensor[],
  analytic: readonly Tensor[],
  cost: () => number,
  epsilon: number,
  where = 'compareGradients',
): GradientCheckResult {
  checkTensorList(params, where, 'params');
  checkTensorList(analytic, where, 'analytic');
  if (analytic.length !== params.length) {
    throw new ShapeError(`${where}: analytic: expected ${params.length} gradients (one per parameter), got ${analytic.length}`);
  }
  analytic.forEach((g, t) => {
    const p = params[t]!;
    if (g.size !== p.size) {
      throw new ShapeError(`${where}: analytic[${t}]: expected ${p.size} values like params[${t}] ${formatShape(p.shape)}, got ${formatShape(g.shape)}`);
    }
  });
  if (typeof cost !== 'function') throw new ValueError(`${where}: cost: expected a function returning J, got ${describe(cost)}`);
  assertPositiveFinite(epsilon, where, 'epsilon');
  const n = params.reduce((s, p) => s + p.size, 0);
  const grad = new Float64Array(n);
  const gradApprox = new Float64Array(n);
  let k = 0;
  for (let t = 0; t < params.length; t++) {
    const p = params[t]!;
    const g = analytic[t]!;
    for (let i = 0; i < p.size; i++, k++) {
      const orig = p.data[i]!;
      p.data[i] = orig + epsilon;
      const plus = cost();
      p.data[i] = orig - epsilon;
      const minus = cost();
      p.data[i] = orig;
      if (!Number.isFinite(plus) || !Number.isFinite(minus)) {
        const bad = Number.isFinite(plus) ? minus : plus;
        throw new ValueError(`${where}: cost: expected a finite cost, got ${describe(bad)} with params[${t}] element ${i} nudged by ${Number.isFinite(plus) ? '-' : '+'}${epsilon}`);
      }
      gradApprox[k] = (plus - minus) / (2 * epsilon);
      grad[k] = g.data[i]!;
    }
  }
  let num = 0;
  let ng = 0;
  let na = 0;
  for (let i = 0; i < n; i++) {
    num += (grad[i]! - gradApprox[i]!) ** 2;
    ng += grad[i]! ** 2;
    na += gradApprox[i]! ** 2;
  }
  const denom = Math.sqrt(ng) + Math.sqrt(na);
  return { difference: denom === 0 ? 0 : Math.sqrt(num) / denom, grad, gradApprox };
}

/** Options of {@link gradientCheck}. */
export interface GradientCheckOptions {
  /** One per layer; default ReLU hidden layers and a sigmoid output. */
  activations?: readonly ActivationSpec[];
  /** Default 'binaryCrossEntropy'. */
  loss?: LossName;
  /** The nudge; default 1e-7 in float64 (the course's value) and 1e-2 in float32. */
  epsilon?: number;
  /** The precision of the check; default 'float64', where a correct gradient gives a difference < 1e-7. */
  dtype?: DType;
}

/** The cost J from the logits cached by modelForward (finite even when A[L] saturates). */
function costFromCaches(caches: readonly LayerCache[], y: Tensor, loss: LossName): number {
  const last = caches[caches.length - 1]!;
  const be = backendFor(last.A.dtype);
  return be.lossSum(resolveLoss(loss).kind, last.activationCache, last.A, y) / y.cols;
}

/**
 * Checks modelBackward against two-sided numerical differences. The inputs
 * are copied (to float64 by default); nothing passed in is changed.
 *
 * @example
 * ```ts
 * import { initializeParameters, gradientCheck } from 'layerwise';
 * const p = initializeParameters([3, 4, 1], { init: 'he', seed: 2 });
 * const X = [[1, -2, 0.5], [0.3, 0.1, -1], [2, 0, 1]];
 * const { difference } = gradientCheck(p, X, [[1, 0, 1]], { activations: ['tanh', 'sigmoid'] });
 * difference < 1e-7; // true
 * ```
 */
export function gradientCheck(parameters: Parameters, x: TensorLike, y: TensorLike, options: GradientCheckOptions = {}): GradientCheckResult {
  const where = 'gradientCheck';
  if (options === null || typeof options !== 'object') throw new ValueError(`${where}: options: expected { activations?, loss?, epsilon?, dtype? }, got ${describe(options)}`);
  const dtype = assertDType(options.dtype ?? 'float64', where);
  const epsilon = assertPositiveFinite(options.epsilon ?? (dtype === 'float64' ? 1e-7 : 1e-2), where, 'epsilon');
  const loss = options.loss ?? 'binaryCrossEntropy';
  const info = resolveLoss(loss, where, 'loss');
  const L = countLayers(parameters, where);
  const p: Parameters = {};
  const flat: Tensor[] = [];
  for (let l = 1; l <= L; l++) {
    for (const name of [`W${l}`, `b${l}`] as const) {
      p[name] = parameters[name]!.clone(dtype);
      flat.push(p[name]!);
    }
  }
  // Checked here so that a bad X or Y is reported as gradientCheck's, not modelForward's.
  const X = assertMatrix(toTensor(x, where, 'X'), where, 'X').clone(dtype);
  const Y = assertMatrix(toTensor(y, where, 'Y'), where, 'Y').clone(dtype);
  const W1 = p.W1!;
  const WL = p[`W${L}`]!;
  if (X.rows !== W1.cols) throw new ShapeError(`${where}: X: expected shape (${W1.cols}, m) to match W1 ${formatShape(W1.shape)}, got ${formatShape(X.shape)}`);
  assertNonEmpty(X, where, 'X');
  if (Y.rows !== WL.rows || Y.cols !== X.cols) {
    throw new ShapeError(`${where}: Y: expected shape (${WL.rows}, ${X.cols}) to match W${L} and X, got ${formatShape(Y.shape)}`);
  }
  assertFinite(X, where, 'X');
  assertFinite(Y, where, 'Y');
  info.checkTargets(Y, where, 'Y');
  const { AL, caches } = modelForward(X, p, options.activations);
  const grads = modelBackward(AL, Y, caches, loss);
  const analytic: Tensor[] = [];
  for (let l = 1; l <= L; l++) analytic.push(grads[`dW${l}`]!, grads[`db${l}`]!);
  return compareGradients(flat, analytic, () => costFromCaches(modelForward(X, p, options.activations).caches, Y, loss), epsilon, where);
}
