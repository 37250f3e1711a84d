/**
 * The child-side harness: times a peer's training the same way for every
 * library, evaluates outside the timed region, and samples memory.
 */
import type { LayerInit } from './fixtures.js';
import type { CnnResult, EpochCheck, MemorySample, MnistResult, PlanarResult, VariantId } from './types.js';
import { evaluateCnn, evaluateMnist } from './evaluate.js';
import type { MnistFixture } from '../workloads/mnist.js';
import { CNN, type CnnFixture, type CnnWeights } from '../workloads/cnn.js';

/** A peer's MNIST training, as the harness drives it. */
export interface MnistTrainer {
  /**
   * Trains `epochs` epochs over the training set, epoch e in the fixture's
   * order row e (`MnistFixture.order`; brain.js, not comparable, keeps the
   * stored order), calling `epochEnd` synchronously after each one (the
   * harness stops its clock there).
   */
  train(epochs: number, epochEnd: () => void): Promise<void>;
  /** A copy of the current weights in the course's layout (W is (n[l], n[l-1])). */
  snapshot(): LayerInit[];
  /** False where the peer cannot express the same network, loss and update. */
  sameComputation: boolean;
  /** The peer's output activation, for the shared evaluator (softmax unless the peer differs). */
  outputActivation?: 'softmax' | 'relu';
  /** Training examples per epoch when a very slow peer trains on a prefix only; default all. */
  examplesPerEpoch?: number;
  note?: string;
}

/** A peer's planar training. */
export interface PlanarTrainer {
  /** `iterations` steps of full-batch gradient descent. */
  train(iterations: number): Promise<void> | void;
  /** The peer's own cost (binary cross-entropy) and training accuracy, now. */
  evaluate(): { cost: number; accuracy: number };
  note?: string;
}

/** A peer's CNN training, as the harness drives it. */
export interface CnnTrainer {
  /**
   * Trains `batches` batches of 64 over the training set in its fixed order
   * (batch i is rows (i mod 125) * 64 onwards: epoch after epoch), calling
   * `batchEnd` synchronously after each batch's update with the cost the
   * library computed for that batch before the update (the harness stops its
   * clock there).
   */
  train(batches: number, batchEnd: (cost: number) => void): Promise<void>;
  /** A copy of the current weights in layerwise's layout (bench/workloads/cnn.ts). */
  snapshot(): CnnWeights;
  note?: string;
}

/** What a CNN run measured, before the shared evaluation: from measureCnn, or from a peer that timed itself (PyTorch). */
export interface CnnRun {
  batchCosts: number[];
  batchSeconds: number[];
  /** The weights after each full epoch. */
  snapshots: CnnWeights[];
  /** RSS (and heap) after a GC at the start and at each full epoch's end. */
  memory: { maxRssMiB: number; perEpoch: MemorySample[] };
  note?: string;
}

const MiB = 1024 * 1024;

export function memorySample(): MemorySample {
  // With --expose-gc, collect first so the figures show what is live, not what is pending.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
  const m = process.memoryUsage();
  return { rssMiB: m.rss / MiB, heapUsedMiB: m.heapUsed / MiB };
}

export function maxRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** What an MNIST run measured, before the shared evaluation: from measureMnist, or from a peer that timed itself (PyTorch). */
export interface MnistRun {
  /** Wall seconds of each epoch's training (evaluation excluded). */
  epochSeconds: number[];
  /** The weights after each epoch, in the course's layout. */
  snapshots: LayerInit[][];
  /** RSS (and heap) after a GC at the start and at each epoch's end. */
  memory: { maxRssMiB: number; perEpoch: MemorySample[] };
  note?: string;
}

/** How the shared evaluation reads an MNIST run (the defaults: the same computation, softmax, all 8000 examples). */
export interface MnistRunKind {
  sameComputation?: boolean;
  outputActivation?: 'softmax' | 'relu';
  examplesPerEpoch?: number;
}

/**
 * Times each epoch, samples memory at each epoch end (after a GC, before
 * anything else allocates) and keeps a copy of the weights; the weights are
 * evaluated after training by one shared forward pass (summarizeMnist), so
 * evaluation never runs inside a library's training loop and every library
 * is judged by the same code.
 */
export async function measureMnist(trainer: MnistTrainer, epochs: number): Promise<MnistRun> {
  const epochSeconds: number[] = [];
  const snapshots: LayerInit[][] = [];
  const perEpoch: MemorySample[] = [memorySample()];
  let mark = performance.now();
  await trainer.train(epochs, () => {
    epochSeconds.push((performance.now() - mark) / 1000);
    perEpoch.push(memorySample());
    snapshots.push(trainer.snapshot());
    mark = performance.now();
  });
  const run: MnistRun = { epochSeconds, snapshots, memory: { maxRssMiB: maxRssMiB(), perEpoch } };
  if (trainer.note) run.note = trainer.note;
  return run;
}

