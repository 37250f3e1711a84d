/**
 * The Kernels interface on the wasm exports: each kernel resolves its tensors
 * to wasm addresses (staging.ts copies foreign ones in and out) and makes one
 * call into the module.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Activation, Kernels, LossKind, WindowGeometry } from '../backend.js';
import { activationCode, activationSlope, lossCode } from './codes.js';
import { createDropout } from './dropout.js';
import type { WasmExports } from './exports.js';
import type { ShareGovernor } from './governor.js';
import type { WasmHeap } from './heap.js';
import { KeptBlock } from './kept-block.js';
import { createConvolutions } from './convolution.js';
import { LAYER_KERNELS, LAYER_PARALLEL_MIN_VALUES, LayerTasks } from './layer-tasks.js';
import { createMatmul } from './matmul.js';
import { createRecurrentKernels } from './recurrent.js';
import { createUpdates } from './updates.js';
import type { Stager } from './staging.js';
import type { ThreadControl } from './threads.js';

/** The clamp lossGradient applies to A in float32 (the reference's float32 epsilon). */
const FLOAT32_EPSILON = 1e-7;

/**
 * Every kernel of the interface on the wasm module, over one instance; `work` is the main
 * thread's GEMM scratch (`workBytes` long), which the per-channel reductions borrow between
 * products. float32 only: the registry sends float64 work to the reference backend. Each kernel
 * cleans the stager up in a `finally` written inline (a closure per call would be JS-heap garbage
 * in every training step).
 */
export function createKernels(ex: WasmExports, stager: Stager, heap: WasmHeap, work: number, threads: ThreadControl, governor: ShareGovernor): Kernels {
  const tasks = new LayerTasks(ex, heap, threads, governor);
  return {
    ...createDenseKernels(ex, stager, work, threads, governor, tasks),
    ...createConvKernels(ex, stager, reductionScratch(heap, work, ex.gemmWorkBytes()), tasks),
    ...createConvolutions(ex, stager, heap, tasks),
    dropout: createDropout(ex, stager, heap),
    ...createRecurrentKernels(ex, stager),
  } satisfies Kernels;
}

