/**
 * The child-side harness: times a peer's training the same way for every
 * library, evaluates outside the timed region, and samples memory.
 */
import type { LayerInit } from './fixtures.js';
import type { EpochCheck, MemorySample, MnistResult, PlanarResult, VariantId } from './types.js';
import { evaluateMnist } from './evaluate.js';
import type { MnistFixture } from '../workloads/mnist.js';

/** A peer's MNIST training, as the harness drives it. */
export interface MnistTrainer {
  /**
   * Trains `epochs` epochs over the training set in its fixed order, calling
   * `epochEnd` synchronously after each one (the harness stops its clock there).
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

/**
 * Times each epoch, samples memory at each epoch end (after a GC, before
 * anything else allocates) and keeps a copy of the weights; the weights are
 * evaluated after training by one shared forward pass, so evaluation never
 * runs inside a library's training loop and every library is judged by the
 * same code.
 */
export async function measureMnist(variant: VariantId, trainer: MnistTrainer, f: MnistFixture, epochs: number): Promise<MnistResult> {
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
  const checks: EpochCheck[] = snapshots.map((weights, e) => {
    const q = evaluateMnist(weights, f, trainer.outputActivation ?? 'softmax');
    return { epoch: e + 1, trainCost: trainer.sameComputation ? q.trainCost : null, testAccuracy: q.testAccuracy };
  });
  const examplesPerEpoch = trainer.examplesPerEpoch ?? f.trainX.cols;
  const result: MnistResult = {
    workload: 'mnist',
    variant,
    ok: true,
    epochs: epochSeconds.length,
    examplesPerEpoch,
    epochSeconds,
    examplesPerSecond: examplesPerEpoch / median(epochSeconds),
    checks,
    sameComputation: trainer.sameComputation,
    memory: { maxRssMiB: maxRssMiB(), perEpoch },
  };
  if (trainer.note) result.note = trainer.note;
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