/** The figures of an MNIST run: examples/s from the median epoch, each epoch's weights judged by the shared forward pass. */
export function summarizeMnist(variant: VariantId, run: MnistRun, f: MnistFixture, kind: MnistRunKind = {}): MnistResult {
  const sameComputation = kind.sameComputation ?? true;
  const checks: EpochCheck[] = run.snapshots.map((weights, e) => {
    const q = evaluateMnist(weights, f, kind.outputActivation ?? 'softmax');
    return { epoch: e + 1, trainCost: sameComputation ? q.trainCost : null, testAccuracy: q.testAccuracy };
  });
  const examplesPerEpoch = kind.examplesPerEpoch ?? f.trainX.cols;
  const result: MnistResult = {
    workload: 'mnist',
    variant,
    ok: true,
    epochs: run.epochSeconds.length,
    examplesPerEpoch,
    epochSeconds: run.epochSeconds,
    examplesPerSecond: examplesPerEpoch / median(run.epochSeconds),
    checks,
    sameComputation,
    memory: run.memory,
  };
  if (run.note) result.note = run.note;
  return result;
}

export async function measurePlanar(variant: VariantId, trainer: PlanarTrainer, iterations: number): Promise<PlanarResult> {
  const start = performance.now();
  await trainer.train(iterations);
  const seconds = (performance.now() - start) / 1000;
  const { cost, accuracy } = trainer.evaluate();
  const result: PlanarResult = { workload: 'planar', variant, ok: true, iterations, seconds, finalCost: cost, accuracy, memory: { maxRssMiB: maxRssMiB() } };
  if (trainer.note) result.note = trainer.note;
  return result;
}

/**
 * Times each batch of a CNN trainer (from the end of the previous batch, or
 * of the harness's epoch-end work, to the end of this one) and, at each full
 * epoch's end, samples memory after a GC and copies the weights; all of that
 * happens outside the timed batches.
 */
export async function measureCnn(trainer: CnnTrainer, batches: number, batchesPerEpoch: number): Promise<CnnRun> {
  const batchCosts: number[] = [];
  const batchSeconds: number[] = [];
  const snapshots: CnnWeights[] = [];
  const perEpoch: MemorySample[] = [memorySample()];
  let mark = performance.now();
  await trainer.train(batches, (cost) => {
    batchSeconds.push((performance.now() - mark) / 1000);
    batchCosts.push(cost);
    if (batchCosts.length % batchesPerEpoch === 0) {
      perEpoch.push(memorySample());
      snapshots.push(trainer.snapshot());
    }
    mark = performance.now();
  });
  if (batchCosts.length !== batches) throw new Error(`the trainer ran ${batchCosts.length} batches, asked for ${batches}`);
  const run: CnnRun = { batchCosts, batchSeconds, snapshots, memory: { maxRssMiB: maxRssMiB(), perEpoch } };
  if (trainer.note) run.note = trainer.note;
  return run;
}

/**
 * The figures of a CNN run: the steady-state speed is the batch size over
 * the median batch time, over the batches after epoch 1 when more than one
 * epoch ran, else over all batches but the first (warm-up, compilation and
 * first-touch allocation land there); test accuracy of each epoch's weights
 * by the shared forward pass.
 */
export function summarizeCnn(variant: VariantId, run: CnnRun, f: CnnFixture): CnnResult {
  const B = CNN.batchSize;
  const batchesPerEpoch = Math.floor(f.trainX.rows / B);
  const batches = run.batchSeconds.length;
  const epochs = Math.floor(batches / batchesPerEpoch);
  const timedFrom = epochs >= 2 ? batchesPerEpoch : Math.min(1, batches - 1);
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const epochSeconds: number[] = [];
  const epochMeanCosts: number[] = [];
  for (let e = 0; e < epochs; e++) {
    epochSeconds.push(sum(run.batchSeconds.slice(e * batchesPerEpoch, (e + 1) * batchesPerEpoch)));
    epochMeanCosts.push(sum(run.batchCosts.slice(e * batchesPerEpoch, (e + 1) * batchesPerEpoch)) / batchesPerEpoch);
  }
  const result: CnnResult = {
    workload: 'cnn',
    variant,
    ok: true,
    batchSize: B,
    batchesPerEpoch,
    batches,
    epochs,
    batchSeconds: run.batchSeconds,
    epochSeconds,
    timedFrom,
    examplesPerSecond: B / median(run.batchSeconds.slice(timedFrom)),
    batchCosts: run.batchCosts,
    epochMeanCosts,
    testAccuracy: run.snapshots.map((w) => evaluateCnn(w, f)),
    memory: run.memory,
  };
  if (run.note) result.note = run.note;
  return result;
}
