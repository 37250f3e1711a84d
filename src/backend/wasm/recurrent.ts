/**
 * The fused LSTM cell kernels (assembly/recurrent.ts) behind the Kernels
 * interface. One pass over (n_a, m) values each: below the size where the
 * layer kernels hand work to the second thread (an LSTM of 128 units on 32
 * examples is 4K values per step), so they run on the calling thread.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Kernels } from '../backend.js';
import type { WasmExports } from './exports.js';
import type { Stager } from './staging.js';

/** lstmCellForward and lstmCellBackward on the module. */
export function createRecurrentKernels(ex: WasmExports, stager: Stager): Pick<Kernels, 'lstmCellForward' | 'lstmCellBackward'> {
  return {
    lstmCellForward(gates: Tensor, b: Tensor, cPrev: Tensor, c: Tensor, tanhC: Tensor, a: Tensor): void {
      try {
        const pg = stager.output(gates, true);
        const pb = stager.input(b);
        const pp = stager.input(cPrev);
        const pc = stager.output(c, false);
        const pt = stager.output(tanhC, false);
        ex.lstmCellForward(pg, pb, pp, pc, pt, stager.output(a, false), c.rows, c.cols);
      } finally {
        stager.finish();
      }
    },

    lstmCellBackward(gates: Tensor, cPrev: Tensor, tanhC: Tensor, dA: Tensor, dC: Tensor, dG: Tensor, dCPrev: Tensor): void {
      try {
        const pg = stager.input(gates);
        const pp = stager.input(cPrev);
        const pt = stager.input(tanhC);
        const pa = stager.input(dA);
        const pc = stager.input(dC);
        const pd = stager.output(dG, false);
        ex.lstmCellBackward(pg, pp, pt, pa, pc, pd, stager.output(dCPrev, false), tanhC.size);
      } finally {
        stager.finish();
      }
    },
  };
}
