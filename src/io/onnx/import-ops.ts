/**
 * ONNX operators as layerwise layers, one node at a time along the chain.
 * Layerwise's images are channels last; ONNX's are NCHW: filters are
 * transposed, and a Flatten of an NCHW tensor (PyTorch's order, c then h
 * then w) leaves a permutation that the next dense layer's columns absorb.
 */
import type { Activation } from '../../backend/backend.js';
import { flat, image, windowOutput, type FeatureShape } from '../../nn/layers/shape.js';
import type { GraphReader } from './import-graph.js';
import { addActivation, addBatchNorm, transposed, type Pending } from './network-state.js';

/** Where the chain is: a value, its ONNX layout and the layerwise shape of one example. */
export interface Cursor {
  readonly name: string;
  readonly layout: 'flat' | 'nchw' | 'nhwc';
  readonly shape: FeatureShape;
  /** Flat values in another order than layerwise's: layerwise feature i is ONNX feature perm[i]. */
  readonly perm: Int32Array | null;
}

/** The operators importOnnx reads. */
export const SUPPORTED_OPS = [
  'Gemm', 'MatMul (+ Add bias)', 'Conv', 'BatchNormalization', 'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Softmax', 'MaxPool', 'AveragePool',
  'GlobalAveragePool', 'GlobalMaxPool', 'Pad', 'Flatten', 'Reshape (to (batch, features))', 'Transpose (NHWC <-> NCHW)', 'Add (residual)', 'Dropout', 'Identity',
  'Sub/Div (input standardization)', 'Mul/Add (output scaling)',
] as const;

const next = (x: Cursor, name: string, patch: Partial<Cursor>): Cursor => ({ ...x, name, ...patch });