/** The kernels of fully connected networks (everything but dropout and the convolutional kernels). */
function createDenseKernels(ex: WasmExports, stager: Stager, work: number, threads: ThreadControl, governor: ShareGovernor, tasks: LayerTasks) {
  return {
    matmul: createMatmul(ex, stager, work, threads, governor),

    biasActivation(z: Tensor, b: Tensor, a: Tensor, act: Activation): void {
      try {
        const pz = stager.output(z, true);
        const pb = stager.input(b);
        ex.activationForward(pz, pb, stager.output(a, false), z.rows, z.cols, activationCode(act), activationSlope(act));
      } finally {
        stager.finish();
      }
    },

    activation(z: Tensor, a: Tensor, act: Activation): void {
      try {
        const pz = stager.input(z);
        ex.activationForward(pz, 0, stager.output(a, false), z.rows, z.cols, activationCode(act), activationSlope(act));
      } finally {
        stager.finish();
      }
    },

    activationBackward(dA: Tensor, z: Tensor, a: Tensor, dZ: Tensor, act: Activation): void {
      try {
        const pdA = stager.input(dA);
        const pz = stager.input(z);
        const pa = stager.input(a);
        const pdZ = stager.output(dZ, false);
        const code = activationCode(act);
        if (act.kind === 'softmax' || z.size < LAYER_PARALLEL_MIN_VALUES) {
          ex.activationBackward(pdA, pz, pa, pdZ, z.rows, z.cols, code, activationSlope(act));
          return;
        }
        // Elementwise: runs of values (whole float32x4 groups) may go to either thread.
        tasks.run(
          LAYER_KERNELS.activationBackward, pdA, pz, pa, 0, pdZ, 0, NO_WINDOW, 0, 0, 0, code, activationSlope(act), z.size, LayerTasks.chunk(z.size, 4), 0,
          z.size, LAYER_PARALLEL_MIN_VALUES,
        );
      } finally {
        stager.finish();
      }
    },

    rowSum(x: Tensor, out: Tensor, scale: number): void {
      try {
        const px = stager.input(x);
        ex.rowSum(px, stager.output(out, false), x.rows, x.cols, scale);
      } finally {
        stager.finish();
      }
    },

    copy(x: Tensor, y: Tensor): void {
      try {
        const px = stager.input(x);
        ex.copy(px, stager.output(y, false), x.size);
      } finally {
        stager.finish();
      }
    },

    fill(x: Tensor, value: number): void {
      try {
        ex.fill(stager.output(x, false), x.size, value);
      } finally {
        stager.finish();
      }
    },

    lossSum(loss: LossKind, z: Tensor, a: Tensor, y: Tensor): number {
      try {
        return ex.lossSum(lossCode(loss), stager.input(z), stager.input(a), stager.input(y), a.rows, a.cols);
      } finally {
        stager.finish();
      }
    },

    outputDelta(a: Tensor, y: Tensor, dZ: Tensor): void {
      try {
        const pa = stager.input(a);
        const py = stager.input(y);
        ex.subtract(pa, py, stager.output(dZ, false), a.size);
      } finally {
        stager.finish();
      }
    },

    lossGradient(loss: LossKind, a: Tensor, y: Tensor, dA: Tensor): void {
      try {
        const pa = stager.input(a);
        const py = stager.input(y);
        ex.lossGradient(lossCode(loss), pa, py, stager.output(dA, false), a.rows, a.cols, FLOAT32_EPSILON);
      } finally {
        stager.finish();
      }
    },

    sumSquares(x: Tensor): number {
      try {
        return ex.sumSquares(stager.input(x), x.size);
      } finally {
        stager.finish();
      }
    },

    sumAbs(x: Tensor): number {
      try {
        return ex.sumAbs(stager.input(x), x.size);
      } finally {
        stager.finish();
      }
    },

    addSign(alpha: number, x: Tensor, y: Tensor): void {
      try {
        const px = stager.input(x);
        ex.addSign(alpha, px, stager.output(y, true), y.size);
      } finally {
        stager.finish();
      }
    },

    mul(x: Tensor, y: Tensor, out: Tensor): void {
      try {
        const px = stager.input(x);
        const py = stager.input(y);
        ex.mul(px, py, stager.output(out, false), out.size);
      } finally {
        stager.finish();
      }
    },

    gatherColumns(src: Tensor, indices: Int32Array, start: number, count: number, dst: Tensor): void {
      try {
        const ps = stager.input(src);
        const pi = stager.int32(indices, start, count);
        ex.gatherColumns(ps, pi, src.rows, src.cols, count, stager.output(dst, false));
      } finally {
        stager.finish();
      }
    },

    gatherRows(srcT: Tensor, indices: Int32Array, start: number, count: number, dst: Tensor): void {
      try {
        const ps = stager.input(srcT);
        const pi = stager.int32(indices, start, count);
        ex.gatherRows(ps, pi, srcT.cols, count, stager.output(dst, false));
      } finally {
        stager.finish();
      }
    },

    gatherExamples(src: Tensor, indices: Int32Array, start: number, count: number, dst: Tensor): void {
      try {
        const ps = stager.input(src);
        const pi = stager.int32(indices, start, count);
        ex.gatherExamples(ps, pi, dst.size / count, count, stager.output(dst, false));
      } finally {
        stager.finish();
      }
    },

    batchNormForward: batchNormForwardOn(ex.batchNormForward, stager, null),

    batchNormBackward(dOut: Tensor, zhat: Tensor, gamma: Tensor, invStd: Tensor, dZ: Tensor, dGamma: Tensor, dBeta: Tensor): void {
      try {
        const pd = stager.input(dOut);
        const ph = stager.input(zhat);
        const pg = stager.input(gamma);
        const pi = stager.input(invStd);
        ex.batchNormBackward(pd, ph, pg, pi, stager.output(dZ, false), stager.output(dGamma, false), stager.output(dBeta, false), zhat.rows, zhat.cols);
      } finally {
        stager.finish();
      }
    },

    ...createUpdates(ex, stager, threads, governor),
  } satisfies Partial<Kernels>;
}

/**
 * Scratch for the per-channel kernels (4 c doubles): the GEMM work block, which is idle
 * between products and holds 36K channels, or past that a block of the heap kept for the next call.
 */
function reductionScratch(heap: WasmHeap, work: number, workBytes: number): (channels: number) => number {
  const extra = new KeptBlock(heap);
  return (channels) => {
    const bytes = channels * 32;
    return bytes <= workBytes ? work : extra.at(bytes);
  };
}

/**
 * Batch normalization forward on `kernel`: the dense export over the columns of each row (no
 * scratch), or the per-channel one over the rows of the (p, c) view with its scratch. The
 * statistics are written only when training; their staged copies start from the old values,
 * so inference leaves them as they were.
 */
function batchNormForwardOn(
  kernel: WasmExports['channelBatchNormForward'], stager: Stager, scratch: ((channels: number) => number) | null,
): Kernels['batchNormForward'] {
  return (z, gamma, beta, out, zhat, mean, invStd, runningMean, runningVar, momentum, epsilon, training) => {
    const cols = scratch ? gamma.size : z.cols;
    const ps = scratch ? scratch(cols) : 0;
    try {
      const pz = stager.input(z);
      const pg = stager.input(gamma);
      const pb = stager.input(beta);
      const pm = stager.output(mean, true);
      const pi = stager.output(invStd, true);
      const prm = stager.output(runningMean, true);
      const prv = stager.output(runningVar, true);
      const po = stager.output(out, false);
      kernel(pz, pg, pb, po, stager.output(zhat, false), pm, pi, prm, prv, z.size / cols, cols, momentum, 1 - momentum, epsilon, training ? 1 : 0, ps);
    } finally {
      stager.finish();
    }
  };
}

