/**
 * The dense layer, and the course's dense-layer math once for both the
 * functional API and the Network: forward Z = W A_prev + b, A = g(Z); backward
 * dW = (1/m) dZ A_prev^T, db = (1/m) sum over examples of dZ, dA_prev = W^T dZ.
 */
import type { Activation, Backend } from '../../backend/backend.js';
import type { Rng } from '../../random/rng.js';
import type { DType, Tensor } from '../../tensor/tensor.js';
import { activationToSpec } from '../activations.js';
import { initializeWeights, type Initializer } from '../initializers.js';
import type { LossInfo } from '../losses.js';
import { BatchNormPass, batchNormNames, makeBatchNormState, type BatchNormSettings, type BatchNormState } from './batch-norm.js';
import { LayerBase, type CompileOptions, type CompiledLayer, type Layer, type NamedTensor, type RegularizedWeight } from './layer.js';
import { flat, type FeatureShape } from './shape.js';
import type { DenseSpec } from './spec.js';

/** Z = W Aprev + b; A = g(Z). Z keeps the pre-activation (the activation cache). */
export function denseForward(be: Backend, w: Tensor, b: Tensor, aPrev: Tensor, z: Tensor, a: Tensor, act: Activation): void {
  be.matmul(w, aPrev, z, false, false, 1, 0);
  be.biasActivation(z, b, a, act);
}

/**
 * From dZ of a layer: dW = (1/m) dZ Aprev^T and db = (1/m) rowsum(dZ) (each
 * skipped when null: batch-normalized layers have no b, frozen layers no
 * gradients), and dAprev = W^T dZ when asked for (the first layer does not need it).
 */
export function denseBackward(be: Backend, dZ: Tensor, aPrev: Tensor, w: Tensor, dW: Tensor | null, db: Tensor | null, dAPrev: Tensor | null): void {
  const m = dZ.cols;
  if (dW) be.matmul(dZ, aPrev, dW, false, true, 1 / m, 0);
  if (db) be.rowSum(dZ, db, 1 / m);
  if (dAPrev) be.matmul(w, dZ, dAPrev, true, false, 1, 0);
}

/**
 * dZ[L] of the output this. For sigmoid + BCE and softmax + CCE this is
 * exactly A - Y (no division by A, so saturated outputs stay finite);
 * otherwise dA = dL/dA flows through g'.
 */
export function outputGradient(be: Backend, loss: LossInfo, act: Activation, z: Tensor, a: Tensor, y: Tensor, dZ: Tensor): void {
  if (loss.fusedWith === act.kind) {
    be.outputDelta(a, y, dZ);
  } else {
    be.lossGradient(loss.kind, a, y, dZ);
    be.activationBackward(dZ, z, a, dZ, act);
  }
}

/** Adds the regularization gradients of W to dW: (lambda2 / m) W and (lambda1 / m) sign(W). */
export function regularizationGradient(be: Backend, r: RegularizedWeight, dW: Tensor, m: number): void {
  if (r.l2 > 0) be.axpy(r.l2 / m, r.W, dW);
  if (r.l1 > 0) be.addSign(r.l1 / m, r.W, dW);
}

/** What a dense layer is made of, resolved and checked by the builder. */
export interface DenseOptions {
  readonly units: number;
  readonly activation: Activation;
  readonly init: Initializer;
  readonly keepProb: number;
  readonly batchNorm: boolean;
  readonly l2: number;
  readonly l1: number;
  /** Its course number l (W<l>, b<l>). */
  readonly number: number;
}

/** A dense layer compiled for a batch: its buffers and passes. */
export interface CompiledDense extends CompiledLayer {
  /** Z[l] and A[l] (before dropout). */
  readonly Z: Tensor;
  readonly A: Tensor;
  /** What the next layer reads: A[l] after dropout (a separate buffer only with a dropout mask). */
  readonly out: Tensor;
  /** The dropout mask (0 or 1/keepProb), or null. */
  readonly mask: Tensor | null;
  readonly dW: Tensor | null;
  readonly db: Tensor | null;
  readonly dGamma: Tensor | null;
  readonly dBeta: Tensor | null;
}

/**
 * A dense layer of the course: Z[l] = W[l] A[l-1] + b[l] (or batch-normalized),
 * A[l] = g[l](Z[l]), then inverted dropout on A[l] while training.
 */
export class DenseLayer extends LayerBase implements Layer {
  readonly type = 'dense' as const;
  readonly units: number;
  readonly activation: Activation;
  readonly init: Initializer;
  /** W[l], (n[l], n[l-1]). */
  readonly W: Tensor;
  /** b[l], (n[l], 1); null when batch normalization's beta[l] takes its place. */
  readonly b: Tensor | null;
  /** Dropout keep probability of A[l] while training (1 = no dropout). */
  readonly keepProb: number;
  readonly l2: number;
  readonly l1: number;
  /** Batch normalization, or null. */
  readonly bn: BatchNormState | null;
  readonly outputShape: FeatureShape;
  readonly number: number;

