/**
 * Gradient descent with momentum: steps follow an exponentially weighted
 * average of the gradients, which damps the oscillations across a ravine
 * while keeping the speed along it.
 */
import type { Backend } from '../../backend/backend.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Optimizer } from '../optimizer.js';
import { assertBeta, readOptions } from './hyperparameters.js';

/** Hyperparameters of {@link Momentum}. */
export interface MomentumOptions {
  /** Weight of the past in the average of gradients, in [0, 1); default 0.9 (about the last 10 gradients). */
  beta?: number;
}

/** {@link Momentum}'s config as plain data. */
export type MomentumConfig = {
  readonly name: 'momentum';
  readonly beta: number;
};

/**
 * Momentum, as the course writes it (no bias correction):
 * v = beta v + (1 - beta) dW; W = W - alpha v. The velocity v starts at zero.
 *
 * @example
 * ```ts
 * import { Momentum, Network, fit, makeFlower } from 'layerwise';
 * const { X, Y } = makeFlower({ seed: 1 });
 * const net = new Network({ inputSize: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], init: 'random' });
 * const history = fit(net, X, Y, { learningRate: 0.5, iterations: 2000, optimizer: new Momentum({ beta: 0.9 }) });
 * history.cost.at(-1)! < history.cost[0]!; // true
 * ```
 */
export class Momentum extends Optimizer<Tensor> {
  readonly name = 'momentum';
  readonly beta: number;

  constructor(options?: MomentumOptions) {
    super();
    const o = readOptions(options, 'Momentum', ['beta']);
    this.beta = assertBeta(o.beta ?? 0.9, 'Momentum', 'beta');
  }

  override getConfig(): MomentumConfig {
    return { name: 'momentum', beta: this.beta };
  }

  protected createState(be: Backend, param: Tensor): Tensor {
    return be.zeros(param.shape, param.dtype);
  }

  protected updateParameter(be: Backend, param: Tensor, grad: Tensor, v: Tensor, learningRate: number): void {
    be.momentumUpdate(param, grad, v, learningRate, this.beta);
  }
}
