/**
 * Bad input to the model format and the Node file layer: each is refused
 * with a message naming the argument (or the file and field), and a failed
 * save leaves the folder's previous model loadable.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deserializeModel, Network, serializeModel } from '../../src/index.js';
import { loadModel, saveModel, writeFileAtomic } from '../../src/node/index.js';

const root = mkdtempSync(join(tmpdir(), 'layerwise-io-bad-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `m${n++}`);

const small = (seed = 1) => new Network({ inputSize: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1 }], seed });

function withWeight(value: number): Network {
  const net = small();
  net.parameters.W2!.data[1] = value;
  return net;
}

/** Saves a good model, lets `edit` change its manifest, and returns the folder. */
function editedModel(edit: (m: { network: Record<string, unknown>; weights: { tensors: { offset: number }[]; byteLength: number }; rngState?: unknown }) => void): string {
  const dir = fresh();
  saveModel(dir, small(), { includeRngState: true });
  const file = join(dir, 'model.json');
  const m = JSON.parse(readFileSync(file, 'utf8'));
  edit(m);
  writeFileSync(file, JSON.stringify(m));
  return dir;
}

describe('saving a network with non-finite weights', () => {
  it('is refused before anything is written, naming the tensor and index', () => {
    const dir = fresh();
    expect(() => saveModel(dir, withWeight(NaN))).toThrow('saveModel: net: W2: expected finite float32 weights, got NaN at index 1 (row 0, column 1); did training diverge?');
    expect(() => readdirSync(dir)).toThrow(/ENOENT/);
    expect(() => serializeModel(withWeight(Infinity))).toThrow('serializeModel: net: W2: expected finite float32 weights, got Infinity at index 1');
    // float64 networks save float64 weights: 1e39 is a finite float64 and saves; Infinity does not.
    const big = new Network({ inputSize: 2, layers: [{ units: 1, activation: 'linear' }], dtype: 'float64' });
    big.parameters.W1!.data[0] = 1e39;
    expect(() => serializeModel(big)).not.toThrow();
    big.parameters.W1!.data[0] = Infinity;
    expect(() => serializeModel(big)).toThrow('serializeModel: net: W1: expected finite float64 weights, got Infinity at index 0');
  });

  it('leaves the folder holding the previous good model', () => {
    const dir = fresh();
    const good = small(7);
    saveModel(dir, good);
    const before = readdirSync(dir).sort();
    expect(() => saveModel(dir, withWeight(NaN))).toThrow('saveModel: net: W2: expected finite float32 weights, got NaN');
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(Array.from(loadModel(dir).network.parameters.W1!.data)).toEqual(Array.from(good.parameters.W1!.data));
  });

  it('a non-network, non-JSON metadata and a folder that is a file are named', () => {
    expect(() => saveModel(fresh(), {} as unknown as Network)).toThrow('saveModel: net: expected a Network, got an object');
    expect(() => saveModel(fresh(), small(), { metadata: { score: NaN } })).toThrow('saveModel: options.metadata.score: expected JSON values (finite numbers, strings, booleans, null, arrays, objects), got NaN');
    expect(() => saveModel(fresh(), small(), { metadata: { n: 1n } })).toThrow('saveModel: options.metadata: expected JSON-serializable values, got Do not know how to serialize a BigInt');
    const file = fresh();
    writeFileSync(file, 'x');
    expect(() => saveModel(file, small())).toThrow(`saveModel: dir: expected a folder, got ${file}, which is a file`);
  });
});

describe('loading a manifest that lies', () => {
  it('tensors whose offsets overlap', () => {
    const dir = editedModel((m) => m.weights.tensors.forEach((t) => (t.offset = 0)));
    expect(() => loadModel(dir)).toThrow(`loadModel: ${join(dir, 'model.json')}: weights.tensors: b1.offset: expected 24 (right after W1, which ends at byte 24; tensors lie end to end), got 0, which overlaps`);
  });

  it('a tensor past the end of the weights file', () => {
    const dir = editedModel((m) => (m.weights.tensors[3]!.offset = 1000));
    expect(() => loadModel(dir)).toThrow(/weights\.tensors: b2 lies past the end of weights-[0-9a-f]{8}\.bin/);
  });

  it('a loss or seed the network refuses names the file and field', () => {
    const loss = editedModel((m) => {
      m.network.loss = 'binaryCrossEntropy';
      (m.network.layers as { activation: string }[])[1]!.activation = 'tanh';
    });
    expect(() => loadModel(loss)).toThrow(`loadModel: ${join(loss, 'model.json')}: network.loss: binaryCrossEntropy needs a sigmoid output layer, got "tanh"`);
    const seed = editedModel((m) => (m.network.seed = 2 ** 40));
    expect(() => loadModel(seed)).toThrow(`loadModel: ${join(seed, 'model.json')}: network.seed: Too big: expected number to be <=4294967295`);
  });

  it('an all-zero generator state', () => {
    const dir = editedModel((m) => (m.rngState = { s: [0, 0, 0, 0], spare: null }));
    expect(() => loadModel(dir)).toThrow(`loadModel: ${join(dir, 'model.json')}: rngState.s: expected a non-zero generator state (xoshiro128** never leaves the all-zero state: it would return 0 forever), got [0, 0, 0, 0]`);
    const neg = editedModel((m) => (m.rngState = { s: [-1, 0, 0, 0], spare: null }));
    expect(() => loadModel(neg)).toThrow(`loadModel: ${join(neg, 'model.json')}: rngState.s.0: Too small`);
  });

  it('weights that are not a Uint8Array', () => {
    const { manifest, weights } = serializeModel(small());
    expect(() => deserializeModel(manifest, weights.buffer as unknown as Uint8Array)).toThrow('deserializeModel: weights: expected a Uint8Array, got an ArrayBuffer (wrap it: new Uint8Array(buffer))');
    expect(() => deserializeModel(manifest, [1, 2] as unknown as Uint8Array)).toThrow('deserializeModel: weights: expected a Uint8Array, got [1, 2]');
    expect(deserializeModel(manifest, new Uint8Array(weights.buffer)).network.layerDims).toEqual([2, 3, 1]);
  });
});

describe('writeFileAtomic', () => {
  it('refuses content that is neither a string nor bytes, writing nothing', () => {
    const file = join(fresh() + '.json');
    expect(() => writeFileAtomic(file, 5 as unknown as string)).toThrow('writeFileAtomic: data: expected a string or a Uint8Array, got 5');
    expect(() => writeFileAtomic(file, new ArrayBuffer(2) as unknown as Uint8Array)).toThrow('writeFileAtomic: data: expected a string or a Uint8Array, got an ArrayBuffer');
    expect(readdirSync(root).filter((f) => f.startsWith(file.slice(root.length + 1)))).toEqual([]);
  });

  it('names the path, not its temporary file, when the folder is missing or the path is a folder', () => {
    const missing = join(root, 'no-such-dir', 'p.csv');
    expect(() => writeFileAtomic(missing, 'x')).toThrow(`writeFileAtomic: path: expected a file in an existing folder, got ${missing} (the folder ${join(root, 'no-such-dir')} does not exist)`);
    const folder = fresh();
    mkdirSync(folder);
    expect(() => writeFileAtomic(folder, 'x')).toThrow(`writeFileAtomic: path: expected a file, got ${folder}, which is a folder`);
    expect(() => writeFileAtomic('', 'x')).toThrow('writeFileAtomic: path: expected a non-empty string, got ""');
  });
});
