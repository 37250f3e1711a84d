/**
 * The reference backend: plain TypeScript kernels that run everywhere, in
 * float32 and float64. It is the fallback where WebAssembly SIMD is missing
 * and the oracle the wasm backend is tested against.
 */
import { allocArray, Tensor, type DType } from '../../tensor/tensor.js';
import type { Backend } from '../backend.js';
import {
  avgPoolBackward,
  avgPoolForward,
  channelBatchNormBackward,
  channelBatchNormForward,
  channelBiasActivation,
  col2im,
  colSum,
  convFilterGradient,
  convForward,
  convInputGradient,
  im2col,
  maxPoolBackward,
  maxPoolForward,
  transpose,
  zeroPad,
} from './conv.js';
import { activation, activationBackward, axpy, biasActivation, copy, fill, rowSum, sumSquares } from './elementwise.js';
import { addSign, batchNormBackward, batchNormForward, dropout, gatherColumns, gatherExamples, gatherRows, mul, sumAbs } from './layers.js';
import { lossGradient, lossSum, outputDelta } from './loss.js';
import { matmul } from './matmul.js';
import { adamUpdate, momentumUpdate, rmspropUpdate } from './optimizers.js';
import { gruCellBackward, gruCellForward, gruGatesBackward, gruGatesForward, lstmCellBackward, lstmCellForward } from './recurrent.js';

/**
 * The reference TypeScript backend.
 *
 * @example
 * ```ts
 * import { jsBackend, tensor, zeros } from 'layerwise';
 * const C = zeros([2, 2]);
 * jsBackend.matmul(tensor([[1, 2], [3, 4]]), tensor([[1, 0], [0, 1]]), C, false, false, 1, 0);
 * C.get(1, 0) === 3; // true
 * ```
 */
export const jsBackend: Backend = {
  name: 'js',
  dtypes: ['float32', 'float64'],
  zeros(shape: readonly number[], dtype: DType): Tensor {
    return new Tensor(shape, allocArray(shape.reduce((p, d) => p * d, 1), dtype));
  },
  matmul,
  biasActivation,
  activation,
  activationBackward,
  rowSum,
  axpy,
  copy,
  fill,
  lossSum,
  outputDelta,
  lossGradient,
  sumSquares,
  sumAbs,
  addSign,
  mul,
  gatherColumns,
  gatherRows,
  gatherExamples,
  dropout,
  batchNormForward,
  batchNormBackward,
  momentumUpdate,
  rmspropUpdate,
  adamUpdate,
  im2col,
  col2im,
  convForward,
  convFilterGradient,
  convInputGradient,
  channelBiasActivation,
  colSum,
  transpose,
  maxPoolForward,
  maxPoolBackward,
  avgPoolForward,
  avgPoolBackward,
  zeroPad,
  channelBatchNormForward,
  channelBatchNormBackward,
  lstmCellForward,
  lstmCellBackward,
  gruGatesForward,
  gruCellForward,
  gruCellBackward,
  gruGatesBackward,
};
