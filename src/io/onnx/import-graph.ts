/**
 * Reading an ONNX graph for import: constants (initializers and Constant
 * nodes), who reads each value, which nodes have been translated, and node
 * attributes with the operator's defaults.
 */
import { ValueError } from '../../tensor/errors.js';
import { attribute, tensorValues, type GraphProto, type NodeProto } from './proto.js';

/** A constant tensor: dims and values. */
export interface Constant {
  readonly dims: readonly number[];
  readonly values: Float64Array;
}

/** The graph being imported. */
export class GraphReader {
  readonly nodes: readonly NodeProto[];
  private readonly constants = new Map<string, Constant>();
  private readonly readers = new Map<string, number[]>();
  private readonly done = new Set<number>();
  readonly outputs: readonly string[];

  constructor(
    graph: GraphProto,
    readonly where: string,
    readonly opset: number,
  ) {
    this.nodes = graph.node ?? [];
    this.outputs = (graph.output ?? []).map((o) => o.name);
    for (const t of graph.initializer ?? []) this.constants.set(t.name ?? '', { dims: t.dims ?? [], values: tensorValues(t, where) });
    this.nodes.forEach((n, k) => {
      if (n.op_type === 'Constant') {
        this.constants.set(n.output[0] ?? '', this.constantNode(n, k));
        this.done.add(k);
        return;
      }
      for (const i of n.input) if (i !== '' && !this.constants.has(i)) this.readers.set(i, [...(this.readers.get(i) ?? []), k]);
    });
  }

  /** True when `name` is a constant (an initializer or a Constant node's output). */
  isConstant(name: string): boolean {
    return this.constants.has(name);
  }

  /** The constant `name`, or an error saying which input of which node had to be one. */
  constant(name: string, node: number, what: string): Constant {
    const c = this.constants.get(name);
    if (!c) throw new ValueError(`${this.where}: ${this.label(node)}: ${what} "${name}" must be a constant (an initializer), but the graph computes it`);
    return c;
  }

  /** The untranslated nodes that read `name`, in graph order. */
  readersOf(name: string): number[] {
    return (this.readers.get(name) ?? []).filter((k) => !this.done.has(k));
  }

  /** Marks a node translated. */
  take(k: number): NodeProto {
    this.done.add(k);
    return this.nodes[k]!;
  }

  /** The nodes never translated (off the chain from the input to the output). */
  leftOver(): number[] {
    return this.nodes.map((_, k) => k).filter((k) => !this.done.has(k));
  }

  /** `node 3 (Conv "conv1")`. */
  label(k: number): string {
    const n = this.nodes[k]!;
    return `node ${k} (${n.op_type}${n.name ? ` "${n.name}"` : ''})`;
  }

  /** An error about node k. */
  error(k: number, message: string): ValueError {
    return new ValueError(`${this.where}: ${this.label(k)}: ${message}`);
  }

  int(k: number, name: string, fallback: number): number {
    const a = attribute(this.nodes[k]!, name);
    return a?.i ?? fallback;
  }

  ints(k: number, name: string): number[] | undefined {
    const a = attribute(this.nodes[k]!, name);
    return a ? (a.ints ?? []) : undefined;
  }

  float(k: number, name: string, fallback: number): number {
    const a = attribute(this.nodes[k]!, name);
    return a?.f ?? fallback;
  }

  string(k: number, name: string, fallback: string): string {
    const a = attribute(this.nodes[k]!, name);
    return a?.s ? new TextDecoder().decode(a.s) : fallback;
  }

  /** Refuses attributes the translation does not honour. */
  onlyAttributes(k: number, allowed: readonly string[]): void {
    for (const a of this.nodes[k]!.attribute ?? []) {
      if (!allowed.includes(a.name)) throw this.error(k, `attribute ${a.name} is not supported here (supported: ${allowed.join(', ') || 'none'})`);
    }
  }

  private constantNode(n: NodeProto, k: number): Constant {
    const a = n.attribute?.[0];
    if (!a) throw this.error(k, 'a Constant without a value');
    if (a.name === 'value' && a.t) return { dims: a.t.dims ?? [], values: tensorValues(a.t, this.where) };
    if (a.name === 'value_float') return { dims: [], values: Float64Array.of(a.f ?? 0) };
    if (a.name === 'value_int') return { dims: [], values: Float64Array.of(a.i ?? 0) };
    if (a.name === 'value_floats') return { dims: [(a.floats ?? []).length], values: Float64Array.from(a.floats ?? []) };
    if (a.name === 'value_ints') return { dims: [(a.ints ?? []).length], values: Float64Array.from(a.ints ?? []) };
    throw this.error(k, `a Constant's ${a.name} is not supported (expected value, value_float(s) or value_int(s))`);
  }
}
