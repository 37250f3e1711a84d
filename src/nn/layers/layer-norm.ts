/**
 * Layer normalization (course 5, week 4: the transformer's "add & norm"): each
 * example's (and each step's) n features are normalized by their own mean and
 * variance, then scaled and shifted per feature:
 *   mu = mean_i x_i,  var = mean_i (x_i - mu)^2,  xhat = (x - mu) / sqrt(var + epsilon),
 *   y = gamma * xhat + beta   (gamma, beta (n, 1)).
 * Unlike batch normalization nothing depends on the other examples, so training
 * and inference compute the same thing and there are no running statistics.
 *
 * A batch (n, m) or a sequence batch (n, m, T) is the matrix (n, m T) whose
 * columns are the (example, step) pairs: the statistics are those of each
 * column. The per-channel batch-normalization kernels compute exactly these
 * (each "channel" is a column, its "pixels" are the n features) when given
 * gamma = 1, beta = 0 per column; gamma and beta per feature then apply as a
 * product with gamma broadcast over the columns and a bias.
 */
import type { Activation, Backend } from '../../backend/backend.js';
import type { DType, Tensor } from '../../tensor/tensor.js';
import { LayerBase, NO_GRADS, type CompileOptions, type CompiledLayer, type Layer, type NamedTensor } from './layer.js';
import { batchBuffer, featureCount, ViewCache, type ActivationShape } from './shape.js';
import type { LayerNormSpec } from './spec.js';

const LINEAR: Activation = { kind: 'linear' };

/** The default epsilon, the course's LayerNormalization(epsilon=1e-6). */
export const LAYER_NORM_EPSILON = 1e-6;

/**
 * Layer normalization of a flat (n, m) or sequence (n, m, T) activation over its n features.
 *
 * @example
 * ```ts
 * import { Network } from 'layerwise';
 * const net = new Network({ inputSize: 3, layers: [{ type: 'layerNorm' }, { units: 2, activation: 'softmax' }], dtype: 'float64' });
 * Object.keys(net.parameters).join() === 'gamma1,beta1,W2,b2'; // true
 * // Every example is normalized on its own: scaling and shifting its features changes nothing.
 * const a = net.predict([[1], [2], [4]]), b = net.predict([[13], [23], [43]]);
 * Math.abs(a.get(0, 0) - b.get(0, 0)) < 1e-6; // true
 * ```
 */
export class LayerNormLayer extends LayerBase implements Layer<ActivationShape, 'layerNorm'> {
  readonly type = 'layerNorm' as const;
  readonly outputShape: ActivationShape;
  /** n, the features normalized together. */
  readonly units: number;
  /** gamma<l> (n, 1), starting at 1. */
  readonly gamma: Tensor;
  /** beta<l> (n, 1), starting at 0. */
  readonly beta: Tensor;

  constructor(
    readonly inputShape: ActivationShape & { kind: 'flat' | 'sequence' },
    readonly epsilon: number,
    /** Its course number l (gamma<l>, beta<l>). */
    readonly number: number,
    be: Backend,
    dtype: DType,
  ) {
    super();
    this.outputShape = inputShape;
    this.units = inputShape.units;
    this.gamma = be.zeros([this.units, 1], dtype);
    this.gamma.data.fill(1);
    this.beta = be.zeros([this.units, 1], dtype);
  }

  override get params(): readonly NamedTensor[] {
    return [
      { name: `gamma${this.number}`, tensor: this.gamma },
      { name: `beta${this.number}`, tensor: this.beta },
    ];
  }

  compile(o: CompileOptions): CompiledLayer {
    const { be, m, dtype, withBackward } = o;
    const n = this.units;
    const cols = featureCount(this.inputShape) / n * m;
    const z = (rows: number, c: number): Tensor => be.zeros([rows, c], dtype);
    const vc = new ViewCache();
    const out = batchBuffer(be, this.outputShape, m, dtype);
    const outM = vc.matrix(out, n, cols);
    const xhat = z(n, cols);
    // Per column: the kernel's gamma = 1, beta = 0, and the statistics it writes (the running ones unused).
    const ones = z(1, cols);
    be.fill(ones, 1);
    const zeroRow = z(1, cols);
    const [mean, invStd, runningMean, runningVar] = [z(1, cols), z(1, cols), z(1, cols), z(1, cols)];
    // gamma broadcast over the columns (one gather per pass: gamma changes between steps).
    const gammaWide = z(n, cols);
    const firstColumn = new Int32Array(cols);
    const learn = withBackward && this.trainable;
    const grads = learn ? [z(n, 1), z(n, 1)] : NO_GRADS;
    const tmp = withBackward ? z(n, cols) : null;
    const [dOnes, dZeros] = withBackward ? [z(1, cols), z(1, cols)] : [null, null];
    const eps = this.epsilon;
    return {
      grads,
      forward: (x) => {
        be.channelBatchNormForward(vc.matrix(x, n, cols), ones, zeroRow, outM, xhat, mean, invStd, runningMean, runningVar, 0, eps, true);
        be.gatherColumns(this.gamma, firstColumn, 0, cols, gammaWide);
        be.mul(xhat, gammaWide, outM);
        be.biasActivation(outM, this.beta, outM, LINEAR);
        return out;
      },
      backward: (_x, dOut, dIn) => {
        const dY = vc.matrix(dOut, n, cols);
        if (learn) {
          // dgamma = (1/m) sum over columns of dY xhat; dbeta = (1/m) sum of dY.
          be.mul(dY, xhat, tmp!);
          be.rowSum(tmp!, grads[0]!, 1 / m);
          be.rowSum(dY, grads[1]!, 1 / m);
        }
        if (!dIn) return;
        // dxhat = gamma dY, then the normalization's backward per column (its gamma = 1).
        be.mul(dY, gammaWide, tmp!);
        be.channelBatchNormBackward(tmp!, xhat, ones, invStd, vc.matrix(dIn, n, cols), dOnes!, dZeros!, 1);
      },
    };
  }

  toSpec(): LayerNormSpec {
    const spec: LayerNormSpec = { type: 'layerNorm' };
    if (this.epsilon !== LAYER_NORM_EPSILON) spec.epsilon = this.epsilon;
    if (!this.trainable) spec.trainable = false;
    return spec;
  }

  describe(): string {
    return `layerNorm ${this.units}`;
  }
}
