// GEMM shared between threads by claiming chunks. C is cut into chunks of
// whole panels (columns) or row pairs (rows); each thread claims the next
// unclaimed chunk with a compare-exchange on one shared word until none is
// left. A thread that is descheduled or slow to wake simply claims fewer (or
// no) chunks, so two threads are never much slower than one, and the split
// adapts to whatever else the machine runs. A chunk's values do not depend
// on which thread computes it, so results stay bit-identical.
import { gemmRange } from './gemm';

/** The claim word: task number (24 bits) above the next chunk index (8 bits). */
const CHUNK_BITS = 8;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;
/** The most chunks one task may have (the chunk index field's range). */
export const MAX_CHUNKS = CHUNK_MASK;

/** The claim word's value when task `task` is posted and nothing is claimed yet. */
export function claimWord(task: i32): i32 {
  return task << CHUNK_BITS;
}

/**
 * Runs chunks of task `task` until none is left; returns how many this call
 * ran. Chunk i covers columns (or rows, when byColumns is 0) [i * chunk,
 * min(total, (i + 1) * chunk)). A claim word holding another task number
 * means this task is over: nothing is claimed, so a late thread cannot take
 * a chunk of the next task with this task's arguments.
 */
export function gemmShared(
  a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, transA: i32, transB: i32, alpha: f32, beta: f32,
  byColumns: i32, chunk: i32, work: usize, claim: usize, task: i32,
): i32 {
  const total = byColumns ? n : m;
  const chunks = (total + chunk - 1) / chunk;
  const tag = claimWord(task) >>> CHUNK_BITS;
  let ran = 0;
  while (true) {
    const w = atomic.load<i32>(claim);
    if (w >>> CHUNK_BITS != tag || (w & CHUNK_MASK) >= chunks) break;
    if (atomic.cmpxchg<i32>(claim, w, w + 1) != w) continue;
    const lo = (w & CHUNK_MASK) * chunk;
    const hi = min(total, lo + chunk);
    if (byColumns) gemmRange(a, b, c, m, n, k, transA, transB, alpha, beta, 0, m, lo, hi, work);
    else gemmRange(a, b, c, m, n, k, transA, transB, alpha, beta, lo, hi, 0, n, work);
    ran++;
  }
  return ran;
}
