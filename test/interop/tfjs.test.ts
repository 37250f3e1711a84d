/**
 * The TensorFlow.js layers format, proven by TensorFlow.js itself: exported
 * networks load with tf.loadLayersModel (from memory, no network) and predict
 * the same; models built and trained with @tensorflow/tfjs import into
 * layerwise, predict the same and fine-tune; bad input is refused with why.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportTfjs, fit, identityBlock, importTfjs, Network, Tensor, type TfjsModelJson } from '../../src/index.js';
import { images, maxDiff, rows, tabular } from './data.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** tfjs's prediction for layerwise's X ((n, m) columns or (m, h, w, c) images), as rows. */
function tfPredict(model: tf.LayersModel, X: Tensor): Float32Array {
  const input = X.shape.length === 2 ? tf.tensor2d(rows(X), [X.cols, X.rows]) : tf.tensor(Float32Array.from(X.data), [...X.shape]);
  const y = model.predict(input) as tf.Tensor;
  const out = y.dataSync() as Float32Array;
  tf.dispose([input, y]);
  return out;
}

/** Loads exportTfjs's output with TensorFlow.js's own loader (a memory IO handler). */
async function load(net: Network): Promise<tf.LayersModel> {
  const { modelJson, weights } = exportTfjs(net);
  const json = JSON.parse(JSON.stringify(modelJson)) as TfjsModelJson;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology as unknown as tf.io.ModelJSON['modelTopology'], weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: weights.slice().buffer }));
}

/** A tfjs model's artifacts as model.json (weightsManifest) and the weight bytes. */
async function save(model: tf.LayersModel): Promise<{ modelJson: Record<string, unknown>; weights: Uint8Array }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  const a = artifacts!;
  const data = a.weightData as ArrayBuffer;
  return { modelJson: { format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy, modelTopology: a.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }] }, weights: new Uint8Array(data) };
}

describe('exportTfjs loaded by tf.loadLayersModel', () => {
  it('a trained dense classifier (Dense, LeakyReLU, dropout, batch norm) predicts the same', async () => {
    const { X, Y } = tabular(200, 4, 3, 21);
    const net = new Network({ inputSize: 4, layers: [{ units: 10, activation: { name: 'leakyRelu', slope: 0.2 }, keepProb: 0.9 }, { units: 6, activation: 'tanh', batchNorm: true }, { units: 3, activation: 'softmax' }], inputKeepProb: 0.95, seed: 21 });
    fit(net, X, Y, { optimizer: 'adam', learningRate: 0.01, epochs: 10, batchSize: 20 });
    const model = await load(net);
    expect(model.layers.map((l) => l.getClassName())).toEqual(['Dropout', 'Dense', 'LeakyReLU', 'Dropout', 'Dense', 'BatchNormalization', 'Activation', 'Dense']);
    expect(maxDiff(tfPredict(model, X), rows(net.predict(X)))).toBeLessThan(1e-5);
  });

  it('a CNN (same and strided padded convolutions, batch norm, pools, zero padding, flatten) predicts the same', async () => {
    const { X, Y } = images(32, 9, 9, 3, 4, 22);
    const net = new Network({
      inputShape: [9, 9, 3],
      layers: [
        { type: 'conv2d', filters: 4, size: 3, padding: 'same', batchNorm: true },
        { type: 'conv2d', filters: 5, size: 3, stride: 2, padding: 1, activation: { name: 'leakyRelu', slope: 0.1 } },
        { type: 'maxPool2d', size: 2, stride: 1 },
        { type: 'zeroPad2d', pad: 1 },
        { type: 'avgPool2d', size: 2 },
        { type: 'batchNorm' },
        { units: 4, activation: 'softmax' },
      ],
      seed: 22,
    });
    fit(net, X, Y, { optimizer: 'adam', learningRate: 0.01, epochs: 3, batchSize: 8 });
    const model = await load(net);
    expect(maxDiff(tfPredict(model, X), rows(net.predict(X)))).toBeLessThan(1e-5);
    expect(importTfjs(exportTfjs(net).modelJson, exportTfjs(net).weights).network.summary()).toBe(net.summary());
  });

  it('refuses residual blocks, saying why, and keeps metadata', () => {
    const net = new Network({ inputShape: [4, 4, 2], layers: [identityBlock(1, [2, 2, 2]), { units: 1 }] });
    expect(() => exportTfjs(net)).toThrow('exportTfjs: layer 1: a residual block adds the outputs of two paths, which a Sequential model cannot express (its layers form one chain); export the network to ONNX (exportOnnx) instead');
    const dense = new Network({ inputSize: 2, layers: [{ units: 1 }] });
    const { modelJson } = exportTfjs(dense, { metadata: { classes: ['no', 'yes'] } });
    expect(importTfjs(modelJson, exportTfjs(dense).weights).metadata).toEqual({ classes: ['no', 'yes'] });
  });
});

