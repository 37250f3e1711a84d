/**
 * `layerwise train`: load data, split it, standardize it, build and train a
 * network, evaluate it on train/dev/test, diagnose bias and variance, and
 * write the model, history.csv and report.html.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { split, type Split, type SplitSet } from '../../data/split.js';
import { Standardizer } from '../../data/normalize.js';
import { accuracy, classificationReport, confusionMatrix, mae, mse, r2 } from '../../diagnose/metrics.js';
import { evaluate, type Evaluation } from '../../diagnose/evaluate.js';
import { namedState, Network } from '../../nn/network.js';
import { replaceHead } from '../../nn/transfer.js';
import type { AugmentOptions } from '../../data/augment.js';
import type { TypedLayerSpec } from '../../nn/layers/spec.js';
import { hasImageLayers, isSequenceToken, withActivation, type LayerToken, type SequenceToken } from '../layers-grammar.js';
import { textSource } from '../data/text.js';
import { openRunFolder, trainOutputs } from '../out-dir.js';
import { getBackend } from '../../backend/registry.js';
import { fit, type EpochInfo } from '../../train/fit.js';
import { resolveOptimizer } from '../../train/optimizers/resolve.js';
import { DivergenceError, ShapeError, ValueError } from '../../tensor/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkTargetOption, featuresOf, loadTable, prepareTargets, type Targets, type Task } from '../data/index.js';
import type { Table } from '../data/table.js';
import { CliError } from '../errors.js';
import { MAX_UPDATES, type SplitSpec } from '../options.js';
import { Progress } from '../progress.js';
import { writeReport } from '../report.js';
import { loadCheckpoint, loadRunModel, saveCheckpoint, saveRunModel, writeHistory, type HistoryRow, type RunMetadata } from '../run-files.js';
import { printSummary, summaryJson } from '../summary.js';

/** The train command's options after parsing. */
export interface TrainOptions {
  data: string;
  target?: string;
  /** `--delimiter`: the field separator of a CSV file. */
  delimiter?: string;
  /** classification or regression (tables, images); language-model or translation (text: words:, pairs:). */
  task?: Task | 'language-model' | 'translation';
  /** `--sample-every`: text runs print samples (or dev translations) every this many epochs. */
  sampleEvery?: number;
  /** Whether --layers was typed (text data has its own default network); undefined counts as typed. */
  layersGiven?: boolean;
  /** `--layers`: dense units, image layers and sequence layers (see layers-grammar.ts). */
  layers: LayerToken[];
  activation: 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'linear';
  output?: 'sigmoid' | 'softmax' | 'linear';
  optimizer: 'gd' | 'momentum' | 'rmsprop' | 'adam';
  lr?: number;
  epochs: number;
  batchSize: number;
  decay?: number;
  l2: number;
  l1: number;
  keepProb?: number[];
  batchNorm: boolean;
  init: 'zeros' | 'random' | 'he' | 'xavier';
  split: SplitSpec;
  seed: number;
  /** true, false, or undefined for automatic: standardize unless every feature is already in [0, 1]. */
  normalize?: boolean;
  earlyStopping?: number;
  optimalError?: number;
  out: string;
  checkpointEvery?: number;
  resume?: string;
  json: boolean;
  imageSize: number;
  skipBadImages: boolean;
  /** `--augment`: augmentation of image training batches. */
  augment?: AugmentOptions;
  /** `--from`: a trained model folder whose body starts this network (transfer learning). */
  from?: string;
  /** `--freeze`: how many leading layers stay as they are. */
  freeze?: number;
}

/**
 * The train command's options as parsed: what the user left out of
 * --epochs, --batch-size and --early-stopping is chosen from the data's size
 * by {@link planTraining}, which turns them into {@link TrainOptions}.
 */
export type TrainArgs = Omit<TrainOptions, 'epochs' | 'batchSize' | 'earlyStopping'> & {
  epochs?: number;
  batchSize?: number;
  /** A patience in epochs; false for --no-early-stopping; undefined: on unless --epochs is given. */
  earlyStopping?: number | false;
};

