/**
 * The WebAssembly SIMD backend: float32 kernels compiled from AssemblyScript
 * (./assembly), tensors in wasm memory, GEMM on up to two threads.
 *
 * Loading needs no network and no Node-only import: the module ships as
 * base64 inside the library. Node and workers can load it synchronously
 * (`initWasmBackendSync`); a browser's main thread must use the async
 * `initWasmBackend`, since it refuses to compile modules over 4 KB
 * synchronously.
 */
import type { Backend } from '../backend.js';
import { getBackend, registerBackend } from '../registry.js';
import { moduleBytes, simdSupported } from './binary.js';
import { WASM_MAX_PAGES } from './generated/wasm-binary.js';
import { createMemory, type WasmMemory } from './memory.js';
import { assembleRuntime, moduleImports, type WasmRuntime } from './runtime.js';
import type { ThreadCount } from './threads.js';
import { warmUp } from './warmup.js';

export type { ThreadCount } from './threads.js';

/** Options for loading the wasm backend. */
export interface WasmBackendOptions {
  /**
   * Threads for large matrix products and parameter updates: 2 (the default) adds one worker
   * sharing the memory where the host allows it, 1 runs everything on the
   * calling thread. Results are bit-identical either way.
   */
  threads?: ThreadCount;
}

/** Initial memory: room for the GEMM scratch of two threads and the first tensors. */
const INITIAL_PAGES = 64;

let runtime: WasmRuntime | null = null;

function finishLoading(module: WebAssembly.Module, instance: WebAssembly.Instance, memory: WasmMemory): WasmRuntime {
  // Another load may have finished first (sync and async both called): keep the first.
  if (runtime) return runtime;
  const rt = assembleRuntime(module, instance, memory);
  warmUp(rt.backend);
  runtime = rt;
  registerBackend(rt.backend, true);
  return rt;
}

/**
 * Loads the wasm backend synchronously where the host allows it (Node,
 * workers), registers it as `'wasm'` and makes it the default. Returns null,
 * leaving the current backend in place, where it cannot: no WebAssembly SIMD,
 * or a browser main thread's limit on synchronous compiles. A second worker
 * for GEMM starts in the background; until it listens, kernels run on one
 * thread.
 *
 * @example
 * ```ts
 * import { initWasmBackendSync, getBackend } from 'layerwise';
 * initWasmBackendSync();
 * console.log(getBackend().name); // 'wasm' where supported, else 'js'
 * ```
 */
export function initWasmBackendSync(options: WasmBackendOptions = {}): Backend | null {
  if (!runtime) {
    if (!simdSupported()) return null;
    try {
      const memory = createMemory(INITIAL_PAGES, WASM_MAX_PAGES);
      const module = new WebAssembly.Module(moduleBytes(memory.shared));
      finishLoading(module, new WebAssembly.Instance(module, moduleImports(memory)), memory);
    } catch {
      // Synchronous compilation refused (browser main thread): the async loader still works.
      return null;
    }
  }
  const rt = runtime as WasmRuntime;
  void rt.threads.set(options.threads ?? 2);
  return rt.backend;
}

/**
 * Loads the wasm backend, registers it as `'wasm'` and makes it the default;
 * resolves once its threads are running. Where WebAssembly SIMD is missing it
 * leaves the current backend in place and resolves to it, after one console
 * line saying so.
 *
 * @example
 * ```ts
 * import { initWasmBackend, getBackend } from 'layerwise';
 * const backend = await initWasmBackend({ threads: 2 });
 * console.log(backend.name); // 'wasm' where WebAssembly SIMD is supported (Node 20+)
 * backend === getBackend(); // true
 * ```
 */
export async function initWasmBackend(options: WasmBackendOptions = {}): Promise<Backend> {
  if (!runtime) {
    if (!simdSupported()) {
      console.info('layerwise: WebAssembly SIMD is not available here; using the JavaScript backend');
      return getBackend();
    }
    const memory = createMemory(INITIAL_PAGES, WASM_MAX_PAGES);
    const module = await WebAssembly.compile(moduleBytes(memory.shared));
    finishLoading(module, await WebAssembly.instantiate(module, moduleImports(memory)), memory);
  }
  const rt = runtime as unknown as WasmRuntime;
  await rt.threads.set(options.threads ?? 2);
  return rt.backend;
}

/**
 * Sets the threads the large kernels (GEMM, parameter updates) use;
 * resolves once they run. Throws when the wasm backend is not loaded.
 *
 * @example
 * ```ts
 * import { initWasmBackend, setWasmThreads } from 'layerwise';
 * await initWasmBackend();
 * await setWasmThreads(1);
 * ```
 */
export async function setWasmThreads(threads: ThreadCount): Promise<void> {
  if (!runtime) throw new Error('setWasmThreads: the wasm backend is not loaded; call initWasmBackend() first');
  await runtime.threads.set(threads);
}

/**
 * The threads the large kernels run on now: 2 once the worker listens, else
 * 1 (also when the wasm backend is not loaded).
 *
 * @example
 * ```ts
 * import { initWasmBackend, wasmThreads } from 'layerwise';
 * await initWasmBackend({ threads: 2 });
 * console.log(wasmThreads()); // 2 where the host allows a worker
 * ```
 */
export function wasmThreads(): ThreadCount {
  return runtime ? runtime.threads.active : 1;
}

/** The loaded runtime, for the test hooks in ./testing.ts. */
export function loadedRuntime(): WasmRuntime | null {
  return runtime;
}
