/**
 * importOnnx on graphs written the way torch.onnx.export writes an MLP and a
 * CNN (NCHW input, Conv with pads and bias, separate BatchNormalization,
 * Flatten of NCHW, Gemm with transB, MatMul + Add, Reshape, Dropout/Identity
 * left in): onnxruntime-web runs each graph and the imported network must
 * predict the same. Then the ONNX checker's structural rules, onnx.checker
 * itself where Python has the onnx package, and bad input.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOnnx, exportOnnx, fit, identityBlock, importOnnx, Network, Rng, Standardizer, Tensor } from '../../src/index.js';
import { float, GraphBuilder, int, ints } from '../../src/io/onnx/graph.js';
import { decodeOnnx, encodeOnnx, type ModelProto } from '../../src/io/onnx/proto.js';
import { images, maxDiff, rows, tabular } from './data.js';
import { runOnnx } from './ort.js';

const rng = new Rng(11);
const randn = (n: number, scale = 0.5): number[] => Array.from({ length: n }, () => rng.normal() * scale);

/** A model around a builder's nodes: one float input of `dims` after a symbolic batch, one output. */
function model(g: GraphBuilder, dims: number[], outDims: number[], output: string, opset = 13): Uint8Array {
  g.rename(output, 'output');
  const info = (name: string, d: number[]) => ({ name, type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: 'batch_size' }, ...d.map((v) => ({ dim_value: v }))] } } } });
  const m: ModelProto = { ir_version: 7, opset_import: [{ domain: '', version: opset }], producer_name: 'pytorch', graph: { name: 'main_graph', node: g.nodes, initializer: g.initializers, input: [info('input', dims)], output: [info('output', outDims)] } };
  return encodeOnnx(m);
}

/** NCHW data of layerwise's NHWC images. */
function nchw(X: Tensor): Float32Array {
  const [m, h, w, c] = X.shape as [number, number, number, number];
  const out = new Float32Array(X.size);
  for (let e = 0; e < m; e++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[((e * c + k) * h + y) * w + x] = X.data[((e * h + y) * w + x) * c + k]!;
  return out;
}

describe('importOnnx of PyTorch-style graphs, checked against onnxruntime-web', () => {
  it('a CNN: Conv (pads, bias), BatchNormalization, Relu, MaxPool, Flatten of NCHW, Gemm transB, Dropout, MatMul + Add, Softmax', async () => {
    const g = new GraphBuilder(['input', 'output']);
    const w1 = g.constant('conv1.weight', [4, 2, 3, 3], randn(72));
    const b1 = g.constant('conv1.bias', [4], randn(4));
    let v = g.node('Conv', ['input', w1, b1], 'conv1', { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), strides: ints([1, 1]), dilations: ints([1, 1]), group: int(1) });
    const bn = ['bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var'].map((n, i) => g.constant(n, [4], i === 3 ? randn(4).map((x) => 0.5 + x * x) : randn(4)));
    v = g.node('BatchNormalization', [v, ...bn], 'bn', { epsilon: float(1e-3), momentum: float(0.9) });
    v = g.node('Relu', [v], 'relu1');
    v = g.node('MaxPool', [v], 'pool', { kernel_shape: ints([2, 2]), strides: ints([2, 2]) });
    v = g.node('Flatten', [v], 'flatten', { axis: int(1) });
    v = g.node('Gemm', [v, g.constant('fc1.weight', [8, 36], randn(288, 0.3)), g.constant('fc1.bias', [8], randn(8))], 'fc1', { alpha: float(1), beta: float(1), transB: int(1) });
    v = g.node('Relu', [v], 'relu2');
    v = g.node('Dropout', [v], 'drop');
    v = g.node('MatMul', [v, g.constant('fc2.weight_t', [8, 3], randn(24))], 'fc2');
    v = g.node('Add', [v, g.constant('fc2.bias', [3], randn(3))], 'fc2_add');
    v = g.node('Softmax', [v], 'softmax', { axis: int(1) });
    const bytes = model(g, [2, 6, 6], [3], v);
    const { X } = images(5, 6, 6, 2, 3, 12);
    const out = await runOnnx(bytes, nchw(X), [5, 2, 6, 6]);
    const { network } = importOnnx(bytes);
    expect(network.inputShape).toEqual({ kind: 'image', h: 6, w: 6, c: 2 });
    expect(maxDiff(rows(network.predict(X)), out.data)).toBeLessThan(1e-5);
    expect(network.summary()).toContain('conv2d 3x3x4 /p1 relu +bn');
  });

  it('an MLP: Reshape to (batch, features), Gemm without transB, Identity, LeakyRelu, Sigmoid; opset 11 Softmax defaults', async () => {
    const g = new GraphBuilder(['input', 'output']);
    let v = g.node('Reshape', ['input', g.int64('shape', [-1, 6])], 'reshape');
    v = g.node('Gemm', [v, g.constant('W1', [6, 5], randn(30)), g.constant('b1', [5], randn(5))], 'fc1');
    v = g.node('Identity', [v], 'same');
    v = g.node('LeakyRelu', [v], 'act1', { alpha: float(0.05) });
    v = g.node('Gemm', [v, g.constant('W2', [3, 5], randn(15)), g.constant('b2', [3], randn(3))], 'fc2', { transB: int(1) });
    v = g.node('Softmax', [v], 'softmax');
    const bytes = model(g, [6], [3], v, 11);
    const { X } = tabular(7, 6, 2, 13);
    const out = await runOnnx(bytes, rows(X), [7, 6]);
    expect(maxDiff(rows(importOnnx(bytes).network.predict(X)), out.data)).toBeLessThan(1e-5);
  });

  it('a residual block written as two paths from one value meeting in an Add, then Relu', async () => {
    const g = new GraphBuilder(['input', 'output']);
    const main1 = g.node('Conv', ['input', g.constant('c1.w', [3, 3, 3, 3], randn(81)), g.constant('c1.b', [3], randn(3))], 'c1', { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]) });
    const main2 = g.node('Relu', [main1], 'r1');
    const sum = g.node('Add', [main2, 'input'], 'add');
    let v = g.node('Relu', [sum], 'r2');
    v = g.node('GlobalAveragePool', [v], 'gap');
    v = g.node('Flatten', [v], 'flat');
    v = g.node('Gemm', [v, g.constant('fc.w', [2, 3], randn(6)), g.constant('fc.b', [2], randn(2))], 'fc', { transB: int(1) });
    v = g.node('Sigmoid', [v], 'sig');
    const bytes = model(g, [3, 5, 5], [2], v);
    const { X } = images(4, 5, 5, 3, 2, 14);
    const out = await runOnnx(bytes, nchw(X), [4, 3, 5, 5]);
    const { network } = importOnnx(bytes);
    expect(network.summary()).toContain('residual (1 main, identity) relu');
    expect(maxDiff(rows(network.predict(X)), out.data)).toBeLessThan(1e-5);
  });

  it('an imported network trains on (fine-tuning keeps predicting in the same layout)', () => {
    const { X, Y } = tabular(64, 4, 2, 15);
    const net = new Network({ inputSize: 4, layers: [{ units: 6, activation: 'relu' }, { units: 2, activation: 'softmax' }], seed: 15 });
    const imported = importOnnx(exportOnnx(net)).network;
    const before = imported.cost(X, Y);
    fit(imported, X, Y, { learningRate: 0.1, iterations: 50 });
    expect(imported.cost(X, Y)).toBeLessThan(before);
  });
});

