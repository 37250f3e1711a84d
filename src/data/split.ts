/**
 * Train/dev/test splits in the course's layout (examples are columns). The
 * data are always shuffled with a seeded generator first: taking the last
 * slice of unshuffled data would give a dev set from another distribution
 * whenever the data arrive sorted (by class, by date, by source).
 */
import { Rng } from '../random/rng.js';
import { formatShape, ShapeError, ValueError } from '../tensor/errors.js';
import { allocArray, Tensor } from '../tensor/tensor.js';
import { assertFinite, assertMatrix, assertNonEmpty, describe, toTensor, type TensorLike } from '../tensor/validate.js';

/** A set smaller than this many examples gets a warning (see {@link split}). */
export const SPLIT_MIN_EXAMPLES = 10;

/** How far ratios may be from summing to 1. */
export const SPLIT_RATIO_TOLERANCE = 1e-9;

/** What every split accepts besides the sizes. */
interface SplitCommon {
  /** Seed of the shuffle; default 0. The same seed gives the same split. */
  seed?: number;
  /**
   * Keep each class's share in every set (classification). Classes come from
   * a (1, m) row of integer labels, or the argmax of each column of a
   * one-hot (C, m) Y.
   */
  stratify?: boolean;
}

/** Sizes as fractions: `[train, dev]` or `[train, dev, test]`, summing to 1. */
export interface RatioSplitOptions extends SplitCommon {
  ratios: readonly [number, number] | readonly [number, number, number];
}

/** Sizes as example counts; the train set gets the rest. `test` defaults to 0. */
export interface CountSplitOptions extends SplitCommon {
  dev: number;
  test?: number;
}

/** Options of {@link split}: by ratios or by counts. */
export type SplitOptions = RatioSplitOptions | CountSplitOptions;

/** One set of a split. */
export interface SplitSet {
  /** (n_x, m_set), columns in shuffled order. */
  X: Tensor;
  /** (n_y, m_set), column j paired with column j of X. */
  Y: Tensor;
  /** For each column, its column index in the original X and Y. */
  indices: number[];
}

/** What {@link split} returns. */
export interface Split {
  train: SplitSet;
  dev: SplitSet;
  /** Empty (m_set = 0) when the split asked for no test set. */
  test: SplitSet;
  /** Empty or tiny sets, classes missing from a set; empty when all is well. */
  warnings: string[];
}

const SET_NAMES = ['train', 'dev', 'test'] as const;

/**
 * Splits X (n_x, m) and Y (n_y, m) into train, dev and test sets after a
 * seeded shuffle of the columns.
 *
 * Sizes. With `ratios`, set k gets floor(r_k m) examples and the examples
 * left over go one each to the sets with the largest fractional parts
 * r_k m - floor(r_k m) (ties to the earlier set: train, then dev, then test),
 * so the sizes are exact integers that add up to m; 60/20/20 of 101 is
 * 61/20/20. With counts, dev and test get exactly `dev` and `test` examples
 * and train the rest, like the course's 10,000 + 10,000 out of 1,000,000.
 *
 * Stratified splits keep the set sizes above and give each class c, with m_c
 * examples, floor or ceil of m_c * size_k / m examples in set k, so every
 * set's class shares are within one example per class of the whole data's.
 *
 * Warnings. A set that is part of the split (a test set is not part of a
 * two-ratio split, nor of a count split without `test`) gets a warning when
 * it is empty or has fewer than {@link SPLIT_MIN_EXAMPLES} examples: with n
 * examples an error estimate moves in steps of 1/n, so below 10 one example
 * is worth 10 points of error and the set cannot tell models apart. The rule
 * is absolute, not a percentage: how well a set measures error depends on
 * its count (standard error at most 0.5/sqrt(n)), which is why the course's
 * 1% dev set of a million examples is fine. A stratified split also warns
 * when a class has no example in a set.
 *
 * @example
 * ```ts
 * import { split, makeFlower } from 'layerwise';
 * const { X, Y } = makeFlower({ m: 400, seed: 1 });
 * const { train, dev, test, warnings } = split(X, Y, { ratios: [0.6, 0.2, 0.2], seed: 1, stratify: true });
 * console.log(train.X.shape, dev.X.shape, test.X.shape); // [2, 240] [2, 80] [2, 80]
 * console.log(dev.indices.slice(0, 3), warnings);        // original columns of the first dev examples, []
 * train.X.cols === 240 && dev.X.cols === 80 && test.X.cols === 80; // true
 * const big = split(X, Y, { dev: 50, test: 50 });         // 300 / 50 / 50
 * big.train.X.cols === 300; // true
 * ```
 */
