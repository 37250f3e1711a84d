/**
 * The control block that the main thread and the GEMM worker share in wasm
 * memory: a few Int32 words for signalling, then Float64 task arguments.
 * Both sides import these offsets; the worker gets them bundled in at build
 * time (scripts/build-wasm.ts), so they cannot drift apart.
 */

/** Int32 index: the main thread increments it to post a task. */
export const SEQ = 0;
/** Int32 index: the worker stores the SEQ it has finished. */
export const DONE = 1;
/** Int32 index: non-zero when the last task threw in the worker. */
export const STATUS = 2;
/** Int32 index: 1 once the worker has instantiated the module and listens. */
export const READY = 3;
/** Int32 index: 1 asks the worker to leave its loop. */
export const STOP = 4;
/** Int32 index: 1 while the worker blocks in Atomics.wait on SEQ (so posting must notify). */
export const WORKER_SLEEPS = 5;
/** Int32 index: 1 while the main thread blocks in Atomics.wait on DONE. */
export const MAIN_SLEEPS = 6;
/** Int32 index: length in bytes of the UTF-8 error message of a failed task. */
export const MESSAGE_LENGTH = 7;
/**
 * Int32 index: the chunk-claim word of assembly/shared.ts, (task << 8) | next
 * chunk. Both threads claim chunks of the posted GEMM through it.
 */
export const CLAIM = 8;

/** The claim word of a newly posted task: the same i32 shift as claimWord() in assembly/shared.ts. */
export function claimWord(task: number): number {
  return task << 8;
}

/** Byte offset of the Float64 argument slots inside the block. */
export const ARGS_BYTE_OFFSET = 64;
/**
 * Number of Float64 argument slots: gemmShared's arguments before `claim`
 * and `task` (a, b, c, m, n, k, transA, transB, alpha, beta, byColumns,
 * chunk, work), which the worker appends itself.
 */
export const MAX_ARGS = 16;
/** Byte offset of the error message of a failed task, readable without waiting for a postMessage. */
export const MESSAGE_BYTE_OFFSET = ARGS_BYTE_OFFSET + MAX_ARGS * 8;
/** Room for the error message. */
export const MESSAGE_BYTES = 256;
/** Bytes the control block occupies. */
export const CONTROL_BYTES = MESSAGE_BYTE_OFFSET + MESSAGE_BYTES;

/**
 * Spin iterations (one Atomics.load each, about 1-2 ns) before blocking.
 * A blocking wait costs 40-60 us per round trip on this class of machine,
 * far more than a typical GEMM half; spinning ~50 us first catches the
 * common case of back-to-back kernels.
 */
export const SPIN_ITERATIONS = 40_000;

/** What the main thread hands the worker when starting it. */
export interface WorkerStart {
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  /** Byte address of the control block in memory. */
  readonly control: number;
}

/** How many of the argument slots a task uses. */
export const TASK_ARGS = 13;

/** What the worker reports back through postMessage: only that it is listening. */
export type WorkerMessage = { readonly kind: 'ready' };