describe('ONNX structural rules', () => {
  const net = new Network({ inputShape: [6, 6, 2], layers: [{ type: 'conv2d', filters: 3, size: 3, batchNorm: true }, identityBlock(3, [2, 2, 3]), { type: 'maxPool2d', size: 2 }, { units: 2, activation: 'softmax' }], seed: 7 });
  const bytes = exportOnnx(net, { standardizer: Standardizer.fit(new Tensor([72, 2], Float32Array.from({ length: 144 }, (_, i) => i % 7))), classes: ['a', 'b'] });
  const decoded = decodeOnnx(bytes);

  it('every node reads values produced before it; initializers hold what their dims say; opset and IR version are declared', () => {
    expect(checkOnnx(bytes)).toEqual([]);
    expect(decoded.opset_import).toEqual([{ domain: '', version: 13 }]);
    expect(decoded.ir_version).toBe(7);
    const seen = new Set(['input', ...(decoded.graph!.initializer ?? []).map((t) => t.name!)]);
    for (const n of decoded.graph!.node!) {
      for (const i of n.input) expect(seen.has(i)).toBe(true);
      n.output.forEach((o) => seen.add(o));
    }
    for (const t of decoded.graph!.initializer!) expect(t.raw_data!.length).toBe(t.dims!.reduce((a, b) => a * b, 1) * (t.data_type === 7 ? 8 : 4));
    expect(decoded.graph!.input![0]!.type!.tensor_type!.shape!.dim!.map((d) => d.dim_param ?? d.dim_value)).toEqual(['batch', 6, 6, 2]);
    expect(decoded.graph!.output![0]!.type!.tensor_type!.shape!.dim!.map((d) => d.dim_param ?? d.dim_value)).toEqual(['batch', 2]);
    expect(decoded.metadata_props).toContainEqual({ key: 'classes', value: '["a","b"]' });
  });

  it('checkOnnx names what breaks the rules', () => {
    const broken = decodeOnnx(bytes);
    const nodes = broken.graph!.node!;
    [nodes[0], nodes[1]] = [nodes[1]!, nodes[0]!];
    broken.graph!.initializer![0]!.raw_data = broken.graph!.initializer![0]!.raw_data!.subarray(4);
    broken.opset_import = [];
    const problems = checkOnnx(broken);
    expect(problems.join('\n')).toMatch(/opset_import: expected a version of the default/);
    expect(problems.join('\n')).toMatch(/is used before any node, initializer or graph input produces it/);
    expect(problems.join('\n')).toMatch(/raw_data has \d+ bytes/);
    expect(() => importOnnx(encodeOnnx(broken))).toThrow(/importOnnx: not a valid ONNX graph/);
  });

  // The first Python that has the onnx package (a pyenv python3 may shadow the system one that has it).
  const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0);
  const hasOnnx = python !== undefined;
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-onnx-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it.skipIf(!hasOnnx)(`onnx.checker.check_model(full_check=True) accepts exported models${hasOnnx ? '' : ' (skipped: python3 with the onnx package is not installed)'}`, () => {
    const { X, Y } = tabular(32, 3, 2, 8);
    const dense = new Network({ inputSize: 3, layers: [{ units: 4, batchNorm: true, activation: { name: 'leakyRelu', slope: 0.3 } }, { units: 2, activation: 'softmax' }], seed: 8 });
    fit(dense, X, Y, { learningRate: 0.1, iterations: 5 });
    const files = [['cnn.onnx', bytes], ['dense.onnx', exportOnnx(dense, { opset: 17 })]] as const;
    for (const [name, b] of files) writeFileSync(join(dir, name), b);
    const script = 'import onnx, sys\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(f), full_check=True)\nprint("ok")';
    const r = spawnSync(python!, ['-c', script, ...files.map(([n]) => join(dir, n))], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('ok');
  });
});

