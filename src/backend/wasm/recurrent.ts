/**
 * The fused recurrent-cell kernels (assembly/recurrent.ts) behind the Kernels
 * interface: the LSTM's pointwise step and its backward pass, the GRU's gate
 * and cell passes both ways. One pass over (n_a, m) values each: below the
 * size where the layer kernels hand work to the second thread (an LSTM of 128
 * units on 32 examples is 4K values per step), so they run on the calling thread.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Kernels } from '../backend.js';
import type { WasmExports } from './exports.js';
import type { Stager } from './staging.js';

type RecurrentKernels = Pick<Kernels, 'lstmCellForward' | 'lstmCellBackward' | 'gruGatesForward' | 'gruCellForward' | 'gruCellBackward' | 'gruGatesBackward'>;

/**
 * The recurrent kernels on the module. Inputs are staged before outputs (the stager's rule); each
 * call cleans the stager up in a `finally` (no closure per call: a training step allocates nothing).
 */
export function createRecurrentKernels(ex: WasmExports, stager: Stager): RecurrentKernels {
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

    gruGatesForward(gates: Tensor, b: Tensor, cPrev: Tensor, rc: Tensor): void {
      try {
        const pg = stager.output(gates, true);
        const pb = stager.input(b);
        const pp = stager.input(cPrev);
        ex.gruGatesForward(pg, pb, pp, stager.output(rc, false), cPrev.rows, cPrev.cols);
      } finally {
        stager.finish();
      }
    },

    gruCellForward(cc: Tensor, b: Tensor, u: Tensor, cPrev: Tensor, c: Tensor): void {
      try {
        const pcc = stager.output(cc, true);
        const pb = stager.input(b);
        const pu = stager.input(u);
        const pp = stager.input(cPrev);
        ex.gruCellForward(pcc, pb, pu, pp, stager.output(c, false), cc.rows, cc.cols);
      } finally {
        stager.finish();
      }
    },

    gruCellBackward(dC: Tensor, u: Tensor, cc: Tensor, cPrev: Tensor, dCC: Tensor, dU: Tensor, dCPrev: Tensor): void {
      try {
        const pd = stager.input(dC);
        const pu = stager.input(u);
        const pcc = stager.input(cc);
        const pp = stager.input(cPrev);
        const pdcc = stager.output(dCC, false);
        const pdu = stager.output(dU, false);
        ex.gruCellBackward(pd, pu, pcc, pp, pdcc, pdu, stager.output(dCPrev, false), dC.size);
      } finally {
        stager.finish();
      }
    },

    gruGatesBackward(dRC: Tensor, r: Tensor, cPrev: Tensor, dR: Tensor, dRCPrev: Tensor): void {
      try {
        const pd = stager.input(dRC);
        const pr = stager.input(r);
        const pp = stager.input(cPrev);
        const pdr = stager.output(dR, false);
        ex.gruGatesBackward(pd, pr, pp, pdr, stager.output(dRCPrev, false), dRC.size);
      } finally {
        stager.finish();
      }
    },
  };
}
