/**
 * ONNX messages as plain objects, encoded and decoded by protobufjs with the
 * official schema (`onnx-proto.ts`, parsed once on first use). Only the
 * fields layerwise writes or reads are typed here; the field names are the
 * schema's own (snake_case).
 */
import protobuf from 'protobufjs';
import { ValueError } from '../../tensor/errors.js';
import { describeBytes } from './sniff.js';
import { ONNX_PROTO } from './onnx-proto.js';

/** TensorProto.DataType values layerwise meets. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, DOUBLE: 11 } as const;

/** AttributeProto.AttributeType values. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export interface TensorProto {
  name?: string;
  dims?: number[];
  data_type?: number;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  raw_data?: Uint8Array;
}

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: number[];
}

export interface NodeProto {
  name?: string;
  op_type: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute?: AttributeProto[];
}

export interface Dimension {
  dim_value?: number;
  dim_param?: string;
}

export interface ValueInfoProto {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: Dimension[] } } };
  doc_string?: string;
}

export interface GraphProto {
  name?: string;
  node?: NodeProto[];
  initializer?: TensorProto[];
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  doc_string?: string;
}

export interface ModelProto {
  ir_version?: number;
  opset_import?: { domain?: string; version?: number }[];
  producer_name?: string;
  producer_version?: string;
  doc_string?: string;
  graph?: GraphProto;
  metadata_props?: { key?: string; value?: string }[];
}

let modelType: protobuf.Type | null = null;

/** onnx.ModelProto, from the vendored schema (parsed on first use). */
function modelProto(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return modelType;
}

/**
 * A model as the bytes of an .onnx file.
 *
 * @example
 * ```ts
 * import { decodeOnnx, encodeOnnx } from './proto.js';
 * const bytes = encodeOnnx({ ir_version: 7, opset_import: [{ domain: '', version: 13 }], graph: { name: 'g', node: [] } });
 * decodeOnnx(bytes).ir_version === 7; // true
 * ```
 */
export function encodeOnnx(model: ModelProto): Uint8Array {
  const type = modelProto();
  const problem = type.verify(model);
  if (problem) throw new ValueError(`exportOnnx: internal error: the model does not fit onnx.ModelProto (${problem})`);
  return type.encode(type.fromObject(model as Record<string, unknown>)).finish();
}

/**
 * Decodes the bytes of an .onnx file; bytes that are not an ONNX model are
 * refused with what they look like instead.
 */
export function decodeOnnx(bytes: Uint8Array, where = 'importOnnx'): ModelProto {
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`${where}: bytes: expected a Uint8Array (the contents of an .onnx file), got ${describeValue(bytes)}`);
  const notOnnx = (why: string): ValueError => {
    const looks = describeBytes(bytes);
    // The protobuf detail helps only when the bytes are not a file of a kind we recognize.
    return new ValueError(`${where}: expected an ONNX model (a protobuf ModelProto), got ${looks}${why && /^\d+ bytes/.test(looks) ? ` (${why})` : ''}`);
  };
  if (bytes.length === 0) throw notOnnx('');
  let model: ModelProto;
  try {
    const type = modelProto();
    model = type.toObject(type.decode(bytes), { longs: Number }) as ModelProto;
  } catch (e) {
    throw notOnnx(`protobuf: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!model.graph || model.ir_version === undefined) throw notOnnx(model.graph ? 'no ir_version' : 'no graph');
  return model;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof ArrayBuffer) return 'an ArrayBuffer (wrap it: new Uint8Array(buffer))';
  return typeof v === 'object' ? `a ${(v as object).constructor?.name ?? 'object'}` : `a ${typeof v}`;
}

/** A float32 initializer stored as little-endian raw_data. */
export function floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): TensorProto {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return { name, dims: [...dims], data_type: DataType.FLOAT, raw_data: raw };
}

/** An int64 initializer (shapes, pads) stored as little-endian raw_data. */
export function int64Tensor(name: string, values: readonly number[]): TensorProto {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return { name, dims: [values.length], data_type: DataType.INT64, raw_data: raw };
}

/** The number of values a tensor's dims hold. */
export function elementCount(dims: readonly number[] | undefined): number {
  return (dims ?? []).reduce((a, b) => a * b, 1);
}

/** The values of a float, double, int32 or int64 tensor, as numbers; throws naming the tensor otherwise. */
export function tensorValues(t: TensorProto, where: string): Float64Array {
  const n = elementCount(t.dims);
  const name = t.name || '(unnamed)';
  const raw = t.raw_data;
  const type = t.data_type ?? 0;
  const size = type === DataType.FLOAT || type === DataType.INT32 ? 4 : type === DataType.INT64 || type === DataType.DOUBLE ? 8 : 0;
  if (size === 0) throw new ValueError(`${where}: tensor ${name}: expected float, double, int32 or int64 values, got data type ${type}`);
  const out = new Float64Array(n);
  if (raw && raw.length > 0) {
    if (raw.length !== n * size) throw new ValueError(`${where}: tensor ${name}: dims [${(t.dims ?? []).join(', ')}] hold ${n} values (${n * size} bytes), but raw_data has ${raw.length} bytes`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < n; i++) {
      out[i] = type === DataType.FLOAT ? view.getFloat32(i * 4, true) : type === DataType.INT32 ? view.getInt32(i * 4, true) : type === DataType.DOUBLE ? view.getFloat64(i * 8, true) : Number(view.getBigInt64(i * 8, true));
    }
    return out;
  }
  const list = type === DataType.FLOAT ? t.float_data : type === DataType.INT32 ? t.int32_data : type === DataType.INT64 ? t.int64_data : t.double_data;
  const values = list ?? [];
  if (values.length !== n) throw new ValueError(`${where}: tensor ${name}: dims [${(t.dims ?? []).join(', ')}] hold ${n} values, but the tensor stores ${values.length}`);
  out.set(values);
  return out;
}

/** A node's attribute by name, or undefined. */
export function attribute(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}