/** Options that load and prepare the data and build the network (shared by train and search). */
type DataOptions = Omit<TrainOptions, 'epochs' | 'batchSize' | 'earlyStopping'>;

/**
 * The defaults for what the user leaves out, anchored on scikit-learn's
 * MLPClassifier/MLPRegressor (Adam, up to 200 epochs, stop once the loss has
 * not improved by 1e-4 for 10 epochs): train until the dev cost stops
 * improving, within a budget of at least `minUpdates` updates.
 */
export const TRAINING_DEFAULTS = {
  /** Mini-batches per epoch on a small table: the batch is about m / 8 (at least 8 examples). */
  smallTableBatches: 8,
  /** The batch size from 8 x 64 = 512 training examples up (MNIST's 64). */
  largeBatch: 64,
  /** The epoch budget is at least this many epochs... */
  minEpochs: 200,
  /** ...and at least this many updates. */
  minUpdates: 10_000,
  /** Patience: at least this many epochs... */
  minPatience: 10,
  /** ...and at least this many updates without improvement (a dev set of 15 rows is noisy: with 200, one iris run stopped at epoch 29 and restored epoch 4). */
  patienceUpdates: 500,
  /** The smallest drop of the dev cost that counts as an improvement (scikit-learn's tol). */
  minDelta: 1e-4,
} as const;

/** How a run trains: what {@link planTraining} chose and the lines that say why. */
export interface TrainingPlan {
  epochs: number;
  batchSize: number;
  /** Early stopping's patience in epochs, or null when it is off. */
  patience: number | null;
  lines: string[];
}

/**
 * Chooses the batch size, the epoch budget and early stopping for the
 * options the user left out, from the numbers of training and dev examples.
 * Given options are kept: `--epochs n` trains exactly n epochs unless
 * `--early-stopping` is given too.
 */
export function planTraining(o: { epochs?: number; batchSize?: number; earlyStopping?: number | false }, m: { train: number; dev: number }, costScale = 1): TrainingPlan {
  const d = TRAINING_DEFAULTS;
  const lines: string[] = [];
  let batchSize = o.batchSize;
  if (batchSize === undefined) {
    const small = m.train <= d.smallTableBatches * d.largeBatch;
    batchSize = small ? Math.min(m.train, Math.max(8, Math.ceil(m.train / d.smallTableBatches))) : d.largeBatch;
    lines.push(
      small
        ? `batch size: ${batchSize} (chosen for ${m.train} training examples: about 1/${d.smallTableBatches} of a small table, at least 8; --batch-size to override)`
        : `batch size: ${batchSize} (chosen for ${m.train} training examples: mini-batches of ${d.largeBatch} above ${d.smallTableBatches * d.largeBatch}; --batch-size to override)`,
    );
  }
  const batches = Math.ceil(m.train / Math.min(batchSize, m.train));
  const explicitEpochs = o.epochs !== undefined;
  const epochs = o.epochs ?? Math.max(d.minEpochs, Math.ceil(d.minUpdates / batches));
  let patience: number | null = null;
  if (typeof o.earlyStopping === 'number') patience = o.earlyStopping;
  else if (o.earlyStopping === undefined && !explicitEpochs && m.dev > 0) patience = Math.max(d.minPatience, Math.ceil(d.patienceUpdates / batches));
  if (!explicitEpochs) {
    lines.push(`epochs: up to ${epochs} (chosen: at least ${d.minEpochs} epochs and ${d.minUpdates.toLocaleString('en-US')} updates, ${batches} per epoch; --epochs to override)`);
  }
  if (patience !== null) {
    const how = typeof o.earlyStopping === 'number' ? '--early-stopping' : 'chosen; --early-stopping <patience> to change it, --no-early-stopping to train the whole budget';
    lines.push(`early stopping: once the dev cost has not improved by ${minDeltaWords(costScale)} for ${patience} epochs, keeping the best epoch's weights (${how})`);
  } else if (!explicitEpochs) {
    lines.push(`early stopping: off (${o.earlyStopping === false ? '--no-early-stopping' : 'no dev set to stop on'}); the whole budget is trained`);
  }
  return { epochs, batchSize, patience, lines };
}

