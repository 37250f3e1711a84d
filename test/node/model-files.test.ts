/**
 * Model folders on disk: what a save removes (only the weights file the
 * previous manifest named, and temporary files of killed saves), what a load
 * refuses before reading (folders, FIFOs, devices, files whose size is not
 * the manifest's), and float64 networks saved and loaded back exactly.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deserializeModel, Network, serializeModel } from '../../src/index.js';
import { loadModel, saveModel } from '../../src/node/index.js';
import { deadPid } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'layerwise-model-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `m${n++}`);
const small = (seed = 1, dtype: 'float32' | 'float64' = 'float32') => new Network({ inputSize: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1 }], seed, dtype });

/** Loads `dir` in a child process (a read that hangs fails by the timeout); returns what it printed. */
function loadInChild(dir: string): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/node/load-model.ts', dir], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw new Error(`loading ${dir} did not finish: ${r.error.message}`);
  return r.stdout.trim();
}

describe('saveModel removes only what it wrote', () => {
  it('the previous manifest\'s weights file and killed saves\' temporary files go; the user\'s files stay', () => {
    const dir = fresh();
    const first = saveModel(dir, small(1)).weights.file;
    const dead = deadPid();
    const mine = ['weights-0badf00d.bin', 'notes.txt', `weights-12345678.bin.tmp-${process.ppid}-live`];
    const stale = [`${first}.tmp-${dead}-abc`, `weights-9abcdef0.bin.tmp-${dead}-def`, `model.json.tmp-${dead}-ghi`];
    for (const f of [...mine, ...stale]) writeFileSync(join(dir, f), 'user data');
    const second = saveModel(dir, small(2)).weights.file;
    expect(second).not.toBe(first);
    expect(readdirSync(dir).sort()).toEqual(['model.json', second, ...mine].sort());
    expect(readFileSync(join(dir, 'weights-0badf00d.bin'), 'utf8')).toBe('user data');
  });
});

describe('loadModel checks a file before reading it', () => {
  const saved = () => {
    const dir = fresh();
    const m = saveModel(dir, small());
    return { dir, file: m.weights.file, weights: join(dir, m.weights.file), byteLength: m.weights.byteLength };
  };

  it('a weights file that is a link to /dev/zero is refused, not read forever', () => {
    const { dir, file, weights } = saved();
    rmSync(weights);
    symlinkSync('/dev/zero', weights);
    expect(loadInChild(dir)).toBe(`loadModel: ${dir}: the manifest names ${file}, which is a character device (a link to /dev/zero), not a regular file`);
  });

  it('a weights file that is a FIFO is refused without waiting for a writer', () => {
    if (process.platform === 'win32') return;
    const { dir, file, weights } = saved();
    rmSync(weights);
    execFileSync('mkfifo', [weights]);
    expect(loadInChild(dir)).toBe(`loadModel: ${dir}: the manifest names ${file}, which is a FIFO (named pipe), not a regular file`);
  });

  it('a 3 GiB weights file is refused by its size, before it is read', () => {
    const { dir, file, weights, byteLength } = saved();
    truncateSync(weights, 3 * 2 ** 30); // sparse: no disk used
    const t0 = performance.now();
    expect(() => loadModel(dir)).toThrow(`loadModel: ${file}: expected ${byteLength} bytes, got ${3 * 2 ** 30} (the file is longer than the manifest says: it does not belong to it)`);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('a folder where the weights file or model.json should be, and a file given as the model folder, are named with what they are', () => {
    const a = saved();
    rmSync(a.weights);
    mkdirSync(a.weights);
    expect(() => loadModel(a.dir)).toThrow(`loadModel: ${a.dir}: the manifest names ${a.file}, which is a folder, not a regular file`);
    const b = saved();
    expect(() => loadModel(join(b.dir, 'model.json'))).toThrow(`loadModel: ${join(b.dir, 'model.json')}: expected a model folder, got a file; pass the folder that holds it, ${b.dir}`);
    expect(() => loadModel(b.weights)).toThrow(`loadModel: ${b.weights}: expected a model folder, got a file`);
    const c = fresh();
    mkdirSync(join(c, 'model.json'), { recursive: true });
    expect(() => loadModel(c)).toThrow(`loadModel: ${join(c, 'model.json')}: expected the manifest file, got a folder`);
  });

  it('a model.json that is a FIFO or larger than any manifest is refused', () => {
    const a = saved();
    rmSync(join(a.dir, 'model.json'));
    if (process.platform !== 'win32') {
      execFileSync('mkfifo', [join(a.dir, 'model.json')]);
      expect(loadInChild(a.dir)).toBe(`loadModel: ${join(a.dir, 'model.json')}: expected the manifest file, got a FIFO (named pipe)`);
      rmSync(join(a.dir, 'model.json'));
    }
    writeFileSync(join(a.dir, 'model.json'), '');
    truncateSync(join(a.dir, 'model.json'), 3 * 2 ** 30);
    expect(() => loadModel(a.dir)).toThrow(`loadModel: ${join(a.dir, 'model.json')}: expected a manifest of at most 256 MiB, got 3 GiB; this is not a model manifest`);
  });
});

describe('float64 networks', () => {
  const exact = () => {
    const net = small(3, 'float64');
    const W1 = net.parameters.W1!.data;
    W1[0] = 0.1 + 1e-12; // not a float32
    W1[1] = 1e39; // beyond float32's range
    W1[2] = 5e-324; // the smallest double
    return net;
  };

  it('save float64 weights and load back bit for bit', () => {
    const net = exact();
    const dir = fresh();
    const manifest = saveModel(dir, net);
    expect(manifest.weights.dtype).toBe('float64');
    expect(manifest.weights.byteLength).toBe((6 + 3 + 3 + 1) * 8);
    const back = loadModel(dir).network;
    expect(back.dtype).toBe('float64');
    for (const [name, t] of Object.entries(net.parameters)) expect(Array.from(back.parameters[name]!.data)).toEqual(Array.from(t.data));
    const X = [[0.3, -1.2], [2.5, 0.7]];
    expect(Array.from(back.predict(X).data)).toEqual(Array.from(net.predict(X).data));
  });

  it('float32 networks are saved as before (no dtype entry, 4 bytes a number); an explicit float32 entry loads too', () => {
    const { manifest, weights } = serializeModel(small());
    expect('dtype' in manifest.weights).toBe(false);
    expect(weights.length).toBe(13 * 4);
    const explicit = JSON.parse(JSON.stringify(manifest));
    explicit.weights.dtype = 'float32';
    expect(deserializeModel(explicit, weights).network.layerDims).toEqual([2, 3, 1]);
  });

  it('float64 weights under a float32 network are refused, naming both fields', () => {
    const { manifest, weights } = serializeModel(exact());
    const lie = JSON.parse(JSON.stringify(manifest));
    lie.network.dtype = 'float32';
    expect(() => deserializeModel(lie, weights)).toThrow('loadModel: model.json: weights.dtype: expected "float32" like network.dtype, got "float64"');
  });
});
