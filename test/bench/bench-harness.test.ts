/**
 * The bench compares libraries only if they compute the same thing. These
 * run the hand-written JS baseline and layerwise on the planar workload from
 * the same starting weights, in-process, for a few iterations, and check
 * that the costs agree (no timing here).
 */
import { describe, expect, it } from 'vitest';
import { Adam, Tensor, fit, getBackend, setBackend } from '../../src/index.js';
import { evaluateMnist } from '../../bench/shared/evaluate.js';
import { layerwisePlanarTrainer } from '../../bench/peers/layerwise.js';
import { PlainMlp, plainPlanarTrainer } from '../../bench/peers/plain-js.js';
import { matrix } from '../../bench/shared/fixtures.js';
import { makePlanarFixture } from '../../bench/workloads/make-fixtures.js';
import { PLANAR } from '../../bench/workloads/planar.js';
import type { MnistFixture } from '../../bench/workloads/mnist.js';
import { better } from '../../bench/shared/best.js';
import { coveredByTargets, gemmTargetLines } from '../../bench/gemm-targets.js';
import { bestOfRounds } from '../../bench/gemm-cases.js';
import type { ChildResult } from '../../bench/shared/types.js';
import { PlainCnn } from '../../bench/peers/plain-cnn.js';
import { layerwiseCnnTrainer } from '../../bench/peers/layerwise.js';
import { makeCnnFixture } from '../../bench/workloads/make-fixtures.js';
import { CNN, labelsOf } from '../../bench/workloads/cnn.js';
import { matrix as benchMatrix } from '../../bench/shared/fixtures.js';
import { measureMnist, summarizeCnn } from '../../bench/shared/measure.js';
import { layerwiseMnistTrainer, layerwiseRowsMnistTrainer, mnistNetwork } from '../../bench/peers/layerwise.js';
import { gatherColumnsAt } from '../../bench/peers/plain-js.js';
import { MNIST_ORDER_EPOCHS, makeMnistFixture } from '../../bench/workloads/make-fixtures.js';
import { MNIST, epochOrder } from '../../bench/workloads/mnist.js';
import { VARIANTS, checkEpoch } from '../../bench/variants.js';
import { mnistTable, ratios } from '../../bench/report/summary.js';
import type { MnistResult, VariantId } from '../../bench/shared/types.js';

describe('bench harness: the same computation', () => {
  it('plain JS and layerwise start from the same planar weights and stay at the same cost', () => {
    setBackend('js');
    const f = makePlanarFixture();
    expect(f.init.map((l) => [l.W.rows, l.W.cols])).toEqual([[4, 2], [1, 4]]);
    const plain = plainPlanarTrainer(f);
    const lw = layerwisePlanarTrainer(f, 'js');
    // Before training: randn * 0.01 weights give a cost of about log 2.
    expect(plain.evaluate().cost).toBeCloseTo(Math.log(2), 3);
    expect(lw.evaluate().cost).toBeCloseTo(plain.evaluate().cost, 6);
    for (const iterations of [1, 4, 20]) {
      plain.train(iterations);
      lw.train(iterations);
      const a = plain.evaluate();
      const b = lw.evaluate();
      expect(Math.abs(a.cost - b.cost) / b.cost).toBeLessThan(1e-5);
      expect(a.accuracy).toBe(b.accuracy);
    }
    expect(plain.evaluate().cost).toBeLessThan(Math.log(2));
  });

  it('the fixture is the course setup: 400 flower points, weights randn * 0.01, biases 0', () => {
    const f = makePlanarFixture();
    expect([f.X.rows, f.X.cols, f.Y.rows, f.Y.cols]).toEqual([2, PLANAR.m, 1, PLANAR.m]);
    for (const l of f.init) {
      expect(Math.max(...l.W.data.map(Math.abs))).toBeLessThan(0.05);
      expect([...l.b.data].every((v) => v === 0)).toBe(true);
    }
  });

  it('the shared MNIST evaluator scores softmax outputs from the logits', () => {
    // One layer, two classes, two examples: logits (1, 0) for each example.
    const W = matrix(2, 1, Float32Array.from([1, 0]));
    const b = matrix(2, 1);
    const f: MnistFixture = {
      init: [{ W, b }],
      trainX: matrix(1, 2, Float32Array.from([1, 1])),
      trainY: matrix(2, 2, Float32Array.from([1, 0, 0, 1])),
      testX: matrix(1, 2, Float32Array.from([1, 1])),
      testY: matrix(2, 2, Float32Array.from([1, 0, 0, 1])),
      order: matrix(1, 2, Float32Array.from([1, 0])),
    };
    const net = new PlainMlp([{ W, b }], ['softmax'], { kind: 'gd' });
    expect(net.predict(f.trainX.data, 2)[0]).toBeCloseTo(Math.E / (Math.E + 1), 6);
    const q = evaluateMnist([{ W, b }], f, 'softmax');
    // Example 1 (label 0): -log(e/(e+1)); example 2 (label 1): -log(1/(e+1)).
    expect(q.trainCost).toBeCloseTo((Math.log1p(Math.exp(-1)) + Math.log(Math.E + 1)) / 2, 6);
    expect(q.testAccuracy).toBe(0.5);
  });
});

