import type { Tensor } from '../../tensor/tensor.js';
import type { Activation } from '../backend.js';
import { activationKernels } from './activations.js';

/** Z += b broadcast over columns, then A = g(Z). */
export function biasActivation(z: Tensor, b: Tensor, a: Tensor, act: Activation): void {
  const Z = z.data;
  const B = b.data;
  const rows = z.rows;
  const cols = z.cols;
  for (let i = 0; i < rows; i++) {
    const bi = B[i] as number;
    const off = i * cols;
    for (let j = 0; j < cols; j++) Z[off + j] = (Z[off + j] as number) + bi;
  }
  activationKernels[act.kind].forward(Z, a.data, rows, cols, act);
}

/** A = g(Z). */
export function activation(z: Tensor, a: Tensor, act: Activation): void {
  activationKernels[act.kind].forward(z.data, a.data, z.rows, z.cols, act);
}

/** dZ = dA * g'(Z). */
export function activationBackward(dA: Tensor, z: Tensor, a: Tensor, dZ: Tensor, act: Activation): void {
  activationKernels[act.kind].backward(dA.data, z.data, a.data, dZ.data, z.rows, z.cols, act);
}

/** out[i] = scale * sum_j X[i, j]. */
export function rowSum(x: Tensor, out: Tensor, scale: number): void {
  const X = x.data;
  const O = out.data;
  const rows = x.rows;
  const cols = x.cols;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const off = i * cols;
    for (let j = 0; j < cols; j++) s += X[off + j] as number;
    O[i] = scale * s;
  }
}

/** Y += alpha * X. */
export function axpy(alpha: number, x: Tensor, y: Tensor): void {
  const X = x.data;
  const Y = y.data;
  for (let i = 0; i < Y.length; i++) Y[i] = (Y[i] as number) + alpha * (X[i] as number);
}

/** Y = X. */
export function copy(x: Tensor, y: Tensor): void {
  y.data.set(x.data);
}

/** X = value everywhere. */
export function fill(x: Tensor, value: number): void {
  x.data.fill(value);
}

/** sum of squares of all elements. */
export function sumSquares(x: Tensor): number {
  const X = x.data;
  let s = 0;
  for (let i = 0; i < X.length; i++) s += (X[i] as number) * (X[i] as number);
  return s;
}
