import { describe, expect, it } from 'vitest';
import { makeFlower, oneHot, split, SPLIT_MIN_EXAMPLES, takeColumns, tensor, ValueError, ShapeError, type Split } from '../../src/index.js';

/** X (2, m) whose column j is [j, -j], Y (1, m) = labels: column identity is readable from the values. */
function numbered(m: number, label: (j: number) => number = (j) => j % 2): { X: ReturnType<typeof tensor>; Y: ReturnType<typeof tensor> } {
  const idx = Array.from({ length: m }, (_, j) => j);
  return { X: tensor([idx, idx.map((j) => -j)], { dtype: 'float64' }), Y: tensor([idx.map(label)]) };
}

const sets = (s: Split) => [s.train, s.dev, s.test];

function expectPartition(s: Split, m: number): void {
  const all = sets(s).flatMap((set) => set.indices);
  expect(all.length).toBe(m);
  expect(new Set(all).size).toBe(m); // no overlap
  expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: m }, (_, j) => j)); // union is everything
}

function classCounts(Y: { data: ArrayLike<number> }, C: number): number[] {
  const counts = new Array<number>(C).fill(0);
  for (let j = 0; j < Y.data.length; j++) counts[Y.data[j]!]!++;
  return counts;
}

describe('split sizes', () => {
  it('ratios give exact sizes that add up to m, remainders to the largest fractional parts', () => {
    const cases: [number, readonly number[], number[]][] = [
      [100, [0.6, 0.2, 0.2], [60, 20, 20]],
      [101, [0.6, 0.2, 0.2], [61, 20, 20]], // 60.6 / 20.2 / 20.2: the one left over goes to train
      [10, [0.7, 0.3], [7, 3, 0]], // 0.7 * 10 is 7.000000000000001 in floats, still 7
      [7, [1 / 3, 1 / 3, 1 / 3], [3, 2, 2]], // a tie goes to the earlier set
      [3, [0.98, 0.01, 0.01], [3, 0, 0]],
      [1000, [0.98, 0.01, 0.01], [980, 10, 10]],
    ];
    for (const [m, ratios, expected] of cases) {
      const { X, Y } = numbered(m);
      const s = split(X, Y, { ratios: ratios as [number, number, number] });
      expect(sets(s).map((set) => set.indices.length)).toEqual(expected);
      expect(sets(s).map((set) => set.X.shape[1])).toEqual(expected);
      expectPartition(s, m);
    }
  });

  it('counts: dev and test exactly, train the rest (the course\'s 10,000 + 10,000 of 1,000,000, scaled down)', () => {
    const { X, Y } = numbered(1000);
    const s = split(X, Y, { dev: 10, test: 10, seed: 4 });
    expect(sets(s).map((set) => set.indices.length)).toEqual([980, 10, 10]);
    expectPartition(s, 1000);
    const noTest = split(X, Y, { dev: 250 });
    expect(sets(noTest).map((set) => set.indices.length)).toEqual([750, 250, 0]);
    expect(noTest.test.X.shape).toEqual([2, 0]);
    expect(noTest.warnings).toEqual([]); // no test set was asked for, so its emptiness is no warning
  });

  it('shuffles: the dev set is not the last slice of the data', () => {
    const { X, Y } = numbered(100);
    const s = split(X, Y, { ratios: [0.8, 0.2] });
    expect(s.dev.indices.some((j) => j < 80)).toBe(true);
    expect(s.train.indices).not.toEqual(Array.from({ length: 80 }, (_, j) => j));
  });
});

