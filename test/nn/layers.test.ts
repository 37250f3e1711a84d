/**
 * The typed layers in a Network: gradient checks through conv, pooling,
 * padding, batch normalization and residual blocks (float64, < 1e-7), the
 * summary table, freezing, and the shape errors a user meets first.
 */
import { describe, expect, it } from 'vitest';
import { accuracy, augmentBatch, checkGradients, flattenImages, replaceHead, convolutionalBlock, deserializeModel, fit, identityBlock, Network, Rng, serializeModel, Tensor, type NetworkOptions } from '../../src/index.js';
import { backendNames, withBackend } from '../helpers.js';

/** Seeded images (m, h, w, c) in [-1, 1) and one-hot / binary labels. */
function images(m: number, h: number, w: number, c: number, seed: number, dtype: 'float32' | 'float64' = 'float64'): Tensor {
  const rng = new Rng(seed);
  const t = new Tensor([m, h, w, c], dtype === 'float64' ? new Float64Array(m * h * w * c) : new Float32Array(m * h * w * c));
  for (let i = 0; i < t.size; i++) t.data[i] = 2 * rng.uniform() - 1;
  return t;
}

function oneHot(m: number, k: number): number[][] {
  return Array.from({ length: k }, (_, r) => Array.from({ length: m }, (_, j) => (j % k === r ? 1 : 0)));
}

const CASES: { name: string; options: NetworkOptions; x: [number, number, number, number]; classes: number }[] = [
  {
    name: 'conv 3x3 s1 p0 relu -> maxpool 2 -> dense sigmoid',
    options: { inputShape: [6, 6, 2], layers: [{ type: 'conv2d', filters: 3, size: 3 }, { type: 'maxPool2d', size: 2 }, { units: 1 }] },
    x: [3, 6, 6, 2],
    classes: 2,
  },
  {
    name: 'conv 3x3 s2 p1 tanh -> avgpool 2 s1 -> dense softmax',
    options: { inputShape: [7, 5, 3], layers: [{ type: 'conv2d', filters: 4, size: 3, stride: 2, padding: 1, activation: 'tanh' }, { type: 'avgPool2d', size: 2, stride: 1 }, { units: 3, activation: 'softmax' }] },
    x: [4, 7, 5, 3],
    classes: 3,
  },
  {
    name: 'zeroPad -> conv 2x2 s3 +bn -> batchNorm -> dropout -> flatten -> dense l2',
    options: {
      inputShape: [5, 5, 1],
      layers: [
        { type: 'zeroPad2d', pad: 2 },
        { type: 'conv2d', filters: 3, size: 2, stride: 3, batchNorm: true, activation: 'sigmoid' },
        { type: 'batchNorm' },
        { type: 'dropout', keepProb: 0.7 },
        { type: 'flatten' },
        { units: 4, activation: 'tanh', batchNorm: true },
        { units: 1 },
      ],
      l2: 0.3,
    },
    x: [5, 5, 5, 1],
    classes: 2,
  },
  {
    name: 'conv same -> identity block -> convolutional block -> dense',
    options: { inputShape: [6, 6, 2], layers: [{ type: 'conv2d', filters: 4, size: 3, padding: 'same', activation: 'leakyRelu' }, identityBlock(3, [2, 3, 4]), convolutionalBlock(3, [2, 2, 3], 2), { units: 2, activation: 'softmax' }] },
    x: [4, 6, 6, 2],
    classes: 2,
  },
  {
    name: 'a residual block with a linear activation on flat inputs',
    options: { inputSize: 3, layers: [{ type: 'residual', main: [{ units: 4, activation: 'tanh' }, { units: 3, activation: 'linear' }], activation: 'tanh' }, { units: 1 }] },
    x: [3, 6, 0, 0],
    classes: 2,
  },
];

