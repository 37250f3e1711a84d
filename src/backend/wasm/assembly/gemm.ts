// GEMM driver: C = alpha * op(A) op(B) + beta * C, row-major, float32.
//
// Blocking follows Goto/BLIS with one change: A is read in place unless it
// is transposed. The 2 x 16 kernel broadcasts A one element at a time, so
// reading rows of A in place costs the same loads as a packed copy
// (measured within 2%), and leaving A alone means threads that split the
// columns of C duplicate no packing work. A^T read in place steps through
// memory m floats at a time, a new cache line every step: packed into row
// pairs it ran 4-11% faster (1 thread, 256^3 to 512^3 and 64..128 x 784 x
// 128), but only when a packed block serves at least PACK_A_MIN_COLS columns
// of C; over 64 or fewer the packing is not repaid (3-25% slower). At m a
// multiple of 1024 every in-place step maps to the same L1 set, so A^T is
// always packed there. B is packed into 16-column panels (KC x 16 floats,
// 16 KiB, stays in L1 while a column of 2-row tiles streams A from L2).
import { edgeTile, kernel2x16, MR, NR } from './microkernel';
import { packATransposed, packColumns, packRows } from './pack';
import { gemmDot } from './dot';

const KC = 256;
const MC = 128;
const NC = 1024;
/** With fewer rows than this, B (when row-major) is read in place: packing it would be used too few times to pay. */
const PACK_MIN_ROWS = 8;
/** A^T is packed when a block of C this wide reuses each packed block (see the top). */
const PACK_A_MIN_COLS = 128;
const A_OFFSET: usize = KC * NC * 4;
const TILE_OFFSET: usize = A_OFFSET + MC * KC * 4;

/** Bytes of scratch one gemm call needs: packed B panels, packed A^T row pairs, then one C tile. */
export function gemmWorkBytes(): i32 {
  return <i32>TILE_OFFSET + MR * NR * 4;
}

/**
 * Whether C = A B^T goes through dot products instead of packed panels.
 * With one column, B and B^T have the same memory, so NN counts as NT.
 */
@inline function usesDot(m: i32, n: i32, transA: bool, transB: bool): bool {
  const aRows = !transA || m == 1;
  const bCols = transB || n == 1;
  return aRows && bCols && n <= 8;
}

/** 1 when gemm takes the panel path, whose columns can be split between threads; 0 for the dot path. */
export function gemmSplittable(m: i32, n: i32, transA: i32, transB: i32): i32 {
  return usesDot(m, n, transA != 0, transB != 0) ? 0 : 1;
}

/** C = alpha * op(A) op(B) + beta * C over the whole matrix, on one thread. */
export function gemm(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, transA: i32, transB: i32, alpha: f32, beta: f32, work: usize): void {
  if (m <= 0 || n <= 0) return;
  if (k > 0 && usesDot(m, n, transA != 0, transB != 0)) {
    gemmDot(a, b, c, m, n, k, alpha, beta, work + TILE_OFFSET);
    return;
  }
  gemmRange(a, b, c, m, n, k, transA, transB, alpha, beta, 0, m, 0, n, work, B_PER_BLOCK);
}

/** C = beta * C on a block (k = 0: there is no product). */
function scaleBlock(c: usize, n: i32, i0: i32, i1: i32, j0: i32, j1: i32, beta: f32): void {
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < j1; j++) {
      const p = c + ((<usize>i * <usize>n + <usize>j) << 2);
      store<f32>(p, beta == 0 ? 0 : beta * load<f32>(p));
    }
  }
}

// How gemmRange lays out packed B in its scratch (its `bLayout` argument).
/** One K block's panels at a time, each block packed over the last. */
export const B_PER_BLOCK = 0;
/** Every K block's panels side by side (only when packsWholeB): pack them all. */
export const B_WHOLE_PACK = 1;
/** The same layout, already packed by an earlier call with the same operands. */
export const B_WHOLE_PACKED = 2;

/**
 * Whether the panels of every K block of op(B) fit the scratch side by side
 * (one column block): then a thread that computes several row blocks of C
 * packs B only for the first (B_WHOLE_PACK, then B_WHOLE_PACKED).
 */
