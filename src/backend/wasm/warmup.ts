/**
 * Runs every kernel a few times at load. V8 first compiles wasm with its
 * baseline compiler (several times slower for these loops) and tiers a
 * function up only after it has run for a while; warming up here moves that
 * cost out of the first training steps.
 */
import { Tensor } from '../../tensor/tensor.js';
import type { Activation, Backend, LossKind, WindowGeometry } from '../backend.js';

const ACTIVATIONS: readonly Activation[] = [
  { kind: 'sigmoid' }, { kind: 'tanh' }, { kind: 'relu' }, { kind: 'leakyRelu', slope: 0.01 }, { kind: 'linear' }, { kind: 'softmax' },
];
const LOSSES: readonly LossKind[] = ['binaryCrossEntropy', 'meanSquaredError', 'categoricalCrossEntropy'];
const RELU: Activation = { kind: 'relu' };

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
  // One channel with 8 filters (4 x 8 tiles, windows one float apart), 8 channels with 16 (2 x 16).
  const conv = [convBuffers(backend, 1, 8), convBuffers(backend, 8, 16)];
  // An LSTM's and a GRU's cell of 12 units on n examples: gates (4 x 12 and 2 x 12, n), five (12, n) states.
  const gates = backend.zeros([n, n], 'float32');
  const dGates = backend.zeros([n, n], 'float32');
  const cell = Array.from({ length: 5 }, () => backend.zeros([n / 4, n], 'float32'));
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
    warmUpConvolutions(backend, conv);
    warmUpRecurrent(backend, gates, dGates, col, cell as [Tensor, Tensor, Tensor, Tensor, Tensor]);
  }
}

/** The fused LSTM and GRU cell kernels, forward and backward, on small buffers (values stay finite: gates in (0, 1)). */
function warmUpRecurrent(backend: Backend, gates: Tensor, dGates: Tensor, b: Tensor, [s0, s1, s2, s3, s4]: [Tensor, Tensor, Tensor, Tensor, Tensor]): void {
  const nA = s0.rows;
  const half = new Tensor([2 * nA, gates.cols], gates.data.subarray(0, 2 * nA * gates.cols));
  const gruB = new Tensor([2 * nA, 1], b.data.subarray(0, 2 * nA));
  const cB = new Tensor([nA, 1], b.data.subarray(0, nA));
  backend.fill(gates, 0.5);
  backend.lstmCellForward(gates, b, s0, s1, s2, s3);
  backend.lstmCellBackward(gates, s0, s2, s3, s1, dGates, s4);
  backend.fill(gates, 0.5);
  backend.gruGatesForward(half, gruB, s0, s1);
  backend.gruCellForward(s2, cB, s1, s0, s3);
  backend.gruCellBackward(s3, s1, s2, s0, s4, s1, s3);
  backend.gruGatesBackward(s4, s1, s0, s2, s4);
}

/** The buffers of a small convolutional layer: both tile shapes of each kernel, and 2 x 2 max pooling over a ReLU's output. */
interface ConvBuffers {
  readonly g: WindowGeometry;
  readonly pool: WindowGeometry;
  readonly x: Tensor;
  readonly w: Tensor;
  readonly b: Tensor;
  readonly z: Tensor;
  readonly dw: Tensor;
  readonly dx: Tensor;
  readonly pooled: Tensor;
  readonly db: Tensor;
}

function convBuffers(backend: Backend, c: number, filters: number): ConvBuffers {
  // 2 x 12 x 12 x c, 5 x 5 filters: 8 x 8 outputs, pooled to 4 x 4.
  const g: WindowGeometry = { m: 2, h: 12, w: 12, c, f: 5, stride: 1, pad: 0, outH: 8, outW: 8 };
  const pool: WindowGeometry = { m: 2, h: 8, w: 8, c: filters, f: 2, stride: 2, pad: 0, outH: 4, outW: 4 };
  const t = (shape: readonly number[]): Tensor => backend.zeros(shape, 'float32');
  const x = t([2, 12, 12, c]);
  backend.fill(x, 0.5);
  const w = t([5, 5, c, filters]);
  backend.fill(w, 0.1);
  return { g, pool, x, w, b: t([1, filters]), z: t([2, 8, 8, filters]), dw: t(w.shape), dx: t(x.shape), pooled: t([2, 4, 4, filters]), db: t([1, filters]) };
}

function warmUpConvolutions(backend: Backend, layers: readonly ConvBuffers[]): void {
  for (const l of layers) {
    backend.convForward(l.x, l.w, l.b, l.z, l.z, RELU, l.g);
    backend.maxPoolForward(l.z, l.pooled, l.pool);
    backend.maxPoolBackward(l.pooled, l.z, l.z, l.pool, true);
    backend.colSum(l.z.reshape([128, l.b.size]), l.db, 0.5);
    backend.convFilterGradient(l.x, l.z, l.dw, 0.5, l.g);
    backend.convInputGradient(l.z, l.w, l.dx, l.g);
  }
}
