/**
 * Data for a saved model (evaluate, predict): read with the training run's
 * column encodings and image size, standardized with its statistics, and
 * labels mapped to its classes, so new data goes through the same transform.
 */
import { Standardizer } from '../../data/normalize.js';
import type { Network } from '../../nn/network.js';
import { Tensor } from '../../tensor/tensor.js';
import { existsSync, statSync } from 'node:fs';
import { featuresOf, loadTable } from '../data/index.js';
import { loadUnlabeledImages } from '../data/images.js';
import type { Table } from '../data/table.js';
import { CliError } from '../errors.js';
import type { RunMetadata } from '../run-files.js';

/** Features ready for the network, and the targets when the data has them. */
export interface ModelData {
  table: Table;
  X: Tensor;
  /** Y in the network's layout, or null when the data has no target column. */
  Y: Tensor | null;
  /** Class index per example (classification with targets). */
  labels: Int32Array | null;
}

/**
 * A regression model's predictions in the target's units: the network
 * predicts standardized targets when the run stored their statistics (older
 * models predict the targets as they are).
 */
export function regressionPredictions(network: Network, run: RunMetadata, X: Tensor): Tensor {
  const A = network.predict(X);
  return run.targetStandardizer ? Standardizer.fromJSON(run.targetStandardizer).inverseTransform(A) : A;
}

/** Loads `data` the way the model's training run did. Without `requireTarget`, a folder of images is read unlabeled (predict). */
export async function loadForModel(
  network: Network, run: RunMetadata, data: string, requireTarget: boolean, warn: (m: string) => void, delimiter?: string,
): Promise<ModelData> {
  const unlabeled = !requireTarget && existsSync(data) && statSync(data).isDirectory();
  const table = unlabeled ? loadUnlabeledImages(data, { size: run.imageSize ?? 64, warn }) : await loadTable(data, {
    encodings: run.columns,
    ...(requireTarget ? { target: run.target } : { targetIfPresent: run.target, skipTargetValues: true }),
    imageSize: run.imageSize ?? 64,
    delimiter,
    seed: Number(run.training.seed ?? 1),
    warn,
  });
  if (table.featureNames.length !== network.inputSize) {
    throw new CliError(`--data: ${data} gives ${table.featureNames.length} features but the model expects ${network.inputSize} (${run.featureNames.slice(0, 5).join(', ')}${run.featureNames.length > 5 ? ', ...' : ''})`);
  }
  let X = featuresOf(table);
  if (run.standardizer) X = Standardizer.fromJSON(run.standardizer).transform(X);
  // predict needs no targets: a target column that is there anyway (blank, or labels the model never saw) is ignored.
  if (!table.target || !requireTarget) {
    if (requireTarget) throw new CliError(`--data: ${data} has no target column "${run.target}"`);
    return { table, X, Y: null, labels: null };
  }
  const m = table.m;
  const t = table.target;
  if (run.task === 'regression') {
    if (t.kind !== 'numeric') throw new CliError(`--data: the target "${t.name}" holds text, but the model does regression`);
    return { table, X, Y: new Tensor([1, m], Float32Array.from(t.values)), labels: null };
  }
  const classes = run.classes!;
  const index = new Map(classes.map((c, i) => [c, i]));
  const raw = t.kind === 'labels' ? t.values : Array.from(t.values, String);
  const labels = new Int32Array(m);
  raw.forEach((v, j) => {
    const c = index.get(v);
    if (c === undefined) throw new CliError(`--data: row ${j + 2}, column "${t.name}": label "${v}" is not one of the model's classes (${classes.join(', ')})`);
    labels[j] = c;
  });
  const C = network.outputLayer.units;
  const Y = new Tensor([C, m], new Float32Array(C * m));
  if (C === 1) Y.data.set(labels);
  else labels.forEach((c, j) => (Y.data[c * m + j] = 1));
  return { table, X, Y, labels };
}
