/**
 * The control block that the main thread and the kernel worker share in wasm
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
 * Int32 index of the chunk-claim word of assembly/shared.ts (64 bits: this
 * slot and the next; 8-byte aligned, as 64-bit atomics need). Both threads
 * claim chunks of the posted task through it; only wasm code touches it.
 */
export const CLAIM = 8;

/** The most chunks one task may have (MAX_CHUNKS in assembly/shared.ts). */
export const MAX_CHUNKS = 127;

/** What a task runs: its kind goes in the first argument slot, the kernel's arguments after it. */
export const TASK_GEMM = 0;
export const TASK_UPDATE = 1;
export const TASK_LAYER = 2;
export type TaskKind = typeof TASK_GEMM | typeof TASK_UPDATE | typeof TASK_LAYER;

/** The parameter updates of an update task (the kinds of update() in assembly/shared.ts). */
export const UPDATE_KINDS = { axpy: 0, momentum: 1, rmsprop: 2, adam: 3 } as const;
export type UpdateKind = (typeof UPDATE_KINDS)[keyof typeof UPDATE_KINDS];

/**
 * How many argument slots after the kind each task uses: gemmShared's
 * arguments before `claim` (a, b, c, m, n, k, transA, transB, alpha, beta,
 * byColumns, chunk, work), updateShared's (kind, w, g, s1, s2, n, eight
 * scalars, chunk), and layerShared's (kind, six pointers, nine geometry
 * numbers, act, scalar, total, chunk, tile). The worker appends the claim
 * address, the task number and "from the back" itself.
 */
export const TASK_ARGS: { readonly [K in TaskKind]: number } = { [TASK_GEMM]: 13, [TASK_UPDATE]: 15, [TASK_LAYER]: 21 };

/** Byte offset of the Float64 argument slots inside the block. */
export const ARGS_BYTE_OFFSET = 64;
/** Number of Float64 argument slots: the kind and the longest task's arguments. */
export const MAX_ARGS = 22;
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

/** What the worker reports back through postMessage: only that it is listening. */
export type WorkerMessage = { readonly kind: 'ready' };