describe('bench harness: the MLP', () => {
  // One fixture for the block: 10,000 digits and the batch order of every epoch a variant trains.
  const f = makeMnistFixture();

  it('the batch order is a permutation per epoch, and the one layerwise\'s fit shuffles with: plain JS following it lands on fit\'s weights', () => {
    setBackend('js');
    expect([f.order.rows, f.order.cols]).toEqual([MNIST_ORDER_EPOCHS, MNIST.train]);
    for (let e = 0; e < f.order.rows; e++) expect([...epochOrder(f, e)].sort((a, b) => a - b)).toEqual(Array.from({ length: MNIST.train }, (_, i) => i));
    expect(epochOrder(f, 1)).not.toEqual(epochOrder(f, 0));
    // Three batches of epoch 1: fit with shuffle on the bench's network, and plain JS on the fixture's order.
    const net = mnistNetwork(f.init);
    const adam = new Adam({ beta1: MNIST.beta1, beta2: MNIST.beta2, epsilon: MNIST.epsilon });
    const lwCosts = fit(net, new Tensor([f.trainX.rows, f.trainX.cols], f.trainX.data), new Tensor([f.trainY.rows, f.trainY.cols], f.trainY.data), {
      learningRate: MNIST.learningRate, iterations: 3, batchSize: MNIST.batchSize, shuffle: true, optimizer: adam,
    }).cost;
    const plain = new PlainMlp(f.init, ['relu', 'relu', 'softmax'], { kind: 'adam', beta1: MNIST.beta1, beta2: MNIST.beta2, epsilon: MNIST.epsilon });
    const B = MNIST.batchSize;
    const xb = new Float32Array(f.trainX.rows * B);
    const yb = new Float32Array(f.trainY.rows * B);
    const plainCosts = [0, 1, 2].map((b) => {
      gatherColumnsAt(f.trainX.data, f.trainX.rows, f.trainX.cols, epochOrder(f, 0), b * B, B, xb);
      gatherColumnsAt(f.trainY.data, f.trainY.rows, f.trainY.cols, epochOrder(f, 0), b * B, B, yb);
      return plain.step(xb, yb, B, MNIST.learningRate);
    });
    for (let i = 0; i < 3; i++) expect(Math.abs(plainCosts[i]! - lwCosts[i]!) / lwCosts[i]!).toBeLessThan(1e-5);
    for (let l = 0; l < 3; l++) {
      const W = net.parameters[`W${l + 1}`]!.data;
      expect(plain.W[l]!.reduce((m, v, i) => Math.max(m, Math.abs(v - W[i]!)), 0), `W${l + 1}`).toBeLessThan(1e-5);
    }
  });

  it('path (b), rows converted and fit once per epoch, trains the same batches as path (a), one fit call (wasm)', async () => {
    const previous = getBackend().name;
    setBackend('wasm');
    try {
      const a = await measureMnist(layerwiseMnistTrainer(f, 'wasm'), 2);
      const b = await measureMnist(layerwiseRowsMnistTrainer(f, 'wasm'), 2);
      expect(b.snapshots.length).toBe(2);
      for (let e = 0; e < 2; e++) {
        for (let l = 0; l < 3; l++) {
          const diff = a.snapshots[e]![l]!.W.data.reduce((m, v, i) => Math.max(m, Math.abs(v - b.snapshots[e]![l]!.W.data[i]!)), 0);
          expect(diff, `epoch ${e + 1} W${l + 1}`).toBeLessThan(1e-6);
        }
      }
    } finally {
      setBackend(previous);
    }
  });
});

