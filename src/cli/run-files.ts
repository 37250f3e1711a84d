/**
 * What a training run writes besides the model: the metadata predict needs
 * (task, classes, column encodings, normalization), history.csv, and
 * checkpoints (model with the generator's state, optimizer state, progress)
 * that `--resume` continues from. Every file is written atomically.
 */
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { StandardizerJSON } from '../data/normalize.js';
import { crc32 } from '../io/crc32.js';
import type { Network } from '../nn/network.js';
import { readRegularFile, writeFileAtomic } from '../node/files.js';
import { loadModel, MANIFEST_FILE, saveModel, saveModelFiles, type LoadedModel } from '../node/model-files.js';
import type { OptimizerState } from '../train/optimizer.js';
import { CliError } from './errors.js';
import { MAX_EPOCHS } from './options.js';
import { runFolderOf, type RunFolder } from './out-dir.js';
import { ValueError } from '../tensor/errors.js';
import type { Task } from './data/index.js';
import type { ColumnEncoding } from './data/table.js';

/** What the CLI stores in a model's metadata. */
export interface RunMetadata {
  task: Task;
  classes: string[] | null;
  target: string;
  columns: ColumnEncoding[];
  featureNames: string[];
  standardizer: StandardizerJSON | null;
  /** Regression: the training targets' mean and std; the network predicts standardized targets (absent in older models). */
  targetStandardizer?: StandardizerJSON | null;
  data: string;
  imageSize: number | null;
  training: Record<string, unknown>;
  examples: { train: number; dev: number; test: number };
  /** The run that trained it (absent in older models): `--resume` checks a checkpoint against it. */
  runId?: string;
}

const encodingSchema = z.union([
  z.object({ kind: z.literal('numeric'), name: z.string() }).strict(),
  z.object({ kind: z.literal('oneHot'), name: z.string(), categories: z.array(z.string()).min(1) }).strict(),
]);

const metadataSchema = z
  .object({
    task: z.enum(['classification', 'regression']),
    classes: z.array(z.string()).min(2).nullable(),
    target: z.string(),
    columns: z.array(encodingSchema),
    featureNames: z.array(z.string()),
    standardizer: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).passthrough().nullable(),
    targetStandardizer: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).passthrough().nullable().optional(),
    data: z.string(),
    imageSize: z.number().int().positive().nullable(),
    training: z.record(z.string(), z.unknown()),
    examples: z.object({ train: z.number().int(), dev: z.number().int(), test: z.number().int() }),
    runId: z.string().optional(),
  })
  .strict();

/** Loads a model folder; errors name `option`, the flag the user gave the folder (or its run) with. */
function loadModelFor(dir: string, option: string): LoadedModel {
  try {
    return loadModel(dir);
  } catch (e) {
    if (e instanceof ValueError) throw new CliError(e.message.replace(/^loadModel: /, `${option}: `));
    throw e;
  }
}

/**
 * The refusal of a text model (a language model or a translator) by a command that reads tables
 * and images, naming the command that serves it.
 */
export function textModelRefusal(dir: string, task: 'language-model' | 'translation', command: string, option = '--model'): CliError {
  const use = task === 'language-model' ? `layerwise sample --model ${dir} --n 10` : `layerwise translate --model ${dir} "<text>" (or --input <file>)`;
  return new CliError(`${option} ${dir}: a ${task === 'language-model' ? 'language model' : 'translation model'} (trained on text); ${command} reads tables and images: use ${use}`);
}

/** Loads a CLI model folder and checks its metadata; `command` names the command in the refusal of a text model. */
export function loadRunModel(dir: string, option = '--model', command = 'this command'): LoadedModel & { run: RunMetadata } {
  const loaded = loadModelFor(dir, option);
  if (loaded.manifest.text) throw textModelRefusal(dir, loaded.manifest.text.task, command, option);
  const parsed = metadataSchema.safeParse(loaded.metadata);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliError(`${option}: ${dir}: model.json metadata.${issue.path.join('.')}: ${issue.message} (was this model saved by \`layerwise train\`?)`);
  }
  checkClasses(loaded.network, parsed.data as RunMetadata, `${option}: ${dir}: model.json metadata.classes`);
  return { ...loaded, run: parsed.data as RunMetadata };
}

