/**
 * A dense layer applied at every time step of a sequence (Keras's
 * TimeDistributed(Dense)): the same W, b for each step, y<t> = g(W a<t> + b).
 * A sequence batch (n, m, T) is, row-major, the matrix (n, m T) whose columns
 * are the (example, step) pairs, so the layer is the dense layer itself
 * compiled for m T columns: no copy, no transpose.
 *
 * As the network's output layer (a language model's softmax at every step),
 * the cost is the loss averaged over steps and examples,
 * J = (1/(m T)) sum over j, t of L(y^<t>(j), y<t>(j)): each example's loss is
 * the mean over its steps. The dense pass over m T columns already gives
 * dW = (1/(m T)) sum dZ a^T; what it sends down, W^T dZ, is divided by T so the
 * layers below (which divide by m) see d(sum of the examples' losses)/d(input).
 * As a hidden layer, dOut already is that, so its gradients are multiplied by T.
 *
 * With a padding mask (see `StepMask`), the output layer's cost is the mean over the N real steps
 * only, J = (1/N) sum over real (j, t) of L: before the dense backward pass, dZ is multiplied by
 * m T / N at real steps and by 0 at padded ones, so the same scalings above give dW = (1/N) sum
 * over real steps and send the layers below d(m J)/d(input).
 */
import type { LossKind } from '../../backend/backend.js';
import { lossSum } from '../../backend/js/loss.js';
import { Tensor, type FloatArray } from '../../tensor/tensor.js';
import type { CompiledDense, DenseLayer } from './dense.js';
import { CompositeLayer, type CompileOptions, type CompiledLayer, type Layer } from './layer.js';
import { sequence, ViewCache, type ActivationShape, type SequenceShape } from './shape.js';
import type { TimeDistributedSpec } from './spec.js';

/** D[:, k] *= scale at real steps (mask[k] = 1), 0 at padded ones, for a (rows, m T) buffer D. */
function maskColumns(d: Tensor, mask: Uint8Array, scale: number): void {
  const D = d.data;
  const cols = mask.length;
  for (let i = 0; i < D.length; i++) D[i] = mask[i % cols] === 1 ? D[i]! * scale : 0;
}

/**
 * Scratch for the masked cost: the N real columns of (rows, m T) matrices gathered into (rows, N)
 * matrices. The views of each N are made once and kept (at most m T + 1 of them), so a batch allocates nothing.
 */
class RealColumns {
  private readonly data: [Float64Array, Float64Array, Float64Array];
  private readonly views = new Map<number, [Tensor, Tensor, Tensor]>();

  constructor(
    private readonly rows: number,
    private readonly cols: number,
  ) {
    this.data = [new Float64Array(rows * cols), new Float64Array(rows * cols), new Float64Array(rows * cols)];
  }

  /** The columns k of Z, A and Y where MASK[k] = 1, as three (rows, n) matrices. */
  gather(z: Tensor, a: Tensor, y: Tensor, mask: Uint8Array, n: number): readonly [Tensor, Tensor, Tensor] {
    gatherColumns(z.data, this.data[0], mask, this.rows, this.cols, n);
    gatherColumns(a.data, this.data[1], mask, this.rows, this.cols, n);
    gatherColumns(y.data, this.data[2], mask, this.rows, this.cols, n);
    let v = this.views.get(n);
    if (!v) {
      const size = this.rows * n;
      v = this.data.map((d) => new Tensor([this.rows, n], d.subarray(0, size))) as [Tensor, Tensor, Tensor];
      this.views.set(n, v);
    }
    return v;
  }
}

/** D (rows, n) = the columns k of S (rows, cols) where MASK[k] = 1, in order (n of them). */
function gatherColumns(S: FloatArray, D: Float64Array, mask: Uint8Array, rows: number, cols: number, n: number): void {
  let c = 0;
  for (let k = 0; k < cols; k++) {
    if (mask[k] === 0) continue;
    for (let i = 0; i < rows; i++) D[i * n + c] = S[i * cols + k]!;
    c++;
  }
}

/** A (rows, cols, T) view over a tensor's values, rebuilt when its memory moved. */
class SequenceView {
  private data: unknown = null;
  private view: Tensor | null = null;

