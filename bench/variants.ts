/**
 * The variants the bench compares, and how much work each does. Slow peers
 * run fewer epochs so each child stays under about a minute; speeds are per
 * example, so they compare across different epoch counts, and the quality
 * check compares every variant at the same epoch (CHECK_EPOCH).
 */
import type { VariantId, WorkloadId } from './shared/types.js';

export interface Variant {
  id: VariantId;
  label: string;
  /** MNIST epochs: [full run, --quick]. */
  mnistEpochs: [number, number];
  /** Training examples per MNIST epoch where a very slow peer uses a prefix: [full, --quick]. */
  mnistExamples?: [number, number];
  /** Planar iterations: [full, --quick]; null where the peer cannot run it (reason given). */
  planarIterations: [number, number] | null;
  planarReason?: string;
}

/** Why the row-per-example variants have no planar run. */
const ROWS_PLANAR = 'n/a (the row-per-example path is an MNIST variant)';

export const VARIANTS: readonly Variant[] = [
  // Path (a): X already (784, m), one fit call, fit shuffling and gathering the batches.
  { id: 'layerwise-wasm2', label: 'layerwise wasm, 2 threads', mnistEpochs: [5, 2], planarIterations: [10_000, 2_000] },
  { id: 'layerwise-wasm1', label: 'layerwise wasm, 1 thread', mnistEpochs: [5, 2], planarIterations: [10_000, 2_000] },
  // Path (b): X as (m, 784) rows, turned into the course's layout and fit for one epoch inside each timed epoch.
  { id: 'layerwise-rows2', label: 'layerwise wasm, 2 threads, rows', mnistEpochs: [5, 2], planarIterations: null, planarReason: ROWS_PLANAR },
  { id: 'layerwise-rows1', label: 'layerwise wasm, 1 thread, rows', mnistEpochs: [5, 2], planarIterations: null, planarReason: ROWS_PLANAR },
  { id: 'layerwise-js', label: 'layerwise reference (js)', mnistEpochs: [5, 2], planarIterations: [10_000, 2_000] },
  { id: 'plain-js', label: 'hand-written JS', mnistEpochs: [5, 2], planarIterations: [10_000, 2_000] },
  { id: 'tfjs-wasm', label: 'TF.js WASM', mnistEpochs: [5, 2], planarIterations: [10_000, 2_000] },
  // About 300-600 examples/s: two epochs already take 30-60 s.
  { id: 'tfjs-cpu', label: 'TF.js CPU', mnistEpochs: [2, 1], planarIterations: [10_000, 2_000] },
  {
    id: 'brain',
    label: 'brain.js',
    // About 30-80 examples/s: a full 8000-example epoch would take two to four minutes.
    mnistEpochs: [1, 1],
    mnistExamples: [1000, 300],
    planarIterations: null,
    planarReason: 'n/a (brain.js updates after every example: no full-batch gradient descent, no tanh/sigmoid mix)',
  },
  // Its own Python process (bench/peers/torch_mlp.py); the examples are rows, its native layout.
  { id: 'torch1', label: 'PyTorch, 1 thread', mnistEpochs: [5, 2], planarIterations: null, planarReason: 'n/a (PyTorch runs the MLP and the CNN)' },
  { id: 'torch2', label: 'PyTorch, 2 threads', mnistEpochs: [5, 2], planarIterations: null, planarReason: 'n/a (PyTorch runs the MLP and the CNN)' },
];

/**
 * The CNN's variants (bench/workloads/cnn.ts) and their work: whole epochs
 * of 125 batches, or a cap of `batches` for a peer too slow for one (it then
 * has no epoch-1 mean cost or test accuracy, only its first batches' costs).
 */
export interface CnnVariant {
  id: VariantId;
  label: string;
  /** Batches to train: [full run, --quick]; 125 is one epoch. Null where the peer cannot run it (reason given). */
  batches: [number, number] | null;
  reason?: string;
}

/** Batches in one CNN epoch: 8000 / 64. */
export const CNN_EPOCH = 125;

const label = (id: VariantId) => VARIANTS.find((v) => v.id === id)!.label;

export const CNN_VARIANTS: readonly CnnVariant[] = [
  // Three epochs: the memory check needs two epoch ends after the first.
  { id: 'layerwise-wasm2', label: label('layerwise-wasm2'), batches: [3 * CNN_EPOCH, 2 * CNN_EPOCH] },
  { id: 'layerwise-wasm1', label: label('layerwise-wasm1'), batches: [3 * CNN_EPOCH, 2 * CNN_EPOCH] },
  // About 500-700 examples/s: one epoch (the reference for the same-computation check) is 12-16 s.
  { id: 'layerwise-js', label: label('layerwise-js'), batches: [CNN_EPOCH, 20] },
  { id: 'plain-js', label: label('plain-js'), batches: [CNN_EPOCH, 20] },
  { id: 'torch1', label: label('torch1'), batches: [3 * CNN_EPOCH, 2 * CNN_EPOCH] },
  { id: 'torch2', label: label('torch2'), batches: [3 * CNN_EPOCH, 2 * CNN_EPOCH] },
  // It fails its first step (no Conv2DBackpropFilter kernel); run for real so the reason is its own error.
  { id: 'tfjs-wasm', label: label('tfjs-wasm'), batches: [CNN_EPOCH, 20] },
  // About 13 examples/s: 5 s a batch.
  { id: 'tfjs-cpu', label: label('tfjs-cpu'), batches: [5, 3] },
  { id: 'brain', label: label('brain'), batches: null, reason: 'n/a (brain.js 1.x has no convolutional layers)' },
];

/**
 * The LSTM language model's variants (bench/workloads/lstm.ts) and their work in batches of 32
 * sequences: [full run, --quick]; 50 batches are one epoch. Null where the peer cannot run it.
 */
export const LSTM_VARIANTS: readonly CnnVariant[] = [
  // Three epochs: the speed is the median over epochs 2 and 3.
  { id: 'layerwise-wasm2', label: label('layerwise-wasm2'), batches: [150, 20] },
  { id: 'layerwise-wasm1', label: label('layerwise-wasm1'), batches: [150, 20] },
  { id: 'layerwise-js', label: label('layerwise-js'), batches: [20, 5] },
  { id: 'plain-js', label: label('plain-js'), batches: [20, 5] },
  { id: 'torch1', label: label('torch1'), batches: [150, 20] },
  { id: 'torch2', label: label('torch2'), batches: [150, 20] },
  { id: 'tfjs-wasm', label: label('tfjs-wasm'), batches: [20, 5] },
  { id: 'tfjs-cpu', label: label('tfjs-cpu'), batches: [10, 3] },
  // brain.js's recurrent.LSTM trains one string at a time; a "batch" is one pass over 32 sequences.
  { id: 'brain', label: label('brain'), batches: [4, 2] },
];

export function lstmVariantById(id: string): CnnVariant | undefined {
  return LSTM_VARIANTS.find((v) => v.id === id);
}

export function cnnVariantById(id: string): CnnVariant | undefined {
  return CNN_VARIANTS.find((v) => v.id === id);
}

/** The epoch at which every variant's cost and accuracy are compared (the fewest any comparable variant runs). */
export function checkEpoch(quick: boolean): number {
  return Math.min(...VARIANTS.filter((v) => v.id !== 'brain').map((v) => v.mnistEpochs[quick ? 1 : 0]));
}

export const WORKLOADS: readonly WorkloadId[] = ['mnist', 'planar', 'cnn', 'lstm'];

export function variantById(id: string): Variant | undefined {
  return VARIANTS.find((v) => v.id === id);
}