describe('importOnnx and exportOnnx refuse bad input', () => {
  const bytes = exportOnnx(new Network({ inputSize: 2, layers: [{ units: 1 }] }));

  it('a file that is not ONNX, saying what it looks like', () => {
    const text = (s: string) => new TextEncoder().encode(s);
    expect(() => importOnnx(text(JSON.stringify({ format: 'layers-model', modelTopology: {} })))).toThrow("importOnnx: expected an ONNX model (a protobuf ModelProto), got a TensorFlow.js layers model's model.json");
    expect(() => importOnnx(text(JSON.stringify({ format: 'layerwise-model' })))).toThrow('got a layerwise model manifest');
    expect(() => importOnnx(Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]))).toThrow('got an HDF5 file (a Keras .h5 model?');
    expect(() => importOnnx(new Uint8Array(0))).toThrow('got an empty file (0 bytes)');
    expect(() => importOnnx(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3, 4]))).toThrow(/got 9 bytes starting with ff ff ff ff 0f 01 02 03/);
    expect(() => importOnnx(new ArrayBuffer(4) as unknown as Uint8Array)).toThrow('expected a Uint8Array (the contents of an .onnx file), got an ArrayBuffer');
  });

  it('operators it cannot read, named with the supported list', () => {
    const g = new GraphBuilder(['input', 'output']);
    const v = g.node('Gemm', [g.node('Gelu', ['input'], 'gelu'), g.constant('W', [1, 2], [1, 2])], 'fc', { transB: int(1) });
    expect(() => importOnnx(model(g, [2], [1], v))).toThrow(/node 0 \(Gelu "gelu\/Gelu"\): operator Gelu is not supported; importOnnx reads Gemm, MatMul \(\+ Add bias\), Conv, BatchNormalization/);
    const h = new GraphBuilder(['input', 'output']);
    const c = h.node('Conv', ['input', h.constant('w', [2, 1, 3, 3], randn(18))], 'conv', { kernel_shape: ints([3, 3]), group: int(2) });
    const f = h.node('Gemm', [h.node('Flatten', [c], 'flat'), h.constant('fc', [1, 8], randn(8))], 'fc', { transB: int(1) });
    expect(() => importOnnx(model(h, [2, 4, 4], [1], f))).toThrow(/filters of shape \[2, 1, 3, 3\]: expected square filters \[c_out, 2, f, f\]/);
  });

  it('weights whose shapes disagree with the input', () => {
    const g = new GraphBuilder(['input', 'output']);
    const v = g.node('Gemm', ['input', g.constant('W', [3, 5], randn(15))], 'fc', { transB: int(1) });
    expect(() => importOnnx(model(g, [4], [3], v))).toThrow('weights W have shape [3, 5]; expected [units, 4] for the 4 input features');
  });

  it('opsets below 13 (Softmax over one axis) and above 21; standardizers and class names of the wrong size', () => {
    const net = new Network({ inputSize: 2, layers: [{ units: 3, activation: 'softmax' }] });
    expect(() => exportOnnx(net, { opset: 12 })).toThrow('exportOnnx: options.opset: expected 13 or later, got 12: before opset 13 Softmax flattens its input to 2-D');
    expect(() => exportOnnx(net, { opset: 22 })).toThrow('expected at most 21');
    expect(() => exportOnnx(net, { standardizer: { kind: 'standardizer', version: 1, mean: [0], std: [1] } })).toThrow('options.standardizer: expected statistics of 2 values (the network takes 2), got 1');
    expect(() => exportOnnx(net, { classes: ['a', 'b'] })).toThrow('options.classes: expected 3 class names');
    expect(() => exportOnnx({} as Network)).toThrow('exportOnnx: net: expected a Network');
    expect(() => exportOnnx(net, { opsett: 13 } as never)).toThrow('did you mean opset?');
    expect(decodeOnnx(bytes).graph!.node![0]!.op_type).toBe('Gemm');
  });
});
