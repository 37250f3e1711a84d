/**
 * Bad input to the training entry points (optimizers, fit, checkGradients)
 * fails up front with a message naming the argument, expected vs got, and
 * leaves the network's weights as they were.
 */
import { describe, expect, it } from 'vitest';
import {
  Adam,
  checkGradients,
  fit,
  GradientDescent,
  jsBackend,
  Momentum,
  Network,
  RMSprop,
  ShapeError,
  tensor,
  ValueError,
  type FitOptions,
  type Tensor,
} from '../../src/index.js';
import { describeEachBackend } from '../helpers.js';

const X = [[0, 1, 0, 1], [0, 0, 1, 1]];
const Y = [[0, 1, 1, 0]];
const make = (units: number, extra: Partial<{ dtype: 'float32' | 'float64'; depth: number; batchNorm: boolean }> = {}) =>
  new Network({
    inputSize: 2,
    layers: [...Array.from({ length: extra.depth ?? 1 }, () => ({ units, activation: 'tanh' as const, batchNorm: extra.batchNorm ?? false })), { units: 1 }],
    seed: 1,
    dtype: extra.dtype ?? 'float32',
  });
const weights = (net: Network) => net.layers.map((l) => Array.from(l.W.data));
const advice = "an optimizer holds one network's state: create a new one per network, or call reset() to start afresh";

describeEachBackend('an optimizer reused on another network', () => {
  it('fails before any update, naming the parameter and both shapes (4 -> 40 and 40 -> 4 units)', () => {
    for (const [from, to] of [
      [4, 40],
      [40, 4],
    ] as const) {
      const opt = new Momentum();
      fit(make(from), X, Y, { learningRate: 0.01, iterations: 2, optimizer: opt });
      const other = make(to);
      const before = weights(other);
      const sizes = opt.getState().buffers.map((b) => b.length);
      expect(() => fit(other, X, Y, { learningRate: 0.01, iterations: 3, optimizer: opt })).toThrow(
        `fit: optimizer.state: expected state for parameter 0 of shape (${to}, 2) float32, got Momentum state for (${from}, 2) float32 (made for another network); ${advice}`,
      );
      expect(weights(other)).toEqual(before);
      expect(opt.getState().buffers.map((b) => b.length)).toEqual(sizes);
      expect(opt.step).toBe(2);
    }
  });

  it('fails on another number of parameters and on another dtype', () => {
    const opt = new Adam();
    fit(make(4), X, Y, { learningRate: 0.01, iterations: 2, optimizer: opt });
    expect(() => fit(make(4, { depth: 2 }), X, Y, { learningRate: 0.01, iterations: 1, optimizer: opt })).toThrow(
      `fit: optimizer.state: expected state for 6 parameters, got Adam state for 4 (made for another network); ${advice}`,
    );
    expect(() => fit(make(4, { dtype: 'float64' }), X, Y, { learningRate: 0.01, iterations: 1, optimizer: opt })).toThrow(
      'fit: optimizer.state: expected state for parameter 0 of shape (4, 2) float64, got Adam state for (4, 2) float32',
    );
  });

  it('still carries its state over on the same network, and starts afresh after reset()', () => {
    const net = make(4);
    const opt = new Momentum();
    fit(net, X, Y, { learningRate: 0.01, iterations: 2, optimizer: opt });
    fit(net, X, Y, { learningRate: 0.01, iterations: 3, optimizer: opt });
    expect(opt.step).toBe(5);
    opt.reset();
    fit(make(40), X, Y, { learningRate: 0.01, iterations: 1, optimizer: opt });
    expect(opt.getState().buffers.map((b) => b.length)).toEqual([80, 40, 40, 1]);
  });

  it('a stateless optimizer (gradient descent) may move to another network', () => {
    const gd = new GradientDescent();
    fit(make(4), X, Y, { learningRate: 0.01, iterations: 2, optimizer: gd });
    expect(fit(make(40), X, Y, { learningRate: 0.01, iterations: 2, optimizer: gd }).cost).toHaveLength(2);
  });
});

