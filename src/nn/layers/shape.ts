/**
 * What flows between layers. A flat activation is the course's (n, m) matrix
 * (one column per example); an image activation is (m, n_H, n_W, n_C), examples
 * first and channels last, as in course 4. A layer declares the shape of one
 * example; the batch size m is added when a plan allocates buffers.
 */
import type { Backend, WindowGeometry } from '../../backend/backend.js';
import { Tensor, type DType } from '../../tensor/tensor.js';

/** The shape of one example's activation. */
export type FeatureShape = { readonly kind: 'flat'; readonly units: number } | { readonly kind: 'image'; readonly h: number; readonly w: number; readonly c: number };

/** A sequence of `steps` vectors of `units` values: a batch is the course's (n, m, T), e.g. x (n_x, m, T_x), a (n_a, m, T_x). */
export interface SequenceShape {
  readonly kind: 'sequence';
  readonly units: number;
  readonly steps: number;
}

/**
 * What flows between layers: a flat or image {@link FeatureShape}, or a sequence. Code that
 * handles only flat and image activations (the exporters, batch normalization) keeps taking a
 * FeatureShape; the builder refuses a sequence before such a layer or exporter sees one.
 */
export type ActivationShape = FeatureShape | SequenceShape;

/** A sequence shape: T steps of n units (a batch is (n, m, T)). */
export function sequence(units: number, steps: number): SequenceShape {
  return { kind: 'sequence', units, steps };
}

/** The shape as a FeatureShape, or null for a sequence. */
export function asFeatureShape(s: ActivationShape): FeatureShape | null {
  return s.kind === 'sequence' ? null : s;
}

/** A flat shape of n units. */
export function flat(units: number): FeatureShape {
  return { kind: 'flat', units };
}

/** An image shape (n_H, n_W, n_C). */
export function image(h: number, w: number, c: number): FeatureShape {
  return { kind: 'image', h, w, c };
}

/** Values per example. */
export function featureCount(s: ActivationShape): number {
  return s.kind === 'flat' ? s.units : s.kind === 'sequence' ? s.units * s.steps : s.h * s.w * s.c;
}

/** The shape as Keras prints it, batch first: `(None, 24, 24, 8)` or `(None, 128)`; here `(m, 24, 24, 8)` / `(128, m)`. */
export function formatFeatureShape(s: ActivationShape): string {
  return s.kind === 'flat' ? `(${s.units}, m)` : s.kind === 'sequence' ? `(${s.units}, m, ${s.steps})` : `(m, ${s.h}, ${s.w}, ${s.c})`;
}

/** True when both describe the same activation. */
export function sameShape(a: ActivationShape, b: ActivationShape): boolean {
  if (a.kind === 'flat') return b.kind === 'flat' && a.units === b.units;
  if (a.kind === 'sequence') return b.kind === 'sequence' && a.units === b.units && a.steps === b.steps;
  return b.kind === 'image' && a.h === b.h && a.w === b.w && a.c === b.c;
}

/** The tensor shape of a batch of m examples: (n, m), (m, n_H, n_W, n_C) or the sequence (n, m, T). */
export function batchShape(s: ActivationShape, m: number): number[] {
  return s.kind === 'flat' ? [s.units, m] : s.kind === 'sequence' ? [s.units, m, s.steps] : [m, s.h, s.w, s.c];
}

/** A zero buffer for a batch of m examples of shape `s`. */
export function batchBuffer(be: Backend, s: ActivationShape, m: number, dtype: DType): Tensor {
  return be.zeros(batchShape(s, m), dtype);
}

/**
 * The (rows, cols) matrix over a tensor's values, without copying: an image
 * batch as (m n_H n_W, n_C) for the per-channel kernels, filters (f, f, c, n_C)
 * as (f f c, n_C) for the GEMM.
 */
export function matrixView(t: Tensor, rows: number, cols: number): Tensor {
  return new Tensor([rows, cols], t.data);
}

/** An image batch (m, h, w, c) as the (m h w, c) matrix the per-channel kernels read. */
export function pixelRows(t: Tensor): Tensor {
  const c = t.shape[t.shape.length - 1] ?? 1;
  return matrixView(t, t.size / c, c);
}

/** The output edge of a window: floor((n + 2 pad - f) / stride) + 1 (may be < 1: callers check). */
export function windowOutput(n: number, f: number, stride: number, pad: number): number {
  return Math.floor((n + 2 * pad - f) / stride) + 1;
}

/** The kernels' geometry for a batch of m images of shape `s`. */
export function geometry(s: FeatureShape & { kind: 'image' }, m: number, f: number, stride: number, pad: number): WindowGeometry {
  return { m, h: s.h, w: s.w, c: s.c, f, stride, pad, outH: windowOutput(s.h, f, stride, pad), outW: windowOutput(s.w, f, stride, pad) };
}

/**
 * Activation buffers that hold a ReLU's output (a conv layer's A): a max pool reading one folds
 * ReLU's derivative into its backward pass (`reluMask`), saving the activation's own backward pass
 * over the layer's largest tensor.
 */
export const reluOutputs = new WeakSet<Tensor>();

/**
 * Gradient buffers that their producer (such a max pool) has already multiplied by ReLU's
 * derivative. A buffer of a compiled chain has one producer, which masks it on every pass, so the
 * layer below may skip its activation's backward pass when it finds its dOut here.
 */
export const reluMaskedGradients = new WeakSet<Tensor>();

/**
 * Matrix views made once per tensor and reused, so that passes which see
 * the same buffers every step allocate nothing after the first.
 */
export class ViewCache {
  private readonly views = new Map<Tensor, Tensor>();

  /** `t` as a (rows, cols) matrix (see {@link matrixView}). */
  matrix(t: Tensor, rows: number, cols: number): Tensor {
    const v = this.views.get(t);
    // A backend may swap a tensor's data for an equivalent view (wasm memory growth): rebuild then.
    if (v && v.data === t.data && v.rows === rows && v.cols === cols) return v;
    const fresh = matrixView(t, rows, cols);
    this.views.set(t, fresh);
    return fresh;
  }

  /** An image batch as (m n_H n_W, n_C) rows (see {@link pixelRows}); a matrix as itself. */
  pixels(t: Tensor): Tensor {
    if (t.shape.length === 2) return t;
    const c = t.shape[t.shape.length - 1] ?? 1;
    return this.matrix(t, t.size / c, c);
  }
}
