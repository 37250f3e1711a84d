/**
 * A residual block (course 4, ResNets): a main path and a shortcut (the
 * identity, or a few layers of its own) both read the block's input; their
 * outputs are added, then the activation applies: A = g(main(X) + shortcut(X)).
 * Backward: dZ = dA g'(Z) flows into both paths and their input gradients add.
 */
import type { Activation } from '../../backend/backend.js';
import { activationToSpec } from '../activations.js';
import { Chain, CompositeLayer, type CompileOptions, type CompiledLayer, type Layer } from './layer.js';
import { batchBuffer, formatFeatureShape, ViewCache, type FeatureShape } from './shape.js';
import type { ResidualSpec } from './spec.js';

/** A residual block of layers. */
export class ResidualLayer extends CompositeLayer implements Layer {
  readonly type = 'residual' as const;
  readonly outputShape: FeatureShape;

  constructor(
    readonly inputShape: FeatureShape,
    readonly main: readonly Layer[],
    readonly shortcut: readonly Layer[],
    readonly activation: Activation,
  ) {
    super();
    this.outputShape = (main.at(-1) ?? shortcut.at(-1))?.outputShape ?? inputShape;
  }

  protected get inner(): readonly Layer[] {
    return [...this.main, ...this.shortcut];
  }

  compile(o: CompileOptions): CompiledLayer {
    const { be, m, dtype } = o;
    const main = new Chain(this.main, o, true);
    const short = this.shortcut.length > 0 ? new Chain(this.shortcut, o, true) : null;
    const Z = batchBuffer(be, this.outputShape, m, dtype);
    const A = batchBuffer(be, this.outputShape, m, dtype);
    const dMain = o.withBackward ? batchBuffer(be, this.inputShape, m, dtype) : null;
    const dShort = o.withBackward && short ? batchBuffer(be, this.inputShape, m, dtype) : null;
    const views = new ViewCache();
    const act = this.activation;
    return {
      grads: [...main.grads, ...(short?.grads ?? [])],
      forward(x, training, redraw) {
        const a = main.forward(x, training, redraw);
        const s = short ? short.forward(x, training, redraw) : x;
        be.copy(a, Z);
        be.axpy(1, s, Z);
        be.activation(views.pixels(Z), views.pixels(A), act);
        return A;
      },
      backward(_x, dOut, dIn) {
        const dZ = views.pixels(dOut);
        be.activationBackward(dZ, views.pixels(Z), views.pixels(A), dZ, act);
        be.copy(dOut, main.dOutput);
        main.backward(dIn ? dMain : null);
        if (short) {
          be.copy(dOut, short.dOutput);
          short.backward(dIn ? dShort : null);
        }
        if (!dIn) return;
        be.copy(dMain!, dIn);
        be.axpy(1, short ? dShort! : dOut, dIn);
      },
    };
  }

  toSpec(): ResidualSpec {
    const spec: ResidualSpec = { type: 'residual', main: this.main.map((l) => l.toSpec()), activation: activationToSpec(this.activation) };
    if (this.shortcut.length > 0) spec.shortcut = this.shortcut.map((l) => l.toSpec());
    return spec;
  }

  describe(): string {
    return `residual (${this.main.length} main, ${this.shortcut.length === 0 ? 'identity' : `${this.shortcut.length} shortcut`}) ${this.activation.kind} ${formatFeatureShape(this.outputShape)}`;
  }
}

/** The tensors of a list of layers, for callers that walk blocks. */
export function innerLayers(layer: Layer): readonly Layer[] {
  return layer instanceof ResidualLayer ? [...layer.main, ...layer.shortcut] : [];
}
