/**
 * Workload 2: the course's planar classifier. 2-4-1 tanh/sigmoid, weights
 * randn * 0.01 (layerwise `init: 'random', seed: 2`), biases 0, learning
 * rate 1.2, full-batch gradient descent on `makeFlower({ m: 400, seed: 1 })`.
 */
import { arraysToLayers, layersToArrays, loadArrays, need, saveArrays, type LayerInit, type Matrix } from '../shared/fixtures.js';

export const PLANAR = {
  layers: [2, 4, 1],
  m: 400,
  learningRate: 1.2,
  iterations: 10_000,
  dataSeed: 1,
  initSeed: 2,
} as const;

export interface PlanarFixture {
  init: LayerInit[];
  X: Matrix;
  Y: Matrix;
}

export function savePlanarFixture(f: PlanarFixture): void {
  saveArrays('planar', { ...layersToArrays(f.init), X: f.X, Y: f.Y });
}

export function loadPlanarFixture(): PlanarFixture {
  const a = loadArrays('planar');
  return { init: arraysToLayers(a), X: need(a, 'X'), Y: need(a, 'Y') };
}

/** Mean binary cross-entropy from the logits z (1, m), as layerwise computes it: softplus(z) - y z. */
export function bceFromLogits(z: Float32Array, y: Float32Array): number {
  let sum = 0;
  for (let j = 0; j < z.length; j++) {
    const v = z[j]!;
    const softplus = v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
    sum += softplus - y[j]! * v;
  }
  return sum / z.length;
}

/** The fraction of examples whose logit has the label's sign (sigmoid > 0.5 <=> z > 0). */
export function logitAccuracy(z: Float32Array, y: Float32Array): number {
  let right = 0;
  for (let j = 0; j < z.length; j++) if ((z[j]! > 0 ? 1 : 0) === y[j]) right++;
  return right / z.length;
}