/** The smallest improvement early stopping counts, in the units costs are printed in (a regression's are the target's squared units). */
function minDeltaWords(costScale: number): string {
  const d = TRAINING_DEFAULTS.minDelta;
  return costScale === 1 ? String(d) : `${Number((d * costScale).toPrecision(3))} (${d} x the target's variance)`;
}

/** Where output goes: human text to stderr when --json keeps stdout for the one JSON line. */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  isTTY: boolean;
}

function splitData(X: Tensor, Y: Tensor, spec: SplitSpec, seed: number, stratify: boolean): Split {
  try {
    if (spec.kind === 'ratios') return split(X, Y, { ratios: spec.ratios, seed, stratify });
    return split(X, Y, { dev: spec.dev, test: spec.test, seed, stratify });
  } catch (e) {
    throw new CliError(`--split: ${e instanceof Error ? e.message.replace(/^split: /, '') : String(e)}`);
  }
}

function buildLayers(o: DataOptions, outputUnits: number, output: 'sigmoid' | 'softmax' | 'linear'): TypedLayerSpec[] {
  const keep = o.keepProb ?? [];
  const dense = o.layers.filter((t) => typeof t === 'number').length;
  if (keep.length > 1 && keep.length !== dense) {
    throw new CliError(`--keep-prob: expected one value or one per hidden dense layer (${dense}), got ${keep.length}`);
  }
  let d = 0;
  const seq = o.layers.find(isSequenceToken);
  if (seq) throw new CliError(`--layers: sequence layers (rnn, gru, lstm, emb, attn, enc, pos) read text: use --data words:<file> or pairs:<file>, got --data ${o.data}`);
  const tokens = o.layers.filter((t): t is Exclude<LayerToken, SequenceToken> => !isSequenceToken(t));
  const hidden: TypedLayerSpec[] = withActivation(tokens, o.activation).map((t) => {
    if (typeof t !== 'number') return t;
    const i = d++;
    return { units: t, activation: o.activation, keepProb: keep.length === 0 ? 1 : keep.length === 1 ? keep[0]! : keep[i]!, batchNorm: o.batchNorm };
  });
  return [...hidden, { units: outputUnits, activation: output }];
}

/** The shape of one example of image data: MNIST's 28 x 28 x 1, an image folder's size x size x 3; null for tables. */
function imageShapeOf(o: DataOptions): [number, number, number] | null {
  if (o.data === 'mnist') return [28, 28, 1];
  return existsSync(o.data) && statSync(o.data).isDirectory() ? [o.imageSize, o.imageSize, 3] : null;
}

/** Data ready for training: loaded, targets encoded, split, standardized. */
export interface PreparedData {
  table: Table;
  targets: Targets;
  sets: Split;
  scaler: Standardizer | null;
  m: { train: number; dev: number; test: number };
  classification: boolean;
  C: number;
  output: 'sigmoid' | 'softmax' | 'linear';
}