describe('gradient check through every layer type (float64, relative difference < 1e-7)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const net = new Network({ ...c.options, dtype: 'float64', seed: 7 });
      const [a, b] = c.x;
      const X = net.isImageNetwork ? images(...c.x, 11) : images(1, 1, a, b, 11).reshape([a, b]);
      const m = net.examples(X);
      const Y = c.classes === 2 && net.outputLayer.units === 1 ? [Array.from({ length: m }, (_, j) => j % 2)] : oneHot(m, net.outputLayer.units);
      const r = checkGradients(net, X, Y);
      expect(r.difference).toBeLessThan(1e-7);
    });
  }
});

/** Bars: 8x8 one-channel images with a vertical (class 0) or horizontal (class 1) bar at a random place, plus noise. */
function bars(m: number, seed: number): { X: Tensor; Y: number[][] } {
  const rng = new Rng(seed);
  const X = new Tensor([m, 8, 8, 1], new Float32Array(m * 64));
  const y: number[] = [];
  for (let n = 0; n < m; n++) {
    const horizontal = n % 2;
    const at = Math.floor(rng.uniform() * 8);
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) X.data[n * 64 + i * 8 + j] = 0.2 * rng.uniform() + ((horizontal ? i : j) === at ? 1 : 0);
    y.push(horizontal);
  }
  return { X, Y: [y] };
}

describe('a small CNN learns', () => {
  for (const backend of backendNames()) {
    it(`[${backend}] vertical vs horizontal bars: 100% training accuracy after 30 epochs`, () => {
      withBackend(backend, () => {
        const { X, Y } = bars(64, 3);
        const net = new Network({
          inputShape: [8, 8, 1],
          layers: [{ type: 'conv2d', filters: 4, size: 3, padding: 'same' }, { type: 'maxPool2d', size: 2 }, { type: 'conv2d', filters: 4, size: 3 }, { units: 1 }],
          seed: 1,
        });
        fit(net, X, Y, { learningRate: 0.01, epochs: 30, batchSize: 16, optimizer: 'adam' });
        expect(accuracy(net.classify(X), Y)).toBe(1);
        const test = bars(64, 4);
        expect(accuracy(net.classify(test.X), test.Y)).toBeGreaterThanOrEqual(0.95);
      });
    });
  }
});

