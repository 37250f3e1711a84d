/**
 * Two parameter-free sequence layers of the transformer (course 5, week 4):
 * the positional encoding added to a sequence, and the mean over its steps
 * that lets a classifier (a dense layer) follow an encoder.
 */
import type { Tensor } from '../../tensor/tensor.js';
import { fillPositionalEncoding } from '../sequence/dot-attention.js';
import { add, free } from '../sequence/views.js';
import { LayerBase, NO_GRADS, type CompileOptions, type CompiledLayer, type Layer } from './layer.js';
import { batchBuffer, flat, ViewCache, type ActivationShape, type FeatureShape, type SequenceShape } from './shape.js';
import type { GlobalAveragePool1dSpec, PositionalEncodingSpec } from './spec.js';

/**
 * x<t> + PE<t> for every step t of a sequence (d, m, T), with the course's
 * PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d)), pos = t - 1
 * (the first step is position 0, as in the course's positional_encoding).
 *
 * @example
 * ```ts
 * import { Network } from 'layerwise';
 * const net = new Network({ inputShape: { sequence: [4, 5] }, layers: [{ type: 'positionalEncoding' }, { type: 'globalAveragePool1d' }, { units: 2, activation: 'softmax' }] });
 * net.summary().includes('positionalEncoding 5x4'); // true
 * net.summary().includes('(4, m)'); // true: the pool's output
 * ```
 */
export class PositionalEncodingLayer extends LayerBase implements Layer<ActivationShape, 'positionalEncoding'> {
  readonly type = 'positionalEncoding' as const;
  readonly outputShape: SequenceShape;

  constructor(readonly inputShape: SequenceShape) {
    super();
    this.outputShape = inputShape;
  }

  compile(o: CompileOptions): CompiledLayer {
    const { be, m, dtype } = o;
    const { units: d, steps: T } = this.inputShape;
    const mT = m * T;
    const vc = new ViewCache();
    // The table (T, d), as (d, T), repeated for every example into the batch's (d, m T) layout: built once.
    const table = be.zeros([T, d], dtype);
    fillPositionalEncoding(table.data, T, d);
    const byStep = be.zeros([d, T], dtype);
    be.transpose(table, byStep);
    const pe = be.zeros([d, mT], dtype);
    const stepOf = new Int32Array(mT);
    for (let k = 0; k < mT; k++) stepOf[k] = k % T;
    be.gatherColumns(byStep, stepOf, 0, mT, pe);
    free(table, byStep);
    const out = batchBuffer(be, this.outputShape, m, dtype);
    const outM = vc.matrix(out, d, mT);
    return {
      grads: NO_GRADS,
      forward: (x) => {
        add(be, vc.matrix(x, d, mT), pe, outM);
        return out;
      },
      backward: (_x, dOut, dIn) => {
        if (dIn) be.copy(dOut, dIn);
      },
    };
  }

  toSpec(): PositionalEncodingSpec {
    return { type: 'positionalEncoding' };
  }

  describe(): string {
    return `positionalEncoding ${this.inputShape.steps}x${this.inputShape.units}`;
  }
}

/**
 * The mean over the steps of a sequence: (n, m, T) -> (n, m), a(j) = (1/T) sum over t of x<t>(j); with a
 * padding mask, the mean over example j's real steps (0 for an example without any).
 */
export class GlobalAveragePool1dLayer extends LayerBase implements Layer<ActivationShape, 'globalAveragePool1d'> {
  readonly type = 'globalAveragePool1d' as const;
  readonly outputShape: FeatureShape;

  constructor(readonly inputShape: SequenceShape) {
    super();
    this.outputShape = flat(inputShape.units);
  }

  compile(o: CompileOptions): CompiledLayer {
    const { be, m, dtype } = o;
    const { units: n, steps: T } = this.inputShape;
    const vc = new ViewCache();
    // (n, m, T) row-major is the (n m, T) matrix whose rows are the (unit, example) pairs.
    const out = batchBuffer(be, this.outputShape, m, dtype);
    const outCol = vc.matrix(out, n * m, 1);
    const ones = be.zeros([1, T], dtype);
    be.fill(ones, 1);
    const padding = o.mask ?? null;
    padding?.check(m, T, 'globalAveragePool1d');
    // With padding: each step's weight, 1 / (example j's real steps) or 0, as a (1, m T) row and broadcast to (n, m T).
    const weights = padding ? be.zeros([1, m * T], dtype) : null;
    const wide = padding ? be.zeros([n, m * T], dtype) : null;
    const onesColumn = padding ? be.zeros([n, 1], dtype) : null;
    if (onesColumn) be.fill(onesColumn, 1);
    const weighted = padding ? be.zeros([n, m * T], dtype) : null;
    // dIn is read both as (n m, T) and as (n, m T): one view cache per shape.
    const wideViews = new ViewCache();
    return {
      grads: NO_GRADS,
      forward: (x) => {
        if (!padding) {
          be.rowSum(vc.matrix(x, n * m, T), outCol, 1 / T);
          return out;
        }
        stepWeights(padding.values, m, T, weights!);
        be.matmul(onesColumn!, weights!, wide!, false, false, 1, 0);
        be.mul(vc.matrix(x, n, m * T), wide!, weighted!);
        be.rowSum(vc.matrix(weighted!, n * m, T), outCol, 1);
        return out;
      },
      backward: (_x, dOut, dIn) => {
        if (!dIn) return;
        // dx<t> = dOut / T at every step (the outer product of dOut (n m, 1) with a row of ones), or dOut times the step's weight.
        be.matmul(vc.matrix(dOut, n * m, 1), ones, vc.matrix(dIn, n * m, T), false, false, padding ? 1 : 1 / T, 0);
        if (!padding) return;
        const d = wideViews.matrix(dIn, n, m * T);
        be.mul(d, wide!, d);
      },
    };
  }

  toSpec(): GlobalAveragePool1dSpec {
    return { type: 'globalAveragePool1d' };
  }

  describe(): string {
    return `globalAveragePool1d over ${this.inputShape.steps} steps`;
  }
}

/** W[j T + t] = 1 / (example j's real steps) at a real step, 0 at a padded one. */
function stepWeights(real: Uint8Array, m: number, T: number, w: Tensor): void {
  const W = w.data;
  for (let j = 0; j < m; j++) {
    let count = 0;
    for (let t = 0; t < T; t++) count += real[j * T + t]!;
    for (let t = 0; t < T; t++) W[j * T + t] = real[j * T + t] === 1 ? 1 / count : 0;
  }
}
