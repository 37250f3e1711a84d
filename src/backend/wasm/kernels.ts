/**
 * The Kernels interface on the wasm exports: each kernel resolves its tensors
 * to wasm addresses (staging.ts copies foreign ones in and out) and makes one
 * call into the module.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Activation, Kernels, LossKind } from '../backend.js';
import { activationCode, activationSlope, lossCode } from './codes.js';
import type { WasmExports } from './exports.js';
import type { ShareGovernor } from './governor.js';
import { createMatmul } from './matmul.js';
import { createUpdates } from './updates.js';
import type { Stager } from './staging.js';
import type { ThreadControl } from './threads.js';

/** The clamp lossGradient applies to A in float32 (the reference's float32 epsilon). */
const FLOAT32_EPSILON = 1e-7;

/** The kernels with a wasm implementation, over one module instance; `work` is the main thread's GEMM scratch. */
export function createKernels(ex: WasmExports, stager: Stager, work: number, threads: ThreadControl, governor: ShareGovernor) {
  /** Runs `body` with the stager cleaned up afterwards, even when it throws. */
  function staged<T>(body: () => T): T {
    try {
      return body();
    } finally {
      stager.finish();
    }
  }

  return {
    matmul: createMatmul(ex, stager, work, threads, governor),

    biasActivation(z: Tensor, b: Tensor, a: Tensor, act: Activation): void {
      staged(() => {
        const pz = stager.output(z, true);
        const pb = stager.input(b);
        ex.activationForward(pz, pb, stager.output(a, false), z.rows, z.cols, activationCode(act), activationSlope(act));
      });
    },

    activation(z: Tensor, a: Tensor, act: Activation): void {
      staged(() => {
        const pz = stager.input(z);
        ex.activationForward(pz, 0, stager.output(a, false), z.rows, z.cols, activationCode(act), activationSlope(act));
      });
    },

    activationBackward(dA: Tensor, z: Tensor, a: Tensor, dZ: Tensor, act: Activation): void {
      staged(() => {
        const pdA = stager.input(dA);
        const pz = stager.input(z);
        const pa = stager.input(a);
        ex.activationBackward(pdA, pz, pa, stager.output(dZ, false), z.rows, z.cols, activationCode(act), activationSlope(act));
      });
    },

    rowSum(x: Tensor, out: Tensor, scale: number): void {
      staged(() => {
        const px = stager.input(x);
        ex.rowSum(px, stager.output(out, false), x.rows, x.cols, scale);
      });
    },

    copy(x: Tensor, y: Tensor): void {
      staged(() => {
        const px = stager.input(x);
        ex.copy(px, stager.output(y, false), x.size);
      });
    },

    fill(x: Tensor, value: number): void {
      staged(() => ex.fill(stager.output(x, false), x.size, value));
    },

    lossSum(loss: LossKind, z: Tensor, a: Tensor, y: Tensor): number {
      return staged(() => ex.lossSum(lossCode(loss), stager.input(z), stager.input(a), stager.input(y), a.rows, a.cols));
    },

    outputDelta(a: Tensor, y: Tensor, dZ: Tensor): void {
      staged(() => {
        const pa = stager.input(a);
        const py = stager.input(y);
        ex.subtract(pa, py, stager.output(dZ, false), a.size);
      });
    },

    lossGradient(loss: LossKind, a: Tensor, y: Tensor, dA: Tensor): void {
      staged(() => {
        const pa = stager.input(a);
        const py = stager.input(y);
        ex.lossGradient(lossCode(loss), pa, py, stager.output(dA, false), a.rows, a.cols, FLOAT32_EPSILON);
      });
    },

    sumSquares(x: Tensor): number {
      return staged(() => ex.sumSquares(stager.input(x), x.size));
    },

    sumAbs(x: Tensor): number {
      return staged(() => ex.sumAbs(stager.input(x), x.size));
    },

    addSign(alpha: number, x: Tensor, y: Tensor): void {
      staged(() => {
        const px = stager.input(x);
        ex.addSign(alpha, px, stager.output(y, true), y.size);
      });
    },

    mul(x: Tensor, y: Tensor, out: Tensor): void {
      staged(() => {
        const px = stager.input(x);
        const py = stager.input(y);
        ex.mul(px, py, stager.output(out, false), out.size);
      });
    },

    gatherColumns(src: Tensor, indices: Int32Array, start: number, count: number, dst: Tensor): void {
      staged(() => {
        const ps = stager.input(src);
        const pi = stager.int32(indices, start, count);
        ex.gatherColumns(ps, pi, src.rows, src.cols, count, stager.output(dst, false));
      });
    },

    gatherRows(srcT: Tensor, indices: Int32Array, start: number, count: number, dst: Tensor): void {
      staged(() => {
        const ps = stager.input(srcT);
        const pi = stager.int32(indices, start, count);
        ex.gatherRows(ps, pi, srcT.cols, count, stager.output(dst, false));
      });
    },

    batchNormForward(
      z: Tensor, gamma: Tensor, beta: Tensor, out: Tensor, zhat: Tensor, mean: Tensor, invStd: Tensor, runningMean: Tensor, runningVar: Tensor,
      momentum: number, epsilon: number, training: boolean,
    ): void {
      staged(() => {
        const pz = stager.input(z);
        const pg = stager.input(gamma);
        const pb = stager.input(beta);
        // Statistics are written only when training; staged copies start from the old values so inference leaves them as they were.
        const pm = stager.output(mean, true);
        const ps = stager.output(invStd, true);
        const prm = stager.output(runningMean, true);
        const prv = stager.output(runningVar, true);
        ex.batchNormForward(
          pz, pg, pb, stager.output(out, false), stager.output(zhat, false), pm, ps, prm, prv, z.rows, z.cols, momentum, 1 - momentum, epsilon, training ? 1 : 0,
        );
      });
    },

    batchNormBackward(dOut: Tensor, zhat: Tensor, gamma: Tensor, invStd: Tensor, dZ: Tensor, dGamma: Tensor, dBeta: Tensor): void {
      staged(() => {
        const pd = stager.input(dOut);
        const ph = stager.input(zhat);
        const pg = stager.input(gamma);
        const pi = stager.input(invStd);
        ex.batchNormBackward(pd, ph, pg, pi, stager.output(dZ, false), stager.output(dGamma, false), stager.output(dBeta, false), zhat.rows, zhat.cols);
      });
    },

    ...createUpdates(ex, stager, threads, governor),
  } satisfies Partial<Kernels>;
}
