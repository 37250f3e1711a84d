/**
 * What every kernel shared with the worker does after running its own
 * chunks: join the worker if it took any, and tell the governor how the
 * split went.
 */
import type { ShareGovernor } from './governor.js';
import type { KernelWorker } from './kernel-worker.js';

/**
 * Call in a `finally` after our own chunks of task `chunks`-chunks long,
 * started at `start` (performance.now()). `mine` is how many chunks we ran,
 * or -1 when our part threw: the worker may still be writing the output,
 * so we wait for it either way before anyone reuses that memory.
 */
export function settleShared(worker: KernelWorker, governor: ShareGovernor, chunks: number, mine: number, start: number): void {
  const ownMs = performance.now() - start;
  if (mine < chunks) worker.join(ownMs);
  if (mine >= 0) governor.record(ownMs, mine, performance.now() - start - ownMs, chunks - mine);
}

/**
 * Chunks a shared task is cut into when it goes by rows or runs of
 * parameters: the main thread claims from the front and the worker from the
 * back, so with even speeds each takes the same half every step; four
 * rather than two let a slower thread take less.
 */
export const SHARED_CHUNKS = 4;
