/**
 * `layerwise train --data words:<file>` (a character-level language model, the
 * course's Dinosaurus Island) and `--data pairs:<file>` (translation, the
 * course's dates with attention): the `--layers` sequence tokens become a
 * network with a softmax at every step, trained with Adam and gradient
 * clipping; samples (or dev translations) are printed every few epochs; the
 * model folder keeps the vocabularies so `sample` and `translate` need
 * nothing else.
 */
import { join, resolve } from 'node:path';
import { PAD_INDEX, type Vocabulary } from '../../data/text.js';
import { attentionMapSvg, attentionWeights } from '../../nn/attention-map.js';
import { AttentionLayer } from '../../nn/layers/attention.js';
import type { TextModelInfo } from '../../io/model-format.js';
import { sampleText } from '../../nn/generate.js';
import type { TypedLayerSpec } from '../../nn/layers/spec.js';
import { Network } from '../../nn/network.js';
import { saveModelFiles } from '../../node/model-files.js';
import { Rng } from '../../random/rng.js';
import { getBackend } from '../../backend/registry.js';
import { DivergenceError, ShapeError, ValueError } from '../../tensor/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { fit, type EpochInfo } from '../../train/fit.js';
import { resolveOptimizer } from '../../train/optimizers/resolve.js';
import { loadText, masksPadding, textTensors, type TextData, type TextSource } from '../data/text.js';
import { CliError } from '../errors.js';
import { isSequenceToken, parseLayers, type LayerToken, type SequenceToken } from '../layers-grammar.js';
import { openRunFolder, runFolderOf, trainOutputs } from '../out-dir.js';
import { writeTextReport, type TextSetScores } from '../report.js';
import { writeHistory, type HistoryRow } from '../run-files.js';
import { checkUpdates, TRAINING_DEFAULTS, type Io, type TrainArgs } from './train.js';

/** Defaults of a text run (the course's: Adam, lr 0.01 for the dinosaurs, gradients clipped to [-5, 5]). */
export const TEXT_DEFAULTS = { epochs: 20, batchSize: 64, lr: 0.01, clipValue: 5, attentionUnits: 64, samples: 5 } as const;

/** The network when --layers is not given: the course's (an LSTM language model; a bidirectional LSTM under attention). */
const DEFAULT_LAYERS = { 'language-model': 'lstm64', translation: 'lstm32/bi/seq,attn64' } as const;

/** The text tasks, by data kind. */
const TASK_OF = { words: 'language-model', pairs: 'translation' } as const;

/** Options that have no meaning for text data, refused by name. */
const NOT_FOR_TEXT: readonly [keyof TrainArgs, string][] = [
  ['target', '--target'],
  ['from', '--from'],
  ['freeze', '--freeze'],
  ['augment', '--augment'],
  ['resume', '--resume'],
  ['checkpointEvery', '--checkpoint-every'],
  ['output', '--output'],
  ['keepProb', '--keep-prob'],
  ['optimalError', '--optimal-error'],
  ['batchNorm', '--batch-norm'],
  ['normalize', '--normalize'],
  ['delimiter', '--delimiter'],
];

/** A network built from `--layers` for text data, and what the CLI did on the user's behalf. */
export interface TextNetworkPlan {
  specs: TypedLayerSpec[];
  /** The input is indices (an embedding first) rather than one-hot vectors. */
  indices: boolean;
  notes: string[];
}

/** The token as the user typed it, for messages. */
export function tokenText(t: SequenceToken): string {
  switch (t.type) {
    case 'recurrent':
      return `${t.cell === 'simpleRnn' ? 'rnn' : t.cell}${t.units}${t.sequences ? '/seq' : ''}${t.bidirectional ? '/bi' : ''}`;
    case 'embed':
      return `emb${t.dim}`;
    case 'attend':
      return `attn${t.units ?? ''}`;
    case 'encoder':
      return `enc${t.heads}x${t.dModel}`;
    case 'positional':
      return 'pos';
  }
}

