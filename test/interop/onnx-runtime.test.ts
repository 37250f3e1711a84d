/**
 * exportOnnx, proven by the other runtime: each trained network is exported,
 * run by onnxruntime-web (its WebAssembly build, in Node, offline) and
 * compared with layerwise's own predictions; the ONNX file also imports back
 * into layerwise with the same predictions.
 */
import { describe, expect, it } from 'vitest';
import { checkOnnx, convolutionalBlock, exportOnnx, fit, identityBlock, importOnnx, Network, Standardizer, Tensor, type TypedLayerSpec } from '../../src/index.js';
import { images, maxDiff, rows, tabular } from './data.js';
import { runOnnx } from './ort.js';

/** ORT's output for X (flat (n, m) columns or (m, h, w, c) images), as rows (m, n[L]). */
async function ort(bytes: Uint8Array, X: Tensor): Promise<{ data: Float32Array; dims: readonly number[] }> {
  return X.shape.length === 2 ? runOnnx(bytes, rows(X), [X.cols, X.rows]) : runOnnx(bytes, Float32Array.from(X.data), X.shape);
}

/** Exports, checks, runs in ORT and imports back; returns the largest differences. */
async function roundTrip(net: Network, X: Tensor, options: Parameters<typeof exportOnnx>[1] = {}): Promise<{ ort: number; back: number; bytes: Uint8Array }> {
  const bytes = exportOnnx(net, options);
  expect(checkOnnx(bytes)).toEqual([]);
  const expected = net.predict(X);
  const out = await ort(bytes, X);
  expect(out.dims).toEqual([net.examples(X), net.outputLayer.units]);
  const back = importOnnx(bytes).network.predict(X);
  return { ort: maxDiff(out.data, rows(expected)), back: maxDiff(back.data, expected.data), bytes };
}

