/**
 * An ONNX model as a layerwise Network: a chain of the operators in
 * `SUPPORTED_OPS` (what exportOnnx writes, and what torch.onnx.export writes
 * for an equivalent MLP or CNN), with residual blocks where the chain forks
 * into two paths that meet in an Add. Inputs are (batch, features) or images:
 * NHWC (exportOnnx's, a Transpose to NCHW first) or NCHW (PyTorch's; the
 * imported network takes the same images channels last, (m, h, w, c)).
 */
import { Standardizer } from '../../data/normalize.js';
import { flat, image } from '../../nn/layers/shape.js';
import type { Network } from '../../nn/network.js';
import { ValueError } from '../../tensor/errors.js';
import { checkOnnx } from './check.js';
import { GraphReader, type Constant } from './import-graph.js';
import { translate, type Cursor } from './import-ops.js';
import { firstEpsilon, networkFromImport, toImported, type Pending } from './network-state.js';
import { decodeOnnx } from './proto.js';

/** What {@link importOnnx} returns. */
export interface ImportedOnnx {
  network: Network;
  /** The input standardization the model does first (Sub, Div), or null. */
  standardizer: Standardizer | null;
  /** The output scaling the model does last (Mul, Add), or null. */
  targetStandardizer: Standardizer | null;
  /** The `classes` metadata entry (exportOnnx writes it), or null. */
  classes: string[] | null;
  /** Every metadata_props entry. */
  metadata: Record<string, string>;
}

/**
 * Reads an ONNX model into a Network that predicts what the model computes
 * (input standardization and output scaling come back separately, so the
 * network sees what it saw in training).
 *
 * @example
 * ```ts
 * import { Network, exportOnnx, importOnnx } from 'layerwise';
 * const net = new Network({ inputShape: [6, 6, 1], layers: [{ type: 'conv2d', filters: 2, size: 3 }, { type: 'maxPool2d', size: 2 }, { units: 1 }], seed: 3 });
 * const { network } = importOnnx(exportOnnx(net));
 * network.summary() === net.summary(); // true
 * ```
 */
