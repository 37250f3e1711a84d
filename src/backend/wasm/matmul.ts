/**
 * matmul on the wasm kernels, shared with the GEMM worker when it pays.
 *
 * A shared GEMM is cut into chunks (assembly/shared.ts): column blocks of
 * whole 16-wide panels when C is wide enough, else two row blocks. Both
 * threads claim chunks until none is left, so the split follows how fast
 * each thread really runs. Column chunks duplicate no work (each packs only
 * its own panels of B); every element is computed by the same operations as
 * on one thread, so results are bit-identical.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Kernels } from '../backend.js';
import type { WasmExports } from './exports.js';
import type { ShareGovernor } from './governor.js';
import type { Stager } from './staging.js';
import type { ThreadControl } from './threads.js';

/**
 * Below this many multiply-adds a GEMM stays on one thread: handing half of
 * it over (about 1-2 us while the worker spins) would cost more than it saves.
 */
export const PARALLEL_MIN_MACS = 96 * 1024;

const PANEL = 16;
/** Column chunks per task: enough for the faster thread to take more, few enough that each is a few panels. */
const MAX_COLUMN_CHUNKS = 8;

interface Chunking {
  readonly byColumns: 0 | 1;
  readonly chunk: number;
  readonly chunks: number;
}

/** How to cut an m x n product into chunks, or null when it is too narrow and short to share. */
function chunking(m: number, n: number): Chunking | null {
  const panels = Math.ceil(n / PANEL);
  if (panels >= 2) {
    const chunks = Math.min(MAX_COLUMN_CHUNKS, Math.max(2, panels >> 1));
    const chunk = Math.ceil(panels / chunks) * PANEL;
    return { byColumns: 1, chunk, chunks: Math.ceil(n / chunk) };
  }
  if (m < 4) return null;
  // Row chunks each pack all of B, so only two: one per thread.
  const chunk = Math.ceil(m / 4) * 2;
  return { byColumns: 0, chunk, chunks: Math.ceil(m / chunk) };
}

/** The matmul kernel over the given exports, stager, scratch, threads and sharing governor. */
export function createMatmul(ex: WasmExports, stager: Stager, work: number, threads: ThreadControl, governor: ShareGovernor): Kernels['matmul'] {
  return function matmul(a: Tensor, b: Tensor, c: Tensor, transA: boolean, transB: boolean, alpha: number, beta: number): void {
    const m = c.rows;
    const n = c.cols;
    const k = transA ? a.rows : a.cols;
    const tA = transA ? 1 : 0;
    const tB = transB ? 1 : 0;
    const eligible = m * n * k >= PARALLEL_MIN_MACS && ex.gemmSplittable(m, n, tA, tB) !== 0;
    const worker = eligible && governor.shouldShare() ? threads.current() : null;
    try {
      const pa = stager.input(a);
      const pb = stager.input(b);
      const pc = stager.output(c, beta !== 0);
      const plan = worker ? chunking(m, n) : null;
      if (!worker || !plan) {
        ex.gemm(pa, pb, pc, m, n, k, tA, tB, alpha, beta, work);
        return;
      }
      const task = worker.post([pa, pb, pc, m, n, k, tA, tB, alpha, beta, plan.byColumns, plan.chunk, worker.work]);
      const start = performance.now();
      let mine = 0;
      let ownMs = 0;
      try {
        mine = ex.gemmShared(pa, pb, pc, m, n, k, tA, tB, alpha, beta, plan.byColumns, plan.chunk, work, worker.claimAddress, task);
        ownMs = performance.now() - start;
      } finally {
        // The worker must be done with C before anyone reuses it, even when our part threw.
        if (mine < plan.chunks) worker.join(performance.now() - start);
      }
      governor.record(ownMs, mine, performance.now() - start - ownMs, plan.chunks - mine);
    } finally {
      stager.finish();
    }
  };
}