export function split(x: TensorLike, y: TensorLike, options: SplitOptions): Split {
  const where = 'split';
  const X = assertMatrix(toTensor(x, where, 'X'), where, 'X');
  assertNonEmpty(X, where, 'X');
  const Y = assertMatrix(toTensor(y, where, 'Y'), where, 'Y');
  const m = X.cols;
  if (Y.cols !== m) throw new ShapeError(`${where}: Y: expected shape (n_y, ${m}) with one column per column of X, got ${formatShape(Y.shape)}`);
  assertFinite(X, where, 'X');
  assertFinite(Y, where, 'Y');
  if (options === null || typeof options !== 'object') {
    throw new ValueError(`${where}: options: expected { ratios: [train, dev, test] } or { dev, test } counts, got ${describe(options)}`);
  }
  const seed = options.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new ValueError(`${where}: seed: expected an integer in [0, 2^32), got ${describe(seed)}`);
  }
  if (options.stratify !== undefined && typeof options.stratify !== 'boolean') {
    throw new ValueError(`${where}: stratify: expected true or false, got ${describe(options.stratify)}`);
  }
  const { sizes, requested } = setSizes(options, m, where);

  const warnings: string[] = [];
  const order = new Rng(seed).shuffle(Array.from({ length: m }, (_, j) => j));
  SET_NAMES.forEach((name, k) => {
    const n = sizes[k]!;
    if (!requested[k]) return;
    if (n === 0) warnings.push(`${name} set is empty (0 of ${m} examples)`);
    else if (n < SPLIT_MIN_EXAMPLES) {
      warnings.push(`${name} set has only ${n} of ${m} examples (fewer than ${SPLIT_MIN_EXAMPLES}): its error estimate moves in steps of ${(100 / n).toFixed(0)}%`);
    }
  });
  let members: number[][];
  if (options.stratify === true) {
    const classes = classLabels(Y, where);
    members = stratifiedMembers(order, classes, sizes, requested, warnings);
  } else {
    members = [order.slice(0, sizes[0]), order.slice(sizes[0], sizes[0] + sizes[1]), order.slice(sizes[0] + sizes[1])];
  }

  const set = (k: number): SplitSet => {
    const indices = members[k]!;
    return { X: takeColumns(X, indices), Y: takeColumns(Y, indices), indices };
  };
  return { train: set(0), dev: set(1), test: set(2), warnings };
}

/** The exact set sizes, and which sets the options asked for. */
function setSizes(options: SplitOptions, m: number, where: string): { sizes: [number, number, number]; requested: [boolean, boolean, boolean] } {
  const hasRatios = 'ratios' in options && options.ratios !== undefined;
  const hasCounts = 'dev' in options && options.dev !== undefined;
  if (hasRatios === hasCounts) {
    const got = hasRatios ? 'both ratios and counts' : describe(options);
    throw new ValueError(`${where}: options: expected either { ratios: [train, dev, test] } or { dev, test } counts, got ${got}`);
  }
  if (hasRatios) {
    const ratios = (options as RatioSplitOptions).ratios;
    if (!Array.isArray(ratios) || (ratios.length !== 2 && ratios.length !== 3)) {
      throw new ValueError(`${where}: ratios: expected 2 or 3 numbers [train, dev] or [train, dev, test], got ${describe(ratios)}`);
    }
    ratios.forEach((r, k) => {
      if (typeof r !== 'number' || !Number.isFinite(r) || r < 0) {
        throw new ValueError(`${where}: ratios: expected non-negative finite numbers, got ${describe(r)} at index ${k}`);
      }
    });
    const sum = ratios.reduce((s, r) => s + r, 0);
    if (Math.abs(sum - 1) > SPLIT_RATIO_TOLERANCE) {
      throw new ValueError(`${where}: ratios: expected numbers that sum to 1 (within ${SPLIT_RATIO_TOLERANCE}), got ${describe(ratios)} (sum ${sum})`);
    }
    const [a = 0, b = 0, c = 0] = apportion([...ratios].map((r) => r / sum), m);
    return { sizes: [a, b, c], requested: [true, true, ratios.length === 3] };
  }
  const counts = options as CountSplitOptions;
  const dev = checkCount(counts.dev, where, 'dev');
  const test = counts.test === undefined ? 0 : checkCount(counts.test, where, 'test');
  if (dev + test > m) {
    throw new ValueError(`${where}: dev + test: expected at most the ${m} examples of X, got ${dev + test} (dev ${dev} + test ${test})`);
  }
  return { sizes: [m - dev - test, dev, test], requested: [true, true, counts.test !== undefined] };
}

