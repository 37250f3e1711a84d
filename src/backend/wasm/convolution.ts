/**
 * The convolution kernels that need no im2col matrix (convForward,
 * convFilterGradient, convInputGradient) on the module's implicit-GEMM
 * kernels (assembly/implicit.ts), shared with the worker when large enough.
 *
 * The wasm kernels read windows in place and know no padding: a padded
 * convolution first copies X into a zero-bordered scratch (and the input
 * gradient is computed there, then cropped). Filters whose count is not a
 * multiple of 8 are copied into whole 8-column panels, and the input
 * gradient reads W^T, packed once per call. Scratch blocks are kept from
 * call to call, so a training loop allocates nothing after its first step.
 *
 * Shared work is cut by what each kernel's outputs depend on alone: pixels
 * (whole tiles of 4) for the forward pass, tiles of 4 window elements for
 * the filter gradient, examples for the input gradient (each example's
 * image gets every addition of its own pixels, in order). Either thread
 * computes a chunk the same way, so results are bit-identical to one thread.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Activation, Kernels, WindowGeometry } from '../backend.js';
import { activationCode, activationSlope } from './codes.js';
import type { WasmExports } from './exports.js';
import type { ShareGovernor } from './governor.js';
import type { WasmHeap } from './heap.js';
import { KeptBlock } from './kept-block.js';
import { PARALLEL_MIN_MACS } from './matmul.js';
import { settleShared, SHARED_CHUNKS } from './share.js';
import type { Stager } from './staging.js';
import type { ThreadControl } from './threads.js';

/** Kernel kinds of convRange (CONV_* in assembly/implicit.ts). */
const CONV_FORWARD = 0;
const CONV_FILTER = 1;
const CONV_INPUT = 2;
/** Rows (pixels or window elements) and columns of the kernels' tiles. */
const TILE_ROWS = 4;
const TILE_COLS = 8;
/** The forward and filter-gradient kernels' tile scratch. */
const SMALL_TILE_BYTES = 256;
const LINEAR_CODE = activationCode({ kind: 'linear' });

type ConvolutionKernels = Pick<Kernels, 'convForward' | 'convFilterGradient' | 'convInputGradient'>;

/** n rounded up to whole tile columns. */
function panels(n: number): number {
  return Math.ceil(n / TILE_COLS) * TILE_COLS;
}

