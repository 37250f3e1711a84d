/**
 * Optimizers. The base class owns the loop over parameters, the per-parameter
 * state and the step count; each optimizer writes only how its state starts
 * and how one parameter is updated (the MLX / Keras 3 split).
 */
import type { Backend } from '../backend/backend.js';
import { ValueError } from '../tensor/errors.js';
import { Tensor, type FloatArray } from '../tensor/tensor.js';
import { describe } from '../tensor/validate.js';

/**
 * An optimizer's state as plain data: with the optimizer's config (see
 * {@link Optimizer.getConfig}) it is everything needed to resume training
 * exactly where it stopped.
 */
export interface OptimizerState {
  /** Steps taken so far (t in Adam's bias correction). */
  step: number;
  /**
   * Copies of every state buffer: parameter by parameter in the order `apply`
   * receives them, and within a parameter in its state's order (Adam: m, v).
   * Empty before the first step and for stateless optimizers.
   */
  buffers: FloatArray[];
}

/** An optimizer's name and hyperparameters as plain data, e.g. `{ name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }`. */
export interface OptimizerConfigData {
  readonly name: string;
  readonly [hyperparameter: string]: string | number;
}

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
  /** Buffers from {@link Optimizer.setState} waiting for the parameters they belong to (the first `apply`). */
  private pending: FloatArray[] | null = null;

  /** Makes the state of one parameter (e.g. zeroed velocity buffers). Called once per parameter. */
  protected abstract createState(be: Backend, param: Tensor): State;

  /** Updates one parameter in place from its gradient. */
  protected abstract updateParameter(be: Backend, param: Tensor, grad: Tensor, state: State, learningRate: number, step: number): void;

  /**
   * The tensors inside one parameter's state, in a fixed order, for
   * {@link Optimizer.getState} and {@link Optimizer.setState}. The default finds
   * them in a Tensor, an array or a plain object of Tensors (in key order), so
   * most optimizers need not override it; state that is not a Tensor is not saved.
   */
  protected stateTensors(state: State): readonly Tensor[] {
    return tensorsIn(state);
  }

  /** One update of every parameter; `params[i]` pairs with `grads[i]`. Allocates state on the first call only. */
  apply(be: Backend, params: readonly Tensor[], grads: readonly Tensor[], learningRate: number): void {
    if (this.states.length !== params.length) {
      this.states = params.map((p) => this.createState(be, p));
      if (this.pending) {
        try {
          this.restore(this.pending, `${this.constructor.name}.apply`);
        } catch (e) {
          // Keep the saved state pending, so a retry fails the same way rather than training from zeros.
          this.states = [];
          throw e;
        }
        this.pending = null;
      }
    }
    this.step++;
    for (let i = 0; i < params.length; i++) {
      this.updateParameter(be, params[i]!, grads[i]!, this.states[i]!, learningRate, this.step);
    }
  }

  /** Forgets all state (a fresh start). */
  reset(): void {
    this.states = [];
    this.step = 0;
    this.pending = null;
  }

  /**
   * The name and hyperparameters, as plain data that `resolveOptimizer`
   * turns back into an equal optimizer.
   *
   * @example
   * ```ts
   * import { Adam, resolveOptimizer } from 'layerwise';
   * const copy = resolveOptimizer(new Adam({ beta1: 0.8 }).getConfig()); // Adam with beta1 0.8
   * ```
   */
  getConfig(): OptimizerConfigData {
    return { name: this.name };
  }

  /**
   * A copy of the step count and every state buffer, to checkpoint training.
   *
   * @example
   * ```ts
   * import { Momentum, jsBackend, tensor } from 'layerwise';
   * const opt = new Momentum();
   * opt.apply(jsBackend, [tensor([1])], [tensor([0.5])], 0.1);
   * const { step, buffers } = opt.getState(); // 1, [Float32Array [0.05]]
   * ```
   */
  getState(): OptimizerState {
    if (this.pending) return { step: this.step, buffers: this.pending.map((b) => b.slice()) };
    const buffers: FloatArray[] = [];
    for (const state of this.states) for (const t of this.stateTensors(state)) buffers.push(t.data.slice());
    return { step: this.step, buffers };
  }

  /**
   * Restores a state taken with {@link Optimizer.getState}, so the next
   * `apply` continues exactly where that optimizer stopped. It may be called
   * before the first `apply`: the buffers are then checked against the
   * parameters when they arrive. Values are copied (and converted if the
   * dtypes differ).
   *
   * @example
   * ```ts
   * import { Adam } from 'layerwise';
   * const saved = new Adam().getState();
   * const resumed = new Adam();
   * resumed.setState(saved);
   * ```
   */
  setState(state: OptimizerState): void {
    const where = `${this.constructor.name}.setState`;
    if (state === null || typeof state !== 'object') throw new ValueError(`${where}: state: expected { step, buffers }, got ${describe(state)}`);
    const { step, buffers } = state;
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) {
      throw new ValueError(`${where}: state.step: expected a non-negative integer, got ${describe(step)}`);
    }
    if (!Array.isArray(buffers)) throw new ValueError(`${where}: state.buffers: expected an array of Float32Array or Float64Array, got ${describe(buffers)}`);
    buffers.forEach((b: unknown, i) => {
      if (!(b instanceof Float32Array || b instanceof Float64Array)) {
        throw new ValueError(`${where}: state.buffers[${i}]: expected a Float32Array or Float64Array, got ${describe(b)}`);
      }
    });
    if (this.states.length > 0) this.restore(buffers, where);
    else this.pending = buffers.length > 0 ? buffers.map((b) => b.slice()) : null;
    this.step = step;
  }

  /** Copies saved buffers into the live state, after checking they fit it. */
  private restore(buffers: readonly FloatArray[], where: string): void {
    const targets = this.states.flatMap((s) => [...this.stateTensors(s)]);
    if (targets.length !== buffers.length) {
      throw new ValueError(`${where}: state.buffers: expected ${targets.length} buffers for ${this.states.length} parameters, got ${buffers.length}`);
    }
    targets.forEach((t, i) => {
      const b = buffers[i]!;
      if (b.length !== t.size) throw new ValueError(`${where}: state.buffers[${i}]: expected ${t.size} values, got ${b.length}`);
    });
    targets.forEach((t, i) => t.data.set(buffers[i]!));
  }
}

/** The Tensors in a state value: a Tensor, or arrays and plain objects of them. */
function tensorsIn(state: unknown): Tensor[] {
  if (state instanceof Tensor) return [state];
  if (Array.isArray(state)) return state.flatMap(tensorsIn);
  if (state !== null && typeof state === 'object') return Object.values(state).flatMap(tensorsIn);
  return [];
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