/** Translates node k, which reads the cursor's value; returns the new cursor. */
export function translate(r: GraphReader, k: number, x: Cursor, out: Pending[]): Cursor {
  const n = r.take(k);
  const y = n.output[0]!;
  const needImage = (): FeatureShape & { kind: 'image' } => {
    if (x.layout !== 'nchw') throw r.error(k, `expected an NCHW image input, got ${x.layout === 'flat' ? 'flat (batch, features) values' : 'an NHWC tensor (transpose it to NCHW first)'}`);
    return x.shape as FeatureShape & { kind: 'image' };
  };
  const act = activationOf(r, k, x);
  if (act) {
    addActivation(out, act);
    return next(x, y, {});
  }
  switch (n.op_type) {
    case 'Gemm':
      return dense(r, k, x, out, y);
    case 'MatMul':
      return dense(r, k, x, out, y);
    case 'Conv':
      return conv(r, k, x, needImage(), out, y);
    case 'MaxPool':
    case 'AveragePool': {
      const s = needImage();
      r.onlyAttributes(k, ['kernel_shape', 'strides', 'pads', 'auto_pad', 'ceil_mode', 'dilations', 'storage_order', 'count_include_pad']);
      if (n.output.length > 1 && n.output[1] !== '') throw r.error(k, 'the Indices output is not supported');
      const [kh, kw] = r.ints(k, 'kernel_shape') ?? [];
      const [sh, sw] = r.ints(k, 'strides') ?? [1, 1];
      if (kh === undefined || kh !== kw || sh !== sw) throw r.error(k, `expected a square window and equal strides, got kernel_shape [${r.ints(k, 'kernel_shape')}] strides [${r.ints(k, 'strides') ?? '1, 1'}]`);
      if ((r.ints(k, 'pads') ?? []).some((p) => p !== 0) || !['NOTSET', 'VALID'].includes(r.string(k, 'auto_pad', 'NOTSET'))) throw r.error(k, 'padded pooling is not supported (layerwise pools without padding)');
      if ((r.ints(k, 'dilations') ?? []).some((d) => d !== 1)) throw r.error(k, 'dilated pooling is not supported');
      const outH = windowOutput(s.h, kh, sh!, 0);
      const outW = windowOutput(s.w, kh, sh!, 0);
      if (r.int(k, 'ceil_mode', 0) !== 0 && ((s.h - kh) % sh! !== 0 || (s.w - kh) % sh! !== 0)) throw r.error(k, 'ceil_mode 1 gives another output size than layerwise\'s floor');
      out.push({ kind: 'pool', mode: n.op_type === 'MaxPool' ? 'max' : 'average', size: kh, stride: sh! });
      return next(x, y, { shape: image(outH, outW, s.c) });
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool': {
      const s = needImage();
      if (s.h !== s.w) throw r.error(k, `a global pool over a ${s.h} x ${s.w} image is not square; layerwise pools square windows`);
      out.push({ kind: 'pool', mode: n.op_type === 'GlobalMaxPool' ? 'max' : 'average', size: s.h, stride: s.h });
      return next(x, y, { shape: image(1, 1, s.c) });
    }
    case 'Pad': {
      const s = needImage();
      if (r.string(k, 'mode', 'constant') !== 'constant') throw r.error(k, `mode ${r.string(k, 'mode', '')}: only zero (constant) padding is supported`);
      const pads = n.input[1] ? Array.from(r.constant(n.input[1], k, 'pads').values) : r.ints(k, 'pads') ?? [];
      const value = n.input[2] ? r.constant(n.input[2], k, 'constant_value').values[0] : r.float(k, 'value', 0);
      if (n.input[3]) throw r.error(k, 'the axes input is not supported');
      const p = pads[2] ?? 0;
      if (value !== 0 || pads.length !== 8 || pads.some((v, i) => v !== (i % 4 < 2 ? 0 : p)) || p < 0) throw r.error(k, `expected zeros added equally on every side of height and width (pads [0, 0, p, p, 0, 0, p, p], value 0), got pads [${pads.join(', ')}] value ${value}`);
      out.push({ kind: 'zeroPad', pad: p });
      return next(x, y, { shape: image(s.h + 2 * p, s.w + 2 * p, s.c) });
    }
    case 'Transpose': {
      const perm = (r.ints(k, 'perm') ?? []).join();
      if (x.layout === 'nchw' && perm === '0,2,3,1') return next(x, y, { layout: 'nhwc' });
      if (x.layout === 'nhwc' && perm === '0,3,1,2') return next(x, y, { layout: 'nchw' });
      throw r.error(k, `perm [${perm}] on ${x.layout === 'flat' ? 'flat values' : `an ${x.layout.toUpperCase()} tensor`}: only NCHW <-> NHWC transposes are supported`);
    }
    case 'Flatten':
      if (r.int(k, 'axis', 1) !== 1) throw r.error(k, `axis ${r.int(k, 'axis', 1)}: expected 1 (keep the batch axis)`);
      return flatten(x, y, out);
    case 'Reshape': {
      const shape = Array.from(r.constant(n.input[1]!, k, 'shape').values);
      const features = x.shape.kind === 'flat' ? x.shape.units : x.shape.h * x.shape.w * x.shape.c;
      const [a, b] = shape;
      const ok = shape.length === 2 && (b === features || (b === -1 && a !== -1));
      if (!ok) throw r.error(k, `shape [${shape.join(', ')}]: only a reshape to (batch, ${features}), a flatten, is supported`);
      return flatten(x, y, out);
    }
    case 'Dropout':
    case 'Identity':
      if (n.output.length > 1 && n.output[1] !== '' && r.readersOf(n.output[1]!).length > 0) throw r.error(k, 'the dropout mask output is read');
      return next(x, y, {});
    case 'BatchNormalization': {
      if (x.layout === 'nhwc') throw r.error(k, 'batch normalization of an NHWC tensor normalizes over width, not channels');
      if (r.int(k, 'training_mode', 0) !== 0) throw r.error(k, 'training_mode 1 is not inference');
      const [gamma, beta, mean, variance] = n.input.slice(1, 5).map((name, i) => permuted(r.constant(name, k, ['scale', 'B', 'input_mean', 'input_var'][i]!).values, x.perm));
      const bn = { gamma: gamma!, beta: beta!, mean: mean!, variance: variance!, epsilon: r.float(k, 'epsilon', 1e-5) };
      const size = x.shape.kind === 'flat' ? x.shape.units : x.shape.c;
      if ([gamma, beta, mean, variance].some((v) => v!.length !== size)) throw r.error(k, `expected ${size} values per parameter (one per ${x.shape.kind === 'flat' ? 'unit' : 'channel'}), got ${gamma!.length}`);
      if (x.perm) out.push({ kind: 'batchNorm', bn });
      else addBatchNorm(out, bn);
      return next(x, y, {});
    }
    default:
      throw r.error(k, `operator ${n.op_type}${n.domain ? ` (domain ${n.domain})` : ''} is not supported; importOnnx reads ${SUPPORTED_OPS.join(', ')}`);
  }
}

