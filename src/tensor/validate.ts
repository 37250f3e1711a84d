/**
 * Input checks shared by every public entry point. Each throws with a message
 * of the form `<where>: <argument>: expected <what>, got <what>` so the user
 * sees which call and which argument to fix.
 */
import { describeValue, formatShape, ShapeError, ValueError } from './errors.js';
import { tensor, Tensor, type NestedArray } from './tensor.js';

/** Anything a public function accepts in place of a tensor. */
export type TensorLike = Tensor | NestedArray;

/** Converts nested arrays to a tensor, or checks that a value is a tensor. */
export function toTensor(x: TensorLike, where: string, name: string): Tensor {
  if (x instanceof Tensor) return x;
  if (Array.isArray(x)) {
    try {
      return tensor(x);
    } catch (e) {
      const msg = e instanceof Error ? e.message.replace(/^tensor: /, '') : String(e);
      throw new (e instanceof ShapeError ? ShapeError : ValueError)(`${where}: ${name}: ${msg}`);
    }
  }
  throw new ValueError(`${where}: ${name}: expected a Tensor or nested number arrays, got ${x === null ? 'null' : typeof x}`);
}

/** Checks that a tensor is a matrix (2-D) and returns it. */
export function assertMatrix(t: Tensor, where: string, name: string): Tensor {
  if (t.shape.length !== 2) {
    throw new ShapeError(`${where}: ${name}: expected a matrix (2-D), got shape ${formatShape(t.shape)}`);
  }
  return t;
}

/**
 * Checks a matrix shape. `null` in `expected` accepts any size in that
 * dimension; `labels` names the dimensions in the message.
 */
export function assertShape(
  t: Tensor,
  expected: readonly (number | null)[],
  where: string,
  name: string,
  labels: readonly string[] = [],
): void {
  const ok = t.shape.length === expected.length && expected.every((d, i) => d === null || d === t.shape[i]);
  if (!ok) {
    const exp = expected.map((d, i) => (d === null ? (labels[i] ?? 'any') : String(d)));
    throw new ShapeError(`${where}: ${name}: expected shape (${exp.join(', ')}), got ${formatShape(t.shape)}`);
  }
}

/** Checks that every value is finite; names the first bad row and column. */
export function assertFinite(t: Tensor, where: string, name: string): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i] as number;
    if (!Number.isFinite(v)) {
      const r = Math.floor(i / t.cols);
      const c = i % t.cols;
      throw new ValueError(`${where}: ${name}: expected finite numbers, got ${v} at row ${r}, column ${c}`);
    }
  }
}

/** Checks that every label is exactly 0 or 1 (binary cross-entropy targets). */
export function assertBinaryLabels(t: Tensor, where: string, name: string): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v !== 0 && v !== 1) {
      throw new ValueError(
        `${where}: ${name}: binary cross-entropy needs labels in {0, 1}, got ${v} at row ${Math.floor(i / t.cols)}, column ${i % t.cols}`,
      );
    }
  }
}

/** Checks that every column is one-hot (softmax + categorical cross-entropy targets). */
export function assertOneHot(t: Tensor, where: string, name: string): void {
  const { rows, cols } = t;
  const d = t.data;
  for (let j = 0; j < cols; j++) {
    let ones = 0;
    for (let i = 0; i < rows; i++) {
      const v = d[i * cols + j];
      if (v === 1) ones++;
      else if (v !== 0) {
        throw new ValueError(`${where}: ${name}: softmax needs one-hot columns, got ${v} at row ${i}, column ${j}`);
      }
    }
    if (ones !== 1) {
      throw new ValueError(`${where}: ${name}: softmax needs one-hot columns (exactly one 1), column ${j} has ${ones} ones`);
    }
  }
}

/** Checks a positive integer such as a layer size or an iteration count. */
export function assertPositiveInt(value: unknown, where: string, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ValueError(`${where}: ${name}: expected a positive integer, got ${describe(value)}`);
  }
  return value;
}

/** Checks a finite number > 0 such as a learning rate. */
export function assertPositiveFinite(value: unknown, where: string, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ValueError(`${where}: ${name}: expected a finite number > 0, got ${describe(value)}`);
  }
  return value;
}

/** Checks that a matrix has at least one column (example). */
export function assertNonEmpty(t: Tensor, where: string, name: string): void {
  if (t.size === 0 || t.cols === 0) {
    throw new ShapeError(`${where}: ${name}: expected at least one example (column), got shape ${formatShape(t.shape)}`);
  }
}

/** A value as it should read in an error message. */
export function describe(value: unknown): string {
  return describeValue(value);
}

/** Checks a generator seed: an integer in [0, 2^32), what {@link Rng} accepts. */
export function assertSeed(value: unknown, where: string, name = 'seed'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new ValueError(`${where}: ${name}: expected an integer in [0, 2^32), got ${describe(value)}`);
  }
  return value;
}

/** Checks a finite number, optionally within bounds (inclusive unless `open` says otherwise). */
export function assertFiniteNumber(
  value: unknown,
  where: string,
  name: string,
  range: { min?: number; max?: number; minOpen?: boolean; maxOpen?: boolean } = {},
): number {
  const { min, max, minOpen = false, maxOpen = false } = range;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (min === undefined || (minOpen ? value > min : value >= min)) &&
    (max === undefined || (maxOpen ? value < max : value <= max));
  if (!ok) {
    const bounds: string[] = [];
    if (min !== undefined) bounds.push(`${minOpen ? '>' : '>='} ${min}`);
    if (max !== undefined) bounds.push(`${maxOpen ? '<' : '<='} ${max}`);
    const what = bounds.length === 0 ? 'a finite number' : `a finite number ${bounds.join(' and ')}`;
    throw new ValueError(`${where}: ${name}: expected ${what}, got ${describe(value)}`);
  }
  return value;
}

/**
 * Throws on a key outside `allowed`, so a misspelt option (`activaton`) fails
 * instead of silently leaving its default in place. Suggests the closest
 * allowed key; `noun` names what the keys are ('option', 'hyperparameter').
 */
export function assertKnownKeys(value: object, allowed: readonly string[], where: string, prefix: string, noun = 'option'): void {
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    if (allowed.length === 0) throw new ValueError(`${where}: ${prefix}${key}: expected no ${noun}s, got an unknown ${noun}`);
    let near: string | null = null;
    let best = 3; // more than two edits away reads as a different word, not a typo
    for (const k of allowed) {
      const d = editDistance(key.toLowerCase(), k.toLowerCase());
      if (d < best) [near, best] = [k, d];
    }
    throw new ValueError(`${where}: ${prefix}${key}: expected one of ${allowed.join(', ')}${near ? ` (did you mean ${near}?)` : ''}, got an unknown ${noun}`);
  }
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
