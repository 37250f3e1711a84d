/** Learning-rate schedules against values worked out by hand from their formulas. */
import { describe, expect, it } from 'vitest';
import { learningRateAt, resolveSchedule, SCHEDULE_KINDS, type Schedule, type ScheduleSpec } from '../../src/index.js';

function rates(schedule: ScheduleSpec, alpha0: number, epochs: number[]): number[] {
  return epochs.map((e) => learningRateAt(schedule, alpha0, e));
}

function expectRates(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, 14));
}

describe('learningRateAt', () => {
  it('constant: alpha0 at every epoch', () => {
    expectRates(rates('constant', 0.2, [0, 1, 1000]), [0.2, 0.2, 0.2]);
  });

  it('inverseTime: alpha0 / (1 + decayRate * epoch), the course decay', () => {
    // decayRate 1, alpha0 0.2: 0.2/1, 0.2/2, 0.2/4
    expectRates(rates({ kind: 'inverseTime', decayRate: 1 }, 0.2, [0, 1, 3]), [0.2, 0.1, 0.05]);
    // decayRate 0.5: epoch 4 -> 0.2 / (1 + 2) = 0.0666...
    expectRates(rates({ kind: 'inverseTime', decayRate: 0.5 }, 0.2, [4]), [0.2 / 3]);
    // the default decayRate is 1
    expectRates(rates('inverseTime', 0.2, [3]), [0.05]);
  });

  it('fixedInterval: the same decay applied once every `interval` epochs', () => {
    // alpha0 0.1, decayRate 1, interval 10: epochs 0-9 -> 0.1; 10-19 -> 0.1/2; 25 -> 0.1/3
    expectRates(rates({ kind: 'fixedInterval', decayRate: 1, interval: 10 }, 0.1, [0, 9, 10, 19, 25]), [0.1, 0.1, 0.05, 0.05, 0.1 / 3]);
    // decayRate 0.3, interval 1000 (the course lab's fixed interval): epoch 2500 -> 0.1 / (1 + 0.6) = 0.0625
    expectRates(rates({ kind: 'fixedInterval', decayRate: 0.3, interval: 1000 }, 0.1, [999, 2500]), [0.1, 0.0625]);
  });

  it('exponential: alpha0 * base^epoch', () => {
    // 0.2 * 0.95^2 = 0.2 * 0.9025 = 0.1805; 0.2 * 0.5^3 = 0.025
    expectRates(rates({ kind: 'exponential', base: 0.95 }, 0.2, [0, 2]), [0.2, 0.1805]);
    expectRates(rates({ kind: 'exponential', base: 0.5 }, 0.2, [3]), [0.025]);
    // the default base is the course's 0.95
    expectRates(rates('exponential', 0.2, [2]), [0.1805]);
  });

  it('step: multiply by `factor` every `every` epochs', () => {
    // alpha0 0.1, factor 0.5, every 10: 9 -> 0.1, 10 -> 0.05, 35 -> 0.1 * 0.5^3 = 0.0125
    expectRates(rates({ kind: 'step', factor: 0.5, every: 10 }, 0.1, [0, 9, 10, 35]), [0.1, 0.1, 0.05, 0.0125]);
  });

  it('custom: any function of the epoch, e.g. a linear warm-up', () => {
    const warmup: Schedule = { kind: 'custom', rate: (epoch, alpha0) => alpha0 * Math.min(1, (epoch + 1) / 4) };
    expectRates(rates(warmup, 0.4, [0, 1, 3, 10]), [0.1, 0.2, 0.4, 0.4]);
  });

  it('throws when the rate comes out non-finite or negative, naming the epoch and the value', () => {
    // 0.1 * 10^400 overflows to Infinity
    expect(() => learningRateAt({ kind: 'exponential', base: 10 }, 0.1, 400)).toThrow(
      'learningRateAt: learning rate at epoch 400: expected a finite number >= 0, got Infinity',
    );
    expect(learningRateAt({ kind: 'exponential', base: 10 }, 0.1, 2)).toBeCloseTo(10, 12);
    expect(() => learningRateAt({ kind: 'custom', rate: (e) => 0.1 - 0.05 * e }, 0.1, 3)).toThrow(
      'learningRateAt: learning rate at epoch 3: expected a finite number >= 0, got -0.05',
    );
    expect(() => learningRateAt({ kind: 'custom', rate: () => NaN }, 0.1, 7)).toThrow('learningRateAt: learning rate at epoch 7: expected a finite number >= 0, got NaN');
    expect(() => learningRateAt({ kind: 'custom', rate: () => '0.1' as unknown as number }, 0.1, 0)).toThrow(
      'learningRateAt: learning rate at epoch 0: expected a finite number >= 0, got "0.1"',
    );
  });

  it('rejects a bad alpha0 or epoch', () => {
    expect(() => learningRateAt('constant', 0, 1)).toThrow('learningRateAt: alpha0: expected a finite number > 0, got 0');
    expect(() => learningRateAt('constant', NaN, 1)).toThrow('learningRateAt: alpha0: expected a finite number > 0, got NaN');
    expect(() => learningRateAt('constant', 0.1, -1)).toThrow('learningRateAt: epoch: expected a non-negative integer, got -1');
    expect(() => learningRateAt('constant', 0.1, 1.5)).toThrow('learningRateAt: epoch: expected a non-negative integer, got 1.5');
    expect(() => learningRateAt({ kind: 'inverseTime', decayRate: -1 }, 0.1, 1)).toThrow('learningRateAt: schedule.decayRate: expected a finite number >= 0, got -1');
  });
});

