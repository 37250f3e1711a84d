/**
 * Naming optimizers (resolveOptimizer) and checkpointing them: a resumed
 * optimizer must continue bit for bit where the saved one stopped.
 */
import { describe, expect, it } from 'vitest';
import {
  Adam,
  getBackend,
  GradientDescent,
  Momentum,
  OPTIMIZER_NAMES,
  Optimizer,
  resolveOptimizer,
  RMSprop,
  tensor,
  type OptimizerConfig,
  type Tensor,
} from '../../src/index.js';
import { describeEachBackend } from '../helpers.js';

describe('resolveOptimizer', () => {
  it('makes each named optimizer with its defaults', () => {
    expect(OPTIMIZER_NAMES).toEqual(['gd', 'momentum', 'rmsprop', 'adam']);
    expect(resolveOptimizer('gd')).toBeInstanceOf(GradientDescent);
    expect(resolveOptimizer('momentum').getConfig()).toEqual({ name: 'momentum', beta: 0.9 });
    expect(resolveOptimizer('rmsprop').getConfig()).toEqual({ name: 'rmsprop', beta2: 0.999, epsilon: 1e-8 });
    expect(resolveOptimizer('adam').getConfig()).toEqual({ name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    expect(resolveOptimizer({ name: 'gd' }).getConfig()).toEqual({ name: 'gd' });
  });

  it('takes hyperparameters, and round-trips getConfig', () => {
    const adam = resolveOptimizer({ name: 'adam', beta1: 0.8, epsilon: 1e-7 });
    expect(adam).toBeInstanceOf(Adam);
    expect(adam.getConfig()).toEqual({ name: 'adam', beta1: 0.8, beta2: 0.999, epsilon: 1e-7 });
    for (const opt of [new Momentum({ beta: 0.95 }), new RMSprop({ beta2: 0.9 }), new Adam({ beta2: 0.99 }), new GradientDescent()]) {
      expect(resolveOptimizer(opt.getConfig() as OptimizerConfig).getConfig()).toEqual(opt.getConfig());
    }
  });

  it('returns an optimizer instance as it is', () => {
    const m = new Momentum();
    expect(resolveOptimizer(m)).toBe(m);
  });

  it('rejects unknown names, malformed specs and bad hyperparameters', () => {
    expect(() => resolveOptimizer('sgd' as 'gd')).toThrow('resolveOptimizer: spec: expected one of "gd", "momentum", "rmsprop", "adam", got "sgd"');
    expect(() => resolveOptimizer({ name: 'nadam' } as unknown as OptimizerConfig)).toThrow(
      'resolveOptimizer: spec.name: expected one of "gd", "momentum", "rmsprop", "adam", got "nadam"',
    );
    expect(() => resolveOptimizer({} as unknown as OptimizerConfig)).toThrow('resolveOptimizer: spec.name: expected one of "gd", "momentum", "rmsprop", "adam", got undefined');
    expect(() => resolveOptimizer(null as unknown as OptimizerConfig)).toThrow('resolveOptimizer: spec: expected an optimizer name or { name, ...hyperparameters }, got null');
    expect(() => resolveOptimizer({ name: 'momentum', beta: 1 })).toThrow('Momentum: beta: expected a number in [0, 1), got 1');
    expect(() => resolveOptimizer({ name: 'adam', beta: 0.9 } as unknown as OptimizerConfig)).toThrow('Adam: beta: expected one of beta1, beta2, epsilon (did you mean beta1?), got an unknown hyperparameter');
    expect(() => resolveOptimizer({ name: 'gd', beta: 0.9 } as unknown as OptimizerConfig)).toThrow('GradientDescent: beta: expected no hyperparameters, got an unknown hyperparameter');
  });
});

/** A fixed, non-trivial gradient sequence for two parameters (W 2x2, b 2x1), float32 like a real network. */
function gradsAt(step: number): [Tensor, Tensor] {
  const s = step + 1;
  return [tensor([[Math.sin(s), -0.5 * s], [0.25, Math.cos(3 * s)]]), tensor([[1 / s], [-0.1 * s]])];
}

function params(): [Tensor, Tensor] {
  return [tensor([[0.3, -0.2], [0.1, 0.7]]), tensor([[0], [0.5]])];
}

/** Steps `from` to `to` on the current backend's kernels. */
function run(opt: Optimizer, ps: Tensor[], from: number, to: number): void {
  for (let t = from; t < to; t++) opt.apply(getBackend(), ps, gradsAt(t), 0.05);
}

describeEachBackend('checkpoint and resume', () => {
  for (const make of [() => new Momentum(), () => new RMSprop(), () => new Adam({ beta1: 0.8 })]) {
    const name = make().name;

    it(`${name}: 3 steps, save, restore into a fresh optimizer, 3 steps == 6 steps straight (bit for bit)`, () => {
      const straight = params();
      run(make(), straight, 0, 6);

      const first = params();
      const saved = make();
      run(saved, first, 0, 3);
      const checkpoint = { config: saved.getConfig(), state: saved.getState() };
      expect(checkpoint.state.step).toBe(3);

      // restored before its first apply: the buffers wait for the parameters
      const resumed = resolveOptimizer(checkpoint.config as OptimizerConfig);
      resumed.setState(checkpoint.state);
      expect(resumed.step).toBe(3);
      expect(resumed.getState()).toEqual(checkpoint.state);
      run(resumed, first, 3, 6);
      expect(Array.from(first[0].data)).toEqual(Array.from(straight[0].data));
      expect(Array.from(first[1].data)).toEqual(Array.from(straight[1].data));
    });

    it(`${name}: setState on a running optimizer rewinds it`, () => {
      const a = params();
      const opt = make();
      run(opt, a, 0, 2);
      const state = opt.getState();
      const atTwo = a.map((t) => t.clone());
      run(opt, a, 2, 4);
      const after = a.map((t) => Array.from(t.data));

      opt.setState(state); // back to step 2's optimizer state
      run(opt, atTwo, 2, 4);
      expect(atTwo.map((t) => Array.from(t.data))).toEqual(after);
    });
  }

  it('getState returns copies that later steps do not change', () => {
    const opt = new Adam();
    const p = params();
    run(opt, p, 0, 1);
    const s = opt.getState();
    const before = s.buffers.map((b) => Array.from(b));
    run(opt, p, 1, 3);
    expect(s.buffers.map((b) => Array.from(b))).toEqual(before);
    expect(s.buffers.length).toBe(4); // m and v for W, then m and v for b
    expect(s.buffers.map((b) => b.length)).toEqual([4, 4, 2, 2]);
  });

  it('a stateless optimizer saves only its step', () => {
    const gd = new GradientDescent();
    run(gd, params(), 0, 2);
    expect(gd.getState()).toEqual({ step: 2, buffers: [] });
  });

  it('rejects states that do not fit', () => {
    const opt = new Momentum();
    run(opt, params(), 0, 1);
    const good = opt.getState();
    expect(() => opt.setState({ step: -1, buffers: good.buffers })).toThrow('Momentum.setState: state.step: expected a non-negative integer, got -1');
    expect(() => opt.setState({ step: 1.5, buffers: good.buffers })).toThrow('Momentum.setState: state.step: expected a non-negative integer, got 1.5');
    expect(() => opt.setState(null as unknown as typeof good)).toThrow('Momentum.setState: state: expected { step, buffers }, got null');
    expect(() => opt.setState({ step: 1, buffers: 'x' as unknown as Float32Array[] })).toThrow(
      'Momentum.setState: state.buffers: expected an array of Float32Array or Float64Array, got "x"',
    );
    expect(() => opt.setState({ step: 1, buffers: [good.buffers[0]!, [0, 0] as unknown as Float32Array] })).toThrow(
      'Momentum.setState: state.buffers[1]: expected a Float32Array or Float64Array, got [0, 0]',
    );
    expect(() => opt.setState({ step: 1, buffers: [good.buffers[0]!] })).toThrow('Momentum.setState: state.buffers: expected 2 buffers for 2 parameters, got 1');
    expect(() => opt.setState({ step: 1, buffers: [good.buffers[0]!, new Float32Array(3)] })).toThrow('Momentum.setState: state.buffers[1]: expected 2 values, got 3');
    // a failed restore leaves the optimizer as it was
    expect(opt.getState()).toEqual(good);
  });

  it('checks a state restored before the first step when the parameters arrive, and keeps failing rather than starting from zero', () => {
    const opt = new Adam();
    opt.setState({ step: 5, buffers: [new Float32Array(4), new Float32Array(4)] });
    const p = params();
    const grads = gradsAt(0);
    expect(() => opt.apply(getBackend(), p, grads, 0.1)).toThrow('Adam.apply: state.buffers: expected 4 buffers for 2 parameters, got 2');
    expect(() => opt.apply(getBackend(), p, grads, 0.1)).toThrow('Adam.apply: state.buffers: expected 4 buffers for 2 parameters, got 2');
    expect(Array.from(p[0].data)).toEqual(Array.from(params()[0].data));
    expect(opt.step).toBe(5);
  });
});
