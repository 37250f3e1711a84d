/**
 * matmul on the wasm kernels, shared with the worker when it pays.
 *
 * A shared GEMM is cut into chunks (assembly/shared.ts): row blocks of C
 * when it has enough rows, else column blocks of whole 16-wide panels. The
 * main thread claims chunks from the front, the worker from the back, until
 * none is left, so the split follows how fast each thread really runs. Rows
 * come first because the worker then computes the bottom rows of W A and
 * of dW = dZ A^T, the same rows whose update step it takes: that half of the
 * weights stays in its core's cache (measured on 2 cores: with column
 * chunks, the main thread's Adam step ran 2.4x slower after a shared GEMM,
 * fetching the worker's columns of dW). Every element of C is computed by
 * the same operations as on one thread, so results are bit-identical.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Kernels } from '../backend.js';
import type { WasmExports } from './exports.js';
import type { ShareGovernor } from './governor.js';
import { settleShared, SHARED_CHUNKS } from './share.js';
import type { Stager } from './staging.js';
import type { ThreadControl } from './threads.js';

/**
 * Below this many multiply-adds a GEMM stays on one thread: moving its
 * operands and result between the cores costs more than half of it saves.
 * Measured on 2 cores (1 vs 2 threads, paired runs): 128K multiply-adds
 * ran 0.8-1.1x as fast on two threads, 256K 1.35x, 512K 1.6x, 2M 1.9x.
 */
export const PARALLEL_MIN_MACS = 192 * 1024;

const PANEL = 16;
/** Row chunks need at least this many rows of C (8 per chunk); fewer go by columns. */
const ROW_SPLIT_MIN_ROWS = 32;
/** Column chunks per task: enough for the faster thread to take more, few enough that each is a few panels. */
const MAX_COLUMN_CHUNKS = 8;

interface Chunking {
  byColumns: 0 | 1;
  chunk: number;
  chunks: number;
}

/**
 * Sets `plan` to how an m x n product is cut into chunks; false when it is
 * too narrow and short to share. (One plan object is reused: nothing is
 * allocated per GEMM.)
 */
function chunking(m: number, n: number, plan: Chunking): boolean {
  if (m >= ROW_SPLIT_MIN_ROWS) {
    // Row pairs: chunk boundaries must fall on the micro-kernel's 2-row tiles.
    plan.byColumns = 0;
    plan.chunk = Math.ceil(m / (2 * SHARED_CHUNKS)) * 2;
    plan.chunks = Math.ceil(m / plan.chunk);
    return true;
  }
  const panels = Math.ceil(n / PANEL);
  if (panels < 2) return false;
  const chunks = Math.min(MAX_COLUMN_CHUNKS, Math.max(2, panels >> 1));
  plan.byColumns = 1;
  plan.chunk = Math.ceil(panels / chunks) * PANEL;
  plan.chunks = Math.ceil(n / plan.chunk);
  return true;
}

/** The matmul kernel over the given exports, stager, scratch, threads and sharing governor. */
export function createMatmul(ex: WasmExports, stager: Stager, work: number, threads: ThreadControl, governor: ShareGovernor): Kernels['matmul'] {
  const plan: Chunking = { byColumns: 0, chunk: 0, chunks: 0 };
  return function matmul(a: Tensor, b: Tensor, c: Tensor, transA: boolean, transB: boolean, alpha: number, beta: number): void {
    const m = c.rows;
    const n = c.cols;
    const k = transA ? a.rows : a.cols;
    const tA = transA ? 1 : 0;
    const tB = transB ? 1 : 0;
    const macs = m * n * k;
    const eligible = macs >= PARALLEL_MIN_MACS && ex.gemmSplittable(m, n, tA, tB) !== 0 && chunking(m, n, plan);
    const available = eligible ? threads.current() : null;
    const worker = available !== null && governor.shouldShare(macs) ? available : null;
    try {
      const pa = stager.input(a);
      const pb = stager.input(b);
      const pc = stager.output(c, beta !== 0);
      if (!worker) {
        ex.gemm(pa, pb, pc, m, n, k, tA, tB, alpha, beta, work);
        return;
      }
      const task = worker.postGemm(plan.chunks, pa, pb, pc, m, n, k, tA, tB, alpha, beta, plan.byColumns, plan.chunk, worker.work);
      const start = performance.now();
      let mine = -1;
      try {
        mine = ex.gemmShared(pa, pb, pc, m, n, k, tA, tB, alpha, beta, plan.byColumns, plan.chunk, work, worker.claimAddress, task, 0);
      } finally {
        settleShared(worker, governor, plan.chunks, mine, start);
      }
    } finally {
      stager.finish();
    }
  };
}
