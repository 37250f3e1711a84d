/**
 * Two course-4 studies on the real MNIST digits, with a small CNN
 * (conv 5x5x8 -> maxpool 2 -> conv 5x5x16 -> maxpool 2 -> dense softmax,
 * Adam 1e-3, batch 32), every run seeded:
 *
 * 1. Data augmentation on a small training set: 500 training digits, 2,000
 *    dev digits, 40 epochs, without augmentation and with random shifts of up
 *    to 2 pixels and rotations of up to 10 degrees. Augmentation should narrow
 *    the train-dev gap.
 * 2. Transfer learning: a conv body trained on the digits 0-4 is frozen under a
 *    new softmax head for the digits 5-9, trained on 300 of them, against the
 *    same network trained from scratch on the same 300 and against the
 *    pretrained body fine-tuned (not frozen); Adam 1e-2, dev accuracy per
 *    epoch on 1,500 other 5-9 digits.
 *
 * Run: npx tsx examples/cnn-studies.ts
 */
import { Network, Tensor, accuracy, fit, replaceHead, type TypedLayerSpec } from 'layerwise';
import { loadMnist } from 'layerwise/node';

const BODY: TypedLayerSpec[] = [
  { type: 'conv2d', filters: 8, size: 5 },
  { type: 'maxPool2d', size: 2 },
  { type: 'conv2d', filters: 16, size: 5 },
  { type: 'maxPool2d', size: 2 },
  { type: 'flatten' },
];
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** The digits whose label passes `keep`, as images (m, 28, 28, 1) and one-hot rows for `classes` consecutive labels from `first`. */
function subset(all: ReturnType<typeof loadMnist>, keep: (label: number) => boolean, from: number, count: number, first = 0, classes = 10): { X: Tensor; Y: number[][] } {
  const idx: number[] = [];
  for (let j = 0; j < all.labels.length && idx.length < from + count; j++) if (keep(all.labels[j]!)) idx.push(j);
  const pick = idx.slice(from, from + count);
  const data = new Float32Array(pick.length * 784);
  pick.forEach((j, k) => data.set(all.X.data.subarray(j * 784, j * 784 + 784), k * 784));
  const Xs = new Tensor([pick.length, 28, 28, 1], data);
  const Y = Array.from({ length: classes }, (_, c) => pick.map((j) => (all.labels[j]! - first === c ? 1 : 0)));
  return { X: Xs, Y };
}

const all = loadMnist({ seed: 7, layout: 'images' });

console.log('1. augmentation: 500 training digits, 2,000 dev digits, 40 epochs');
console.log('setting                      train    dev      gap');
const small = subset(all, () => true, 0, 500);
const dev = subset(all, () => true, 500, 2000);
for (const [name, augment] of [['none', undefined], ['shift 2 px, rotate 10 deg', { shift: 2, rotate: 10 }]] as const) {
  const net = new Network({ inputShape: [28, 28, 1], layers: [...BODY, { units: 10, activation: 'softmax' }], seed: 1 });
  fit(net, small.X, small.Y, { learningRate: 1e-3, optimizer: 'adam', epochs: 40, batchSize: 32, ...(augment ? { augment } : {}) });
  const tr = accuracy(net.classify(small.X), small.Y);
  const dv = accuracy(net.classify(dev.X), dev.Y);
  console.log(`${name.padEnd(29)}${pct(tr).padEnd(9)}${pct(dv).padEnd(9)}${pct(tr - dv)}`);
}

console.log('\n2. transfer: body trained on digits 0-4, new head for 5-9 trained on 300 digits; dev accuracy on 1,500 others');
const low = subset(all, (l) => l < 5, 0, 4000, 0, 5);
const pre = new Network({ inputShape: [28, 28, 1], layers: [...BODY, { units: 5, activation: 'softmax' }], seed: 1 });
fit(pre, low.X, low.Y, { learningRate: 1e-3, optimizer: 'adam', epochs: 5, batchSize: 32 });
console.log(`pretrained on 4,000 digits 0-4: ${pct(accuracy(pre.classify(low.X), low.Y))} training accuracy`);
const high = subset(all, (l) => l >= 5, 0, 300, 5, 5);
const highDev = subset(all, (l) => l >= 5, 300, 1500, 5, 5);
const scratch = new Network({ inputShape: [28, 28, 1], layers: [...BODY, { units: 5, activation: 'softmax' }], seed: 2 });
const runs = {
  scratch: scratch,
  'frozen body + new head': replaceHead(pre, [{ units: 5, activation: 'softmax' }], { seed: 2 }),
  'fine-tuned body': replaceHead(pre, [{ units: 5, activation: 'softmax' }], { seed: 2, freeze: false }),
};
const curves: Record<string, number[]> = {};
const seconds: Record<string, number> = {};
for (const [name, net] of Object.entries(runs)) {
  curves[name] = [];
  let train = 0;
  // Training time alone: the dev evaluation after each epoch is excluded.
  fit(net, high.X, high.Y, {
    learningRate: 1e-2,
    optimizer: 'adam',
    epochs: 15,
    batchSize: 32,
    onEpoch: (e) => {
      // examplesPerSecond counts the epoch's updates (ceil(m / 32) batches of 32) over its own time.
      train += (Math.ceil(high.Y[0]!.length / 32) * 32) / e.examplesPerSecond;
      curves[name]!.push(accuracy(net.classify(highDev.X), highDev.Y));
    },
  });
  seconds[name] = train;
}
console.log(`epoch   ${Object.keys(curves).map((k) => k.padEnd(24)).join('')}`);
for (const e of [0, 1, 2, 3, 4, 5, 9, 14]) console.log(`${String(e + 1).padEnd(8)}${Object.values(curves).map((c) => pct(c[e]!).padEnd(24)).join('')}`);
for (const [name, s] of Object.entries(seconds)) console.log(`${name}: ${s.toFixed(2)} s of training for 15 epochs`);