describe('summary, freezing and saving', () => {
  const options: NetworkOptions = {
    inputShape: [28, 28, 1],
    layers: [{ type: 'conv2d', filters: 8, size: 5 }, { type: 'maxPool2d', size: 2 }, { type: 'conv2d', filters: 16, size: 5, batchNorm: true }, { type: 'maxPool2d', size: 2 }, { units: 10, activation: 'softmax' }],
    seed: 3,
  };

  it('summary() lists each layer, its output shape and parameter count, like Keras', () => {
    const text = new Network(options).summary();
    // conv1: 5*5*1*8 + 8 = 208; conv2 with BN: 5*5*8*16 + 16 gamma + 16 beta = 3,232; dense: 256*10 + 10 = 2,570.
    expect(text).toContain('conv2d 5x5x8 relu');
    expect(text).toMatch(/conv2d 5x5x8 relu\s+\(m, 24, 24, 8\)\s+208/);
    expect(text).toMatch(/maxPool2d 2x2\s+\(m, 12, 12, 8\)\s+0/);
    expect(text).toMatch(/conv2d 5x5x16 relu \+bn\s+\(m, 8, 8, 16\)\s+3,232/);
    expect(text).toMatch(/flatten \(m, 4, 4, 16\)\s+\(256, m\)\s+0/);
    expect(text).toMatch(/dense 10 softmax\s+\(10, m\)\s+2,570/);
    expect(text).toContain('Total params: 6,010');
    expect(text).toContain('Trainable params: 6,010');
  });

  it('freeze(n) keeps the first n layers as they are while the rest trains', () => {
    const net = new Network({ ...options, layers: options.layers.slice(0, 2).concat([{ units: 10, activation: 'softmax' }]) });
    net.freeze(1);
    expect(net.summary()).toContain('Non-trainable params: 208');
    const W1 = Float32Array.from(net.parameters.W1!.data);
    const W2 = Float32Array.from(net.parameters.W2!.data);
    const X = images(8, 28, 28, 1, 5, 'float32');
    fit(net, X, oneHot(8, 10), { learningRate: 0.01, epochs: 2, optimizer: 'adam' });
    expect(Array.from(net.parameters.W1!.data)).toEqual(Array.from(W1));
    expect(Array.from(net.parameters.W2!.data)).not.toEqual(Array.from(W2));
    expect(() => net.freeze(3)).toThrow('freeze: upTo: expected an integer in [0, 2] (the network has 3 layers; the output layer stays trainable), got 3');
    net.freeze(0);
    expect(net.summary()).toContain('Non-trainable params: 0');
  });

  it('a frozen batch-normalized body keeps its running statistics; backward goes through it exactly', () => {
    const net = new Network({ inputShape: [6, 6, 2], layers: [{ type: 'conv2d', filters: 3, size: 3, batchNorm: true }, { type: 'conv2d', filters: 2, size: 3 }, { units: 1 }], dtype: 'float64', seed: 4 });
    net.parameters.gamma1!.data.set([1.5, 0.5, 2]);
    net.stack[0]!.state.find((t) => t.name === 'runningVar1')!.tensor.data.set([0.5, 2, 1]);
    net.stack[0]!.trainable = false;
    const X = images(4, 6, 6, 2, 9);
    const Y = [[0, 1, 1, 0]];
    expect(checkGradients(net, X, Y).difference).toBeLessThan(1e-7);
    const before = Array.from(net.stack[0]!.state.find((t) => t.name === 'runningMean1')!.tensor.data);
    fit(net, X, Y, { learningRate: 0.1, iterations: 3 });
    expect(Array.from(net.stack[0]!.state.find((t) => t.name === 'runningMean1')!.tensor.data)).toEqual(before);
  });

  it('serializeModel / deserializeModel round-trip every layer type, predicting the same', () => {
    const net = new Network({ ...CASES[3]!.options, seed: 2 });
    const X = images(3, 6, 6, 2, 1, 'float32');
    fit(net, X, oneHot(3, 2), { learningRate: 0.01, iterations: 2, optimizer: 'adam' });
    const { manifest, weights } = serializeModel(net);
    expect(manifest.network.inputShape).toEqual([6, 6, 2]);
    const back = deserializeModel(JSON.parse(JSON.stringify(manifest)), weights).network;
    expect(back.summary()).toBe(net.summary());
    expect(Array.from(back.predict(X).data)).toEqual(Array.from(net.predict(X).data));
  });
});