/** Loads, encodes, splits and standardizes the data of a run (train and search share it). */
export async function prepareData(o: DataOptions, io: Io, say: (line: string) => void): Promise<PreparedData> {
  checkTargetOption(o.data, o.target);
  if (textSource(o.data)) throw new CliError(`--data ${o.data}: text data trains with \`layerwise train\` (not with search or --resume)`);
  if (o.task === 'language-model' || o.task === 'translation') throw new CliError(`--task ${o.task}: needs text data, --data ${o.task === 'language-model' ? 'words' : 'pairs'}:<file>; got --data ${o.data}`);
  if (o.sampleEvery !== undefined) throw new CliError(`--sample-every: prints samples of a text model (--data words:<file> or pairs:<file>); got --data ${o.data}`);
  const table = await loadTable(o.data, { ...(o.target !== undefined ? { target: o.target } : {}), delimiter: o.delimiter, imageSize: o.imageSize, skipBadImages: o.skipBadImages, seed: o.seed, warn: io.err });
  for (const n of table.notes) say(n);
  const targets = prepareTargets(table, o.task as Task | undefined);
  if (!o.task) say(`task: ${targets.task} (detected: ${targets.reason}; override with --task)`);
  const classification = targets.task === 'classification';
  const C = targets.classes?.length ?? 0;
  const output = o.output ?? (classification ? (C === 2 ? 'sigmoid' : 'softmax') : 'linear');
  if (classification && output === 'linear') throw new CliError('--output linear: a classification task needs a sigmoid (two classes) or softmax output');
  if (classification && output === 'sigmoid' && C !== 2) throw new CliError(`--output sigmoid: the target has ${C} classes; use softmax (or omit --output)`);
  if (!classification && output !== 'linear') throw new CliError(`--output ${output}: a regression task needs a linear output`);
  const Y = output === 'softmax' && C === 2 ? oneHotOf(targets.labels!, 2) : targets.Y;

  const sets = splitData(featuresOf(table), Y, o.split, o.seed, classification);
  for (const w of sets.warnings) io.err(`warning: ${w}`);
  const m = { train: sets.train.X.cols, dev: sets.dev.X.cols, test: sets.test.X.cols };
  say(`examples: ${m.train} train, ${m.dev} dev, ${m.test} test (seed ${o.seed})`);

  let scaler: Standardizer | null = null;
  const unitRange = sets.train.X.data.every((v) => v >= 0 && v <= 1);
  if (o.normalize === undefined && unitRange) say('normalize: every feature already lies in [0, 1]; not standardized (pass --normalize to standardize anyway)');
  if (o.normalize === true || (o.normalize === undefined && !unitRange)) {
    scaler = Standardizer.fit(sets.train.X);
    if (scaler.warnings.length > 0) say(`normalize: ${scaler.warnings.length} feature(s) have zero variance in the training set: centred, not scaled`);
    for (const s of [sets.train, sets.dev, sets.test]) if (s.X.cols > 0) s.X = scaler.transform(s.X);
  }
  return { table, targets, sets, scaler, m, classification, C, output };
}

/** The network the options describe, for the prepared data. */
export function makeNetwork(o: DataOptions, p: PreparedData): Network {
  const layers = buildLayers(o, p.sets.train.Y.rows, p.output);
  const shape = hasImageLayers(o.layers) ? imageShapeOf(o) : null;
  if (hasImageLayers(o.layers) && !shape) {
    throw new CliError(`--layers: image layers (conv, pool, res) need image data (--data mnist or a folder of images), got the table ${o.data}; use dense layers (e.g. --layers 128,64)`);
  }
  try {
    return new Network({ ...(shape ? { inputShape: shape } : { inputSize: p.table.featureNames.length }), layers, init: o.init, seed: o.seed, l2: o.l2, l1: o.l1 });
  } catch (e) {
    // A network the --layers tokens cannot build (a window that does not fit): say it in the option's terms.
    if (e instanceof ValueError || e instanceof ShapeError) throw new CliError(`--layers: ${e.message.replace(/^Network: /, '')}`);
    throw e;
  }
}

/** `--from`: the trained model's body with a new output layer for this data's targets. */
function transferNetwork(o: DataOptions, p: PreparedData): Network {
  const base = loadRunModel(o.from!, '--from').network;
  const shape = imageShapeOf(o);
  const s = base.inputShape;
  const fits = s.kind === 'image' ? shape !== null && shape.join() === [s.h, s.w, s.c].join() : base.inputSize === p.table.featureNames.length;
  if (!fits) {
    const theirs = s.kind === 'image' ? `${s.h} x ${s.w} x ${s.c} images` : `${base.inputSize} features`;
    const ours = shape ? `${shape.join(' x ')} images` : `${p.table.featureNames.length} features`;
    throw new CliError(`--from: ${o.from}: the model takes ${theirs}, but --data ${o.data} gives ${ours}`);
  }
  const head: TypedLayerSpec[] = [{ units: p.sets.train.Y.rows, activation: p.output }];
  // A conv body ends in an image (its Flatten was inserted in front of the old output layer): flatten it for the new head.
  const body = base.declaredLayers.at(-2);
  if (body && body.outputShape.kind === 'image') head.unshift({ type: 'flatten' });
  return replaceHead(base, head, { freeze: false, seed: o.seed });
}