  of(t: Tensor, shape: readonly number[]): Tensor {
    if (this.view === null || this.data !== t.data) {
      this.view = t.reshape(shape);
      this.data = t.data;
    }
    return this.view;
  }
}

/** The compiled layer, with the inner dense layer's buffers as (units, m T) matrices (the plan's output reads Z and A). */
export interface CompiledTimeDistributed extends CompiledLayer {
  readonly inner: CompiledDense;
  /**
   * The cost of the last forward pass against Y (units, m T): the loss's mean over steps and examples,
   * or, with a padding mask, over the real steps only (0 when the batch has none).
   */
  meanLoss(loss: LossKind, y: Tensor): number;
  /** How many (example, step) pairs {@link CompiledTimeDistributed.meanLoss} averaged over (the real steps with a mask). */
  readonly lossCount: number;
}

/** A dense layer over every step of a sequence (n, m, T) -> (units, m, T). */
export class TimeDistributedLayer extends CompositeLayer implements Layer<ActivationShape, 'timeDistributed'> {
  readonly type = 'timeDistributed' as const;
  readonly outputShape: SequenceShape;

  constructor(
    readonly inputShape: SequenceShape,
    /** The dense layer applied at each step (its input is flat(n)). */
    readonly dense: DenseLayer,
    /** The network's output layer: the loss reads it (see the module's comment for the scaling). */
    readonly isOutput: boolean,
  ) {
    super();
    this.outputShape = sequence(dense.units, inputShape.steps);
  }

  protected get inner(): readonly DenseLayer[] {
    return [this.dense];
  }

  compile(o: CompileOptions): CompiledTimeDistributed {
    const T = this.inputShape.steps;
    const n = this.inputShape.units;
    const units = this.dense.units;
    const mT = o.m * T;
    const inner = this.dense.compile({ ...o, m: mT });
    const vc = new ViewCache();
    const outView = new SequenceView();
    const outShape = [units, o.m, T];
    const be = o.be;
    const mask = this.isOutput ? (o.mask ?? null) : null;
    mask?.check(o.m, T, 'timeDistributed');
    // The real columns of Z, A and Y gathered side by side, for the masked cost (one call of the reference kernel).
    const real = mask ? new RealColumns(units, mT) : null;
    return {
      inner,
      grads: inner.grads,
      get lossCount() {
        return mask ? mask.real : mT;
      },
      meanLoss: (loss, y) => {
        if (!mask) return be.lossSum(loss, inner.Z, inner.A, y) / mT;
        if (mask.real === 0) return 0;
        const r = real!.gather(inner.Z, inner.A, y, mask.values, mask.real);
        return lossSum(loss, r[0], r[1], r[2]) / mask.real;
      },
      forward: (x, training, redraw) => outView.of(inner.forward(vc.matrix(x, n, mT), training, redraw), outShape),
      backward: (x, dOut, dIn, fromZ) => {
        const dInM = dIn ? vc.matrix(dIn, n, mT) : null;
        if (mask) maskColumns(dOut, mask.values, mask.real === 0 ? 0 : mT / mask.real);
        inner.backward(vc.matrix(x, n, mT), vc.matrix(dOut, units, mT), dInM, fromZ);
        if (this.isOutput) {
          if (dInM) be.axpy(1 / T - 1, dInM, dInM);
          // The dense pass added the regularization gradient over m T examples; the cost's term is over m.
          const d = this.dense;
          if (inner.dW && d.l2 > 0) be.axpy(d.l2 / o.m - d.l2 / mT, d.W, inner.dW);
          if (inner.dW && d.l1 > 0) be.addSign(d.l1 / o.m - d.l1 / mT, d.W, inner.dW);
        } else {
          const grads = inner.grads;
          for (let i = 0; i < grads.length; i++) be.axpy(T - 1, grads[i]!, grads[i]!);
        }
      },
    };
  }

  toSpec(): TimeDistributedSpec {
    return { ...this.dense.toSpec(), type: 'timeDistributed' };
  }

  describe(): string {
    return `timeDistributed ${this.dense.describe()}`;
  }
}
