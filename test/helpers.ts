/**
 * Shared test helpers: the backends every numeric suite runs against, and
 * element-wise comparison with an explicit tolerance.
 */
import { afterAll, beforeAll, describe, expect, vi } from 'vitest';
import { fit, getBackend, listBackends, setBackend, type FitOptions, type History, type Network, type Tensor } from '../src/index.js';
import { heapStats } from '../src/backend/wasm/testing.js';

/** Every registered backend ('js', and 'wasm' once src/index.ts has loaded it). */
export function backendNames(): string[] {
  return listBackends();
}

/**
 * Registers `describe(`${name} [${backend}]`, ...)` once per registered backend,
 * with that backend current for every test and hook of the block (set in a
 * beforeAll, restored in an afterAll, so tests may be synchronous or async) and
 * while the block's body is collected (a Network built there binds to it). `fn`
 * gets the backend's name, e.g. for a float32 tolerance: wasm's float32 kernels
 * may differ from js's in the last bits. float64 work runs on js through
 * backendFor whatever backend is current, so a float64 test's wasm copy checks
 * that routing, not the wasm kernels.
 */
export function describeEachBackend(name: string, fn: (backend: string) => void): void {
  for (const backend of backendNames()) {
    describe(`${name} [${backend}]`, () => {
      let previous = '';
      beforeAll(() => {
        previous = getBackend().name;
        setBackend(backend);
      });
      afterAll(() => {
        setBackend(previous);
      });
      withBackend(backend, () => fn(backend));
    });
  }
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

/**
 * Runs fit and asserts that between iterations `from` and `to` no tensor was allocated (no `zeros`
 * call) and, on wasm, the wasm heap's blocks did not change; returns the history.
 */
export function fitAllocatesNoTensors(backend: string, net: Network, X: Tensor, Y: Tensor, options: FitOptions, [from, to]: readonly [number, number]): History {
  const zeros = vi.spyOn(getBackend(), 'zeros');
  const calls: number[] = [];
  const heap: string[] = [];
  let history: History;
  try {
    history = fit(net, X, Y, {
      ...options,
      onIteration: (i) => {
        if (i !== from && i !== to) return;
        calls.push(zeros.mock.calls.length);
        heap.push(backend === 'wasm' ? JSON.stringify(heapStats()) : '');
      },
    });
  } finally {
    zeros.mockRestore();
  }
  expect(calls).toHaveLength(2);
  expect(calls[1]).toBe(calls[0]);
  expect(heap[1]).toBe(heap[0]);
  return history;
}
