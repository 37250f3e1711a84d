/**
 * Runs every kernel a few times at load. V8 first compiles wasm with its
 * baseline compiler (several times slower for these loops) and tiers a
 * function up only after it has run for a while; warming up here moves that
 * cost out of the first training steps.
 */
import type { Activation, Backend, LossKind } from '../backend.js';

const ACTIVATIONS: readonly Activation[] = [
  { kind: 'sigmoid' }, { kind: 'tanh' }, { kind: 'relu' }, { kind: 'leakyRelu', slope: 0.01 }, { kind: 'linear' }, { kind: 'softmax' },
];
const LOSSES: readonly LossKind[] = ['binaryCrossEntropy', 'meanSquaredError', 'categoricalCrossEntropy'];

/** Calls every kernel `rounds` times on small tensors of `backend`'s own memory. */
export function warmUp(backend: Backend, rounds = 12): void {
  const n = 48;
  const a = backend.zeros([n, n], 'float32');
  const b = backend.zeros([n, n], 'float32');
  const c = backend.zeros([n, n], 'float32');
  const d = backend.zeros([n, n], 'float32');
  const col = backend.zeros([n, 1], 'float32');
  const out = backend.zeros([n, 1], 'float32');
  backend.fill(a, 0.5);
  backend.fill(b, 0.25);
  for (let r = 0; r < rounds; r++) {
    backend.matmul(a, b, c, false, false, 1, 0);
    backend.matmul(a, b, c, false, true, 1, 1);
    backend.matmul(a, b, c, true, false, 1, 0);
    backend.matmul(a, col, out, false, false, 1, 0);
    for (const act of ACTIVATIONS) {
      backend.biasActivation(c, col, d, act);
      backend.activation(c, d, act);
      backend.activationBackward(a, c, d, b, act);
    }
    backend.rowSum(c, col, 1 / n);
    backend.axpy(-0.01, a, b);
    backend.copy(a, d);
    backend.fill(d, 0.5);
    for (const loss of LOSSES) {
      backend.lossSum(loss, c, d, a);
      backend.lossGradient(loss, d, a, b);
    }
    backend.outputDelta(d, a, b);
    backend.sumSquares(a);
  }
}
