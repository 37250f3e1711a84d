/**
 * The model format: a JSON manifest (architecture, training metadata,
 * library and format versions, where each tensor lies) plus the weights as
 * little-endian float32 (float64 for float64 networks, said by the weights
 * entry's `dtype`) with a CRC-32. Loading validates the manifest against
 * a schema and the weights against the checksum, and never evaluates code
 * from a file. Browser-safe: bytes in, bytes out; the Node layer writes files.
 */
import { z } from 'zod';
import { ACTIVATION_NAMES } from '../nn/activations.js';
import type { TypedLayerSpec } from '../nn/layers/spec.js';
import { namedState, Network } from '../nn/network.js';
import type { RngState } from '../random/rng.js';
import { ShapeError, ValueError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { describe } from '../tensor/validate.js';
import { crc32 } from './crc32.js';
import { LIBRARY_VERSION } from './version.js';

/**
 * The format version this library writes and the newest it reads. Version 2
 * added image inputs (`inputShape`), typed layers (`{ type: 'conv2d', ... }`)
 * and tensors of any rank; version 1 files (dense networks) load unchanged.
 */
export const MODEL_FORMAT_VERSION = 2;

const activationSchema = z.union([
  z.enum(ACTIVATION_NAMES as [string, ...string[]]),
  z.object({ name: z.literal('leakyRelu'), slope: z.number().min(0).lt(1) }).strict(),
]);

const positiveInt = z.number().int().positive();
const lambda = z.number().nonnegative().optional();

const denseSchema = z
  .object({
    type: z.literal('dense'),
    units: positiveInt,
    activation: activationSchema,
    keepProb: z.number().gt(0).lte(1).optional(),
    batchNorm: z.boolean().optional(),
    l2: lambda,
    l1: lambda,
    trainable: z.boolean().optional(),
  })
  .strict();

/** A recurrent layer (simpleRnn, lstm, gru) over a sequence. */
function recurrentSchema<T extends 'simpleRnn' | 'lstm' | 'gru'>(type: T) {
  return z.object({ type: z.literal(type), units: positiveInt, returnSequences: z.boolean().optional(), trainable: z.boolean().optional() }).strict();
}

/** A spec without `type` is dense (format version 1 wrote only those). */
function denseByDefault(v: unknown): unknown {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !('type' in v) ? { type: 'dense', ...v } : v;
}

/** Every layer type; the Network re-checks how they combine (shapes) when the model is rebuilt. */
const layerSchema: z.ZodType<TypedLayerSpec> = z.lazy(() =>
  z.preprocess(denseByDefault, z.discriminatedUnion('type', [
    denseSchema,
    z
      .object({
        type: z.literal('conv2d'),
        filters: positiveInt,
        size: positiveInt,
        stride: positiveInt.optional(),
        padding: z.union([z.enum(['valid', 'same']), z.number().int().nonnegative()]).optional(),
        activation: activationSchema,
        batchNorm: z.boolean().optional(),
        l2: lambda,
        l1: lambda,
        trainable: z.boolean().optional(),
      })
      .strict(),
    z.object({ type: z.literal('maxPool2d'), size: positiveInt, stride: positiveInt.optional() }).strict(),
    z.object({ type: z.literal('avgPool2d'), size: positiveInt, stride: positiveInt.optional() }).strict(),
    z.object({ type: z.literal('zeroPad2d'), pad: z.number().int().nonnegative() }).strict(),
    z.object({ type: z.literal('flatten') }).strict(),
    z.object({ type: z.literal('batchNorm'), trainable: z.boolean().optional() }).strict(),
    z.object({ type: z.literal('dropout'), keepProb: z.number().gt(0).lte(1) }).strict(),
    z.object({ type: z.literal('activation'), activation: activationSchema }).strict(),
    z
      .object({ type: z.literal('residual'), main: z.array(layerSchema).min(1), shortcut: z.array(layerSchema).optional(), activation: activationSchema.optional(), trainable: z.boolean().optional() })
      .strict(),
    recurrentSchema('simpleRnn'),
    recurrentSchema('lstm'),
    recurrentSchema('gru'),
    denseSchema.extend({ type: z.literal('timeDistributed') }),
    z.object({ type: z.literal('embedding'), vocab: positiveInt, dim: positiveInt, trainable: z.boolean().optional(), maskZero: z.boolean().optional() }).strict(),
    z.object({ type: z.literal('bidirectional'), layer: z.union([recurrentSchema('simpleRnn'), recurrentSchema('lstm'), recurrentSchema('gru')]), trainable: z.boolean().optional() }).strict(),
    z.object({ type: z.literal('masking'), value: z.number().finite().optional() }).strict(),
    z.object({ type: z.literal('layerNorm'), epsilon: z.number().positive().optional(), trainable: z.boolean().optional() }).strict(),
    z.object({ type: z.literal('positionalEncoding') }).strict(),
    z.object({ type: z.literal('multiHeadAttention'), heads: positiveInt, causal: z.boolean().optional(), trainable: z.boolean().optional() }).strict(),
    z
      .object({ type: z.literal('transformerEncoder'), heads: positiveInt, ff: positiveInt.optional(), keepProb: z.number().gt(0).lte(1).optional(), causal: z.boolean().optional(), trainable: z.boolean().optional() })
      .strict(),
    z.object({ type: z.literal('globalAveragePool1d') }).strict(),
    z.object({ type: z.literal('attention'), steps: positiveInt, units: positiveInt, energyUnits: positiveInt.optional(), trainable: z.boolean().optional() }).strict(),
  ])),
) as z.ZodType<TypedLayerSpec>;

const tensorEntrySchema = z
  .object({
    // Dense and conv W, b; batch normalization; the recurrent cells' course names (RNN, LSTM, GRU).
    name: z.string().regex(/^(W|b|gamma|beta|runningMean|runningVar|Wax|Waa|ba|Wf|bf|Wi|bi|Wo|bo|Wc|bc|Wr|br|Wu|bu|E|Wdensor1_|bdensor1_|Wdensor2_|bdensor2_|Wq|bq|Wk|bk|Wv|bv)\d+(_fw|_bw)?$/),
    shape: z.array(positiveInt).min(1).max(4),
    offset: z.number().int().nonnegative(),
  })
  .strict();

const uint32 = z.number().int().min(0).max(0xffffffff);

/** A character vocabulary as Vocabulary.toJSON writes it (src/data/text.ts); `start` only when it has a start token (a language model's x<1>). */
const vocabularySchema = z.object({ chars: z.array(z.string()), unknown: z.boolean(), start: z.boolean().optional() }).strict();

/** What a text model reads and writes (optional; files before it have none): its task, vocabularies and lengths. */
const textSchema = z
  .object({
    task: z.enum(['language-model', 'translation']),
    /** The input's characters (a language model's also its output's). */
    vocabulary: vocabularySchema,
    /** translation: the output's characters. */
    targetVocabulary: vocabularySchema.optional(),
    /** T_x: the input's steps. */
    sourceLength: positiveInt,
    /** T_y: the output's steps. */
    targetLength: positiveInt,
    /** The input is indices (1, m, T_x) for an embedding layer, else one-hot vectors (V, m, T_x). */
    indices: z.boolean(),
  })
  .strict();

/** The text facts of a saved text model (manifest.text). */
export type TextModelInfo = z.infer<typeof textSchema>;

const manifestSchema = z
  .object({
    format: z.literal('layerwise-model'),
    formatVersion: z.number().int().positive(),
    library: z.object({ name: z.literal('layerwise'), version: z.string() }).strict(),
    createdAt: z.string(),
    network: z
      .object({
        inputSize: z.number().int().positive(),
        inputShape: z.union([z.tuple([positiveInt, positiveInt, positiveInt]), z.tuple([positiveInt]), z.object({ sequence: z.tuple([positiveInt, positiveInt]) }).strict()]).optional(),
        layers: z.array(layerSchema).min(1),
        loss: z.enum(['binaryCrossEntropy', 'meanSquaredError', 'categoricalCrossEntropy']),
        dtype: z.enum(['float32', 'float64']),
        seed: z.number().int().nonnegative().max(0xffffffff),
        inputKeepProb: z.number().gt(0).lte(1),
        batchNormMomentum: z.number().min(0).lt(1),
        batchNormEpsilon: z.number().positive(),
      })
      .strict(),
    weights: z
      .object({
        file: z.string().regex(/^[A-Za-z0-9._-]+$/),
        byteLength: z.number().int().nonnegative(),
        crc32: z.string().regex(/^[0-9a-f]{8}$/),
        /** How each number is stored; absent (files before it, and float32 networks) means float32. */
        dtype: z.enum(['float32', 'float64']).optional(),
        tensors: z.array(tensorEntrySchema),
      })
      .strict(),
    rngState: z.object({ s: z.tuple([uint32, uint32, uint32, uint32]), spare: z.number().nullable() }).strict().optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    text: textSchema.optional(),
  })
  .strict();

/** The manifest of a saved model (model.json). */
export type ModelManifest = z.infer<typeof manifestSchema>;

/** A model as bytes: the manifest and the weights file's contents. */
export interface SerializedModel {
  manifest: ModelManifest;
  weights: Uint8Array;
}

/** Options of {@link serializeModel}. */
export interface SerializeOptions {
  /** JSON-serializable facts that travel with the model: label names, normalization statistics, training config. */
  metadata?: Record<string, unknown>;
  /** The name the manifest gives the weights file; default 'weights.bin'. */
  weightsFile?: string;
  /** Include the generator's state (checkpoints, to resume bit for bit); default false. */
  includeRngState?: boolean;
  /** A text model's task, vocabularies and lengths (what sampling and translating need). */
  text?: TextModelInfo;
}

/** The saved tensors by course name, layer by layer (W, b or gamma/beta, then running statistics). */
function namedTensors(net: Network): [string, Tensor][] {
  return namedState(net);
}

/** Bytes per stored number: float64 weights (float64 networks) take 8, float32 weights 4. */
function bytesPer(dtype: 'float32' | 'float64' | undefined): number {
  return dtype === 'float64' ? 8 : 4;
}

/**
 * A network as a manifest and little-endian weights: float32, or float64 for
 * a float64 network (so it loads back exactly).
 *
 * @example
 * ```ts
 * import { Network, serializeModel, deserializeModel } from 'layerwise';
 * const net = new Network({ inputSize: 2, layers: [{ units: 3 }, { units: 1 }] });
 * const { manifest, weights } = serializeModel(net, { metadata: { labels: ['no', 'yes'] } });
 * const back = deserializeModel(JSON.parse(JSON.stringify(manifest)), weights).network;
 * back.predict([[1], [2]]).get(0, 0) === net.predict([[1], [2]]).get(0, 0); // true
 * ```
 */
export function serializeModel(net: Network, options: SerializeOptions = {}): SerializedModel {
  return serializeModelAs('serializeModel', net, options);
}

/**
 * {@link serializeModel} with errors reported under the caller's name
 * (`saveModel`), so a failed save names the function the user called.
 */
export function serializeModelAs(where: string, net: Network, options: SerializeOptions = {}): SerializedModel {
  if (!(net instanceof Network)) throw new ValueError(`${where}: net: expected a Network, got ${typeName(net)}`);
  if (options === null || typeof options !== 'object') throw new ValueError(`${where}: options: expected an object, got ${describe(options)}`);
  const tensors = namedTensors(net);
  const float64 = net.dtype === 'float64';
  for (const [name, t] of tensors) assertFiniteWeights(t, name, where, float64);
  const metadata = options.metadata === undefined ? undefined : jsonMetadata(options.metadata, where);
  const total = tensors.reduce((s, [, t]) => s + t.size, 0);
  const size = bytesPer(net.dtype);
  const weights = new Uint8Array(total * size);
  const view = new DataView(weights.buffer);
  const entries: ModelManifest['weights']['tensors'] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    entries.push({ name, shape: [...t.shape], offset });
    if (float64) for (let i = 0; i < t.size; i++, offset += 8) view.setFloat64(offset, t.data[i]!, true);
    else for (let i = 0; i < t.size; i++, offset += 4) view.setFloat32(offset, t.data[i]!, true);
  }
  const manifest: ModelManifest = {
    format: 'layerwise-model',
    formatVersion: MODEL_FORMAT_VERSION,
    library: { name: 'layerwise', version: LIBRARY_VERSION },
    createdAt: new Date().toISOString(),
    network: {
      inputSize: net.inputSize,
      ...(net.inputShape.kind === 'image' ? { inputShape: [net.inputShape.h, net.inputShape.w, net.inputShape.c] as [number, number, number] } : {}),
      ...(net.examplesAsRows && net.inputShape.kind === 'flat' ? { inputShape: [net.inputSize] as [number] } : {}),
      ...(net.sequenceShape ? { inputShape: { sequence: [net.sequenceShape.units, net.sequenceShape.steps] as [number, number] } } : {}),
      layers: net.inputShape.kind === 'image' || net.sequenceShape !== null || net.stack.some((l) => l.type !== 'dense' && l.type !== 'dropout') ? net.specs : net.layerSpecs,
      loss: net.loss.kind,
      dtype: net.dtype,
      seed: net.seed,
      inputKeepProb: net.inputKeepProb,
      batchNormMomentum: net.batchNormMomentum,
      batchNormEpsilon: net.batchNormEpsilon,
    },
    // float32 weights have no dtype entry, so their files stay readable by versions before it.
    weights: { file: options.weightsFile ?? 'weights.bin', byteLength: weights.length, crc32: crc32(weights), ...(float64 ? { dtype: 'float64' as const } : {}), tensors: entries },
  };
  if (options.includeRngState) manifest.rngState = net.rng.getState();
  if (metadata) manifest.metadata = metadata;
  if (options.text !== undefined) {
    const text = textSchema.safeParse(options.text);
    if (!text.success) throw new ValueError(`${where}: options.text.${text.error.issues[0]!.path.join('.')}: ${text.error.issues[0]!.message}`);
    manifest.text = text.data;
  }
  return { manifest, weights };
}

