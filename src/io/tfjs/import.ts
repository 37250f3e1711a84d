/**
 * A TensorFlow.js layers model (model.json and its weights, as tfjs's
 * `model.save` or tensorflowjs_converter writes them from Keras) as a
 * layerwise Network that predicts what TensorFlow.js predicts and trains on.
 */
import { flat, image, type FeatureShape } from '../../nn/layers/shape.js';
import type { Network } from '../../nn/network.js';
import { ValueError } from '../../tensor/errors.js';
import { firstEpsilon, networkFromImport, toImported, type Pending } from '../onnx/network-state.js';
import { SUPPORTED_LAYERS, translateLayer, type LayerContext } from './import-layers.js';
import { parseModelJson, readWeights } from './model-json.js';

/** What {@link importTfjs} returns. */
export interface ImportedTfjs {
  network: Network;
  /** model.json's userDefinedMetadata (exportTfjs stores class names and statistics there), or null. */
  metadata: Record<string, unknown> | null;
}

/**
 * Reads a Sequential TensorFlow.js layers model: `modelJson` is model.json
 * parsed (or tfjs's ModelArtifacts, with `weightSpecs`), `weights` the bytes
 * of its weight files concatenated in manifest order.
 *
 * @example
 * ```ts
 * import { Network, exportTfjs, importTfjs } from 'layerwise';
 * const net = new Network({ inputShape: [5, 5, 1], layers: [{ type: 'conv2d', filters: 2, size: 3, padding: 'same', batchNorm: true }, { type: 'maxPool2d', size: 2 }, { units: 3, activation: 'softmax' }], seed: 4 });
 * const { modelJson, weights } = exportTfjs(net);
 * const back = importTfjs(JSON.parse(JSON.stringify(modelJson)), weights).network;
 * back.summary() === net.summary(); // true
 * ```
 */
export function importTfjs(modelJson: unknown, weights: Uint8Array | ArrayBuffer): ImportedTfjs {
  const where = 'importTfjs';
  const bytes = weights instanceof ArrayBuffer ? new Uint8Array(weights) : weights;
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`${where}: weights: expected a Uint8Array or ArrayBuffer (the weight files' bytes), got ${typeof weights}`);
  const parsed = parseModelJson(modelJson, where);
  const tensors = readWeights(parsed.specs, bytes, where);
  const used = new Set<string>();
  const layers = parsed.layers;
  const input = inputShape(layers[0]!.config, where, `layer 0 (${layers[0]!.class_name})`);
  let shape = input;
  let momentum: number | undefined;
  const out: Pending[] = [];
  layers.forEach((l, i) => {
    const name = typeof l.config.name === 'string' ? l.config.name : `layer_${i}`;
    const at = `layer ${i} (${l.class_name} "${name}")`;
    if (l.class_name === 'InputLayer') {
      if (i !== 0) throw new ValueError(`${where}: ${at}: an InputLayer must come first`);
      return;
    }
    if (l.class_name === 'BatchNormalization' && momentum === undefined && typeof l.config.momentum === 'number') momentum = l.config.momentum;
    const c: LayerContext = {
      at,
      where,
      config: l.config,
      weight: (w, expected) => {
        const key = [...tensors.keys()].find((k) => k === `${name}/${w}` || k.endsWith(`/${name}/${w}`));
        if (key === undefined) throw new ValueError(`${where}: ${at}: the weights manifest has no "${name}/${w}" (it holds ${[...tensors.keys()].slice(0, 6).join(', ')}${tensors.size > 6 ? ', ...' : ''})`);
        const t = tensors.get(key)!;
        if (t.shape.join() !== expected.join()) {
          throw new ValueError(`${where}: ${at}: weights "${key}" have shape [${t.shape.join(', ')}], but the topology gives [${expected.join(', ')}] (input ${describeShape(shape)})`);
        }
        used.add(key);
        return t.values;
      },
    };
    shape = translateLayer(l.class_name, c, shape, out);
  });
  const unused = parsed.specs.filter((s) => !used.has(s.name) && s.group !== 'optimizer' && !s.name.startsWith('optimizer'));
  if (unused.length > 0) throw new ValueError(`${where}: weights: ${unused.length} tensor(s) belong to no layer of the topology, e.g. "${unused[0]!.name}" [${unused[0]!.shape.join(', ')}]`);
  const last = out.at(-1);
  if (!last || last.kind !== 'dense' || last.bn) {
    const what = !last ? 'no layer' : last.kind === 'dense' ? 'a batch-normalized Dense' : last.kind === 'activation' ? `a ${last.act.kind} activation after a layer that already has one` : `a ${last.kind} layer`;
    throw new ValueError(`${where}: the model ends in ${what}; a layerwise network ends in a Dense output layer (with its activation) that the loss reads`);
  }
  const epsilon = firstEpsilon(out) ?? 1e-5;
  const options = {
    ...(input.kind === 'image' ? { inputShape: [input.h, input.w, input.c] as [number, number, number] } : { inputSize: input.units }),
    batchNormEpsilon: epsilon,
    ...(momentum !== undefined && momentum >= 0 && momentum < 1 ? { batchNormMomentum: momentum } : {}),
  };
  return { network: networkFromImport(where, options, out.map((p) => toImported(p, epsilon))), metadata: parsed.userDefinedMetadata };
}

function describeShape(s: FeatureShape): string {
  return s.kind === 'flat' ? `(batch, ${s.units})` : `(batch, ${s.h}, ${s.w}, ${s.c})`;
}

/** The input shape from the first layer's batch_input_shape (tfjs, Keras 2), batch_shape (Keras 3), input_shape or input_dim. */
function inputShape(config: Record<string, unknown>, where: string, at: string): FeatureShape {
  const raw = config.batch_input_shape ?? config.batch_shape;
  const dims = Array.isArray(raw) ? raw.slice(1) : Array.isArray(config.input_shape) ? config.input_shape : typeof config.input_dim === 'number' ? [config.input_dim] : null;
  if (!dims) throw new ValueError(`${where}: ${at}: the first layer declares no input shape (batch_input_shape); expected a Sequential model built with an input shape`);
  if (!dims.every((d) => Number.isInteger(d) && (d as number) > 0) || (dims.length !== 1 && dims.length !== 3)) {
    throw new ValueError(`${where}: ${at}: input shape [${dims.map(String).join(', ')}]: expected (features) or (height, width, channels) with fixed sizes; supported layers: ${SUPPORTED_LAYERS.join(', ')}`);
  }
  const d = dims as number[];
  return d.length === 1 ? flat(d[0]!) : image(d[0]!, d[1]!, d[2]!);
}
