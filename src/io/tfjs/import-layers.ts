/**
 * Keras layers (as TensorFlow.js and tensorflowjs_converter write them) as
 * layerwise layers. Keras and layerwise agree on images (channels last) and
 * on Flatten's (h, w, c) order; Dense kernels are transposed to the course's
 * W (n[l], n[l-1]).
 */
import type { Activation } from '../../backend/backend.js';
import { flat, image, windowOutput, type FeatureShape } from '../../nn/layers/shape.js';
import { ValueError } from '../../tensor/errors.js';
import { addActivation, addBatchNorm, transposed, type Pending } from '../onnx/network-state.js';

/** The Keras classes importTfjs reads. */
export const SUPPORTED_LAYERS = [
  'InputLayer', 'Dense', 'Activation', 'Dropout', 'BatchNormalization', 'Flatten', 'Conv2D', 'MaxPooling2D', 'AveragePooling2D', 'ZeroPadding2D', 'LeakyReLU', 'ReLU', 'Softmax',
] as const;

/** Looks up a layer's weight by its Keras name (`kernel`, `bias`, `gamma`, ...) and checks its shape. */
export type WeightLookup = (weight: string, shape: readonly number[]) => Float64Array;

/** Everything a translation needs about one layer. */
export interface LayerContext {
  readonly at: string;
  readonly config: Record<string, unknown>;
  readonly weight: WeightLookup;
  readonly where: string;
}

const error = (c: LayerContext, message: string): ValueError => new ValueError(`${c.where}: ${c.at}: ${message}`);

/** A pair [a, a] (or a number) as one number; anything else is an error naming the field. */
function square(c: LayerContext, field: string, fallback?: number): number {
  const v = c.config[field] ?? fallback;
  const pair = typeof v === 'number' ? [v, v] : Array.isArray(v) ? v : [];
  if (pair.length !== 2 || pair[0] !== pair[1] || !Number.isInteger(pair[0]) || (pair[0] as number) < 1) throw error(c, `${field} ${JSON.stringify(v)}: expected the same positive integer for height and width`);
  return pair[0] as number;
}

function channelsLast(c: LayerContext): void {
  const f = c.config.data_format;
  if (f !== undefined && f !== null && f !== 'channels_last') throw error(c, `data_format ${JSON.stringify(f)}: expected channels_last (layerwise's images are (m, n_H, n_W, n_C))`);
}

/** A Keras activation name as layerwise's activation. */
export function kerasActivation(c: LayerContext, name: unknown): Activation {
  switch (name ?? 'linear') {
    case 'linear':
      return { kind: 'linear' };
    case 'relu':
      return { kind: 'relu' };
    case 'sigmoid':
      return { kind: 'sigmoid' };
    case 'tanh':
      return { kind: 'tanh' };
    case 'softmax':
      return { kind: 'softmax' };
    default:
      throw error(c, `activation ${JSON.stringify(name)} is not one layerwise has (linear, relu, sigmoid, tanh, softmax; LeakyReLU as a layer)`);
  }
}

/** The padding a Keras 'same' window adds on each side, when it is the same on both sides; else an error. */
function samePad(c: LayerContext, s: FeatureShape & { kind: 'image' }, f: number, stride: number): number {
  const totals = [s.h, s.w].map((n) => Math.max((Math.ceil(n / stride) - 1) * stride + f - n, 0));
  if (totals[0] !== totals[1] || totals[0]! % 2 !== 0) {
    throw error(c, `padding 'same' with size ${f} and stride ${stride} pads ${totals.join(' and ')} rows/columns, unevenly (Keras puts the extra one at the bottom and right); layerwise pads every side equally`);
  }
  return totals[0]! / 2;
}

