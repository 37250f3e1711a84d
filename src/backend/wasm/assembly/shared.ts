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
import { B_PER_BLOCK, B_WHOLE_PACK, B_WHOLE_PACKED, gemmRange, packsWholeB } from './gemm';
import { axpy } from './elementwise';
import { adamUpdate, momentumUpdate, rmspropUpdate } from './optimizers';
import { activationBackward } from './activations';
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward } from './conv';
import { convFilterGradient, convFilterTiles, convForward, convInputGradient } from './implicit';

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
  // Row chunks all use every panel of B: when they fit the scratch side by side, a thread packs them for its first chunk only.
  const keepB = !byColumns && packsWholeB(n, k);
  let ran = 0;
  for (let i = claimChunk(claim, task, fromBack); i >= 0; i = claimChunk(claim, task, fromBack)) {
    const lo = i * chunk;
    const hi = min(total, lo + chunk);
    if (byColumns) gemmRange(a, b, c, m, n, k, transA, transB, alpha, beta, 0, m, lo, hi, work, B_PER_BLOCK);
    else gemmRange(a, b, c, m, n, k, transA, transB, alpha, beta, lo, hi, 0, n, work, !keepB ? B_PER_BLOCK : ran > 0 ? B_WHOLE_PACKED : B_WHOLE_PACK);
    ran++;
  }
  return ran;
}

/** The parameter updates `update` and `updateShared` run (UPDATE_KINDS in ../protocol.ts). */
const UPDATE_AXPY = 0;
const UPDATE_MOMENTUM = 1;
const UPDATE_RMSPROP = 2;
const UPDATE_ADAM = 3;

/**
 * One parameter update over n values: y += h0 x (axpy, x = g, y = w), or a
 * momentum, RMSprop or Adam step with state s1 (and s2 for Adam) and the
 * scalars the kernel takes, in its order (momentumUpdate: lr, beta, 1 -
 * beta; rmspropUpdate: lr, beta2, 1 - beta2, eps; adamUpdate: lr, beta1,
 * 1 - beta1, beta2, 1 - beta2, eps, c1, c2).
 */
export function update(
  kind: i32, w: usize, g: usize, s1: usize, s2: usize, n: i32,
  h0: f64, h1: f64, h2: f64, h3: f64, h4: f64, h5: f64, h6: f64, h7: f64,
): void {
  if (kind == UPDATE_AXPY) axpy(<f32>h0, g, w, n);
  else if (kind == UPDATE_MOMENTUM) momentumUpdate(w, g, s1, n, h0, h1, h2);
  else if (kind == UPDATE_RMSPROP) rmspropUpdate(w, g, s1, n, h0, h1, h2, h3);
  else if (kind == UPDATE_ADAM) adamUpdate(w, g, s1, s2, n, h0, h1, h2, h3, h4, h5, h6, h7);
  else unreachable();
}

/**
 * Runs chunks of an update (`chunk` values each, a multiple of 4, so every
 * value takes the same vector path as on one thread) until none is left;
 * returns how many this call ran.
 */
export function updateShared(
  kind: i32, w: usize, g: usize, s1: usize, s2: usize, n: i32,
  h0: f64, h1: f64, h2: f64, h3: f64, h4: f64, h5: f64, h6: f64, h7: f64,
  chunk: i32, claim: usize, task: i32, fromBack: i32,
): i32 {
  let ran = 0;
  for (let i = claimChunk(claim, task, fromBack); i >= 0; i = claimChunk(claim, task, fromBack)) {
    const lo = i * chunk;
    const p = <usize>lo << 2;
    update(kind, w + p, g + p, s1 + p, s2 + p, min(n, lo + chunk) - lo, h0, h1, h2, h3, h4, h5, h6, h7);
    ran++;
  }
  return ran;
}

// The kernels of convolutional layers behind one entry point, for the TypeScript side and the
// worker: `kind` picks the kernel, s0..s5 are its pointers (and a leading dimension), [lo, hi)
// the range it computes, in the units its outputs split into without changing any value.