describe('bad input names the layer, what it expected and what it got', () => {
  const conv = { type: 'conv2d', filters: 2, size: 3 } as const;
  it('an input whose rank or channels do not match inputShape', () => {
    const net = new Network({ inputShape: [5, 5, 3], layers: [conv, { units: 1 }] });
    expect(() => net.predict(images(2, 5, 5, 1, 1, 'float32'))).toThrow(
      'predict: X: expected images of shape (m, 5, 5, 3) to match inputShape [5, 5, 3] (or their flat columns (75, m)), got (2, 5, 5, 1) (1 channels where the network takes 3)',
    );
    expect(() => net.predict(new Tensor([74, 2], new Float32Array(148)))).toThrow('got (74, 2) (flat columns need 75 = 5 x 5 x 3 rows)');
    expect(() => net.predict(new Tensor([2, 5, 15], new Float32Array(150)))).toThrow('got (2, 5, 15)');
    // The course's flat columns (n_H n_W n_C, m) are the same images.
    const X = images(2, 5, 5, 3, 1, 'float32');
    expect(Array.from(net.predict(flattenImages(X)).data)).toEqual(Array.from(net.predict(X).data));
    expect(() => new Network({ inputShape: [5, 0, 3] as never, layers: [conv, { units: 1 }] })).toThrow('Network: inputShape[1] (n_W): expected a positive integer, got 0');
    expect(() => new Network({ inputShape: [5, 5, 3], inputSize: 75, layers: [{ units: 1 }] })).toThrow('Network: options: expected one of inputSize (flat features) or inputShape (images), got both');
  });

  it('a filter larger than the padded input, and an output size below 1 at a later layer, with the shapes on the way', () => {
    expect(() => new Network({ inputShape: [4, 4, 1], layers: [{ type: 'conv2d', filters: 2, size: 5, padding: 0 }, { units: 1 }] })).toThrow(
      'Network: layers[0]: a 5x5 filter (stride 1, pad 0) does not fit the (m, 4, 4, 1) input: output size floor((n + 2p - f) / s) + 1 = 0 x 0, expected at least 1 x 1 (shapes on the way: (m, 4, 4, 1))',
    );
    expect(() => new Network({ inputShape: [12, 12, 1], layers: [conv, { type: 'maxPool2d', size: 2 }, conv, { type: 'maxPool2d', size: 4 }, { units: 1 }] })).toThrow(
      'Network: layers[3]: a 4x4 pooling window (stride 4, pad 0) does not fit the (m, 3, 3, 2) input: output size floor((n + 2p - f) / s) + 1 = 0 x 0, expected at least 1 x 1 (shapes on the way: (m, 12, 12, 1) -> (m, 10, 10, 2) -> (m, 5, 5, 2) -> (m, 3, 3, 2))',
    );
  });

  it('strides and pads that are not integers of the right sign', () => {
    const make = (extra: object) => () => new Network({ inputShape: [5, 5, 1], layers: [{ ...conv, ...extra }, { units: 1 }] });
    expect(make({ stride: 0 })).toThrow('Network: layers[0].stride: expected a positive integer, got 0');
    expect(make({ stride: 1.5 })).toThrow('Network: layers[0].stride: expected a positive integer, got 1.5');
    expect(make({ padding: -1 })).toThrow("Network: layers[0].padding: expected 'valid', 'same' or a non-negative integer, got -1");
    expect(make({ size: 4, padding: 'same' })).toThrow("Network: layers[0].padding: 'same' needs an odd filter size (p = (f - 1) / 2), got size 4");
    expect(() => new Network({ inputShape: [5, 5, 1], layers: [{ type: 'zeroPad2d', pad: 1.5 }, { units: 1 }] })).toThrow('Network: layers[0].pad: expected a non-negative integer, got 1.5');
    expect(() => new Network({ inputShape: [5, 5, 1], layers: [{ type: 'maxPool2d', size: 2, stride: -2 }, { units: 1 }] })).toThrow('Network: layers[0].stride: expected a positive integer, got -2');
  });

  it('a residual block whose two paths end in different shapes', () => {
    expect(() => new Network({ inputShape: [6, 6, 4], layers: [identityBlock(3, [2, 2, 8]), { units: 1 }] })).toThrow(
      'Network: layers[0]: the main path ends in (m, 6, 6, 8) but the shortcut (the identity) gives (m, 6, 6, 4); their outputs are added, so they must match',
    );
  });

  it('image layers on flat inputs, a non-dense output and unknown types', () => {
    expect(() => new Network({ inputSize: 4, layers: [conv, { units: 1 }] })).toThrow('Network: layers[0]: a conv2d layer needs an image input (m, n_H, n_W, n_C), got (4, m)');
    expect(() => new Network({ inputShape: [4, 4, 1], layers: [conv] })).toThrow('Network: layers[0]: expected the last layer to be a dense output layer ({ units, activation }) that the loss reads, got a conv2d layer');
    expect(() => new Network({ inputShape: [4, 4, 1], layers: [{ type: 'conv3d' } as never, { units: 1 }] })).toThrow('Network: layers[0].type: expected one of dense, conv2d');
    expect(() => new Network({ inputShape: [4, 4, 1], layers: [{ ...conv, activation: 'softmax' }, { units: 1 }] })).toThrow('Network: layers[0].activation: softmax is for a dense output layer');
  });

  it('fit refuses a network whose every layer is frozen', () => {
    const net = new Network({ inputSize: 2, layers: [{ units: 1 }] });
    net.stack[0]!.trainable = false;
    expect(() => fit(net, [[1], [2]], [[1]], { learningRate: 0.1, iterations: 1 })).toThrow('fit: net: expected at least one trainable layer, got every layer frozen');
  });
});