/** `--freeze n`: the first n declared layers keep their weights. */
function freezeLayers(net: Network, n: number): void {
  const count = net.declaredLayers.length;
  if (n >= count) throw new CliError(`--freeze: expected fewer layers than the network's ${count} (the output layer must train), got ${n}`);
  net.freeze(n);
}

/** Fails before training when the run would take more mini-batch updates than one run may keep a history of. */
export function checkUpdates(epochs: number, batchSize: number, m: number, option: string): void {
  const batches = Math.ceil(m / Math.min(batchSize, m));
  const updates = epochs * batches;
  if (updates > MAX_UPDATES) {
    throw new CliError(`${option}: expected at most ${MAX_UPDATES} updates per run, got ${epochs} epochs x ${batches} mini-batches = ${updates} (use fewer epochs or a larger batch size)`);
  }
}

function diverged(e: DivergenceError, lr: number): CliError {
  const why = e.message.replace(/^fit: /, '').replace(/ The parameters from the start of epoch \d+ were kept\.$/, '').replace(/\.$/, '');
  return new CliError(`--lr ${lr}: training diverged: ${why}. No model was written.`);
}

/** Runs `layerwise train`; returns the process exit code. */
export async function trainCommand(opts: TrainArgs, io: Io): Promise<number> {
  const text = opts.resume ? null : textSource(opts.data);
  if (text) {
    const { trainTextCommand } = await import('./train-text.js');
    return trainTextCommand(opts, text, io);
  }
  const started = performance.now();
  const checkpoint = opts.resume ? loadCheckpoint(opts.resume) : null;
  // A checkpoint stores the options as they were resolved (epochs, batch size, patience), so the run continues as it started.
  const args: TrainArgs = checkpoint ? { ...(checkpoint.state.options as unknown as TrainOptions), json: opts.json, resume: opts.resume, out: opts.resume! } : opts;
  const say = (line: string) => (args.json ? io.err(line) : io.out(line));
  const outRun = openRunFolder(args.out, { command: 'train', flags: opts, outputs: trainOutputs(args.checkpointEvery), runId: checkpoint?.state.runId, say });

  const p = await prepareData(args, io, say);
  outRun.beginCompute();
  const { table, targets, sets, scaler, m, classification, C, output } = p;
  if (!classification && args.optimalError !== undefined) throw new CliError('--optimal-error: expected a classification task (it is a Bayes error rate), got regression; omit it');
  if (typeof args.earlyStopping === 'number' && m.dev === 0) throw new CliError('--early-stopping: needs a dev set; give --split with a dev share');
  const targetScaling = classification ? null : standardizeTargets(sets, say);
  const costScale = targetScaling?.costScale ?? 1;
  const plan = planTraining(args, m, costScale);
  const o: TrainOptions = { ...args, epochs: plan.epochs, batchSize: plan.batchSize, earlyStopping: plan.patience ?? undefined };
  const net = checkpoint ? checkpoint.model.network : o.from ? transferNetwork(o, p) : makeNetwork(o, p);
  if (!checkpoint && o.freeze !== undefined) freezeLayers(net, o.freeze);
  if (o.augment && !net.isImageNetwork) throw new CliError('--augment: expected image layers (conv, pool) on image data; this network takes flat features (augmentation moves pixels)');
  const lr = o.lr ?? (o.optimizer === 'adam' || o.optimizer === 'rmsprop' ? 0.001 : 0.01);
  const optimizer = resolveOptimizer(o.optimizer);
  if (checkpoint) optimizer.setState(checkpoint.optimizerState);
  const metadata: RunMetadata = {
    task: targets.task,
    classes: targets.classes,
    target: table.target!.name,
    columns: [...table.columns],
    featureNames: [...table.featureNames],
    standardizer: scaler ? scaler.toJSON() : null,
    targetStandardizer: targetScaling ? targetScaling.scaler.toJSON() : null,
    data: o.data,
    imageSize: table.notes.some((n) => n.includes('resized')) ? o.imageSize : null,
    training: { ...o, lr, output, resume: undefined, json: undefined, layersGiven: undefined } as Record<string, unknown>,
    examples: m,
  };

  const firstEpoch = checkpoint ? checkpoint.state.epoch + 1 : 0;
  const epochsLeft = o.epochs - firstEpoch;
  const history: HistoryRow[] = checkpoint ? [...checkpoint.state.history] : [];
  // openRunFolder created and locked the folder; a run that fails before writing into it removes it again.
  const outDir = resolve(o.out);
  checkUpdates(Math.max(0, epochsLeft), o.batchSize, m.train, '--epochs');
  const shape = net.isImageNetwork ? net.stack.filter((l) => l.type !== 'flatten').map((l) => l.describe().split(' ').slice(0, 2).join(' ')).join(' -> ') : `${net.layerDims.join('-')} (${net.layers.map((l) => l.activation.kind).join(', ')})`;
  const epochWords = args.epochs === undefined && !checkpoint ? `up to ${o.epochs} epochs` : `${o.epochs} epochs`;
  if (!checkpoint) for (const line of plan.lines) say(line);
  say(`network: ${shape}, ${o.optimizer} lr ${lr}, ${epochWords}, batch ${o.batchSize}, backend ${getBackend().name}`);
  if (net.isImageNetwork) for (const line of net.summary().split('\n')) say(`  ${line}`);
  if (checkpoint) say(`resuming from ${opts.resume} after epoch ${checkpoint.state.epoch + 1} of ${o.epochs}`);

  const batches = Math.ceil(m.train / Math.min(o.batchSize, m.train));
  const progress = new Progress(io, o.json || !io.isTTY, o.epochs, batches, o.json, costScale);
  const devScore = (): number | null => {
    if (m.dev === 0) return null;
    if (classification) return accuracy(net.classify(sets.dev.X), sets.dev.Y);
    return targetScaling ? mse(targetScaling.scaler.inverseTransform(net.predict(sets.dev.X)), targetScaling.original.dev) : mse(net.predict(sets.dev.X), sets.dev.Y);
  };
  const metricName = classification ? 'accuracy' : 'mse';
  let best: Network | null = checkpoint?.best?.network ?? null;
  let lastEpoch = firstEpoch - 1;
  const onEpoch = (raw: EpochInfo) => {
    // Costs in the target's units: the squared error scales by sigma^2, a regularization term does not.
    const e = costScale === 1 ? raw : { ...raw, cost: raw.unregularizedCost * costScale + (raw.cost - raw.unregularizedCost), unregularizedCost: raw.unregularizedCost * costScale, devCost: raw.devCost === null ? null : raw.devCost * costScale };
    lastEpoch = e.epoch;
    const metric = devScore();
    history.push({ epoch: e.epoch + 1, trainCost: e.cost, trainUnregularizedCost: e.unregularizedCost, devCost: e.devCost, devMetric: metric, learningRate: e.learningRate, seconds: e.seconds });
    progress.epochDone(e, metric, metricName);
    // Only a checkpoint needs its own copy of the best weights (fit keeps one to restore at the end).
    if (o.earlyStopping !== undefined && o.checkpointEvery !== undefined && e.bestEpoch === e.epoch) best = cloneNetwork(net, best);
    if (o.checkpointEvery !== undefined && (e.epoch + 1) % o.checkpointEvery === 0) {
      saveCheckpoint(
        outDir,
        net,
        metadata,
        { config: optimizer.getConfig() as Record<string, unknown>, state: optimizer.getState() },
        { epoch: e.epoch, history, earlyStopping: { bestDevCost: raw.bestDevCost, bestEpoch: raw.bestEpoch, epochsSinceBest: raw.epochsSinceBest }, options: { ...o, resume: undefined } as Record<string, unknown> },
        best,
      );
    }
  };
  let stopReason = `budget reached (${o.epochs} epochs)`;
  if (epochsLeft > 0) {
    const es = checkpoint?.state.earlyStopping;
    const h = fitOrExplain(lr, progress, () =>
      fit(net, sets.train.X, sets.train.Y, {
        learningRate: lr,
        epochs: epochsLeft,
        batchSize: Math.min(o.batchSize, m.train),
        optimizer,
        initialEpoch: firstEpoch,
        ...(o.decay !== undefined ? { schedule: { kind: 'inverseTime' as const, decayRate: o.decay } } : {}),
        ...(m.dev > 0 ? { dev: { X: sets.dev.X, Y: sets.dev.Y } } : {}),
        ...(o.earlyStopping !== undefined
          ? {
              earlyStopping: {
                patience: o.earlyStopping,
                minDelta: TRAINING_DEFAULTS.minDelta,
                ...(es && es.bestDevCost !== null ? { resume: { bestDevCost: es.bestDevCost, bestEpoch: es.bestEpoch, epochsSinceBest: es.epochsSinceBest, ...(best ? { bestNetwork: best } : {}) } } : {}),
              },
            }
          : {}),
        onIteration: (i, cost) => progress.iteration(i, cost),
        onEpoch,
        ...(o.augment ? { augment: o.augment } : {}),
      }),
    );
    progress.stop();
    stopReason = describeStop(h.stopReason, lastEpoch, o, h.bestEpoch, history, costScale);
    say(`stopped: ${stopReason}`);
  }

  const evalSets = { train: sets.train, ...(m.dev > 0 ? { dev: sets.dev } : {}), ...(m.test > 0 ? { test: sets.test } : {}) };
  const result: Evaluation = targetScaling
    ? evaluateInTargetUnits(net, evalSets, targetScaling)
    : evaluate(net, evalSets, classification && o.optimalError !== undefined ? { optimalError: o.optimalError } : {});
  const reportSet = m.test > 0 ? sets.test : m.dev > 0 ? sets.dev : sets.train;
  const confusion = classification ? confusionMatrix(net.classify(reportSet.X), [Array.from(targetLabels(reportSet.Y))], C) : null;
  const perClass = classification ? classificationReport(net.classify(reportSet.X), [Array.from(targetLabels(reportSet.Y))], C) : null;

  const modelDir = join(outDir, 'model');
  saveRunModel(outDir, net, metadata);
  writeHistory(outDir, history, metricName);
  const seconds = (performance.now() - started) / 1000;
  writeReport(join(outDir, 'report.html'), { metadata, history, evaluation: result, confusion, perClass, reportSetName: m.test > 0 ? 'test' : m.dev > 0 ? 'dev' : 'train', layerDims: net.layerDims, seconds, stopReason });
  const summary = summaryJson(result, m, history.length, seconds, modelDir);
  if (o.json) io.out(JSON.stringify(summary));
  else printSummary(io, result, m, outDir, modelDir, seconds);
  return 0;
}

