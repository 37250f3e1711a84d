/**
 * Optimizers. The base class owns the loop over parameters, the per-parameter
 * state and the step count; each optimizer writes only how its state starts
 * and how one parameter is updated (the MLX / Keras 3 split).
 */
import type { Backend } from '../backend/backend.js';
import { formatShape, ValueError } from '../tensor/errors.js';
import { Tensor, type DType, type FloatArray } from '../tensor/tensor.js';
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
 *   protected updateParameter(_be: Backend, p: Tensor, g: Tensor, _s: null, lr: number): void {
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
  /** The shape and dtype of each parameter the state was made for, so each step can check its parameters without allocating. */
  private madeFor: { readonly shape: readonly number[]; readonly dtype: DType }[] = [];
  /** Whether the state holds any tensor; a stateless optimizer may move to other parameters freely. */
  private holdsTensors = false;

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

  /**
   * One update of every parameter; `params[i]` pairs with `grads[i]`, which
   * must have its shape and dtype. Allocates state on the first call only.
   * The state belongs to the parameters it was made for: parameters of other
   * shapes (another network) are refused, see {@link Optimizer.build}.
   */
  apply(be: Backend, params: readonly Tensor[], grads: readonly Tensor[], learningRate: number): void {
    this.checkStep(params, grads, learningRate);
    if (this.states.length === 0 || !this.fits(params)) this.prepare(be, params, `${this.constructor.name}.apply`, 'state');
    this.step++;
    for (let i = 0; i < params.length; i++) {
      this.updateParameter(be, params[i]!, grads[i]!, this.states[i]!, learningRate, this.step);
    }
  }

  /**
   * Makes the state for these parameters now, restoring a state given to
   * {@link Optimizer.setState}, or checks that the state already held was made
   * for parameters of these shapes and dtypes. `apply` does this on its first
   * call; `fit` calls it before training, so a mismatch fails before any
   * weight changes. An optimizer with state (momentum, RMSprop, Adam) holds one
   * network's: parameters of other shapes throw rather than train with state
   * that does not fit them (create one optimizer per network, or `reset()`).
   *
   * @param where - the call to name in messages; when given, the optimizer is
   *   that call's `optimizer` argument.
   */
  build(be: Backend, params: readonly Tensor[], where?: string): void {
    const w = where ?? `${this.constructor.name}.build`;
    if (!Array.isArray(params)) throw new ValueError(`${w}: params: expected an array of Tensors, got ${describe(params)}`);
    params.forEach((p: unknown, i) => {
      if (!(p instanceof Tensor)) throw new ValueError(`${w}: params[${i}]: expected a Tensor, got ${describe(p)}`);
    });
    this.prepare(be, params, w, where === undefined ? 'state' : 'optimizer.state');
  }

  /** Creates (or re-checks) the state; `label` names the state in messages. */
  private prepare(be: Backend, params: readonly Tensor[], where: string, label: string): void {
    if (this.states.length > 0) {
      if (this.fits(params)) return;
      // Without state tensors (plain gradient descent) nothing is lost by starting afresh.
      if (this.holdsTensors) throw this.mismatch(params, where, label);
    }
    this.states = params.map((p) => this.createState(be, p));
    this.madeFor = params.map((p) => ({ shape: p.shape, dtype: p.dtype }));
    this.holdsTensors = this.states.some((s) => this.stateTensors(s).length > 0);
    if (this.pending) {
      try {
        this.restore(this.pending, where, label);
      } catch (e) {
        // Keep the saved state pending, so a retry fails the same way rather than training from zeros.
        this.states = [];
        this.madeFor = [];
        throw e;
      }
      this.pending = null;
    }
  }

  /** Whether the state was made for parameters of exactly these shapes and dtypes. Runs every step: allocates nothing. */
  private fits(params: readonly Tensor[]): boolean {
    const made = this.madeFor;
    if (made.length !== params.length) return false;
    for (let i = 0; i < params.length; i++) {
      const p = params[i]!;
      if (p.dtype !== made[i]!.dtype || !sameShape(p.shape, made[i]!.shape)) return false;
    }
    return true;
  }

  private mismatch(params: readonly Tensor[], where: string, label: string): ValueError {
    const name = this.constructor.name;
    const advice = "an optimizer holds one network's state: create a new one per network, or call reset() to start afresh";
    const made = this.madeFor;
    if (made.length !== params.length) {
      return new ValueError(`${where}: ${label}: expected state for ${params.length} parameters, got ${name} state for ${made.length} (made for another network); ${advice}`);
    }
    const i = params.findIndex((p, k) => p.dtype !== made[k]!.dtype || !sameShape(p.shape, made[k]!.shape));
    const p = params[i]!;
    return new ValueError(
      `${where}: ${label}: expected state for parameter ${i} of shape ${formatShape(p.shape)} ${p.dtype}, got ${name} state for ${formatShape(made[i]!.shape)} ${made[i]!.dtype} (made for another network); ${advice}`,
    );
  }

  /**
   * The per-step checks of `apply`'s arguments: O(number of parameters), and
   * allocation-free unless they throw (the message is built only then).
   */
  private checkStep(params: readonly Tensor[], grads: readonly Tensor[], learningRate: number): void {
    if (!Array.isArray(params)) throw new ValueError(`${this.constructor.name}.apply: params: expected an array of Tensors, got ${describe(params)}`);
    if (!Array.isArray(grads)) throw new ValueError(`${this.constructor.name}.apply: grads: expected an array of Tensors, got ${describe(grads)}`);
    if (grads.length !== params.length) {
      throw new ValueError(`${this.constructor.name}.apply: grads: expected ${params.length} gradients, one per parameter, got ${grads.length}`);
    }
    for (let i = 0; i < params.length; i++) {
      const p: unknown = params[i];
      const g: unknown = grads[i];
      if (!(p instanceof Tensor)) throw new ValueError(`${this.constructor.name}.apply: params[${i}]: expected a Tensor, got ${describe(p)}`);
      if (!(g instanceof Tensor)) throw new ValueError(`${this.constructor.name}.apply: grads[${i}]: expected a Tensor, got ${describe(g)}`);
      if (g.dtype !== p.dtype || !sameShape(g.shape, p.shape)) {
        throw new ValueError(
          `${this.constructor.name}.apply: grads[${i}]: expected shape ${formatShape(p.shape)} ${p.dtype} like params[${i}], got ${formatShape(g.shape)} ${g.dtype}`,
        );
      }
    }
    // 0 is allowed: a decaying schedule may underflow to it, and it leaves the parameters as they are.
    if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate < 0) {
      throw new ValueError(`${this.constructor.name}.apply: learningRate: expected a finite number >= 0, got ${describe(learningRate)}`);
    }
  }

  /** Forgets all state (a fresh start). */
  reset(): void {
    this.states = [];
    this.madeFor = [];
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
 * copy instanceof Adam && copy.beta1 === 0.8; // true
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
 * step === 1 && buffers.length === 1; // true
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
      const bad = b.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new ValueError(`${where}: state.buffers[${i}]: expected finite numbers, got ${b[bad]} at index ${bad}`);
    });
    if (this.states.length > 0) this.restore(buffers, where, 'state');
    else this.pending = buffers.length > 0 ? buffers.map((b) => b.slice()) : null;
    this.step = step;
  }

  /**
   * Whether the state tensor at `position` (in {@link Optimizer.stateTensors}
   * order) is a running average of squared gradients. Such values are >= 0,
   * and a restored negative one would turn its square root, then the
   * parameter, into NaN; so {@link Optimizer.setState} refuses it.
   */
  protected isSquaredAverage(_position: number): boolean {
    return false;
  }

  /** Copies saved buffers into the live state, after checking they fit it. `label` names the state in messages. */
  private restore(buffers: readonly FloatArray[], where: string, label: string): void {
    const targets: { t: Tensor; squared: boolean }[] = [];
    for (const s of this.states) this.stateTensors(s).forEach((t, position) => targets.push({ t, squared: this.isSquaredAverage(position) }));
    if (targets.length !== buffers.length) {
      throw new ValueError(`${where}: ${label}.buffers: expected ${targets.length} buffers for ${this.states.length} parameters, got ${buffers.length}`);
    }
    targets.forEach(({ t, squared }, i) => {
      const b = buffers[i]!;
      if (b.length !== t.size) throw new ValueError(`${where}: ${label}.buffers[${i}]: expected ${t.size} values, got ${b.length}`);
      const toFloat32 = t.dtype === 'float32' && b instanceof Float64Array;
      for (let k = 0; k < b.length; k++) {
        const v = b[k]!;
        if (!Number.isFinite(toFloat32 ? Math.fround(v) : v)) {
          throw new ValueError(`${where}: ${label}.buffers[${i}]: expected finite ${t.dtype} numbers, got ${v} at index ${k}`);
        }
        if (squared && v < 0) {
          throw new ValueError(`${where}: ${label}.buffers[${i}]: expected values >= 0 (a running average of squared gradients), got ${v} at index ${k}`);
        }
      }
    });
    targets.forEach(({ t }, i) => t.data.set(buffers[i]!));
  }
}

/** Whether two shapes are equal; allocates nothing (it runs in training steps). */
function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
