/**
 * A small builder for an ONNX graph: nodes in the order they run, float
 * initializers, and names that never collide.
 */
import { AttributeType, floatTensor, int64Tensor, type AttributeProto, type NodeProto, type TensorProto } from './proto.js';

/** An attribute value: a number (int when `ints`/`int` is meant, see {@link int}), a list, or a string. */
export type AttributeValue = { int: number } | { float: number } | { ints: readonly number[] } | { string: string };

/** An int attribute. */
export const int = (v: number): AttributeValue => ({ int: v });
/** An ints attribute. */
export const ints = (v: readonly number[]): AttributeValue => ({ ints: v });
/** A float attribute. */
export const float = (v: number): AttributeValue => ({ float: v });

function toAttribute(name: string, v: AttributeValue): AttributeProto {
  if ('int' in v) return { name, type: AttributeType.INT, i: v.int };
  if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
  if ('ints' in v) return { name, type: AttributeType.INTS, ints: [...v.ints] };
  return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v.string) };
}

/** Collects nodes and initializers; every value name is unique. */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly taken = new Set<string>();

  constructor(reserved: readonly string[]) {
    for (const r of reserved) this.taken.add(r);
  }

  /** `base`, or `base_2`, `base_3`, ... when taken. */
  fresh(base: string): string {
    let name = base;
    for (let k = 2; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }

  /** A float32 initializer; returns its name. */
  constant(base: string, dims: readonly number[], values: ArrayLike<number>): string {
    const name = this.fresh(base);
    this.initializers.push(floatTensor(name, dims, values));
    return name;
  }

  /** An int64 initializer (pads, shapes); returns its name. */
  int64(base: string, values: readonly number[]): string {
    const name = this.fresh(base);
    this.initializers.push(int64Tensor(name, values));
    return name;
  }

  /** Adds a node with one output named after `base`; returns the output's name. */
  node(opType: string, inputs: readonly string[], base: string, attributes: Record<string, AttributeValue> = {}): string {
    const output = this.fresh(base);
    const attribute = Object.entries(attributes).map(([k, v]) => toAttribute(k, v));
    this.nodes.push({ name: this.fresh(`${base}/${opType}`), op_type: opType, input: [...inputs], output: [output], ...(attribute.length ? { attribute } : {}) });
    return output;
  }

  /** Renames the value `from` (a node output) to `to` (a reserved name), wherever it appears. */
  rename(from: string, to: string): void {
    for (const n of this.nodes) {
      n.output = n.output.map((o) => (o === from ? to : o));
      n.input = n.input.map((i) => (i === from ? to : i));
    }
  }
}
