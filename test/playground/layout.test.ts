/**
 * The arithmetic behind the playground's drawing, in Node: the network
 * diagram's fit to its width, and the cost chart's log range with a spike
 * clipped. The browser tests (first-time.e2e.test.ts) check the same on
 * screen.
 */
import { describe, expect, it } from 'vitest';
import { chartRange, epochTicks, logTicks } from '../../playground/src/render/chart.js';
import { fitNetwork, NODE } from '../../playground/src/ui/net-layout.js';

describe('fitNetwork', () => {
  it('keeps the normal square and narrows the spacing first', () => {
    const f = fitNetwork(700, 6);
    expect(f.node).toBe(NODE.normal);
    expect(f.width).toBeLessThanOrEqual(700);
    expect(f.gap).toBeGreaterThanOrEqual(20);
  });

  it('then shrinks the squares, and scrolls only below the smallest readable size', () => {
    const f = fitNetwork(600, 6);
    expect(f.node).toBeLessThan(NODE.normal);
    expect(f.node).toBeGreaterThanOrEqual(NODE.min);
    expect(f.width).toBeLessThanOrEqual(600);
    const tiny = fitNetwork(300, 6);
    expect(tiny.node).toBe(NODE.min);
    expect(tiny.gap).toBe(20);
    expect(tiny.width).toBeGreaterThan(300);
  });

  it('grows the squares on a wide panel and stops the spacing at its maximum', () => {
    const f = fitNetwork(1100, 2);
    expect(f.node).toBe(NODE.max);
    expect(f.gap).toBe(180);
    expect(f.width).toBeLessThanOrEqual(1100);
    expect(f.width / 1100).toBeGreaterThan(0.6);
  });

  it('keeps touch targets: squares of at least 32 px, room for the bias targets', () => {
    const f = fitNetwork(300, 3, true);
    expect(f.node).toBeGreaterThanOrEqual(32);
    expect(f.col).toBeGreaterThanOrEqual(72);
    expect(f.gap).toBeGreaterThanOrEqual(28);
  });
});

describe('cost chart range', () => {
  it('clips a spike far above the 90th percentile, and keeps a normal curve whole', () => {
    const curve = Array.from({ length: 100 }, (_, i) => 0.7 * Math.exp(-i / 30));
    const whole = chartRange(curve);
    expect(whole.clipped).toBe(false);
    expect(whole.yMax).toBeGreaterThanOrEqual(0.7);
    expect(whole.yMin).toBeLessThanOrEqual(Math.min(...curve));
    const spiked = chartRange([...curve.slice(0, 50), 5000, ...curve.slice(50)]);
    expect(spiked.clipped).toBe(true);
    expect(spiked.yMax).toBeLessThan(20);
  });

  it('gives a flat curve a decade around it, and survives zeros and NaN', () => {
    const r = chartRange([0.5, 0.5, 0.51]);
    expect(r.yMax / r.yMin).toBeCloseTo(10, 5);
    expect(r.yMin).toBeLessThan(0.5);
    expect(chartRange([0, Number.NaN])).toEqual({ yMin: 0.1, yMax: 1, clipped: false });
  });

  it('ticks: powers of ten (with 2s and 5s when a decade is all there is) and round epochs', () => {
    expect(logTicks(0.003, 2)).toEqual([0.01, 0.1, 1]);
    expect(logTicks(0.15, 0.9)).toEqual([0.2, 0.5]);
    expect(epochTicks(0, 290)).toEqual([0, 100, 200]);
    expect(epochTicks(0, 12)).toEqual([0, 5, 10]);
  });
});