/** A classifier's class names must be the output layer's classes: one sigmoid unit for two, or one unit each. */
function checkClasses(net: Network, run: RunMetadata, where: string): void {
  if (run.task !== 'classification') return;
  if (run.classes === null) throw new CliError(`${where}: expected the class names of a classification model, got null`);
  const out = net.layers.at(-1)!;
  const kind = out.activation.kind;
  const fits = out.units === 1 ? kind === 'sigmoid' && run.classes.length === 2 : out.units === run.classes.length;
  if (!fits) {
    const holds = out.units === 1 ? (kind === 'sigmoid' ? '2 classes' : 'no classes') : `${out.units} classes`;
    throw new CliError(`${where}: ${run.classes.length} class names, but the output layer has ${out.units} ${kind} unit${out.units === 1 ? '' : 's'} (${holds}); the metadata does not belong to this network`);
  }
}

/** One row of history.csv. */
export interface HistoryRow {
  epoch: number;
  trainCost: number;
  trainUnregularizedCost: number;
  devCost: number | null;
  devMetric: number | null;
  learningRate: number;
  seconds: number;
}

/** Writes history.csv (one row per epoch). */
export function writeHistory(dir: string, rows: readonly HistoryRow[], metricName: string): void {
  const head = `epoch,train_cost,train_unregularized_cost,dev_cost,dev_${metricName},learning_rate,seconds\n`;
  const f = (v: number | null) => (v === null ? '' : String(v));
  const body = rows.map((r) => [r.epoch, r.trainCost, r.trainUnregularizedCost, f(r.devCost), f(r.devMetric), r.learningRate, r.seconds.toFixed(3)].join(',')).join('\n');
  writeFileAtomic(join(dir, 'history.csv'), head + body + '\n');
}

/** What a checkpoint holds besides the model. */
export interface CheckpointState {
  /** The last completed epoch (0-based). */
  epoch: number;
  optimizer: { config: Record<string, unknown>; step: number; lengths: number[]; file: string; crc32: string };
  history: HistoryRow[];
  earlyStopping: { bestDevCost: number | null; bestEpoch: number | null; epochsSinceBest: number };
  /** The train command's resolved options, so --resume continues the same run. */
  options: Record<string, unknown>;
  /** The run that wrote it (absent in older checkpoints). */
  runId?: string;
}

const positiveInt = z.number().int().positive();

/** The train options a checkpoint stores; checked so an edited state.json cannot resume as "abc epochs". */
const trainOptionsSchema = z.object({
  data: z.string(),
  target: z.string().optional(),
  delimiter: z.string().length(1).optional(),
  task: z.enum(['classification', 'regression']).optional(),
  /** Dense units or typed layer specs (the Network checks the specs when the checkpoint is resumed). */
  layers: z.array(z.union([positiveInt, z.record(z.string(), z.unknown())])),
  activation: z.enum(['sigmoid', 'tanh', 'relu', 'leakyRelu', 'linear']),
  output: z.enum(['sigmoid', 'softmax', 'linear']).optional(),
  optimizer: z.enum(['gd', 'momentum', 'rmsprop', 'adam']),
  lr: z.number().positive().optional(),
  epochs: positiveInt.max(MAX_EPOCHS),
  batchSize: positiveInt,
  decay: z.number().nonnegative().optional(),
  l2: z.number().nonnegative(),
  l1: z.number().nonnegative(),
  keepProb: z.array(z.number().gt(0).lte(1)).optional(),
  batchNorm: z.boolean(),
  init: z.enum(['zeros', 'random', 'he', 'xavier']),
  split: z.union([
    z.object({ kind: z.literal('ratios'), ratios: z.array(z.number().min(0).max(1)).min(2).max(3) }),
    z.object({ kind: z.literal('counts'), dev: z.number().int().nonnegative(), test: z.number().int().nonnegative() }),
  ]),
  seed: z.number().int().nonnegative().max(0xffffffff),
  normalize: z.boolean().optional(),
  earlyStopping: positiveInt.optional(),
  optimalError: z.number().min(0).max(1).optional(),
  out: z.string(),
  checkpointEvery: positiveInt.optional(),
  imageSize: positiveInt,
  skipBadImages: z.boolean(),
  augment: z.object({ flip: z.boolean().optional(), shift: z.number().int().nonnegative().optional(), rotate: z.number().min(0).max(180).optional(), brightness: z.number().nonnegative().optional() }).optional(),
  from: z.string().optional(),
  freeze: positiveInt.optional(),
});