function checkCount(value: unknown, where: string, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ValueError(`${where}: ${name}: expected a non-negative integer count of examples, got ${describe(value)}`);
  }
  return value;
}

/** The class of each column: the label of a (1, m) row, or the argmax of a (C, m) column. */
function classLabels(Y: Tensor, where: string): number[] {
  const { rows, cols } = Y;
  const out: number[] = new Array<number>(cols);
  for (let j = 0; j < cols; j++) {
    if (rows === 1) {
      const v = Y.data[j]!;
      if (!Number.isInteger(v)) {
        throw new ValueError(`${where}: Y: stratify needs integer class labels in a (1, m) row or one-hot columns, got ${v} at column ${j}`);
      }
      out[j] = v;
    } else {
      let best = 0;
      for (let i = 0; i < rows; i++) {
        const v = Y.data[i * cols + j]!;
        if (Number.isNaN(v)) throw new ValueError(`${where}: Y: stratify needs finite class scores, got NaN at row ${i}, column ${j}`);
        if (v > Y.data[best * cols + j]!) best = i;
      }
      out[j] = best;
    }
  }
  return out;
}

/**
 * Splits each class's examples (in shuffled order) by its apportioned counts;
 * each set keeps the shuffled order, so classes stay mixed within a set.
 */
function stratifiedMembers(order: number[], classes: number[], sizes: [number, number, number], requested: boolean[], warnings: string[]): number[][] {
  const byClass = new Map<number, number[]>();
  for (const j of order) {
    const c = classes[j]!;
    const list = byClass.get(c);
    if (list) list.push(j);
    else byClass.set(c, [j]);
  }
  const labels = [...byClass.keys()].sort((p, q) => p - q);
  const classSizes = labels.map((c) => byClass.get(c)!.length);
  const table = allocateStrata(classSizes, sizes);
  const setOf = new Int8Array(order.length);
  labels.forEach((c, ci) => {
    const list = byClass.get(c)!;
    const row = table[ci]!;
    let start = 0;
    for (let k = 0; k < 3; k++) {
      const n = row[k]!;
      for (let t = start; t < start + n; t++) setOf[list[t]!] = k;
      start += n;
      if (n === 0 && requested[k] && sizes[k]! > 0) {
        warnings.push(`${SET_NAMES[k]} set has no example of class ${c} (${list.length} in all)`);
      }
    }
  });
  const members: number[][] = [[], [], []];
  for (const j of order) members[setOf[j]!]!.push(j);
  return members;
}

/**
 * Integer sizes for the given fractions of m (the fractions sum to 1): the
 * floors, then one more each to the largest fractional parts, ties to the
 * earlier entry. Quotas within 1e-6 of an integer count as that integer, so
 * 0.7 * 10 is 7 whatever float rounding makes of it.
 */
function apportion(fractions: readonly number[], m: number): number[] {
  const quotas = fractions.map((f) => {
    const q = f * m;
    const near = Math.round(q);
    return Math.abs(q - near) < 1e-6 ? near : q;
  });
  const sizes = quotas.map((q) => Math.floor(q));
  const frac = (k: number) => quotas[k]! - sizes[k]!;
  const byRemainder = quotas.map((_, k) => k).sort((a, b) => frac(b) - frac(a) || a - b);
  let left = m - sizes.reduce((s, n) => s + n, 0);
  for (let t = 0; left > 0; t++, left--) sizes[byRemainder[t % byRemainder.length]!]!++;
  // Only reachable when the ratios sum to a hair over 1: take back from the last sets.
  for (let k = sizes.length - 1; left < 0; k = (k + sizes.length - 1) % sizes.length) {
    if (sizes[k]! > 0) {
      sizes[k]!--;
      left++;
    }
  }
  return sizes;
}

/** floor(a b / m) and (a b) mod m, exact even where a b passes 2^53. */
function divide(a: number, b: number, m: number): { q: number; r: number } {
  const prod = a * b;
  if (Number.isSafeInteger(prod)) {
    const r = prod % m;
    return { q: (prod - r) / m, r };
  }
  const p = BigInt(a) * BigInt(b);
  return { q: Number(p / BigInt(m)), r: Number(p % BigInt(m)) };
}

