/**
 * The CLI trains on the fastest backend the host has: WebAssembly SIMD on two
 * threads, else the reference TypeScript kernels (said in one line).
 */
import { getBackend } from '../backend/registry.js';
import { initWasmBackend, wasmThreads } from '../backend/wasm/index.js';
import type { Io } from './commands/train.js';

/** Loads the wasm backend (2 threads) where possible; notes the backend unless quiet. */
export async function useFastestBackend(io: Io, quiet: boolean): Promise<void> {
  if (process.env.LAYERWISE_BACKEND === 'js') return;
  try {
    await initWasmBackend({ threads: 2 });
  } catch (e) {
    io.err(`layerwise: the WebAssembly backend did not load (${e instanceof Error ? e.message : String(e)}); using the JavaScript backend`);
    return;
  }
  if (!quiet && getBackend().name === 'wasm') io.err(`backend: wasm SIMD, ${wasmThreads()} thread(s)`);
}
