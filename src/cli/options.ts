/**
 * Parsers for option values: each names the option and says what it expected,
 * so `--lr abc` fails with "--lr: expected a number > 0, got "abc"".
 */
import { InvalidArgumentError } from 'commander';

/** A number in a range; for commander's `argParser`. */
export function numberIn(option: string, min: number, max: number, { minOpen = false, maxOpen = false } = {}): (v: string) => number {
  return (v) => {
    const n = Number(v);
    const okMin = minOpen ? n > min : n >= min;
    const okMax = maxOpen ? n < max : n <= max;
    if (v.trim() === '' || !Number.isFinite(n) || !okMin || !okMax) {
      throw new InvalidArgumentError(`${option}: expected a number in ${minOpen ? '(' : '['}${min}, ${max}${maxOpen ? ')' : ']'}, got "${v}"`);
    }
    return n;
  };
}

/** A positive integer, at most `max`. */
export function positiveInt(option: string, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || n < 1 || n > max) throw new InvalidArgumentError(`${option}: expected a positive integer${max < Number.MAX_SAFE_INTEGER ? ` <= ${max}` : ''}, got "${v}"`);
    return n;
  };
}

/** The most epochs one run may ask for (a bound on what a typo such as 1e9 can allocate). */
export const MAX_EPOCHS = 1_000_000;

/** The most mini-batch updates one run may take: training keeps two float64 costs per update. */
export const MAX_UPDATES = 10_000_000;

/** A non-negative integer. */
export function nonNegativeInt(option: string): (v: string) => number {
  return (v) => {
    if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError(`${option}: expected an integer >= 0, got "${v}"`);
    return Number(v);
  };
}

/** A comma-separated list of positive integers, e.g. `--layers 128,64` (empty for none). */
export function intList(option: string): (v: string) => number[] {
  return (v) => {
    if (v.trim() === '' || v.trim() === 'none') return [];
    return v.split(',').map((p) => positiveInt(option)(p.trim()));
  };
}

/** A comma-separated list of numbers in (0, 1], e.g. `--keep-prob 0.8,0.9`. */
export function keepProbList(option: string): (v: string) => number[] {
  return (v) => v.split(',').map((p) => numberIn(option, 0, 1, { minOpen: true })(p.trim()));
}

/** One of a fixed set of names. */
export function oneOf<T extends string>(option: string, names: readonly T[]): (v: string) => T {
  return (v) => {
    if (!(names as readonly string[]).includes(v)) throw new InvalidArgumentError(`${option}: expected one of ${names.join(', ')}, got "${v}"`);
    return v as T;
  };
}

/** `--delimiter`: the one character between a CSV file's fields; `tab` (or `\t`, as typed in a shell) for a tab. */
export function delimiter(v: string): string {
  const d = v === 'tab' || v === '\\t' ? '\t' : v;
  if (d.length !== 1 || d === '"' || d === '\n' || d === '\r') {
    throw new InvalidArgumentError(`--delimiter: expected one character other than a quote or a line break, such as ';' or tab (written "tab"), got "${v}"`);
  }
  return d;
}

/** `--split`: ratios `0.8,0.1,0.1` (or two) summing to 1, or counts `7000,1500,1500` (dev and test counts; train is the rest). */
export type SplitSpec = { kind: 'ratios'; ratios: [number, number] | [number, number, number] } | { kind: 'counts'; dev: number; test: number };

export function splitSpec(v: string): SplitSpec {
  const parts = v.split(',').map((p) => p.trim());
  const nums = parts.map(Number);
  if ((parts.length !== 2 && parts.length !== 3) || nums.some((n, i) => parts[i] === '' || !Number.isFinite(n) || n < 0)) {
    throw new InvalidArgumentError(`--split: expected two or three non-negative numbers like 0.8,0.1,0.1 (ratios) or 8000,1000,1000 (counts), got "${v}"`);
  }
  if (nums.every((n) => n <= 1)) {
    const sum = nums.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > 1e-9) throw new InvalidArgumentError(`--split: ratios must sum to 1, got ${parts.join(' + ')} = ${sum}`);
    return { kind: 'ratios', ratios: nums as [number, number] | [number, number, number] };
  }
  if (nums.some((n) => !Number.isInteger(n))) throw new InvalidArgumentError(`--split: counts must be integers, got "${v}"`);
  return { kind: 'counts', dev: nums[1]!, test: nums[2] ?? 0 };
}

/** `--augment`: which augmentations, each with an optional amount (`shift=3`). */
export const AUGMENT_HELP = 'flip, shift[=pixels] (2), rotate[=degrees] (10), brightness[=offset] (0.1), comma-separated';

/** Parses `--augment flip,shift=3,rotate` into augmentation options (see src/data/augment.ts). */
export function augmentList(option: string): (v: string) => { flip?: boolean; shift?: number; rotate?: number; brightness?: number } {
  return (v) => {
    const out: { flip?: boolean; shift?: number; rotate?: number; brightness?: number } = {};
    for (const part of v.split(',').map((p) => p.trim())) {
      const [name, amount] = part.split('=') as [string, string | undefined];
      const n = amount === undefined ? undefined : Number(amount);
      if (amount !== undefined && (amount.trim() === '' || !Number.isFinite(n) || n! < 0)) throw new InvalidArgumentError(`${option}: "${part}": expected a number >= 0 after "=", got "${amount}"`);
      if (name === 'flip' && amount === undefined) out.flip = true;
      else if (name === 'shift' && (n === undefined || Number.isInteger(n))) out.shift = n ?? 2;
      else if (name === 'rotate' && (n === undefined || n <= 180)) out.rotate = n ?? 10;
      else if (name === 'brightness') out.brightness = n ?? 0.1;
      else throw new InvalidArgumentError(`${option}: "${part}": expected ${AUGMENT_HELP}`);
    }
    return out;
  };
}