describe('Optimizer.apply and build', () => {
  const p = () => tensor([[1, 2]]);
  const g = () => tensor([[0.1, 0.1]]);

  it('rejects a learning rate that is NaN, infinite or negative, leaving the parameters as they were', () => {
    for (const lr of [NaN, Infinity, -1]) {
      const param = p();
      expect(() => new Momentum().apply(jsBackend, [param], [g()], lr)).toThrow(`Momentum.apply: learningRate: expected a finite number >= 0, got ${lr}`);
      expect(Array.from(param.data)).toEqual([1, 2]);
    }
    expect(() => new Adam().apply(jsBackend, [p()], [g()], '0.1' as unknown as number)).toThrow('Adam.apply: learningRate: expected a finite number >= 0, got "0.1"');
    // 0 is a no-op step, which a decaying schedule may reach by underflow
    const param = p();
    new GradientDescent().apply(jsBackend, [param], [g()], 0);
    expect(Array.from(param.data)).toEqual([1, 2]);
  });

  it('rejects gradients that do not pair with the parameters', () => {
    expect(() => new GradientDescent().apply(jsBackend, [p()], [tensor([[0.1, 0.1, 5, 7]])], 0.1)).toThrow(
      'GradientDescent.apply: grads[0]: expected shape (1, 2) float32 like params[0], got (1, 4) float32',
    );
    expect(() => new Adam().apply(jsBackend, [tensor([[1, 2, 3]])], [tensor([[0.1]])], 0.1)).toThrow('Adam.apply: grads[0]: expected shape (1, 3) float32 like params[0], got (1, 1) float32');
    expect(() => new GradientDescent().apply(jsBackend, [p(), p()], [g()], 0.1)).toThrow('GradientDescent.apply: grads: expected 2 gradients, one per parameter, got 1');
    expect(() => new Momentum().apply(jsBackend, [p()], [g(), g()], 0.1)).toThrow('Momentum.apply: grads: expected 1 gradients, one per parameter, got 2');
    expect(() => new Momentum().apply(jsBackend, [p()], [tensor([[0.1, 0.1]]).clone('float64')], 0.1)).toThrow(
      'Momentum.apply: grads[0]: expected shape (1, 2) float32 like params[0], got (1, 2) float64',
    );
    expect(() => new Momentum().apply(jsBackend, [p()], [[0.1, 0.1] as unknown as Tensor], 0.1)).toThrow('Momentum.apply: grads[0]: expected a Tensor, got [0.1, 0.1]');
    expect(() => new Momentum().apply(jsBackend, [null as unknown as Tensor], [g()], 0.1)).toThrow('Momentum.apply: params[0]: expected a Tensor, got null');
    expect(() => new Momentum().apply(jsBackend, p() as unknown as Tensor[], [g()], 0.1)).toThrow('Momentum.apply: params: expected an array of Tensors, got an object');
  });

  it('refuses parameters of other shapes than its state was made for', () => {
    const opt = new RMSprop();
    opt.apply(jsBackend, [p()], [g()], 0.1);
    const q = tensor([[1, 2, 3]]);
    expect(() => opt.apply(jsBackend, [q], [tensor([[1, 1, 1]])], 0.1)).toThrow(
      `RMSprop.apply: state: expected state for parameter 0 of shape (1, 3) float32, got RMSprop state for (1, 2) float32 (made for another network); ${advice}`,
    );
    expect(Array.from(q.data)).toEqual([1, 2, 3]);
    expect(opt.step).toBe(1);
  });

  it('build makes the state up front, and checks it on later calls', () => {
    const opt = new Adam();
    opt.build(jsBackend, [p()]);
    expect(opt.getState().buffers.map((b) => b.length)).toEqual([2, 2]);
    expect(opt.step).toBe(0);
    expect(() => opt.build(jsBackend, [p(), p()])).toThrow(`Adam.build: state: expected state for 2 parameters, got Adam state for 1 (made for another network); ${advice}`);
    expect(() => opt.build(jsBackend, [5 as unknown as Tensor])).toThrow('Adam.build: params[0]: expected a Tensor, got 5');
  });
});

