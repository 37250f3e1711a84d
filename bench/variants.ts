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

export const VARIANTS: readonly Variant[] = [
  { id: 'layerwise-wasm2', label: 'layerwise wasm, 2 threads', mnistEpochs: [5, 2], planarIterations: [10_000, 2_000] },
  { id: 'layerwise-wasm1', label: 'layerwise wasm, 1 thread', mnistEpochs: [5, 2], planarIterations: [10_000, 2_000] },
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
];

/** The epoch at which every variant's cost and accuracy are compared (the fewest any comparable variant runs). */
export function checkEpoch(quick: boolean): number {
  return Math.min(...VARIANTS.filter((v) => v.id !== 'brain').map((v) => v.mnistEpochs[quick ? 1 : 0]));
}

export const WORKLOADS: readonly WorkloadId[] = ['mnist', 'planar'];

export function variantById(id: string): Variant | undefined {
  return VARIANTS.find((v) => v.id === id);
}
