/**
 * One loaded instance of the kernels with everything around it: memory,
 * heap, threads, and the Backend object. There is one per process (the
 * backend is a singleton: tensors from `zeros` live in its memory).
 */
import type { DType, Tensor } from '../../tensor/tensor.js';
import type { Backend } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { EXPORT_NAMES, type WasmExports } from './exports.js';
import { ShareGovernor } from './governor.js';
import { WasmHeap } from './heap.js';
import { createKernels } from './kernels.js';
import type { WasmMemory } from './memory.js';
import { Stager } from './staging.js';
import { ThreadControl } from './threads.js';

export interface WasmRuntime {
  readonly exports: WasmExports;
  readonly heap: WasmHeap;
  readonly threads: ThreadControl;
  readonly governor: ShareGovernor;
  readonly backend: Backend;
}

/** The imports the module needs: the memory, and abort (never called: built with --noAssert, but declared). */
export function moduleImports(memory: WasmMemory): WebAssembly.Imports {
  return {
    env: {
      memory: memory.memory,
      abort: () => {
        throw new Error('wasm backend: abort');
      },
    },
  };
}

function checkExports(exports: WebAssembly.Exports): WasmExports {
  for (const name of EXPORT_NAMES) {
    if (typeof exports[name] !== 'function') throw new Error(`wasm backend: the module lacks the export ${name}`);
  }
  return exports as unknown as WasmExports;
}

/** Builds the runtime around an instance of `module` on `memory`. */
export function assembleRuntime(module: WebAssembly.Module, instance: WebAssembly.Instance, memory: WasmMemory): WasmRuntime {
  const ex = checkExports(instance.exports);
  const heap = new WasmHeap(memory, ex.heapBase(), (ptr, bytes) => ex.fill(ptr, bytes / 4, 0));
  const workBytes = ex.gemmWorkBytes();
  const work = heap.allocator.alloc(workBytes);
  const stager = new Stager(heap);
  const threads = new ThreadControl(heap, module, workBytes, ex.postClaim);
  const governor = new ShareGovernor();
  const backend: Backend = {
    name: 'wasm',
    dtypes: ['float32'],
    zeros(shape: readonly number[], dtype: DType): Tensor {
      // float64 (gradient checks) stays on the JS heap: the kernels are float32 only.
      return dtype === 'float32' ? heap.zeros(shape) : jsBackend.zeros(shape, dtype);
    },
    ...createKernels(ex, stager, heap, work, threads, governor),
  };
  return { exports: ex, heap, threads, governor, backend };
}
