/**
 * The functional API (the course's building blocks) rejects NaN parameters
 * and gradients, non-probability outputs, mismatched caches and lists, and
 * bad options, naming the function and the argument.
 */
import { describe, expect, it } from 'vitest';
import {
  compareGradients,
  gradientCheck,
  initializeParameters,
  linearActivationForward,
  linearBackward,
  linearActivationBackward,
  linearForward,
  modelBackward,
  modelForward,
  ShapeError,
  tensor,
  updateParameters,
  ValueError,
  zeros,
  type DType,
  type Gradients,
  type LayerCache,
  type LinearCache,
} from '../../src/index.js';

const X = [[0.1, 0.2], [0.3, 0.4]];

describe('forward', () => {
  it('linearForward checks W and b for NaN and Infinity, not only A', () => {
    expect(() => linearForward([[1], [2]], [[NaN, 1]], [[0]])).toThrow(ValueError);
    expect(() => linearForward([[1], [2]], [[NaN, 1]], [[0]])).toThrow('linearForward: W: expected finite numbers, got NaN at row 0, column 0');
    expect(() => linearForward([[1], [2]], [[1, 1]], [[Infinity]])).toThrow('linearForward: b: expected finite numbers, got Infinity at row 0, column 0');
    expect(() => linearActivationForward([[1], [2]], [[1, -Infinity]], [[0]], 'relu')).toThrow(
      'linearActivationForward: W: expected finite numbers, got -Infinity at row 0, column 1',
    );
  });

  it('modelForward names its own X and the parameter that is not finite', () => {
    const p = initializeParameters([2, 3, 1], { seed: 1 });
    expect(() => modelForward([[0.1, NaN], [0.3, 0.4]], p)).toThrow('modelForward: X: expected finite numbers, got NaN at row 0, column 1');
    p.W2!.data[1] = NaN;
    expect(() => modelForward(X, p)).toThrow('modelForward: parameters: W2: expected finite numbers, got NaN at row 0, column 1');
    expect(() => modelForward(X, { W1: 'x' as never, b1: zeros([3, 1]) })).toThrow('modelForward: parameters: W1: expected a matrix (2-D Tensor), got "x"');
  });
});

describe('initializeParameters', () => {
  it('names itself, not Rng, for a bad seed', () => {
    expect(() => initializeParameters([2, 1], { seed: -1 })).toThrow('initializeParameters: seed: expected an integer in [0, 2^32), got -1');
    expect(() => initializeParameters([2, 1], { seed: 1.5 })).toThrow('initializeParameters: seed: expected an integer in [0, 2^32), got 1.5');
    expect(() => initializeParameters([2, 1], null as never)).toThrow('initializeParameters: options: expected { init?, seed?, dtype? }, got null');
  });
});

describe('updateParameters', () => {
  const p = initializeParameters([2, 3, 1], { seed: 1 });
  const grads = (): Gradients => ({ dW1: zeros([3, 2]), db1: zeros([3, 1]), dW2: zeros([1, 3]), db2: zeros([1, 1]) });

  it('rejects NaN or infinite gradients instead of returning NaN parameters', () => {
    const g = grads();
    g.dW1!.data[4] = NaN;
    expect(() => updateParameters(p, g, 0.1)).toThrow(ValueError);
    expect(() => updateParameters(p, g, 0.1)).toThrow('updateParameters: grads: dW1: expected finite numbers, got NaN at row 2, column 0');
    const h = grads();
    h.db2!.data[0] = Infinity;
    expect(() => updateParameters(p, h, 0.1)).toThrow('updateParameters: grads: db2: expected finite numbers, got Infinity at row 0, column 0');
  });

  it('rejects gradients of the wrong shape or type, NaN parameters and a bad learning rate', () => {
    expect(() => updateParameters(p, { ...grads(), dW1: zeros([2, 3]) }, 0.1)).toThrow(ShapeError);
    expect(() => updateParameters(p, { ...grads(), dW1: zeros([2, 3]) }, 0.1)).toThrow('updateParameters: grads: dW1: expected shape (3, 2) like W1, got (2, 3)');
    expect(() => updateParameters(p, { ...grads(), db1: zeros([3, 1, 1]) }, 0.1)).toThrow('updateParameters: grads: db1: expected shape (3, 1) like b1, got (3, 1, 1)');
    expect(() => updateParameters(p, { ...grads(), db1: [[0], [0], [0]] as never }, 0.1)).toThrow('updateParameters: grads: db1: expected a Tensor, got [[0], [0], [0]]');
    expect(() => updateParameters(p, null as never, 0.1)).toThrow('updateParameters: grads: expected { dW1, db1, ... }, got null');
    expect(() => updateParameters(p, grads(), NaN)).toThrow('updateParameters: learningRate: expected a finite number > 0, got NaN');
    const q = initializeParameters([2, 1], { seed: 1 });
    q.b1!.data[0] = NaN;
    expect(() => updateParameters(q, { dW1: zeros([1, 2]), db1: zeros([1, 1]) }, 0.1)).toThrow('updateParameters: parameters: b1: expected finite numbers, got NaN at row 0, column 0');
  });
});

