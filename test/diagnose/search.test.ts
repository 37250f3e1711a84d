/** Random hyperparameter search: reproducibility, ordering, the sampling scales, stopping, and bad input. */
import { describe, expect, it } from 'vitest';
import { randomSearch, ValueError, type SearchSpace } from '../../src/index.js';

const SPACE = {
  learningRate: { logUniform: [1e-4, 1e-1] },
  beta: { oneMinusLogUniform: [0.9, 0.999] },
  layers: { choice: [[64], [128, 64]] },
  keepProb: { uniform: [0.5, 1] },
  batchSize: { choice: [32, 64, 128] },
  hidden: { intUniform: [1, 4] },
} satisfies SearchSpace;

/** Draws n configurations of a space (the objective scores them all 0). */
function sample<S extends SearchSpace>(space: S, n: number, seed = 1) {
  return randomSearch({ space, trials: n, seed, objective: () => 0 })
    .trials.sort((a, b) => a.index - b.index)
    .map((t) => t.config);
}

describe('randomSearch', () => {
  it('draws the same configurations from the same seed, whatever the objective returns', () => {
    const a = randomSearch({ space: SPACE, trials: 8, seed: 42, objective: (c) => c.learningRate });
    const b = randomSearch({ space: SPACE, trials: 8, seed: 42, objective: (_c, i) => -i });
    const byIndex = (r: typeof a) => [...r.trials].sort((x, y) => x.index - y.index).map((t) => t.config);
    expect(byIndex(a)).toEqual(byIndex(b));
    expect(byIndex(a)).not.toEqual(byIndex(randomSearch({ space: SPACE, trials: 8, seed: 43, objective: () => 0 })));
    // configs are typed from the space
    const c = byIndex(a)[0]!;
    const lr: number = c.learningRate;
    const layers: number[] = c.layers;
    expect(typeof lr).toBe('number');
    expect([[64], [128, 64]]).toContainEqual(layers);
  });

  it('sorts trials by score, lowest first, ties in sampling order, and names the best', () => {
    const scores = [0.3, 0.1, 0.5, 0.1, 0.2];
    const r = randomSearch({ space: SPACE, trials: 5, seed: 0, objective: (_c, i) => scores[i]! });
    expect(r.trials.map((t) => t.index)).toEqual([1, 3, 4, 0, 2]);
    expect(r.trials.map((t) => t.score)).toEqual([0.1, 0.1, 0.2, 0.3, 0.5]);
    expect(r.best).toBe(r.trials[0]);
    expect(r.best!.score).toBe(Math.min(...scores));
    expect(r.aborted).toBe(false);
  });

  it('accepts Infinity for a diverged run and ranks it last', () => {
    const r = randomSearch({ space: SPACE, trials: 3, seed: 0, objective: (_c, i) => (i === 0 ? Infinity : i) });
    expect(r.trials.map((t) => t.index)).toEqual([1, 2, 0]);
  });

  it('passes each trial to onTrial in sampling order', () => {
    const seen: number[] = [];
    const r = randomSearch({ space: SPACE, trials: 4, seed: 3, objective: (_c, i) => 10 - i, onTrial: (t) => seen.push(t.index) });
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(r.best!.index).toBe(3);
  });

  it('samples log-uniformly: within bounds, each decade about equally likely', () => {
    const n = 4000;
    const lrs = sample({ lr: { logUniform: [1e-4, 1e-1] } }, n).map((c) => c.lr);
    for (const x of lrs) {
      expect(x).toBeGreaterThanOrEqual(1e-4);
      expect(x).toBeLessThanOrEqual(1e-1);
    }
    // log10(x) should be uniform on [-4, -1]: a Kolmogorov-Smirnov distance below the
    // 1% critical value 1.63 / sqrt(n) = 0.026, and each decade holds 1/3 +- 0.03 (about 4 sd).
    const u = lrs.map((x) => (Math.log10(x) + 4) / 3).sort((a, b) => a - b);
    const ks = Math.max(...u.map((x, i) => Math.max(Math.abs((i + 1) / n - x), Math.abs(i / n - x))));
    expect(ks).toBeLessThan(1.63 / Math.sqrt(n));
    for (const [lo, hi] of [[1e-4, 1e-3], [1e-3, 1e-2], [1e-2, 1e-1]] as const) {
      const share = lrs.filter((x) => x >= lo && x < hi).length / n;
      expect(Math.abs(share - 1 / 3)).toBeLessThan(0.03);
    }
  });

  it('samples beta through 1 - beta: half the draws of [0.9, 0.999] land in [0.99, 0.999]', () => {
    const n = 4000;
    const betas = sample({ beta: { oneMinusLogUniform: [0.9, 0.999] } }, n, 7).map((c) => c.beta);
    for (const b of betas) {
      expect(b).toBeGreaterThanOrEqual(0.9);
      expect(b).toBeLessThanOrEqual(0.999 + 1e-12);
    }
    // log10(1 - beta) is uniform on [-3, -1], so beta > 0.99 (log10(1 - beta) < -2) half the time, +- 0.03
    expect(Math.abs(betas.filter((b) => b > 0.99).length / n - 0.5)).toBeLessThan(0.03);
  });

  it('samples uniform, integer and choice dimensions over their whole range', () => {
    const configs = sample(SPACE, 2000, 5);
    for (const c of configs) {
      expect(c.keepProb).toBeGreaterThanOrEqual(0.5);
      expect(c.keepProb).toBeLessThan(1);
    }
    const counts = (values: unknown[]) => {
      const m = new Map<string, number>();
      for (const v of values) m.set(JSON.stringify(v), (m.get(JSON.stringify(v)) ?? 0) + 1);
      return m;
    };
    const hidden = counts(configs.map((c) => c.hidden));
    expect([...hidden.keys()].sort()).toEqual(['1', '2', '3', '4']); // both ends included
    for (const k of hidden.values()) expect(Math.abs(k / 2000 - 0.25)).toBeLessThan(0.04);
    expect([...counts(configs.map((c) => c.batchSize)).keys()].sort()).toEqual(['128', '32', '64']);
    expect([...counts(configs.map((c) => c.layers)).keys()].sort()).toEqual(['[128,64]', '[64]']);
    expect(configs.filter((c) => c.keepProb >= 0.75).length / 2000).toBeCloseTo(0.5, 1);
  });

  it('stops when the signal aborts and keeps the trials completed so far', () => {
    const controller = new AbortController();
    const ran: number[] = [];
    const r = randomSearch({
      space: SPACE,
      trials: 20,
      seed: 1,
      objective: (_c, i) => (ran.push(i), 1 / (i + 1)),
      onTrial: (t) => {
        if (t.index === 2) controller.abort();
      },
      signal: controller.signal,
    });
    expect(ran).toEqual([0, 1, 2]);
    expect(r.aborted).toBe(true);
    expect(r.trials.map((t) => t.index)).toEqual([2, 1, 0]);
    expect(r.best!.index).toBe(2);
    // the completed trials are the same ones an uninterrupted search draws first
    const full = randomSearch({ space: SPACE, trials: 3, seed: 1, objective: () => 0 });
    expect([...r.trials].sort((a, b) => a.index - b.index).map((t) => t.config)).toEqual(full.trials.map((t) => t.config));
  });

  it('finishes the trial in progress when aborted from inside the objective', () => {
    const controller = new AbortController();
    const r = randomSearch({
      space: SPACE,
      trials: 10,
      seed: 1,
      objective: (_c, i) => {
        if (i === 1) controller.abort();
        return i;
      },
      signal: controller.signal,
    });
    expect(r.trials.map((t) => t.index)).toEqual([0, 1]);
  });

  it('runs nothing when the signal is already aborted', () => {
    const r = randomSearch({ space: SPACE, trials: 5, seed: 1, objective: () => 0, signal: AbortSignal.abort() });
    expect(r).toEqual({ trials: [], best: null, aborted: true });
  });
});

