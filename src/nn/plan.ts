/**
 * A network compiled for one batch size: every activation, cache, mask and
 * gradient buffer is allocated here once, so forward and backward passes only
 * run kernels into existing memory.
 */
import type { Backend } from '../backend/backend.js';
import { backendFor } from '../backend/registry.js';
import type { Tensor } from '../tensor/tensor.js';
import { denseBackward, outputGradient } from './dense.js';
import type { DenseLayer, Network } from './network.js';

/** Gradients of one layer: dW[l] and db[l], or dgamma[l] and dbeta[l] with batch normalization. */
export interface LayerGrads {
  readonly dW: Tensor;
  readonly db: Tensor | null;
  readonly dGamma: Tensor | null;
  readonly dBeta: Tensor | null;
}

/** Batch-normalization buffers of one layer. */
interface BnBuffers {
  /** W A_prev before normalization. */
  readonly zRaw: Tensor;
  readonly zhat: Tensor;
  readonly mean: Tensor;
  readonly invStd: Tensor;
}

/**
 * Buffers and passes for a fixed batch size m.
 *
 * @example
 * ```ts
 * import { Network, Plan, tensor } from 'layerwise';
 * const net = new Network({ inputSize: 2, layers: [{ units: 3 }, { units: 1 }] });
 * const plan = new Plan(net, 4, true);
 * plan.run(tensor([[0, 1, 0, 1], [0, 0, 1, 1]]));
 * plan.backward(tensor([[0, 1, 1, 0]]));
 * plan.grads[0]!.dW.rows === 3 && plan.grads[0]!.dW.cols === 2; // true
 * ```
 */
export class Plan {
  readonly be: Backend;
  /** A[0]: the input batch, (n_x, m). */
  readonly input: Tensor;
  /** Y for the batch, (n[L], m). */
  readonly target: Tensor;
  /** Z[l] for l = 1..L (index l-1): pre-activations, the activation cache. */
  readonly Z: readonly Tensor[];
  /** A[l] for l = 1..L (index l-1), before dropout. */
  readonly A: readonly Tensor[];
  /** What layer l+1 reads (index l, l = 0..L-1): A[l] after dropout, or A[l] itself when keepProb is 1. */
  readonly out: readonly Tensor[];
  /** Dropout masks D[l] holding 0 or 1/keepProb (index l = 0..L-1), null where keepProb is 1. */
  readonly masks: readonly (Tensor | null)[];
  /** dA[l] then, in place, dZ[l] for l = 1..L (index l-1). */
  readonly D: readonly Tensor[];
  /** Gradients for l = 1..L (index l-1). */
  readonly grads: readonly LayerGrads[];
  /** The trainable tensors, in the order W1, b1 (or gamma1, beta1), W2, ... */
  readonly params: readonly Tensor[];
  /** Their gradients, in the same order. */
  readonly paramGrads: readonly Tensor[];
  private readonly bn: readonly (BnBuffers | null)[];
  private training = false;

  constructor(
    readonly net: Network,
    readonly m: number,
    withBackward: boolean,
  ) {
    const be = backendFor(net.dtype);
    this.be = be;
    const dt = net.dtype;
    const z = (rows: number, cols = m) => be.zeros([rows, cols], dt);
    this.input = z(net.inputSize);
    this.target = z(net.outputLayer.units);
    this.Z = net.layers.map((l) => z(l.units));
    this.A = net.layers.map((l) => z(l.units));
    const keep = [net.inputKeepProb, ...net.layers.map((l) => l.keepProb)];
    const sizes = [net.inputSize, ...net.layers.map((l) => l.units)];
    const readers = [this.input, ...this.A];
    this.masks = net.layers.map((_, l) => (withBackward && keep[l]! < 1 ? z(sizes[l]!) : null));
    this.out = net.layers.map((_, l) => (this.masks[l] ? z(sizes[l]!) : readers[l]!));
    this.bn = net.layers.map((l) => (l.bn ? { zRaw: z(l.units), zhat: z(l.units), mean: z(l.units, 1), invStd: z(l.units, 1) } : null));
    this.D = withBackward ? net.layers.map((l) => z(l.units)) : [];
    this.grads = withBackward
      ? net.layers.map((l) => ({
          dW: be.zeros(l.W.shape, dt),
          db: l.b ? be.zeros(l.b.shape, dt) : null,
          dGamma: l.bn ? z(l.units, 1) : null,
          dBeta: l.bn ? z(l.units, 1) : null,
        }))
      : [];
    const params: Tensor[] = [];
    const paramGrads: Tensor[] = [];
    net.layers.forEach((l, i) => {
      const g = this.grads[i];
      params.push(l.W);
      if (g) paramGrads.push(g.dW);
      if (l.b) {
        params.push(l.b);
        if (g) paramGrads.push(g.db!);
      }
      if (l.bn) {
        params.push(l.bn.gamma, l.bn.beta);
        if (g) paramGrads.push(g.dGamma!, g.dBeta!);
      }
    });
    this.params = params;
    this.paramGrads = paramGrads;
  }