// A NaN weight would be written, then refused by every load: fail before anything is written.
function assertFiniteWeights(t: Tensor, name: string, where: string, float64: boolean): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!Number.isFinite(v) || (!float64 && !Number.isFinite(Math.fround(v)))) {
      throw new ValueError(`${where}: net: ${name}: expected finite ${float64 ? 'float64' : 'float32'} weights, got ${v} at index ${i} (row ${Math.floor(i / t.cols)}, column ${i % t.cols}); did training diverge?`);
    }
  }
}

// JSON.stringify would turn NaN into null and drop functions silently; refuse them instead.
function jsonMetadata(metadata: unknown, where: string): Record<string, unknown> {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw new ValueError(`${where}: options.metadata: expected a plain object, got ${describe(metadata)}`);
  let text: string;
  try {
    text = JSON.stringify(metadata, (key, v: unknown) => {
      if ((typeof v === 'number' && !Number.isFinite(v)) || typeof v === 'function' || typeof v === 'symbol') {
        throw new ValueError(`${where}: options.metadata${key === '' ? '' : `.${key}`}: expected JSON values (finite numbers, strings, booleans, null, arrays, objects), got ${typeof v === 'number' ? v : `a ${typeof v}`}`);
      }
      return v;
    });
  } catch (e) {
    if (e instanceof ValueError) throw e;
    throw new ValueError(`${where}: options.metadata: expected JSON-serializable values, got ${e instanceof Error ? e.message : String(e)}`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

function typeName(v: unknown): string {
  if (v instanceof ArrayBuffer) return 'an ArrayBuffer';
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && v.constructor !== Object && typeof v.constructor?.name === 'string') return `a ${v.constructor.name}`;
  return describe(v);
}

/**
 * Validates a manifest (parsed JSON of unknown shape) without the weights: the
 * format, its version, and every field's type and range.
 *
 * @example
 * ```ts
 * import { MODEL_FORMAT_VERSION, Network, parseManifest, serializeModel } from 'layerwise';
 * const { manifest } = serializeModel(new Network({ inputSize: 2, layers: [{ units: 1 }] }));
 * parseManifest(JSON.parse(JSON.stringify(manifest))).formatVersion === MODEL_FORMAT_VERSION; // true
 * ```
 */
export function parseManifest(value: unknown, source = 'model.json'): ModelManifest {
  const where = 'loadModel';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ValueError(`${where}: ${source}: expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  const v = value as Record<string, unknown>;
  if (v.format !== 'layerwise-model') throw new ValueError(`${where}: ${source}: expected format "layerwise-model", got ${JSON.stringify(v.format)}`);
  if (typeof v.formatVersion === 'number' && v.formatVersion > MODEL_FORMAT_VERSION) {
    throw new ValueError(
      `${where}: ${source}: the model is format version ${v.formatVersion}, from a newer layerwise; this version (${LIBRARY_VERSION}) reads format versions up to ${MODEL_FORMAT_VERSION}. Upgrade layerwise to load it.`,
    );
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValueError(`${where}: ${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const s = parsed.data.rngState?.s;
  if (s && s.every((x) => x === 0)) {
    throw new ValueError(`${where}: ${source}: rngState.s: expected a non-zero generator state (xoshiro128** never leaves the all-zero state: it would return 0 forever), got [0, 0, 0, 0]`);
  }
  return parsed.data;
}

/**
 * Rebuilds a network from a manifest and its weights, checking the checksum,
 * the byte length and every tensor's shape against the architecture.
 *
 * @example
 * ```ts
 * import { Network, serializeModel, deserializeModel } from 'layerwise';
 * const { manifest, weights } = serializeModel(new Network({ inputSize: 2, layers: [{ units: 1 }] }));
 * deserializeModel(manifest, weights).network.layerDims.join() === '2,1'; // true
 * ```
 */
export function deserializeModel(
  manifestValue: unknown,
  weights: Uint8Array,
  source = 'model.json',
): { network: Network; manifest: ModelManifest; metadata: Record<string, unknown>; rngState: RngState | null } {
  const where = 'loadModel';
  assertBytes(weights);
  const manifest = parseManifest(manifestValue, source);
  const w = manifest.weights;
  if (weights.length !== w.byteLength) throw new ValueError(`${where}: ${w.file}: ${byteLengthMismatch(w.byteLength, weights.length)}`);
  const sum = crc32(weights);
  if (sum !== w.crc32) throw new ValueError(`${where}: ${w.file}: checksum mismatch: expected crc32 ${w.crc32}, got ${sum} (the file is corrupted)`);
  if (w.dtype === 'float64' && manifest.network.dtype !== 'float64') {
    throw new ValueError(`${where}: ${source}: weights.dtype: expected "${manifest.network.dtype}" like network.dtype, got "float64"`);
  }
  const network = buildNetwork(manifest.network, source);
  const expected = namedTensors(network);
  const entries = matchEntries(expected, w.tensors, `${where}: ${source}: weights.tensors`);
  const size = bytesPer(w.dtype);
  checkLayout(entries, w.byteLength, size, `${where}: ${source}`, w.file);
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  for (const { name, tensor: t, offset } of entries) {
    for (let i = 0; i < t.size; i++) {
      const v = size === 8 ? view.getFloat64(offset + i * 8, true) : view.getFloat32(offset + i * 4, true);
      if (!Number.isFinite(v)) throw new ValueError(`${where}: ${w.file}: ${name} holds ${v} at index ${i}; a saved model has finite weights`);
      t.data[i] = v;
    }
  }
  if (manifest.rngState) network.rng.setState(manifest.rngState as RngState);
  return { network, manifest, metadata: manifest.metadata ?? {}, rngState: (manifest.rngState as RngState | undefined) ?? null };
}

/**
 * What is wrong with a weights file of `got` bytes whose manifest says
 * `expected` (the words after the file's name).
 */
export function byteLengthMismatch(expected: number, got: number): string {
  const why = got < expected ? 'the file is truncated or does not belong to this manifest' : 'the file is longer than the manifest says: it does not belong to it';
  return `expected ${expected} bytes, got ${got} (${why})`;
}

function assertBytes(weights: unknown): void {
  if (weights instanceof Uint8Array) return;
  const hint = weights instanceof ArrayBuffer ? ' (wrap it: new Uint8Array(buffer))' : '';
  throw new ValueError(`deserializeModel: weights: expected a Uint8Array, got ${typeName(weights)}${hint}`);
}

// The schema checks each field alone; the Network checks how they combine (a loss that needs
// another output activation): its message gets the file and field prepended.
function buildNetwork(n: ModelManifest['network'], source: string): Network {
  try {
    if (n.inputShape && !Array.isArray(n.inputShape)) {
      const [nX, T] = n.inputShape.sequence;
      if (nX * T !== n.inputSize) throw new ValueError(`inputSize: expected ${nX} x ${T} = ${nX * T} (n_x T_x of inputShape.sequence), got ${n.inputSize}`);
    } else if (n.inputShape && n.inputShape.reduce((p, d) => p * d, 1) !== n.inputSize) {
      throw new ValueError(`inputSize: expected ${n.inputShape.join(' x ')} = ${n.inputShape.reduce((p, d) => p * d, 1)} (the product of inputShape), got ${n.inputSize}`);
    }
    return new Network({
      ...(n.inputShape ? { inputShape: n.inputShape } : { inputSize: n.inputSize }),
      layers: n.layers,
      loss: n.loss,
      dtype: n.dtype,
      seed: n.seed,
      inputKeepProb: n.inputKeepProb,
      batchNormMomentum: n.batchNormMomentum,
      batchNormEpsilon: n.batchNormEpsilon,
      init: 'zeros',
    });
  } catch (e) {
    if (!(e instanceof ValueError || e instanceof ShapeError)) throw e;
    throw new ValueError(`loadModel: ${source}: network.${e.message.replace(/^Network: /, '')}`);
  }
}

interface PlacedTensor {
  name: string;
  tensor: Tensor;
  offset: number;
}

function matchEntries(expected: [string, Tensor][], entries: ModelManifest['weights']['tensors'], where: string): PlacedTensor[] {
  const byName = new Map(entries.map((t) => [t.name, t]));
  if (entries.length !== expected.length) {
    throw new ValueError(`${where}: expected ${expected.length} tensors (${expected.map(([k]) => k).join(', ')}), got ${entries.length}`);
  }
  return expected.map(([name, t]) => {
    const e = byName.get(name);
    if (!e) throw new ValueError(`${where}: missing ${name}`);
    if (e.shape.length !== t.shape.length || e.shape.some((d, i) => d !== t.shape[i])) {
      throw new ValueError(`${where}: ${name}: expected shape (${t.shape.join(', ')}) from the architecture, got (${e.shape.join(', ')})`);
    }
    return { name, tensor: t, offset: e.offset };
  });
}

// Overlapping offsets would load one tensor's bytes into another without any other check noticing
// (the checksum covers the file, not the manifest): the tensors must tile the file exactly.
function checkLayout(placed: readonly PlacedTensor[], byteLength: number, size: number, where: string, file: string): void {
  let end = 0;
  let previous: PlacedTensor | null = null;
  for (const p of [...placed].sort((a, b) => a.offset - b.offset)) {
    if (p.offset + p.tensor.size * size > byteLength) throw new ValueError(`${where}: weights.tensors: ${p.name} lies past the end of ${file}`);
    if (p.offset !== end) {
      const after = previous ? `right after ${previous.name}, which ends at byte ${end}` : 'the start of the file';
      throw new ValueError(`${where}: weights.tensors: ${p.name}.offset: expected ${end} (${after}; tensors lie end to end), got ${p.offset}${p.offset < end ? ', which overlaps' : ''}`);
    }
    end = p.offset + p.tensor.size * size;
    previous = p;
  }
  if (end !== byteLength) throw new ValueError(`${where}: weights.byteLength: expected ${end} (the tensors' total size), got ${byteLength}`);
}