describe('Optimizer.setState', () => {
  const p = () => tensor([[1, 2]]);
  const g = () => tensor([[0.1, 0.1]]);

  it('rejects buffers holding NaN or Infinity', () => {
    expect(() => new Momentum().setState({ step: 1, buffers: [new Float32Array([0, NaN])] })).toThrow('Momentum.setState: state.buffers[0]: expected finite numbers, got NaN at index 1');
    expect(() => new Adam().setState({ step: 1, buffers: [new Float32Array(2), new Float64Array([Infinity, 0])] })).toThrow(
      'Adam.setState: state.buffers[1]: expected finite numbers, got Infinity at index 0',
    );
  });

  it('rejects float64 values beyond a float32 state, and negative averages of squared gradients', () => {
    const adam = new Adam();
    adam.apply(jsBackend, [p()], [g()], 0.1);
    const good = adam.getState();
    expect(() => adam.setState({ step: 1, buffers: [new Float64Array([1e39, 0]), new Float32Array(2)] })).toThrow(
      'Adam.setState: state.buffers[0]: expected finite float32 numbers, got 1e+39 at index 0',
    );
    expect(() => adam.setState({ step: 1, buffers: [new Float32Array(2), new Float32Array([0, -1])] })).toThrow(
      'Adam.setState: state.buffers[1]: expected values >= 0 (a running average of squared gradients), got -1 at index 1',
    );
    const rms = new RMSprop();
    rms.apply(jsBackend, [p()], [g()], 0.1);
    expect(() => rms.setState({ step: 1, buffers: [new Float32Array([-0.5, 0])] })).toThrow('RMSprop.setState: state.buffers[0]: expected values >= 0 (a running average of squared gradients), got -0.5 at index 0');
    // momentum's velocity may be negative
    const mom = new Momentum();
    mom.apply(jsBackend, [p()], [g()], 0.1);
    mom.setState({ step: 1, buffers: [new Float32Array([-0.5, 0])] });
    expect(adam.getState()).toEqual(good);
  });

  it('a state of the wrong sizes, restored before fit, fails when fit starts, before any update', () => {
    const net = new Network({ inputSize: 2, layers: [{ units: 1, activation: 'sigmoid' }], seed: 1 });
    const before = weights(net);
    const opt = new Momentum();
    opt.setState({ step: 1, buffers: [new Float32Array(2), new Float32Array(3)] });
    expect(() => fit(net, [[0, 1], [1, 0]], [[0, 1]], { learningRate: 0.1, iterations: 3, optimizer: opt })).toThrow('fit: optimizer.state.buffers[1]: expected 1 values, got 3');
    expect(weights(net)).toEqual(before);
  });
});