describe('modelBackward', () => {
  const p = initializeParameters([2, 3, 1], { seed: 1 });
  const { AL, caches } = modelForward(X, p, ['tanh', 'sigmoid']);

  it('rejects an AL with NaN, or that is not a probability for a cross-entropy loss', () => {
    expect(() => modelBackward([[NaN, 0.5]], [[1, 0]], caches)).toThrow('modelBackward: AL: expected finite numbers, got NaN at row 0, column 0');
    expect(() => modelBackward([[3, -1]], [[1, 0]], caches)).toThrow(ValueError);
    expect(() => modelBackward([[3, -1]], [[1, 0]], caches)).toThrow('modelBackward: AL: binaryCrossEntropy needs probabilities in [0, 1], got 3 at row 0, column 0');
    expect(() => modelBackward([[0.5, -1]], [[1, 0]], caches)).toThrow('modelBackward: AL: binaryCrossEntropy needs probabilities in [0, 1], got -1 at row 0, column 1');
  });

  it('rejects an AL whose shape does not match the caches', () => {
    expect(() => modelBackward([[0.5, 0.5, 0.5]], [[1, 0, 1]], caches)).toThrow(ShapeError);
    expect(() => modelBackward([[0.5, 0.5, 0.5]], [[1, 0, 1]], caches)).toThrow('modelBackward: AL: expected shape (1, 2) (n[L], m) like caches[1].A, got (1, 3)');
  });

  it('rejects junk caches with a message instead of a TypeError', () => {
    expect(() => modelBackward(AL, [[1, 0]], [{}] as never)).toThrow(
      'modelBackward: caches[0]: expected a cache from modelForward ({ linearCache: { A, W, b }, activationCache, A, activation }), got linearCache undefined',
    );
    const noAct = { ...caches[1]!, activation: undefined } as unknown as LayerCache;
    expect(() => modelBackward(AL, [[1, 0]], [caches[0]!, noAct])).toThrow(/^modelBackward: caches\[1\]\.activation: expected one of "sigmoid", /);
    const noZ = { ...caches[0]!, activationCache: null } as unknown as LayerCache;
    expect(() => modelBackward(AL, [[1, 0]], [noZ, caches[1]!])).toThrow(/^modelBackward: caches\[0\]: expected a cache from modelForward .*, got activationCache null$/);
    expect(() => modelBackward(AL, [[1, 0]], [caches[1]!, caches[0]!])).toThrow(ShapeError);
    expect(() => modelBackward(AL, [[1, 0]], [caches[1]!])).not.toThrow();
    const other = modelForward([[1, 2, 3], [4, 5, 6]], p, ['tanh', 'sigmoid']).caches;
    expect(() => modelBackward(AL, [[1, 0]], [other[0]!, caches[1]!])).toThrow('modelBackward: caches[1]: linearCache.A: expected shape (3, 3) like caches[0].A, got (3, 2)');
  });

  it('linearBackward and linearActivationBackward reject caches that do not hold tensors', () => {
    const junk = { A: [[1]], W: [[1]], b: [[0]] } as unknown as LinearCache;
    expect(() => linearBackward([[1]], junk)).toThrow('linearBackward: cache: expected the { A, W, b } cache from linearForward, got an object');
    expect(() => linearActivationBackward([[1, 1]], {} as LayerCache, 'relu')).toThrow(
      'linearActivationBackward: cache: expected a cache from linearActivationForward ({ linearCache: { A, W, b }, activationCache, A, activation }), got linearCache undefined',
    );
  });
});

