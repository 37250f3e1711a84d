/**
 * A trained network as an ONNX model (the bytes of an .onnx file), for
 * onnxruntime and every other ONNX runtime. Layouts:
 *
 * - input `input`: (batch, n_x) feature rows, or (batch, n_H, n_W, n_C)
 *   images, channels last, like layerwise's image X (a Transpose turns them
 *   into ONNX's NCHW); with a standardizer, raw features (Sub, Div nodes do
 *   what `Standardizer.transform` does);
 * - output `output`: (batch, n[L]), one row per example: the transpose of
 *   `net.predict`'s (n[L], m) columns.
 *
 * Weights are written as float32 (a float64 network is rounded).
 */
import { Standardizer, type StandardizerJSON } from '../../data/normalize.js';
import { Network } from '../../nn/network.js';
import { ValueError } from '../../tensor/errors.js';
import { assertKnownKeys, describe } from '../../tensor/validate.js';
import { LIBRARY_VERSION } from '../version.js';
import { emitChain, type Value } from './export-layers.js';
import { GraphBuilder, ints } from './graph.js';
import { DataType, encodeOnnx, type ModelProto, type ValueInfoProto } from './proto.js';
import { assertExportable } from '../exportable.js';

/** The opsets exportOnnx writes: 13 (Softmax over one axis) up to 21. */
export const ONNX_OPSETS = { min: 13, max: 21, default: 13 } as const;

/** Options of {@link exportOnnx}. */
export interface OnnxExportOptions {
  /** The ai.onnx opset, 13 (default) to 21. */
  opset?: number;
  /** The training features' statistics: exported as Sub/Div so the model takes raw features. */
  standardizer?: Standardizer | StandardizerJSON | null;
  /** A regression's target statistics: exported as Mul/Add so the output is in the target's units. */
  targetStandardizer?: Standardizer | StandardizerJSON | null;
  /** Class names, one per output unit (two for one sigmoid unit); stored as the `classes` metadata entry (JSON). */
  classes?: readonly string[] | null;
  /** More metadata_props entries. */
  metadata?: Record<string, string>;
}

const OPTION_KEYS: readonly (keyof OnnxExportOptions)[] = ['opset', 'standardizer', 'targetStandardizer', 'classes', 'metadata'];

/** The IR version that goes with an opset (onnx/helper.py's VERSION_TABLE). */
function irVersion(opset: number): number {
  return opset <= 14 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
}

/**
 * The network as ONNX bytes: Gemm, Conv, BatchNormalization (running
 * statistics), MaxPool/AveragePool, Pad, Flatten, Add and the activations;
 * dropout is left out (it is the identity at inference).
 *
 * @example
 * ```ts
 * import { Network, exportOnnx, importOnnx } from 'layerwise';
 * const net = new Network({ inputSize: 3, layers: [{ units: 4, activation: 'relu' }, { units: 2, activation: 'softmax' }], seed: 1 });
 * const bytes = exportOnnx(net, { classes: ['no', 'yes'] }); // write it to model.onnx
 * const back = importOnnx(bytes);
 * back.classes!.join() === 'no,yes'; // true
 * Math.abs(back.network.predict([[1], [2], [3]]).get(1, 0) - net.predict([[1], [2], [3]]).get(1, 0)) < 1e-6; // true
 * ```
 */
