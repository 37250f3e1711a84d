/**
 * Parameter updates on the wasm kernels (axpy, as gradient descent uses it,
 * and the momentum, RMSprop and Adam steps), shared with the worker for
 * large tensors. Chunks are runs of values in memory order; the worker
 * claims from the back, so it updates the bottom rows of a weight matrix,
 * the rows it computed in the shared GEMMs of the same step (see
 * matmul.ts), and they stay in its core's cache. Each value's update is the
 * same arithmetic on either thread: results are bit-identical to one thread.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Kernels } from '../backend.js';
import type { WasmExports } from './exports.js';
import type { ShareGovernor } from './governor.js';
import { UPDATE_KINDS, type UpdateKind } from './protocol.js';
import { settleShared, SHARED_CHUNKS } from './share.js';
import type { Stager } from './staging.js';
import type { ThreadControl } from './threads.js';

/**
 * Below this many values an update stays on one thread. Measured on MNIST's
 * 784 x 128 weights (100K values): shared, the update also stops fetching
 * the worker's rows of dW from the other core (the main thread's Adam step
 * ran 2.4x slower after a shared GEMM when it did it all).
 */
export const UPDATE_PARALLEL_MIN = 16 * 1024;

type UpdateKernels = Pick<Kernels, 'axpy' | 'momentumUpdate' | 'rmspropUpdate' | 'adamUpdate'>;

/** The four update kernels over the given exports, stager, threads and sharing governor. */
export function createUpdates(ex: WasmExports, stager: Stager, threads: ThreadControl, governor: ShareGovernor): UpdateKernels {
  /** Runs one update (its tensors already staged) on one or two threads. */
  function run(
    kind: UpdateKind, w: number, g: number, s1: number, s2: number, n: number,
    h0: number, h1: number, h2: number, h3: number, h4: number, h5: number, h6: number, h7: number,
  ): void {
    const available = n >= UPDATE_PARALLEL_MIN ? threads.current() : null;
    const worker = available !== null && governor.shouldShare(n) ? available : null;
    if (!worker) {
      ex.update(kind, w, g, s1, s2, n, h0, h1, h2, h3, h4, h5, h6, h7);
      return;
    }
    // Chunks of whole float32x4 groups, so every value takes the same vector path as on one thread.
    const chunk = Math.ceil(n / (4 * SHARED_CHUNKS)) * 4;
    const chunks = Math.ceil(n / chunk);
    const task = worker.postUpdate(chunks, kind, w, g, s1, s2, n, h0, h1, h2, h3, h4, h5, h6, h7, chunk);
    const start = performance.now();
    let mine = -1;
    try {
      mine = ex.updateShared(kind, w, g, s1, s2, n, h0, h1, h2, h3, h4, h5, h6, h7, chunk, worker.claimAddress, task, 0);
    } finally {
      settleShared(worker, governor, chunks, mine, start);
    }
  }

  return {
    axpy(alpha: number, x: Tensor, y: Tensor): void {
      try {
        const px = stager.input(x);
        run(UPDATE_KINDS.axpy, stager.output(y, true), px, 0, 0, y.size, alpha, 0, 0, 0, 0, 0, 0, 0);
      } finally {
        stager.finish();
      }
    },

    momentumUpdate(param: Tensor, grad: Tensor, v: Tensor, learningRate: number, beta: number): void {
      try {
        const pg = stager.input(grad);
        run(UPDATE_KINDS.momentum, stager.output(param, true), pg, stager.output(v, true), 0, param.size, learningRate, beta, 1 - beta, 0, 0, 0, 0, 0);
      } finally {
        stager.finish();
      }
    },

    rmspropUpdate(param: Tensor, grad: Tensor, s: Tensor, learningRate: number, beta2: number, epsilon: number): void {
      try {
        const pg = stager.input(grad);
        run(UPDATE_KINDS.rmsprop, stager.output(param, true), pg, stager.output(s, true), 0, param.size, learningRate, beta2, 1 - beta2, epsilon, 0, 0, 0, 0);
      } finally {
        stager.finish();
      }
    },

    adamUpdate(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, learningRate: number, beta1: number, beta2: number, epsilon: number, step: number): void {
      try {
        const pg = stager.input(grad);
        const pw = stager.output(param, true);
        const pm = stager.output(m, true);
        const pv = stager.output(v, true);
        // The bias corrections are per step: computed once here, as the reference does.
        const c1 = 1 - Math.pow(beta1, step);
        const c2 = 1 - Math.pow(beta2, step);
        run(UPDATE_KINDS.adam, pw, pg, pm, pv, param.size, learningRate, beta1, 1 - beta1, beta2, 1 - beta2, epsilon, c1, c2);
      } finally {
        stager.finish();
      }
    },
  };
}