/**
 * The layer specs of `--layers` for a text task: the embedding's vocabulary, attention's
 * T_y and the output softmax over the target characters come from the data; every recurrent
 * layer returns its sequence (each feeds a layer that reads every step). A language model whose
 * vocabulary has a start token masks its padded steps: the embedding gets `maskZero`, or a
 * `{ type: 'masking' }` layer comes first over one-hot inputs (pads are all-zero vectors), so the
 * recurrent and transformer layers skip them and the cost is the mean over real characters.
 */
export function textNetworkSpecs(tokens: readonly LayerToken[], d: Pick<TextData, 'task' | 'vocabulary' | 'targetVocabulary' | 'sourceLength' | 'targetLength'>): TextNetworkPlan {
  const lm = d.task === 'language-model';
  const data = lm ? 'words:' : 'pairs:';
  const seq: SequenceToken[] = tokens.map((t) => {
    if (isSequenceToken(t)) return t;
    const what = typeof t === 'number' ? `${t} (a dense layer)` : `a ${t.type ?? 'dense'} layer`;
    throw new CliError(`--layers: ${what} does not read sequences; with --data ${data}<file> use rnn<n_a>, gru<n_a>, lstm<n_a>[/seq][/bi], emb<d>, attn[<n_s>], enc<heads>x<d>, pos (e.g. ${lm ? 'lstm64' : 'lstm32/bi/seq,attn64'})`);
  });
  if (seq.length === 0) throw new CliError(`--layers: expected at least one sequence layer for --data ${data}<file> (e.g. ${lm ? 'lstm64' : 'lstm32/bi/seq,attn64'})`);
  const specs: TypedLayerSpec[] = [];
  const notes: string[] = [];
  let width = d.vocabulary.size;
  let steps = d.sourceLength;
  let indices = false;
  let attended = false;
  const masked = masksPadding(d);
  if (masked && seq[0]!.type !== 'embed') specs.push({ type: 'masking' });
  seq.forEach((t, i) => {
    const text = tokenText(t);
    switch (t.type) {
      case 'embed':
        if (i !== 0) throw new CliError(`--layers: ${text}: an embedding reads the characters' indices, so it comes first (e.g. --layers ${text},${lm ? 'lstm64' : 'lstm32/bi/seq,attn64'})`);
        specs.push({ type: 'embedding', vocab: d.vocabulary.size, dim: t.dim, ...(masked ? { maskZero: true } : {}) });
        indices = true;
        width = t.dim;
        break;
      case 'recurrent': {
        if (lm && t.bidirectional) throw new CliError(`--layers: ${text}: a language model predicts each character from the ones before it; a bidirectional layer also reads the ones after (drop /bi)`);
        if (attended) throw new CliError(`--layers: ${text}: after attn (the decoder has its own post-attention LSTM); put recurrent layers before attn`);
        if (!t.sequences) notes.push(`${text}: returns every step (the ${seq[i + 1] ? tokenText(seq[i + 1]!) : 'softmax at every step'} after it reads a sequence)`);
        const layer = { type: t.cell, units: t.units, returnSequences: true } as const;
        specs.push(t.bidirectional ? { type: 'bidirectional', layer } : layer);
        width = t.bidirectional ? 2 * t.units : t.units;
        break;
      }
      case 'attend':
        if (lm) throw new CliError(`--layers: ${text}: attention reads the whole input at every output step; a language model must see only the characters before each step (use it with --data pairs:<file>)`);
        if (attended) throw new CliError(`--layers: ${text}: only one attention layer`);
        if (i === 0 || seq[i - 1]!.type === 'embed') throw new CliError(`--layers: ${text}: attention reads an encoder's states; put a recurrent layer before it (e.g. lstm32/bi/seq,${text})`);
        specs.push({ type: 'attention', steps: d.targetLength, units: t.units ?? TEXT_DEFAULTS.attentionUnits });
        if (t.units === null) notes.push(`attn: n_s = ${TEXT_DEFAULTS.attentionUnits} (attn<n_s> to choose), T_y = ${d.targetLength} from the data`);
        attended = true;
        width = t.units ?? TEXT_DEFAULTS.attentionUnits;
        steps = d.targetLength;
        break;
      case 'encoder':
        if (width !== t.dModel) {
          const fix = i === 0 ? `start with emb${t.dModel} (--layers emb${t.dModel},pos,${text})` : `give the layer below ${t.dModel} features (e.g. emb${t.dModel} or lstm${t.dModel})`;
          throw new CliError(`--layers: ${text}: the encoder's width is d = ${t.dModel}, but its input has ${width} features per step (${i === 0 ? `one-hot characters, V = ${width}` : tokenText(seq[i - 1]!)}); ${fix}`);
        }
        specs.push({ type: 'transformerEncoder', heads: t.heads, ...(lm ? { causal: true } : {}) });
        if (lm) notes.push(`${text}: causal (each step attends to the steps up to its own), as a language model needs`);
        break;
      case 'positional':
        specs.push({ type: 'positionalEncoding' });
        break;
    }
  });
  if (steps !== d.targetLength) {
    throw new CliError(`--layers: the network outputs ${steps} steps (T_x, one per input character) but the targets have T_y = ${d.targetLength}; add attn (e.g. --layers lstm32/bi/seq,attn64), which outputs T_y steps`);
  }
  specs.push({ type: 'timeDistributed', units: d.targetVocabulary.size, activation: 'softmax' });
  if (masked) notes.push(`padding: the steps after each word's end are masked (${indices ? 'index 0, the embedding\'s maskZero' : 'all-zero one-hot vectors, a masking layer first'}); x<1> is the start token`);
  notes.push(`output: a softmax over the ${d.targetVocabulary.size} target characters (the pad included) at each of the ${d.targetLength} steps`);
  return { specs, indices, notes };
}

