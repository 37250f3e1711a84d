/**
 * The structural rules of the ONNX checker that need no operator schemas:
 * an opset and IR version declared, every node's inputs produced before the
 * node (by a graph input, an initializer or an earlier node), each value
 * produced once, initializers holding as many values as their dims say, and
 * every graph output produced.
 */
import { decodeOnnx, elementCount, tensorValues, type ModelProto } from './proto.js';

/**
 * The problems of an ONNX model (bytes or a decoded model); empty when none.
 *
 * @example
 * ```ts
 * import { Network, exportOnnx, checkOnnx } from 'layerwise';
 * const bytes = exportOnnx(new Network({ inputSize: 2, layers: [{ units: 1 }] }));
 * checkOnnx(bytes).length === 0; // true
 * ```
 */
export function checkOnnx(model: Uint8Array | ModelProto): string[] {
  const m = model instanceof Uint8Array ? decodeOnnx(model, 'checkOnnx') : model;
  const problems: string[] = [];
  if (!m.ir_version || m.ir_version < 1) problems.push('ir_version: expected the IR version the model follows, got none');
  const opsets = (m.opset_import ?? []).filter((o) => !o.domain || o.domain === 'ai.onnx');
  if (opsets.length === 0 || !opsets[0]!.version) problems.push('opset_import: expected a version of the default (ai.onnx) operator set, got none');
  const g = m.graph;
  if (!g) return [...problems, 'graph: missing'];
  const produced = new Map<string, string>();
  const produce = (name: string, by: string): void => {
    const before = produced.get(name);
    if (before !== undefined) problems.push(`${by}: produces "${name}", which ${before} already produces (each value is assigned once)`);
    else produced.set(name, by);
  };
  for (const t of g.initializer ?? []) {
    const name = t.name ?? '';
    if (!name) problems.push('initializer: a tensor without a name');
    else produce(name, `initializer "${name}"`);
    const dims = t.dims ?? [];
    if (dims.some((d) => !Number.isInteger(d) || d < 0)) problems.push(`initializer "${name}": dims [${dims.join(', ')}]: expected non-negative integers`);
    else {
      try {
        tensorValues(t, 'checkOnnx');
      } catch (e) {
        problems.push(`initializer "${name}": ${(e instanceof Error ? e.message : String(e)).replace(/^checkOnnx: tensor [^:]*: /, '')} (${elementCount(dims)} values expected)`);
      }
    }
  }
  for (const i of g.input ?? []) if (!produced.has(i.name)) produce(i.name, `graph input "${i.name}"`);
  (g.node ?? []).forEach((n, k) => {
    const label = `node ${k} (${n.op_type || '?'}${n.name ? ` "${n.name}"` : ''})`;
    if (!n.op_type) problems.push(`${label}: op_type: missing`);
    for (const input of n.input ?? []) {
      if (input !== '' && !produced.has(input)) problems.push(`${label}: input "${input}" is used before any node, initializer or graph input produces it`);
    }
    for (const output of n.output ?? []) if (output !== '') produce(output, label);
  });
  for (const o of g.output ?? []) if (!produced.has(o.name)) problems.push(`graph output "${o.name}": no node produces it`);
  if ((g.output ?? []).length === 0) problems.push('graph: expected at least one output, got none');
  return problems;
}
