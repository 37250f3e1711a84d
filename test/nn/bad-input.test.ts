/**
 * Every bad input the core issue lists gets an error that names the argument
 * and says what was expected and what was received.
 */
import { describe, expect, it } from 'vitest';
import {
  classifyOutputs,
  computeCost,
  fit,
  initializeParameters,
  linearForward,
  modelForward,
  Network,
  ShapeError,
  tensor,
  updateParameters,
  ValueError,
  type LayerSpec,
  type NetworkOptions,
} from '../../src/index.js';

const net = () => new Network({ inputSize: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], seed: 1 });
const X = [[0, 1, 2], [1, 0, 1]];
const Y = [[0, 1, 1]];
const opts = { learningRate: 0.1, iterations: 2 };

describe('bad input', () => {
  it('X rows that do not match the first layer', () => {
    expect(() => fit(net(), [[0, 1, 2]], Y, opts)).toThrow(ShapeError);
    expect(() => fit(net(), [[0, 1, 2]], Y, opts)).toThrow('fit: X: expected shape (2, m) with one column per example (the first layer has inputSize 2), got (1, 3)');
  });

  it('Y that does not match X or the output layer', () => {
    expect(() => fit(net(), X, [[0, 1]], opts)).toThrow('fit: Y: expected shape (1, 3) to match the output layer and X\'s 3 examples, got (1, 2)');
    expect(() => fit(net(), X, [[0, 1, 1], [1, 0, 0]], opts)).toThrow('got (2, 3)');
  });

  it('NaN or Infinity in X or Y, with row and column', () => {
    expect(() => fit(net(), [[0, 1, 2], [1, NaN, 1]], Y, opts)).toThrow('fit: X: expected finite numbers, got NaN at row 1, column 1');
    expect(() => fit(net(), [[0, 1, Infinity], [1, 0, 1]], Y, opts)).toThrow('got Infinity at row 0, column 2');
    expect(() => fit(net(), X, [[0, NaN, 1]], opts)).toThrow('fit: Y: expected finite numbers, got NaN at row 0, column 1');
    expect(() => net().predict([[0], [-Infinity]])).toThrow('predict: X: expected finite numbers, got -Infinity at row 1, column 0');
  });

  it('labels outside {0, 1} for binary cross-entropy', () => {
    expect(() => fit(net(), X, [[0, 2, 1]], opts)).toThrow('fit: Y: binary cross-entropy needs labels in {0, 1}, got 2 at row 0, column 1');
    expect(() => computeCost([[0.5, 0.5]], [[0.5, 1]])).toThrow('computeCost: Y: binary cross-entropy needs labels in {0, 1}, got 0.5 at row 0, column 0');
  });

  it('targets that are not one-hot for softmax', () => {
    const soft = new Network({ inputSize: 2, layers: [{ units: 2, activation: 'softmax' }] });
    expect(() => fit(soft, X, [[1, 0, 1], [1, 1, 0]], opts)).toThrow('fit: Y: softmax needs one-hot columns (exactly one 1), column 0 has 2 ones');
    expect(() => fit(soft, X, [[0.5, 0, 1], [0.5, 1, 0]], opts)).toThrow('softmax needs one-hot columns, got 0.5 at row 0, column 0');
  });

  it('zero examples', () => {
    const empty = tensor(new Float32Array(0), { shape: [2, 0] });
    expect(() => fit(net(), empty, tensor(new Float32Array(0), { shape: [1, 0] }), opts)).toThrow('fit: X: expected at least one example (column), got shape (2, 0)');
    expect(() => fit(net(), [], Y, opts)).toThrow('fit: X: expected a non-empty array');
    expect(() => computeCost(tensor(new Float32Array(0), { shape: [1, 0] }), tensor(new Float32Array(0), { shape: [1, 0] }))).toThrow('expected at least one example');
  });

  it('a non-positive or non-finite learning rate', () => {
    for (const lr of [0, -1, NaN, Infinity]) {
      expect(() => fit(net(), X, Y, { learningRate: lr, iterations: 1 })).toThrow(`fit: learningRate: expected a finite number > 0, got ${lr}`);
    }
    expect(() => updateParameters(initializeParameters([2, 1]), { dW1: tensor([[0, 0]]), db1: tensor([[0]]) }, -0.1)).toThrow('updateParameters: learningRate: expected a finite number > 0, got -0.1');
  });

  it('iterations that are not a positive integer', () => {
    expect(() => fit(net(), X, Y, { learningRate: 0.1, iterations: 1.5 })).toThrow('fit: iterations: expected a positive integer, got 1.5');
  });

  it('unknown activation, loss and initializer names', () => {
    expect(() => new Network({ inputSize: 2, layers: [{ units: 1, activation: 'relu6' as 'relu' }] })).toThrow(
      'Network: layers[0].activation: expected one of "sigmoid", "tanh", "relu", "leakyRelu", "linear", "softmax", got "relu6"',
    );
    expect(() => new Network({ inputSize: 2, layers: [{ units: 1 }], loss: 'hinge' as 'mse' })).toThrow('Network: loss: expected one of');
    expect(() => new Network({ inputSize: 2, layers: [{ units: 1 }], init: 'glorot' as 'he' })).toThrow('Network: init: expected one of "zeros", "random", "he", "xavier", got "glorot"');
    expect(() => modelForward([[1]], initializeParameters([1, 1]), ['swish' as 'relu'])).toThrow('modelForward: activations[0]: expected one of');
    expect(() => computeCost([[0.5]], [[1]], 'nll' as 'bce')).toThrow(ValueError);
  });

  it('a loss that does not fit the output activation', () => {
    expect(() => new Network({ inputSize: 2, layers: [{ units: 1, activation: 'tanh' }], loss: 'binaryCrossEntropy' })).toThrow(
      'Network: loss: binaryCrossEntropy needs a sigmoid output layer, got "tanh"',
    );
  });

  it('layer sizes that are not positive integers', () => {
    expect(() => new Network({ inputSize: 0, layers: [{ units: 1 }] })).toThrow('Network: inputSize: expected a positive integer, got 0');
    expect(() => new Network({ inputSize: 2, layers: [{ units: 2.5 }] })).toThrow('Network: layers[0].units: expected a positive integer, got 2.5');
    expect(() => new Network({ inputSize: 2, layers: [{ units: -1 }] })).toThrow('got -1');
    expect(() => new Network({ inputSize: 2, layers: [] })).toThrow('Network: layers: expected a non-empty array');
    expect(() => initializeParameters([2, 0, 1])).toThrow('initializeParameters: layerDims[1]: expected a positive integer, got 0');
    expect(() => initializeParameters([3])).toThrow('initializeParameters: layerDims: expected at least two sizes');
  });

  it('functional API shape mismatches name both shapes', () => {
    expect(() => linearForward([[1, 2, 3]], [[1, 2]], [[0]])).toThrow('linearForward: W (1, 2) needs A with 2 rows (n[l-1], m), got A (1, 3)');
    expect(() => linearForward([[1], [2]], [[1, 2]], [[0], [0]])).toThrow('linearForward: b: expected shape (1, 1), got (2, 1)');
    expect(() => modelForward([[1, 2]], initializeParameters([2, 1]))).toThrow('modelForward: X: expected shape (2, m) to match W1 (1, 2), got (1, 2)');
    expect(() => computeCost([[0.5, 0.5]], [[1]])).toThrow('computeCost: Y: expected shape (1, 2) like AL, got (1, 1)');
  });

  it('ragged nested arrays and non-numbers', () => {
    expect(() => fit(net(), [[0, 1, 2], [1, 0]], Y, opts)).toThrow('fit: X: ragged array at index [1]: expected length 3, got length 2');
    expect(() => fit(net(), [[0, 1, 2], [1, '0' as unknown as number, 1]], Y, opts)).toThrow('fit: X: expected a number at index [1][1], got string');
  });

  it('a bad seed', () => {
    expect(() => new Network({ inputSize: 2, layers: [{ units: 1 }], seed: -3 })).toThrow('Network: seed: expected an integer in [0, 2^32), got -3');
  });
});