/** Scores of a text model on a set: the cost, the share of the target characters (pads aside) predicted right, and of whole targets. */
export function textScores(net: Network, X: Tensor, Y: Tensor): TextSetScores {
  const predicted = stepArgmax(net.predict(X));
  const expected = stepArgmax(Y);
  // A masked network (a language model) is not trained on its padded steps: they count for neither score.
  const masked = Boolean(net.layerStack[0]?.producesMask);
  let chars = 0;
  let right = 0;
  let exact = 0;
  expected.forEach((ys, j) => {
    const as = predicted[j]!;
    let all = true;
    ys.forEach((y, t) => {
      if (y === PAD_INDEX) {
        if (!masked && as[t] !== y) all = false;
        return;
      }
      if (as[t] !== y) all = false;
      chars++;
      if (as[t] === y) right++;
    });
    if (all) exact++;
  });
  const m = expected.length;
  return { examples: m, cost: net.cost(X, Y), charAccuracy: chars === 0 ? 0 : right / chars, exactMatch: exact / m };
}

/** The index of the largest value at every step of every example of a sequence batch (V, m, T): [example][step]. */
function stepArgmax(A: Tensor): number[][] {
  const [V, m, T] = A.shape as [number, number, number];
  const out: number[][] = [];
  for (let j = 0; j < m; j++) {
    const idx: number[] = [];
    for (let t = 0; t < T; t++) {
      let a = 0;
      for (let k = 1; k < V; k++) if (A.data[(k * m + j) * T + t]! > A.data[(a * m + j) * T + t]!) a = k;
      idx.push(a);
    }
    out.push(idx);
  }
  return out;
}

/** The most likely output index at every step of each example of X (the argmax of the softmax). */
export function decodeSteps(net: Network, X: Tensor): number[][] {
  return stepArgmax(net.predict(X));
}

/** The most likely output of a translation model for inputs X, pads dropped. */
export function decodeOutputs(net: Network, X: Tensor, vocab: Vocabulary): string[] {
  return decodeSteps(net, X).map((idx) => vocab.decode(idx));
}

