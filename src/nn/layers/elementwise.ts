/**
 * Layers that act on each value: inverted dropout and an activation of their
 * own (the dense and conv layers carry theirs; these are for the places between).
 */
import type { Activation } from '../../backend/backend.js';
import type { Tensor } from '../../tensor/tensor.js';
import { activationToSpec } from '../activations.js';
import { LayerBase, NO_GRADS, type CompileOptions, type CompiledLayer, type Layer } from './layer.js';
import { batchBuffer, ViewCache, type FeatureShape } from './shape.js';
import type { ActivationLayerSpec, DropoutSpec } from './spec.js';

/** Inverted dropout: while training, each value is kept with probability keepProb and scaled by 1/keepProb. */
export class DropoutLayer extends LayerBase implements Layer {
  readonly type = 'dropout' as const;
  readonly outputShape: FeatureShape;

  constructor(
    readonly inputShape: FeatureShape,
    readonly keepProb: number,
  ) {
    super();
    this.outputShape = inputShape;
  }

  compile(o: CompileOptions): CompiledLayer & { out?: Tensor } {
    const { be, m, rng } = o;
    const keep = this.keepProb;
    // Prediction plans never drop: the layer passes its input through.
    if (!o.withBackward || keep === 1) return { grads: NO_GRADS, forward: (x) => x, backward: (_x, dOut, dIn) => dIn && be.copy(dOut, dIn) };
    const mask = batchBuffer(be, this.outputShape, m, o.dtype);
    const out = batchBuffer(be, this.outputShape, m, o.dtype);
    let masked = false;
    return {
      grads: NO_GRADS,
      out,
      forward(x, training, redraw) {
        masked = training;
        if (!training) return x;
        if (redraw) be.dropout(rng.words, x, mask, out, keep);
        else be.mul(x, mask, out);
        return out;
      },
      backward(_x, dOut, dIn) {
        if (!dIn) return;
        if (masked) be.mul(dOut, mask, dIn);
        else be.copy(dOut, dIn);
      },
    };
  }

  toSpec(): DropoutSpec {
    return { type: 'dropout', keepProb: this.keepProb };
  }

  describe(): string {
    return `dropout ${this.keepProb}`;
  }
}

/** An activation as a layer: A = g(X). */
export class ActivationLayer extends LayerBase implements Layer {
  readonly type = 'activation' as const;
  readonly outputShape: FeatureShape;

  constructor(
    readonly inputShape: FeatureShape,
    readonly activation: Activation,
  ) {
    super();
    this.outputShape = inputShape;
  }

  compile(o: CompileOptions): CompiledLayer {
    const { be, m } = o;
    const out = batchBuffer(be, this.outputShape, m, o.dtype);
    const act = this.activation;
    // Elementwise kernels read (rows, cols): images go as (m n_H n_W, n_C) rows.
    const views = new ViewCache();
    const view = (t: typeof out) => views.pixels(t);
    const outV = view(out);
    return {
      grads: NO_GRADS,
      forward(x) {
        be.activation(view(x), outV, act);
        return out;
      },
      backward(x, dOut, dIn) {
        if (dIn) be.activationBackward(view(dOut), view(x), outV, view(dIn), act);
      },
    };
  }

  toSpec(): ActivationLayerSpec {
    return { type: 'activation', activation: activationToSpec(this.activation) };
  }

  describe(): string {
    return `activation ${this.activation.kind}`;
  }
}