describe('bad input to Network', () => {
  it('a softmax layer with one unit, whose output is always 1', () => {
    expect(() => new Network({ inputSize: 2, layers: [{ units: 1, activation: 'softmax' }] })).toThrow(
      'Network: layers[0].units: expected at least 2 units for a softmax layer (softmax over one unit always outputs 1, so the cost never moves; use sigmoid for a binary output), got 1',
    );
    expect(() => new Network({ inputSize: 2, layers: [{ units: 3 }, { units: 1, activation: 'softmax' }] })).toThrow('Network: layers[1].units: expected at least 2 units for a softmax layer');
    expect(new Network({ inputSize: 2, layers: [{ units: 2, activation: 'softmax' }] }).loss.kind).toBe('categoricalCrossEntropy');
  });

  it('a layer of more than 2^28 weights is refused before anything is allocated', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      expect(() => new Network({ inputSize: 2, layers: [{ units: 1e9 }, { units: 1 }], dtype })).toThrow(
        'Network: layers[0].units: 1000000000 units x 2 inputs = 2000000000 weights; expected at most 268435456 weights per layer, got 1000000000',
      );
    }
  });

  it('misspelt option and layer keys, with a suggestion', () => {
    expect(() => new Network({ inputSize: 2, layers: [{ units: 3, activaton: 'tanh' } as { units: number }, { units: 1 }] })).toThrow(
      'Network: layers[0].activaton: expected one of units, activation, init, keepProb, batchNorm, l2, l1, trainable, type (did you mean activation?), got an unknown option',
    );
    expect(() => new Network({ inputSize: 2, layers: [{ units: 1 }], keepprob: 0.5 } as unknown as NetworkOptions)).toThrow(
      'Network: keepprob: expected one of inputSize, inputShape, layers, init, seed, dtype, loss, l2, l1, inputKeepProb, keepProb, batchNorm, batchNormMomentum, batchNormEpsilon (did you mean keepProb?), got an unknown option',
    );
    expect(() => new Network({ inputSize: 2, layers: [{ units: 1 }], learningRate: 3 } as unknown as NetworkOptions)).toThrow('Network: learningRate: expected one of inputSize, inputShape, layers,');
    expect(() => new Network({ inputSize: 2, layers: [null as unknown as LayerSpec] })).toThrow("Network: layers[0]: expected a layer spec such as { units: 64 } or { type: 'conv2d', filters: 8, size: 3 }, got null");
  });

  it('a classification threshold that is not a number in (0, 1), or one a softmax output cannot use', () => {
    const n = net();
    for (const [t, shown] of [
      [NaN, 'NaN'],
      ['x', '"x"'],
      [5, '5'],
      [0, '0'],
      [1, '1'],
      [-0.5, '-0.5'],
    ] as const) {
      expect(() => n.classify(X, t as number)).toThrow(`classify: threshold: expected a number in (0, 1), got ${shown}`);
    }
    expect(n.classify(X, 0.001).toArray()).toEqual([[1, 1, 1]]);
    const soft = new Network({ inputSize: 2, layers: [{ units: 3, activation: 'softmax' }] });
    expect(() => soft.classify(X, 0.5)).toThrow('classify: threshold: expected none for a softmax output with 3 units (only a one-unit sigmoid output is thresholded), got 0.5');
    expect(soft.classify(X).shape).toEqual([1, 3]);
    expect(() => classifyOutputs(tensor([[0.2, 0.8]]), { kind: 'sigmoid' }, NaN)).toThrow('classifyOutputs: threshold: expected a number in (0, 1), got NaN');
  });

  it('float64 values beyond the range of a float32 network, with row and column', () => {
    const X64 = tensor([[0, 1, 2], [1, -1e39, 1]], { dtype: 'float64' });
    const msg = (where: string, name: string) =>
      `${where}: ${name}: expected values within the float32 range of the network (|value| < 3.4e38), got -1e+39 at row 1, column 1`;
    expect(() => net().predict(X64)).toThrow(msg('predict', 'X'));
    const n = net();
    const before = Array.from(n.layers[0]!.W.data);
    expect(() => fit(n, X64, Y, opts)).toThrow(msg('fit', 'X'));
    expect(() => fit(n, X, Y, { ...opts, dev: { X: X64, Y } })).toThrow(msg('fit', 'dev.X'));
    expect(Array.from(n.layers[0]!.W.data)).toEqual(before);
    const reg = new Network({ inputSize: 1, layers: [{ units: 1, activation: 'linear' }] });
    expect(() => fit(reg, [[1, 2]], tensor([[1e39, 1]], { dtype: 'float64' }), opts)).toThrow(
      'fit: Y: expected values within the float32 range of the network (|value| < 3.4e38), got 1e+39 at row 0, column 0',
    );
    // a float64 network takes them
    const n64 = new Network({ inputSize: 2, layers: [{ units: 1 }], dtype: 'float64' });
    expect(n64.predict(tensor([[1e39], [0]], { dtype: 'float64' })).shape).toEqual([1, 1]);
  });

  it('weights holding NaN, named, instead of NaN predictions', () => {
    const n = net();
    n.layers[1]!.W.data[2] = NaN;
    expect(() => n.predict(X)).toThrow('predict: network.W2: expected finite numbers, got NaN at row 0, column 2');
    expect(() => n.classify(X)).toThrow('classify: network.W2: expected finite numbers, got NaN at row 0, column 2');
    expect(() => n.cost(X, Y)).toThrow('cost: network.W2: expected finite numbers, got NaN at row 0, column 2');
  });
});