/** The activation node k computes, or null when it is another operator. */
function activationOf(r: GraphReader, k: number, x: Cursor): Activation | null {
  switch (r.nodes[k]!.op_type) {
    case 'Relu':
      return { kind: 'relu' };
    case 'Sigmoid':
      return { kind: 'sigmoid' };
    case 'Tanh':
      return { kind: 'tanh' };
    case 'LeakyRelu':
      return { kind: 'leakyRelu', slope: r.float(k, 'alpha', 0.01) };
    case 'Softmax': {
      const axis = r.int(k, 'axis', r.opset >= 13 ? -1 : 1);
      if (x.layout !== 'flat' || (axis !== 1 && axis !== -1)) throw r.error(k, `softmax over axis ${axis} of ${x.layout === 'flat' ? '(batch, features)' : 'an image'}: expected the class axis of (batch, classes)`);
      return { kind: 'softmax' };
    }
    default:
      return null;
  }
}

function flatten(x: Cursor, y: string, out: Pending[]): Cursor {
  if (x.shape.kind === 'flat') return next(x, y, {});
  const { h, w, c } = x.shape;
  out.push({ kind: 'flatten' });
  // layerwise's feature (i, j, ch) sits at (i w + j) c + ch; an NCHW flatten puts it at ch h w + i w + j.
  const perm = x.layout === 'nchw' ? Int32Array.from({ length: h * w * c }, (_, f) => (f % c) * h * w + Math.floor(f / c)) : null;
  return { name: y, layout: 'flat', shape: flat(h * w * c), perm };
}

function permuted(values: Float64Array, perm: Int32Array | null): Float64Array {
  return perm ? Float64Array.from(perm, (p) => values[p]!) : values;
}

/** Gemm (alpha, beta, transB) or MatMul (+ a constant Add after it): a dense layer. */
function dense(r: GraphReader, k: number, x: Cursor, out: Pending[], y: string): Cursor {
  const n = r.nodes[k]!;
  if (x.layout !== 'flat') throw r.error(k, 'a dense layer needs (batch, features) values: flatten the image first');
  const inputs = x.shape.kind === 'flat' ? x.shape.units : 0;
  const B = r.constant(n.input[1]!, k, 'the weight matrix B');
  const gemm = n.op_type === 'Gemm';
  if (gemm) r.onlyAttributes(k, ['alpha', 'beta', 'transA', 'transB']);
  if (gemm && r.int(k, 'transA', 0) !== 0) throw r.error(k, 'transA 1 is not supported (the input is (batch, features))');
  const transB = gemm && r.int(k, 'transB', 0) === 1;
  const [d0, d1] = B.dims;
  const units = (transB ? d0 : d1) ?? 0;
  if (B.dims.length !== 2 || (transB ? d1 : d0) !== inputs) {
    throw r.error(k, `weights ${n.input[1]} have shape [${B.dims.join(', ')}]; expected [${transB ? `units, ${inputs}` : `${inputs}, units`}] for the ${inputs} input features`);
  }
  const alpha = gemm ? r.float(k, 'alpha', 1) : 1;
  let W = transB ? B.values : transposed(B.values, inputs, units);
  if (alpha !== 1) W = W.map((v) => v * alpha);
  if (x.perm) {
    const p = x.perm;
    W = Float64Array.from({ length: W.length }, (_, f) => W[Math.floor(f / inputs) * inputs + p[f % inputs]!]!);
  }
  let b = new Float64Array(units);
  let end = y;
  const biasOf = (name: string, scale: number, node: number): void => {
    const c = r.constant(name, node, 'the bias');
    if (c.values.length === units) b = c.values.map((v) => v * scale);
    else if (c.values.length === 1) b.fill(c.values[0]! * scale);
    else throw r.error(node, `bias ${name} has ${c.values.length} values; expected ${units} (one per unit)`);
  };
  if (gemm && n.input[2]) biasOf(n.input[2], r.float(k, 'beta', 1), k);
  if (!gemm) {
    const readers = r.readersOf(y);
    const add = readers.length === 1 ? readers[0]! : -1;
    const addNode = add >= 0 ? r.nodes[add] : undefined;
    if (addNode?.op_type === 'Add') {
      const other = addNode.input[0] === y ? addNode.input[1]! : addNode.input[0]!;
      if (r.isConstant(other)) {
        r.take(add);
        biasOf(other, 1, add);
        end = addNode.output[0]!;
      }
    }
  }
  out.push({ kind: 'dense', units, W, b, bn: null, act: { kind: 'linear' } });
  return { name: end, layout: 'flat', shape: flat(units), perm: null };
}

