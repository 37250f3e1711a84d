/**
 * The convolution kernels that need no im2col matrix (convForward,
 * convFilterGradient, convInputGradient) on the module's implicit-GEMM
 * kernels (assembly/implicit.ts), shared with the worker when large enough.
 *
 * The wasm kernels read windows in place and know no padding: a padded
 * convolution first copies X into a zero-bordered scratch (and the input
 * gradient is computed there, then cropped). The filters are packed once per
 * call into panels of 8 columns (W for the forward pass, W^T for the input
 * gradient), which the micro-kernels read at constant offsets. Scratch blocks are kept from
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
import type { WasmHeap } from './heap.js';
import { KeptBlock } from './kept-block.js';
import { LAYER_KERNELS, LayerTasks } from './layer-tasks.js';
import { PARALLEL_MIN_MACS } from './matmul.js';
import type { Stager } from './staging.js';

/** Rows (pixels or window elements) of the kernels' tiles. */
const TILE_ROWS = 4;
/** The forward and filter-gradient kernels' tile scratch. */
const SMALL_TILE_BYTES = 256;
/**
 * A filter gradient with fewer tiles of window elements than this is computed in FILTER_PARTS
 * parts of the batch instead (a decision on the geometry alone, so one and two threads agree):
 * the first layer's 7 tiles split 4 / 3 between threads and ran 1.3x faster on two, parts split
 * evenly.
 */
const MIN_FILTER_TILES = 16;
const FILTER_PARTS = 4;
const LINEAR_CODE = activationCode({ kind: 'linear' });

type ConvolutionKernels = Pick<Kernels, 'convForward' | 'convFilterGradient' | 'convInputGradient'>;

/** The multiply-adds of a convolution (each of its three products has as many). */
function macs(g: WindowGeometry, n: number): number {
  return g.m * g.outH * g.outW * g.f * g.f * g.c * n;
}

/** The three kernels over the given exports, stager, heap and the layer tasks that share them. */
export function createConvolutions(ex: WasmExports, stager: Stager, heap: WasmHeap, tasks: LayerTasks): ConvolutionKernels {
  const padded = new KeptBlock(heap);
  const packed = new KeptBlock(heap);
  const parts = new KeptBlock(heap);

  /** X with its padding in the scratch (X itself when g.pad is 0). */
  function padInput(px: number, g: WindowGeometry): number {
    if (g.pad === 0) return px;
    const p = g.pad;
    const block = padded.at(g.m * (g.h + 2 * p) * (g.w + 2 * p) * g.c * 4);
    ex.zeroPad(px, block, g.m, g.h, g.w, g.c, p, 0);
    return block;
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
        // Panels of 8 filters, one after the other (a last partial one padded with zero columns).
        const filters = packed.at(ex.packedFilterBytes(k, n));
        ex.packFilterColumns(pw, filters, k, n);
        const code = a ? activationCode(act) : LINEAR_CODE;
        const h = g.h + 2 * g.pad;
        const wd = g.w + 2 * g.pad;
        tasks.run(
          LAYER_KERNELS.convForward, src, filters, 0, pb, pz, pa, g, h, wd, n, code, activationSlope(act), pixels, LayerTasks.chunk(pixels, TILE_ROWS),
          SMALL_TILE_BYTES, macs(g, n), PARALLEL_MIN_MACS,
        );
      } finally {
        stager.finish();
      }
    },

    convFilterGradient(x: Tensor, dz: Tensor, dw: Tensor, scale: number, g: WindowGeometry): void {
      const k = g.f * g.f * g.c;
      const n = dw.size / k;
      const rowTiles = ex.convFilterTiles(k, n);
      const h = g.h + 2 * g.pad;
      const w = g.w + 2 * g.pad;
      try {
        const px = stager.input(x);
        const pd = stager.input(dz);
        const pw = stager.output(dw, false);
        const src = padInput(px, g);
        if (rowTiles >= MIN_FILTER_TILES || g.m < 2) {
          tasks.run(
            LAYER_KERNELS.convFilterGradient, src, pd, 0, 0, pw, 0, g, h, w, n, LINEAR_CODE, scale, rowTiles, LayerTasks.chunk(rowTiles), SMALL_TILE_BYTES,
            macs(g, n), PARALLEL_MIN_MACS,
          );
          return;
        }
        // Few tiles (a first layer's 25 elements): the batch in parts, whatever the thread count, summed in order.
        const count = Math.min(FILTER_PARTS, g.m);
        const per = Math.ceil(g.m / count);
        const sums = parts.at(count * k * n * 4);
        tasks.run(LAYER_KERNELS.convFilterGradientParts, src, pd, per, 0, sums, 0, g, h, w, n, LINEAR_CODE, 1, Math.ceil(g.m / per), 1, SMALL_TILE_BYTES, macs(g, n), PARALLEL_MIN_MACS);
        ex.sumParts(pw, sums, Math.ceil(g.m / per), k * n, scale);
      } finally {
        stager.finish();
      }
    },

    convInputGradient(dz: Tensor, w: Tensor, dx: Tensor, g: WindowGeometry): void {
      const k = g.f * g.f * g.c;
      const n = w.size / k;
      try {
        const pd = stager.input(dz);
        const pw = stager.input(w);
        const px = stager.output(dx, false);
        const wt = packed.at(ex.packedFilterBytes(n, k));
        ex.packFilterRows(pw, wt, k, n);
        const h = g.h + 2 * g.pad;
        const wd = g.w + 2 * g.pad;
        const out = g.pad === 0 ? px : padded.at(g.m * h * wd * g.c * 4);
        tasks.run(
          LAYER_KERNELS.convInputGradient, pd, wt, 0, 0, out, 0, g, h, wd, n, LINEAR_CODE, 0, g.m, LayerTasks.chunk(g.m), ex.convTileBytes(k),
          macs(g, n), PARALLEL_MIN_MACS,
        );
        if (g.pad !== 0) ex.zeroPad(out, px, g.m, g.h, g.w, g.c, g.pad, 1);
      } finally {
        stager.finish();
      }
    },
  };
}