const checkpointSchema = z.object({
  epoch: z.number().int().nonnegative(),
  optimizer: z.object({ config: z.record(z.string(), z.unknown()), step: z.number().int().nonnegative(), lengths: z.array(z.number().int().nonnegative()), file: z.string().regex(/^[A-Za-z0-9._-]+$/), crc32: z.string() }),
  history: z.array(z.object({ epoch: z.number(), trainCost: z.number(), trainUnregularizedCost: z.number(), devCost: z.number().nullable(), devMetric: z.number().nullable(), learningRate: z.number(), seconds: z.number() })),
  earlyStopping: z.object({ bestDevCost: z.number().nullable(), bestEpoch: z.number().nullable(), epochsSinceBest: z.number().int() }),
  options: trainOptionsSchema,
  runId: z.string().optional(),
});

/**
 * Saves a checkpoint: the model (with the generator's state), the best model
 * so far, the optimizer's buffers and the progress go into a new folder
 * `<dir>/checkpoint/epoch-<n>`; then `latest.json` is switched to it
 * atomically and older folders are removed. A process killed at any moment
 * leaves `latest.json` naming a complete checkpoint.
 */
export function saveCheckpoint(dir: string, net: Network, metadata: RunMetadata, optimizer: { config: Record<string, unknown>; state: OptimizerState }, progress: Omit<CheckpointState, 'optimizer'>, best: Network | null): void {
  const run = runFolderOf(dir);
  const runId = run?.runId ?? metadata.runId;
  const meta = (runId === undefined ? metadata : { ...metadata, runId }) as unknown as Record<string, unknown>;
  const root = join(dir, 'checkpoint');
  const name = `epoch-${progress.epoch + 1}`;
  const cdir = join(root, name);
  // Only checkpoint folders layerwise wrote are replaced or removed (the run's list says which; without one, a folder with a state.json).
  const ours = (f: string) => (run ? run.owns(`checkpoint/${f}/`) : existsSync(join(root, f, 'state.json')));
  if (existsSync(cdir) && !ours(name)) throw new CliError(`${cdir}: exists and was not written by layerwise; move it or choose another --out`);
  rmSync(cdir, { recursive: true, force: true });
  saveModel(join(cdir, 'model'), net, { metadata: meta, includeRngState: true });
  if (best) saveModel(join(cdir, 'best'), best, { metadata: meta });
  const lengths = optimizer.state.buffers.map((b) => b.length);
  const bytes = new Uint8Array(lengths.reduce((s, n) => s + n, 0) * 4);
  const view = new DataView(bytes.buffer);
  let off = 0;
  for (const b of optimizer.state.buffers) for (let i = 0; i < b.length; i++, off += 4) view.setFloat32(off, b[i]!, true);
  const sum = crc32(bytes);
  const file = `optimizer-${sum}.bin`;
  writeFileAtomic(join(cdir, file), bytes);
  const state: CheckpointState = { ...progress, ...(runId === undefined ? {} : { runId }), optimizer: { config: optimizer.config, step: optimizer.state.step, lengths, file, crc32: sum } };
  writeFileAtomic(join(cdir, 'state.json'), JSON.stringify(state) + '\n');
  writeFileAtomic(join(root, 'latest.json'), JSON.stringify({ checkpoint: name }) + '\n');
  for (const f of readdirSync(root)) if (/^epoch-\d+$/.test(f) && f !== name && ours(f)) rmSync(join(root, f), { recursive: true, force: true });
}

