/**
 * The LSTM workload's wiring (no timings): the seeded fixture, the same
 * computation in layerwise (js backend), the hand-written JS peer and TF.js
 * CPU from the same weights, the steady-state figure, and the ratio and
 * same-computation lines the runner prints.
 */
import { describe, expect, it } from 'vitest';
import { setBackend } from '../../src/index.js';
import { layerwiseLstmTrainer } from '../../bench/peers/lstm-layerwise.js';
import { plainLstmTrainer } from '../../bench/peers/lstm-plain.js';
import { LSTM_VARIANTS, WORKLOADS } from '../../bench/variants.js';
import type { ChildResult, VariantId } from '../../bench/shared/types.js';
import {
  LSTM,
  LSTM_PARAMS,
  lstmCorrectness,
  lstmParamShapes,
  lstmRatios,
  lstmText,
  makeLstmFixture,
  measureLstm,
  summarizeLstm,
  type LstmResult,
} from '../../bench/workloads/lstm.js';

const f = makeLstmFixture();
const V = f.chars.length;
const label = (id: VariantId) => id;

describe('bench harness: the LSTM fixture', () => {
  it('is 1600 overlapping sequences of 26 characters over a 27-60 character vocabulary, the same for the same seed', () => {
    expect(V).toBeGreaterThanOrEqual(27);
    expect(V).toBeLessThanOrEqual(60);
    expect(lstmText(500, LSTM.seed)).toBe(lstmText(500, LSTM.seed));
    expect(lstmText(500, LSTM.seed + 1)).not.toBe(lstmText(500, LSTM.seed));
    const W = LSTM.steps + 1;
    expect([f.text.rows, f.text.cols]).toEqual([LSTM.batchSize * LSTM.batchesPerEpoch, W]);
    for (let s = 0; s < f.text.rows; s++) {
      for (let t = 0; t < W; t++) expect(Number.isInteger(f.text.data[s * W + t]) && f.text.data[s * W + t]! < V).toBe(true);
      // Sequence s + 1 starts with the character sequence s predicts last.
      if (s + 1 < f.text.rows) expect(f.text.data[(s + 1) * W]).toBe(f.text.data[s * W + W - 1]);
    }
  });

  it('holds every parameter in layerwise\'s shapes, biases 0 and weights not', () => {
    const shapes = lstmParamShapes(V);
    for (const key of LSTM_PARAMS) {
      expect(f.init[key].length).toBe(shapes[key].reduce((a, b) => a * b, 1));
      const zero = f.init[key].every((x) => x === 0);
      expect(zero).toBe(key.startsWith('b'));
    }
  });
});

describe('bench harness: the LSTM peers compute the same thing', () => {
  it('layerwise (js), the hand-written JS and TF.js CPU give the same first batch costs (three; TF.js two); the first is about ln V', async () => {
    setBackend('js');
    const lw = await measureLstm(layerwiseLstmTrainer(f, 'js'), 3);
    const plain = await measureLstm(plainLstmTrainer(f), 3);
    const tfjs = await import('../../bench/peers/tfjs.js');
    await tfjs.useTfBackend('cpu');
    const tf = await measureLstm((await import('../../bench/peers/lstm-tfjs.js')).tfLstmTrainer(f, 'cpu'), 2);
    // Xavier weights and zero biases: the first softmax is nearly uniform.
    expect(Math.abs(lw.batchCosts[0]! - Math.log(V))).toBeLessThan(0.01);
    // Adam moves every weight: the cost falls.
    expect(lw.batchCosts[2]!).toBeLessThan(lw.batchCosts[0]! - 1e-3);
    for (let i = 0; i < 3; i++) expect(Math.abs(plain.batchCosts[i]! - lw.batchCosts[i]!) / lw.batchCosts[i]!).toBeLessThan(1e-5);
    for (let i = 0; i < 2; i++) expect(Math.abs(tf.batchCosts[i]! - lw.batchCosts[i]!) / lw.batchCosts[i]!).toBeLessThan(1e-5);
  }, 60_000);
});

