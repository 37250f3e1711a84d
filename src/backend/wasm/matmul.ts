/**
 * matmul on the wasm kernels, split between two threads when it pays.
 *
 * The split is by columns of C (multiples of 16, the kernel's panel width)
 * when C is wide enough, else by rows (multiples of 2): columns duplicate no
 * packing work, since each thread packs only its own panels of B. Either way
 * every element is computed by the same operations as on one thread, so
 * results are bit-identical.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Kernels } from '../backend.js';
import type { WasmExports } from './exports.js';
import type { Stager } from './staging.js';
import type { ThreadControl } from './threads.js';

/**
 * Below this many multiply-adds a GEMM stays on one thread: the hand-off
 * (about 1-2 us while the worker spins) would eat the gain. Measured with
 * bench/gemm.ts: 2 threads win from about 48^3.
 */
export const PARALLEL_MIN_MACS = 96 * 1024;

const PANEL = 16;

/** [i0, i1, j0, j1] of the worker's share, or null when the work cannot be split. */
function workerShare(m: number, n: number): readonly [number, number, number, number] | null {
  if (n >= 2 * PANEL) {
    const j = Math.round(n / (2 * PANEL)) * PANEL;
    return [0, m, j, n];
  }
  if (m >= 4) {
    const i = Math.round(m / 4) * 2;
    return [i, m, 0, n];
  }
  return null;
}

/** The matmul kernel over the given exports, stager, scratch and threads. */
export function createMatmul(ex: WasmExports, stager: Stager, work: number, threads: ThreadControl): Kernels['matmul'] {
  return function matmul(a: Tensor, b: Tensor, c: Tensor, transA: boolean, transB: boolean, alpha: number, beta: number): void {
    const m = c.rows;
    const n = c.cols;
    const k = transA ? a.rows : a.cols;
    const tA = transA ? 1 : 0;
    const tB = transB ? 1 : 0;
    const worker = m * n * k >= PARALLEL_MIN_MACS && ex.gemmSplittable(m, n, tA, tB) !== 0 ? threads.current() : null;
    try {
      const pa = stager.input(a);
      const pb = stager.input(b);
      const pc = stager.output(c, beta !== 0);
      const share = worker ? workerShare(m, n) : null;
      if (!worker || !share) {
        ex.gemm(pa, pb, pc, m, n, k, tA, tB, alpha, beta, work);
        return;
      }
      const [i0, i1, j0, j1] = share;
      worker.post([pa, pb, pc, m, n, k, tA, tB, alpha, beta, i0, i1, j0, j1, worker.work]);
      const start = performance.now();
      try {
        // Our share is the complement: the columns left of the worker's, or the rows above them.
        if (j0 > 0) ex.gemmRange(pa, pb, pc, m, n, k, tA, tB, alpha, beta, 0, m, 0, j0, work);
        else ex.gemmRange(pa, pb, pc, m, n, k, tA, tB, alpha, beta, 0, i0, 0, n, work);
      } finally {
        // Even when our share threw, the worker must be done with C before anyone reuses it.
        worker.join(performance.now() - start);
      }
    } finally {
      stager.finish();
    }
  };
}