describe('data augmentation', () => {
  const none = { flip: false, shift: 0, rotate: 0, brightness: 0 };
  it('flip mirrors each row; brightness adds one offset per example; the same seed gives the same batch', () => {
    const img = () => Float32Array.from({ length: 2 * 2 * 3 * 1 }, (_, i) => i + 1); // two 2x3 images
    const a = img();
    augmentBatch(a, 2, 2, 3, 1, { ...none, flip: true }, new Rng(5), new Float32Array(6));
    for (let e = 0; e < 2; e++) {
      const got = Array.from(a.subarray(e * 6, e * 6 + 6));
      const orig = Array.from(img().subarray(e * 6, e * 6 + 6));
      const mirrored = [orig[2], orig[1], orig[0], orig[5], orig[4], orig[3]];
      expect([orig.join(), mirrored.join()]).toContain(got.join());
    }
    const b = img();
    augmentBatch(b, 2, 2, 3, 1, { ...none, brightness: 0.5 }, new Rng(5), new Float32Array(6));
    for (let e = 0; e < 2; e++) {
      const d = b[e * 6]! - (e * 6 + 1);
      expect(Math.abs(d)).toBeLessThanOrEqual(0.5);
      for (let i = 0; i < 6; i++) expect(b[e * 6 + i]! - (e * 6 + i + 1)).toBeCloseTo(d, 5);
    }
    const c1 = img();
    const c2 = img();
    augmentBatch(c1, 2, 2, 3, 1, { flip: true, shift: 1, rotate: 15, brightness: 0.1 }, new Rng(9), new Float32Array(6));
    augmentBatch(c2, 2, 2, 3, 1, { flip: true, shift: 1, rotate: 15, brightness: 0.1 }, new Rng(9), new Float32Array(6));
    expect(Array.from(c1)).toEqual(Array.from(c2));
  });

  it('a shift moves the image by whole pixels within the bound, zeros coming in', () => {
    const rng = new Rng(2);
    for (let t = 0; t < 20; t++) {
      const x = Float32Array.from({ length: 25 }, (_, i) => i + 1); // 5x5, values 1..25 (no zeros)
      augmentBatch(x, 1, 5, 5, 1, { ...none, shift: 2 }, rng, new Float32Array(25));
      // Find the displacement from where value 13 (the centre) went; every other value follows it.
      const at = x.indexOf(13);
      const dy = at === -1 ? null : Math.floor(at / 5) - 2;
      const dx = at === -1 ? null : (at % 5) - 2;
      expect(dy !== null && Math.abs(dy) <= 2 && Math.abs(dx!) <= 2).toBe(true);
      for (let i = 0; i < 5; i++) {
        for (let j = 0; j < 5; j++) {
          const si = i - dy!;
          const sj = j - dx!;
          expect(x[i * 5 + j]).toBe(si < 0 || si >= 5 || sj < 0 || sj >= 5 ? 0 : si * 5 + sj + 1);
        }
      }
    }
  });

  it('fit augments image training batches only and checks the option', () => {
    const { X, Y } = bars(64, 3);
    const net = new Network({ inputShape: [8, 8, 1], layers: [{ type: 'conv2d', filters: 4, size: 3, padding: 'same' }, { type: 'maxPool2d', size: 2 }, { units: 1 }], seed: 1 });
    const h = fit(net, X, Y, { learningRate: 0.01, epochs: 30, batchSize: 16, optimizer: 'adam', augment: { shift: 1, brightness: 0.1 }, dev: { X, Y } });
    expect(accuracy(net.classify(X), Y)).toBeGreaterThanOrEqual(0.95);
    expect(h.epochs.length).toBe(30);
    const flat = new Network({ inputSize: 2, layers: [{ units: 1 }] });
    expect(() => fit(flat, [[1], [2]], [[1]], { learningRate: 0.1, iterations: 1, augment: { flip: true } })).toThrow(
      'fit: augment: expected an image network (inputShape [n_H, n_W, n_C]); this network takes 2 flat features',
    );
    expect(() => fit(net, X, Y, { learningRate: 0.1, iterations: 1, augment: { shift: 1.5 } })).toThrow('fit: augment.shift: expected a whole number of pixels >= 0, got 1.5');
    expect(() => fit(net, X, Y, { learningRate: 0.1, iterations: 1, augment: { rotae: 5 } as never })).toThrow('fit: augment.rotae: expected one of flip, shift, rotate, brightness (did you mean rotate?)');
  });
});