describe('resolveSchedule', () => {
  it('fills in the defaults and knows every kind', () => {
    expect(SCHEDULE_KINDS).toEqual(['constant', 'inverseTime', 'fixedInterval', 'exponential', 'step', 'custom']);
    expect(resolveSchedule('constant')).toEqual({ kind: 'constant' });
    expect(resolveSchedule('inverseTime')).toEqual({ kind: 'inverseTime', decayRate: 1 });
    expect(resolveSchedule({ kind: 'fixedInterval', interval: 5 })).toEqual({ kind: 'fixedInterval', decayRate: 1, interval: 5 });
    expect(resolveSchedule({ kind: 'exponential' })).toEqual({ kind: 'exponential', base: 0.95 });
    expect(resolveSchedule({ kind: 'step', factor: 0.1, every: 30 })).toEqual({ kind: 'step', factor: 0.1, every: 30 });
  });

  it('rejects unknown kinds, missing or bad fields and unknown fields', () => {
    const bad: [unknown, string][] = [
      ['cosine', 'resolveSchedule: schedule.kind: expected one of "constant", "inverseTime", "fixedInterval", "exponential", "step", "custom", got "cosine"'],
      [{ decayRate: 1 }, 'resolveSchedule: schedule.kind: expected one of "constant", "inverseTime", "fixedInterval", "exponential", "step", "custom", got undefined'],
      [null, 'resolveSchedule: schedule: expected a schedule kind or { kind, ... }, got null'],
      ['step', 'resolveSchedule: schedule.factor: expected a finite number > 0, got undefined'],
      [{ kind: 'step', factor: 0.5 }, 'resolveSchedule: schedule.every: expected a positive integer, got undefined'],
      [{ kind: 'step', factor: 0, every: 3 }, 'resolveSchedule: schedule.factor: expected a finite number > 0, got 0'],
      [{ kind: 'fixedInterval', interval: 0 }, 'resolveSchedule: schedule.interval: expected a positive integer, got 0'],
      [{ kind: 'fixedInterval', interval: 2.5 }, 'resolveSchedule: schedule.interval: expected a positive integer, got 2.5'],
      [{ kind: 'inverseTime', decayRate: NaN }, 'resolveSchedule: schedule.decayRate: expected a finite number >= 0, got NaN'],
      [{ kind: 'exponential', base: -0.5 }, 'resolveSchedule: schedule.base: expected a finite number > 0, got -0.5'],
      [{ kind: 'exponential', decayRate: 0.9 }, 'resolveSchedule: schedule.decayRate: expected base for kind "exponential", got an unknown field'],
      [{ kind: 'constant', decayRate: 0.9 }, 'resolveSchedule: schedule.decayRate: expected no other field for kind "constant", got an unknown field'],
      [{ kind: 'custom', rate: 0.1 }, 'resolveSchedule: schedule.rate: expected a function (epoch, alpha0) => number, got 0.1'],
    ];
    for (const [spec, message] of bad) expect(() => resolveSchedule(spec as ScheduleSpec)).toThrow(message);
  });
});