describe('split reproducibility and pairing', () => {
  it('the same seed gives the same split, another seed another', () => {
    const { X, Y } = numbered(200);
    const a = split(X, Y, { ratios: [0.6, 0.2, 0.2], seed: 7 });
    const b = split(X, Y, { ratios: [0.6, 0.2, 0.2], seed: 7 });
    const c = split(X, Y, { ratios: [0.6, 0.2, 0.2], seed: 8 });
    expect(sets(b).map((s) => s.indices)).toEqual(sets(a).map((s) => s.indices));
    expect(Array.from(b.dev.X.data)).toEqual(Array.from(a.dev.X.data));
    expect(c.dev.indices).not.toEqual(a.dev.indices);
    expect(split(X, Y, { ratios: [0.6, 0.2, 0.2] }).dev.indices).toEqual(split(X, Y, { ratios: [0.6, 0.2, 0.2], seed: 0 }).dev.indices);
  });

  it('column t of each set is column indices[t] of the original X and Y, so X and Y stay paired', () => {
    const { X, Y } = makeFlower({ m: 100, seed: 3 });
    const s = split(X, Y, { ratios: [0.6, 0.2, 0.2], seed: 5, stratify: true });
    for (const set of sets(s)) {
      expect(set.X.dtype).toBe(X.dtype);
      set.indices.forEach((j, t) => {
        expect(set.X.get(0, t)).toBe(X.get(0, j));
        expect(set.X.get(1, t)).toBe(X.get(1, j));
        expect(set.Y.get(0, t)).toBe(Y.get(0, j));
      });
    }
  });

  it('takeColumns gathers columns in the given order', () => {
    expect(takeColumns(tensor([[1, 2, 3], [4, 5, 6]]), [2, 0]).toArray()).toEqual([[3, 1], [6, 4]]);
    expect(() => takeColumns(tensor([[1, 2, 3]]), [3])).toThrow('takeColumns: indices: expected integers in [0, 2], got 3 at index 0');
  });
});

describe('stratified split', () => {
  it('keeps each class\'s ratio in every set within one example per class', () => {
    // Unbalanced and sorted by class: 70 of class 0, 23 of class 1, 7 of class 2.
    const { X, Y } = numbered(100, (j) => (j < 70 ? 0 : j < 93 ? 1 : 2));
    const total = [70, 23, 7];
    for (const seed of [0, 1, 2]) {
      const s = split(X, Y, { ratios: [0.6, 0.2, 0.2], seed, stratify: true });
      expectPartition(s, 100);
      for (const set of sets(s)) {
        const counts = classCounts(set.Y, 3);
        const n = set.indices.length;
        counts.forEach((got, c) => expect(Math.abs(got - (total[c]! * n) / 100)).toBeLessThan(1));
      }
    }
  });

  it('reads classes from the argmax of one-hot Y', () => {
    const labels = Array.from({ length: 60 }, (_, j) => (j < 30 ? 0 : j < 50 ? 1 : 2));
    const Y = oneHot(labels, 3);
    const X = tensor([labels.map((_, j) => j)]);
    const s = split(X, Y, { dev: 15, test: 15, stratify: true, seed: 2 });
    expect(sets(s).map((set) => set.indices.length)).toEqual([30, 15, 15]);
    for (const set of [s.dev, s.test]) {
      const counts = [0, 0, 0];
      set.indices.forEach((j) => counts[labels[j]!]!++);
      expect(counts[1]).toBe(5);
      counts.forEach((got, c) => expect(Math.abs(got - [7.5, 5, 2.5][c]!)).toBeLessThan(1));
    }
  });

  it('an unstratified split of unbalanced data can miss a class; a stratified one warns only when it must', () => {
    const { X, Y } = numbered(40, (j) => (j < 38 ? 0 : 1)); // class 1 has two examples
    const s = split(X, Y, { ratios: [0.5, 0.25, 0.25], stratify: true });
    expect(s.warnings.some((w) => /has no example of class 1 \(2 in all\)/.test(w))).toBe(true);
    expect(classCounts(s.train.Y, 2)[1]).toBe(1);
  });
});

