/**
 * Momentum, RMSprop and Adam against values worked out by hand from the
 * course's formulas (never from the code under test), on one parameter
 * w = 1 with gradients 0.5, -0.2, 0.1 and learning rate 0.1.
 */
import { describe, expect, it } from 'vitest';
import {
  Adam,
  backendFor,
  fit,
  getBackend,
  GradientDescent,
  Momentum,
  Network,
  RMSprop,
  tensor,
  type Backend,
  type DType,
  type Optimizer,
  type Tensor,
} from '../../src/index.js';
import { describeEachBackend, expectClose } from '../helpers.js';

const GRADS = [0.5, -0.2, 0.1];
const LR = 0.1;

/** A tensor in the backend's own memory (the wasm backend reads only its heap). */
function onBackend(be: Backend, values: number[], dtype: DType): Tensor {
  const t = be.zeros([1, values.length], dtype);
  t.data.set(values);
  return t;
}

/** w after each of the steps, for one scalar parameter starting at 1, on the backend that computes `dtype` (js for float64). */
function trajectory(opt: Optimizer, dtype: DType = 'float64'): number[] {
  const be = backendFor(dtype);
  const w = onBackend(be, [1], dtype);
  const g = onBackend(be, [0], dtype);
  return GRADS.map((grad) => {
    g.data[0] = grad;
    opt.apply(be, [w], [g], LR);
    return w.data[0]!;
  });
}

describeEachBackend('Momentum (beta 0.9): v = beta v + (1 - beta) dW; W -= lr v', () => {
  // t1: v = 0.1*0.5 = 0.05;                   w = 1 - 0.1*0.05 = 0.995
  // t2: v = 0.9*0.05 + 0.1*(-0.2) = 0.025;     w = 0.995 - 0.0025 = 0.9925
  // t3: v = 0.9*0.025 + 0.1*0.1 = 0.0325;      w = 0.9925 - 0.00325 = 0.98925
  const expected = [0.995, 0.9925, 0.98925];

  it('matches the hand-computed trajectory in float64', () => {
    const opt = new Momentum();
    expectClose(trajectory(opt), expected, 1e-14);
    expect(opt.step).toBe(3);
    expectClose(opt.getState().buffers[0]!, [0.0325], 1e-14);
  });

  it('matches it in float32', () => {
    expectClose(trajectory(new Momentum({ beta: 0.9 }), 'float32'), expected, 1e-6);
  });

  it('with beta = 0 is plain gradient descent', () => {
    // w = 1 - 0.1*0.5 = 0.95; 0.95 + 0.02 = 0.97; 0.97 - 0.01 = 0.96
    expectClose(trajectory(new Momentum({ beta: 0 })), [0.95, 0.97, 0.96], 1e-14);
    expectClose(trajectory(new GradientDescent()), [0.95, 0.97, 0.96], 1e-14);
  });
});

describeEachBackend('RMSprop: s = beta2 s + (1 - beta2) dW^2; W -= lr dW / (sqrt(s) + eps)', () => {
  it('matches the hand-computed trajectory with beta2 = 0.9', () => {
    // t1: s = 0.1*0.25 = 0.025;                   w = 1 - 0.05/(sqrt(0.025) + 1e-8)         = 0.6837722539831608
    // t2: s = 0.9*0.025 + 0.1*0.04 = 0.0265;      w = w1 + 0.02/(sqrt(0.0265) + 1e-8)       = 0.8066312698027817
    // t3: s = 0.9*0.0265 + 0.1*0.01 = 0.02485;    w = w2 - 0.01/(sqrt(0.02485) + 1e-8)      = 0.7431951258573711
    const opt = new RMSprop({ beta2: 0.9 });
    expectClose(trajectory(opt), [0.6837722539831608, 0.8066312698027817, 0.7431951258573711], 1e-13);
    expectClose(opt.getState().buffers[0]!, [0.02485], 1e-14);
  });

  it('matches the hand-computed trajectory with the defaults (beta2 0.999, eps 1e-8)', () => {
    // t1: s = 0.001*0.25 = 0.00025;                        w = 1 - 0.05/(sqrt(0.00025) + 1e-8)  = -2.1622756601696445
    // t2: s = 0.999*0.00025 + 0.001*0.04 = 0.00028975;     w = w1 + 0.02/(sqrt(0.00028975) + 1e-8) = -0.9873293595273611
    // t3: s = 0.999*0.00028975 + 0.001*0.01 = 0.00029946025; w = w2 - 0.01/(sqrt(0.00029946025) + 1e-8) = -1.5651993713463273
    expectClose(trajectory(new RMSprop()), [-2.1622756601696445, -0.9873293595273611, -1.5651993713463273], 1e-13);
  });

  it('matches it in float32', () => {
    expectClose(trajectory(new RMSprop({ beta2: 0.9 }), 'float32'), [0.6837722539831608, 0.8066312698027817, 0.7431951258573711], 1e-6);
  });
});