describe('randomSearch bad input', () => {
  const objective = () => 0;
  const run = (space: unknown, extra: Record<string, unknown> = {}) => () =>
    randomSearch({ space: space as SearchSpace, trials: 3, seed: 0, objective, ...extra });
  const cases: [string, () => unknown, string][] = [
    ['empty uniform range', run({ keepProb: { uniform: [0.5, 0.5] } }), 'randomSearch: space.keepProb.uniform: expected a non-empty range (low < high), got [0.5, 0.5]'],
    ['reversed range', run({ keepProb: { uniform: [1, 0.5] } }), 'randomSearch: space.keepProb.uniform: expected a non-empty range (low < high), got [1, 0.5]'],
    ['empty int range', run({ hidden: { intUniform: [4, 1] } }), 'randomSearch: space.hidden.intUniform: expected a non-empty range (low <= high), got [4, 1]'],
    ['fractional int bounds', run({ hidden: { intUniform: [1, 2.5] } }), 'randomSearch: space.hidden.intUniform: expected integer bounds, got [1, 2.5]'],
    ['log-uniform from 0', run({ lr: { logUniform: [0, 0.1] } }), 'randomSearch: space.lr.logUniform: expected bounds > 0 (a logarithmic scale), got [0, 0.1]'],
    ['log-uniform negative', run({ lr: { logUniform: [-1, 0.1] } }), 'randomSearch: space.lr.logUniform: expected bounds > 0 (a logarithmic scale), got [-1, 0.1]'],
    ['1 - beta at 1', run({ beta: { oneMinusLogUniform: [0.9, 1] } }), 'randomSearch: space.beta.oneMinusLogUniform: expected bounds < 1 (1 - x is sampled on a logarithmic scale), got [0.9, 1]'],
    ['bounds not numbers', run({ lr: { logUniform: ['a', 1] } }), 'randomSearch: space.lr.logUniform: expected [low, high] with finite numbers, got ["a", 1]'],
    ['three bounds', run({ lr: { uniform: [0, 1, 2] } }), 'randomSearch: space.lr.uniform: expected [low, high] with finite numbers, got [0, 1, 2]'],
    ['unknown distribution', run({ lr: { normal: [0, 1] } }), 'randomSearch: space.lr: expected one distribution of uniform, logUniform, oneMinusLogUniform, intUniform, choice, got { normal }'],
    ['two distributions', run({ lr: { uniform: [0, 1], logUniform: [1e-3, 1] } }), 'randomSearch: space.lr: expected one distribution of uniform, logUniform, oneMinusLogUniform, intUniform, choice, got { uniform, logUniform }'],
    ['not a distribution', run({ lr: 0.1 }), 'randomSearch: space.lr: expected one distribution of uniform, logUniform, oneMinusLogUniform, intUniform, choice, got 0.1'],
    ['empty choice', run({ batchSize: { choice: [] } }), 'randomSearch: space.batchSize.choice: expected a non-empty array of options, got []'],
    ['empty space', run({}), 'randomSearch: space: expected at least one hyperparameter, got an empty object'],
    ['space not an object', run(null), 'randomSearch: space: expected an object of { name: distribution }, got null'],
    ['trials 0', run(SPACE, { trials: 0 }), 'randomSearch: trials: expected a positive integer, got 0'],
    ['trials 2.5', run(SPACE, { trials: 2.5 }), 'randomSearch: trials: expected a positive integer, got 2.5'],
    ['trials NaN', run(SPACE, { trials: NaN }), 'randomSearch: trials: expected a positive integer, got NaN'],
    ['seed -1', run(SPACE, { seed: -1 }), 'randomSearch: seed: expected an integer in [0, 2^32), got -1'],
    ['objective missing', run(SPACE, { objective: undefined }), 'randomSearch: objective: expected a function (config, trialIndex) => number, got undefined'],
    ['objective NaN', run(SPACE, { objective: (_c: unknown, i: number) => (i === 1 ? NaN : 0) }), 'randomSearch: objective: expected a number (lower is better) from trial 1, got NaN'],
    ['objective string', run(SPACE, { objective: () => '0.1' }), 'randomSearch: objective: expected a number (lower is better) from trial 0, got "0.1"'],
  ];
  for (const [label, call, message] of cases) {
    it(label, () => {
      expect(call).toThrow(ValueError);
      expect(call).toThrow(message);
    });
  }
});