/** Conv: square filters, equal strides, symmetric padding, no dilation or groups. */
function conv(r: GraphReader, k: number, x: Cursor, s: FeatureShape & { kind: 'image' }, out: Pending[], y: string): Cursor {
  const n = r.nodes[k]!;
  r.onlyAttributes(k, ['kernel_shape', 'strides', 'pads', 'dilations', 'group', 'auto_pad']);
  const Wc = r.constant(n.input[1]!, k, 'the filters W');
  const [cout, cin, fh, fw] = Wc.dims as number[];
  if (Wc.dims.length !== 4 || cin !== s.c || fh !== fw) throw r.error(k, `filters of shape [${Wc.dims.join(', ')}]: expected square filters [c_out, ${s.c}, f, f] for the ${s.c} input channels`);
  if (r.int(k, 'group', 1) !== 1) throw r.error(k, `group ${r.int(k, 'group', 1)}: grouped or depthwise convolutions are not supported`);
  if ((r.ints(k, 'dilations') ?? []).some((d) => d !== 1)) throw r.error(k, 'dilated convolutions are not supported');
  const [sh, sw] = r.ints(k, 'strides') ?? [1, 1];
  if (sh !== sw) throw r.error(k, `strides [${sh}, ${sw}]: expected equal strides`);
  const f = fh!;
  const autoPad = r.string(k, 'auto_pad', 'NOTSET');
  let pad: number;
  if (autoPad === 'NOTSET') {
    const pads = r.ints(k, 'pads') ?? [0, 0, 0, 0];
    if (pads.some((p) => p !== pads[0])) throw r.error(k, `pads [${pads.join(', ')}]: expected the same padding on every side`);
    pad = pads[0] ?? 0;
  } else if (autoPad === 'VALID') pad = 0;
  else if (sh === 1 && f % 2 === 1) pad = (f - 1) / 2;
  else throw r.error(k, `auto_pad ${autoPad} with stride ${sh} and size ${f} pads unevenly; expected explicit symmetric pads`);
  const b = n.input[2] ? r.constant(n.input[2], k, 'the bias').values : new Float64Array(cout!);
  if (b.length !== cout) throw r.error(k, `bias of ${b.length} values; expected ${cout}`);
  // (c_out, c_in, f, f) -> (f, f, c_in, c_out)
  const W = new Float64Array(Wc.values.length);
  for (let o = 0; o < cout!; o++) for (let i = 0; i < cin!; i++) for (let u = 0; u < f; u++) for (let v = 0; v < f; v++) W[((u * f + v) * cin! + i) * cout! + o] = Wc.values[((o * cin! + i) * f + u) * f + v]!;
  out.push({ kind: 'conv', filters: cout!, size: f, stride: sh!, pad, W, b, bn: null, act: { kind: 'linear' } });
  return next(x, y, { shape: image(windowOutput(s.h, f, sh!, pad), windowOutput(s.w, f, sh!, pad), cout!) });
}
