/**
 * From specs to layers: each spec is checked once, here, against the shape
 * that reaches it, with errors naming the layer (`layers[3]`, or
 * `layers[2].main[1]` inside a block), what it expected and what it got.
 */
import { ShapeError, ValueError } from '../../tensor/errors.js';
import { assertKnownKeys, assertPositiveInt, describe } from '../../tensor/validate.js';
import { resolveActivation } from '../activations.js';
import { resolveInitializer } from '../initializers.js';
import { BatchNormLayer } from './batch-norm.js';
import { Conv2DLayer } from './conv2d.js';
import { DenseLayer } from './dense.js';
import { ActivationLayer, DropoutLayer } from './elementwise.js';
import type { AnyLayer, BuildContext, Layer } from './layer.js';
import { RecurrentLayer, type RecurrentCell } from './recurrent.js';
import { TimeDistributedLayer } from './time-distributed.js';
import { EmbeddingLayer } from './embedding.js';
import { BidirectionalLayer } from './bidirectional.js';
import { checkMaskFlow, MaskingLayer } from './masking.js';
import { buildTransformerLayer, isTransformerLayerType } from './transformer.js';
import { AttentionLayer, DEFAULT_ENERGY_UNITS } from './attention.js';
import { PoolLayer } from './pool.js';
import { FlattenLayer, ZeroPadLayer } from './reshape.js';
import { ResidualLayer } from './residual.js';
import { flat, formatFeatureShape, sameShape, windowOutput, type ActivationShape, type FeatureShape, type SequenceShape } from './shape.js';
import { ALL_LAYER_TYPES, type AnyLayerType } from './spec.js';

/** The most weights one layer may hold: 2^28, 1 GiB in float32 (a quarter of wasm's 4 GiB memory). */
export const MAX_LAYER_WEIGHTS = 2 ** 28;

const KEYS: { readonly [K in AnyLayerType]: readonly string[] } = {
  dense: ['units', 'activation', 'init', 'keepProb', 'batchNorm', 'l2', 'l1', 'trainable', 'type'],
  conv2d: ['type', 'filters', 'size', 'stride', 'padding', 'activation', 'init', 'batchNorm', 'l2', 'l1', 'trainable'],
  maxPool2d: ['type', 'size', 'stride'],
  avgPool2d: ['type', 'size', 'stride'],
  zeroPad2d: ['type', 'pad'],
  flatten: ['type'],
  batchNorm: ['type', 'trainable'],
  dropout: ['type', 'keepProb'],
  activation: ['type', 'activation'],
  residual: ['type', 'main', 'shortcut', 'activation', 'trainable'],
  simpleRnn: ['type', 'units', 'returnSequences', 'init', 'trainable'],
  lstm: ['type', 'units', 'returnSequences', 'init', 'trainable'],
  gru: ['type', 'units', 'returnSequences', 'init', 'trainable'],
  embedding: ['type', 'vocab', 'dim', 'weights', 'init', 'trainable', 'maskZero'],
  bidirectional: ['type', 'layer', 'trainable'],
  masking: ['type', 'value'],
  attention: ['type', 'steps', 'units', 'energyUnits', 'init', 'trainable'],
  timeDistributed: ['units', 'activation', 'init', 'keepProb', 'batchNorm', 'l2', 'l1', 'trainable', 'type'],
  layerNorm: ['type', 'epsilon', 'trainable'],
  positionalEncoding: ['type'],
  multiHeadAttention: ['type', 'heads', 'causal', 'trainable'],
  transformerEncoder: ['type', 'heads', 'ff', 'keepProb', 'causal', 'trainable'],
  globalAveragePool1d: ['type'],
};

type Spec = Record<string, unknown>;

/**
 * Builds the layers of `specs` from the input shape on. `isTopLevel`: the
 * last spec is the network's output (a dense layer; sigmoid by default).
 * A dense layer after an image gets a Flatten in front of it.
 */