describe('fit options', () => {
  const base: FitOptions = { learningRate: 0.1, epochs: 2 };
  const bad = (options: Record<string, unknown>): FitOptions => ({ ...base, ...options }) as FitOptions;

  it('checks callbacks up front, before an epoch changes the weights', () => {
    const net = make(3);
    const before = weights(net);
    expect(() => fit(net, X, Y, bad({ onEpoch: 5 }))).toThrow('fit: onEpoch: expected a function (info) => void, got 5');
    expect(() => fit(net, X, Y, bad({ onIteration: 'x' }))).toThrow('fit: onIteration: expected a function (iteration, cost) => void, got "x"');
    expect(weights(net)).toEqual(before);
  });

  it('rejects shuffle, restoreBest and signal of the wrong type', () => {
    expect(() => fit(make(3), X, Y, bad({ batchSize: 2, shuffle: 'no' }))).toThrow('fit: shuffle: expected true or false, got "no"');
    expect(() => fit(make(3), X, Y, bad({ dev: { X, Y }, earlyStopping: { patience: 1, restoreBest: 'no' } }))).toThrow('fit: earlyStopping.restoreBest: expected true or false, got "no"');
    expect(() => fit(make(3), X, Y, bad({ signal: true }))).toThrow('fit: signal: expected an AbortSignal (an object with a boolean aborted), got true');
    expect(() => fit(make(3), X, Y, bad({ signal: {} }))).toThrow('fit: signal: expected an AbortSignal (an object with a boolean aborted), got an object');
    const controller = new AbortController();
    controller.abort();
    expect(fit(make(3), X, Y, { ...base, signal: controller.signal }).stopReason).toBe('aborted');
  });

  it('rejects misspelt option keys, suggesting the right one', () => {
    expect(() => fit(make(3), X, Y, bad({ batchsize: 1 }))).toThrow(
      'fit: batchsize: expected one of learningRate, iterations, epochs, batchSize, shuffle, optimizer, schedule, initialEpoch, dev, devEvery, earlyStopping, onIteration, onEpoch, signal, augment, clipValue, clipNorm (did you mean batchSize?), got an unknown option',
    );
    expect(() => fit(make(3), X, Y, bad({ learningrate: 0.1 }))).toThrow('(did you mean learningRate?)');
    expect(() => fit(make(3), X, Y, bad({ dev: { X, Y }, earlyStopping: { patiance: 1 } }))).toThrow(
      'fit: earlyStopping.patiance: expected one of patience, minDelta, restoreBest, resume (did you mean patience?), got an unknown option',
    );
    expect(() => fit(make(3), X, Y, bad({ dev: { X, y: Y } }))).toThrow('fit: dev.y: expected one of X, Y (did you mean Y?), got an unknown option');
    expect(() => fit(make(3), X, Y, bad({ verbose: true }))).toThrow('fit: verbose: expected one of learningRate,');
  });

  it('names the schedule option when a custom schedule gives a bad rate', () => {
    const net = make(3);
    const before = weights(net);
    expect(() => fit(net, X, Y, { ...base, schedule: { kind: 'custom', rate: () => NaN } })).toThrow('fit: schedule: learning rate at epoch 0: expected a finite number >= 0, got NaN');
    expect(weights(net)).toEqual(before);
    expect(() => fit(make(3), X, Y, { ...base, initialEpoch: 4, schedule: { kind: 'custom', rate: (e) => (e < 5 ? 0.1 : -1) } })).toThrow(
      'fit: schedule: learning rate at epoch 5: expected a finite number >= 0, got -1',
    );
  });

  it('rejects devEvery without a dev set, a net that is not a Network and non-object options', () => {
    expect(() => fit(make(3), X, Y, { ...base, devEvery: 1 })).toThrow('fit: devEvery: needs a dev set (options.dev), got none');
    expect(() => fit({} as Network, X, Y, base)).toThrow('fit: net: expected a Network, got an object');
    expect(() => fit(make(3), X, Y, [] as unknown as FitOptions)).toThrow('fit: options: expected { learningRate, iterations | epochs }, got []');
    expect(() => fit(make(3), X, Y, bad({ dev: [X, Y] }))).toThrow('fit: dev: expected { X, Y }, got [');
  });

  it('rejects a network whose weights hold NaN, rather than reporting a divergence', () => {
    const net = make(3);
    net.layers[1]!.W.data[2] = NaN;
    expect(() => fit(net, X, Y, base)).toThrow('fit: net.W2: expected finite numbers, got NaN at row 0, column 2');
  });
});

