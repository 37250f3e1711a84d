/**
 * RMSprop: divides each step by a running root mean square of that
 * parameter's gradients, so directions with large, oscillating gradients take
 * small steps and quiet directions take larger ones.
 */
import type { Backend } from '../../backend/backend.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Optimizer } from '../optimizer.js';
import { assertBeta, assertEpsilon, readOptions } from './hyperparameters.js';

/** Hyperparameters of {@link RMSprop}. */
export interface RMSpropOptions {
  /** Weight of the past in the average of squared gradients, in [0, 1); default 0.999. */
  beta2?: number;
  /** Added to sqrt(s) so the step stays finite where s is near zero; > 0, default 1e-8. */
  epsilon?: number;
}

/** {@link RMSprop}'s config as plain data. */
export type RMSpropConfig = {
  readonly name: 'rmsprop';
  readonly beta2: number;
  readonly epsilon: number;
};

/**
 * RMSprop, as the course writes it: s = beta2 s + (1 - beta2) dW^2;
 * W = W - alpha dW / (sqrt(s) + epsilon). s starts at zero.
 *
 * @example
 * ```ts
 * import { RMSprop, Network, fit, makeFlower } from 'layerwise';
 * const { X, Y } = makeFlower({ seed: 1 });
 * const net = new Network({ inputSize: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], init: 'random' });
 * const history = fit(net, X, Y, { learningRate: 0.01, iterations: 2000, optimizer: new RMSprop() });
 * history.cost.at(-1)! < history.cost[0]!; // true
 * ```
 */
export class RMSprop extends Optimizer<Tensor> {
  readonly name = 'rmsprop';
  readonly beta2: number;
  readonly epsilon: number;

  constructor(options?: RMSpropOptions) {
    super();
    const o = readOptions(options, 'RMSprop', ['beta2', 'epsilon']);
    this.beta2 = assertBeta(o.beta2 ?? 0.999, 'RMSprop', 'beta2');
    this.epsilon = assertEpsilon(o.epsilon ?? 1e-8, 'RMSprop');
  }

  override getConfig(): RMSpropConfig {
    return { name: 'rmsprop', beta2: this.beta2, epsilon: this.epsilon };
  }

  /** s, the only state, averages squared gradients. */
  protected override isSquaredAverage(position: number): boolean {
    return position === 0;
  }

  protected createState(be: Backend, param: Tensor): Tensor {
    return be.zeros(param.shape, param.dtype);
  }

  protected updateParameter(be: Backend, param: Tensor, grad: Tensor, s: Tensor, learningRate: number): void {
    be.rmspropUpdate(param, grad, s, learningRate, this.beta2, this.epsilon);
  }
}
