import type { FloatArray } from '../../tensor/tensor.js';
import type { Activation } from '../backend.js';

/**
 * Each activation as a pair of array loops. Softmax works per column (one
 * example), so every function gets the matrix's row and column counts.
 */
interface ActivationKernels {
  forward(z: FloatArray, a: FloatArray, rows: number, cols: number, act: Activation): void;
  backward(dA: FloatArray, z: FloatArray, a: FloatArray, dZ: FloatArray, rows: number, cols: number, act: Activation): void;
}

function sigmoid(x: number): number {
  // Branch on the sign so exp never overflows.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export const activationKernels: { readonly [K in Activation['kind']]: ActivationKernels } = {
  sigmoid: {
    forward(z, a) {
      for (let i = 0; i < z.length; i++) a[i] = sigmoid(z[i] as number);
    },
    backward(dA, _z, a, dZ) {
      for (let i = 0; i < a.length; i++) {
        const s = a[i] as number;
        dZ[i] = (dA[i] as number) * s * (1 - s);
      }
    },
  },
  tanh: {
    forward(z, a) {
      for (let i = 0; i < z.length; i++) a[i] = Math.tanh(z[i] as number);
    },
    backward(dA, _z, a, dZ) {
      for (let i = 0; i < a.length; i++) {
        const t = a[i] as number;
        dZ[i] = (dA[i] as number) * (1 - t * t);
      }
    },
  },
  relu: {
    forward(z, a) {
      for (let i = 0; i < z.length; i++) {
        const v = z[i] as number;
        a[i] = v > 0 ? v : 0;
      }
    },
    backward(dA, z, _a, dZ) {
      for (let i = 0; i < z.length; i++) dZ[i] = (z[i] as number) > 0 ? (dA[i] as number) : 0;
    },
  },
  leakyRelu: {
    forward(z, a, _r, _c, act) {
      const slope = act.kind === 'leakyRelu' ? act.slope : 0.01;
      for (let i = 0; i < z.length; i++) {
        const v = z[i] as number;
        a[i] = v > 0 ? v : slope * v;
      }
    },
    backward(dA, z, _a, dZ, _r, _c, act) {
      const slope = act.kind === 'leakyRelu' ? act.slope : 0.01;
      for (let i = 0; i < z.length; i++) dZ[i] = (z[i] as number) > 0 ? (dA[i] as number) : slope * (dA[i] as number);
    },
  },
  linear: {
    forward(z, a) {
      if (a !== z) a.set(z);
    },
    backward(dA, _z, _a, dZ) {
      if (dZ !== dA) dZ.set(dA);
    },
  },
  softmax: {
    forward(z, a, rows, cols) {
      for (let j = 0; j < cols; j++) {
        let max = -Infinity;
        for (let i = 0; i < rows; i++) max = Math.max(max, z[i * cols + j] as number);
        let sum = 0;
        for (let i = 0; i < rows; i++) {
          const e = Math.exp((z[i * cols + j] as number) - max);
          a[i * cols + j] = e;
          sum += e;
        }
        for (let i = 0; i < rows; i++) a[i * cols + j] = (a[i * cols + j] as number) / sum;
      }
    },
    backward(dA, _z, a, dZ, rows, cols) {
      // Jacobian-vector product per example: dZ_i = a_i (dA_i - sum_k dA_k a_k).
      for (let j = 0; j < cols; j++) {
        let dot = 0;
        for (let i = 0; i < rows; i++) dot += (dA[i * cols + j] as number) * (a[i * cols + j] as number);
        for (let i = 0; i < rows; i++) {
          const idx = i * cols + j;
          dZ[idx] = (a[idx] as number) * ((dA[idx] as number) - dot);
        }
      }
    },
  },
};