describe('gradientCheck', () => {
  const p = initializeParameters([2, 3, 1], { seed: 1 });

  it('rejects NaN parameters instead of returning difference NaN', () => {
    const q = initializeParameters([2, 3, 1], { seed: 1 });
    q.W2!.data[0] = NaN;
    expect(() => gradientCheck(q, [[1], [2]], [[1]])).toThrow('gradientCheck: parameters: W2: expected finite numbers, got NaN at row 0, column 0');
  });

  it('rejects a dtype other than float32 / float64, and names itself for bad X and Y', () => {
    expect(() => gradientCheck(p, [[1], [2]], [[1]], { dtype: 'float16' as DType })).toThrow('gradientCheck: dtype: expected "float32" or "float64", got "float16"');
    expect(() => gradientCheck(p, [[1], [2]], [[2]])).toThrow('gradientCheck: Y: binary cross-entropy needs labels in {0, 1}, got 2 at row 0, column 0');
    expect(() => gradientCheck(p, [[1], [NaN]], [[1]])).toThrow('gradientCheck: X: expected finite numbers, got NaN at row 1, column 0');
    expect(() => gradientCheck(p, [[1, 2, 3]], [[1]])).toThrow('gradientCheck: X: expected shape (2, m) to match W1 (3, 2), got (1, 3)');
    expect(() => gradientCheck(p, [[1], [2]], [[1, 0]])).toThrow('gradientCheck: Y: expected shape (1, 1) to match W2 and X, got (1, 2)');
    expect(() => gradientCheck(p, [[1], [2]], [[1]], { epsilon: 0 })).toThrow('gradientCheck: epsilon: expected a finite number > 0, got 0');
  });
});

describe('compareGradients', () => {
  const param = () => tensor([[1, 2]], { dtype: 'float64' });
  const cost = () => 0;

  it('rejects lists of different lengths and a gradient of another size than its parameter', () => {
    expect(() => compareGradients([param()], [], cost, 1e-7)).toThrow(ShapeError);
    expect(() => compareGradients([param()], [], cost, 1e-7)).toThrow('compareGradients: analytic: expected 1 gradients (one per parameter), got 0');
    expect(() => compareGradients([param()], [tensor([[1, 2, 3]])], cost, 1e-7)).toThrow('compareGradients: analytic[0]: expected 2 values like params[0] (1, 2), got (1, 3)');
    expect(() => compareGradients([param()], [[[1, 2]]] as never, cost, 1e-7)).toThrow('compareGradients: analytic[0]: expected a Tensor, got [[1, 2]]');
    expect(() => compareGradients(null as never, [], cost, 1e-7)).toThrow('compareGradients: params: expected an array of Tensors, got null');
  });

  it('rejects a bad epsilon, a cost that is not a function, and NaN anywhere', () => {
    expect(() => compareGradients([param()], [param()], cost, 0)).toThrow('compareGradients: epsilon: expected a finite number > 0, got 0');
    expect(() => compareGradients([param()], [param()], cost, NaN)).toThrow('compareGradients: epsilon: expected a finite number > 0, got NaN');
    expect(() => compareGradients([param()], [param()], 3 as never, 1e-7)).toThrow('compareGradients: cost: expected a function returning J, got 3');
    expect(() => compareGradients([param()], [tensor([[NaN, 0]])], cost, 1e-7)).toThrow('compareGradients: analytic[0]: expected finite numbers, got NaN at row 0, column 0');
    expect(() => compareGradients([tensor([[1, Infinity]])], [param()], cost, 1e-7)).toThrow('compareGradients: params[0]: expected finite numbers, got Infinity at row 0, column 1');
    const p = param();
    expect(() => compareGradients([p], [param()], () => NaN, 1e-3)).toThrow('compareGradients: cost: expected a finite cost, got NaN with params[0] element 0 nudged by +0.001');
    expect(Array.from(p.data)).toEqual([1, 2]); // restored before throwing
  });
});
