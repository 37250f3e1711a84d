/**
 * The playground's ONNX and TensorFlow.js downloads (built from the model the
 * worker sends, in the library's format): the ONNX file runs in
 * onnxruntime-web on raw features and the TF.js files load in
 * tf.loadLayersModel, both predicting what the network predicts.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { fit, Network, serializeModel, Standardizer } from '../../src/index.js';
import { interopFiles } from '../../playground/src/ui/export-panel.js';
import { maxDiff, rows, tabular } from './data.js';
import { runOnnx } from './ort.js';

describe('playground export: ONNX and TensorFlow.js', () => {
  it('offers model.onnx, tfjs-model.json and tfjs-weights.bin that predict what the network predicts', async () => {
    const { X, labels } = tabular(60, 3, 2, 41, 5, 3);
    const std = Standardizer.fit(X);
    const net = new Network({ inputSize: 3, layers: [{ units: 4, activation: 'tanh', keepProb: 0.8 }, { units: 1, activation: 'sigmoid' }], seed: 41 });
    fit(net, std.transform(X), [labels], { learningRate: 0.5, iterations: 30 });
    const { manifest, weights } = serializeModel(net, { metadata: { features: ['x1', 'x2', 'x1sq'], classes: ['blue', 'orange'], standardizer: std.toJSON() } });
    const files = interopFiles(JSON.parse(JSON.stringify(manifest)), weights);
    expect(files.map((f) => f.name)).toEqual(['model.onnx', 'tfjs-model.json', 'tfjs-weights.bin']);
    const expected = rows(net.predict(std.transform(X)));
    const onnx = await runOnnx(files[0]!.bytes, rows(X), [60, 3]);
    expect(maxDiff(onnx.data, expected)).toBeLessThan(1e-5);
    const modelJson = JSON.parse(new TextDecoder().decode(files[1]!.bytes)) as { modelTopology: never; weightsManifest: { paths: string[]; weights: never[] }[]; userDefinedMetadata: { features: string[] } };
    expect(modelJson.weightsManifest[0]!.paths).toEqual(['tfjs-weights.bin']);
    expect(modelJson.userDefinedMetadata.features).toEqual(['x1', 'x2', 'x1sq']);
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0]!.weights, weightData: files[2]!.bytes.slice().buffer }));
    const y = model.predict(tf.tensor2d(rows(std.transform(X)), [60, 3])) as tf.Tensor;
    expect(maxDiff(y.dataSync(), expected)).toBeLessThan(1e-5);
  });
});