describe('bench harness: the MLP variants and ratios', () => {
  const mnist = (variant: VariantId, examplesPerSecond: number): MnistResult => ({
    workload: 'mnist', variant, ok: true, epochs: 5, examplesPerEpoch: 8000, epochSeconds: [1], examplesPerSecond,
    checks: [], sameComputation: true, memory: { maxRssMiB: 1, perEpoch: [] },
  });

  it('runs both layerwise paths at 2 and 1 threads and PyTorch at 1 and 2, each with a batch order in the fixture', () => {
    const ids = VARIANTS.map((v) => v.id);
    for (const id of ['layerwise-wasm2', 'layerwise-wasm1', 'layerwise-rows2', 'layerwise-rows1', 'torch1', 'torch2'] as const) expect(ids).toContain(id);
    expect(new Set(VARIANTS.map((v) => v.label)).size).toBe(VARIANTS.length);
    for (const v of VARIANTS) expect(v.mnistEpochs[0], v.id).toBeLessThanOrEqual(MNIST_ORDER_EPOCHS);
    expect(checkEpoch(false)).toBe(2);
    // Every variant has a row in the MLP table, run or not.
    expect(mnistTable([], 2).rows.map((r) => r[0])).toEqual(VARIANTS.map((v) => v.label));
  });

  it('prints each layerwise path, 2 and 1 threads, over PyTorch on 1 thread, with the >= 1x target', () => {
    const lines = ratios([mnist('layerwise-wasm2', 120), mnist('layerwise-wasm1', 100), mnist('layerwise-rows2', 99), mnist('layerwise-rows1', 80), mnist('torch1', 100), mnist('torch2', 150)]);
    const onTorch = lines.filter((l) => l.text.includes('layerwise') && l.text.includes('/ PyTorch, 1 thread:'));
    expect(onTorch.map((l) => [l.value, l.target, l.met])).toEqual([
      [1.2, '>= 1x', true],
      [1, '>= 1x', true],
      [0.99, '>= 1x', false],
      [0.8, '>= 1x', false],
    ]);
    expect(onTorch[2]!.text).toContain('path (b)');
    expect(lines.find((l) => l.text.includes('path (b) / path (a), 2 threads'))?.value).toBeCloseTo(99 / 120, 12);
    expect(lines.find((l) => l.text.startsWith('MNIST examples/s, PyTorch, 2 threads / PyTorch, 1 thread'))?.value).toBe(1.5);
  });
});

