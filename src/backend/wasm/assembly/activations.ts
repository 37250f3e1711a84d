// Forward and backward activation kernels. Each activation is a small final
// class whose inlined `apply` is the lane function; the generic loops below
// are instantiated once per class, so the per-element code has no branch on
// the activation kind. `changetype<F>(0)` gives a receiver without
// allocating: the methods never touch `this`.
import { expNeg, sigmoidV, tanhV } from './math';
import { load4, store4, width } from './lanes';

export const SIGMOID = 0;
export const TANH = 1;
export const RELU = 2;
export const LEAKY_RELU = 3;
export const LINEAR = 4;
export const SOFTMAX = 5;

@final class Sigmoid {
  @inline apply(z: v128, _slope: v128): v128 { return sigmoidV(z); }
  // s' = s (1 - s), from the output
  @inline grad(dA: v128, _z: v128, a: v128, _slope: v128): v128 {
    return f32x4.mul(f32x4.mul(dA, a), f32x4.sub(f32x4.splat(1), a));
  }
}

@final class Tanh {
  @inline apply(z: v128, _slope: v128): v128 { return tanhV(z); }
  @inline grad(dA: v128, _z: v128, a: v128, _slope: v128): v128 {
    return f32x4.mul(dA, f32x4.sub(f32x4.splat(1), f32x4.mul(a, a)));
  }
}

@final class Relu {
  // pmax(0, z) is 0 for z <= 0 and for NaN, like `z > 0 ? z : 0`.
  @inline apply(z: v128, _slope: v128): v128 { return f32x4.pmax(f32x4.splat(0), z); }
  @inline grad(dA: v128, z: v128, _a: v128, _slope: v128): v128 {
    return v128.and(dA, f32x4.gt(z, f32x4.splat(0)));
  }
}

@final class LeakyRelu {
  @inline apply(z: v128, slope: v128): v128 {
    return v128.bitselect(z, f32x4.mul(slope, z), f32x4.gt(z, f32x4.splat(0)));
  }
  @inline grad(dA: v128, z: v128, _a: v128, slope: v128): v128 {
    return v128.bitselect(dA, f32x4.mul(slope, dA), f32x4.gt(z, f32x4.splat(0)));
  }
}

@final class Linear {
  @inline apply(z: v128, _slope: v128): v128 { return z; }
  @inline grad(dA: v128, _z: v128, _a: v128, _slope: v128): v128 { return dA; }
}

/** Z[i, :] += b[i] (when b is not 0), then A = g(Z), row by row. */
@inline function forwardRows<F>(z: usize, b: usize, a: usize, rows: i32, cols: i32, slope: v128): void {
  const f = changetype<F>(0);
  const hasBias = b != 0;
  for (let i = 0; i < rows; i++) {
    const off = <usize>i * <usize>cols << 2;
    const zr = z + off;
    const ar = a + off;
    const bias = hasBias ? v128.load32_splat(b + (<usize>i << 2)) : f32x4.splat(0);
    for (let j = 0; j < cols; j += width(j, cols)) {
      const full = j + 4 <= cols;
      const p = <usize>j << 2;
      let v = load4(zr + p, full);
      if (hasBias) {
        v = f32x4.add(v, bias);
        store4(zr + p, v, full);
      }
      store4(ar + p, f.apply(v, slope), full);
    }
  }
}

@inline function backwardAll<F>(dA: usize, z: usize, a: usize, dZ: usize, size: i32, slope: v128): void {
  const f = changetype<F>(0);
  for (let j = 0; j < size; j += width(j, size)) {
    const full = j + 4 <= size;
    const p = <usize>j << 2;
    store4(dZ + p, f.grad(load4(dA + p, full), load4(z + p, full), load4(a + p, full), slope), full);
  }
}

/** Adds b[i] to row i of Z. */
function addBias(z: usize, b: usize, rows: i32, cols: i32): void {
  forwardRows<Linear>(z, b, z, rows, cols, f32x4.splat(0));
}