export function buildLayers(ctx: BuildContext, specs: readonly unknown[], input: ActivationShape, path: string, isTopLevel: boolean): AnyLayer[] {
  const where = ctx.where;
  const layers: AnyLayer[] = [];
  let shape = input;
  const trail = [formatFeatureShape(input)];
  specs.forEach((raw, i) => {
    const name = `${path}[${i}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new ValueError(`${where}: ${name}: expected a layer spec such as { units: 64 } or { type: 'conv2d', filters: 8, size: 3 }, got ${describe(raw)}`);
    }
    const spec = raw as Spec;
    const type = (spec.type ?? 'dense') as AnyLayerType;
    if (!ALL_LAYER_TYPES.includes(type)) throw new ValueError(`${where}: ${name}.type: expected one of ${ALL_LAYER_TYPES.join(', ')}, got ${describe(spec.type)}`);
    assertKnownKeys(spec, KEYS[type], where, `${name}.`);
    const isOutput = isTopLevel && i === specs.length - 1;
    if (isOutput && type !== 'dense' && type !== 'timeDistributed') {
      throw new ValueError(`${where}: ${name}: expected the last layer to be a dense output layer ({ units, activation }) that the loss reads, got a ${type} layer`);
    }
    if (type === 'dense' && shape.kind === 'image') {
      const f = new FlattenLayer(shape, true);
      layers.push(f);
      shape = f.outputShape;
    }
    const layer = buildOne(ctx, type, spec, shape, name, isOutput, trail);
    if (spec.trainable !== undefined) {
      if (typeof spec.trainable !== 'boolean') throw new ValueError(`${where}: ${name}.trainable: expected true or false, got ${describe(spec.trainable)}`);
      layer.trainable = spec.trainable;
    }
    layers.push(layer);
    shape = layer.outputShape;
    trail.push(formatFeatureShape(shape));
  });
  if (isTopLevel) checkMaskFlow(layers, where, path);
  return layers;
}

function buildOne(ctx: BuildContext, type: AnyLayerType, spec: Spec, input: ActivationShape, name: string, isOutput: boolean, trail: readonly string[]): AnyLayer {
  const where = ctx.where;
  if (type === 'simpleRnn' || type === 'lstm' || type === 'gru') return buildRecurrent(ctx, type, spec, input, name);
  if (type === 'embedding') return buildEmbedding(ctx, spec, input, name);
  if (type === 'bidirectional') return buildBidirectional(ctx, spec, input, name);
  if (type === 'masking') return buildMasking(ctx, spec, input, name);
  if (isTransformerLayerType(type)) return buildTransformerLayer(ctx, type, spec, input, name);
  if (type === 'attention') return buildAttention(ctx, spec, input, name);
  if (type === 'timeDistributed') {
    if (input.kind !== 'sequence') {
      throw new ShapeError(`${where}: ${name}: a timeDistributed layer needs a sequence input (n, m, T), got ${formatFeatureShape(input)} (give the recurrent layer below returnSequences: true)`);
    }
    // The dense layer of one step, checked as any dense layer (softmax needs 2 units, no dropout on the output, ...).
    const dense = buildOne(ctx, 'dense', { ...spec, type: 'dense' }, flat(input.units), name, isOutput, trail) as DenseLayer;
    return new TimeDistributedLayer(input, dense, isOutput);
  }
  // Only dropout and elementwise activations take a sequence as they take any activation.
  if (input.kind === 'sequence' && type !== 'dropout' && type !== 'activation') {
    throw new ShapeError(
      `${where}: ${name}: a ${type} layer needs a flat (n, m) or image input, got the sequence ${formatFeatureShape(input)} ` +
        `(end the recurrent layers with returnSequences: false to pass the last hidden state (n_a, m) on; shapes on the way: ${trail.join(' -> ')})`,
    );
  }
  // A sequence reaches only dropout and activation, which handle any shape at run time.
  const shape = input as FeatureShape;
  const bnSettings = { momentum: ctx.batchNormMomentum, epsilon: ctx.batchNormEpsilon };
  const needImage = (): FeatureShape & { kind: 'image' } => {
    if (shape.kind !== 'image') {
      throw new ShapeError(`${where}: ${name}: a ${type} layer needs an image input (m, n_H, n_W, n_C), got ${formatFeatureShape(shape)} (use inputShape: [n_H, n_W, n_C] and put image layers before the dense ones)`);
    }
    return shape;
  };
  switch (type) {
    case 'dense': {
      const units = assertPositiveInt(spec.units, where, `${name}.units`);
      const fanIn = (shape as FeatureShape & { kind: 'flat' }).units;
      if (units * fanIn > MAX_LAYER_WEIGHTS) {
        throw new ValueError(`${where}: ${name}.units: ${units} units x ${fanIn} inputs = ${units * fanIn} weights; expected at most ${MAX_LAYER_WEIGHTS} weights per layer, got ${units}`);
      }
      const activation = resolveActivation((spec.activation ?? (isOutput ? 'sigmoid' : 'relu')) as never, where, `${name}.activation`);
      if (activation.kind === 'softmax' && units < 2) {
        throw new ValueError(
          `${where}: ${name}.units: expected at least 2 units for a softmax layer (softmax over one unit always outputs 1, so the cost never moves; use sigmoid for a binary output), got ${units}`,
        );
      }
      const keepProb = checkKeepProb(spec.keepProb ?? (isOutput ? 1 : ctx.keepProb), where, `${name}.keepProb`);
      if (isOutput && keepProb !== 1) throw new ValueError(`${where}: ${name}.keepProb: dropout applies to hidden layers, not the output layer; expected 1, got ${keepProb}`);
      const batchNorm = spec.batchNorm ?? (isOutput ? false : ctx.batchNorm);
      if (typeof batchNorm !== 'boolean') throw new ValueError(`${where}: ${name}.batchNorm: expected true or false, got ${describe(batchNorm)}`);
      if (isOutput && batchNorm) throw new ValueError(`${where}: ${name}.batchNorm: batch normalization applies to hidden layers, not the output layer`);
      const o = { units, activation, keepProb, batchNorm, ...weighted(ctx, spec, name) };
      return new DenseLayer(shape as FeatureShape & { kind: 'flat' }, o, bnSettings, ctx.be, ctx.dtype, ctx.rng);
    }
    case 'conv2d': {
      const input = needImage();
      const filters = assertPositiveInt(spec.filters, where, `${name}.filters`);
      const size = assertPositiveInt(spec.size, where, `${name}.size`);
      const stride = spec.stride === undefined ? 1 : assertPositiveInt(spec.stride, where, `${name}.stride`);
      const padding = (spec.padding ?? 'valid') as 'valid' | 'same' | number;
      const pad = resolvePadding(padding, size, where, name);
      checkWindow(input, size, stride, pad, where, name, trail, 'filter');
      const activation = resolveActivation((spec.activation ?? 'relu') as never, where, `${name}.activation`);
      if (activation.kind === 'softmax') throw new ValueError(`${where}: ${name}.activation: softmax is for a dense output layer; expected relu, tanh, sigmoid, leakyRelu or linear, got "softmax"`);
      const batchNorm = spec.batchNorm ?? false;
      if (typeof batchNorm !== 'boolean') throw new ValueError(`${where}: ${name}.batchNorm: expected true or false, got ${describe(batchNorm)}`);
      if (size * size * input.c * filters > MAX_LAYER_WEIGHTS) throw new ValueError(`${where}: ${name}: ${size * size * input.c * filters} weights; expected at most ${MAX_LAYER_WEIGHTS}`);
      const o = { filters, size, stride, pad, padding, activation, batchNorm, ...weighted(ctx, spec, name) };
      return new Conv2DLayer(input, o, bnSettings, ctx.be, ctx.dtype, ctx.rng);
    }
    case 'maxPool2d':
    case 'avgPool2d': {
      const input = needImage();
      const size = assertPositiveInt(spec.size, where, `${name}.size`);
      const stride = spec.stride === undefined ? size : assertPositiveInt(spec.stride, where, `${name}.stride`);
      checkWindow(input, size, stride, 0, where, name, trail, 'pooling window');
      return new PoolLayer(input, type === 'maxPool2d' ? 'max' : 'average', size, stride);
    }
    case 'zeroPad2d': {
      const input = needImage();
      const pad = spec.pad;
      if (typeof pad !== 'number' || !Number.isInteger(pad) || pad < 0) throw new ValueError(`${where}: ${name}.pad: expected a non-negative integer, got ${describe(pad)}`);
      return new ZeroPadLayer(input, pad);
    }
    case 'flatten':
      return new FlattenLayer(shape);
    case 'batchNorm':
      return new BatchNormLayer(shape, Math.max(ctx.nextNumber - 1, 0), bnSettings, ctx.be, ctx.dtype);
    case 'dropout':
      return new DropoutLayer(shape, checkKeepProb(spec.keepProb, where, `${name}.keepProb`));
    case 'activation': {
      const activation = resolveActivation(spec.activation as never, where, `${name}.activation`);
      if (activation.kind === 'softmax' && input.kind === 'sequence') throw new ValueError(`${where}: ${name}.activation: softmax applies to flat (n, m) activations, got the sequence ${formatFeatureShape(input)}`);
      if (activation.kind === 'softmax' && shape.kind === 'image') throw new ValueError(`${where}: ${name}.activation: softmax applies to flat (n, m) activations, got an image ${formatFeatureShape(shape)}`);
      return new ActivationLayer(shape, activation);
    }
    case 'residual':
      return buildResidual(ctx, spec, shape, name);
  }
}

/** An embedding of indices (1, m, T), from a given matrix or drawn. */
function buildEmbedding(ctx: BuildContext, spec: Spec, input: ActivationShape, name: string): AnyLayer {
  const where = ctx.where;
  if (input.kind !== 'sequence' || input.units !== 1) {
    throw new ShapeError(`${where}: ${name}: an embedding layer reads indices (1, m, T_x) (inputShape: { sequence: [1, T_x] }), got ${formatFeatureShape(input)}`);
  }
  const vocab = assertPositiveInt(spec.vocab, where, `${name}.vocab`);
  const dim = assertPositiveInt(spec.dim, where, `${name}.dim`);
  if (vocab * dim > MAX_LAYER_WEIGHTS) throw new ValueError(`${where}: ${name}: ${vocab * dim} weights; expected at most ${MAX_LAYER_WEIGHTS}`);
  let matrix: ArrayLike<number> | null = null;
  if (spec.weights !== undefined) {
    const w = spec.weights as unknown;
    const rows = Array.isArray(w) ? w : null;
    const t = !rows && w !== null && typeof w === 'object' ? (w as { shape?: unknown; data?: unknown }) : null;
    const shape = rows ? [rows.length, Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : -1] : Array.isArray(t?.shape) ? (t.shape as number[]) : null;
    if (!shape || shape.length !== 2 || shape[0] !== vocab || shape[1] !== dim) {
      throw new ShapeError(`${where}: ${name}.weights: expected the (vocab, dim) = (${vocab}, ${dim}) matrix E, got ${shape ? `(${shape.join(', ')})` : describe(w)}`);
    }
    const values = rows ? rows.flatMap((r) => (Array.isArray(r) && r.length === dim ? (r as unknown[]) : [NaN])) : Array.from(t!.data as ArrayLike<number>);
    const bad = values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (values.length !== vocab * dim || bad !== -1) throw new ValueError(`${where}: ${name}.weights: expected ${vocab} rows of ${dim} finite numbers, got a bad value at row ${Math.floor(Math.max(bad, 0) / dim)}`);
    matrix = values as number[];
  }
  const init = resolveInitializer((spec.init ?? 'random') as never, where, `${name}.init`);
  const maskZero = spec.maskZero ?? false;
  if (typeof maskZero !== 'boolean') throw new ValueError(`${where}: ${name}.maskZero: expected true or false, got ${describe(maskZero)}`);
  if (maskZero && vocab < 2) throw new ValueError(`${where}: ${name}.vocab: maskZero makes index 0 the padding token, so expected a vocab of at least 2 (padding and one real entry), got ${vocab}`);
  return new EmbeddingLayer(input, { vocab, dim, init, matrix, number: ctx.nextNumber++, maskZero }, ctx.be, ctx.dtype, ctx.rng);
}

/** A recurrent layer in both directions: two copies of `spec.layer`, the second reading backwards. */
function buildBidirectional(ctx: BuildContext, spec: Spec, input: ActivationShape, name: string): AnyLayer {
  const where = ctx.where;
  const inner = spec.layer as unknown;
  const cells = ['simpleRnn', 'lstm', 'gru'];
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner) || !cells.includes((inner as Spec).type as string)) {
    throw new ValueError(`${where}: ${name}.layer: expected a recurrent layer spec such as { type: 'lstm', units: 32 } (type simpleRnn, lstm or gru), got ${describe(inner)}`);
  }
  const s = inner as Spec;
  assertKnownKeys(s, KEYS.lstm, where, `${name}.layer.`);
  if (s.trainable !== undefined) throw new ValueError(`${where}: ${name}.layer.trainable: give trainable on the bidirectional layer (both directions share it), got it on the inner layer`);
  const cell = s.type as RecurrentCell;
  const number = ctx.nextNumber;
  const fw = buildRecurrent(ctx, cell, s, input, `${name}.layer`, { number, suffix: '_fw' });
  const bw = buildRecurrent(ctx, cell, s, input, `${name}.layer`, { number, suffix: '_bw', goBackwards: true });
  ctx.nextNumber = number + 1;
  return new BidirectionalLayer(input as SequenceShape, fw, bw);
}

/** Marks padded steps of a sequence input: every feature equal to `value`. */
function buildMasking(ctx: BuildContext, spec: Spec, input: ActivationShape, name: string): AnyLayer {
  const where = ctx.where;
  if (input.kind !== 'sequence') {
    throw new ShapeError(`${where}: ${name}: a masking layer marks padded steps of a sequence input (n_x, m, T_x) (inputShape: { sequence: [n_x, T_x] }), got ${formatFeatureShape(input)}`);
  }
  const value = spec.value ?? 0;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValueError(`${where}: ${name}.value: expected a finite number (every feature of a padded step), got ${describe(value)}`);
  return new MaskingLayer(input, value);
}

/** The attention decoder over the encoder's states (n_a, m, T_x): T_y steps, n_s, n_e. */
function buildAttention(ctx: BuildContext, spec: Spec, input: ActivationShape, name: string): AnyLayer {
  const where = ctx.where;
  if (input.kind !== 'sequence') {
    throw new ShapeError(`${where}: ${name}: an attention layer reads the encoder's states a (n_a, m, T_x), got ${formatFeatureShape(input)} (give the recurrent layer below returnSequences: true)`);
  }
  const steps = assertPositiveInt(spec.steps, where, `${name}.steps`);
  const units = assertPositiveInt(spec.units, where, `${name}.units`);
  const energyUnits = spec.energyUnits === undefined ? DEFAULT_ENERGY_UNITS : assertPositiveInt(spec.energyUnits, where, `${name}.energyUnits`);
  const weights = (4 * units + energyUnits) * (units + input.units);
  if (weights > MAX_LAYER_WEIGHTS) throw new ValueError(`${where}: ${name}.units: ${weights} weights; expected at most ${MAX_LAYER_WEIGHTS} per layer, got ${units} units`);
  const init = resolveInitializer((spec.init ?? 'xavier') as never, where, `${name}.init`);
  return new AttentionLayer(input, { steps, units, energyUnits, init, number: ctx.nextNumber++ }, ctx.be, ctx.dtype, ctx.rng);
}

/** A recurrent layer over a sequence input: the cell, n_a and whether it returns the whole sequence. */
function buildRecurrent(ctx: BuildContext, cell: RecurrentCell, spec: Spec, input: ActivationShape, name: string, direction?: { number: number; suffix: string; goBackwards?: boolean }): RecurrentLayer {
  const where = ctx.where;
  if (input.kind !== 'sequence') {
    throw new ShapeError(
      `${where}: ${name}: a ${cell} layer needs a sequence input (n_x, m, T_x), got ${formatFeatureShape(input)} (give the network inputShape: { sequence: [n_x, T_x] }, or return sequences from the recurrent layer below)`,
    );
  }
  const units = assertPositiveInt(spec.units, where, `${name}.units`);
  const returnSequences = spec.returnSequences ?? false;
  if (typeof returnSequences !== 'boolean') throw new ValueError(`${where}: ${name}.returnSequences: expected true or false, got ${describe(returnSequences)}`);
  const gates = cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
  const weights = gates * units * (units + input.units);
  if (weights > MAX_LAYER_WEIGHTS) throw new ValueError(`${where}: ${name}.units: ${weights} weights; expected at most ${MAX_LAYER_WEIGHTS} per layer, got ${units} units`);
  const init = spec.init === undefined ? resolveInitializer('xavier', where, `${name}.init`) : resolveInitializer(spec.init as never, where, `${name}.init`);
  const number = direction?.number ?? ctx.nextNumber++;
  return new RecurrentLayer(cell, input, { units, returnSequences, init, number, suffix: direction?.suffix, goBackwards: direction?.goBackwards }, ctx.be, ctx.dtype, ctx.rng);
}

function buildResidual(ctx: BuildContext, spec: Spec, shape: FeatureShape, name: string): Layer {
  const where = ctx.where;
  if (!Array.isArray(spec.main) || spec.main.length === 0) throw new ValueError(`${where}: ${name}.main: expected a non-empty array of layer specs, got ${describe(spec.main)}`);
  if (spec.shortcut !== undefined && !Array.isArray(spec.shortcut)) throw new ValueError(`${where}: ${name}.shortcut: expected an array of layer specs (empty for the identity), got ${describe(spec.shortcut)}`);
  // The block's input is flat or an image, and so is every layer inside it (only recurrent layers make sequences, and they need one).
  const main = ctx.build(spec.main, shape, `${name}.main`, false) as Layer[];
  const shortcut = ctx.build((spec.shortcut as unknown[] | undefined) ?? [], shape, `${name}.shortcut`, false) as Layer[];
  const mainOut = main.at(-1)!.outputShape;
  const shortOut = shortcut.at(-1)?.outputShape ?? shape;
  if (!sameShape(mainOut, shortOut)) {
    throw new ShapeError(
      `${where}: ${name}: the main path ends in ${formatFeatureShape(mainOut)} but the shortcut ${shortcut.length === 0 ? '(the identity) ' : ''}gives ${formatFeatureShape(shortOut)}; ` +
        'their outputs are added, so they must match (give the shortcut a 1x1 conv with the main path\'s stride and channels)',
    );
  }
  const activation = resolveActivation((spec.activation ?? 'relu') as never, where, `${name}.activation`);
  if (activation.kind === 'softmax') throw new ValueError(`${where}: ${name}.activation: expected relu, tanh, sigmoid, leakyRelu or linear, got "softmax"`);
  return new ResidualLayer(shape, main, shortcut, activation);
}

/** Initializer, L2, L1 and the course number of a layer with weights. */
function weighted(ctx: BuildContext, spec: Spec, name: string) {
  const where = ctx.where;
  return {
    init: spec.init === undefined ? ctx.init : resolveInitializer(spec.init as never, where, `${name}.init`),
    l2: spec.l2 === undefined ? ctx.l2 : checkLambda(spec.l2, where, `${name}.l2`),
    l1: spec.l1 === undefined ? ctx.l1 : checkLambda(spec.l1, where, `${name}.l1`),
    number: ctx.nextNumber++,
  };
}

/** 'valid' = 0, 'same' = (f - 1) / 2 (f odd), or a non-negative integer. */
function resolvePadding(padding: unknown, f: number, where: string, name: string): number {
  if (padding === 'valid') return 0;
  if (padding === 'same') {
    if (f % 2 === 0) throw new ValueError(`${where}: ${name}.padding: 'same' needs an odd filter size (p = (f - 1) / 2), got size ${f}; give a number of zeros instead`);
    return (f - 1) / 2;
  }
  if (typeof padding === 'number' && Number.isInteger(padding) && padding >= 0) return padding;
  throw new ValueError(`${where}: ${name}.padding: expected 'valid', 'same' or a non-negative integer, got ${describe(padding)}`);
}

/** A window must fit the (padded) input: output edges >= 1. */
function checkWindow(input: FeatureShape & { kind: 'image' }, f: number, stride: number, pad: number, where: string, name: string, trail: readonly string[], what: string): void {
  const outH = windowOutput(input.h, f, stride, pad);
  const outW = windowOutput(input.w, f, stride, pad);
  if (outH >= 1 && outW >= 1) return;
  throw new ShapeError(
    `${where}: ${name}: a ${f}x${f} ${what} (stride ${stride}, pad ${pad}) does not fit the ${formatFeatureShape(input)} input: ` +
      `output size floor((n + 2p - f) / s) + 1 = ${outH} x ${outW}, expected at least 1 x 1 (shapes on the way: ${trail.join(' -> ')})`,
  );
}

export function checkLambda(value: unknown, where: string, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValueError(`${where}: ${name}: expected a finite number >= 0 (the regularization strength lambda), got ${describe(value)}`);
  }
  return value;
}

export function checkKeepProb(value: unknown, where: string, name: string): number {
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw new ValueError(`${where}: ${name}: expected a keep probability in (0, 1], got ${describe(value)}`);
  }
  return value;
}