describe('bench harness: the CNN', () => {
  it('the hand-written CNN and layerwise (js) start from the same weights and compute the same first costs', async () => {
    setBackend('js');
    const f = makeCnnFixture();
    expect([f.trainX.rows, f.trainX.cols, f.trainY.rows, f.trainY.cols]).toEqual([CNN.train, 784, 10, CNN.train]);
    expect([...f.init.b1, ...f.init.b2, ...f.init.b3].every((v) => v === 0)).toBe(true);
    // He initialization: std sqrt(2 / fan_in), fan_in 25 for conv1.
    const std = Math.sqrt(f.init.W1.reduce((s, v) => s + v * v, 0) / f.init.W1.length);
    expect(std).toBeGreaterThan(0.5 * Math.sqrt(2 / 25));
    expect(std).toBeLessThan(1.5 * Math.sqrt(2 / 25));
    const plain = new PlainCnn(f.init);
    const labels = labelsOf(f.trainY);
    const plainCosts = [0, 1, 2].map((b) => plain.step(f.trainX.data, labels, b * CNN.batchSize, CNN.batchSize, CNN.learningRate));
    const lwCosts: number[] = [];
    const lw = layerwiseCnnTrainer(f, 'js');
    await lw.train(3, (c) => lwCosts.push(c));
    expect(plainCosts[0]).toBeCloseTo(Math.log(10), 0);
    for (let i = 0; i < 3; i++) expect(Math.abs(plainCosts[i]! - lwCosts[i]!) / lwCosts[i]!).toBeLessThan(1e-5);
    // And the same weights after three Adam steps (a step moves a weight by about lr = 1e-3).
    const after = lw.snapshot();
    for (const key of ['W1', 'b1', 'W2', 'b2', 'W3', 'b3'] as const) {
      const diff = after[key].reduce((m, v, i) => Math.max(m, Math.abs(v - plain.w[key][i]!)), 0);
      expect(diff, key).toBeLessThan(1e-5);
    }
  });

  it('the CNN speed is the median batch after epoch 1, or after batch 1 when no second epoch ran', () => {
    const f = makeEmptyCnnFixture();
    const run = (seconds: number[]) => ({ batchCosts: seconds.map(() => 1), batchSeconds: seconds, snapshots: [], memory: { maxRssMiB: 1, perEpoch: [] } });
    // Capped: batch 1 (0.5 s of warm-up) is left out; median of 0.1, 0.2, 0.4 is 0.2 s.
    const capped = summarizeCnn('tfjs-cpu', run([0.5, 0.1, 0.2, 0.4]), f);
    expect([capped.timedFrom, capped.epochs, capped.examplesPerSecond]).toEqual([1, 0, 64 / 0.2]);
    // Two epochs of 125: only epoch 2 counts (its batches all 0.01 s), though epoch 1 is slower.
    const two = summarizeCnn('torch1', run([...Array<number>(125).fill(0.05), ...Array<number>(125).fill(0.01)]), f);
    expect([two.timedFrom, two.epochs, two.examplesPerSecond]).toEqual([125, 2, 6400]);
    expect(two.epochSeconds[0]).toBeCloseTo(6.25, 9);
  });
});

function makeEmptyCnnFixture() {
  const w = { W1: new Float32Array(200), b1: new Float32Array(8), W2: new Float32Array(3200), b2: new Float32Array(16), W3: new Float32Array(2560), b3: new Float32Array(10) };
  return { init: w, trainX: benchMatrix(CNN.train, 784), trainY: benchMatrix(10, CNN.train), testX: benchMatrix(0, 784), testY: benchMatrix(10, 0) };
}

describe('bench harness: best of rounds', () => {
  const planar = (seconds: number): ChildResult => ({
    workload: 'planar', variant: 'plain-js', ok: true, iterations: 10, seconds, finalCost: 0.2, accuracy: 0.9, memory: { maxRssMiB: 1 },
  });
  const failed: ChildResult = { workload: 'planar', variant: 'plain-js', ok: false, reason: 'failed (exit code 1)' };

  it('keeps the faster round, and a round that ran over one that failed', () => {
    expect(better(planar(1), undefined)).toBe(true);
    expect(better(planar(1), planar(2))).toBe(true);
    expect(better(planar(2), planar(1))).toBe(false);
    expect(better(planar(1), planar(1))).toBe(false);
    expect(better(planar(5), failed)).toBe(true);
    expect(better(failed, planar(5))).toBe(false);
    expect(better(failed, undefined)).toBe(true);
  });
});

