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
    alpha: number, beta: number, i0: number, i1: number, j0: number, j1: number, work: number,
  ): void;
  activationForward(z: number, b: number, a: number, rows: number, cols: number, act: number, slope: number): void;
  activationBackward(dA: number, z: number, a: number, dZ: number, rows: number, cols: number, act: number, slope: number): void;
  rowSum(x: number, out: number, rows: number, cols: number, scale: number): void;
  axpy(alpha: number, x: number, y: number, n: number): void;
  subtract(a: number, y: number, d: number, n: number): void;
  copy(x: number, y: number, n: number): void;
  fill(x: number, n: number, value: number): void;
  sumSquares(x: number, n: number): number;
  lossSum(kind: number, z: number, a: number, y: number, rows: number, cols: number): number;
  lossGradient(kind: number, a: number, y: number, dA: number, rows: number, cols: number, eps: number): void;
}

/** The names above, to check an instance's exports against at load time. */
export const EXPORT_NAMES: readonly (keyof WasmExports)[] = [
  'heapBase', 'gemmWorkBytes', 'gemmSplittable', 'gemm', 'gemmRange', 'activationForward', 'activationBackward',
  'rowSum', 'axpy', 'subtract', 'copy', 'fill', 'sumSquares', 'lossSum', 'lossGradient',
];
