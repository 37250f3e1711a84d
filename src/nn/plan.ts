/**
 * A network compiled for one batch size: every activation, cache and gradient
 * buffer is allocated here once, so forward and backward passes only run
 * kernels into existing memory.
 */
import type { Backend } from '../backend/backend.js';
import { backendFor } from '../backend/registry.js';
import type { Tensor } from '../tensor/tensor.js';
import { denseBackward, denseForward, outputGradient } from './dense.js';
import type { Network } from './network.js';

/** Gradients of one layer, dW[l] and db[l]. */
export interface LayerGrads {
  readonly dW: Tensor;
  readonly db: Tensor;
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
 * plan.grads[0]!.dW.shape; // [3, 2]
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
  /** A[l] for l = 1..L (index l-1). */
  readonly A: readonly Tensor[];
  /** dA[l] then, in place, dZ[l] for l = 1..L (index l-1). */
  readonly D: readonly Tensor[];
  /** dW[l], db[l] for l = 1..L (index l-1). */
  readonly grads: readonly LayerGrads[];

  constructor(
    readonly net: Network,
    readonly m: number,
    withBackward: boolean,
  ) {
    const be = backendFor(net.dtype);
    this.be = be;
    const dt = net.dtype;
    this.input = be.zeros([net.inputSize, m], dt);
    this.target = be.zeros([net.outputLayer.units, m], dt);
    this.Z = net.layers.map((l) => be.zeros([l.units, m], dt));
    this.A = net.layers.map((l) => be.zeros([l.units, m], dt));
    this.D = withBackward ? net.layers.map((l) => be.zeros([l.units, m], dt)) : [];
    this.grads = withBackward ? net.layers.map((l) => ({ dW: be.zeros(l.W.shape, dt), db: be.zeros(l.b.shape, dt) })) : [];
  }

  /** Copies X into the input buffer and runs the forward pass; returns A[L] (owned by the plan). */
  run(x: Tensor): Tensor {
    this.input.data.set(x.data);
    return this.forward();
  }

  /** The forward pass from the input buffer; returns A[L] (owned by the plan). */
  forward(): Tensor {
    const { net, be } = this;
    let aPrev = this.input;
    for (let l = 0; l < net.layers.length; l++) {
      const layer = net.layers[l]!;
      denseForward(be, layer.W, layer.b, aPrev, this.Z[l]!, this.A[l]!, layer.activation);
      aPrev = this.A[l]!;
    }
    return aPrev;
  }

  /** The cost J = (1/m) sum of per-example losses, after a forward pass. */
  cost(y: Tensor = this.target): number {
    const L = this.net.layers.length;
    return this.be.lossSum(this.net.loss.kind, this.Z[L - 1]!, this.A[L - 1]!, y) / this.m;
  }

  /** The backward pass after a forward pass: fills `grads`. */
  backward(y: Tensor = this.target): void {
    const { net, be } = this;
    const L = net.layers.length;
    const out = net.outputLayer;
    outputGradient(be, net.loss, out.activation, this.Z[L - 1]!, this.A[L - 1]!, y, this.D[L - 1]!);
    for (let l = L - 1; l >= 0; l--) {
      const layer = net.layers[l]!;
      const aPrev = l === 0 ? this.input : this.A[l - 1]!;
      const dAPrev = l === 0 ? null : this.D[l - 1]!;
      denseBackward(be, this.D[l]!, aPrev, layer.W, this.grads[l]!.dW, this.grads[l]!.db, dAPrev);
      if (dAPrev) {
        const prev = net.layers[l - 1]!;
        be.activationBackward(dAPrev, this.Z[l - 1]!, this.A[l - 1]!, dAPrev, prev.activation);
      }
    }
  }
}
