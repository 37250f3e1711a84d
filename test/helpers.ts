/**
 * Shared test helpers: the backends every numeric suite runs against, and
 * element-wise comparison with an explicit tolerance.
 */
import { expect } from 'vitest';
import { getBackend, listBackends, setBackend, type Tensor } from '../src/index.js';

/** Every registered backend; suites loop over these so one suite covers them all. */
export function backendNames(): string[] {
  return listBackends();
}

/** Runs `fn` with `name` as the current backend, restoring the previous one after. */
export function withBackend<T>(name: string, fn: () => T): T {
  const prev = getBackend().name;
  setBackend(name);
  try {
    return fn();
  } finally {
    setBackend(prev);
  }
}

/** Asserts every element of `actual` is within `tol` (absolute + relative) of `expected`. */
export function expectClose(actual: Tensor | ArrayLike<number>, expected: ArrayLike<number> | number[][], tol = 1e-6): void {
  const a = 'data' in actual ? Array.from(actual.data) : Array.from(actual);
  const e = (Array.isArray(expected) && Array.isArray(expected[0]) ? (expected as number[][]).flat() : Array.from(expected as ArrayLike<number>)) as number[];
  expect(a.length).toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    const diff = Math.abs(a[i]! - e[i]!);
    if (diff > tol * (1 + Math.abs(e[i]!))) {
      throw new Error(`element ${i}: expected ${e[i]}, got ${a[i]} (|diff| ${diff} > tol ${tol})`);
    }
  }
}