export function packsWholeB(n: i32, k: i32): bool {
  return n <= NC && <i64>k * <i64>panelColumns(n) <= <i64>(KC * NC);
}

/** Columns that `cols` columns of B take once packed: whole 16-wide panels. */
@inline function panelColumns(cols: i32): i32 {
  return (cols + NR - 1) & ~(NR - 1);
}

/**
 * The panel path on rows [i0, i1) and columns [j0, j1) of C, with its own
 * `work` scratch: the unit two threads split. `bLayout` is one of the B_
 * constants above. Split points must be multiples
 * of 2 (rows) or 16 (columns). Every element of C is computed by the same
 * operations in the same order whatever the split (K is blocked from k
 * alone), so one and two threads give bit-identical results.
 */
export function gemmRange(
  a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, transA: i32, transB: i32, alpha: f32, beta: f32, i0: i32, i1: i32, j0: i32, j1: i32, work: usize,
  bLayout: i32,
): void {
  if (i0 >= i1 || j0 >= j1) return;
  if (k <= 0) {
    scaleBlock(c, n, i0, i1, j0, j1, beta);
    return;
  }
  const packA = transA != 0 && ((m & 1023) == 0 || j1 - j0 >= PACK_A_MIN_COLS);
  // Packed A^T row pairs: a pair's two values are adjacent, steps 8 bytes apart.
  const lda: usize = transA ? 4 : <usize>k << 2;
  const sa: usize = packA ? 8 : transA ? <usize>m << 2 : 4;
  const ldc = <usize>n << 2;
  // Decided on the whole of C, not this block: row blocks of one product must agree (B_WHOLE_PACKED).
  const packAll = transB != 0 || m >= PACK_MIN_ROWS;
  const tile = work + TILE_OFFSET;
  // Equal K blocks (multiples of 4) rather than KC and a short remainder.
  const blocks = (k + KC - 1) / KC;
  const kcb = min(KC, (((k + blocks - 1) / blocks) + 3) & ~3);
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < k; pc += kcb) {
      const kc = min(kcb, k - pc);
      const betaBlock: f32 = pc == 0 ? beta : 1;
      const panelBytes = <usize>kc * NR * 4;
      // B_WHOLE_*: block pc starts after the pc steps of all panels before it.
      const panels = bLayout == B_PER_BLOCK ? work : work + ((<usize>pc * <usize>panelColumns(nc)) << 2);
      for (let jr = 0; jr < nc && bLayout != B_WHOLE_PACKED; jr += NR) {
        const w = min(NR, nc - jr);
        if (!packAll && w == NR) continue;
        const dst = panels + <usize>(jr / NR) * panelBytes;
        if (transB) packColumns(dst, b, k, pc, kc, jc + jr, w);
        else packRows(dst, b, n, pc, kc, jc + jr, w);
      }
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        if (packA) packATransposed(work + A_OFFSET, a, m, pc, kc, ic, mc);
        for (let jr = 0; jr < nc; jr += NR) {
          const w = min(NR, nc - jr);
          const j = jc + jr;
          const inPlace = !packAll && w == NR;
          const bp = inPlace ? b + ((<usize>pc * <usize>n + <usize>j) << 2) : panels + <usize>(jr / NR) * panelBytes;
          const sb: usize = inPlace ? ldc : NR << 2;
          for (let ir = 0; ir < mc; ir += MR) {
            const i = ic + ir;
            const h = min(MR, mc - ir);
            const ap = packA
              ? work + A_OFFSET + <usize>(ir >> 1) * (<usize>kc << 3)
              : a + (transA ? (<usize>pc * <usize>m + <usize>i) << 2 : (<usize>i * <usize>k + <usize>pc) << 2);
            const cp = c + ((<usize>i * <usize>n + <usize>j) << 2);
            if (h == MR && w == NR) kernel2x16(kc, ap, lda, sa, bp, sb, cp, ldc, alpha, betaBlock, tile);
            else edgeTile(kc, ap, lda, sa, bp, sb, cp, ldc, alpha, betaBlock, h, w, tile);
          }
        }
      }
    }
  }
}
