/**
 * Test hooks into the loaded wasm backend. Not part of the public API: tests
 * use them to look at the allocator and to kill the kernel worker.
 */
import type { AllocatorStats } from './allocator.js';
import { loadedRuntime } from './index.js';
import { TASK_GEMM } from './protocol.js';
import type { WasmRuntime } from './runtime.js';

function rt(): WasmRuntime {
  const r = loadedRuntime();
  if (!r) throw new Error('wasm backend not loaded');
  return r;
}

/** The allocator's counts. */
export function heapStats(): AllocatorStats {
  return rt().heap.allocator.stats();
}

/** The wasm memory's size in bytes, and whether it is shared. */
export function memoryInfo(): { readonly bytes: number; readonly shared: boolean } {
  const m = rt().heap.memory;
  return { bytes: m.byteLength, shared: m.shared };
}

/** Grows the memory to at least `bytes` (as a large allocation would). */
export function growMemoryTo(bytes: number): void {
  rt().heap.memory.ensure(bytes);
}

/** Turns the sharing governor off (every eligible kernel is shared) or back on. */
export function setAdaptiveSharing(adaptive: boolean): void {
  rt().governor.adaptive = adaptive;
}

/** Tasks (GEMMs, parameter updates) the worker has been offered so far (0 without a worker). */
export function workerTasks(): number {
  return rt().threads.kernelWorker?.tasks ?? 0;
}

/** Hands the worker one GEMM task with raw gemmShared arguments and joins it (to make it fail on purpose). */
export function runWorkerTask(args: readonly number[]): void {
  const w = rt().threads.kernelWorker;
  if (!w) throw new Error('no kernel worker is running');
  w.postRaw(TASK_GEMM, 1, args);
  w.join(0);
}

/** Terminates the kernel worker as a crash would; resolves once it has exited. */
export async function killKernelWorker(): Promise<void> {
  const w = rt().threads.kernelWorker;
  if (!w) throw new Error('no kernel worker is running');
  await w.terminate();
}
