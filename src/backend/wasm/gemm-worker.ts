/**
 * The main thread's side of the GEMM worker: post a task into the shared
 * control block, claim chunks of it ourselves, then join if the worker took
 * any.
 *
 * Joining spins on DONE first (a blocking round trip costs 40-60 us, more
 * than a typical half), then blocks in Atomics.wait with a timeout, so that
 * a worker that died mid-task turns into a thrown Error instead of a hang.
 */
import { WORKER_CODE } from './generated/worker-code.js';
import type { WasmHeap } from './heap.js';
import {
  ARGS_BYTE_OFFSET, CLAIM, claimWord, CONTROL_BYTES, DONE, MAIN_SLEEPS, MAX_ARGS, MESSAGE_BYTE_OFFSET, MESSAGE_LENGTH, SEQ, SPIN_ITERATIONS,
  STATUS, WORKER_SLEEPS,
} from './protocol.js';
import { spawnWorker, type WorkerHandle } from './spawn.js';

/** A task the worker has not finished after this long (and 100 times our own half's time) means it is gone. */
const JOIN_TIMEOUT_MS = 10_000;
/** Blocking waits are cut into slices this long, to check the deadline. */
const WAIT_SLICE_MS = 50;

export class GemmWorker {
  private seq = 0;
  private handle: WorkerHandle | null = null;
  /** Why the worker can no longer run tasks; set by host events or a join timeout. */
  private failure: string | null = null;
  // Views over shared memory never detach, so they are made once.
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;

  private constructor(
    private readonly heap: WasmHeap,
    private readonly control: number,
    /** The worker's own GEMM scratch (packed B panels). */
    readonly work: number,
  ) {
    const buffer = heap.memory.memory.buffer;
    this.ctl = new Int32Array(buffer, control, ARGS_BYTE_OFFSET / 4);
    this.args = new Float64Array(buffer, control + ARGS_BYTE_OFFSET, MAX_ARGS);
  }

  /**
   * Starts a worker on the heap's memory and waits until it listens.
   *
   * @param workBytes scratch the worker's gemmRange calls need
   */
  static async start(heap: WasmHeap, module: WebAssembly.Module, workBytes: number): Promise<GemmWorker> {
    const control = heap.allocator.alloc(CONTROL_BYTES);
    new Uint8Array(heap.memory.memory.buffer, control, CONTROL_BYTES).fill(0);
    if (!heap.memory.shared) throw new Error('GemmWorker needs a shared memory');
    const worker = new GemmWorker(heap, control, heap.allocator.alloc(workBytes));
    let ready!: () => void;
    let failed!: (e: Error) => void;
    const listening = new Promise<void>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    worker.handle = await spawnWorker(WORKER_CODE, { memory: heap.memory.memory, module, control }, {
      message: () => ready(),
      exit: (reason) => {
        worker.failure ??= reason;
        failed(new Error(reason));
      },
    });
    await listening;
    return worker;
  }

  /** Tasks posted so far; also the number of the last one (tests check that a GEMM really was shared). */
  get tasks(): number {
    return this.seq;
  }

  /** Byte address of the chunk-claim word, for gemmShared. */
  get claimAddress(): number {
    return this.control + CLAIM * 4;
  }

  /** Why the worker stopped, or null while it can take tasks. */
  get failed(): string | null {
    return this.failure;
  }

  /** Hands a task (gemmShared's first arguments) to the worker, which starts at once; returns the task number. */
  post(args: readonly number[]): number {
    this.args.set(args);
    const ctl = this.ctl;
    this.seq++;
    // The atomic stores publish the plain argument writes above; the claim
    // word is ready before the worker can see the new SEQ.
    Atomics.store(ctl, CLAIM, claimWord(this.seq));
    Atomics.store(ctl, SEQ, this.seq);
    if (Atomics.load(ctl, WORKER_SLEEPS) !== 0) Atomics.notify(ctl, SEQ, 1);
    return this.seq;
  }

  /**
   * Waits for the posted task. Throws when it failed in the worker (the
   * worker stays usable), or when the worker did not finish in time (it is
   * then stopped for good).
   *
   * @param ownMs how long our own half took: a slow machine stretches the deadline
   */
  join(ownMs: number): void {
    const ctl = this.ctl;
    const target = this.seq;
    for (let i = 0; i < SPIN_ITERATIONS; i++) {
      if (Atomics.load(ctl, DONE) === target) return this.collect(ctl);
    }
    const limit = Math.max(JOIN_TIMEOUT_MS, 100 * ownMs);
    const deadline = performance.now() + limit;
    for (;;) {
      // DONE may lag several tasks behind (tasks the worker took no chunk of).
      const done = Atomics.load(ctl, DONE);
      if (done === target) break;
      if (performance.now() > deadline) {
        const reason = `the wasm GEMM worker did not finish its share within ${Math.round(limit)} ms; it was stopped`;
        this.failure ??= reason;
        void this.terminate();
        throw new Error(`wasm backend: ${reason}; later kernels run on one thread`);
      }
      Atomics.store(ctl, MAIN_SLEEPS, 1);
      // Compare-and-wait: a DONE stored before this call returns at once.
      Atomics.wait(ctl, DONE, done, WAIT_SLICE_MS);
      Atomics.store(ctl, MAIN_SLEEPS, 0);
    }
    this.collect(ctl);
  }

  /** Stops the worker (tests use it to simulate a crash). */
  async terminate(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    this.failure ??= 'the wasm GEMM worker was terminated';
    await handle?.terminate();
  }

  private collect(ctl: Int32Array): void {
    if (Atomics.load(ctl, STATUS) === 0) return;
    const length = Atomics.load(ctl, MESSAGE_LENGTH);
    // TextDecoder refuses views of shared memory in some hosts: decode a copy.
    const bytes = new Uint8Array(this.heap.memory.memory.buffer, this.control + MESSAGE_BYTE_OFFSET, length).slice();
    Atomics.store(ctl, STATUS, 0);
    throw new Error(`wasm backend: the GEMM worker's share failed: ${new TextDecoder().decode(bytes)}`);
  }
}
