/**
 * The image mode without a browser: the bundled digit subset, the URL codec,
 * the drawn-digit preprocessing, and the training session the worker runs
 * (on digits from the library's loadMnist).
 */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { mnistSubset } from '../../playground/mnist-subset.js';
import { decodeDigits, type Digits } from '../../playground/src/image/data.js';
import { digitize } from '../../playground/src/image/digitize.js';
import { ImageSession } from '../../playground/src/image/session.js';
import { blockCode, decodeImageHash, defaultImageState, encodeImageHash, parseBlock, type ImageState } from '../../playground/src/image/spec.js';
import { loadMnist } from '../../src/node/index.js';

function digits(train: number, dev: number): Digits {
  const { X, labels } = loadMnist({ count: train + dev, seed: 3, layout: 'images' });
  const set = (from: number, m: number) => ({ pixels: X.data.slice(from * 784, (from + m) * 784) as Float32Array, labels: Uint8Array.from(labels.slice(from, from + m)), m });
  const d = set(train, dev);
  return { train: set(0, train), dev: d, devBytes: Uint8Array.from(d.pixels, (v) => Math.round(v * 255)) };
}

describe('the bundled MNIST subset', () => {
  it('holds 4,000 train and 1,000 dev digits of the mnist package, about 1 MB gzipped, the same on every build', () => {
    const gz = mnistSubset();
    expect(gz.byteLength).toBeLessThan(1_600_000);
    expect(mnistSubset(10, 5).equals(mnistSubset(10, 5))).toBe(true);
    const d = decodeDigits(new Uint8Array(gunzipSync(gz)));
    expect([d.train.m, d.dev.m, d.devBytes.length]).toEqual([4000, 1000, 784_000]);
    const counts = Array.from({ length: 10 }, (_, k) => d.train.labels.filter((l) => l === k).length);
    for (const c of counts) expect(c).toBeGreaterThan(300);
    for (const v of d.train.pixels.subarray(0, 784 * 10)) expect(v >= 0 && v <= 1).toBe(true);
    expect(() => decodeDigits(new Uint8Array([1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(/not LWMN/);
  });
});

describe('image mode URL', () => {
  it('round-trips every block kind and setting; bad values are dropped with a notice', () => {
    const s: ImageState = { ...defaultImageState(), blocks: [{ kind: 'conv', filters: 12, size: 3, stride: 2, padding: 'same' }, { kind: 'pool', mode: 'avg', size: 3 }, { kind: 'dense', units: 64 }], learningRate: 0.01, batchSize: 64, optimizer: 'rmsprop', augment: true, seed: 42 };
    const hash = encodeImageHash(s);
    expect(hash).toBe('mode=image&arch=c12x3s2p,avg3,d64&lr=0.01&batch=64&opt=rmsprop&augment=1&seed=42');
    expect(decodeImageHash(`#${hash}`)).toEqual({ state: s, notices: [] });
    for (const b of s.blocks) expect(parseBlock(blockCode(b))).toEqual(b);
    const bad = decodeImageHash('#mode=image&arch=c99x5,max2&lr=7&batch=3&opt=sgd&seed=-1&x=1');
    expect(bad.state).toEqual(defaultImageState());
    expect(bad.notices).toHaveLength(6);
    expect(bad.notices[0]).toMatch(/filters from 1 to 32/);
  });
});

describe('digitize', () => {
  it('scales the ink to a 20 px box and puts its centre of mass at the centre', () => {
    const w = 100;
    const ink = new Float32Array(w * w);
    // A bar 10 wide and 60 tall in the top-left corner.
    for (let y = 5; y < 65; y++) for (let x = 5; x < 15; x++) ink[y * w + x] = 1;
    const out = digitize(ink, w, w);
    let mass = 0;
    let cx = 0;
    let cy = 0;
    let rows = 0;
    for (let y = 0; y < 28; y++) {
      let any = false;
      for (let x = 0; x < 28; x++) {
        const v = out[y * 28 + x]!;
        mass += v;
        cx += v * (x + 0.5);
        cy += v * (y + 0.5);
        if (v > 0) any = true;
      }
      if (any) rows++;
    }
    expect(rows).toBe(20);
    expect(Math.abs(cx / mass - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(cy / mass - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.max(...out)).toBeCloseTo(1, 5);
    expect(digitize(new Float32Array(w * w), w, w).every((v) => v === 0)).toBe(true);
  });
});

describe('image training session', () => {
  const data = digits(600, 200);

  it('builds the layers the library reports, trains deterministically, and evaluates each epoch', () => {
    const s = new ImageSession(defaultImageState(), data, 7);
    expect(s.layers().map((l) => [l.type, l.shape.join('x'), l.params])).toEqual([
      ['conv2d', '24x24x8', 208],
      ['maxPool2d', '12x12x8', 0],
      ['conv2d', '10x10x16', 1168],
      ['maxPool2d', '5x5x16', 0],
      ['flatten', '400', 0],
      ['dense', '10', 4010],
    ]);
    const info = s.info();
    expect([info.totalParams, info.trainM, info.devM, info.generation]).toEqual([5386, 600, 200, 7]);
    expect(info.summary).toContain('Total params: 5,386');
    const first = s.snapshot();
    expect(first.evaluation!.epoch).toBe(0);
    expect(first.maps.map((m) => [m.h, m.w, m.c, m.data.length])).toEqual([
      [24, 24, 8, 4608],
      [12, 12, 8, 1152],
      [10, 10, 16, 1600],
      [5, 5, 16, 400],
    ]);
    expect(first.filters.map((f) => [f.name, f.f, f.cin, f.cout])).toEqual([
      ['W1', 5, 1, 8],
      ['W2', 3, 8, 16],
    ]);
    expect(s.snapshot().evaluation).toBeNull();
    const run = () => {
      const t = new ImageSession(defaultImageState(), data);
      while (t.epochs < 3) t.trainChunk();
      return t.snapshot();
    };
    const a = run();
    const b = run();
    expect(a.evaluation).toEqual(b.evaluation);
    expect(a.epoch).toBe(3);
    expect(a.evaluation!.epoch).toBe(3);
    expect(a.evaluation!.dev.error).toBeLessThan(0.3);
    expect(a.evaluation!.train.loss).toBeLessThan(first.evaluation!.train.loss);
    const conf = a.evaluation!.confusion;
    expect(conf.reduce((x, y) => x + y, 0)).toBe(200);
    let wrong = 0;
    for (let t = 0; t < 10; t++) for (let p = 0; p < 10; p++) if (t !== p) wrong += conf[t * 10 + p]!;
    expect(wrong / 200).toBeCloseTo(a.evaluation!.dev.error, 10);
  });

  it('classifies one digit into probabilities that sum to 1, and exports what it trained', () => {
    const s = new ImageSession(defaultImageState(), data);
    s.trainFor(50);
    const p = s.classify(data.dev.pixels.subarray(0, 784));
    expect(p).toHaveLength(10);
    expect(p.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
    const { manifest } = s.exportModel();
    expect(JSON.stringify(manifest)).toContain('image mode');
  });

  it('refuses an architecture whose image shrinks to nothing, with the library’s reason', () => {
    const state = { ...defaultImageState(), blocks: [{ kind: 'conv' as const, filters: 4, size: 7, stride: 3, padding: 'valid' as const }, { kind: 'pool' as const, mode: 'max' as const, size: 3 }, { kind: 'conv' as const, filters: 4, size: 7, stride: 1, padding: 'valid' as const }] };
    expect(() => new ImageSession(state, data)).toThrow(/does not fit/);
  });
});
