/**
 * A network compiled for one batch size: every activation, cache, mask and
 * gradient buffer is allocated here once (by each layer's `compile`), so
 * forward and backward passes only run kernels into existing memory.
 */
import type { Backend } from '../backend/backend.js';
import { backendFor } from '../backend/registry.js';
import { Allocations, DisposedError, type Tensor } from '../tensor/tensor.js';
import { outputGradient, type CompiledDense } from './layers/dense.js';
import { Chain, type RegularizedWeight } from './layers/layer.js';
import { DenseLayer } from './layers/dense.js';
import { batchBuffer, ViewCache } from './layers/shape.js';
import type { CompiledTimeDistributed } from './layers/time-distributed.js';
import type { Network } from './network.js';

/** Gradients of one dense layer: dW[l] and db[l], or dgamma[l] and dbeta[l] with batch normalization (null when frozen). */
export interface LayerGrads {
  readonly dW: Tensor | null;
  readonly db: Tensor | null;
  readonly dGamma: Tensor | null;
  readonly dBeta: Tensor | null;
}

/**
 * Buffers and passes for a fixed batch size m. On the wasm backend the
 * buffers are blocks of wasm memory: `dispose()` (or `using`) gives them
 * back at once; a dropped plan's come back only when the garbage collector
 * runs. A disposed plan throws a DisposedError when used.
 *
 * @example
 * ```ts
 * import { Network, Plan, tensor } from 'layerwise';
 * const net = new Network({ inputSize: 2, layers: [{ units: 3 }, { units: 1 }] });
 * const plan = new Plan(net, 4, true);
 * plan.run(tensor([[0, 1, 0, 1], [0, 0, 1, 1]]));
 * plan.backward(tensor([[0, 1, 1, 0]]));
 * plan.grads[0]!.dW!.rows === 3 && plan.grads[0]!.dW!.cols === 2; // true
 * ```
 */
export class Plan {
  readonly be: Backend;
  /** A[0]: the input batch, (n_x, m), (m, n_H, n_W, n_C) or sequences (n_x, m, T_x). */
  readonly input: Tensor;
  /** Y for the batch, (n[L], m). */
  readonly target: Tensor;
  /** The compiled layers. */
  readonly chain: Chain;
  /** The trainable tensors, in the order W1, b1 (or gamma1, beta1), W2, ... (frozen layers left out). */
  readonly params: readonly Tensor[];
  /** Their gradients, in the same order. */
  readonly paramGrads: readonly Tensor[];
  /** The compiled dense layers, in order. */
  private readonly dense: readonly CompiledDense[];
  private readonly output: CompiledDense;
  /** T_y of a sequence output (its loss is averaged over steps too), else 1. */
  private readonly steps: number;
  /** A timeDistributed output whose loss reads the padding mask, else null. */
  private readonly maskedOutput: CompiledTimeDistributed | null;
  private readonly views = new ViewCache();
  /** The regularized weights of every layer, listed once (the layers' getters build their lists per call). */
  private readonly regularized: readonly RegularizedWeight[];
  /** The buffers this plan allocated (every layer's compile included), to give back on dispose. */
  private readonly owned = new Allocations();
  private isDisposed = false;

  constructor(
    readonly net: Network,
    readonly m: number,
    withBackward: boolean,
  ) {
    net.assertUsable('Plan');
    const be = backendFor(net.dtype);
    this.be = be;
    const dtype = net.dtype;
    try {
      [this.input, this.target, this.chain] = this.owned.collect((): [Tensor, Tensor, Chain] => [
        batchBuffer(be, net.inputLayout, m, dtype),
        net.outputSequence ? be.zeros([net.outputLayer.units, m, net.outputSequence.steps], dtype) : be.zeros([net.outputLayer.units, m], dtype),
        new Chain(net.stack, { be, m, dtype, withBackward, rng: net.rng }, false),
      ]);
    } catch (e) {
      // Out of memory halfway: give back what was allocated rather than leave it to the collector.
      this.owned.release();
      throw e;
    }
    this.dense = this.chain.compiled.filter((_, i) => net.stack[i] instanceof DenseLayer) as CompiledDense[];
    // A timeDistributed output: the loss reads its dense layer's (n_y, m T_y) Z and A.
    const last = this.chain.compiled[this.chain.compiled.length - 1]!;
    this.output = net.outputSequence ? (last as CompiledTimeDistributed).inner : this.dense[this.dense.length - 1]!;
    this.steps = net.outputSequence?.steps ?? 1;
    this.maskedOutput = net.outputSequence && this.chain.mask ? (last as CompiledTimeDistributed) : null;
    this.params = net.stack.flatMap((l) => l.trainableParams.map((p) => p.tensor));
    this.paramGrads = withBackward ? this.chain.grads : [];
    this.regularized = net.stack.flatMap((l) => l.regularized);
  }

