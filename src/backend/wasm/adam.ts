/**
 * The Adam step on the wasm kernels, shared with the worker for large
 * parameter tensors. Chunks are runs of parameters in memory order; the
 * worker claims from the back, so it updates the bottom rows of a weight
 * matrix, the rows it computed in the shared GEMMs of the same step (see
 * matmul.ts). Each parameter's update is the same arithmetic on either
 * thread: results are bit-identical to one thread.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Kernels } from '../backend.js';
import type { WasmExports } from './exports.js';
import type { ShareGovernor } from './governor.js';
import { settleShared, SHARED_CHUNKS } from './share.js';
import type { Stager } from './staging.js';
import type { ThreadControl } from './threads.js';

/** Below this many parameters an Adam step stays on one thread (about 10 us of work). */
export const ADAM_PARALLEL_MIN = 16 * 1024;

/** The adamUpdate kernel over the given exports, stager, threads and sharing governor. */
export function createAdam(ex: WasmExports, stager: Stager, threads: ThreadControl, governor: ShareGovernor): Kernels['adamUpdate'] {
  return function adamUpdate(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, learningRate: number, beta1: number, beta2: number, epsilon: number, step: number): void {
    const n = param.size;
    const worker = n >= ADAM_PARALLEL_MIN && governor.shouldShare() ? threads.current() : null;
    try {
      const pg = stager.input(grad);
      const pw = stager.output(param, true);
      const pm = stager.output(m, true);
      const pv = stager.output(v, true);
      // The bias corrections are per step: computed once here, as the reference does.
      const c1 = 1 - Math.pow(beta1, step);
      const c2 = 1 - Math.pow(beta2, step);
      if (!worker) {
        ex.adamUpdate(pw, pg, pm, pv, n, learningRate, beta1, 1 - beta1, beta2, 1 - beta2, epsilon, c1, c2);
        return;
      }
      // Chunks of whole float32x4 groups, so every parameter takes the same vector path as on one thread.
      const chunk = Math.ceil(n / (4 * SHARED_CHUNKS)) * 4;
      const chunks = Math.ceil(n / chunk);
      const task = worker.postAdam(chunks, pw, pg, pm, pv, n, learningRate, beta1, 1 - beta1, beta2, 1 - beta2, epsilon, c1, c2, chunk);
      const start = performance.now();
      let mine = -1;
      try {
        mine = ex.adamShared(pw, pg, pm, pv, n, learningRate, beta1, 1 - beta1, beta2, 1 - beta2, epsilon, c1, c2, chunk, worker.claimAddress, task, 0);
      } finally {
        settleShared(worker, governor, chunks, mine, start);
      }
    } finally {
      stager.finish();
    }
  };
}
