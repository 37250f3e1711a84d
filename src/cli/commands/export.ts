/**
 * `layerwise export`: a model folder as an ONNX file (for onnxruntime in any
 * language) or a TensorFlow.js layers model (model.json + weights.bin). A
 * model trained by `layerwise train` carries its standardizer, target
 * scaling and class names along: inside the ONNX graph (Sub/Div at the
 * input, Mul/Add at the output, a `classes` metadata entry), in model.json's
 * userDefinedMetadata for TensorFlow.js (whose layers have no per-feature
 * standardization).
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { exportOnnx } from '../../io/onnx/export.js';
import { exportTfjs } from '../../io/tfjs/export.js';
import type { Network } from '../../nn/network.js';
import { writeFileAtomic } from '../../node/files.js';
import { loadModel } from '../../node/model-files.js';
import { ValueError } from '../../tensor/errors.js';
import { CliError } from '../errors.js';
import { loadRunModel, type RunMetadata } from '../run-files.js';
import type { StandardizerJSON } from '../../data/normalize.js';
import type { Io } from './train.js';

/** Options of `layerwise export`. */
export interface ExportOptions {
  model: string;
  format: 'onnx' | 'tfjs';
  out: string;
  opset?: number;
}

/** Loads a model folder: with its run metadata when `layerwise train` wrote it, else the network alone (saveModel). */
function loadForExport(dir: string): { network: Network; run: RunMetadata | null } {
  let loaded: ReturnType<typeof loadModel>;
  try {
    loaded = loadModel(dir);
  } catch (e) {
    if (e instanceof ValueError) throw new CliError(e.message.replace(/^loadModel: /, '--model: '));
    throw e;
  }
  // A text model: the exporters refuse its sequence layers by name.
  if (loaded.manifest.text) return { network: loaded.network, run: null };
  // A `layerwise train` model: its metadata is checked against the network (classes, statistics).
  if ('task' in loaded.metadata) return loadRunModel(dir);
  return { network: loaded.network, run: null };
}

/** Runs `layerwise export`; returns the exit code. */
export async function exportCommand(o: ExportOptions, io: Io): Promise<number> {
  const { network, run } = loadForExport(o.model);
  // Regression runs store their targets' statistics (newer models); the exported model maps outputs back with them.
  const targetStandardizer = (run as { targetStandardizer?: StandardizerJSON | null } | null)?.targetStandardizer ?? null;
  const s = network.inputShape;
  const inputs = s.kind === 'flat' ? `(batch, ${s.units}) features` : `(batch, ${s.h}, ${s.w}, ${s.c}) images, channels last`;
  const outputs = `(batch, ${network.outputLayer.units})`;
  try {
    if (o.format === 'onnx') {
      checkOutFile(o.out);
      const metadata: Record<string, string> = {};
      if (run) {
        metadata['layerwise.task'] = run.task;
        metadata['layerwise.target'] = run.target;
        if (s.kind === 'flat') metadata['layerwise.feature_names'] = JSON.stringify(run.featureNames);
      }
      const bytes = exportOnnx(network, { ...(o.opset === undefined ? {} : { opset: o.opset }), standardizer: run?.standardizer ?? null, targetStandardizer, classes: run?.classes ?? null, metadata });
      writeFileAtomic(o.out, bytes);
      io.out(`wrote ${o.out}: ONNX opset ${o.opset ?? 13}, ${bytes.length.toLocaleString('en-US')} bytes; input "input" ${inputs}${run?.standardizer ? ' as in the data (standardized inside the model)' : ''}, output "output" ${outputs}${run?.classes ? ` over classes ${run.classes.join(', ')}` : ''}`);
      return 0;
    }
    const dir = checkOutFolder(o.out);
    const metadata = run ? { classes: run.classes, task: run.task, target: run.target, featureNames: run.featureNames, standardizer: run.standardizer, targetStandardizer } : undefined;
    const { modelJson, weights } = exportTfjs(network, metadata ? { metadata } : {});
    writeFileAtomic(join(dir, 'weights.bin'), weights);
    writeFileAtomic(join(dir, 'model.json'), JSON.stringify(modelJson) + '\n');
    io.out(`wrote ${join(o.out, 'model.json')} and weights.bin: a TensorFlow.js layers model (${modelJson.modelTopology.config.layers.length} Keras layers); input ${inputs}, output ${outputs}`);
    if (run?.standardizer) io.out('note: the model takes standardized features: apply userDefinedMetadata.standardizer ((x - mean) / std) before predict');
    if (targetStandardizer) io.out('note: the model predicts standardized targets: map them back with userDefinedMetadata.targetStandardizer (y * std + mean)');
    return 0;
  } catch (e) {
    if (e instanceof ValueError) throw new CliError(e.message.replace(/^export(?:Onnx|Tfjs): options\.opset/, '--opset').replace(/^export(?:Onnx|Tfjs): /, `--format ${o.format}: `));
    throw e;
  }
}

function checkOutFile(out: string): void {
  const dir = dirname(resolve(out));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`--out: expected a file in an existing folder, got ${out} (${dir} is not a folder)`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new CliError(`--out: expected a file name for the .onnx model, got ${out}, which is a folder`);
}

function checkOutFolder(out: string): string {
  if (existsSync(out) && !statSync(out).isDirectory()) throw new CliError(`--out: expected a folder for model.json and weights.bin, got ${out}, which is a file`);
  mkdirSync(out, { recursive: true });
  return out;
}
