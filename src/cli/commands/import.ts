/**
 * `layerwise import`: a TensorFlow.js layers model (a folder with model.json
 * and its weight files, as tfjs's `model.save` or tensorflowjs_converter
 * writes them) or an ONNX file, saved as a layerwise model folder that
 * `predict`, `evaluate`, `inspect` and `train --from` read.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import type { StandardizerJSON } from '../../data/normalize.js';
import { importOnnx } from '../../io/onnx/import.js';
import { describeBytes } from '../../io/onnx/sniff.js';
import { importTfjs } from '../../io/tfjs/import.js';
import type { Network } from '../../nn/network.js';
import { FileKindError, readRegularFile } from '../../node/files.js';
import { saveModel } from '../../node/model-files.js';
import { ValueError } from '../../tensor/errors.js';
import { CliError } from '../errors.js';
import { loadRunModel, type RunMetadata } from '../run-files.js';
import type { Io } from './train.js';

/** Options of `layerwise import`. */
export interface ImportOptions {
  format: 'onnx' | 'tfjs';
  out: string;
}

/** The most bytes one imported file may have. */
const MAX_FILE_BYTES = 2 ** 31;

/** What the source said about itself (layerwise exports say it all; others little). */
interface Facts {
  classes?: unknown;
  task?: unknown;
  target?: unknown;
  featureNames?: unknown;
  standardizer?: StandardizerJSON | null;
  targetStandardizer?: StandardizerJSON | null;
}

/** Runs `layerwise import <source>`; returns the exit code. */
export async function importCommand(source: string, o: ImportOptions, io: Io): Promise<number> {
  if (!existsSync(source)) throw new CliError(`${source}: no such file or folder`);
  let network: Network;
  let facts: Facts;
  try {
    ({ network, facts } = o.format === 'onnx' ? fromOnnx(source) : fromTfjs(source));
  } catch (e) {
    if (e instanceof ValueError) throw new CliError(`${source}: ${e.message.replace(/^import(Onnx|Tfjs): /, '')}`);
    throw e;
  }
  const run = runMetadata(network, facts, source, o.format);
  saveModel(o.out, network, { metadata: run as unknown as Record<string, unknown> });
  loadRunModel(o.out, '--out'); // what predict and evaluate will read
  const s = network.inputShape;
  io.out(`imported ${source} (${o.format === 'onnx' ? 'ONNX' : 'TensorFlow.js layers model'}) into ${o.out}: input ${s.kind === 'flat' ? `${s.units} features` : `${s.h} x ${s.w} x ${s.c} images`}, ${run.task}${run.classes ? ` over classes ${run.classes.join(', ')}` : ''}${run.standardizer ? ', with its input standardization' : ''}`);
  for (const line of network.summary().split('\n')) io.out(line);
  return 0;
}

/** Reads a regular file, naming the path and what it is when it is not one. */
function readFile(path: string, what: string): Uint8Array {
  try {
    return readRegularFile(path, { maxSize: MAX_FILE_BYTES });
  } catch (e) {
    if (e instanceof FileKindError) throw new CliError(`${path}: expected ${what}, ${e.size === null ? e.message : `got a file of ${e.size} bytes, more than ${MAX_FILE_BYTES}`}`);
    throw e;
  }
}

function fromOnnx(source: string): { network: Network; facts: Facts } {
  if (statSync(source).isDirectory()) {
    const hint = existsSync(join(source, 'model.json')) ? ' (it holds a model.json: a TensorFlow.js model? use --format tfjs)' : '';
    throw new CliError(`${source}: expected an .onnx file, got a folder${hint}`);
  }
  const model = importOnnx(readFile(source, 'an .onnx file'));
  const m = model.metadata;
  const json = (v: string | undefined): unknown => {
    try {
      return v === undefined ? undefined : JSON.parse(v);
    } catch {
      return undefined;
    }
  };
  return {
    network: model.network,
    facts: { classes: model.classes, task: m['layerwise.task'], target: m['layerwise.target'], featureNames: json(m['layerwise.feature_names']), standardizer: model.standardizer?.toJSON() ?? null, targetStandardizer: model.targetStandardizer?.toJSON() ?? null },
  };
}