  /** Copies X into the input buffer and runs an inference forward pass; returns A[L] (owned by the plan). */
  run(x: Tensor): Tensor {
    this.input.data.set(x.data);
    return this.forward(false);
  }

  /**
   * The forward pass from the input buffer; returns A[L] (owned by the plan).
   * With `training`, dropout masks are drawn (unless `redrawMasks` is false,
   * which reuses the last ones: the gradient check holds masks fixed) and batch
   * normalization uses batch statistics; otherwise neither applies.
   */
  forward(training = false, redrawMasks = true): Tensor {
    const { net, be } = this;
    this.training = training;
    const layers = net.layers;
    for (let l = 0; l < layers.length; l++) {
      const mask = this.masks[l];
      const reader = l === 0 ? this.input : this.A[l - 1]!;
      let aPrev = reader;
      if (mask && training) {
        // Inverted dropout from the network's generator: a fresh mask, or the last one again.
        if (redrawMasks) be.dropout(net.rng.words, reader, mask, this.out[l]!, l === 0 ? net.inputKeepProb : layers[l - 1]!.keepProb);
        else be.mul(reader, mask, this.out[l]!);
        aPrev = this.out[l]!;
      }
      this.layerForward(layers[l]!, l, aPrev, training);
    }
    return this.A[layers.length - 1]!;
  }

  private layerForward(layer: DenseLayer, l: number, aPrev: Tensor, training: boolean): void {
    const { be } = this;
    const Z = this.Z[l]!;
    const bn = this.bn[l];
    if (layer.bn && bn) {
      be.matmul(layer.W, aPrev, bn.zRaw, false, false, 1, 0);
      const s = layer.bn;
      be.batchNormForward(bn.zRaw, s.gamma, s.beta, Z, bn.zhat, bn.mean, bn.invStd, s.runningMean, s.runningVar, this.net.batchNormMomentum, this.net.batchNormEpsilon, training);
      be.activation(Z, this.A[l]!, layer.activation);
    } else {
      be.matmul(layer.W, aPrev, Z, false, false, 1, 0);
      be.biasActivation(Z, layer.b!, this.A[l]!, layer.activation);
    }
  }

  /** The data cost J = (1/m) sum of per-example losses, after a forward pass (no regularization). */
  cost(y: Tensor = this.target): number {
    const L = this.net.layers.length;
    return this.be.lossSum(this.net.loss.kind, this.Z[L - 1]!, this.A[L - 1]!, y) / this.m;
  }

  /** The regularization term: sum over layers of (lambda2 / 2m) ||W||_F^2 + (lambda1 / m) sum |W|. */
  regularizationCost(): number {
    let r = 0;
    for (const layer of this.net.layers) {
      if (layer.l2 > 0) r += (layer.l2 / (2 * this.m)) * this.be.sumSquares(layer.W);
      if (layer.l1 > 0) r += (layer.l1 / this.m) * this.be.sumAbs(layer.W);
    }
    return r;
  }

  /** The backward pass after a forward pass: fills `grads` (regularization included). */
  backward(y: Tensor = this.target): void {
    const { net, be, m } = this;
    const L = net.layers.length;
    const out = net.outputLayer;
    outputGradient(be, net.loss, out.activation, this.Z[L - 1]!, this.A[L - 1]!, y, this.D[L - 1]!);
    for (let l = L - 1; l >= 0; l--) {
      const layer = net.layers[l]!;
      const g = this.grads[l]!;
      const dZ = this.D[l]!;
      const bn = this.bn[l];
      if (layer.bn && bn) be.batchNormBackward(dZ, bn.zhat, layer.bn.gamma, bn.invStd, dZ, g.dGamma!, g.dBeta!);
      const aPrev = this.masks[l] && this.training ? this.out[l]! : l === 0 ? this.input : this.A[l - 1]!;
      const dAPrev = l === 0 ? null : this.D[l - 1]!;
      denseBackward(be, dZ, aPrev, layer.W, g.dW, g.db, dAPrev);
      if (layer.l2 > 0) be.axpy(layer.l2 / m, layer.W, g.dW);
      if (layer.l1 > 0) be.addSign(layer.l1 / m, layer.W, g.dW);
      if (dAPrev) {
        const mask = this.masks[l];
        if (mask && this.training) be.mul(dAPrev, mask, dAPrev);
        const prev = net.layers[l - 1]!;
        be.activationBackward(dAPrev, this.Z[l - 1]!, this.A[l - 1]!, dAPrev, prev.activation);
      }
    }
  }
}