describe('transfer learning: replaceHead', () => {
  it('copies the body, freezes it, and trains only the new head', () => {
    const { X, Y } = bars(64, 3);
    const base = new Network({ inputShape: [8, 8, 1], layers: [{ type: 'conv2d', filters: 4, size: 3, padding: 'same', batchNorm: true }, { type: 'maxPool2d', size: 2 }, { type: 'flatten' }, { units: 1 }], seed: 1 });
    fit(base, X, Y, { learningRate: 0.01, epochs: 5, batchSize: 16, optimizer: 'adam' });
    const net = replaceHead(base, [{ units: 6 }, { units: 2, activation: 'softmax' }]);
    expect(net.outputLayer.units).toBe(2);
    for (const name of ['W1', 'gamma1', 'beta1']) expect(Array.from(net.parameters[name]!.data)).toEqual(Array.from(base.parameters[name]!.data));
    const W1 = Array.from(net.parameters.W1!.data);
    const y2 = oneHot(64, 2).map((r, i) => r.map((_, j) => (Y[0]![j] === i ? 1 : 0)));
    fit(net, X, y2, { learningRate: 0.01, epochs: 20, batchSize: 16, optimizer: 'adam' });
    expect(Array.from(net.parameters.W1!.data)).toEqual(W1);
    expect(accuracy(net.classify(X), [Y[0]!])).toBeGreaterThanOrEqual(0.95);
    expect(() => replaceHead(base, [{ units: 2, activation: 'softmax' }], { keep: 2 })).toThrow(
      "replaceHead: keep: the body's last kept layer (maxPool2d 2x2) outputs (m, 4, 4, 4), not a flat (n, m) activation; a dense head needs flat inputs",
    );
    expect(replaceHead(base, [{ type: 'flatten' }, { units: 2, activation: 'softmax' }], { keep: 2 }).outputLayer.units).toBe(2);
    expect(() => replaceHead(base, [{ units: 2 }], { keep: 4 })).toThrow('replaceHead: keep: expected an integer in [1, 3] (the network has 4 layers; the output layer is replaced), got 4');
  });
});

describe('inference in chunks', () => {
  it('predict, cost and fit\'s dev cost over more examples than one 256 MiB chunk holds give the per-example results', () => {
    // 64x64x3 images through a 7x7x64 'same' conv: about 4.5 MB of buffers per example, so 120 examples take 3 chunks.
    const net = new Network({ inputShape: [64, 64, 3], layers: [{ type: 'conv2d', filters: 64, size: 7, padding: 'same' }, { type: 'maxPool2d', size: 8 }, { units: 1 }], seed: 1 });
    expect(net.inferenceChunk(120)).toBeLessThan(60);
    const X = images(120, 64, 64, 3, 2, 'float32');
    const Y = [Array.from({ length: 120 }, (_, j) => j % 2)];
    const all = net.predict(X);
    const some = net.predict(new Tensor([5, 64, 64, 3], X.data.slice(100 * 64 * 64 * 3, 105 * 64 * 64 * 3)));
    expect(Array.from(all.data.slice(100, 105))).toEqual(Array.from(some.data));
    const h = fit(net, new Tensor([8, 64, 64, 3], X.data.slice(0, 8 * 64 * 64 * 3)), [Y[0]!.slice(0, 8)], { learningRate: 1e-3, epochs: 1, optimizer: 'adam', dev: { X, Y } });
    expect(h.epochs[0]!.devCost).toBeCloseTo(net.cost(X, Y), 6);
  });
});