describeEachBackend('Adam (defaults beta1 0.9, beta2 0.999, eps 1e-8) with bias correction', () => {
  // t1: m = 0.05, v = 0.00025; mhat = 0.05/0.1 = 0.5, vhat = 0.00025/0.001 = 0.25
  //     w = 1 - 0.1*0.5/(0.5 + 1e-8) = 0.900000002
  // t2: m = 0.9*0.05 - 0.02 = 0.025, v = 0.999*0.00025 + 0.001*0.04 = 0.00028975
  //     mhat = 0.025/(1 - 0.81) = 0.13157894736842105, vhat = 0.00028975/(1 - 0.998001) = 0.1449474737368684
  //     w = w1 - 0.1*mhat/(sqrt(vhat) + 1e-8) = 0.8654394181165107
  // t3: m = 0.9*0.025 + 0.01 = 0.0325, v = 0.999*0.00028975 + 0.001*0.01 = 0.00029946025
  //     mhat = 0.0325/(1 - 0.729) = 0.11992619926199262, vhat = 0.00029946025/(1 - 0.997002999) = 0.09991996999667
  //     w = w2 - 0.1*mhat/(sqrt(vhat) + 1e-8) = 0.8275002408356955
  const expected = [0.900000002, 0.8654394181165107, 0.8275002408356955];

  it('matches the hand-computed trajectory in float64', () => {
    const opt = new Adam();
    expectClose(trajectory(opt), expected, 1e-12);
    const [m, v] = opt.getState().buffers;
    expectClose(m!, [0.0325], 1e-14);
    expectClose(v!, [0.00029946025], 1e-14);
  });

  it('matches it in float32', () => {
    expectClose(trajectory(new Adam(), 'float32'), expected, 1e-6);
  });

  it('moves every weight by lr * sign(g) on the first step, whatever the gradient scale', () => {
    // mhat = g and vhat = g^2 at t = 1, so the step is lr g / (|g| + eps) = lr sign(g) (1 - eps/|g|).
    const lr = 0.01;
    const g = [0.3, -4, 1e-3, -250, 0];
    const w = tensor([[0, 0, 0, 0, 0]], { dtype: 'float64' });
    new Adam().apply(backendFor('float64'), [w], [tensor([g], { dtype: 'float64' })], lr);
    expectClose(w, [-lr, lr, -lr, lr, 0], 1e-7);
  });

  it('is invariant to the scale of the gradients (up to epsilon), element by element', () => {
    const opt = new Adam();
    const w = tensor([[1, 1]], { dtype: 'float64' });
    for (const g of GRADS) opt.apply(backendFor('float64'), [w], [tensor([[g, 1000 * g]], { dtype: 'float64' })], LR);
    expectClose(w, [expected[2]!, expected[2]!], 1e-8);
  });
});