describe('fit earlyStopping.resume', () => {
  const resumeWith = (resume: Record<string, unknown>): FitOptions =>
    ({ learningRate: 0.1, epochs: 2, dev: { X, Y }, earlyStopping: { patience: 1, resume } }) as unknown as FitOptions;
  const ok = { bestDevCost: 0.1, bestEpoch: 0, epochsSinceBest: 0 };

  it('rejects a bestNetwork of another architecture, leaving the weights alone', () => {
    const net = make(3);
    const before = weights(net);
    const other = new Network({ inputSize: 3, layers: [{ units: 9 }, { units: 2, activation: 'softmax' }], seed: 5 });
    expect(() => fit(net, X, Y, resumeWith({ ...ok, bestNetwork: other }))).toThrow(ShapeError);
    expect(() => fit(net, X, Y, resumeWith({ ...ok, bestNetwork: other }))).toThrow(
      'fit: earlyStopping.resume.bestNetwork: expected layer dims [2, 3, 1] float32 like the network being trained, got [3, 9, 2] float32',
    );
    expect(() => fit(net, X, Y, resumeWith({ ...ok, bestNetwork: make(3, { dtype: 'float64' }) }))).toThrow('expected layer dims [2, 3, 1] float32 like the network being trained, got [2, 3, 1] float64');
    expect(() => fit(net, X, Y, resumeWith({ ...ok, bestNetwork: make(3, { batchNorm: true }) }))).toThrow(
      'fit: earlyStopping.resume.bestNetwork: expected tensors W1, b1, W2, b2 like the network being trained (batch normalization on the same layers), got W1, gamma1, beta1, runningMean1, runningVar1, W2, b2',
    );
    expect(() => fit(net, X, Y, resumeWith({ ...ok, bestNetwork: { W1: 1 } }))).toThrow('fit: earlyStopping.resume.bestNetwork: expected a Network, got an object');
    const nan = make(3);
    nan.layers[0]!.b!.data[1] = NaN;
    expect(() => fit(net, X, Y, resumeWith({ ...ok, bestNetwork: nan }))).toThrow('fit: earlyStopping.resume.bestNetwork.b1: expected finite numbers, got NaN at row 1, column 0');
    expect(weights(net)).toEqual(before);
  });

  it('accepts a bestNetwork of the same architecture', () => {
    expect(fit(make(3), X, Y, resumeWith({ ...ok, bestDevCost: 1e-9, bestNetwork: make(3) })).stopReason).toBe('earlyStopping');
  });

  it('checks bestDevCost, bestEpoch and epochsSinceBest', () => {
    for (const cost of [NaN, -1, '0.5']) {
      expect(() => fit(make(3), X, Y, resumeWith({ ...ok, bestDevCost: cost }))).toThrow(
        `fit: earlyStopping.resume.bestDevCost: expected a cost >= 0 (Infinity when no epoch has been best yet), got ${typeof cost === 'string' ? `"${cost}"` : cost}`,
      );
    }
    for (const epoch of [-1, 1.5, undefined]) {
      expect(() => fit(make(3), X, Y, resumeWith({ ...ok, bestEpoch: epoch }))).toThrow(
        `fit: earlyStopping.resume.bestEpoch: expected a non-negative integer, or null when no epoch has been best yet, got ${epoch}`,
      );
    }
    for (const since of [-5, 0.5, NaN]) {
      expect(() => fit(make(3), X, Y, resumeWith({ ...ok, epochsSinceBest: since }))).toThrow(`fit: earlyStopping.resume.epochsSinceBest: expected a non-negative integer, got ${since}`);
    }
    expect(() => fit(make(3), X, Y, resumeWith({ ...ok, bestNetwrok: make(3) }))).toThrow('fit: earlyStopping.resume.bestNetwrok: expected one of bestDevCost, bestEpoch, epochsSinceBest, bestNetwork (did you mean bestNetwork?), got an unknown option');
    expect(() => fit(make(3), X, Y, resumeWith(5 as unknown as Record<string, unknown>))).toThrow('fit: earlyStopping.resume: expected { bestDevCost, bestEpoch, epochsSinceBest, bestNetwork? }, got 5');
    // Infinity with no best epoch is the state before any dev evaluation
    expect(fit(make(3), X, Y, resumeWith({ bestDevCost: Infinity, bestEpoch: null, epochsSinceBest: 0 })).bestEpoch).not.toBeNull();
  });
});

describe('checkGradients', () => {
  const net = () => make(3, { dtype: 'float64' });

  it('checks its arguments like gradientCheck does', () => {
    expect(() => checkGradients(net(), X, Y, { epsilon: 0 })).toThrow('checkGradients: epsilon: expected a finite number > 0, got 0');
    expect(() => checkGradients(net(), X, Y, { epsilon: NaN })).toThrow('checkGradients: epsilon: expected a finite number > 0, got NaN');
    expect(() => checkGradients(net(), [[0, 1]], Y)).toThrow('checkGradients: X: expected shape (2, m)');
    expect(() => checkGradients(net(), X, [[0, 1, 2, 0]])).toThrow('checkGradients: Y: binary cross-entropy needs labels in {0, 1}, got 2 at row 0, column 2');
    expect(() => checkGradients(net(), X, Y, { epsilom: 1e-4 } as { epsilon?: number })).toThrow('checkGradients: epsilom: expected only epsilon, got an unknown option');
    expect(() => checkGradients(net(), X, Y, null as unknown as { epsilon?: number })).toThrow('checkGradients: options: expected { epsilon? }, got null');
    expect(() => checkGradients({} as Network, X, Y)).toThrow(ValueError);
    expect(() => checkGradients({} as Network, X, Y)).toThrow('checkGradients: net: expected a Network, got an object');
  });

  it('rejects a network whose weights hold NaN, which would read as a failed check', () => {
    const n = net();
    n.layers[0]!.W.data[0] = NaN;
    expect(() => checkGradients(n, X, Y)).toThrow('checkGradients: net.W1: expected finite numbers, got NaN at row 0, column 0');
  });
});
