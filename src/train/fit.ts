/**
 * The training loop. It compiles a plan for the batch size once, then each
 * iteration runs forward, cost, backward and update kernels into that plan's
 * buffers: nothing is allocated per iteration.
 */
import { Plan } from '../nn/plan.js';
import type { Network } from '../nn/network.js';
import { DivergenceError, ValueError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertPositiveFinite, assertPositiveInt, describe, type TensorLike } from '../tensor/validate.js';
import { GradientDescent, Optimizer } from './optimizer.js';

/** How to train. */
export interface FitOptions {
  /** alpha, the learning rate (> 0). */
  learningRate: number;
  /** Number of gradient-descent iterations over the whole training set. */
  iterations: number;
  /** Default: plain gradient descent. */
  optimizer?: Optimizer;
  /** Called after every iteration with its index (0-based) and the cost before that iteration's update. */
  onIteration?: (iteration: number, cost: number) => void;
}

/** What training returns. */
export interface History {
  /** The cost at each iteration, before that iteration's update. */
  cost: number[];
  /** Wall-clock seconds spent training. */
  seconds: number;
}

/**
 * Trains a network with batch gradient descent on X (n_x, m) and Y (n[L], m).
 * The network's parameters are updated in place.
 *
 * If the cost becomes NaN or Infinity, training stops with a
 * {@link DivergenceError} naming the iteration, and the network keeps the
 * parameters of the last iteration whose cost was finite.
 *
 * @example
 * ```ts
 * import { Network, fit, makeFlower } from 'layerwise';
 * const { X, Y } = makeFlower({ seed: 1 });
 * const net = new Network({ inputSize: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], init: 'random', seed: 3 });
 * const history = fit(net, X, Y, { learningRate: 1.2, iterations: 10000 });
 * console.log(history.cost.at(-1));
 * ```
 */
export function fit(net: Network, x: TensorLike, y: TensorLike, options: FitOptions): History {
  const where = 'fit';
  if (options === null || typeof options !== 'object') throw new ValueError(`${where}: options: expected { learningRate, iterations }, got ${describe(options)}`);
  const X = net.checkInput(x, where);
  const Y = net.checkTargets(y, X.cols, where);
  const lr = assertPositiveFinite(options.learningRate, where, 'learningRate');
  const iterations = assertPositiveInt(options.iterations, where, 'iterations');
  const optimizer = options.optimizer ?? new GradientDescent();
  if (!(optimizer instanceof Optimizer)) throw new ValueError(`${where}: optimizer: expected an Optimizer instance, got ${describe(optimizer)}`);

  const plan = new Plan(net, X.cols, true);
  plan.input.data.set(X.data);
  plan.target.data.set(Y.data);
  const params: Tensor[] = [];
  const grads: Tensor[] = [];
  const backup: Tensor[] = [];
  for (let l = 0; l < net.layers.length; l++) {
    const layer = net.layers[l]!;
    params.push(layer.W, layer.b);
    grads.push(plan.grads[l]!.dW, plan.grads[l]!.db);
    backup.push(plan.be.zeros(layer.W.shape, net.dtype), plan.be.zeros(layer.b.shape, net.dtype));
  }

  for (let i = 0; i < params.length; i++) plan.be.copy(params[i]!, backup[i]!);
  const cost = new Float64Array(iterations);
  const onIteration = options.onIteration;
  const start = now();
  for (let it = 0; it < iterations; it++) {
    plan.forward();
    const J = plan.cost();
    if (!Number.isFinite(J)) {
      for (let i = 0; i < params.length; i++) plan.be.copy(backup[i]!, params[i]!);
      throw new DivergenceError(
        `fit: the cost became ${J} at iteration ${it} (learning rate ${lr}); try a lower learning rate. The parameters from iteration ${Math.max(0, it - 1)} were kept.`,
        it,
      );
    }
    cost[it] = J;
    for (let i = 0; i < params.length; i++) plan.be.copy(params[i]!, backup[i]!);
    plan.backward();
    optimizer.apply(plan.be, params, grads, lr);
    if (onIteration) onIteration(it, J);
  }
  return { cost: Array.from(cost), seconds: (now() - start) / 1000 };
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