export function exportOnnx(net: Network, options: OnnxExportOptions = {}): Uint8Array {
  const where = 'exportOnnx';
  if (!(net instanceof Network)) throw new ValueError(`${where}: net: expected a Network, got ${describe(net)}`);
  if (options === null || typeof options !== 'object') throw new ValueError(`${where}: options: expected an object, got ${describe(options)}`);
  assertKnownKeys(options, OPTION_KEYS, where, 'options.');
  const opset = checkOpset(options.opset ?? ONNX_OPSETS.default, where);
  assertExportable(net, where, 'ONNX');
  net.checkParameters(where);
  const s = net.inputShape;
  const g = new GraphBuilder(['input', 'output']);
  let x: Value = { name: 'input', layout: 'flat' };
  const inputDims = s.kind === 'flat' ? [s.units] : [s.h, s.w, s.c];
  const std = toStandardizer(options.standardizer, net.inputSize, where, 'options.standardizer', 'the network takes');
  if (std) {
    const dims = [1, ...inputDims];
    const mean = g.constant('standardizer.mean', dims, std.mean.data);
    const sigma = g.constant('standardizer.std', dims, Array.from(std.std.data, (v) => (v === 0 ? 1 : v)));
    x = { name: g.node('Div', [g.node('Sub', [x.name, mean], 'standardizer.centred'), sigma], 'standardizer.X'), layout: 'flat' };
  }
  if (s.kind === 'image') x = { name: g.node('Transpose', [x.name], 'input.nchw', { perm: ints([0, 3, 1, 2]) }), layout: 'nchw' };
  let y = emitChain(g, net.stack, x, 'layer', net.batchNormEpsilon).name;
  const units = net.outputLayer.units;
  const target = toStandardizer(options.targetStandardizer, units, where, 'options.targetStandardizer', 'the output layer has');
  if (target) {
    const sigma = g.constant('targetStandardizer.std', [1, units], Array.from(target.std.data, (v) => (v === 0 ? 1 : v)));
    const mean = g.constant('targetStandardizer.mean', [1, units], target.mean.data);
    y = g.node('Add', [g.node('Mul', [y, sigma], 'targetStandardizer.scaled'), mean], 'targetStandardizer.Y');
  }
  g.rename(y, 'output');
  const model: ModelProto = {
    ir_version: irVersion(opset),
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'layerwise',
    producer_version: LIBRARY_VERSION,
    doc_string: LAYOUT_DOC,
    graph: {
      name: 'layerwise',
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo('input', inputDims, std ? 'raw features (standardized inside the model)' : 'features as the network takes them')],
      output: [valueInfo('output', [units], 'one row per example: the transpose of net.predict(X)')],
    },
    metadata_props: metadataProps(options, units, s.kind === 'image', std !== null, where),
  };
  return encodeOnnx(model);
}

const LAYOUT_DOC =
  'Exported by layerwise. input: (batch, n_x) feature rows, or (batch, n_H, n_W, n_C) images, channels last as layerwise takes them. ' +
  "output: (batch, n[L]), one row per example (layerwise's predict gives the transpose, (n[L], m)).";

function checkOpset(opset: unknown, where: string): number {
  if (typeof opset !== 'number' || !Number.isInteger(opset)) throw new ValueError(`${where}: options.opset: expected an integer from ${ONNX_OPSETS.min} to ${ONNX_OPSETS.max}, got ${describe(opset)}`);
  if (opset < ONNX_OPSETS.min) {
    throw new ValueError(
      `${where}: options.opset: expected ${ONNX_OPSETS.min} or later, got ${opset}: before opset 13 Softmax flattens its input to 2-D around the axis instead of normalizing over the class axis alone, so layerwise writes opsets ${ONNX_OPSETS.min} to ${ONNX_OPSETS.max}`,
    );
  }
  if (opset > ONNX_OPSETS.max) throw new ValueError(`${where}: options.opset: expected at most ${ONNX_OPSETS.max} (the newest opset this version writes and tests), got ${opset}`);
  return opset;
}

function toStandardizer(value: unknown, n: number, where: string, name: string, what: string): Standardizer | null {
  if (value === undefined || value === null) return null;
  const std = value instanceof Standardizer ? value : Standardizer.fromJSON(value);
  if (std.features !== n) throw new ValueError(`${where}: ${name}: expected statistics of ${n} values (${what} ${n}), got ${std.features}`);
  return std;
}

function valueInfo(name: string, dims: readonly number[], doc: string): ValueInfoProto {
  return { name, doc_string: doc, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: [{ dim_param: 'batch' }, ...dims.map((d) => ({ dim_value: d }))] } } } };
}

function metadataProps(options: OnnxExportOptions, units: number, images: boolean, standardized: boolean, where: string): { key: string; value: string }[] {
  const props: { key: string; value: string }[] = [
    { key: 'layerwise.input_layout', value: images ? 'NHWC images (batch, height, width, channels)' : 'feature rows (batch, features)' },
    { key: 'layerwise.output_layout', value: `rows (batch, ${units})` },
    { key: 'layerwise.standardized_inside', value: String(standardized) },
  ];
  const classes = options.classes;
  if (classes !== undefined && classes !== null) {
    const expected = units === 1 ? 2 : units;
    if (!Array.isArray(classes) || classes.length !== expected || classes.some((c) => typeof c !== 'string')) {
      throw new ValueError(`${where}: options.classes: expected ${expected} class names (strings) for an output layer of ${units} unit${units === 1 ? '' : 's'}, got ${describe(classes)}`);
    }
    props.push({ key: 'classes', value: JSON.stringify(classes) });
  }
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    if (typeof value !== 'string') throw new ValueError(`${where}: options.metadata.${key}: expected a string, got ${describe(value)}`);
    props.push({ key, value });
  }
  return props;
}
