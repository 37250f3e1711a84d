/**
 * The Kernels interface on the wasm exports: each kernel resolves its tensors
 * to wasm addresses (staging.ts copies foreign ones in and out) and makes one
 * call into the module.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Activation, Kernels, LossKind } from '../backend.js';
import { activationCode, activationSlope, lossCode } from './codes.js';
import type { WasmExports } from './exports.js';
import { createMatmul } from './matmul.js';
import type { Stager } from './staging.js';
import type { ThreadControl } from './threads.js';

/** The clamp lossGradient applies to A in float32 (the reference's float32 epsilon). */
const FLOAT32_EPSILON = 1e-7;

/** The kernels with a wasm implementation, over one module instance; `work` is the main thread's GEMM scratch. */
export function createKernels(ex: WasmExports, stager: Stager, work: number, threads: ThreadControl) {
  /** Runs `body` with the stager cleaned up afterwards, even when it throws. */
  function staged<T>(body: () => T): T {
    try {
      return body();
    } finally {
      stager.finish();
    }
  }

  return {
    matmul: createMatmul(ex, stager, work, threads),

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

    axpy(alpha: number, x: Tensor, y: Tensor): void {
      staged(() => {
        const px = stager.input(x);
        ex.axpy(alpha, px, stager.output(y, true), y.size);
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
  } satisfies Partial<Kernels>;
}
