/**
 * What the ONNX and TensorFlow.js exporters cover, checked once for both: layers over flat or image
 * activations ({@link LAYER_TYPES}), residual blocks included. Sequence networks, and a layer of
 * another type in a flat network (a layerNorm, say), are refused before anything is written.
 */
import type { Network } from '../nn/network.js';
import type { AnyLayer } from '../nn/layers/layer.js';
import { ResidualLayer } from '../nn/layers/residual.js';
import { LAYER_TYPES, type AnyLayerType } from '../nn/layers/spec.js';
import { ValueError } from '../tensor/errors.js';

const COVERED: ReadonlySet<AnyLayerType> = new Set(LAYER_TYPES);

/** The types of every layer, those inside residual blocks included. */
function layerTypes(layers: readonly AnyLayer[]): AnyLayerType[] {
  return layers.flatMap((l) => (l instanceof ResidualLayer ? [l.type, ...layerTypes(l.main), ...layerTypes(l.shortcut)] : [l.type]));
}

/** Throws, naming the layers the export does not cover, unless `net` is made only of covered layers. */
export function assertExportable(net: Network, where: string, format: string): void {
  const types = [...new Set(layerTypes(net.layerStack))];
  const uncovered = types.filter((t) => !COVERED.has(t));
  if (!net.sequenceShape && uncovered.length === 0) return;
  const what = net.sequenceShape ? `a sequence network (${types.join(', ')})` : `a network with ${uncovered.join(', ')} layers`;
  throw new ValueError(`${where}: net: ${what} cannot be exported to ${format} yet: the export covers dense, convolutional, pooling, padding, batch-norm, dropout, activation and residual layers`);
}