  /** Whether {@link Plan.dispose} was called (or the network was disposed). */
  get disposed(): boolean {
    return this.isDisposed || this.net.disposed;
  }

  /**
   * Gives the plan's buffers back now. The network's parameters are the
   * network's and stay. Calling it twice does nothing.
   *
   * @example
   * ```ts
   * import { Network, Plan } from 'layerwise';
   * const net = new Network({ inputSize: 2, layers: [{ units: 3 }, { units: 1 }] });
   * const plan = new Plan(net, 4, true);
   * plan.dispose();
   * plan.disposed && !net.disposed; // true
   * ```
   */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.owned.release();
  }

  /** `using plan = new Plan(...)` disposes it at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  private assertUsable(where: string): void {
    if (this.disposed) throw new DisposedError(`Plan.${where}: the plan (batch size ${this.m}) was disposed${this.net.disposed ? ' with its network' : ''}; make a new one`);
  }

  /** Z[l] of the dense layers (index l-1): pre-activations, the activation cache. */
  get Z(): readonly Tensor[] {
    return this.dense.map((d) => d.Z);
  }

  /** A[l] of the dense layers (index l-1), before dropout. */
  get A(): readonly Tensor[] {
    return this.dense.map((d) => d.A);
  }

  /** What each dense layer reads (index l = 0..L-1): the input batch (after input dropout), then A[l] after dropout. */
  get out(): readonly Tensor[] {
    const first = this.net.inputKeepProb < 1 ? ((this.chain.compiled[0] as unknown as { out?: Tensor }).out ?? this.input) : this.input;
    return [first, ...this.dense.slice(0, -1).map((d) => d.out)];
  }

  /** Gradients of the dense layers (index l-1). */
  get grads(): readonly LayerGrads[] {
    return this.dense.map((d) => ({ dW: d.dW, db: d.db, dGamma: d.dGamma, dBeta: d.dBeta }));
  }

  /** Copies X into the input buffer and runs an inference forward pass; returns A[L] (owned by the plan). */
  run(x: Tensor): Tensor {
    this.assertUsable('run');
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
    this.assertUsable('forward');
    return this.chain.forward(this.input, training, redrawMasks);
  }

  /**
   * The data cost J = (1/m) sum of per-example losses, after a forward pass (no regularization).
   * A sequence output with a padding mask: the mean over the batch's real steps (see StepMask).
   */
  cost(y: Tensor = this.target): number {
    if (this.maskedOutput) return this.maskedOutput.meanLoss(this.net.loss.kind, this.asOutput(y));
    return this.be.lossSum(this.net.loss.kind, this.output.Z, this.output.A, this.asOutput(y)) / (this.m * this.steps);
  }

  /** How many losses the last {@link Plan.cost} averaged, relative to other batches: m, or the real steps under a padding mask. */
  get costWeight(): number {
    return this.maskedOutput ? this.maskedOutput.lossCount : this.m;
  }

  /** The regularization term: sum over layers of (lambda2 / 2m) ||W||_F^2 + (lambda1 / m) sum |W|. */
  regularizationCost(): number {
    let r = 0;
    for (let i = 0; i < this.regularized.length; i++) {
      const w = this.regularized[i]!;
      if (w.l2 > 0) r += (w.l2 / (2 * this.m)) * this.be.sumSquares(w.W);
      if (w.l1 > 0) r += (w.l1 / this.m) * this.be.sumAbs(w.W);
    }
    return r;
  }

  /** Targets (or their gradient) as the output's (n_y, m) matrix: a sequence (n_y, m, T_y) as (n_y, m T_y). */
  private asOutput(t: Tensor): Tensor {
    return this.steps === 1 ? t : this.views.matrix(t, t.rows, t.size / t.rows);
  }

  /** The backward pass after a forward pass: fills the gradients (regularization included). */
  backward(y: Tensor = this.target): void {
    this.assertUsable('backward');
    const dZ = this.chain.dOuts[this.chain.dOuts.length - 1];
    // Nothing trainable (every layer frozen): there is no gradient to compute.
    if (!dZ) return;
    const out = this.net.outputLayer;
    outputGradient(this.be, this.net.loss, out.activation, this.output.Z, this.output.A, this.asOutput(y), this.asOutput(dZ));
    this.chain.backward(null, true);
  }
}