/**
 * Saves a run's final model into `<dir>/model`, with the run's id. A run
 * that writes no checkpoints then removes the checkpoint an earlier run left
 * in the folder: resuming it would replace this newer model with the older
 * run's.
 */
export function saveRunModel(dir: string, net: Network, metadata: RunMetadata): void {
  const run = runFolderOf(dir);
  const meta = run ? { ...metadata, runId: run.runId } : metadata;
  saveModelFiles(join(dir, 'model'), net, { metadata: meta as unknown as Record<string, unknown> }, run?.owns('model/') ?? false);
  if (run && !run.writes('checkpoint/') && run.owns('checkpoint/')) removeCheckpoints(dir, run);
}

/** Removes what layerwise wrote in `<dir>/checkpoint`: the pointer first, so no moment has it naming a half-removed folder. */
function removeCheckpoints(dir: string, run: RunFolder): void {
  const root = join(dir, 'checkpoint');
  const names = existsSync(root) ? readdirSync(root) : [];
  for (const f of names.filter((f) => f.startsWith('latest.json'))) rmSync(join(root, f), { force: true });
  for (const f of names.filter((f) => /^epoch-\d+$/.test(f))) rmSync(join(root, f), { recursive: true, force: true });
  if (existsSync(root) && readdirSync(root).length === 0) rmdirSync(root);
  run.forget('checkpoint/');
}

