/**
 * Shared setup for the wasm backend suites: the loaded backend, seeded random
 * tensors in wasm memory or on the JS heap, and exact (bitwise) comparison.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { initWasmBackendSync, setWasmThreads } from '../../src/backend/wasm/index.js';
import { setAdaptiveSharing } from '../../src/backend/wasm/testing.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** The wasm backend, loaded synchronously with one thread (suites that want two ask for them). */
export function loadWasm(): Backend {
  const backend = initWasmBackendSync({ threads: 1 });
  if (!backend) throw new Error('the wasm backend did not load in Node');
  return backend;
}

/**
 * Inside a describe: two threads for its tests, with every eligible kernel shared however busy
 * the machine running the tests is; one thread and the adaptive governor again afterwards.
 */
export function shareEveryKernel(): void {
  beforeAll(async () => {
    await setWasmThreads(2);
    setAdaptiveSharing(false);
  });
  afterAll(async () => {
    setAdaptiveSharing(true);
    await setWasmThreads(1);
  });
}

/** A tensor in wasm memory with values uniform in [lo, hi). */
export function randomWasm(backend: Backend, shape: readonly number[], rng: Rng, lo = -1, hi = 1): Tensor {
  const t = backend.zeros(shape, 'float32');
  for (let i = 0; i < t.size; i++) t.data[i] = lo + (hi - lo) * rng.uniform();
  return t;
}

/** A float32 copy on the JS heap (what the reference backend, or the staging path, sees). */
export function onHeap(t: Tensor): Tensor {
  return new Tensor(t.shape, Float32Array.from(t.data));
}

/** Asserts two tensors hold the same float32 bit patterns (NaN payloads and -0 included). */
export function expectSameBits(actual: Tensor, expected: Tensor): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = new Uint32Array(Float32Array.from(actual.data).buffer);
  const e = new Uint32Array(Float32Array.from(expected.data).buffer);
  for (let i = 0; i < e.length; i++) {
    if (a[i] !== e[i]) throw new Error(`element ${i}: bits ${a[i]?.toString(16)} != ${e[i]?.toString(16)} (${actual.data[i]} vs ${expected.data[i]})`);
  }
}
