// The wasm module's exports. Memory is imported and managed from the
// TypeScript side (src/backend/wasm/heap.ts); nothing here allocates.
export { gemm, gemmRange, gemmSplittable, gemmWorkBytes } from './gemm';
export { activationBackward, activationForward } from './activations';
export { copy, fill, rowSum, subtract, sumSquares } from './elementwise';
export { lossGradient, lossSum } from './loss';

/** The first byte past the module's static data: where the TypeScript allocator may start. */
export function heapBase(): usize {
  return __heap_base;
}
export { addSign, batchNormBackward, batchNormForward, dropout, gatherColumns, gatherExamples, gatherRows, mul, sumAbs } from './layers';
export { claimChunk, gemmShared, layerRange, layerShared, postClaim, update, updateShared } from './shared';
export {
  avgPoolBackward, avgPoolForward, channelBatchNormBackward, channelBatchNormForward, channelBiasActivation, col2im, colSum, im2col,
  maxPoolBackward, maxPoolForward, transpose, zeroPad,
} from './conv';
export { convFilterTiles, convTileBytes, packedFilterBytes, packFilterColumns, packFilterRows, sumParts } from './implicit';
export { gruCellBackward, gruCellForward, gruGatesBackward, gruGatesForward, lstmCellBackward, lstmCellForward } from './recurrent';