/** Loads `<dir>/checkpoint` for --resume. */
export function loadCheckpoint(dir: string): { model: LoadedModel & { run: RunMetadata }; best: LoadedModel | null; state: CheckpointState; optimizerState: OptimizerState } {
  const latest = join(dir, 'checkpoint', 'latest.json');
  if (!existsSync(latest)) throw new CliError(`--resume: ${dir}: no checkpoint found (expected ${latest}; train with --checkpoint-every <epochs>)`);
  let pointer: unknown;
  try {
    pointer = JSON.parse(readFileSync(latest, 'utf8'));
  } catch (e) {
    throw new CliError(`--resume: ${latest}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const name = (pointer as { checkpoint?: unknown })?.checkpoint;
  if (typeof name !== 'string' || !/^epoch-\d+$/.test(name)) throw new CliError(`--resume: ${latest}: expected { "checkpoint": "epoch-<n>" }`);
  const cdir = join(dir, 'checkpoint', name);
  const statePath = join(cdir, 'state.json');
  if (!existsSync(statePath)) throw new CliError(`--resume: ${statePath}: missing (the checkpoint is incomplete)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(statePath, 'utf8'));
  } catch (e) {
    throw new CliError(`--resume: ${statePath}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const state = parseCheckpointState(raw, statePath);
  const model = loadRunModel(join(cdir, 'model'), '--resume');
  checkSameRun(dir, state, model);
  const best = existsSync(join(cdir, 'best')) ? loadModelFor(join(cdir, 'best'), '--resume') : null;
  return { model, best, state, optimizerState: { step: state.optimizer.step, buffers: readOptimizerBuffers(join(cdir, state.optimizer.file), state) } };
}

/** The options that define a run's model; two runs that differ in one are different runs. */
const RUN_DEFINING = ['data', 'target', 'task', 'layers', 'activation', 'optimizer', 'batchSize', 'l2', 'l1', 'keepProb', 'batchNorm', 'init', 'split', 'seed', 'from', 'freeze'] as const;

/**
 * Refuses a checkpoint that is not the run of the folder's model: a stale
 * checkpoint an earlier run left next to a newer model from another run
 * (another run id; for files without run ids, other options). Resuming it
 * would replace the newer model with the older run's.
 */
function checkSameRun(dir: string, state: CheckpointState, model: LoadedModel & { run: RunMetadata }): void {
  if (state.runId !== undefined && model.run.runId !== undefined && state.runId !== model.run.runId) {
    throw new CliError(`--resume: ${dir}: the checkpoint's state.json is from run ${state.runId}, but its model from run ${model.run.runId}; it mixes two runs`);
  }
  const runId = state.runId ?? model.run.runId;
  const modelDir = join(dir, 'model');
  const current = currentModel(modelDir);
  // No model yet, or one older than the checkpoint: the checkpoint's run came later and replaces it.
  if (!current || current.createdAt <= model.manifest.createdAt) return;
  const differ = RUN_DEFINING.filter((k) => JSON.stringify(current.training[k]) !== JSON.stringify(state.options[k]));
  if (runId !== undefined && current.runId !== undefined ? runId === current.runId : runId === undefined && current.runId === undefined && differ.length === 0) return;
  const shown = (v: unknown) => (v === undefined ? 'none' : JSON.stringify(v));
  const options = differ.length === 0 ? '' : `; trained with other options: ${differ.map((k) => `${k} ${shown(current.training[k])} (the checkpoint's: ${shown(state.options[k])})`).join(', ')}`;
  throw new CliError(
    `--resume: ${dir}: the checkpoint (${runId === undefined ? '' : `run ${runId}, `}after epoch ${state.epoch + 1} of ${String(state.options.epochs)}, saved ${model.manifest.createdAt}) is older than the model in ${modelDir}, ` +
      `which another run wrote (${current.runId === undefined ? '' : `run ${current.runId}, `}saved ${current.createdAt}${options}); resuming would replace that newer model with the older run's. ` +
      `Train without --resume to start a new run, or move ${modelDir} aside to continue the old one`,
  );
}

/** What the model in a run folder says about its run, read from its manifest only; null when there is no readable one. */
function currentModel(modelDir: string): { createdAt: string; runId: string | undefined; training: Record<string, unknown> } | null {
  try {
    const m = JSON.parse(new TextDecoder().decode(readRegularFile(join(modelDir, MANIFEST_FILE), { maxSize: 256 * 2 ** 20 }))) as { createdAt?: unknown; metadata?: { runId?: unknown; training?: unknown } };
    if (typeof m.createdAt !== 'string') return null;
    const training = m.metadata?.training;
    return { createdAt: m.createdAt, runId: typeof m.metadata?.runId === 'string' ? m.metadata.runId : undefined, training: training !== null && typeof training === 'object' ? (training as Record<string, unknown>) : {} };
  } catch {
    return null;
  }
}

function parseCheckpointState(raw: unknown, statePath: string): CheckpointState {
  const parsed = checkpointSchema.safeParse(raw);
  if (!parsed.success) throw new CliError(`--resume: ${statePath}: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  const state = parsed.data as CheckpointState;
  const epochs = parsed.data.options.epochs;
  if (state.epoch + 1 > epochs) throw new CliError(`--resume: ${statePath}: options.epochs: expected at least ${state.epoch + 1} (the epochs the checkpoint has done), got ${epochs}`);
  return state;
}

function readOptimizerBuffers(binPath: string, state: CheckpointState): Float32Array[] {
  if (!existsSync(binPath)) throw new CliError(`--resume: ${binPath}: missing optimizer state`);
  const bytes = new Uint8Array(readFileSync(binPath));
  if (crc32(bytes) !== state.optimizer.crc32) throw new CliError(`--resume: ${binPath}: checksum mismatch (the file is corrupted)`);
  // The lengths come from state.json, which the checksum does not cover: check them before reading.
  const total = state.optimizer.lengths.reduce((s, n) => s + n, 0) * 4;
  if (total !== bytes.length) {
    throw new CliError(`--resume: ${binPath}: expected ${total} bytes for optimizer buffers of lengths [${state.optimizer.lengths.join(', ')}] (state.json optimizer.lengths), got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  return state.optimizer.lengths.map((n, k) => {
    const b = new Float32Array(n);
    for (let i = 0; i < n; i++, off += 4) b[i] = view.getFloat32(off, true);
    const bad = b.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new CliError(`--resume: ${binPath}: expected finite optimizer state, got ${b[bad]} at index ${bad} of buffer ${k}`);
    return b;
  });
}
