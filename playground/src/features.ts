/**
 * Input features computed from the two coordinates (TensorFlow Playground's
 * x1, x2, x1², x2², x1x2, sin x1, sin x2), laid out as the course's X with
 * one column per example.
 */
import type { Domain } from './datasets.js';
import type { FeatureName } from './state.js';

export const FEATURE_FNS: Readonly<Record<FeatureName, (a: number, b: number) => number>> = {
  x1: (a) => a,
  x2: (_a, b) => b,
  x1sq: (a) => a * a,
  x2sq: (_a, b) => b * b,
  x1x2: (a, b) => a * b,
  sinx1: (a) => Math.sin(a),
  sinx2: (_a, b) => Math.sin(b),
};

/** X of shape (features, m), row-major: row f holds feature f of every example. */
export function featureMatrix(features: readonly FeatureName[], x1: ArrayLike<number>, x2: ArrayLike<number>): Float32Array {
  const m = x1.length;
  const out = new Float32Array(features.length * m);
  features.forEach((f, r) => {
    const fn = FEATURE_FNS[f];
    for (let j = 0; j < m; j++) out[r * m + j] = fn(x1[j]!, x2[j]!);
  });
  return out;
}

/**
 * The coordinates of an n x n grid over the domain, row by row from the top
 * (largest x2) so index i * n + j is pixel (row i, column j) of the heatmap.
 */
export function gridPoints(n: number, d: Domain): { x1: Float64Array; x2: Float64Array } {
  const x1 = new Float64Array(n * n);
  const x2 = new Float64Array(n * n);
  const step = (d.max - d.min) / (n - 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      x1[i * n + j] = d.min + j * step;
      x2[i * n + j] = d.max - i * step;
    }
  }
  return { x1, x2 };
}