describe('importTfjs of models built and trained with TensorFlow.js', () => {
  it('a CNN imports, predicts what TensorFlow.js predicts within 1e-5, and fine-tunes', async () => {
    const { X, Y } = images(48, 8, 8, 2, 3, 23);
    const model = tf.sequential();
    model.add(tf.layers.inputLayer({ inputShape: [8, 8, 2] }));
    model.add(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }));
    model.add(tf.layers.batchNormalization());
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tf.layers.zeroPadding2d({ padding: 1 }));
    model.add(tf.layers.conv2d({ filters: 3, kernelSize: 2, strides: 2, useBias: false }));
    model.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 1 }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dropout({ rate: 0.25 }));
    model.add(tf.layers.dense({ units: 8 }));
    model.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    model.add(tf.layers.dense({ units: 3 }));
    model.add(tf.layers.activation({ activation: 'softmax' }));
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const xs = tf.tensor(Float32Array.from(X.data), [...X.shape]);
    const ys = tf.tensor2d(rows(Y), [48, 3]);
    await model.fit(xs, ys, { epochs: 3, batchSize: 16, verbose: 0 });
    const { modelJson, weights } = await save(model);
    const { network } = importTfjs(JSON.parse(JSON.stringify(modelJson)), weights);
    expect(maxDiff(rows(network.predict(X)), tfPredict(model, X))).toBeLessThan(1e-5);
    const before = network.cost(X, Y);
    fit(network, X, Y, { optimizer: 'adam', learningRate: 0.005, epochs: 5, batchSize: 16 });
    expect(network.cost(X, Y)).toBeLessThan(before);
    tf.dispose([xs, ys]);
  });

  it('a dense model with Activation, ReLU and sigmoid layers imports and predicts the same', async () => {
    const { X, labels } = tabular(64, 5, 2, 24);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [5], units: 6 }),
        tf.layers.batchNormalization({ epsilon: 0.01 }),
        tf.layers.reLU(),
        tf.layers.dense({ units: 4, activation: 'tanh' }),
        tf.layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    await model.fit(tf.tensor2d(rows(X), [64, 5]), tf.tensor2d(labels, [64, 1]), { epochs: 3, batchSize: 16, verbose: 0 });
    const { modelJson, weights } = await save(model);
    const { network } = importTfjs(modelJson, weights);
    expect(network.summary()).toContain('dense 6 relu +bn');
    expect(maxDiff(rows(network.predict(X)), tfPredict(model, X))).toBeLessThan(1e-5);
  });
});

describe('importTfjs refuses bad input', () => {
  const net = new Network({ inputSize: 3, layers: [{ units: 2, activation: 'relu' }, { units: 1 }] });
  const good = exportTfjs(net);
  const json = (): TfjsModelJson => JSON.parse(JSON.stringify(good.modelJson)) as TfjsModelJson;

  it('files that are not a layers model, saying what they look like', () => {
    expect(() => importTfjs({ format: 'graph-model', modelTopology: { node: [] } }, good.weights)).toThrow('importTfjs: modelJson: expected a TensorFlow.js layers model (model.json with format "layers-model", modelTopology and weightsManifest), got a TensorFlow.js graph model');
    expect(() => importTfjs({ format: 'layerwise-model', network: {} }, good.weights)).toThrow('got a layerwise model manifest (load its folder with loadModel)');
    expect(() => importTfjs([1, 2], good.weights)).toThrow('got a JSON array of 2 items');
    const functional = json() as unknown as { modelTopology: { class_name: string } };
    functional.modelTopology.class_name = 'Functional';
    expect(() => importTfjs(functional, good.weights)).toThrow('expected a Sequential model, got a functional model');
  });

  it('layer classes it cannot read, listed', () => {
    const j = json();
    j.modelTopology.config.layers.splice(1, 0, { class_name: 'LSTM', config: { name: 'lstm_1', units: 2 } });
    expect(() => importTfjs(j, good.weights)).toThrow('importTfjs: layer 1 (LSTM "lstm_1"): layer class LSTM is not supported; importTfjs reads InputLayer, Dense, Activation, Dropout, BatchNormalization, Flatten, Conv2D, MaxPooling2D, AveragePooling2D, ZeroPadding2D, LeakyReLU, ReLU, Softmax');
    const elu = json();
    elu.modelTopology.config.layers[0]!.config.activation = 'elu';
    expect(() => importTfjs(elu, good.weights)).toThrow('activation "elu" is not one layerwise has');
  });

  it('weight shapes that disagree with the topology', () => {
    const j = json();
    j.modelTopology.config.layers[0]!.config.batch_input_shape = [null, 4];
    expect(() => importTfjs(j, good.weights)).toThrow('importTfjs: layer 0 (Dense "dense_1"): weights "dense_1/kernel" have shape [3, 2], but the topology gives [4, 2] (input (batch, 4))');
  });

  it('a weights file shorter or longer than the manifest', () => {
    expect(() => importTfjs(json(), good.weights.subarray(4))).toThrow('importTfjs: weights: the manifest describes 44 bytes (4 float32 tensors), got 40 (4 bytes short: truncated, or a weight file is missing)');
    expect(() => importTfjs(json(), new Uint8Array(48))).toThrow('got 48 (4 bytes too many: the weights belong to another model)');
  });
});