/** convForward: s0 = X, s1 = packed W, s3 = b, s4 = Z, s5 = A, scalar = slope; pixels (lo a multiple of 4). */
const CONV_FORWARD = 0;
/** convFilterGradient: s0 = X, s1 = dZ, s4 = dW, scalar = scale; tiles of 4 window elements. */
const CONV_FILTER = 1;
/** convInputGradient: s0 = dZ, s1 = packed W^T, s4 = dX; examples. */
const CONV_INPUT = 2;
/** Pooling: s0 = X (forward) or dOut (backward), s1 = X (max backward), s4 = OUT or dX, act = 1 to fold ReLU's derivative into max backward; examples. */
const MAX_POOL_FORWARD = 3;
const MAX_POOL_BACKWARD = 4;
const AVG_POOL_FORWARD = 5;
const AVG_POOL_BACKWARD = 6;
/** activationBackward (not softmax): s0 = dA, s1 = Z, s2 = A, s4 = dZ, act, scalar = slope; values (lo a multiple of 4). */
const ACTIVATION_BACKWARD = 7;
/**
 * convFilterGradient in parts of the batch: s0 = X, s1 = dZ, s2 = examples per part, s4 = the parts'
 * unscaled sums, K n floats each (summed by sumParts); parts. For products with few tiles of
 * window elements: parts of the batch split evenly, tiles do not.
 */
const CONV_FILTER_PARTS = 8;

/** Runs layer kernel `kind` over [lo, hi); see the constants above. h and w are X's (padded) edges. */
export function layerRange(
  kind: i32, s0: usize, s1: usize, s2: usize, s3: usize, s4: usize, s5: usize, m: i32, h: i32, w: i32, c: i32, f: i32, stride: i32, outH: i32, outW: i32,
  n: i32, act: i32, scalar: f32, lo: i32, hi: i32, tile: usize,
): void {
  if (lo >= hi) return;
  const image = <usize>(h * w * c) << 2;
  const pooled = <usize>(outH * outW * c) << 2;
  const first = <usize>lo;
  switch (kind) {
    case CONV_FORWARD: convForward(s0, s1, s3, s4, s5, m, h, w, c, f, stride, outH, outW, n, act, scalar, lo, hi, tile); break;
    case CONV_FILTER: convFilterGradient(s0, s1, s4, h, w, c, f, stride, outH, outW, n, scalar, lo, hi, 0, m, tile); break;
    case CONV_FILTER_PARTS: {
      const k = f * f * c;
      const tiles = convFilterTiles(k, n);
      const per = <i32>s2;
      for (let part = lo; part < hi; part++) {
        const out = s4 + (<usize>part * <usize>(k * n) << 2);
        convFilterGradient(s0, s1, out, h, w, c, f, stride, outH, outW, n, 1, 0, tiles, part * per, min(m, (part + 1) * per), tile);
      }
      break;
    }
    case CONV_INPUT: convInputGradient(s0, s1, s4, m, h, w, c, f, stride, outH, outW, n, lo, hi, tile); break;
    case MAX_POOL_FORWARD: maxPoolForward(s0 + first * image, s4 + first * pooled, hi - lo, h, w, c, f, stride, outH, outW); break;
    case MAX_POOL_BACKWARD: maxPoolBackward(s0 + first * pooled, s1 + first * image, s4 + first * image, hi - lo, h, w, c, f, stride, outH, outW, act); break;
    case AVG_POOL_FORWARD: avgPoolForward(s0 + first * image, s4 + first * pooled, hi - lo, h, w, c, f, stride, outH, outW); break;
    case AVG_POOL_BACKWARD: avgPoolBackward(s0 + first * pooled, s4 + first * image, hi - lo, h, w, c, f, stride, outH, outW); break;
    case ACTIVATION_BACKWARD: activationBackward(s0 + (first << 2), s1 + (first << 2), s2 + (first << 2), s4 + (first << 2), 1, hi - lo, act, scalar); break;
    default: unreachable();
  }
}

/**
 * Runs chunks of a layer kernel (layerRange's arguments; chunk i covers [i chunk, min(total,
 * (i + 1) chunk))) until none is left; returns how many this call ran.
 */
export function layerShared(
  kind: i32, s0: usize, s1: usize, s2: usize, s3: usize, s4: usize, s5: usize, m: i32, h: i32, w: i32, c: i32, f: i32, stride: i32, outH: i32, outW: i32,
  n: i32, act: i32, scalar: f32, total: i32, chunk: i32, tile: usize, claim: usize, task: i32, fromBack: i32,
): i32 {
  let ran = 0;
  for (let i = claimChunk(claim, task, fromBack); i >= 0; i = claimChunk(claim, task, fromBack)) {
    const lo = i * chunk;
    layerRange(kind, s0, s1, s2, s3, s4, s5, m, h, w, c, f, stride, outH, outW, n, act, scalar, lo, min(total, lo + chunk), tile);
    ran++;
  }
  return ran;
}
