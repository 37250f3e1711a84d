/**
 * What a child process reports (its last stdout line, as JSON) and what the
 * runner writes to bench/out/results.json.
 */
import type { LstmResult } from '../workloads/lstm.js';

/** Which library or variant a child runs. */
export type VariantId =
  | 'layerwise-wasm2'
  | 'layerwise-wasm1'
  | 'layerwise-rows2'
  | 'layerwise-rows1'
  | 'layerwise-js'
  | 'tfjs-wasm'
  | 'tfjs-cpu'
  | 'brain'
  | 'plain-js'
  | 'torch1'
  | 'torch2';

export type WorkloadId = 'mnist' | 'planar' | 'cnn' | 'lstm';

/** Resident and heap memory at one point (after a forced GC where --expose-gc allows), in MiB; no heap figure for PyTorch (null). */
export interface MemorySample {
  rssMiB: number;
  heapUsedMiB: number | null;
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

/** The MNIST CNN (bench/workloads/cnn.ts): per-batch costs and times, so capped peers compare too. */
export interface CnnResult {
  workload: 'cnn';
  variant: VariantId;
  ok: true;
  batchSize: number;
  /** Batches in a full epoch (the training set / the batch size). */
  batchesPerEpoch: number;
  /** Batches trained in all (a capped peer stops inside epoch 1). */
  batches: number;
  /** Full epochs trained. */
  epochs: number;
  /** Wall seconds of each batch (forward, cost, backward, update; the cost read back). */
  batchSeconds: number[];
  /** Wall seconds of each full epoch. */
  epochSeconds: number[];
  /** The batches the speed is the median over: those after epoch 1 when more than one epoch ran, else all but the first. */
  timedFrom: number;
  /** batchSize / the median of batchSeconds from timedFrom on: the steady-state speed. */
  examplesPerSecond: number;
  /** Each batch's cost (mean cross-entropy over the batch) before that batch's update, as the library computed it. */
  batchCosts: number[];
  /** The mean of batchCosts over each full epoch. */
  epochMeanCosts: number[];
  /** Test accuracy after each full epoch, by the shared forward pass (bench/shared/evaluate.ts). */
  testAccuracy: number[];
  memory: { maxRssMiB: number; perEpoch: MemorySample[] };
  note?: string;
}

/** A variant that could not run, with the reason shown in the table. */
export interface Unavailable {
  workload: WorkloadId;
  variant: VariantId;
  ok: false;
  reason: string;
}

export type ChildResult = MnistResult | PlanarResult | CnnResult | LstmResult | Unavailable;
