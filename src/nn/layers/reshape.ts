/**
 * Layers that only move values: zero padding of images, and Flatten, which
 * turns (m, n_H, n_W, n_C) into the course's (n_H n_W n_C, m) for the dense
 * layers that follow (a transpose of the (m, n_H n_W n_C) rows).
 */
import { LayerBase, NO_GRADS, type CompileOptions, type CompiledLayer, type Layer } from './layer.js';
import { batchBuffer, featureCount, flat, formatFeatureShape, image, ViewCache, type FeatureShape } from './shape.js';
import type { FlattenSpec, ZeroPadSpec } from './spec.js';

/** Zero padding by `pad` on every side of n_H and n_W. */
export class ZeroPadLayer extends LayerBase implements Layer {
  readonly type = 'zeroPad2d' as const;
  readonly outputShape: FeatureShape & { kind: 'image' };

  constructor(
    readonly inputShape: FeatureShape & { kind: 'image' },
    readonly pad: number,
  ) {
    super();
    this.outputShape = image(inputShape.h + 2 * pad, inputShape.w + 2 * pad, inputShape.c) as FeatureShape & { kind: 'image' };
  }

  compile(o: CompileOptions): CompiledLayer {
    const { be, m } = o;
    const { h, w, c } = this.inputShape;
    const pad = this.pad;
    const out = batchBuffer(be, this.outputShape, m, o.dtype);
    return {
      grads: NO_GRADS,
      forward(x) {
        be.zeroPad(x, out, m, h, w, c, pad, false);
        return out;
      },
      backward(_x, dOut, dIn) {
        if (dIn) be.zeroPad(dOut, dIn, m, h, w, c, pad, true);
      },
    };
  }

  toSpec(): ZeroPadSpec {
    return { type: 'zeroPad2d', pad: this.pad };
  }

  describe(): string {
    return `zeroPad2d ${this.pad}`;
  }
}

/** (m, n_H, n_W, n_C) -> (n_H n_W n_C, m), in row-major (h, w, c) order. */
export class FlattenLayer extends LayerBase implements Layer {
  readonly type = 'flatten' as const;
  readonly outputShape: FeatureShape;

  /** `automatic`: inserted by the builder in front of a dense layer, not declared. */
  constructor(
    readonly inputShape: FeatureShape,
    readonly automatic = false,
  ) {
    super();
    this.outputShape = flat(featureCount(inputShape));
  }

  compile(o: CompileOptions): CompiledLayer {
    const { be, m } = o;
    const n = featureCount(this.inputShape);
    const out = batchBuffer(be, this.outputShape, m, o.dtype);
    const views = new ViewCache();
    if (this.inputShape.kind === 'flat') return { grads: NO_GRADS, forward: (x) => x, backward: (_x, dOut, dIn) => dIn && be.copy(dOut, dIn) };
    return {
      grads: NO_GRADS,
      forward(x) {
        be.transpose(views.matrix(x, m, n), out);
        return out;
      },
      backward(_x, dOut, dIn) {
        if (dIn) be.transpose(dOut, views.matrix(dIn, m, n));
      },
    };
  }

  toSpec(): FlattenSpec {
    return { type: 'flatten' };
  }

  describe(): string {
    return `flatten ${formatFeatureShape(this.inputShape)}`;
  }
}
