/**
 * Where the MLP's row-per-example path (b) spends its time, on layerwise's
 * wasm backend: the epoch time of each way a user can feed (m, 784) rows to
 * fit (a network built with inputShape [784], which takes them as they are;
 * flattenImages into the course's columns; images (m, 28, 28, 1)), next to
 * path (a), and the pieces one fit call per epoch adds.
 *
 * Run: npx tsx bench/mlp-rows-profile.ts [threads=1] [epochs=6]
 * (the first epoch of each way is left out of its median: warm-up).
 *
 * For the functions themselves, profile the bench's own child:
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --expose-gc --import tsx bench/child.ts mnist layerwise-rows1 8
 */
import { Adam, Network, Tensor, fit, flattenImages, getBackend, oneHot, setBackend, type FitOptions } from '../src/index.js';
import { initWasmBackend } from '../src/backend/wasm/index.js';
import { labelsOf } from './workloads/cnn.js';
import { makeMnistFixture } from './workloads/make-fixtures.js';
import { MNIST } from './workloads/mnist.js';

const threads = Number(process.argv[2] ?? 1) === 2 ? 2 : 1;
const E = Number(process.argv[3] ?? 6);
await initWasmBackend({ threads });
setBackend('wasm');
const f = makeMnistFixture(1);
const m = f.trainX.cols;
const n = f.trainX.rows;
const classes = f.trainY.rows;
// The user's data: one example per row, one label per row.
const rows = new Float32Array(m * n);
for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) rows[j * n + i] = f.trainX.data[i * m + j]!;
const labels = Array.from(labelsOf(f.trainY));
const Xc = new Tensor([n, m], f.trainX.data);
const Yc = new Tensor([classes, m], f.trainY.data);

const layers = [
  { units: 128, activation: 'relu' },
  { units: 64, activation: 'relu' },
  { units: 10, activation: 'softmax' },
] as const;
const flatNet = () => new Network({ inputSize: n, layers, seed: MNIST.seed });
const rowNet = () => new Network({ inputShape: [n], layers, seed: MNIST.seed });
const imageNet = () => new Network({ inputShape: [28, 28, 1], layers, seed: MNIST.seed });
const options = (epochs: number, optimizer: Adam, onEpoch?: () => void): FitOptions => ({
  learningRate: MNIST.learningRate,
  epochs,
  batchSize: MNIST.batchSize,
  shuffle: true,
  optimizer,
  ...(onEpoch ? { onEpoch } : {}),
});
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function line(name: string, epochMs: readonly number[], parts: Record<string, readonly number[]> = {}): void {
  const ms = median(epochMs.slice(1));
  const extra = Object.entries(parts).map(([k, v]) => `${k} ${median(v.slice(1)).toFixed(1)} ms`);
  console.log(`${name.padEnd(62)} ${Math.round((m / ms) * 1000).toLocaleString('en-US').padStart(8)} ex/s  epoch ${ms.toFixed(1).padStart(6)} ms${extra.length ? `  (${extra.join(', ')})` : ''}`);
}

/** Each epoch: `prepare` (timed apart), then one fit call of one epoch on what it returned. */
function perEpoch(name: string, net: Network, prepare: () => [Tensor, Tensor]): void {
  const adam = new Adam({ beta1: MNIST.beta1, beta2: MNIST.beta2, epsilon: MNIST.epsilon });
  const total: number[] = [];
  const convert: number[] = [];
  for (let e = 0; e < E; e++) {
    const t0 = performance.now();
    const [X, Y] = prepare();
    const t1 = performance.now();
    fit(net, X, Y, options(1, adam));
    total.push(performance.now() - t0);
    convert.push(t1 - t0);
  }
  line(name, total, { 'of which converting': convert });
}

function oneCall(name: string, net: Network, X: Tensor, Y: Tensor): void {
  const epochs: number[] = [];
  let mark = performance.now();
  fit(net, X, Y, options(E, new Adam({ beta1: MNIST.beta1, beta2: MNIST.beta2, epsilon: MNIST.epsilon }), () => {
    epochs.push(performance.now() - mark);
    mark = performance.now();
  }));
  line(name, epochs);
}

/** The pieces by themselves, E times each (median after the first). */
function pieces(): void {
  const be = getBackend();
  const time = (run: () => unknown): number => {
    const t: number[] = [];
    for (let e = 0; e < E; e++) {
      const s = performance.now();
      run();
      t.push(performance.now() - s);
    }
    return median(t.slice(1));
  };
  // In wasm memory: X as rows (what fit gathers from) and as the course's columns.
  const inRows = be.zeros([m, n], 'float32');
  const inColumns = be.zeros([n, m], 'float32');
  inColumns.data.set(Xc.data);
  const figures = {
    'flattenImages (m, 784) -> (784, m), JS': time(() => flattenImages(new Tensor([m, n], rows))),
    'oneHot (10, m)': time(() => oneHot(labels, classes)),
    'a finiteness scan of X in JS': time(() => {
      for (let i = 0; i < rows.length; i++) if (!Number.isFinite(rows[i]!)) throw new Error('not finite');
    }),
    "the backend's sumSquares over X (fit's finiteness check)": time(() => be.sumSquares(inRows)),
    'a copy of the rows into wasm memory (all that rows need)': time(() => inRows.data.set(rows)),
    "the backend's SIMD transpose kernel, (784, m) -> (m, 784)": time(() => be.transpose(inColumns, inRows)),
  };
  for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(62)} ${v.toFixed(1).padStart(6)} ms`);
}

console.log(`MNIST MLP, wasm ${threads} thread${threads === 1 ? '' : 's'}, ${m} examples, batch ${MNIST.batchSize}, median of epochs 2-${E}`);
oneCall('(a) X (784, m), one fit call', flatNet(), Xc, Yc);
perEpoch('(a1) X (784, m), one fit call per epoch', flatNet(), () => [Xc, Yc]);
perEpoch('(b) rows, inputShape [784]: oneHot + fit per epoch (the bench)', rowNet(), () => [new Tensor([m, n], rows), oneHot(labels, classes)]);
perEpoch('(f) rows: flattenImages + oneHot + fit per epoch', flatNet(), () => [flattenImages(new Tensor([m, n], rows)), oneHot(labels, classes)]);
oneCall('(i) rows as (m, 28, 28, 1) images, one fit call', imageNet(), new Tensor([m, 28, 28, 1], rows), Yc);
perEpoch('(i1) rows as (m, 28, 28, 1) images + oneHot, fit per epoch', imageNet(), () => [new Tensor([m, 28, 28, 1], rows), oneHot(labels, classes)]);
console.log('pieces:');
pieces();
process.exit(0);