/** The three kernels over the given exports, stager, heap, threads and sharing governor. */
export function createConvolutions(ex: WasmExports, stager: Stager, heap: WasmHeap, threads: ThreadControl, governor: ShareGovernor): ConvolutionKernels {
  const padded = new KeptBlock(heap);
  const packed = new KeptBlock(heap);
  const tiles = new KeptBlock(heap);

  /** X with its padding in the scratch (X itself when g.pad is 0). */
  function padInput(px: number, g: WindowGeometry): number {
    if (g.pad === 0) return px;
    const p = g.pad;
    const block = padded.at(g.m * (g.h + 2 * p) * (g.w + 2 * p) * g.c * 4);
    ex.zeroPad(px, block, g.m, g.h, g.w, g.c, p, 0);
    return block;
  }

  /**
   * Runs kernel `kind` over [0, total) in chunks of `chunk`, on one thread or shared; the
   * geometry is that of the padded image (pad 0). `tileBytes` is one thread's tile scratch.
   */
  function run(
    kind: number, s0: number, s1: number, s2: number, s3: number, s4: number, s5: number, g: WindowGeometry, n: number,
    act: number, scalar: number, total: number, chunk: number, tileBytes: number,
  ): void {
    const bytes = Math.ceil(tileBytes / 64) * 64;
    const tile = tiles.at(2 * bytes);
    const h = g.h + 2 * g.pad;
    const w = g.w + 2 * g.pad;
    const macs = g.m * g.outH * g.outW * g.f * g.f * g.c * n;
    const available = macs >= PARALLEL_MIN_MACS && total > chunk ? threads.current() : null;
    const worker = available !== null && governor.shouldShare(macs) ? available : null;
    if (!worker) {
      ex.convRange(kind, s0, s1, s2, s3, s4, s5, g.m, h, w, g.c, g.f, g.stride, g.outH, g.outW, n, act, scalar, 0, total, tile);
      return;
    }
    const chunks = Math.ceil(total / chunk);
    const task = worker.postConv(chunks, kind, s0, s1, s2, s3, s4, s5, g.m, h, w, g.c, g.f, g.stride, g.outH, g.outW, n, act, scalar, total, chunk, tile + bytes);
    const start = performance.now();
    let mine = -1;
    try {
      mine = ex.convShared(kind, s0, s1, s2, s3, s4, s5, g.m, h, w, g.c, g.f, g.stride, g.outH, g.outW, n, act, scalar, total, chunk, tile, worker.claimAddress, task, 0);
    } finally {
      settleShared(worker, governor, chunks, mine, start);
    }
  }

  return {
    convForward(x: Tensor, w: Tensor, b: Tensor | null, z: Tensor, a: Tensor | null, act: Activation, g: WindowGeometry): void {
      const k = g.f * g.f * g.c;
      const n = w.size / k;
      const pixels = g.m * g.outH * g.outW;
      try {
        const px = stager.input(x);
        const pw = stager.input(w);
        const pb = b ? stager.input(b) : 0;
        const pz = stager.output(z, false);
        const pa = a ? stager.output(a, false) : 0;
        const src = padInput(px, g);
        // Whole panels of filters are read in place; a last partial one is padded with zero columns.
        const ldw = n % TILE_COLS === 0 ? n : panels(n);
        let filters = pw;
        if (ldw !== n) {
          filters = packed.at(k * ldw * 4);
          ex.packFilterColumns(pw, filters, k, n, ldw);
        }
        const chunk = Math.ceil(pixels / (TILE_ROWS * SHARED_CHUNKS)) * TILE_ROWS;
        const code = a ? activationCode(act) : LINEAR_CODE;
        run(CONV_FORWARD, src, filters, ldw, pb, pz, pa, g, n, code, activationSlope(act), pixels, chunk, SMALL_TILE_BYTES);
      } finally {
        stager.finish();
      }
    },

    convFilterGradient(x: Tensor, dz: Tensor, dw: Tensor, scale: number, g: WindowGeometry): void {
      const k = g.f * g.f * g.c;
      const n = dw.size / k;
      const rowTiles = Math.ceil(k / TILE_ROWS);
      try {
        const px = stager.input(x);
        const pd = stager.input(dz);
        const pw = stager.output(dw, false);
        const src = padInput(px, g);
        run(CONV_FILTER, src, pd, 0, 0, pw, 0, g, n, LINEAR_CODE, scale, rowTiles, Math.ceil(rowTiles / SHARED_CHUNKS), SMALL_TILE_BYTES);
      } finally {
        stager.finish();
      }
    },

    convInputGradient(dz: Tensor, w: Tensor, dx: Tensor, g: WindowGeometry): void {
      const k = g.f * g.f * g.c;
      const n = w.size / k;
      const ldk = panels(k);
      try {
        const pd = stager.input(dz);
        const pw = stager.input(w);
        const px = stager.output(dx, false);
        const wt = packed.at(n * ldk * 4);
        ex.packFilterRows(pw, wt, k, n, ldk);
        const p = g.pad;
        const out = p === 0 ? px : padded.at(g.m * (g.h + 2 * p) * (g.w + 2 * p) * g.c * 4);
        run(CONV_INPUT, pd, wt, ldk, 0, out, 0, g, n, LINEAR_CODE, 0, g.m, Math.ceil(g.m / SHARED_CHUNKS), ex.convTileBytes(k));
        if (p !== 0) ex.zeroPad(out, px, g.m, g.h, g.w, g.c, p, 1);
      } finally {
        stager.finish();
      }
    },
  };
}
