/**
 * The kernels of convolutional layers (implicit-GEMM convolutions, pooling,
 * the activation's backward pass) on one thread or shared with the worker,
 * through the module's layerRange / layerShared (assembly/shared.ts).
 *
 * A kernel's outputs are cut into chunks that no value depends on: pixels
 * in whole tiles, tiles of window elements, examples, or runs of values. The
 * main thread claims chunks from the front and the worker from the back;
 * either computes a chunk the same way, so results are bit-identical to one
 * thread.
 */
import type { WindowGeometry } from '../backend.js';
import type { WasmExports } from './exports.js';
import type { ShareGovernor } from './governor.js';
import type { WasmHeap } from './heap.js';
import { KeptBlock } from './kept-block.js';
import { settleShared, SHARED_CHUNKS } from './share.js';
import type { ThreadControl } from './threads.js';

/** Kernel kinds of layerRange (the constants of assembly/shared.ts). */
export const LAYER_KERNELS = {
  convForward: 0,
  convFilterGradient: 1,
  convInputGradient: 2,
  maxPoolForward: 3,
  maxPoolBackward: 4,
  avgPoolForward: 5,
  avgPoolBackward: 6,
  activationBackward: 7,
  convFilterGradientParts: 8,
} as const;
export type LayerKernel = (typeof LAYER_KERNELS)[keyof typeof LAYER_KERNELS];

/**
 * Below this many values read, pooling and activation backward stay on one thread: moving the
 * operands between cores costs about what half of the pass saves (a second convolution's
 * 64 x 8 x 8 x 16 = 65,536 values, about 20 us, is the smallest that gains).
 */
export const LAYER_PARALLEL_MIN_VALUES = 64 * 1024;

export class LayerTasks {
  private readonly tiles: KeptBlock;

  constructor(
    private readonly ex: WasmExports,
    heap: WasmHeap,
    private readonly threads: ThreadControl,
    private readonly governor: ShareGovernor,
  ) {
    this.tiles = new KeptBlock(heap);
  }

  /** The number of chunks a task over `total` units is cut into, `align` units each at least. */
  static chunk(total: number, align = 1): number {
    return Math.ceil(total / (align * SHARED_CHUNKS)) * align;
  }

  /**
   * Runs kernel `kind` (s0..s5 its pointers, see assembly/shared.ts) over [0, total) in chunks of
   * `chunk` units, on one thread or shared when `work` (multiply-adds or values) reaches
   * `minWork`. g is the window geometry with the edges of X replaced by `h` and `w` (a padded X);
   * `tileBytes` is the scratch one thread's kernel needs.
   */
  run(
    kind: LayerKernel, s0: number, s1: number, s2: number, s3: number, s4: number, s5: number, g: WindowGeometry, h: number, w: number, n: number,
    act: number, scalar: number, total: number, chunk: number, tileBytes: number, work: number, minWork: number,
  ): void {
    const bytes = Math.ceil(tileBytes / 64) * 64;
    const tile = bytes === 0 ? 0 : this.tiles.at(2 * bytes);
    const available = work >= minWork && total > chunk ? this.threads.current() : null;
    const worker = available !== null && this.governor.shouldShare(work) ? available : null;
    const ex = this.ex;
    if (!worker) {
      ex.layerRange(kind, s0, s1, s2, s3, s4, s5, g.m, h, w, g.c, g.f, g.stride, g.outH, g.outW, n, act, scalar, 0, total, tile);
      return;
    }
    const chunks = Math.ceil(total / chunk);
    const task = worker.postLayer(chunks, kind, s0, s1, s2, s3, s4, s5, g.m, h, w, g.c, g.f, g.stride, g.outH, g.outW, n, act, scalar, total, chunk, tile + bytes);
    const start = performance.now();
    let mine = -1;
    try {
      mine = ex.layerShared(kind, s0, s1, s2, s3, s4, s5, g.m, h, w, g.c, g.f, g.stride, g.outH, g.outW, n, act, scalar, total, chunk, tile, worker.claimAddress, task, 0);
    } finally {
      settleShared(worker, this.governor, chunks, mine, start);
    }
  }

  /**
   * A pooling kernel over examples: s0 its first input, s1 its second (X for max backward), out its
   * output; `relu` 1 folds ReLU's derivative into max backward.
   */
  pool(kind: LayerKernel, s0: number, s1: number, out: number, g: WindowGeometry, relu = 0): void {
    const values = g.m * g.h * g.w * g.c;
    this.run(kind, s0, s1, 0, 0, out, 0, g, g.h, g.w, g.c, relu, 0, g.m, LayerTasks.chunk(g.m), 0, values, LAYER_PARALLEL_MIN_VALUES);
  }
}