/** A result line with a speed and costs, for the report functions. */
function result(variant: VariantId, sequencesPerSecond: number, firstCost = 3.5, sameComputation = true): LstmResult {
  return summarizeLstm(variant, { batchSeconds: [1, 32 / sequencesPerSecond], batchCosts: [firstCost, 3.4], sameComputation, maxRssMiB: 1 }, V);
}

describe('bench harness: the LSTM figures and lines', () => {
  it('runs every peer the issue names, and lstm is a workload of the runner', () => {
    expect(WORKLOADS).toContain('lstm');
    const ids = LSTM_VARIANTS.map((v) => v.id);
    for (const id of ['layerwise-wasm2', 'layerwise-wasm1', 'layerwise-js', 'tfjs-cpu', 'tfjs-wasm', 'brain', 'plain-js', 'torch1'] as const) expect(ids).toContain(id);
    for (const v of LSTM_VARIANTS) expect(v.batches === null || v.batches.every((b) => Number.isInteger(b) && b > 0)).toBe(true);
  });

  it('the speed is the median batch after epoch 1, or after batch 1 when no second epoch ran', () => {
    const short = summarizeLstm('layerwise-js', { batchSeconds: [9, 1, 3, 2], batchCosts: [4, 3, 2, 1], sameComputation: true, maxRssMiB: 1 }, V);
    expect(short.timedFrom).toBe(1);
    expect(short.sequencesPerSecond).toBe(LSTM.batchSize / 2);
    const long = Array.from({ length: 2 * LSTM.batchesPerEpoch }, (_, i) => (i < LSTM.batchesPerEpoch ? 100 : 0.5));
    const r = summarizeLstm('layerwise-wasm1', { batchSeconds: long, batchCosts: long, sameComputation: true, maxRssMiB: 1, sequencesPerBatch: 8 }, V);
    expect(r.timedFrom).toBe(LSTM.batchesPerEpoch);
    expect(r.sequencesPerSecond).toBe(16);
  });

  it('names the fastest JavaScript peer and says whether layerwise is 10x it; PyTorch 1 thread is the anchor', () => {
    const results: ChildResult[] = [result('layerwise-wasm2', 2000), result('layerwise-wasm1', 1000), result('tfjs-wasm', 150), result('tfjs-cpu', 20), result('torch1', 4000)];
    const lines = lstmRatios(results, label);
    expect(lines[0]).toBe('LSTM: layerwise wasm (best of 1 and 2 threads) / the fastest JavaScript peer (tfjs-wasm): 13.3x (target >= 10x: met)');
    expect(lines).toContain('LSTM sequences/s, layerwise-wasm2 / torch1: 0.50x (PyTorch 1 thread: the anchor)');
    const slow = lstmRatios([result('layerwise-wasm2', 1000), result('brain', 150)], label);
    expect(slow[0]).toBe('LSTM: layerwise wasm (best of 1 and 2 threads) / the fastest JavaScript peer (brain): 6.67x (target >= 10x: NOT met)');
  });

  it('compares first-batch costs with layerwise\'s and leaves a peer that cannot start from the same weights out', () => {
    const lines = lstmCorrectness([result('layerwise-js', 50, 3.5), result('torch1', 4000, 3.50001), result('tfjs-cpu', 20, 3.6), result('brain', 10, 0.5, false)], label);
    expect(lines.find((l) => l.startsWith('LSTM torch1'))).toMatch(/first-batch rel\. diff 2\.9e-6 \(same computation\)/);
    expect(lines.find((l) => l.startsWith('LSTM tfjs-cpu'))).toMatch(/DIFFERS: over 0\.0001/);
    expect(lines.find((l) => l.startsWith('LSTM brain'))).toMatch(/^LSTM brain: not compared/);
    expect(lstmCorrectness([result('torch1', 1)], label)).toEqual(['LSTM: no layerwise run to compare against']);
  });
});