/** Why training ended, in words: the budget, or early stopping, and which epoch's weights were restored. */
function describeStop(reason: 'completed' | 'earlyStopping' | 'aborted', lastEpoch: number, o: TrainOptions, bestEpoch: number | null, history: readonly HistoryRow[], costScale: number): string {
  const restored = o.earlyStopping !== undefined && bestEpoch !== null;
  const bestCost = restored ? history.find((r) => r.epoch === bestEpoch + 1)?.devCost : undefined;
  const best = restored ? `restored the weights of the best epoch, ${bestEpoch + 1}${typeof bestCost === 'number' ? ` (dev cost ${bestCost.toPrecision(4)})` : ''}` : '';
  if (reason === 'earlyStopping') return `early stopping at epoch ${lastEpoch + 1} (the dev cost had not improved by ${Number((TRAINING_DEFAULTS.minDelta * costScale).toPrecision(3))} for ${o.earlyStopping} epochs); ${best}`;
  if (reason === 'aborted') return `aborted after epoch ${lastEpoch + 1}; ${restored ? best : `kept the weights of epoch ${lastEpoch + 1}`}`;
  return `budget reached (${o.epochs} epochs)${restored ? `; ${best}` : ''}`;
}

/** Regression targets standardized for training: the statistics, and the targets in their own units to score against. */
interface TargetScaling {
  scaler: Standardizer;
  original: { train: Tensor; dev: Tensor; test: Tensor };
  /** sigma^2: what a squared error on the scaled targets is multiplied by in the target's units. */
  costScale: number;
}