  constructor(
    readonly inputShape: FeatureShape & { kind: 'flat' },
    o: DenseOptions,
    private readonly bnSettings: BatchNormSettings,
    be: Backend,
    dtype: DType,
    rng: Rng,
  ) {
    super();
    this.units = o.units;
    this.activation = o.activation;
    this.init = o.init;
    this.keepProb = o.keepProb;
    this.l2 = o.l2;
    this.l1 = o.l1;
    this.number = o.number;
    this.outputShape = flat(o.units);
    const fanIn = inputShape.units;
    this.W = be.zeros([o.units, fanIn], dtype);
    initializeWeights(this.W.data, fanIn, o.init, rng);
    this.bn = o.batchNorm ? makeBatchNormState(be, this.outputShape, dtype) : null;
    this.b = this.bn ? null : be.zeros([o.units, 1], dtype);
  }

  override get params(): readonly NamedTensor[] {
    const n = this.number;
    const p: NamedTensor[] = [{ name: `W${n}`, tensor: this.W }];
    if (this.b) p.push({ name: `b${n}`, tensor: this.b });
    if (this.bn) p.push(...batchNormNames(this.bn, n).params);
    return p;
  }

  override get state(): readonly NamedTensor[] {
    return this.bn ? [...this.params, ...batchNormNames(this.bn, this.number).stats] : this.params;
  }

  override get regularized(): readonly RegularizedWeight[] {
    return [this];
  }

  compile(o: CompileOptions): CompiledDense {
    const { be, m, dtype, withBackward, rng } = o;
    const z = (rows: number, cols = m): Tensor => be.zeros([rows, cols], dtype);
    const units = this.units;
    const learn = withBackward && this.trainable;
    const Z = z(units);
    const A = z(units);
    const mask = withBackward && this.keepProb < 1 ? z(units) : null;
    const out = mask ? z(units) : A;
    const zRaw = this.bn ? z(units) : Z;
    const bn = this.bn ? new BatchNormPass(be, this.outputShape, this.bn, this.bnSettings, m, dtype, withBackward, !this.trainable) : null;
    const dW = learn ? be.zeros(this.W.shape, dtype) : null;
    const db = learn && this.b ? be.zeros(this.b.shape, dtype) : null;
    const grads = learn ? [dW!, ...(db ? [db] : []), ...(bn ? bn.grads : [])] : [];
    let masked = false;
    return {
      Z,
      A,
      out,
      mask,
      dW,
      db,
      dGamma: bn?.dGamma ?? null,
      dBeta: bn?.dBeta ?? null,
      grads,
      forward: (x, training, redraw) => {
        if (bn) {
          // Batch normalization takes b's place: Z = BN(W A_prev), A = g(Z).
          be.matmul(this.W, x, zRaw, false, false, 1, 0);
          bn.forward(zRaw, Z, training);
          be.activation(Z, A, this.activation);
        } else {
          denseForward(be, this.W, this.b!, x, Z, A, this.activation);
        }
        masked = mask !== null && training;
        if (!masked) return A;
        // Inverted dropout from the network's generator: a fresh mask, or the last one again (the gradient check holds masks fixed).
        if (redraw) be.dropout(rng.words, A, mask!, out, this.keepProb);
        else be.mul(A, mask!, out);
        return out;
      },
      backward: (x, dOut, dIn, fromZ) => {
        if (!fromZ) {
          if (masked) be.mul(dOut, mask!, dOut);
          be.activationBackward(dOut, Z, A, dOut, this.activation);
        }
        if (bn) bn.backward(dOut, dOut);
        denseBackward(be, dOut, x, this.W, dW, db, dIn);
        if (dW) regularizationGradient(be, this, dW, m);
      },
    };
  }

  toSpec(): DenseSpec {
    const spec: DenseSpec = { type: 'dense', units: this.units, activation: activationToSpec(this.activation) };
    if (this.keepProb !== 1) spec.keepProb = this.keepProb;
    if (this.bn) spec.batchNorm = true;
    if (this.l2 !== 0) spec.l2 = this.l2;
    if (this.l1 !== 0) spec.l1 = this.l1;
    if (!this.trainable) spec.trainable = false;
    return spec;
  }

  describe(): string {
    return `dense ${this.units} ${this.activation.kind}${this.bn ? ' +bn' : ''}${this.keepProb < 1 ? ` dropout ${this.keepProb}` : ''}`;
  }
}