/** The geometry argument of layer tasks that have none. */
const NO_WINDOW: WindowGeometry = { m: 0, h: 0, w: 0, c: 0, f: 0, stride: 0, pad: 0, outH: 0, outW: 0 };

/** The convolutional kernels; geometry travels as plain numbers. */
function createConvKernels(ex: WasmExports, stager: Stager, scratch: (channels: number) => number, tasks: LayerTasks) {
  return {
    im2col(x: Tensor, cols: Tensor, g: WindowGeometry): void {
      try {
        const px = stager.input(x);
        ex.im2col(px, stager.output(cols, false), g.m, g.h, g.w, g.c, g.f, g.stride, g.pad, g.outH, g.outW);
      } finally {
        stager.finish();
      }
    },

    col2im(cols: Tensor, dx: Tensor, g: WindowGeometry): void {
      try {
        const pc = stager.input(cols);
        ex.col2im(pc, stager.output(dx, false), g.m, g.h, g.w, g.c, g.f, g.stride, g.pad, g.outH, g.outW);
      } finally {
        stager.finish();
      }
    },

    channelBiasActivation(z: Tensor, b: Tensor, a: Tensor, act: Activation): void {
      try {
        const pz = stager.output(z, true);
        const pb = stager.input(b);
        ex.channelBiasActivation(pz, pb, stager.output(a, false), z.size / b.size, b.size, activationCode(act), activationSlope(act));
      } finally {
        stager.finish();
      }
    },

    colSum(x: Tensor, out: Tensor, scale: number): void {
      const ps = scratch(out.size);
      try {
        const px = stager.input(x);
        ex.colSum(px, stager.output(out, false), x.size / out.size, out.size, scale, ps);
      } finally {
        stager.finish();
      }
    },

    transpose(x: Tensor, out: Tensor): void {
      try {
        const px = stager.input(x);
        ex.transpose(px, stager.output(out, false), x.rows, x.size / x.rows);
      } finally {
        stager.finish();
      }
    },

    maxPoolForward(x: Tensor, out: Tensor, g: WindowGeometry): void {
      try {
        const px = stager.input(x);
        tasks.pool(LAYER_KERNELS.maxPoolForward, px, 0, stager.output(out, false), g);
      } finally {
        stager.finish();
      }
    },

    maxPoolBackward(dOut: Tensor, x: Tensor, dx: Tensor, g: WindowGeometry, reluMask = false): void {
      try {
        const pd = stager.input(dOut);
        const px = stager.input(x);
        tasks.pool(LAYER_KERNELS.maxPoolBackward, pd, px, stager.output(dx, false), g, reluMask ? 1 : 0);
      } finally {
        stager.finish();
      }
    },

    avgPoolForward(x: Tensor, out: Tensor, g: WindowGeometry): void {
      try {
        const px = stager.input(x);
        tasks.pool(LAYER_KERNELS.avgPoolForward, px, 0, stager.output(out, false), g);
      } finally {
        stager.finish();
      }
    },

    avgPoolBackward(dOut: Tensor, dx: Tensor, g: WindowGeometry): void {
      try {
        const pd = stager.input(dOut);
        tasks.pool(LAYER_KERNELS.avgPoolBackward, pd, 0, stager.output(dx, false), g);
      } finally {
        stager.finish();
      }
    },

    zeroPad(x: Tensor, out: Tensor, m: number, h: number, w: number, c: number, pad: number, backward: boolean): void {
      try {
        const px = stager.input(x);
        ex.zeroPad(px, stager.output(out, false), m, h, w, c, pad, backward ? 1 : 0);
      } finally {
        stager.finish();
      }
    },

    channelBatchNormForward: batchNormForwardOn(ex.channelBatchNormForward, stager, scratch),

    channelBatchNormBackward(dOut: Tensor, zhat: Tensor, gamma: Tensor, invStd: Tensor, dZ: Tensor, dGamma: Tensor, dBeta: Tensor, m: number): void {
      const ps = scratch(gamma.size);
      try {
        const pd = stager.input(dOut);
        const ph = stager.input(zhat);
        const pg = stager.input(gamma);
        const pi = stager.input(invStd);
        const pdZ = stager.output(dZ, false);
        const c = gamma.size;
        ex.channelBatchNormBackward(pd, ph, pg, pi, pdZ, stager.output(dGamma, false), stager.output(dBeta, false), zhat.size / c, c, m, ps);
      } finally {
        stager.finish();
      }
    },
  } satisfies Partial<Kernels>;
}
