/**
 * `layerwise export` and `layerwise import`, end to end in child processes: a
 * model trained by `layerwise train` on a CSV is exported to ONNX (run by
 * onnxruntime-web on the CSV's raw features) and to TensorFlow.js (loaded by
 * tf.loadLayersModel), both give `layerwise predict`'s probabilities, and
 * both import back into model folders that predict the same.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { identityBlock, Network, Rng, Standardizer, Tensor } from '../../src/index.js';
import { saveModel } from '../../src/node/index.js';
import { cli } from '../cli/run-cli.js';
import { maxDiff, rows } from './data.js';
import { runOnnx } from './ort.js';

const dir = mkdtempSync(join(tmpdir(), 'layerwise-interop-cli-'));
const p = (name: string) => join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 120 rows of two features on different scales and a 0/1 label. */
function csv(): { X: Tensor; text: string } {
  const rng = new Rng(31);
  const lines = ['size,weight,label'];
  const X = new Tensor([2, 120], new Float32Array(240));
  for (let j = 0; j < 120; j++) {
    const a = 50 + rng.normal() * 10;
    const b = rng.normal() * 0.1;
    X.data[j] = a;
    X.data[120 + j] = b;
    lines.push(`${a},${b},${(a - 50) / 10 + b * 10 + rng.normal() * 0.3 > 0 ? 'yes' : 'no'}`);
  }
  return { X, text: lines.join('\n') + '\n' };
}

/** p_<class> columns of a predict CSV, as rows. */
function probabilities(file: string): number[] {
  return readFileSync(file, 'utf8').trim().split('\n').slice(1).flatMap((l) => l.split(',').slice(1).map(Number));
}

describe('layerwise export / import', () => {
  const { X, text } = csv();
  writeFileSync(p('data.csv'), text);

  it('exports a trained model to ONNX and TensorFlow.js, which predict what layerwise predicts, and imports both back', async () => {
    const train = await cli(['train', '--data', p('data.csv'), '--layers', '6,4', '--epochs', '5', '--out', p('run'), '--json']);
    expect(train.code, train.stderr).toBe(0);
    const predict = await cli(['predict', '--model', p('run/model'), '--data', p('data.csv'), '--out', p('pred.csv')]);
    expect(predict.code, predict.stderr).toBe(0);
    const expected = probabilities(p('pred.csv')); // p_no, p_yes per row
    const yes = expected.filter((_, i) => i % 2 === 1);

    const onnx = await cli(['export', '--model', p('run/model'), '--format', 'onnx', '--out', p('model.onnx')]);
    expect(onnx.stdout).toContain('input "input" (batch, 2) features as in the data (standardized inside the model), output "output" (batch, 1) over classes no, yes');
    const out = await runOnnx(readFileSync(p('model.onnx')), rows(X), [120, 2]);
    expect(maxDiff(out.data, yes)).toBeLessThan(1e-5);

    const tfjs = await cli(['export', '--model', p('run/model'), '--format', 'tfjs', '--out', p('tfjs')]);
    expect(tfjs.stdout).toContain('apply userDefinedMetadata.standardizer');
    const modelJson = JSON.parse(readFileSync(p('tfjs/model.json'), 'utf8')) as { modelTopology: never; weightsManifest: { weights: never[] }[]; userDefinedMetadata: { standardizer: never; classes: string[] } };
    expect(modelJson.userDefinedMetadata.classes).toEqual(['no', 'yes']);
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0]!.weights, weightData: Uint8Array.from(readFileSync(p('tfjs/weights.bin'))).buffer }));
    const Xs = Standardizer.fromJSON(modelJson.userDefinedMetadata.standardizer).transform(X);
    const y = model.predict(tf.tensor2d(rows(Xs), [120, 2])) as tf.Tensor;
    expect(maxDiff(y.dataSync(), yes)).toBeLessThan(1e-5);

    for (const [format, source] of [['onnx', p('model.onnx')], ['tfjs', p('tfjs')]] as const) {
      const imported = await cli(['import', '--format', format, source, '--out', p(`imported-${format}`)]);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stdout).toContain('classification over classes no, yes, with its input standardization');
      const again = await cli(['predict', '--model', p(`imported-${format}`), '--data', p('data.csv'), '--out', p(`pred-${format}.csv`)]);
      expect(again.code, again.stderr).toBe(0);
      expect(maxDiff(probabilities(p(`pred-${format}.csv`)), expected)).toBeLessThan(2e-6);
    }
  }, 300_000);

  it('refuses what it cannot do: residual blocks to TF.js, a broken model folder, a file of the other format', async () => {
    saveModel(p('resnet'), new Network({ inputShape: [4, 4, 2], layers: [identityBlock(1, [2, 2, 2]), { units: 1 }] }));
    const residual = await cli(['export', '--model', p('resnet'), '--format', 'tfjs', '--out', p('resnet-tfjs')]);
    expect(residual.stderr).toContain('layerwise: error: --format tfjs: layer 1: a residual block adds the outputs of two paths, which a Sequential model cannot express');
    expect((await cli(['export', '--model', p('resnet'), '--format', 'onnx', '--out', p('resnet.onnx')])).code).toBe(0);

    writeFileSync(p('resnet/model.json'), '{"format": "layerwise-model", "formatVersion": 2}');
    const broken = await cli(['export', '--model', p('resnet'), '--format', 'onnx', '--out', p('x.onnx')]);
    expect(broken.stderr).toMatch(/layerwise: error: --model: .*model\.json: /);

    const wrong = await cli(['import', '--format', 'tfjs', p('model.onnx'), '--out', p('nope')]);
    expect(wrong.stderr).toMatch(/expected a TensorFlow\.js layers model's model\.json, got \d+ bytes starting with/);
    const opset = await cli(['export', '--model', p('run/model'), '--format', 'onnx', '--out', p('old.onnx'), '--opset', '11']);
    expect(opset.stderr).toContain('layerwise: error: --opset: expected 13 or later, got 11');
  }, 300_000);
});