/** Train/dev/test example indices, shuffled with the seed, sized by --split. */
function splitIndices(m: number, spec: TrainArgs['split'], seed: number): { train: number[]; dev: number[]; test: number[] } {
  const order = Array.from({ length: m }, (_, i) => i);
  const rng = new Rng(seed);
  for (let i = m - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const [dev, test] = spec.kind === 'counts' ? [spec.dev, spec.test] : [Math.round(m * spec.ratios[1]), Math.round(m * (spec.ratios[2] ?? 0))];
  if (dev + test >= m) throw new CliError(`--split: ${m} examples leave none to train on after ${dev} dev and ${test} test`);
  return { dev: order.slice(0, dev), test: order.slice(dev, dev + test), train: order.slice(dev + test) };
}

/** Runs `layerwise train` on words: or pairs: data; returns the exit code. */
export async function trainTextCommand(args: TrainArgs, source: TextSource, io: Io): Promise<number> {
  const started = performance.now();
  for (const [key, flag] of NOT_FOR_TEXT) {
    if (args[key] !== undefined && args[key] !== false) throw new CliError(`${flag}: not used with text data (--data ${source.kind}:<file>); omit it`);
  }
  const task = TASK_OF[source.kind];
  const given = args.task as string | undefined;
  if (given !== undefined && given !== task) throw new CliError(`--task ${given}: --data ${source.kind}:<file> trains ${task === 'language-model' ? 'a language model' : 'a translation model'}; use --task ${task} (or omit --task)`);
  const say = (line: string) => (args.json ? io.err(line) : io.out(line));
  const outRun = openRunFolder(args.out, { command: 'train', flags: args, outputs: trainOutputs(undefined), say });
  const d = loadText(source);
  for (const n of d.notes) say(n);
  outRun.beginCompute();
  const layers = args.layersGiven === false ? parseLayers('--layers')(DEFAULT_LAYERS[task]) : args.layers;
  if (args.layersGiven === false) say(`layers: ${DEFAULT_LAYERS[task]} (the default for ${source.kind}: data; --layers to choose)`);
  const plan = textNetworkSpecs(layers, d);
  for (const n of plan.notes) say(n);
  const m = d.sources.length;
  const parts = splitIndices(m, args.split, args.seed);
  const sets = { train: textTensors(d, parts.train, plan.indices), dev: textTensors(d, parts.dev, plan.indices), test: textTensors(d, parts.test, plan.indices) };
  const counts = { train: parts.train.length, dev: parts.dev.length, test: parts.test.length };
  say(`examples: ${counts.train} train, ${counts.dev} dev, ${counts.test} test (seed ${args.seed})`);
  let net: Network;
  try {
    net = new Network({ inputShape: { sequence: [plan.indices ? 1 : d.vocabulary.size, d.sourceLength] }, layers: plan.specs, seed: args.seed, l2: args.l2, l1: args.l1 });
  } catch (e) {
    if (e instanceof ValueError || e instanceof ShapeError) throw new CliError(`--layers: ${e.message.replace(/^Network: /, '')}`);
    throw e;
  }
  const epochs = args.epochs ?? TEXT_DEFAULTS.epochs;
  const batchSize = Math.min(args.batchSize ?? TEXT_DEFAULTS.batchSize, counts.train);
  const lr = args.lr ?? TEXT_DEFAULTS.lr;
  checkUpdates(epochs, batchSize, counts.train, '--epochs');
  const sampleEvery = args.sampleEvery ?? Math.max(1, Math.round(epochs / 5));
  if (args.epochs === undefined) say(`epochs: ${TEXT_DEFAULTS.epochs} (--epochs to change)`);
  const patience = typeof args.earlyStopping === 'number' ? args.earlyStopping : null;
  if (patience !== null && counts.dev === 0) throw new CliError('--early-stopping: needs a dev set; give --split with a dev share');
  if (patience !== null) say(`early stopping: once the dev cost has not improved by ${TRAINING_DEFAULTS.minDelta} for ${patience} epochs, keeping the best epoch's weights`);
  say(`network: ${plan.specs.length} layers, ${args.optimizer} lr ${lr}${args.lr === undefined ? ' (the text default; --lr to change)' : ''}, gradients clipped to [-${TEXT_DEFAULTS.clipValue}, ${TEXT_DEFAULTS.clipValue}], batch ${batchSize}, backend ${getBackend().name}`);
  for (const line of net.summary().split('\n')) say(`  ${line}`);
  const info: TextModelInfo = {
    task,
    vocabulary: d.vocabulary.toJSON() as TextModelInfo['vocabulary'],
    ...(task === 'translation' ? { targetVocabulary: d.targetVocabulary.toJSON() as TextModelInfo['vocabulary'] } : {}),
    sourceLength: d.sourceLength,
    targetLength: d.targetLength,
    indices: plan.indices,
  };
  const show = (epoch: number): void => {
    if (task === 'language-model') {
      const names = sampleText(net, d.vocabulary, { seed: args.seed + epoch, n: TEXT_DEFAULTS.samples });
      say(`  samples: ${names.map((s) => JSON.stringify(s)).join(', ')}`);
    } else {
      const pick = parts.dev.length > 0 ? parts.dev.slice(0, 3) : parts.train.slice(0, 3);
      const { X } = textTensors(d, pick, plan.indices);
      const outs = decodeOutputs(net, X, d.targetVocabulary);
      say(`  dev: ${pick.map((p, i) => `${JSON.stringify(d.sources[p])} -> ${JSON.stringify(outs[i])}${outs[i] === d.targets[p] ? '' : ` (expected ${JSON.stringify(d.targets[p])})`}`).join('; ')}`);
    }
  };
  const history: HistoryRow[] = [];
  const onEpoch = (e: EpochInfo): void => {
    const dev = counts.dev > 0 ? textScores(net, sets.dev.X, sets.dev.Y) : null;
    history.push({ epoch: e.epoch + 1, trainCost: e.cost, trainUnregularizedCost: e.unregularizedCost, devCost: e.devCost, devMetric: dev ? dev.charAccuracy : null, learningRate: e.learningRate, seconds: e.seconds });
    const devText = dev ? `, dev cost ${dev.cost.toFixed(4)}, dev characters ${(dev.charAccuracy * 100).toFixed(1)}%${task === 'translation' ? `, exact ${(dev.exactMatch * 100).toFixed(1)}%` : ''}` : '';
    say(`epoch ${e.epoch + 1}/${epochs}: cost ${e.cost.toFixed(4)}${devText} (${e.seconds.toFixed(1)} s)`);
    if ((e.epoch + 1) % sampleEvery === 0 || e.epoch === 0 || e.epoch + 1 === epochs) show(e.epoch + 1);
  };
  try {
    const h = fit(net, sets.train.X, sets.train.Y, {
      learningRate: lr,
      epochs,
      batchSize,
      optimizer: resolveOptimizer(args.optimizer),
      clipValue: TEXT_DEFAULTS.clipValue,
      ...(args.decay !== undefined ? { schedule: { kind: 'inverseTime' as const, decayRate: args.decay } } : {}),
      ...(counts.dev > 0 ? { dev: { X: sets.dev.X, Y: sets.dev.Y } } : {}),
      ...(patience !== null ? { earlyStopping: { patience, minDelta: TRAINING_DEFAULTS.minDelta } } : {}),
      onEpoch,
    });
    if (h.stopReason === 'earlyStopping' && h.bestEpoch !== null) say(`stopped: early stopping after epoch ${history.length}; restored the weights of the best epoch, ${h.bestEpoch + 1}`);
  } catch (e) {
    if (e instanceof DivergenceError) throw new CliError(`--lr ${lr}: training diverged: ${e.message.replace(/^fit: /, '')} No model was written.`);
    throw e;
  }
  const scores = {
    train: textScores(net, sets.train.X, sets.train.Y),
    ...(counts.dev > 0 ? { dev: textScores(net, sets.dev.X, sets.dev.Y) } : {}),
    ...(counts.test > 0 ? { test: textScores(net, sets.test.X, sets.test.Y) } : {}),
  };
  const outDir = resolve(args.out);
  const modelDir = join(outDir, 'model');
  const run = runFolderOf(outDir);
  // The options a text run reads (the table and image ones have no meaning here).
  const training = {
    data: args.data,
    layers: layers.map((t) => (isSequenceToken(t) ? tokenText(t) : t)),
    optimizer: args.optimizer,
    lr,
    epochs,
    batchSize,
    clipValue: TEXT_DEFAULTS.clipValue,
    l2: args.l2,
    l1: args.l1,
    decay: args.decay,
    earlyStopping: patience ?? undefined,
    split: args.split,
    seed: args.seed,
    sampleEvery,
  };
  const metadata = { data: args.data, task, training, examples: counts, ...(run ? { runId: run.runId } : {}) };
  saveModelFiles(modelDir, net, { metadata, text: info }, run?.owns('model/') ?? false);
  writeHistory(outDir, history, 'char_accuracy');
  const seconds = (performance.now() - started) / 1000;
  const example = task === 'translation' ? reportExample(net, d, parts.dev.length > 0 ? parts.dev[0]! : parts.train[0]!, plan.indices) : null;
  const samples = task === 'language-model' ? sampleText(net, d.vocabulary, { seed: args.seed, n: 10 }) : [];
  writeTextReport(join(outDir, 'report.html'), { data: args.data, task, history, scores, summary: net.summary(), training, seconds, samples, example });
  const summary = { task, examples: counts, ...scores, epochs: history.length, seconds: Math.round(seconds * 1000) / 1000, model: modelDir };
  if (args.json) io.out(JSON.stringify(summary));
  else {
    io.out('');
    for (const [k, s] of Object.entries(scores)) {
      io.out(`${k.padEnd(6)} cost ${s.cost.toFixed(4)}  characters ${(s.charAccuracy * 100).toFixed(2)}%${task === 'translation' ? `  exact ${(s.exactMatch * 100).toFixed(2)}%` : ''}  (${s.examples} examples)`);
    }
    if (samples.length > 0) io.out(`samples (seed ${args.seed}): ${samples.join(', ')}`);
    io.out(`model: ${modelDir}`);
    io.out(`report: ${join(outDir, 'report.html')} (${seconds.toFixed(1)} s)`);
  }
  return 0;
}

/** One dev example's translation and attention map for the report (svg null when the network has no attention layer). */
function reportExample(net: Network, d: TextData, i: number, indices: boolean): { source: string; target: string; output: string; svg: string | null } {
  const { X } = textTensors(d, [i], indices);
  const steps = decodeSteps(net, X)[0]!;
  return { source: d.sources[i]!, target: d.targets[i]!, output: d.targetVocabulary.decode(steps), svg: attentionSvg(net, X, d.sources[i]!, steps, d.targetVocabulary) };
}

/** What a pad output step reads as on an attention map. */
const PAD_MARK = '\u00b7';

/** The attention map of the first example of X as SVG (output steps by their characters, a pad as a middle dot), or null for a network without attention. */
export function attentionSvg(net: Network, X: Tensor, source: string, steps: readonly number[], vocab: Vocabulary): string | null {
  if (!net.layerStack.some((l) => l instanceof AttentionLayer)) return null;
  const target = steps.map((k) => (k === PAD_INDEX ? PAD_MARK : vocab.token(k)));
  return attentionMapSvg({ weights: attentionWeights(net, X), source, target, title: `${JSON.stringify(source)} -> ${JSON.stringify(vocab.decode(steps))}` });
}
