/**
 * report.html for long runs and many classes: a 100,000-epoch history (which
 * crashed the report with "Maximum call stack size exceeded" from
 * Math.min(...costs)) is downsampled to at most MAX_CURVE_POINTS points per
 * curve, keeping the first and last epochs and the minimum; a confusion
 * matrix of 500 classes renders too.
 */
import { describe, expect, it } from 'vitest';
import { costChart, curveIndices, MAX_CURVE_POINTS, renderReport, type ReportInput } from '../../src/cli/report.js';
import type { HistoryRow, RunMetadata } from '../../src/cli/run-files.js';

/** A falling, noisy cost with a spike at epoch 50,000 and its minimum at `best`. */
function history(epochs: number, best: number): HistoryRow[] {
  return Array.from({ length: epochs }, (_, i) => {
    const cost = 1 / (1 + i / 1000) + 0.01 * Math.sin(i) + (i === 50_000 ? 5 : 0) - (i === best ? 0.5 : 0);
    return { epoch: i + 1, trainCost: cost, trainUnregularizedCost: cost, devCost: i % 2 === 0 ? cost + 0.1 : null, devMetric: null, learningRate: 0.01, seconds: 0.001 };
  });
}

const metadata: RunMetadata = {
  task: 'classification',
  classes: ['a', 'b'],
  target: 'y',
  columns: [{ kind: 'numeric', name: 'x' }],
  featureNames: ['x'],
  standardizer: null,
  data: 'long.csv',
  imageSize: null,
  training: { epochs: 100_000 },
  examples: { train: 8, dev: 1, test: 1 },
};

function input(rows: HistoryRow[], classes = 2): ReportInput {
  const confusion = Array.from({ length: classes }, (_, i) => Array.from({ length: classes }, (_, j) => (i === j ? 3 : i === (j + 1) % classes ? 1 : 0)));
  const scores = { cost: 0.1, error: 0.1, accuracy: 0.9 };
  return {
    metadata: { ...metadata, classes: Array.from({ length: classes }, (_, i) => `c${i}`) },
    history: rows,
    evaluation: { task: 'classification', train: scores, dev: scores },
    confusion,
    perClass: null,
    reportSetName: 'dev',
    layerDims: [1, 2, 1],
    seconds: 1,
    stopReason: 'all epochs',
  };
}

/** The polylines' points as [x, y] pairs. */
function curves(html: string): [number, number][][] {
  return [...html.matchAll(/<polyline[^>]* points="([^"]*)"/g)].map((m) => m[1]!.split(' ').map((p) => p.split(',').map(Number) as [number, number]));
}

describe('report for long runs', () => {
  it('a 100,000-epoch history renders, each curve downsampled to at most MAX_CURVE_POINTS points with the first, last and lowest', () => {
    const best = 73_210;
    const rows = history(100_000, best);
    const html = renderReport(input(rows));
    expect(html).toContain('epoch (1 to 100000; at most');
    const [train, dev] = curves(html);
    for (const c of [train!, dev!]) {
      expect(c.length).toBeGreaterThan(MAX_CURVE_POINTS / 2);
      expect(c.length).toBeLessThanOrEqual(MAX_CURVE_POINTS);
      for (const [x, y] of c) expect(Number.isFinite(x) && Number.isFinite(y)).toBe(true);
      // x runs left to right, from the first epoch (x = 56) to the last (x = 624).
      expect(c.every(([x], k) => k === 0 || x >= c[k - 1]![0])).toBe(true);
      expect(c[0]![0]).toBe(56);
    }
    expect(train!.at(-1)![0]).toBe(624);
    // The lowest train cost (largest y on screen) is the best epoch's, and the spike (smallest y) is still there.
    const lowest = train!.reduce((a, b) => (b[1] > a[1] ? b : a));
    expect(lowest[0]).toBeCloseTo(56 + (best / 99_999) * 568, 0);
    expect(train!.reduce((a, b) => (b[1] < a[1] ? b : a))[0]).toBeCloseTo(56 + (50_000 / 99_999) * 568, 0);
  });

  it('curveIndices keeps every point of a short curve, skips gaps, and keeps first, last and minimum of a long one', () => {
    expect(curveIndices([3, null, 2, Infinity, 1])).toEqual([0, 2, 4]);
    const values = Array.from({ length: 10_000 }, (_, i) => Math.cos(i / 100) + (i === 4321 ? -3 : 0));
    const kept = curveIndices(values, 101);
    expect(kept.length).toBeLessThanOrEqual(101);
    expect(kept).toContain(0);
    expect(kept).toContain(9_999);
    expect(kept).toContain(4321);
    expect([...kept].sort((a, b) => a - b)).toEqual(kept);
    expect(curveIndices([], 10)).toEqual([]);
    expect(costChart([])).toBe('<p>No epochs were run.</p>');
  });

  it('a confusion matrix of 500 classes (250,000 cells) renders', () => {
    const html = renderReport(input(history(10, 3), 500));
    expect(html.match(/<tr>/g)!.length).toBeGreaterThan(500);
  });
});
