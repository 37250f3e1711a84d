/**
 * How many threads the large kernels (GEMM, parameter updates) run on, and the worker
 * behind the second one.
 * Starting the worker is asynchronous; until it listens, kernels simply run
 * on one thread. A worker that dies is reported once, as an Error from the
 * next kernel call, and the backend carries on single-threaded.
 */
import { KernelWorker } from './kernel-worker.js';
import type { WasmHeap } from './heap.js';
import { threadsUnavailableReason } from './spawn.js';

/** 1 or 2: the thread counts the backend supports (the machines it targets have two cores). */
export type ThreadCount = 1 | 2;

export class ThreadControl {
  private wanted: ThreadCount = 1;
  private worker: KernelWorker | null = null;
  private starting: Promise<void> | null = null;
  private explained = false;

  constructor(
    private readonly heap: WasmHeap,
    private readonly module: WebAssembly.Module,
    private readonly workBytes: number,
    private readonly postClaim: (claim: number, task: number, chunks: number) => void,
  ) {}

  /** The thread count asked for. */
  get requested(): ThreadCount {
    return this.wanted;
  }

  /** The threads shared kernels use right now: 2 only once the worker listens. */
  get active(): ThreadCount {
    return this.wanted === 2 && this.worker !== null && this.worker.failed === null ? 2 : 1;
  }

  /**
   * Asks for `n` threads; resolves once they are running (or once it is
   * clear this host cannot: then one thread, with one console line saying why).
   */
  async set(n: ThreadCount): Promise<void> {
    this.wanted = n;
    if (n === 2) await this.start();
  }

  /**
   * The worker to share the next kernel with, or null for one thread. Throws
   * (once) when the worker has died since the last call.
   */
  current(): KernelWorker | null {
    const w = this.worker;
    if (this.wanted !== 2 || w === null) return null;
    if (w.failed !== null) {
      this.worker = null;
      throw new Error(`wasm backend: ${w.failed}; later kernels run on one thread`);
    }
    return w;
  }

  /** The worker, for test hooks. */
  get kernelWorker(): KernelWorker | null {
    return this.worker;
  }

  private start(): Promise<void> {
    if (this.worker !== null && this.worker.failed === null) return Promise.resolve();
    if (this.starting) return this.starting;
    const reason = threadsUnavailableReason();
    if (reason !== null) {
      this.explain(reason);
      return Promise.resolve();
    }
    this.starting = KernelWorker.start(this.heap, this.module, this.workBytes, this.postClaim)
      .then((w) => {
        this.worker = w;
      })
      .catch((e: unknown) => this.explain(e instanceof Error ? e.message : String(e)))
      .finally(() => {
        this.starting = null;
      });
    return this.starting;
  }

  private explain(reason: string): void {
    if (this.explained) return;
    this.explained = true;
    console.info(`layerwise: the wasm backend runs on one thread: ${reason}`);
  }
}
