import { describe, expect, it } from 'vitest';
import { BIAS_VARIANCE_THRESHOLDS, diagnose, ValueError, VERDICTS } from '../../src/index.js';

describe('diagnose: the course\'s examples', () => {
  it('train 1% / dev 11%: high variance', () => {
    const d = diagnose({ trainError: 0.01, devError: 0.11 });
    expect(d.verdict).toBe('high variance');
    expect(d.avoidableBias).toBeCloseTo(0.01, 12);
    expect(d.variance).toBeCloseTo(0.1, 12);
    expect(d.highBias).toBe(false);
    expect(d.highVariance).toBe(true);
    expect(d.advice).toEqual([
      'Get more training data (or augment the data you have).',
      'Add regularization: L2 (weight decay) or dropout.',
      'Try another network architecture.',
    ]);
  });

  it('train 15% / dev 16%: high bias', () => {
    const d = diagnose({ trainError: 0.15, devError: 0.16 });
    expect(d.verdict).toBe('high bias');
    expect(d.advice[0]).toBe('Train a bigger network: more hidden units or more layers.');
    expect(d.advice).toContain('Train longer: more iterations.');
    expect(d.advice.some((a) => /optimizer/.test(a))).toBe(true);
    expect(d.advice.some((a) => /regularization/.test(a))).toBe(false);
  });

  it('train 15% / dev 30%: high bias and high variance, bias first', () => {
    const d = diagnose({ trainError: 0.15, devError: 0.3 });
    expect(d.verdict).toBe('high bias and high variance');
    const bigger = d.advice.indexOf('Train a bigger network: more hidden units or more layers.');
    const regularize = d.advice.indexOf('Add regularization: L2 (weight decay) or dropout.');
    expect(bigger).toBeGreaterThanOrEqual(0);
    expect(regularize).toBeGreaterThan(bigger);
  });

  it('train 0.5% / dev 1%: fine', () => {
    const d = diagnose({ trainError: 0.005, devError: 0.01 });
    expect(d.verdict).toBe('fine');
    expect(d.advice[0]).toMatch(/done/);
    expect(d.advice.some((a) => /test set/.test(a))).toBe(true);
  });

  it('optimal error 15%, train 15.5%, dev 16%: fine (the 15% is unavoidable)', () => {
    const d = diagnose({ trainError: 0.155, devError: 0.16, optimalError: 0.15 });
    expect(d.verdict).toBe('fine');
    expect(d.avoidableBias).toBeCloseTo(0.005, 12);
    expect(d.optimalError).toBe(0.15);
    expect(d.notes).toEqual([]);
  });

  it('human-level error decides the focus: train 8% / dev 10% is bias with 1%, variance with 7.5%', () => {
    expect(diagnose({ trainError: 0.08, devError: 0.1, optimalError: 0.01 }).verdict).toBe('high bias');
    expect(diagnose({ trainError: 0.08, devError: 0.1, optimalError: 0.075 }).verdict).toBe('high variance');
  });
});

describe('diagnose: thresholds', () => {
  it('are exported and documented values', () => {
    expect(BIAS_VARIANCE_THRESHOLDS).toEqual({ absolute: 0.01, relative: 0.25 });
    expect(VERDICTS).toEqual(['high bias', 'high variance', 'high bias and high variance', 'fine']);
  });

  it('a gap must exceed max(absolute, relative * (dev - optimal)); float noise at the edge does not count', () => {
    // 0.16 - 0.15 is 0.010000000000000009 in floats: equal to the threshold, not above it.
    expect(diagnose({ trainError: 0.15, devError: 0.16, optimalError: 0.15 }).verdict).toBe('fine');
    expect(diagnose({ trainError: 0.15, devError: 0.1601, optimalError: 0.15 }).verdict).toBe('high variance');
    // Errors of 40% make the relative part the larger: threshold 0.25 * 0.4 = 0.1.
    const d = diagnose({ trainError: 0.31, devError: 0.4 });
    expect(d.threshold).toBeCloseTo(0.1, 12);
    expect(d.verdict).toBe('high bias'); // variance 0.09 is under a quarter of the reducible error
  });

  it('can be overridden', () => {
    expect(diagnose({ trainError: 0.005, devError: 0.01, thresholds: { absolute: 0.001 } }).verdict).toBe('high bias and high variance');
    expect(diagnose({ trainError: 0.31, devError: 0.4, thresholds: { relative: 0.1 } }).verdict).toBe('high bias and high variance');
  });

  it('notes an assumed optimal error and a dev error below the train error', () => {
    const d = diagnose({ trainError: 0.2, devError: 0.18 });
    expect(d.verdict).toBe('high bias');
    expect(d.variance).toBeCloseTo(-0.02, 12);
    expect(d.notes).toHaveLength(2);
    expect(d.notes[0]).toMatch(/^No optimalError given: assumed 0/);
    expect(d.notes[1]).toMatch(/^The dev error is below the training error/);
  });
});

describe('diagnose: bad input', () => {
  it('errors outside [0, 1] or not finite', () => {
    expect(() => diagnose({ trainError: 1.5, devError: 0.1 })).toThrow(ValueError);
    expect(() => diagnose({ trainError: 1.5, devError: 0.1 })).toThrow('diagnose: trainError: expected an error rate in [0, 1] (0.11 for 11%), got 1.5');
    expect(() => diagnose({ trainError: 0.1, devError: -0.1 })).toThrow('diagnose: devError: expected an error rate in [0, 1] (0.11 for 11%), got -0.1');
    expect(() => diagnose({ trainError: NaN, devError: 0.1 })).toThrow('diagnose: trainError: expected an error rate in [0, 1] (0.11 for 11%), got NaN');
    expect(() => diagnose({ trainError: 0.1, devError: Infinity })).toThrow('diagnose: devError: expected an error rate in [0, 1] (0.11 for 11%), got Infinity');
    expect(() => diagnose({ trainError: 0.1, devError: 0.2, optimalError: -0.01 })).toThrow('diagnose: optimalError: expected an error rate in [0, 1] (0.11 for 11%), got -0.01');
    expect(() => diagnose({ trainError: '0.1' as never, devError: 0.2 })).toThrow('diagnose: trainError: expected an error rate in [0, 1] (0.11 for 11%), got "0.1"');
  });

  it('an optimal error above the train error', () => {
    expect(() => diagnose({ trainError: 0.003, devError: 0.004, optimalError: 0.005 })).toThrow(
      /^diagnose: optimalError: expected at most trainError \(0\.003\), got 0\.005: a training error below the optimal error/,
    );
  });

  it('bad thresholds or no input', () => {
    expect(() => diagnose({ trainError: 0.1, devError: 0.2, thresholds: { absolute: 2 } })).toThrow('diagnose: thresholds.absolute: expected a number in [0, 1], got 2');
    expect(() => diagnose({ trainError: 0.1, devError: 0.2, thresholds: 'strict' as never })).toThrow('diagnose: thresholds: expected { absolute?, relative? }, got "strict"');
    expect(() => diagnose(undefined as never)).toThrow('diagnose: input: expected { trainError, devError, optimalError? }, got undefined');
  });
});
