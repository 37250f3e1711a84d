/**
 * The main thread's side of the kernel worker: post a task (a GEMM, a
 * parameter update or a kernel of convolutional layers) into the shared control block, claim chunks of it ourselves,
 * then join if the worker took any.
 *
 * Joining spins on DONE first (a blocking round trip costs 40-60 us, more
 * than a typical half), then blocks in Atomics.wait with a timeout, so that
 * a worker that died mid-task turns into a thrown Error instead of a hang.
 */
import { WORKER_CODE } from './generated/worker-code.js';
import type { WasmHeap } from './heap.js';
import {
  ARGS_BYTE_OFFSET, CLAIM, CONTROL_BYTES, DONE, MAIN_SLEEPS, MAX_ARGS, MAX_CHUNKS, MESSAGE_BYTE_OFFSET, MESSAGE_LENGTH, SEQ,
  SPIN_ITERATIONS, STATUS, TASK_ARGS, TASK_GEMM, TASK_LAYER, TASK_UPDATE, WORKER_SLEEPS, type TaskKind, type UpdateKind,
} from './protocol.js';
import { spawnWorker, type WorkerHandle } from './spawn.js';

/** A task the worker has not finished after this long (and 100 times our own half's time) means it is gone. */
const JOIN_TIMEOUT_MS = 10_000;
/** Blocking waits are cut into slices this long, to check the deadline. */
const WAIT_SLICE_MS = 50;

export class KernelWorker {
  private seq = 0;
  private handle: WorkerHandle | null = null;
  /** Why the worker can no longer run tasks; set by host events or a join timeout. */
  private failure: string | null = null;
  // Views over shared memory never detach, so they are made once.
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;

  private constructor(
    private readonly heap: WasmHeap,
    /** The module's postClaim export: opens a task's claim word. */
    private readonly postClaim: (claim: number, task: number, chunks: number) => void,
    private readonly control: number,
    /** The worker's own GEMM scratch (packed panels). */
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
  static async start(
    heap: WasmHeap,
    module: WebAssembly.Module,
    workBytes: number,
    postClaim: (claim: number, task: number, chunks: number) => void,
  ): Promise<KernelWorker> {
    if (!heap.memory.shared) throw new Error('KernelWorker needs a shared memory');
    const control = heap.allocator.alloc(CONTROL_BYTES);
    new Uint8Array(heap.memory.memory.buffer, control, CONTROL_BYTES).fill(0);
    const worker = new KernelWorker(heap, postClaim, control, heap.allocator.alloc(workBytes));
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

  /** Tasks posted so far; also the number of the last one (tests check that a kernel really was shared). */
  get tasks(): number {
    return this.seq;
  }

  /** Byte address of the chunk-claim word, for the shared kernels. */
  get claimAddress(): number {
    return this.control + CLAIM * 4;
  }

  /** Why the worker stopped, or null while it can take tasks. */
  get failed(): string | null {
    return this.failure;
  }

  /** Posts a GEMM of `chunks` chunks (gemmShared's arguments before the claim address); returns the task number. */
  postGemm(
    chunks: number, a: number, b: number, c: number, m: number, n: number, k: number, transA: number, transB: number, alpha: number, beta: number,
    byColumns: number, chunk: number, work: number,
  ): number {
    // Slot by slot: an argument array per call would be garbage in every training step.
    const s = this.args;
    s[1] = a; s[2] = b; s[3] = c; s[4] = m; s[5] = n; s[6] = k; s[7] = transA; s[8] = transB; s[9] = alpha; s[10] = beta;
    s[11] = byColumns; s[12] = chunk; s[13] = work;
    return this.publish(TASK_GEMM, chunks);
  }

  /** Posts a parameter update of `chunks` chunks (updateShared's arguments before the claim address); returns the task number. */
  postUpdate(
    chunks: number, kind: UpdateKind, w: number, g: number, s1: number, s2: number, n: number,
    h0: number, h1: number, h2: number, h3: number, h4: number, h5: number, h6: number, h7: number, chunk: number,
  ): number {
    const s = this.args;
    s[1] = kind; s[2] = w; s[3] = g; s[4] = s1; s[5] = s2; s[6] = n;
    s[7] = h0; s[8] = h1; s[9] = h2; s[10] = h3; s[11] = h4; s[12] = h5; s[13] = h6; s[14] = h7; s[15] = chunk;
    return this.publish(TASK_UPDATE, chunks);
  }

  /**
   * Posts a layer kernel of `chunks` chunks (layerShared's arguments before the claim
   * address, `tile` the worker's own scratch); returns the task number.
   */
  postLayer(
    chunks: number, kind: number, s0: number, s1: number, s2: number, s3: number, s4: number, s5: number,
    m: number, h: number, w: number, c: number, f: number, stride: number, outH: number, outW: number, n: number,
    act: number, scalar: number, total: number, chunk: number, tile: number,
  ): number {
    const s = this.args;
    s[1] = kind; s[2] = s0; s[3] = s1; s[4] = s2; s[5] = s3; s[6] = s4; s[7] = s5;
    s[8] = m; s[9] = h; s[10] = w; s[11] = c; s[12] = f; s[13] = stride; s[14] = outH; s[15] = outW; s[16] = n;
    s[17] = act; s[18] = scalar; s[19] = total; s[20] = chunk; s[21] = tile;
    return this.publish(TASK_LAYER, chunks);
  }

  /** Posts a task from raw argument slots (tests use it to make a task fail on purpose). */
  postRaw(kind: TaskKind, chunks: number, args: readonly number[]): number {
    if (args.length !== TASK_ARGS[kind]) throw new Error(`KernelWorker.postRaw: task kind ${kind} takes ${TASK_ARGS[kind]} arguments, got ${args.length}`);
    this.args.set(args, 1);
    return this.publish(kind, chunks);
  }

  /** Makes the task in the argument slots visible to the worker, which starts at once. */
  private publish(kind: TaskKind, chunks: number): number {
    if (!Number.isInteger(chunks) || chunks < 1 || chunks > MAX_CHUNKS) throw new Error(`KernelWorker: chunks: expected an integer in [1, ${MAX_CHUNKS}], got ${chunks}`);
    this.args[0] = kind;
    const ctl = this.ctl;
    this.seq++;
    // The atomic stores publish the plain argument writes above; the claim
    // word is ready before the worker can see the new SEQ. The worker reads
    // SEQ as an Int32: the task number the claim word holds is the same
    // 32 bits (`| 0`).
    this.postClaim(this.claimAddress, this.seq | 0, chunks);
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
        const reason = `the wasm kernel worker did not finish its share within ${Math.round(limit)} ms; it was stopped`;
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
    this.failure ??= 'the wasm kernel worker was terminated';
    await handle?.terminate();
  }

  private collect(ctl: Int32Array): void {
    if (Atomics.load(ctl, STATUS) === 0) return;
    const length = Atomics.load(ctl, MESSAGE_LENGTH);
    // TextDecoder refuses views of shared memory in some hosts: decode a copy.
    const bytes = new Uint8Array(this.heap.memory.memory.buffer, this.control + MESSAGE_BYTE_OFFSET, length).slice();
    Atomics.store(ctl, STATUS, 0);
    throw new Error(`wasm backend: the kernel worker's share failed: ${new TextDecoder().decode(bytes)}`);
  }
}