function fromTfjs(source: string): { network: Network; facts: Facts } {
  const manifest = statSync(source).isDirectory() ? join(source, 'model.json') : source;
  if (!existsSync(manifest)) throw new CliError(`${source}: expected a TensorFlow.js model folder with a model.json, found none`);
  const bytes = readFile(manifest, "a TensorFlow.js layers model's model.json");
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new CliError(`${manifest}: expected a TensorFlow.js layers model's model.json, got ${describeBytes(bytes)}`);
  }
  const groups = (json as { weightsManifest?: unknown })?.weightsManifest;
  const paths = Array.isArray(groups) ? groups.flatMap((g: { paths?: unknown }) => (Array.isArray(g?.paths) ? (g.paths as unknown[]) : [])) : [];
  const folder = dirname(manifest);
  const parts = paths.map((p) => {
    if (typeof p !== 'string' || p === '' || isAbsolute(p) || /^[a-z]+:/i.test(p) || normalize(p).split(/[\\/]/).includes('..')) {
      throw new CliError(`${manifest}: weightsManifest paths: expected file names inside ${folder}, got ${JSON.stringify(p)}`);
    }
    const file = join(folder, p);
    if (!existsSync(file)) throw new CliError(`${manifest}: the manifest names ${p}, which is missing from ${folder}`);
    return readFile(file, `the weights file ${basename(file)}`);
  });
  const weights = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    weights.set(p, offset);
    offset += p.length;
  }
  const model = importTfjs(json, weights);
  const m = model.metadata ?? {};
  const std = (v: unknown): StandardizerJSON | null => (v !== null && typeof v === 'object' ? (v as StandardizerJSON) : null);
  return { network: model.network, facts: { classes: m.classes, task: m.task, target: m.target, featureNames: m.featureNames, standardizer: std(m.standardizer), targetStandardizer: std(m.targetStandardizer) } };
}

const strings = (v: unknown, n: number): string[] | null => (Array.isArray(v) && v.length === n && v.every((s) => typeof s === 'string') ? (v as string[]) : null);

/** Run metadata for an imported network, so the CLI's other commands read it like a trained one. */
function runMetadata(network: Network, facts: Facts, source: string, format: string): RunMetadata {
  const out = network.outputLayer;
  const kind = out.activation.kind;
  const classification = facts.task === 'classification' || (facts.task === undefined && (kind === 'softmax' || kind === 'sigmoid'));
  const nClasses = out.units === 1 ? 2 : out.units;
  const classes = classification ? (strings(facts.classes, nClasses) ?? Array.from({ length: nClasses }, (_, i) => String(i))) : null;
  const s = network.inputShape;
  const featureNames = strings(facts.featureNames, network.inputSize) ?? Array.from({ length: network.inputSize }, (_, i) => `x${i + 1}`);
  const stdFits = (v: StandardizerJSON | null | undefined, n: number): StandardizerJSON | null => (v && Array.isArray(v.mean) && v.mean.length === n ? v : null);
  const run: RunMetadata = {
    task: classification ? 'classification' : 'regression',
    classes,
    target: typeof facts.target === 'string' ? facts.target : 'target',
    columns: featureNames.map((name) => ({ kind: 'numeric', name })),
    featureNames,
    standardizer: stdFits(facts.standardizer, network.inputSize),
    data: `imported from ${source}`,
    imageSize: s.kind === 'image' && s.h === s.w ? s.h : null,
    training: { importedFrom: source, format },
    examples: { train: 0, dev: 0, test: 0 },
  };
  // A regression's target statistics, which predict maps outputs back with (a field of newer run metadata).
  return Object.assign(run, { targetStandardizer: classification ? null : stdFits(facts.targetStandardizer, out.units) });
}
