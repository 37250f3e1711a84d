/**
 * Optimizers. The base class owns the loop over parameters, the per-parameter
 * state and the step count; each optimizer writes only how its state starts
 * and how one parameter is updated (the MLX / Keras 3 split).
 */
import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * The base every optimizer extends.
 *
 * @example
 * ```ts
 * import { Optimizer, type Backend, type Tensor } from 'layerwise';
 * class SignDescent extends Optimizer<null> {
 *   readonly name = 'sign';
 *   protected createState(): null { return null; }
 *   protected updateParameter(be: Backend, p: Tensor, g: Tensor, _s: null, lr: number): void {
 *     for (let i = 0; i < p.size; i++) p.data[i] = p.data[i]! - lr * Math.sign(g.data[i]!);
 *   }
 * }
 * ```
 */
export abstract class Optimizer<State = unknown> {
  /** The optimizer's name, as written in configs and model files. */
  abstract readonly name: string;
  /** Steps taken so far (t in Adam's bias correction), starting at 0. */
  step = 0;
  private states: State[] = [];

  /** Makes the state of one parameter (e.g. zeroed velocity buffers). Called once per parameter. */
  protected abstract createState(be: Backend, param: Tensor): State;

  /** Updates one parameter in place from its gradient. */
  protected abstract updateParameter(be: Backend, param: Tensor, grad: Tensor, state: State, learningRate: number, step: number): void;

  /** One update of every parameter; `params[i]` pairs with `grads[i]`. Allocates state on the first call only. */
  apply(be: Backend, params: readonly Tensor[], grads: readonly Tensor[], learningRate: number): void {
    if (this.states.length !== params.length) this.states = params.map((p) => this.createState(be, p));
    this.step++;
    for (let i = 0; i < params.length; i++) {
      this.updateParameter(be, params[i]!, grads[i]!, this.states[i]!, learningRate, this.step);
    }
  }

  /** Forgets all state (a fresh start). */
  reset(): void {
    this.states = [];
    this.step = 0;
  }
}

/**
 * Plain (batch or mini-batch) gradient descent: W = W - alpha * dW.
 *
 * @example
 * ```ts
 * import { GradientDescent } from 'layerwise';
 * const gd = new GradientDescent();
 * ```
 */
export class GradientDescent extends Optimizer<null> {
  readonly name = 'gd';
  protected createState(): null {
    return null;
  }
  protected updateParameter(be: Backend, param: Tensor, grad: Tensor, _state: null, learningRate: number): void {
    be.axpy(-learningRate, grad, param);
  }
}