/**
 * Controlled rounding of the table m_c * size_k / m: every entry is the floor
 * or the ceiling of its quota, rows sum to the class sizes and columns to the
 * set sizes. Such a rounding always exists (the fractional parts are a
 * feasible fractional flow, and max flow has an integral optimum); it is
 * found as a max flow from classes to sets over the entries that may round up.
 */
function allocateStrata(classSizes: readonly number[], sizes: readonly number[]): number[][] {
  const m = classSizes.reduce((s, n) => s + n, 0);
  const C = classSizes.length;
  const K = sizes.length;
  const parts = classSizes.map((mc) => sizes.map((sk) => divide(mc, sk, m)));
  const table = parts.map((row) => row.map((p) => p.q));
  const rem = parts.map((row) => row.map((p) => p.r));
  const up = parts.map((row) => row.map(() => 0));
  const rowNeed = classSizes.map((mc, c) => mc - table[c]!.reduce((s, n) => s + n, 0));
  const colNeed = sizes.map((sk, k) => sk - table.reduce((s, row) => s + row[k]!, 0));
  const canUp = (c: number, k: number) => rem[c]![k]! > 0 && up[c]![k] === 0;

  // Greedy first (largest fractional part first), so the search below only repairs a few units.
  for (let c = 0; c < C; c++) {
    const order = sizes.map((_, k) => k).sort((a, b) => rem[c]![b]! - rem[c]![a]!);
    for (const k of order) {
      if (rowNeed[c]! > 0 && colNeed[k]! > 0 && canUp(c, k)) {
        up[c]![k] = 1;
        rowNeed[c]!--;
        colNeed[k]!--;
      }
    }
  }
  // Augmenting paths: class -> set (round up) -> class (undo its round-up there) -> set ... -> set with room.
  while (rowNeed.some((n) => n > 0)) {
    const parentOfCol = new Int32Array(K).fill(-1);
    const parentOfRow = new Int32Array(C).fill(-2);
    const queue: number[] = [];
    for (let c = 0; c < C; c++) {
      if (rowNeed[c]! > 0) {
        parentOfRow[c] = -1;
        queue.push(c);
      }
    }
    let end = -1;
    for (let h = 0; h < queue.length && end < 0; h++) {
      const c = queue[h]!;
      for (let k = 0; k < K && end < 0; k++) {
        if (parentOfCol[k] !== -1 || !canUp(c, k)) continue;
        parentOfCol[k] = c;
        if (colNeed[k]! > 0) {
          end = k;
          break;
        }
        for (let c2 = 0; c2 < C; c2++) {
          if (parentOfRow[c2] === -2 && up[c2]![k] === 1) {
            parentOfRow[c2] = k;
            queue.push(c2);
          }
        }
      }
    }
    if (end < 0) throw new Error('split: internal error: no stratified allocation found');
    colNeed[end]!--;
    for (let k = end; ; ) {
      const c = parentOfCol[k]!;
      up[c]![k] = 1;
      const prev = parentOfRow[c]!;
      if (prev === -1) {
        rowNeed[c]!--;
        break;
      }
      up[c]![prev] = 0;
      k = prev;
    }
  }
  return table.map((row, c) => row.map((n, k) => n + up[c]![k]!));
}

/**
 * The columns of a matrix at the given indices, in that order, as a new
 * tensor of the same dtype.
 *
 * @example
 * ```ts
 * import { takeColumns, tensor } from 'layerwise';
 * takeColumns(tensor([[1, 2, 3], [4, 5, 6]]), [2, 0]).toArray(); // [[3, 1], [6, 4]]
 * takeColumns([[1, 2, 3]], [2]).get(0, 0) === 3; // true
 * ```
 */
export function takeColumns(x: TensorLike, indices: readonly number[]): Tensor {
  const where = 'takeColumns';
  const X = assertMatrix(toTensor(x, where, 'X'), where, 'X');
  if (!Array.isArray(indices)) throw new ValueError(`${where}: indices: expected an array of column indices, got ${describe(indices)}`);
  const { rows, cols } = X;
  const n = indices.length;
  const out = new Tensor([rows, n], allocArray(rows * n, X.dtype));
  for (let t = 0; t < n; t++) {
    const j = indices[t];
    if (typeof j !== 'number' || !Number.isInteger(j) || j < 0 || j >= cols) {
      throw new ValueError(`${where}: indices: expected integers in [0, ${cols - 1}], got ${describe(j)} at index ${t}`);
    }
  }
  for (let i = 0; i < rows; i++) {
    const src = i * cols;
    const dst = i * n;
    for (let t = 0; t < n; t++) out.data[dst + t] = X.data[src + indices[t]!]!;
  }
  return out;
}