describe('exportOnnx run by onnxruntime-web', () => {
  it('a trained dense classifier gives the same class probabilities (Gemm, Relu, LeakyRelu, Tanh, Softmax on the class axis)', async () => {
    const { X, Y } = tabular(300, 4, 3, 1);
    const net = new Network({ inputSize: 4, layers: [{ units: 16, activation: 'relu' }, { units: 8, activation: { name: 'leakyRelu', slope: 0.2 } }, { units: 6, activation: 'tanh' }, { units: 3, activation: 'softmax' }], seed: 1 });
    fit(net, X, Y, { optimizer: 'adam', learningRate: 0.01, epochs: 20, batchSize: 32 });
    const r = await roundTrip(net, X, { classes: ['low', 'mid', 'high'] });
    expect(r.ort).toBeLessThan(1e-5);
    expect(r.back).toBeLessThan(1e-6);
    expect(importOnnx(r.bytes).classes).toEqual(['low', 'mid', 'high']);
  });

  it('a regression net with its standardizer and target scaling takes raw features and gives raw targets', async () => {
    const { X } = tabular(200, 3, 2, 2, 50, 1000); // features around 1000, spread 50
    const Y = new Tensor([1, 200], Float32Array.from({ length: 200 }, (_, j) => 300 + 2 * X.get(0, j) - X.get(2, j) * 0.5));
    const std = Standardizer.fit(X);
    const target = Standardizer.fit(Y);
    const net = new Network({ inputSize: 3, layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'linear' }], seed: 2 });
    fit(net, std.transform(X), target.transform(Y), { optimizer: 'adam', learningRate: 0.01, epochs: 30, batchSize: 20 });
    const bytes = exportOnnx(net, { standardizer: std, targetStandardizer: target.toJSON() });
    expect(checkOnnx(bytes)).toEqual([]);
    const expected = target.inverseTransform(net.predict(std.transform(X)));
    const out = await ort(bytes, X); // raw features in
    const relative = Array.from(out.data, (v, j) => Math.abs(v - expected.data[j]!) / (1 + Math.abs(expected.data[j]!)));
    expect(Math.max(...relative)).toBeLessThan(1e-5);
    const back = importOnnx(bytes);
    expect(back.standardizer!.mean.data[0]).toBeCloseTo(std.mean.data[0]!, 2);
    const again = back.targetStandardizer!.inverseTransform(back.network.predict(back.standardizer!.transform(X)));
    expect(maxDiff(again.data, expected.data) / 1000).toBeLessThan(1e-5);
  });

  it('a batch-norm net predicts with the running statistics (dense batch norm, a batch-norm layer, dropout left out)', async () => {
    const { X, labels } = tabular(256, 5, 2, 3, 3, 2);
    const net = new Network({
      inputSize: 5,
      layers: [{ units: 12, activation: 'relu', batchNorm: true, keepProb: 0.8 }, { type: 'batchNorm' }, { type: 'dropout', keepProb: 0.9 }, { units: 6, activation: 'sigmoid', batchNorm: true }, { units: 1, activation: 'sigmoid' }],
      inputKeepProb: 0.9,
      seed: 3,
    });
    fit(net, X, new Tensor([1, 256], Float32Array.from(labels)), { optimizer: 'adam', learningRate: 0.01, epochs: 10, batchSize: 32 });
    expect(Array.from(net.layers[0]!.bn!.runningMean.data).some((v) => Math.abs(v) > 0.01)).toBe(true);
    const r = await roundTrip(net, X);
    expect(r.ort).toBeLessThan(1e-5);
    expect(r.back).toBeLessThan(1e-6);
  });

  it('a CNN (zero padding, strided and same convolutions, batch norm, max and average pooling, flatten) takes the same NHWC images', async () => {
    const { X, Y } = images(64, 10, 10, 2, 4, 4);
    const layers: TypedLayerSpec[] = [
      { type: 'zeroPad2d', pad: 1 },
      { type: 'conv2d', filters: 6, size: 3, stride: 1, batchNorm: true },
      { type: 'maxPool2d', size: 2 },
      { type: 'conv2d', filters: 8, size: 3, padding: 'same', activation: { name: 'leakyRelu', slope: 0.1 } },
      { type: 'conv2d', filters: 5, size: 2, stride: 2, padding: 1, activation: 'tanh' },
      { type: 'avgPool2d', size: 2, stride: 1 },
      { type: 'activation', activation: 'sigmoid' },
      { units: 10, activation: 'relu' },
      { units: 4, activation: 'softmax' },
    ];
    const net = new Network({ inputShape: [10, 10, 2], layers, seed: 4 });
    fit(net, X, Y, { optimizer: 'adam', learningRate: 0.01, epochs: 3, batchSize: 16 });
    const r = await roundTrip(net, X);
    expect(r.ort).toBeLessThan(1e-5);
    expect(r.back).toBeLessThan(1e-6);
  });

  it('residual blocks (the identity block and the convolutional block) add their paths as layerwise does', async () => {
    const { X, Y } = images(24, 8, 8, 4, 2, 5);
    const net = new Network({ inputShape: [8, 8, 4], layers: [identityBlock(3, [2, 3, 4]), convolutionalBlock(3, [3, 3, 6], 2), { type: 'avgPool2d', size: 2 }, { units: 2, activation: 'softmax' }], seed: 5 });
    fit(net, X, Y, { optimizer: 'adam', learningRate: 0.01, epochs: 2, batchSize: 8 });
    const r = await roundTrip(net, X);
    expect(r.ort).toBeLessThan(1e-5);
    expect(r.back).toBeLessThan(1e-6);
  });

  it('every opset from 13 to 21 loads and agrees; a float64 network exports as float32', async () => {
    const { X, Y } = tabular(40, 3, 2, 6);
    const net = new Network({ inputSize: 3, layers: [{ units: 4, activation: 'relu', batchNorm: true }, { units: 2, activation: 'softmax' }], seed: 6, dtype: 'float64' });
    fit(net, X, Y, { learningRate: 0.1, iterations: 20 });
    const expected = rows(net.predict(X));
    for (const opset of [13, 17, 21]) {
      const out = await ort(exportOnnx(net, { opset }), X);
      expect(maxDiff(out.data, expected)).toBeLessThan(1e-5);
    }
  });
});