export function importOnnx(bytes: Uint8Array): ImportedOnnx {
  const where = 'importOnnx';
  const model = decodeOnnx(bytes, where);
  const problems = checkOnnx(model);
  if (problems.length > 0) throw new ValueError(`${where}: not a valid ONNX graph: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}`);
  const opset = (model.opset_import ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0;
  const g = model.graph!;
  const r = new GraphReader(g, where, opset);
  const inputs = (g.input ?? []).filter((i) => !r.isConstant(i.name));
  if (inputs.length !== 1) throw new ValueError(`${where}: expected one graph input, got ${inputs.length} (${inputs.map((i) => i.name).join(', ')})`);
  if (r.outputs.length !== 1) throw new ValueError(`${where}: expected one graph output, got ${r.outputs.length} (${r.outputs.join(', ')})`);
  const input = inputs[0]!;
  const tensorType = input.type?.tensor_type;
  if (tensorType?.elem_type !== 1) throw new ValueError(`${where}: input "${input.name}": expected float32 values, got element type ${tensorType?.elem_type ?? 'none'}`);
  const dims = (tensorType.shape?.dim ?? []).slice(1).map((d) => d.dim_value ?? 0);
  if ((dims.length !== 1 && dims.length !== 3) || dims.some((d) => !(d > 0))) {
    throw new ValueError(`${where}: input "${input.name}": expected (batch, features) or (batch, 4 dims) images with fixed sizes after the batch, got (${(tensorType.shape?.dim ?? []).map((d) => d.dim_param ?? d.dim_value).join(', ')})`);
  }
  let x: Cursor = { name: input.name, layout: 'flat', shape: flat(dims[0]!), perm: null };
  const { cursor, mean, divisor } = standardization(r, x, dims);
  x = cursor;
  if (dims.length === 3) {
    const first = r.readersOf(x.name).map((k) => r.nodes[k]!);
    const nhwc = first.length === 1 && first[0]!.op_type === 'Transpose' && (first[0]!.attribute?.find((a) => a.name === 'perm')?.ints ?? []).join() === '0,3,1,2';
    const [a, b, c] = dims as [number, number, number];
    x = nhwc ? { ...x, layout: 'nhwc', shape: image(a, b, c) } : { ...x, layout: 'nchw', shape: image(b, c, a) };
    // PyTorch's NCHW statistics go to layerwise's (h, w, c) order.
    if (!nhwc && mean && divisor) [mean, divisor].forEach((v) => v.set(chwToHwc(v, a, b, c)));
  }
  const standardizer = mean && divisor ? Standardizer.fromJSON({ kind: 'standardizer', version: 1, mean: Array.from(mean), std: Array.from(divisor) }) : null;
  const out: Pending[] = [];
  const end = walk(r, x, out, false);
  const last = out.at(-1);
  if (!last || last.kind !== 'dense' || last.bn) {
    throw new ValueError(`${where}: the model ends in ${last ? describePending(last) : 'no layer'}; a layerwise network ends in a dense output layer (Gemm or MatMul, then at most an activation) that the loss reads`);
  }
  const outputName = end.target ? end.target.output : end.x.name;
  if (outputName !== r.outputs[0]) throw new ValueError(`${where}: the chain ends at "${outputName}", not at the graph output "${r.outputs[0]}"`);
  const left = r.leftOver();
  if (left.length > 0) throw new ValueError(`${where}: ${left.length} node(s) are off the chain from the input to the output, e.g. ${r.label(left[0]!)}; only chains (with residual blocks) are supported`);
  const epsilon = firstEpsilon(out) ?? 1e-5;
  const layers = out.map((p) => toImported(p, epsilon));
  const s = x.shape;
  const network = networkFromImport(where, { ...(s.kind === 'image' ? { inputShape: [s.h, s.w, s.c] } : { inputSize: s.units }), batchNormEpsilon: epsilon }, layers);
  const metadata = Object.fromEntries((model.metadata_props ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  return { network, standardizer, targetStandardizer: end.target?.standardizer ?? null, classes: classesOf(metadata.classes, last.units), metadata };
}

/** Walks from x along the chain; inside a residual path, stops at the Add that joins it. */
function walk(r: GraphReader, start: Cursor, out: Pending[], inBlock: boolean): { x: Cursor; join: number | null; target?: { standardizer: Standardizer; output: string } } {
  let x = start;
  for (;;) {
    const readers = r.readersOf(x.name);
    if (readers.length === 0) return { x, join: null };
    if (readers.length > 2) throw new ValueError(`${r.where}: "${x.name}" is read by ${readers.length} nodes (${readers.map((k) => r.label(k)).join(', ')}); only chains and two-path residual blocks are supported`);
    const shape = readers.find((k) => r.nodes[k]!.op_type === 'Shape');
    if (shape !== undefined) throw r.error(shape, 'computes a shape in the graph (for a Reshape?); export the model with a static flatten (torch.flatten(x, 1) or nn.Flatten) instead');
    if (readers.length === 2) {
      x = residual(r, x, readers as [number, number], out);
      continue;
    }
    const k = readers[0]!;
    const n = r.nodes[k]!;
    if (n.op_type === 'Add' && !n.input.some((i) => r.isConstant(i))) {
      if (inBlock) return { x, join: k };
      throw r.error(k, 'adds two computed values outside a residual block');
    }
    if (n.op_type === 'Mul' && x.layout === 'flat' && !inBlock) return { x, join: null, target: outputScaling(r, k, x) };
    x = translate(r, k, x, out);
  }
}

/** A residual block: two paths from x (one may be x itself) that meet in an Add; the longer is the main path. */
function residual(r: GraphReader, x: Cursor, readers: [number, number], out: Pending[]): Cursor {
  const paths = readers.map((k) => {
    const layers: Pending[] = [];
    const n = r.nodes[k]!;
    if (n.op_type === 'Add' && !n.input.some((i) => r.isConstant(i))) return { layers, end: x, join: k };
    const end = walk(r, translate(r, k, x, layers), layers, true);
    return { layers, end: end.x, join: end.join };
  });
  const [a, b] = paths as [(typeof paths)[0], (typeof paths)[0]];
  if (a.join === null || a.join !== b.join) throw new ValueError(`${r.where}: the two paths from "${x.name}" do not meet in one Add (a residual block); only chains and residual blocks are supported`);
  if (a.end.layout !== b.end.layout || a.end.perm || b.end.perm) throw r.error(a.join, 'adds values of different layouts');
  const add = r.take(a.join);
  const [main, shortcut] = a.layers.length >= b.layers.length ? [a.layers, b.layers] : [b.layers, a.layers];
  out.push({ kind: 'residual', main, shortcut, act: { kind: 'linear' } });
  return { ...a.end, name: add.output[0]! };
}

/** Mul by a constant then Add of a constant at the end: a target standardizer (exportOnnx writes it for regressions). */
function outputScaling(r: GraphReader, k: number, x: Cursor): { standardizer: Standardizer; output: string } {
  const mul = r.take(k);
  const units = x.shape.kind === 'flat' ? x.shape.units : 0;
  const constOf = (node: number, inputs: string[]): Constant | null => {
    const c = inputs.find((i) => r.isConstant(i));
    return c === undefined ? null : r.constant(c, node, 'the scale');
  };
  const scale = constOf(k, mul.input);
  const addK = r.readersOf(mul.output[0]!);
  const add = addK.length === 1 && r.nodes[addK[0]!]!.op_type === 'Add' ? addK[0]! : -1;
  const shift = add >= 0 ? constOf(add, r.nodes[add]!.input) : null;
  if (!scale || !shift) throw r.error(k, 'a Mul is supported only as the output scaling (Mul by a constant, then Add of a constant) at the end of the graph');
  r.take(add);
  const std = broadcast(scale, [units], r, k);
  if (std.some((v) => !(v > 0))) throw r.error(k, 'the output scale must be positive (a standard deviation)');
  const standardizer = Standardizer.fromJSON({ kind: 'standardizer', version: 1, mean: Array.from(broadcast(shift, [units], r, add)), std: Array.from(std) });
  return { standardizer, output: r.nodes[add]!.output[0]! };
}

/** Sub (and Div) by constants on the input: the standardizer, per feature in the input's own order. */
function standardization(r: GraphReader, x: Cursor, dims: number[]): { cursor: Cursor; mean: Float64Array | null; divisor: Float64Array | null } {
  let cursor = x;
  const found: { Sub?: Float64Array; Div?: Float64Array } = {};
  for (const op of ['Sub', 'Div'] as const) {
    const readers = r.readersOf(cursor.name);
    const k = readers.length === 1 ? readers[0]! : -1;
    const n = k >= 0 ? r.nodes[k]! : undefined;
    if (n?.op_type !== op || n.input[0] !== cursor.name || !r.isConstant(n.input[1] ?? '')) continue;
    const c = broadcast(r.constant(n.input[1]!, k, 'the statistic'), dims, r, k);
    if (op === 'Div' && c.some((v) => !(v > 0))) throw r.error(k, 'the input is divided by a value that is not positive; expected standard deviations');
    found[op] = c;
    r.take(k);
    cursor = { ...cursor, name: n.output[0]! };
  }
  if (!found.Sub && !found.Div) return { cursor, mean: null, divisor: null };
  const size = dims.reduce((a, b) => a * b, 1);
  return { cursor, mean: found.Sub ?? new Float64Array(size), divisor: found.Div ?? new Float64Array(size).fill(1) };
}

/** A constant broadcast (numpy rules, an optional leading batch dim of 1) to one example of `dims`. */
function broadcast(c: Constant, dims: readonly number[], r: GraphReader, k: number): Float64Array {
  let cd = [...c.dims];
  if (cd.length === dims.length + 1 && cd[0] === 1) cd = cd.slice(1);
  if (cd.length > dims.length) throw r.error(k, `a constant of shape [${c.dims.join(', ')}] does not broadcast to one example (${dims.join(', ')})`);
  cd = [...new Array<number>(dims.length - cd.length).fill(1), ...cd];
  if (cd.some((d, i) => d !== 1 && d !== dims[i])) throw r.error(k, `a constant of shape [${c.dims.join(', ')}] does not broadcast to one example (${dims.join(', ')})`);
  const size = dims.reduce((a, b) => a * b, 1);
  const out = new Float64Array(size);
  for (let f = 0; f < size; f++) {
    let rest = f;
    let src = 0;
    let stride = 1;
    for (let i = dims.length - 1; i >= 0; i--) {
      const idx = rest % dims[i]!;
      rest = Math.floor(rest / dims[i]!);
      if (cd[i] !== 1) src += idx * stride;
      stride *= cd[i]!;
    }
    out[f] = c.values[src]!;
  }
  return out;
}

function chwToHwc(v: Float64Array, c: number, h: number, w: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < h * w; i++) out[i * c + ch] = v[ch * h * w + i]!;
  return out;
}

function describePending(p: Pending): string {
  return p.kind === 'dense' ? 'a batch-normalized dense layer' : p.kind === 'activation' ? `a separate ${p.act.kind} activation` : `a ${p.kind} layer`;
}

function classesOf(json: string | undefined, units: number): string[] | null {
  if (json === undefined) return null;
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) && v.every((c) => typeof c === 'string') && v.length === (units === 1 ? 2 : units) ? (v as string[]) : null;
  } catch {
    return null;
  }
}
