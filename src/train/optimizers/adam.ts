/**
 * Adam (adaptive moment estimation): momentum and RMSprop together, with
 * bias correction so the zero-initialized averages are not too small in the
 * first steps.
 */
import type { Backend } from '../../backend/backend.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Optimizer } from '../optimizer.js';
import { assertBeta, assertEpsilon, readOptions } from './hyperparameters.js';

/** Hyperparameters of {@link Adam}; the defaults are the ones the course recommends. */
export interface AdamOptions {
  /** Weight of the past in the first moment (the momentum term), in [0, 1); default 0.9. */
  beta1?: number;
  /** Weight of the past in the second moment (the RMSprop term), in [0, 1); default 0.999. */
  beta2?: number;
  /** Added to sqrt(vhat) so the step stays finite; > 0, default 1e-8. */
  epsilon?: number;
}

/** {@link Adam}'s config as plain data. */
export type AdamConfig = {
  readonly name: 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
};

/** Adam's per-parameter state: the two moment estimates (saved in this order). */
export interface AdamState {
  readonly m: Tensor;
  readonly v: Tensor;
}

/**
 * Adam at step t (from 1): m = beta1 m + (1 - beta1) dW;
 * v = beta2 v + (1 - beta2) dW^2; mhat = m / (1 - beta1^t);
 * vhat = v / (1 - beta2^t); W = W - alpha mhat / (sqrt(vhat) + epsilon).
 *
 * @example
 * ```ts
 * import { Adam, Network, fit, makeFlower } from 'layerwise';
 * const { X, Y } = makeFlower({ seed: 1 });
 * const net = new Network({ inputSize: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], init: 'random' });
 * const history = fit(net, X, Y, { learningRate: 0.01, iterations: 2000, optimizer: new Adam() });
 * history.cost.at(-1)! < history.cost[0]!; // true
 * ```
 */
export class Adam extends Optimizer<AdamState> {
  readonly name = 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(options?: AdamOptions) {
    super();
    const o = readOptions(options, 'Adam', ['beta1', 'beta2', 'epsilon']);
    this.beta1 = assertBeta(o.beta1 ?? 0.9, 'Adam', 'beta1');
    this.beta2 = assertBeta(o.beta2 ?? 0.999, 'Adam', 'beta2');
    this.epsilon = assertEpsilon(o.epsilon ?? 1e-8, 'Adam');
  }

  override getConfig(): AdamConfig {
    return { name: 'adam', beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  /** v, the second in state order (m, v), averages squared gradients. */
  protected override isSquaredAverage(position: number): boolean {
    return position === 1;
  }

  protected createState(be: Backend, param: Tensor): AdamState {
    return { m: be.zeros(param.shape, param.dtype), v: be.zeros(param.shape, param.dtype) };
  }

  protected updateParameter(be: Backend, param: Tensor, grad: Tensor, state: AdamState, learningRate: number, step: number): void {
    be.adamUpdate(param, grad, state.m, state.v, learningRate, this.beta1, this.beta2, this.epsilon, step);
  }
}
