/**
 * What a child process reports (its last stdout line, as JSON) and what the
 * runner writes to bench/out/results.json.
 */

/** Which library or variant a child runs. */
export type VariantId = 'layerwise-wasm2' | 'layerwise-wasm1' | 'layerwise-js' | 'tfjs-wasm' | 'tfjs-cpu' | 'brain' | 'plain-js';

export type WorkloadId = 'mnist' | 'planar';

/** Resident and heap memory at one point (after a forced GC where --expose-gc allows), in MiB. */
export interface MemorySample {
  rssMiB: number;
  heapUsedMiB: number;
}

/** Quality after one MNIST epoch, measured outside the timed region. */
export interface EpochCheck {
  epoch: number;
  /** Mean cross-entropy over the 8000 training examples (null where the peer's loss is not comparable). */
  trainCost: number | null;
  testAccuracy: number;
}

export interface MnistResult {
  workload: 'mnist';
  variant: VariantId;
  ok: true;
  epochs: number;
  examplesPerEpoch: number;
  /** Wall seconds of each epoch's training (evaluation excluded). */
  epochSeconds: number[];
  /** examplesPerEpoch / median epoch seconds: the steady-state speed. */
  examplesPerSecond: number;
  checks: EpochCheck[];
  /** False where the peer cannot express the same computation (its cost is then not compared). */
  sameComputation: boolean;
  memory: { maxRssMiB: number; perEpoch: MemorySample[] };
  note?: string;
}

export interface PlanarResult {
  workload: 'planar';
  variant: VariantId;
  ok: true;
  iterations: number;
  seconds: number;
  finalCost: number;
  accuracy: number;
  memory: { maxRssMiB: number };
  note?: string;
}

/** A variant that could not run, with the reason shown in the table. */
export interface Unavailable {
  workload: WorkloadId;
  variant: VariantId;
  ok: false;
  reason: string;
}

export type ChildResult = MnistResult | PlanarResult | Unavailable;
