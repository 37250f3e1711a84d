/**
 * `layerwise inspect`: what a model folder holds.
 */
import { formatFeatureShape } from '../../nn/layers/shape.js';
import { loadRunModel } from '../run-files.js';
import { loadTextModel, type LoadedTextModel } from '../data/text.js';
import { Vocabulary } from '../../data/text.js';
import type { Io } from './train.js';

/** Runs `layerwise inspect`; returns the exit code. */
export async function inspectCommand(o: { model: string; json: boolean }, io: Io): Promise<number> {
  const textModel = loadTextModel(o.model);
  if (textModel) return inspectText(o, textModel, io);
  const { network, run, manifest } = loadRunModel(o.model);
  const layers = network.layers.map((l, i) => {
    const weights = l.W.size;
    const biases = l.b ? l.b.size : 0;
    const bn = l.bn ? l.bn.gamma.size + l.bn.beta.size : 0;
    return {
      layer: i + 1,
      shape: `W${i + 1} (${l.W.rows}, ${l.W.cols})`,
      activation: l.activation.kind === 'leakyRelu' ? `leakyRelu(${l.activation.slope})` : l.activation.kind,
      parameters: weights + biases + bn,
      keepProb: l.keepProb,
      batchNorm: l.bn !== null,
    };
  });
  const typed = network.stack.some((l) => l.type !== 'dense' && l.type !== 'dropout');
  const stack = network.stack.map((l) => ({ type: l.type, layer: l.describe(), outputShape: formatFeatureShape(l.outputShape), parameters: l.params.reduce((s, p) => s + p.tensor.size, 0), trainable: l.trainable }));
  const total = typed ? stack.reduce((s, l) => s + l.parameters, 0) : layers.reduce((s, l) => s + l.parameters, 0);
  const std = run.standardizer;
  // reduce, not Math.min(...): a spread of one value per feature overflows the stack for large images.
  const extent = (v: readonly number[]) => [v.reduce((a, b) => Math.min(a, b), Infinity), v.reduce((a, b) => Math.max(a, b), -Infinity)];
  const stats = std ? { features: std.mean.length, meanRange: extent(std.mean), stdRange: extent(std.std), zeroVarianceFeatures: std.std.filter((s) => s === 0).length } : null;
  const info = {
    format: `${manifest.format} v${manifest.formatVersion}`,
    library: manifest.library.version,
    created: manifest.createdAt,
    task: run.task,
    target: run.target,
    classes: run.classes,
    inputs: network.inputSize,
    ...(network.inputShape.kind === 'image' ? { inputShape: [network.inputShape.h, network.inputShape.w, network.inputShape.c] } : {}),
    layers,
    stack,
    totalParameters: total,
    loss: network.loss.kind,
    examples: run.examples,
    training: run.training,
    normalization: stats,
  };
  if (o.json) {
    io.out(JSON.stringify(info));
    return 0;
  }
  io.out(`${o.model}: ${info.format}, layerwise ${info.library}, saved ${info.created}`);
  io.out(`task: ${run.task}, target "${run.target}"${run.classes ? `, classes ${run.classes.join(', ')}` : ''}; loss ${info.loss}`);
  const s = network.inputShape;
  io.out(`input: ${s.kind === 'image' ? `${s.h} x ${s.w} x ${s.c} images (${network.inputSize} values)` : `${network.inputSize} features`}${run.featureNames.length <= 8 ? ` (${run.featureNames.join(', ')})` : ''}`);
  io.out('');
  if (typed) {
    for (const line of network.summary().split('\n')) io.out(line);
  } else {
    io.out('layer  weights            activation       parameters  keep_prob  batch_norm');
    for (const l of layers) io.out(`${String(l.layer).padEnd(7)}${l.shape.padEnd(19)}${l.activation.padEnd(17)}${String(l.parameters).padEnd(12)}${String(l.keepProb).padEnd(11)}${l.batchNorm ? 'yes' : 'no'}`);
    io.out(`total parameters: ${total}`);
  }
  io.out('');
  io.out(`data: ${run.data}; examples ${run.examples.train} train / ${run.examples.dev} dev / ${run.examples.test} test`);
  if (stats) io.out(`normalization: ${stats.features} features standardized with training means in [${stats.meanRange.map((v) => v.toFixed(3)).join(', ')}] and stds in [${stats.stdRange.map((v) => v.toFixed(3)).join(', ')}]; ${stats.zeroVarianceFeatures} with zero variance`);
  else io.out('normalization: none');
  io.out(`training: ${Object.entries(run.training).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ')}`);
  return 0;
}

/** `inspect` of a text model: the task, the vocabularies and lengths, the network's summary, the training options. */
function inspectText(o: { model: string; json: boolean }, m: LoadedTextModel, io: Io): number {
  const { network, text, manifest, metadata } = m;
  const vocab = Vocabulary.fromJSON(text.vocabulary);
  const target = text.targetVocabulary ? Vocabulary.fromJSON(text.targetVocabulary) : null;
  const parameters = network.layerStack.reduce((s, l) => s + l.params.reduce((a, p) => a + p.tensor.size, 0), 0);
  if (o.json) {
    io.out(JSON.stringify({ format: `${manifest.format} v${manifest.formatVersion}`, library: manifest.library.version, created: manifest.createdAt, text, totalParameters: parameters, loss: network.loss.kind, summary: network.summary(), metadata }));
    return 0;
  }
  const chars = (v: Vocabulary) => JSON.stringify(v.chars.join(''));
  io.out(`${o.model}: ${manifest.format} v${manifest.formatVersion}, layerwise ${manifest.library.version}, saved ${manifest.createdAt}`);
  io.out(`task: ${text.task}; loss ${network.loss.kind}`);
  io.out(`input: ${text.indices ? 'character indices (an embedding first)' : 'one-hot characters'}, T_x = ${text.sourceLength}; vocabulary V = ${vocab.size} (pad, ${vocab.unknownIndex !== null ? 'unknown, ' : ''}${vocab.startIndex !== null ? 'start, ' : ''}${vocab.chars.length} characters: ${chars(vocab)})`);
  if (target) io.out(`output: T_y = ${text.targetLength}; vocabulary V = ${target.size} (pad, ${target.chars.length} characters: ${chars(target)})`);
  io.out('');
  for (const line of network.summary().split('\n')) io.out(line);
  io.out('');
  const examples = metadata.examples as { train?: number; dev?: number; test?: number } | undefined;
  if (examples) io.out(`data: ${String(metadata.data)}; examples ${examples.train} train / ${examples.dev} dev / ${examples.test} test`);
  const training = metadata.training as Record<string, unknown> | undefined;
  if (training) io.out(`training: ${Object.entries(training).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ')}`);
  return 0;
}
