// Kernels shared between threads by claiming chunks. The output is cut into
// chunks (column panels or row pairs of C, or runs of parameters); the main
// thread claims chunks from the front and the worker from the back, each
// with a compare-exchange on one shared word, until none is left.
//
// Claiming from opposite ends keeps each thread on the same half of a
// weight matrix from one step to the next (the forward product, the
// gradient product and the optimizer step all split it the same way), so
// each half stays in one core's cache instead of crossing over every step.
// A thread that is descheduled or slow to wake simply claims fewer (or no)
// chunks, so two threads are never much slower than one. A chunk's values
// do not depend on which thread computes it: results are bit-identical.
import { gemmRange, packsWholeB } from './gemm';
import { adamUpdate } from './optimizers';

/**
 * The claim word, 64 bits: the task number (the low 32 bits of the main
 * thread's count, the same value the worker reads from SEQ), then the first
 * and one past the last unclaimed chunk, 7 bits each. A full task number,
 * not a few bits of it, so no stalled worker can ever mistake a much later
 * task for the one whose arguments it read.
 */
const FIELD_BITS: i64 = 7;
const FIELD_MASK: i64 = (1 << FIELD_BITS) - 1;
const TAG_SHIFT: i64 = 2 * FIELD_BITS;
/** The most chunks one task may have. */
export const MAX_CHUNKS = <i32>FIELD_MASK;

/** Opens task `task` with `chunks` chunks, none claimed yet (the main thread calls it before publishing the task). */
export function postClaim(claim: usize, task: i32, chunks: i32): void {
  atomic.store<i64>(claim, (<i64><u32>task << TAG_SHIFT) | <i64>chunks);
}

/**
 * Claims the next chunk of task `task`: the lowest unclaimed one when
 * `fromBack` is 0, else the highest. Returns -1 when none is left, or when
 * the word holds another task (this task is over: a late thread must not
 * take a chunk of the next task with this task's arguments).
 */
export function claimChunk(claim: usize, task: i32, fromBack: i32): i32 {
  const tag = <i64><u32>task;
  while (true) {
    const w = atomic.load<i64>(claim);
    const next = (w >>> FIELD_BITS) & FIELD_MASK;
    const end = w & FIELD_MASK;
    if (w >>> TAG_SHIFT != tag || next >= end) return -1;
    const claimed = fromBack ? w - 1 : w + (<i64>1 << FIELD_BITS);
    if (atomic.cmpxchg<i64>(claim, w, claimed) == w) return <i32>(fromBack ? end - 1 : next);
  }
}

/**
 * Runs chunks of a GEMM until none is left; returns how many this call ran.
 * Chunk i covers columns (or rows, when byColumns is 0) [i * chunk,
 * min(total, (i + 1) * chunk)).
 */
export function gemmShared(
  a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, transA: i32, transB: i32, alpha: f32, beta: f32,
  byColumns: i32, chunk: i32, work: usize, claim: usize, task: i32, fromBack: i32,
): i32 {
  const total = byColumns ? n : m;
  // Row chunks all use every panel of B: when they fit the scratch at once, a thread packs them for its first chunk only.
  const keepB = !byColumns && packsWholeB(n, k);
  let ran = 0;
  for (let i = claimChunk(claim, task, fromBack); i >= 0; i = claimChunk(claim, task, fromBack)) {
    const lo = i * chunk;
    const hi = min(total, lo + chunk);
    if (byColumns) gemmRange(a, b, c, m, n, k, transA, transB, alpha, beta, 0, m, lo, hi, work, 0);
    else gemmRange(a, b, c, m, n, k, transA, transB, alpha, beta, lo, hi, 0, n, work, keepB && ran > 0 ? 1 : 0);
    ran++;
  }
  return ran;
}

/** Runs chunks of an Adam step (`chunk` parameters each, a multiple of 4) until none is left; returns how many this call ran. */
export function adamShared(
  w: usize, g: usize, m: usize, v: usize, n: i32,
  lr: f64, beta1: f64, oneMinusBeta1: f64, beta2: f64, oneMinusBeta2: f64, eps: f64, c1: f64, c2: f64,
  chunk: i32, claim: usize, task: i32, fromBack: i32,
): i32 {
  let ran = 0;
  for (let i = claimChunk(claim, task, fromBack); i >= 0; i = claimChunk(claim, task, fromBack)) {
    const lo = i * chunk;
    const p = <usize>lo << 2;
    adamUpdate(w + p, g + p, m + p, v + p, min(n, lo + chunk) - lo, lr, beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, c1, c2);
    ran++;
  }
  return ran;
}