/**
 * Regression: standardizes the targets with the training set's mean and std
 * (targets in the hundreds would otherwise meet a network whose outputs start
 * near 0, and Adam's steps of about lr would need thousands of epochs to
 * reach them). The model keeps the statistics; predictions are mapped back.
 */
function standardizeTargets(sets: Split, say: (line: string) => void): TargetScaling {
  const scaler = Standardizer.fit(sets.train.Y);
  const original = { train: sets.train.Y, dev: sets.dev.Y, test: sets.test.Y };
  for (const set of [sets.train, sets.dev, sets.test]) if (set.Y.cols > 0) set.Y = scaler.transform(set.Y);
  const mu = scaler.mean.data[0]!;
  const sigma = scaler.std.data[0]!;
  say(`targets: standardized with the training set's mean ${Number(mu.toPrecision(6))} and std ${Number(sigma.toPrecision(6))}${sigma === 0 ? ' (constant: centred only)' : ''}; predictions, costs and metrics are in the target's units`);
  return { scaler, original, costScale: sigma === 0 ? 1 : sigma * sigma };
}

/** Regression scores in the target's units (the cost of a squared-error network is its MSE). */
function evaluateInTargetUnits(net: Network, sets: { train: SplitSet; dev?: SplitSet; test?: SplitSet }, t: TargetScaling): Evaluation {
  const score = (set: SplitSet, Y: Tensor) => {
    const P = t.scaler.inverseTransform(net.predict(set.X));
    const e = mse(P, Y);
    return { cost: e, mse: e, mae: mae(P, Y), r2: r2(P, Y) };
  };
  const o = t.original;
  return { task: 'regression', train: score(sets.train, o.train), ...(sets.dev ? { dev: score(sets.dev, o.dev) } : {}), ...(sets.test ? { test: score(sets.test, o.test) } : {}) };
}

