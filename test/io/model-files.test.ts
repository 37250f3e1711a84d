/**
 * Model files: round trip, validation of every way a folder can be broken,
 * and atomic saves checked by killing a real child process mid-write.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32, deserializeModel, fit, LIBRARY_VERSION, makeFlower, Network, serializeModel } from '../../src/index.js';
import { loadModel, saveModel } from '../../src/node/index.js';

const root = mkdtempSync(join(tmpdir(), 'layerwise-io-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `m${n++}`);

function trained(): Network {
  const { X, Y } = makeFlower({ m: 100, seed: 1 });
  const net = new Network({ inputSize: 2, layers: [{ units: 5, activation: { name: 'leakyRelu', slope: 0.1 }, keepProb: 0.9 }, { units: 4, batchNorm: true, activation: 'tanh' }, { units: 1 }], seed: 3, l2: 0.1 });
  fit(net, X, Y, { learningRate: 0.1, epochs: 3, batchSize: 32 });
  return net;
}

describe('model files', () => {
  it('round-trips architecture, weights, batch-norm statistics and metadata; predictions are identical', () => {
    const net = trained();
    const dir = fresh();
    saveModel(dir, net, { metadata: { labels: ['blue', 'red'] } });
    const { network, metadata, manifest } = loadModel(dir);
    const { X } = makeFlower({ m: 50, seed: 9 });
    expect(Array.from(network.predict(X).data)).toEqual(Array.from(net.predict(X).data));
    expect(network.layerSpecs).toEqual(net.layerSpecs);
    expect(metadata).toEqual({ labels: ['blue', 'red'] });
    expect(manifest.library.version).toBe(LIBRARY_VERSION);
    expect(readdirSync(dir).sort()).toEqual(['model.json', manifest.weights.file].sort());
  });

  it('stores weights as little-endian float32 with a CRC-32', () => {
    const net = new Network({ inputSize: 1, layers: [{ units: 1, activation: 'linear' }], init: 'zeros' });
    net.parameters.W1!.data[0] = 1.5;
    net.parameters.b1!.data[0] = -2;
    const { manifest, weights } = serializeModel(net);
    // 1.5 = 0x3fc00000, -2 = 0xc0000000, little-endian
    expect(Array.from(weights)).toEqual([0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
    expect(manifest.weights.crc32).toBe(crc32(weights));
    expect(crc32(new TextEncoder().encode('123456789'))).toBe('cbf43926');
  });

  it('the library version matches package.json', () => {
    expect(LIBRARY_VERSION).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('a missing folder or manifest', () => {
    expect(() => loadModel(join(root, 'nope'))).toThrow(`loadModel: ${join(root, 'nope')}: expected a model folder, but it does not exist`);
    const dir = fresh();
    saveModel(dir, trained());
    rmSync(join(dir, 'model.json'));
    expect(() => loadModel(dir)).toThrow('expected model.json in the model folder, found none');
  });

  it('a truncated manifest or weights file', () => {
    const dir = fresh();
    const m = saveModel(dir, trained());
    const w = join(dir, m.weights.file);
    truncateSync(w, 10);
    expect(() => loadModel(dir)).toThrow(`loadModel: ${m.weights.file}: expected ${m.weights.byteLength} bytes, got 10 (the file is truncated`);
    const dir2 = fresh();
    saveModel(dir2, trained());
    truncateSync(join(dir2, 'model.json'), 40);
    expect(() => loadModel(dir2)).toThrow('not valid JSON');
  });

  it('a checksum that does not match', () => {
    const dir = fresh();
    const m = saveModel(dir, trained());
    const w = join(dir, m.weights.file);
    const bytes = readFileSync(w);
    bytes[5] = bytes[5]! ^ 0xff;
    writeFileSync(w, bytes);
    expect(() => loadModel(dir)).toThrow(`loadModel: ${m.weights.file}: checksum mismatch: expected crc32 ${m.weights.crc32}`);
  });

  it('a newer format version, and schema violations naming the field', () => {
    const { manifest, weights } = serializeModel(trained());
    expect(() => deserializeModel({ ...manifest, formatVersion: 3 }, weights)).toThrow('the model is format version 3, from a newer layerwise; this version (0.1.0) reads format versions up to 2');
    const bad = JSON.parse(JSON.stringify(manifest));
    bad.network.layers[0].units = -3;
    expect(() => deserializeModel(bad, weights)).toThrow('loadModel: model.json: network.layers.0.units:');
    const bad2 = JSON.parse(JSON.stringify(manifest));
    bad2.network.layers[1].activation = 'eval("1")';
    expect(() => deserializeModel(bad2, weights)).toThrow('network.layers.1.activation');
    expect(() => deserializeModel({ format: 'other' }, weights)).toThrow('loadModel: model.json: expected format "layerwise-model", got "other"');
    const bad3 = JSON.parse(JSON.stringify(manifest));
    bad3.weights.tensors[0].shape = [3, 2];
    expect(() => deserializeModel(bad3, weights)).toThrow('weights.tensors: W1: expected shape (5, 2) from the architecture, got (3, 2)');
  });

  it('a process killed in the middle of saving leaves a loadable model', async () => {
    const dir = fresh();
    for (let round = 0; round < 4; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/save-forever.ts', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, 30 + round * 37));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const { network, metadata } = loadModel(dir);
      const k = metadata.k as number;
      expect(k).toBeGreaterThanOrEqual(1);
      // the loaded weights are exactly the save that the manifest names
      expect(network.parameters.W1!.data[0]).toBe(k);
      expect(network.parameters.W1!.data[999_999]).toBe(k);
    }
  }, 60_000);
});
