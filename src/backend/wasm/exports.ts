/**
 * The wasm module's exports as TypeScript sees them (see assembly/index.ts).
 * Pointers are byte addresses in the module's memory; booleans are 0 or 1.
 */
export interface WasmExports {
  heapBase(): number;
  gemmWorkBytes(): number;
  gemmSplittable(m: number, n: number, transA: number, transB: number): number;
  gemm(a: number, b: number, c: number, m: number, n: number, k: number, transA: number, transB: number, alpha: number, beta: number, work: number): void;
  gemmRange(
    a: number, b: number, c: number, m: number, n: number, k: number, transA: number, transB: number,
    alpha: number, beta: number, i0: number, i1: number, j0: number, j1: number, work: number, bLayout: number,
  ): void;
  gemmShared(
    a: number, b: number, c: number, m: number, n: number, k: number, transA: number, transB: number, alpha: number, beta: number,
    byColumns: number, chunk: number, work: number, claim: number, task: number, fromBack: number,
  ): number;
  update(
    kind: number, w: number, g: number, s1: number, s2: number, n: number,
    h0: number, h1: number, h2: number, h3: number, h4: number, h5: number, h6: number, h7: number,
  ): void;
  updateShared(
    kind: number, w: number, g: number, s1: number, s2: number, n: number,
    h0: number, h1: number, h2: number, h3: number, h4: number, h5: number, h6: number, h7: number,
    chunk: number, claim: number, task: number, fromBack: number,
  ): number;
  layerRange(
    kind: number, s0: number, s1: number, s2: number, s3: number, s4: number, s5: number, m: number, h: number, w: number, c: number, f: number,
    stride: number, outH: number, outW: number, n: number, act: number, scalar: number, lo: number, hi: number, tile: number,
  ): void;
  layerShared(
    kind: number, s0: number, s1: number, s2: number, s3: number, s4: number, s5: number, m: number, h: number, w: number, c: number, f: number,
    stride: number, outH: number, outW: number, n: number, act: number, scalar: number, total: number, chunk: number, tile: number,
    claim: number, task: number, fromBack: number,
  ): number;
  convTileBytes(k: number): number;
  convFilterTiles(k: number, n: number): number;
  sumParts(dst: number, parts: number, count: number, size: number, scale: number): void;
  packedFilterBytes(k: number, n: number): number;
  packFilterColumns(w: number, dst: number, k: number, n: number): void;
  packFilterRows(w: number, dst: number, k: number, n: number): void;
  postClaim(claim: number, task: number, chunks: number): void;
  claimChunk(claim: number, task: number, fromBack: number): number;
  activationForward(z: number, b: number, a: number, rows: number, cols: number, act: number, slope: number): void;
  activationBackward(dA: number, z: number, a: number, dZ: number, rows: number, cols: number, act: number, slope: number): void;
  rowSum(x: number, out: number, rows: number, cols: number, scale: number): void;
  subtract(a: number, y: number, d: number, n: number): void;
  copy(x: number, y: number, n: number): void;
  fill(x: number, n: number, value: number): void;
  sumSquares(x: number, n: number): number;
  lossSum(kind: number, z: number, a: number, y: number, rows: number, cols: number): number;
  lossGradient(kind: number, a: number, y: number, dA: number, rows: number, cols: number, eps: number): void;
  sumAbs(x: number, n: number): number;
  addSign(alpha: number, x: number, y: number, n: number): void;
  mul(x: number, y: number, out: number, n: number): void;
  dropout(state: number, x: number, mask: number, out: number, n: number, threshold: number, scale: number): void;
  gatherColumns(src: number, idx: number, rows: number, m: number, count: number, dst: number): void;
  gatherRows(srcT: number, idx: number, n: number, count: number, dst: number): void;
  gatherExamples(src: number, idx: number, n: number, count: number, dst: number): void;
  batchNormForward(
    z: number, gamma: number, beta: number, out: number, zhat: number, mean: number, invStd: number, runningMean: number, runningVar: number,
    rows: number, m: number, momentum: number, oneMinusMomentum: number, eps: number, training: number,
  ): void;
  batchNormBackward(dOut: number, zhat: number, gamma: number, invStd: number, dZ: number, dGamma: number, dBeta: number, rows: number, m: number): void;
  im2col(x: number, cols: number, m: number, h: number, w: number, c: number, f: number, stride: number, pad: number, outH: number, outW: number): void;
  col2im(cols: number, dx: number, m: number, h: number, w: number, c: number, f: number, stride: number, pad: number, outH: number, outW: number): void;
  channelBiasActivation(z: number, b: number, a: number, rows: number, c: number, act: number, slope: number): void;
  colSum(x: number, out: number, rows: number, cols: number, scale: number, scratch: number): void;
  transpose(x: number, out: number, rows: number, cols: number): void;
  maxPoolForward(x: number, out: number, m: number, h: number, w: number, c: number, f: number, stride: number, outH: number, outW: number): void;
  maxPoolBackward(dOut: number, x: number, dx: number, m: number, h: number, w: number, c: number, f: number, stride: number, outH: number, outW: number, relu: number): void;
  avgPoolForward(x: number, out: number, m: number, h: number, w: number, c: number, f: number, stride: number, outH: number, outW: number): void;
  avgPoolBackward(dOut: number, dx: number, m: number, h: number, w: number, c: number, f: number, stride: number, outH: number, outW: number): void;
  zeroPad(x: number, out: number, m: number, h: number, w: number, c: number, pad: number, backward: number): void;
  channelBatchNormForward(
    z: number, gamma: number, beta: number, out: number, zhat: number, mean: number, invStd: number, runningMean: number, runningVar: number,
    rows: number, c: number, momentum: number, oneMinusMomentum: number, eps: number, training: number, scratch: number,
  ): void;
  channelBatchNormBackward(
    dOut: number, zhat: number, gamma: number, invStd: number, dZ: number, dGamma: number, dBeta: number, rows: number, c: number, m: number, scratch: number,
  ): void;  lstmCellForward(g: number, b: number, cPrev: number, c: number, tanhC: number, a: number, nA: number, m: number): void;
  lstmCellBackward(g: number, cPrev: number, tanhC: number, dA: number, dC: number, dG: number, dCPrev: number, n: number): void;
  gruGatesForward(g: number, b: number, cPrev: number, rc: number, nA: number, m: number): void;
  gruCellForward(cc: number, b: number, u: number, cPrev: number, c: number, nA: number, m: number): void;
  gruCellBackward(dC: number, u: number, cc: number, cPrev: number, dCC: number, dU: number, dCPrev: number, n: number): void;
  gruGatesBackward(dRC: number, r: number, cPrev: number, dR: number, dRCPrev: number, n: number): void;
}

/** The names above, to check an instance's exports against at load time. */
export const EXPORT_NAMES: readonly (keyof WasmExports)[] = [
  'heapBase', 'gemmWorkBytes', 'gemmSplittable', 'gemm', 'gemmRange', 'gemmShared', 'update', 'updateShared', 'layerRange', 'layerShared', 'convTileBytes', 'convFilterTiles', 'sumParts',
  'packedFilterBytes', 'packFilterColumns', 'packFilterRows', 'postClaim', 'claimChunk', 'activationForward', 'activationBackward',
  'rowSum', 'subtract', 'copy', 'fill', 'sumSquares', 'lossSum', 'lossGradient', 'sumAbs', 'addSign', 'mul', 'dropout', 'gatherColumns', 'gatherRows', 'gatherExamples',
  'batchNormForward', 'batchNormBackward', 'im2col', 'col2im', 'channelBiasActivation', 'colSum', 'transpose', 'maxPoolForward', 'maxPoolBackward',
  'avgPoolForward', 'avgPoolBackward', 'zeroPad', 'channelBatchNormForward', 'channelBatchNormBackward', 'lstmCellForward', 'lstmCellBackward',
  'gruGatesForward', 'gruCellForward', 'gruCellBackward', 'gruGatesBackward',
];
