/**
 * Transfer learning (course 4): keep a trained network's body, put a new head
 * on it for other classes, and fine-tune (usually with the body frozen first).
 */
import { ShapeError, ValueError } from '../tensor/errors.js';
import { describe } from '../tensor/validate.js';
import { formatFeatureShape } from './layers/shape.js';
import type { TypedLayerSpec } from './layers/spec.js';
import { Network, type LayerSpec } from './network.js';

/** Options of {@link replaceHead}. */
export interface ReplaceHeadOptions {
  /** How many declared layers of the body to keep; default all but the output layer. */
  keep?: number;
  /** Freeze the kept body (its weights and batch-norm statistics stay as they are while the head trains); default true. */
  freeze?: boolean;
  /** Seed of the new network's generator (the head's initial weights, shuffling, dropout); default the old network's. */
  seed?: number;
}

/**
 * A new network made of `net`'s first layers, with their trained weights
 * copied, and `head` (dense layers, the last one the new output) on top.
 *
 * @example
 * ```ts
 * import { Network, replaceHead } from 'layerwise';
 * const digits = new Network({ inputShape: [8, 8, 1], layers: [{ type: 'conv2d', filters: 4, size: 3 }, { type: 'flatten' }, { units: 10, activation: 'softmax' }] });
 * const letters = replaceHead(digits, [{ units: 26, activation: 'softmax' }]);
 * letters.outputLayer.units === 26 && letters.parameters.W1!.data[0] === digits.parameters.W1!.data[0]; // true
 * ```
 */
export function replaceHead(net: Network, head: readonly (LayerSpec | TypedLayerSpec)[], options: ReplaceHeadOptions = {}): Network {
  const where = 'replaceHead';
  if (!(net instanceof Network)) throw new ValueError(`${where}: net: expected a Network, got ${describe(net)}`);
  if (!Array.isArray(head) || head.length === 0) throw new ValueError(`${where}: head: expected a non-empty array of layer specs ending in the new output layer, got ${describe(head)}`);
  const body = net.declaredLayers;
  const keep = options.keep ?? body.length - 1;
  if (!Number.isInteger(keep) || keep < 1 || keep > body.length - 1) {
    throw new ValueError(`${where}: keep: expected an integer in [1, ${body.length - 1}] (the network has ${body.length} layers; the output layer is replaced), got ${describe(keep)}`);
  }
  const last = body[keep - 1]!;
  const first = head[0] as { type?: string };
  if (last.outputShape.kind === 'image' && first.type !== 'flatten') {
    throw new ShapeError(
      `${where}: keep: the body's last kept layer (${last.describe()}) outputs ${formatFeatureShape(last.outputShape)}, not a flat (n, m) activation; ` +
        "a dense head needs flat inputs: keep through a flatten or dense layer, or start the head with { type: 'flatten' }",
    );
  }
  const s = net.inputShape;
  const copy = new Network({
    ...(s.kind === 'image' ? { inputShape: [s.h, s.w, s.c] as [number, number, number] } : { inputSize: net.inputSize }),
    layers: [...body.slice(0, keep).map((l) => l.toSpec()), ...head],
    dtype: net.dtype,
    seed: options.seed ?? net.seed,
    inputKeepProb: net.inputKeepProb,
    batchNormMomentum: net.batchNormMomentum,
    batchNormEpsilon: net.batchNormEpsilon,
  });
  const fresh = copy.declaredLayers;
  for (let i = 0; i < keep; i++) {
    const from = body[i]!.state;
    fresh[i]!.state.forEach((t, k) => t.tensor.data.set(from[k]!.tensor.data));
    if (options.freeze ?? true) fresh[i]!.trainable = false;
  }
  return copy;
}
