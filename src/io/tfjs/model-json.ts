/**
 * The TensorFlow.js layers-model format: model.json holds the Keras topology
 * (`modelTopology`, snake_case configs) and a `weightsManifest` of groups,
 * each naming its binary files (`paths`) and the tensors they hold in order;
 * the weights are the files' bytes concatenated, little-endian float32.
 */
import { ValueError } from '../../tensor/errors.js';
import { describeJson } from '../onnx/sniff.js';

/** One Keras layer: its class name and snake_case config. */
export interface KerasLayer {
  class_name: string;
  config: Record<string, unknown>;
}

/** One tensor in the weights manifest. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** model.json of a TensorFlow.js layers model. */
export interface TfjsModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: string | null;
  modelTopology: { class_name: 'Sequential'; config: { name: string; layers: KerasLayer[] }; keras_version: string; backend: string };
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
  /** Free-form facts that travel with the model (tfjs: `model.getUserDefinedMetadata()`). */
  userDefinedMetadata?: Record<string, unknown>;
}

/** The layers, manifest entries and metadata of a model.json, checked for shape. */
export interface ParsedModelJson {
  layers: KerasLayer[];
  specs: { name: string; shape: number[]; dtype: string; group?: string }[];
  userDefinedMetadata: Record<string, unknown> | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Reads model.json (parsed JSON) or tfjs's in-memory ModelArtifacts
 * (`weightSpecs` in place of `weightsManifest`). Anything else is refused
 * with what it looks like.
 */
export function parseModelJson(value: unknown, where: string): ParsedModelJson {
  if (!isObject(value) || value.format !== 'layers-model' || !isObject(value.modelTopology)) {
    const got = isObject(value) && value.format === 'layers-model' ? 'a layers-model model.json without a modelTopology object' : describeJson(value);
    throw new ValueError(`${where}: modelJson: expected a TensorFlow.js layers model (model.json with format "layers-model", modelTopology and weightsManifest), got ${got}`);
  }
  const v = value as Record<string, unknown>;
  let topology = v.modelTopology as Record<string, unknown>;
  if (isObject(topology.model_config)) topology = topology.model_config; // older converters nest it
  const className = topology.class_name;
  if (className !== 'Sequential') {
    const why = className === 'Model' || className === 'Functional' ? 'a functional model: its layers form a graph, and importTfjs reads Sequential models, whose layers form one chain' : `class ${JSON.stringify(className)}`;
    throw new ValueError(`${where}: modelJson.modelTopology: expected a Sequential model, got ${why}`);
  }
  const config = topology.config;
  const layers = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(layers) || layers.length === 0) throw new ValueError(`${where}: modelJson.modelTopology.config.layers: expected a non-empty list of layers, got ${JSON.stringify(layers)}`);
  layers.forEach((l, i) => {
    if (!isObject(l) || typeof l.class_name !== 'string' || !isObject(l.config)) throw new ValueError(`${where}: modelJson.modelTopology.config.layers[${i}]: expected { class_name, config }, got ${describeJson(l)}`);
  });
  const groups: unknown = v.weightsManifest ?? (v.weightSpecs === undefined ? undefined : [{ paths: [], weights: v.weightSpecs }]);
  if (!Array.isArray(groups)) throw new ValueError(`${where}: modelJson.weightsManifest: expected a list of { paths, weights } groups, got ${JSON.stringify(groups)}`);
  const specs: ParsedModelJson['specs'] = [];
  groups.forEach((g, gi) => {
    const weights = isObject(g) ? g.weights : undefined;
    if (!Array.isArray(weights)) throw new ValueError(`${where}: modelJson.weightsManifest[${gi}].weights: expected a list of { name, shape, dtype }, got ${JSON.stringify(weights)}`);
    weights.forEach((w: unknown, wi) => {
      const at = `modelJson.weightsManifest[${gi}].weights[${wi}]`;
      if (!isObject(w) || typeof w.name !== 'string' || !Array.isArray(w.shape) || !w.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
        throw new ValueError(`${where}: ${at}: expected { name, shape: non-negative integers, dtype }, got ${JSON.stringify(w)}`);
      }
      if (w.quantization !== undefined) throw new ValueError(`${where}: ${at} (${w.name}): quantized weights are not supported; convert the model without quantization`);
      const dtype = typeof w.dtype === 'string' ? w.dtype : 'float32';
      if (dtype !== 'float32') throw new ValueError(`${where}: ${at} (${w.name}): expected float32 weights, got ${dtype}`);
      specs.push({ name: w.name, shape: w.shape as number[], dtype, ...(isObject(w) && typeof w.group === 'string' ? { group: w.group } : {}) });
    });
  });
  const meta = v.userDefinedMetadata;
  return { layers: layers as KerasLayer[], specs, userDefinedMetadata: isObject(meta) ? meta : null };
}

/** The manifest's tensors by name, read from the concatenated weight files; the byte count must match exactly. */
export function readWeights(specs: ParsedModelJson['specs'], bytes: Uint8Array, where: string): Map<string, { shape: number[]; values: Float64Array }> {
  const expected = specs.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (bytes.length !== expected) {
    const diff = bytes.length < expected ? `${expected - bytes.length} bytes short: truncated, or a weight file is missing` : `${bytes.length - expected} bytes too many: the weights belong to another model`;
    throw new ValueError(`${where}: weights: the manifest describes ${expected} bytes (${specs.length} float32 tensors), got ${bytes.length} (${diff})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, { shape: number[]; values: Float64Array }>();
  let offset = 0;
  for (const w of specs) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++, offset += 4) values[i] = view.getFloat32(offset, true);
    if (out.has(w.name)) throw new ValueError(`${where}: weights: "${w.name}" appears twice in the manifest`);
    out.set(w.name, { shape: w.shape, values });
  }
  return out;
}
