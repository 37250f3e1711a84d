/**
 * An imported model becomes a layerwise Network: layer specs and, for each,
 * its tensors in the order of the layer's `state` (W, b; or W, gamma, beta,
 * runningMean, runningVar; a residual block's main path, then its shortcut).
 * Shared by the ONNX and TensorFlow.js importers.
 */
import type { Activation } from '../../backend/backend.js';
import { activationToSpec } from '../../nn/activations.js';
import type { TypedLayerSpec } from '../../nn/layers/spec.js';
import { namedState, Network, type NetworkOptions } from '../../nn/network.js';
import { ValueError } from '../../tensor/errors.js';

/** One imported layer: its spec and the values of its state tensors, in order. */
export interface ImportedLayer {
  spec: TypedLayerSpec;
  state: Float64Array[];
}

/** Builds the network and copies every imported tensor into it; `where` names the importer in errors. */
export function networkFromImport(where: string, options: Omit<NetworkOptions, 'layers'>, layers: readonly ImportedLayer[]): Network {
  let net: Network;
  try {
    net = new Network({ ...options, layers: layers.map((l) => l.spec) });
  } catch (e) {
    if (e instanceof ValueError || (e instanceof Error && e.name === 'ShapeError')) throw new ValueError(`${where}: the model maps to layers layerwise cannot build: ${e.message.replace(/^Network: /, '')}`);
    throw e;
  }
  const tensors = namedState(net);
  const values = layers.flatMap((l) => l.state);
  if (tensors.length !== values.length) throw new ValueError(`${where}: internal error: ${values.length} imported tensors for the network's ${tensors.length}`);
  tensors.forEach(([name, t], i) => {
    const v = values[i]!;
    if (v.length !== t.size) throw new ValueError(`${where}: ${name}: expected ${t.size} values for shape (${t.shape.join(', ')}), got ${v.length}`);
    for (let k = 0; k < v.length; k++) {
      if (!Number.isFinite(v[k]!)) throw new ValueError(`${where}: ${name}: expected finite weights, got ${v[k]} at index ${k}`);
    }
    t.data.set(v);
  });
  return net;
}

/** A layer's running variance adjusted from the model's epsilon to the network's: var + eps - netEps keeps var + eps. */
export function varianceFor(variance: Float64Array, epsilon: number, netEpsilon: number): Float64Array {
  return epsilon === netEpsilon ? variance : variance.map((v) => v + epsilon - netEpsilon);
}

/** (rows, cols) row-major values transposed to (cols, rows). */
export function transposed(values: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = values[i * cols + j]!;
  return out;
}

/** Batch normalization's parameters, per unit or channel. */
export interface BnParams {
  gamma: Float64Array;
  beta: Float64Array;
  mean: Float64Array;
  variance: Float64Array;
  epsilon: number;
}

/** A layer on its way to a layerwise spec. */
export type Pending =
  | { kind: 'dense'; units: number; W: Float64Array; b: Float64Array; bn: BnParams | null; act: Activation; keepProb?: number }
  | { kind: 'conv'; filters: number; size: number; stride: number; pad: number; W: Float64Array; b: Float64Array; bn: BnParams | null; act: Activation }
  | { kind: 'batchNorm'; bn: BnParams }
  | { kind: 'activation'; act: Activation }
  | { kind: 'dropout'; keepProb: number }
  | { kind: 'pool'; mode: 'max' | 'average'; size: number; stride: number }
  | { kind: 'zeroPad'; pad: number }
  | { kind: 'flatten' }
  | { kind: 'residual'; main: Pending[]; shortcut: Pending[]; act: Activation };

/** Adds an activation: into the layer before it when that one is linear (a dense, conv or residual; a dense without dropout), else as a layer. */
export function addActivation(out: Pending[], act: Activation): void {
  const last = out.at(-1);
  if (last && (last.kind === 'dense' || last.kind === 'conv' || last.kind === 'residual') && last.act.kind === 'linear' && !(last.kind === 'dense' && last.keepProb)) last.act = act;
  else out.push({ kind: 'activation', act });
}

/**
 * Adds batch normalization: into the dense or conv layer before it when that one is linear and
 * not normalized yet (Z = BN(W x + b) = BN'(W x) with the mean moved by b: layerwise's
 * batch-normalized layers have no b), else as a layer.
 */
export function addBatchNorm(out: Pending[], bn: BnParams): void {
  const last = out.at(-1);
  if (last && (last.kind === 'dense' || last.kind === 'conv') && !last.bn && last.act.kind === 'linear' && !(last.kind === 'dense' && last.keepProb)) last.bn = { ...bn, mean: bn.mean.map((m, i) => m - last.b[i]!) };
  else out.push({ kind: 'batchNorm', bn });
}

/** The epsilon of the first batch normalization, which becomes the network's. */
export function firstEpsilon(layers: readonly Pending[]): number | undefined {
  for (const p of layers) {
    if ((p.kind === 'dense' || p.kind === 'conv' || p.kind === 'batchNorm') && p.bn) return p.bn.epsilon;
    if (p.kind === 'residual') {
      const e = firstEpsilon([...p.main, ...p.shortcut]);
      if (e !== undefined) return e;
    }
  }
  return undefined;
}

function bnState(bn: BnParams, epsilon: number): Float64Array[] {
  return [bn.gamma, bn.beta, bn.mean, varianceFor(bn.variance, bn.epsilon, epsilon)];
}

/** A pending layer as a spec and its state tensors; variances are moved to the network's epsilon. */
export function toImported(p: Pending, epsilon: number): ImportedLayer {
  switch (p.kind) {
    case 'dense':
      return { spec: { type: 'dense', units: p.units, activation: activationToSpec(p.act), ...(p.bn ? { batchNorm: true } : {}), ...(p.keepProb ? { keepProb: p.keepProb } : {}) }, state: p.bn ? [p.W, ...bnState(p.bn, epsilon)] : [p.W, p.b] };
    case 'conv':
      return {
        spec: { type: 'conv2d', filters: p.filters, size: p.size, stride: p.stride, padding: p.pad, activation: activationToSpec(p.act), ...(p.bn ? { batchNorm: true } : {}) },
        state: p.bn ? [p.W, ...bnState(p.bn, epsilon)] : [p.W, p.b],
      };
    case 'batchNorm':
      return { spec: { type: 'batchNorm' }, state: bnState(p.bn, epsilon) };
    case 'activation':
      return { spec: { type: 'activation', activation: activationToSpec(p.act) }, state: [] };
    case 'dropout':
      return { spec: { type: 'dropout', keepProb: p.keepProb }, state: [] };
    case 'pool':
      return { spec: { type: p.mode === 'max' ? 'maxPool2d' : 'avgPool2d', size: p.size, stride: p.stride }, state: [] };
    case 'zeroPad':
      return { spec: { type: 'zeroPad2d', pad: p.pad }, state: [] };
    case 'flatten':
      return { spec: { type: 'flatten' }, state: [] };
    case 'residual': {
      const main = p.main.map((l) => toImported(l, epsilon));
      const shortcut = p.shortcut.map((l) => toImported(l, epsilon));
      return { spec: { type: 'residual', main: main.map((l) => l.spec), shortcut: shortcut.map((l) => l.spec), activation: activationToSpec(p.act) }, state: [...main, ...shortcut].flatMap((l) => l.state) };
    }
  }
}

