/**
 * The typed layers in a Network: gradient checks through conv, pooling,
 * padding, batch normalization and residual blocks (float64, < 1e-7), the
 * summary table, freezing, and the shape errors a user meets first.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, convolutionalBlock, fit, identityBlock, Network, Rng, Tensor, type NetworkOptions } from '../../src/index.js';
import { backendNames, withBackend } from '../helpers.js';

/** Seeded images (m, h, w, c) in [-1, 1) and one-hot / binary labels. */
function images(m: number, h: number, w: number, c: number, seed: number, dtype: 'float32' | 'float64' = 'float64'): Tensor {
  const rng = new Rng(seed);
  const t = new Tensor([m, h, w, c], dtype === 'float64' ? new Float64Array(m * h * w * c) : new Float32Array(m * h * w * c));
  for (let i = 0; i < t.size; i++) t.data[i] = 2 * rng.uniform() - 1;
  return t;
}

function oneHot(m: number, k: number): number[][] {
  return Array.from({ length: k }, (_, r) => Array.from({ length: m }, (_, j) => (j % k === r ? 1 : 0)));
}

const CASES: { name: string; options: NetworkOptions; x: [number, number, number, number]; classes: number }[] = [
  {
    name: 'conv 3x3 s1 p0 relu -> maxpool 2 -> dense sigmoid',
    options: { inputShape: [6, 6, 2], layers: [{ type: 'conv2d', filters: 3, size: 3 }, { type: 'maxPool2d', size: 2 }, { units: 1 }] },
    x: [3, 6, 6, 2],
    classes: 2,
  },
  {
    name: 'conv 3x3 s2 p1 tanh -> avgpool 2 s1 -> dense softmax',
    options: { inputShape: [7, 5, 3], layers: [{ type: 'conv2d', filters: 4, size: 3, stride: 2, padding: 1, activation: 'tanh' }, { type: 'avgPool2d', size: 2, stride: 1 }, { units: 3, activation: 'softmax' }] },
    x: [4, 7, 5, 3],
    classes: 3,
  },
  {
    name: 'zeroPad -> conv 2x2 s3 +bn -> batchNorm -> dropout -> flatten -> dense l2',
    options: {
      inputShape: [5, 5, 1],
      layers: [
        { type: 'zeroPad2d', pad: 2 },
        { type: 'conv2d', filters: 3, size: 2, stride: 3, batchNorm: true, activation: 'sigmoid' },
        { type: 'batchNorm' },
        { type: 'dropout', keepProb: 0.7 },
        { type: 'flatten' },
        { units: 4, activation: 'tanh', batchNorm: true },
        { units: 1 },
      ],
      l2: 0.3,
    },
    x: [5, 5, 5, 1],
    classes: 2,
  },
  {
    name: 'conv same -> identity block -> convolutional block -> dense',
    options: { inputShape: [6, 6, 2], layers: [{ type: 'conv2d', filters: 4, size: 3, padding: 'same', activation: 'leakyRelu' }, identityBlock(3, [2, 3, 4]), convolutionalBlock(3, [2, 2, 3], 2), { units: 2, activation: 'softmax' }] },
    x: [4, 6, 6, 2],
    classes: 2,
  },
  {
    name: 'a residual block with a linear activation on flat inputs',
    options: { inputSize: 3, layers: [{ type: 'residual', main: [{ units: 4, activation: 'tanh' }, { units: 3, activation: 'linear' }], activation: 'tanh' }, { units: 1 }] },
    x: [3, 6, 0, 0],
    classes: 2,
  },
];

describe('gradient check through every layer type (float64, relative difference < 1e-7)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const net = new Network({ ...c.options, dtype: 'float64', seed: 7 });
      const [a, b] = c.x;
      const X = net.isImageNetwork ? images(...c.x, 11) : images(1, 1, a, b, 11).reshape([a, b]);
      const m = net.examples(X);
      const Y = c.classes === 2 && net.outputLayer.units === 1 ? [Array.from({ length: m }, (_, j) => j % 2)] : oneHot(m, net.outputLayer.units);
      const r = checkGradients(net, X, Y);
      expect(r.difference).toBeLessThan(1e-7);
    });
  }
});