describe('bench harness: GEMM targets', () => {
  it('covers square sizes from 256 and the MLP shapes only', () => {
    expect(coveredByTargets([128, 128, 128])).toBe(false);
    expect(coveredByTargets([256, 256, 256])).toBe(true);
    expect(coveredByTargets([64, 784, 128])).toBe(true);
    expect(coveredByTargets([256, 64, 256])).toBe(false);
  });

  it('counts the covered cases at or above each target: as written, scaled to the measured peak, and relative to TF.js WASM', () => {
    const lines = gemmTargetLines([
      {
        library: 'wasm1', note: '', peak: 52.8,
        results: [
          { shape: [128, 128, 128], mode: 'NN', gflops: 10 }, // not covered: never the tightest
          { shape: [256, 256, 256], mode: 'NN', gflops: 55 },
          { shape: [256, 256, 256], mode: 'TN', gflops: 43.9 },
          { shape: [64, 784, 128], mode: 'NT', gflops: 44 },
          { shape: [512, 512, 512], mode: 'NN', gflops: 60 }, // TF.js did not run this shape: not counted in its reading
        ],
      },
      { library: 'wasm2', note: '', results: [{ shape: [512, 512, 512], mode: 'NT', gflops: 99.9 }] },
      {
        library: 'tfjs-wasm', note: '',
        results: [
          // The anchor of a shape is its fastest transposition: 36 for 256^3 (not 1.2), 30 for 64x784x128.
          { shape: [256, 256, 256], mode: 'NN', gflops: 36 },
          { shape: [256, 256, 256], mode: 'TN', gflops: 1.2 },
          { shape: [64, 784, 128], mode: 'NN', gflops: 30 },
          { shape: [64, 784, 128], mode: 'NT', gflops: 2 },
        ],
      },
    ]);
    // 55 x 52.8 / 66 = 44.0: 43.9 misses it, 44 reaches it. 55 / 45 x 36 = 44.0 and 55 / 45 x 30 = 36.7.
    expect(lines).toEqual([
      '1 thread >= 55 GFLOP/s (as written): met on 2 of 4 cases (tightest 43.9 against 55.0, 256x256x256 TN)',
      "1 thread >= 44.0 GFLOP/s (55 scaled to this run's peak, 52.8 of 66): met on 3 of 4 cases (tightest 43.9 against 44.0, 256x256x256 TN)",
      "1 thread >= 1.22x TF.js WASM's fastest transposition of each shape (55 of 45): met on 2 of 3 cases (tightest 43.9 against 44.0, 256x256x256 TN)",
      '2 threads >= 100 GFLOP/s (as written): met on 0 of 1 cases (tightest 99.9 against 100.0, 512x512x512 NT)',
      // 512^3 has no TF.js figure: the reading has no case to count.
      "2 threads >= 2.22x TF.js WASM's fastest transposition of each shape (100 of 45): no covered cases measured",
    ]);
  });

  it('names the tightest case by its share of the threshold, not by raw speed', () => {
    const lines = gemmTargetLines([
      { library: 'wasm1', note: '', results: [{ shape: [256, 256, 256], mode: 'NN', gflops: 50 }, { shape: [64, 784, 128], mode: 'NN', gflops: 40 }] },
      { library: 'tfjs-wasm', note: '', results: [{ shape: [256, 256, 256], mode: 'NN', gflops: 45 }, { shape: [64, 784, 128], mode: 'NN', gflops: 20 }] },
    ]);
    // 50 of 55 (91%) is tighter than 40 of 24.4 (164%), though 40 is slower.
    expect(lines[1]).toBe("1 thread >= 1.22x TF.js WASM's fastest transposition of each shape (55 of 45): met on 1 of 2 cases (tightest 50.0 against 55.0, 256x256x256 NN)");
  });
});

describe('bench harness: GEMM rounds', () => {
  it('keeps each case at its best round, the highest peak, and cases only one round has', () => {
    const best = bestOfRounds([
      [
        { library: 'wasm1', note: 'a', peak: 50, results: [{ shape: [8, 8, 8], mode: 'NN', gflops: 30 }, { shape: [8, 8, 8], mode: 'TN', gflops: 20 }] },
        { library: 'js', note: 'j', results: [{ shape: [8, 8, 8], mode: 'NN', gflops: 1 }] },
      ],
      [{ library: 'wasm1', note: 'a', peak: 57, results: [{ shape: [8, 8, 8], mode: 'NN', gflops: 45 }] }],
      [{ library: 'wasm1', note: 'a', peak: 52, results: [{ shape: [8, 8, 8], mode: 'NN', gflops: 40 }, { shape: [8, 8, 8], mode: 'TN', gflops: 25 }] }],
    ]);
    expect(best).toEqual([
      { library: 'wasm1', note: 'a', peak: 57, results: [{ shape: [8, 8, 8], mode: 'NN', gflops: 45 }, { shape: [8, 8, 8], mode: 'TN', gflops: 25 }] },
      { library: 'js', note: 'j', results: [{ shape: [8, 8, 8], mode: 'NN', gflops: 1 }] },
    ]);
  });
});
