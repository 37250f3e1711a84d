/**
 * What the backends' memory holds: `memory()` for users, and the headroom
 * that the up-front size checks (Network, fit) compare against.
 *
 * Only the wasm backend's memory can be counted: its tensors are blocks of
 * its own heap. The js backend's tensors are ordinary typed arrays that the
 * garbage collector owns.
 */
import type { Backend } from './backend.js';
import { loadedRuntime } from './wasm/index.js';

export { formatBytes } from './wasm/memory.js';

/** One backend's memory. Counts are null where the garbage collector owns the memory (the js backend). */
export interface BackendMemory {
  readonly backend: string;
  /** Tensors (blocks of the backend's heap) in use, and their bytes. */
  readonly tensors: number | null;
  readonly tensorBytes: number | null;
  /** Every block in use, tensors and the kernels' scratch (GEMM packing, staging), and their bytes. */
  readonly blocksInUse: number | null;
  readonly bytesInUse: number | null;
  /** Bytes of freed blocks below the highest block in use, reused before the memory grows. */
  readonly freeBytes: number | null;
  /** The memory's size now (a WebAssembly.Memory never shrinks), and the most it can grow to. */
  readonly memoryBytes: number | null;
  readonly maxBytes: number | null;
  /** Whether the memory is shared with the kernel worker (SharedArrayBuffer). */
  readonly shared: boolean | null;
}

/** What {@link memory} reports: the wasm backend (null when it is not loaded) and the js backend. */
export interface MemoryReport {
  readonly wasm: BackendMemory | null;
  readonly js: BackendMemory;
}

/**
 * The memory in use per backend. Tensors dropped without `dispose()` still
 * count until the garbage collector has collected them and run their
 * finalizers; disposed ones are given back at once.
 *
 * @example
 * ```ts
 * import { memory, Network } from 'layerwise';
 * const before = memory().wasm?.tensors ?? 0;
 * const net = new Network({ inputSize: 784, layers: [{ units: 256 }, { units: 10, activation: 'softmax' }] });
 * const held = memory().wasm === null ? 0 : memory().wasm!.tensors! - before; // W1, b1, W2, b2 on the wasm backend
 * net.dispose();
 * (memory().wasm?.tensors ?? 0) === before; // true
 * held === 0 || held === 4; // true
 * ```
 */
export function memory(): MemoryReport {
  const rt = loadedRuntime();
  const none = { tensors: null, tensorBytes: null, blocksInUse: null, bytesInUse: null, freeBytes: null, memoryBytes: null, maxBytes: null, shared: null };
  const js: BackendMemory = { backend: 'js', ...none };
  if (!rt) return { wasm: null, js };
  const a = rt.heap.allocator.stats();
  const t = rt.heap.tensorStats();
  const m = rt.heap.memory;
  return {
    wasm: {
      backend: 'wasm',
      tensors: t.blocks,
      tensorBytes: t.bytes,
      blocksInUse: a.liveBlocks,
      bytesInUse: a.liveBytes,
      freeBytes: a.freeBytes,
      memoryBytes: m.byteLength,
      maxBytes: m.maxBytes,
      shared: m.shared,
    },
    js,
  };
}

/** The wasm backend's memory limit, its use, and the part tensors hold, when `be` is that backend, else null (no limit but the host's). */
export function memoryLimit(be: Backend): { readonly maxBytes: number; readonly bytesInUse: number; readonly tensorBytes: number } | null {
  const rt = loadedRuntime();
  if (!rt || rt.backend !== be) return null;
  return { maxBytes: rt.heap.memory.maxBytes, bytesInUse: rt.heap.allocator.stats().liveBytes, tensorBytes: rt.heap.tensorStats().bytes };
}