/**
 * Softmax of each column (one example per column). Four columns are handled
 * at once, so the loops over rows are plain vector loops.
 */
function softmaxColumns(z: usize, a: usize, rows: i32, cols: i32): void {
  const stride = <usize>cols << 2;
  for (let j = 0; j < cols; j += width(j, cols)) {
    const full = j + 4 <= cols;
    const zc = z + (<usize>j << 2);
    const ac = a + (<usize>j << 2);
    let max = f32x4.splat(-Infinity);
    for (let i = 0; i < rows; i++) max = f32x4.max(max, load4(zc + <usize>i * stride, full));
    let sum = f32x4.splat(0);
    for (let i = 0; i < rows; i++) {
      const e = expNeg(f32x4.sub(load4(zc + <usize>i * stride, full), max));
      sum = f32x4.add(sum, e);
      store4(ac + <usize>i * stride, e, full);
    }
    for (let i = 0; i < rows; i++) {
      const p = ac + <usize>i * stride;
      store4(p, f32x4.div(load4(p, full), sum), full);
    }
  }
}

/** dZ = a * (dA - sum_k dA_k a_k), per column: the softmax Jacobian times dA. */
function softmaxBackwardColumns(dA: usize, a: usize, dZ: usize, rows: i32, cols: i32): void {
  const stride = <usize>cols << 2;
  for (let j = 0; j < cols; j += width(j, cols)) {
    const full = j + 4 <= cols;
    const off = <usize>j << 2;
    let dot = f32x4.splat(0);
    for (let i = 0; i < rows; i++) {
      const p = off + <usize>i * stride;
      dot = f32x4.add(dot, f32x4.mul(load4(dA + p, full), load4(a + p, full)));
    }
    for (let i = 0; i < rows; i++) {
      const p = off + <usize>i * stride;
      const av = load4(a + p, full);
      store4(dZ + p, f32x4.mul(av, f32x4.sub(load4(dA + p, full), dot)), full);
    }
  }
}

/**
 * Z += b (b = 0: no bias), then A = g(Z). Without a bias the matrix is one
 * long row, which keeps short rows from paying for a tail each.
 */
export function activationForward(z: usize, b: usize, a: usize, rows: i32, cols: i32, act: i32, slope: f32): void {
  if (act == SOFTMAX) {
    if (b != 0) addBias(z, b, rows, cols);
    softmaxColumns(z, a, rows, cols);
    return;
  }
  if (b == 0) {
    if (act == LINEAR && a == z) return;
    cols = rows * cols;
    rows = 1;
  }
  const s = f32x4.splat(slope);
  switch (act) {
    case SIGMOID: forwardRows<Sigmoid>(z, b, a, rows, cols, s); break;
    case TANH: forwardRows<Tanh>(z, b, a, rows, cols, s); break;
    case RELU: forwardRows<Relu>(z, b, a, rows, cols, s); break;
    case LEAKY_RELU: forwardRows<LeakyRelu>(z, b, a, rows, cols, s); break;
    default: forwardRows<Linear>(z, b, a, rows, cols, s); break;
  }
}

/** dZ = dA * g'(Z), with A = g(Z) given. */
export function activationBackward(dA: usize, z: usize, a: usize, dZ: usize, rows: i32, cols: i32, act: i32, slope: f32): void {
  if (act == SOFTMAX) {
    softmaxBackwardColumns(dA, a, dZ, rows, cols);
    return;
  }
  if (act == LINEAR && dZ == dA) return;
  const s = f32x4.splat(slope);
  const size = rows * cols;
  switch (act) {
    case SIGMOID: backwardAll<Sigmoid>(dA, z, a, dZ, size, s); break;
    case TANH: backwardAll<Tanh>(dA, z, a, dZ, size, s); break;
    case RELU: backwardAll<Relu>(dA, z, a, dZ, size, s); break;
    case LEAKY_RELU: backwardAll<LeakyRelu>(dA, z, a, dZ, size, s); break;
    default: backwardAll<Linear>(dA, z, a, dZ, size, s); break;
  }
}
