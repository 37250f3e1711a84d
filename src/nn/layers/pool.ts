/**
 * Max and average pooling (course 4): f x f windows moved by a stride, per
 * channel, no parameters. Max pooling sends each gradient to its window's
 * arg-max; average pooling spreads it evenly over the window.
 */
import type { WindowGeometry } from '../../backend/backend.js';
import { LayerBase, NO_GRADS, type CompileOptions, type CompiledLayer, type Layer } from './layer.js';
import { batchBuffer, geometry, image, reluMaskedGradients, reluOutputs, type FeatureShape } from './shape.js';
import type { PoolSpec } from './spec.js';

/** 'max' or 'average', as the course's pool_forward names its modes. */
export type PoolMode = 'max' | 'average';

/** A pooling layer. */
export class PoolLayer extends LayerBase implements Layer {
  readonly type: 'maxPool2d' | 'avgPool2d';
  readonly outputShape: FeatureShape & { kind: 'image' };

  constructor(
    readonly inputShape: FeatureShape & { kind: 'image' },
    readonly mode: PoolMode,
    readonly size: number,
    readonly stride: number,
  ) {
    super();
    this.type = mode === 'max' ? 'maxPool2d' : 'avgPool2d';
    const g = geometry(inputShape, 1, size, stride, 0);
    this.outputShape = image(g.outH, g.outW, inputShape.c) as FeatureShape & { kind: 'image' };
  }

  compile(o: CompileOptions): CompiledLayer {
    const { be, m } = o;
    const g: WindowGeometry = geometry(this.inputShape, m, this.size, this.stride, 0);
    const out = batchBuffer(be, this.outputShape, m, o.dtype);
    const max = this.mode === 'max';
    return {
      grads: NO_GRADS,
      forward(x) {
        if (max) be.maxPoolForward(x, out, g);
        else be.avgPoolForward(x, out, g);
        return out;
      },
      backward(x, dOut, dIn) {
        if (!dIn) return;
        if (!max) {
          be.avgPoolBackward(dOut, dIn, g);
        } else if (reluOutputs.has(x)) {
          // X is a ReLU's output: ReLU's derivative goes in here, and the layer below skips it.
          be.maxPoolBackward(dOut, x, dIn, g, true);
          reluMaskedGradients.add(dIn);
        } else {
          be.maxPoolBackward(dOut, x, dIn, g);
        }
      },
    };
  }

  toSpec(): PoolSpec {
    return this.stride === this.size ? { type: this.type, size: this.size } : { type: this.type, size: this.size, stride: this.stride };
  }

  describe(): string {
    return `${this.type} ${this.size}x${this.size}${this.stride !== this.size ? ` /s${this.stride}` : ''}`;
  }
}