describe('split warnings', () => {
  it('warns about empty and tiny sets that were asked for', () => {
    const { X, Y } = numbered(30);
    const tiny = split(X, Y, { ratios: [0.8, 0.1, 0.1] });
    expect(tiny.warnings).toEqual([
      `dev set has only 3 of 30 examples (fewer than ${SPLIT_MIN_EXAMPLES}): its error estimate moves in steps of 33%`,
      `test set has only 3 of 30 examples (fewer than ${SPLIT_MIN_EXAMPLES}): its error estimate moves in steps of 33%`,
    ]);
    const empty = split(X, Y, { dev: 30, test: 0 });
    expect(empty.warnings).toEqual(['train set is empty (0 of 30 examples)', 'test set is empty (0 of 30 examples)']);
    expect(split(X, Y, { ratios: [0.34, 0.33, 0.33] }).warnings).toEqual([]); // 10 / 10 / 10
  });
});

describe('split bad input', () => {
  const { X, Y } = numbered(20);
  it('ratios that do not sum to 1, negative ratios, wrong count of ratios', () => {
    expect(() => split(X, Y, { ratios: [0.6, 0.2, 0.1] })).toThrow(ValueError);
    expect(() => split(X, Y, { ratios: [0.6, 0.2, 0.1] })).toThrow('split: ratios: expected numbers that sum to 1 (within 1e-9), got [0.6, 0.2, 0.1] (sum 0.9)');
    expect(() => split(X, Y, { ratios: [1.2, -0.2] })).toThrow('split: ratios: expected non-negative finite numbers, got -0.2 at index 1');
    expect(() => split(X, Y, { ratios: [NaN, 1] })).toThrow('split: ratios: expected non-negative finite numbers, got NaN at index 0');
    expect(() => split(X, Y, { ratios: [1] as unknown as [number, number] })).toThrow('split: ratios: expected 2 or 3 numbers [train, dev] or [train, dev, test], got [1]');
    expect(() => split(X, Y, { ratios: [0.6, 0.2, 0.2 + 1e-12] })).not.toThrow();
  });

  it('counts larger than the data, non-integer or negative counts', () => {
    expect(() => split(X, Y, { dev: 15, test: 10 })).toThrow('split: dev + test: expected at most the 20 examples of X, got 25 (dev 15 + test 10)');
    expect(() => split(X, Y, { dev: 2.5 })).toThrow('split: dev: expected a non-negative integer count of examples, got 2.5');
    expect(() => split(X, Y, { dev: 2, test: -1 })).toThrow('split: test: expected a non-negative integer count of examples, got -1');
  });

  it('X and Y with different m, both or neither kind of size, bad seed or stratify', () => {
    expect(() => split(X, [[1, 0]], { dev: 1 })).toThrow(ShapeError);
    expect(() => split(X, [[1, 0]], { dev: 1 })).toThrow('split: Y: expected shape (n_y, 20) with one column per column of X, got (1, 2)');
    expect(() => split(X, Y, { ratios: [0.5, 0.5], dev: 2 } as never)).toThrow('split: options: expected either { ratios: [train, dev, test] } or { dev, test } counts, got both ratios and counts');
    expect(() => split(X, Y, {} as never)).toThrow('split: options: expected either { ratios: [train, dev, test] } or { dev, test } counts, got an object');
    expect(() => split(X, Y, null as never)).toThrow('split: options: expected { ratios: [train, dev, test] } or { dev, test } counts, got null');
    expect(() => split(X, Y, { dev: 2, seed: -1 })).toThrow('split: seed: expected an integer in [0, 2^32), got -1');
    expect(() => split(X, Y, { dev: 2, stratify: 'yes' as never })).toThrow('split: stratify: expected true or false, got "yes"');
  });

  it('stratify with labels that are not classes', () => {
    expect(() => split([[1, 2, 3]], [[0, 0.5, 1]], { dev: 1, stratify: true })).toThrow(
      'split: Y: stratify needs integer class labels in a (1, m) row or one-hot columns, got 0.5 at column 1',
    );
  });
});