function fitOrExplain<T>(lr: number, progress: Progress, train: () => T): T {
  try {
    return train();
  } catch (e) {
    progress.stop();
    throw e instanceof DivergenceError ? diverged(e, lr) : e;
  }
}

/** Class index per column of Y: the 0/1 row itself, or the argmax of one-hot columns. */
export function targetLabels(Y: Tensor): Int32Array {
  const out = new Int32Array(Y.cols);
  for (let j = 0; j < Y.cols; j++) {
    if (Y.rows === 1) out[j] = Y.data[j]!;
    else {
      let b = 0;
      for (let i = 1; i < Y.rows; i++) if (Y.get(i, j) > Y.get(b, j)) b = i;
      out[j] = b;
    }
  }
  return out;
}

function oneHotOf(labels: Int32Array, C: number): Tensor {
  const m = labels.length;
  const Y = featuresOf({ features: new Float32Array(C * m), featureNames: Array.from({ length: C }, String), m, columns: [], target: null, notes: [] });
  labels.forEach((c, j) => (Y.data[c * m + j] = 1));
  return Y;
}

function cloneNetwork(net: Network, into: Network | null): Network {
  const s = net.inputShape;
  const input = s.kind === 'image' ? { inputShape: [s.h, s.w, s.c] as [number, number, number] } : { inputSize: net.inputSize };
  const copy = into ?? new Network({ ...input, layers: net.specs, dtype: net.dtype, loss: net.loss.kind, init: 'zeros', inputKeepProb: net.inputKeepProb });
  const from = namedState(net);
  namedState(copy).forEach(([, t], i) => t.data.set(from[i]![1].data));
  return copy;
}