describeEachBackend('per-parameter state', () => {
  // float32 on the current backend's own kernels (the momentum trajectory above is the float64 check).
  it('keeps a separate state for each parameter and allocates it once', () => {
    const opt = new Momentum();
    const W = tensor([[1, 1], [1, 1]]);
    const b = tensor([[1], [1]]);
    const current = getBackend();
    let zerosCalls = 0;
    const be: Backend = { ...current, zeros: (shape, dtype) => (zerosCalls++, current.zeros(shape, dtype)) };
    for (const g of GRADS) {
      opt.apply(be, [W, b], [tensor([[g, g], [g, g]]), tensor([[0], [0]])], LR);
    }
    expect(zerosCalls).toBe(2);
    expectClose(W, [0.98925, 0.98925, 0.98925, 0.98925], 1e-6);
    expectClose(b, [1, 1], 0);
    const { buffers } = opt.getState();
    expect(buffers.map((x) => x.length)).toEqual([4, 2]);
    expect(buffers[0]).toBeInstanceOf(Float32Array);
  });

  it('reset() starts again from zero state', () => {
    const opt = new Adam();
    trajectory(opt);
    opt.reset();
    expect(opt.step).toBe(0);
    expect(opt.getState()).toEqual({ step: 0, buffers: [] });
    expectClose(trajectory(opt), [0.900000002, 0.8654394181165107, 0.8275002408356955], 1e-12);
  });
});

describeEachBackend('training with fit', () => {
  it('each optimizer lowers the cost of a small logistic regression', () => {
    const X = [[1, 2, -1, -2, 0.5, -0.5]];
    const Y = [[1, 1, 0, 0, 1, 0]];
    for (const optimizer of [new Momentum(), new RMSprop(), new Adam()]) {
      const net = new Network({ inputSize: 1, layers: [{ units: 1, activation: 'sigmoid' }], init: 'zeros' });
      const h = fit(net, X, Y, { learningRate: 0.05, iterations: 50, optimizer });
      expect(h.cost.at(-1)!).toBeLessThan(h.cost[0]! * 0.8);
    }
  });
});

describe('bad hyperparameters', () => {
  const cases: [string, () => unknown, string][] = [
    ['Momentum beta 1', () => new Momentum({ beta: 1 }), 'Momentum: beta: expected a number in [0, 1), got 1'],
    ['Momentum beta -0.1', () => new Momentum({ beta: -0.1 }), 'Momentum: beta: expected a number in [0, 1), got -0.1'],
    ['Momentum beta NaN', () => new Momentum({ beta: NaN }), 'Momentum: beta: expected a number in [0, 1), got NaN'],
    ['Momentum beta string', () => new Momentum({ beta: '0.9' as unknown as number }), 'Momentum: beta: expected a number in [0, 1), got "0.9"'],
    ['Momentum typo', () => new Momentum({ betta: 0.9 } as unknown as { beta: number }), 'Momentum: betta: expected one of beta (did you mean beta?), got an unknown hyperparameter'],
    ['Momentum options', () => new Momentum(5 as unknown as { beta: number }), 'Momentum: options: expected an object of hyperparameters, got 5'],
    ['RMSprop beta2 1', () => new RMSprop({ beta2: 1 }), 'RMSprop: beta2: expected a number in [0, 1), got 1'],
    ['RMSprop epsilon 0', () => new RMSprop({ epsilon: 0 }), 'RMSprop: epsilon: expected a finite number > 0, got 0'],
    ['RMSprop epsilon -1e-8', () => new RMSprop({ epsilon: -1e-8 }), 'RMSprop: epsilon: expected a finite number > 0, got -1e-8'],
    ['Adam beta1 1', () => new Adam({ beta1: 1 }), 'Adam: beta1: expected a number in [0, 1), got 1'],
    ['Adam beta2 1.5', () => new Adam({ beta2: 1.5 }), 'Adam: beta2: expected a number in [0, 1), got 1.5'],
    ['Adam epsilon Infinity', () => new Adam({ epsilon: Infinity }), 'Adam: epsilon: expected a finite number > 0, got Infinity'],
    ['Adam unknown', () => new Adam({ beta: 0.9 } as unknown as { beta1: number }), 'Adam: beta: expected one of beta1, beta2, epsilon (did you mean beta1?), got an unknown hyperparameter'],
  ];
  for (const [label, make, message] of cases) {
    it(label, () => expect(make).toThrow(message));
  }
});