/** Translates layer c (of class `cls`) reading `shape`; returns the shape it gives. */
export function translateLayer(cls: string, c: LayerContext, shape: FeatureShape, out: Pending[]): FeatureShape {
  const needImage = (): FeatureShape & { kind: 'image' } => {
    if (shape.kind !== 'image') throw error(c, `${cls} needs an image input (batch, h, w, c), got (batch, ${shape.units})`);
    channelsLast(c);
    return shape;
  };
  switch (cls) {
    case 'Dense': {
      if (shape.kind !== 'flat') throw error(c, 'Dense on an image applies to each pixel in Keras; layerwise flattens first: add a Flatten before it');
      const units = c.config.units;
      if (!Number.isInteger(units) || (units as number) < 1) throw error(c, `units ${JSON.stringify(units)}: expected a positive integer`);
      const n = units as number;
      const kernel = c.weight('kernel', [shape.units, n]);
      const b = c.config.use_bias === false ? new Float64Array(n) : c.weight('bias', [n]);
      out.push({ kind: 'dense', units: n, W: transposed(kernel, shape.units, n), b, bn: null, act: { kind: 'linear' } });
      addActivation(out, kerasActivation(c, c.config.activation));
      return flat(n);
    }
    case 'Conv2D': {
      const s = needImage();
      const filters = c.config.filters;
      if (!Number.isInteger(filters) || (filters as number) < 1) throw error(c, `filters ${JSON.stringify(filters)}: expected a positive integer`);
      const f = square(c, 'kernel_size');
      const stride = square(c, 'strides', 1);
      if (square(c, 'dilation_rate', 1) !== 1) throw error(c, 'dilated convolutions are not supported');
      if ((c.config.groups ?? 1) !== 1) throw error(c, `groups ${JSON.stringify(c.config.groups)}: grouped convolutions are not supported`);
      const pad = c.config.padding === 'same' ? samePad(c, s, f, stride) : c.config.padding === 'valid' || c.config.padding === undefined ? 0 : -1;
      if (pad < 0) throw error(c, `padding ${JSON.stringify(c.config.padding)}: expected 'valid' or 'same'`);
      const W = c.weight('kernel', [f, f, s.c, filters as number]);
      const b = c.config.use_bias === false ? new Float64Array(filters as number) : c.weight('bias', [filters as number]);
      const before = out.at(-1);
      // A ZeroPadding2D then a 'valid' Conv2D is one padded convolution (how exportTfjs writes one with stride > 1).
      const padded = pad === 0 && before?.kind === 'zeroPad' ? out.pop() as Pending & { kind: 'zeroPad' } : null;
      out.push({ kind: 'conv', filters: filters as number, size: f, stride, pad: padded ? padded.pad : pad, W, b, bn: null, act: { kind: 'linear' } });
      addActivation(out, kerasActivation(c, c.config.activation));
      return image(windowOutput(s.h, f, stride, pad), windowOutput(s.w, f, stride, pad), filters as number);
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const s = needImage();
      const f = square(c, 'pool_size', 2);
      const stride = c.config.strides === null || c.config.strides === undefined ? f : square(c, 'strides');
      if (c.config.padding === 'same' && samePad(c, s, f, stride) !== 0) throw error(c, "padding 'same' pads this input; layerwise pools without padding");
      out.push({ kind: 'pool', mode: cls === 'MaxPooling2D' ? 'max' : 'average', size: f, stride });
      return image(windowOutput(s.h, f, stride, 0), windowOutput(s.w, f, stride, 0), s.c);
    }
    case 'ZeroPadding2D': {
      const s = needImage();
      const p = c.config.padding ?? 1;
      const all = typeof p === 'number' ? [p] : Array.isArray(p) ? p.flat() : [];
      if (all.length === 0 || all.some((v) => v !== all[0] || !Number.isInteger(v) || (v as number) < 0)) throw error(c, `padding ${JSON.stringify(p)}: expected the same number of zeros on every side`);
      const pad = all[0] as number;
      out.push({ kind: 'zeroPad', pad });
      return image(s.h + 2 * pad, s.w + 2 * pad, s.c);
    }
    case 'Flatten':
      if (shape.kind === 'flat') return shape;
      channelsLast(c);
      out.push({ kind: 'flatten' });
      return flat(shape.h * shape.w * shape.c);
    case 'Dropout': {
      const rate = c.config.rate;
      if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw error(c, `rate ${JSON.stringify(rate)}: expected a number in [0, 1)`);
      const last = out.at(-1);
      // After a dense layer: that layer's dropout (layerwise drops A[l] after the activation, as Keras's Dense + Dropout does).
      if (rate > 0 && last?.kind === 'dense' && !last.keepProb) last.keepProb = 1 - rate;
      else if (rate > 0) out.push({ kind: 'dropout', keepProb: 1 - rate });
      return shape;
    }
    case 'BatchNormalization': {
      const axis = c.config.axis;
      const axes = Array.isArray(axis) && axis.length === 1 ? axis[0] : axis ?? -1;
      const last = shape.kind === 'flat' ? 1 : 3;
      if (axes !== -1 && axes !== last) throw error(c, `axis ${JSON.stringify(axis)}: expected the last axis (${last}, or -1), the ${shape.kind === 'flat' ? 'units' : 'channels'}`);
      const n = shape.kind === 'flat' ? shape.units : shape.c;
      const epsilon = typeof c.config.epsilon === 'number' ? c.config.epsilon : 1e-3;
      const gamma = c.config.scale === false ? new Float64Array(n).fill(1) : c.weight('gamma', [n]);
      const beta = c.config.center === false ? new Float64Array(n) : c.weight('beta', [n]);
      addBatchNorm(out, { gamma, beta, mean: c.weight('moving_mean', [n]), variance: c.weight('moving_variance', [n]), epsilon });
      return shape;
    }
    case 'Activation':
      if (c.config.activation === 'softmax' && shape.kind === 'image') throw error(c, 'softmax over the channels of an image is not supported; layerwise applies softmax to (n, m) values');
      addActivation(out, kerasActivation(c, c.config.activation));
      return shape;
    case 'Softmax':
      if (shape.kind === 'image' || (c.config.axis ?? -1) !== -1) throw error(c, 'softmax must run over the last axis of (batch, features)');
      addActivation(out, { kind: 'softmax' });
      return shape;
    case 'LeakyReLU': {
      const slope = c.config.alpha ?? c.config.negative_slope ?? 0.3;
      if (typeof slope !== 'number' || !(slope >= 0 && slope < 1)) throw error(c, `alpha ${JSON.stringify(slope)}: expected a slope in [0, 1)`);
      addActivation(out, { kind: 'leakyRelu', slope });
      return shape;
    }
    case 'ReLU': {
      const { max_value: max, threshold = 0, negative_slope: slope = 0 } = c.config as { max_value?: unknown; threshold?: unknown; negative_slope?: unknown };
      if ((max !== null && max !== undefined) || threshold !== 0 || typeof slope !== 'number' || !(slope >= 0 && slope < 1)) {
        throw error(c, `ReLU with max_value ${JSON.stringify(max)}, threshold ${JSON.stringify(threshold)}: layerwise's ReLU has neither`);
      }
      addActivation(out, slope === 0 ? { kind: 'relu' } : { kind: 'leakyRelu', slope });
      return shape;
    }
    default:
      throw error(c, `layer class ${cls} is not supported; importTfjs reads ${SUPPORTED_LAYERS.join(', ')}`);
  }
}
