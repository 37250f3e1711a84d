/**
 * Each layerwise layer as ONNX nodes. Flat activations are ONNX's (batch, n)
 * rows (the transpose of the course's (n, m) columns); images travel in
 * ONNX's NCHW layout between the Transpose after the input and the
 * Transpose before a Flatten, which restores layerwise's (h, w, c) order.
 */
import type { Activation } from '../../backend/backend.js';
import type { BatchNormLayer, BatchNormState } from '../../nn/layers/batch-norm.js';
import type { Conv2DLayer } from '../../nn/layers/conv2d.js';
import type { DenseLayer } from '../../nn/layers/dense.js';
import type { ActivationLayer } from '../../nn/layers/elementwise.js';
import type { Layer } from '../../nn/layers/layer.js';
import type { PoolLayer } from '../../nn/layers/pool.js';
import type { ZeroPadLayer } from '../../nn/layers/reshape.js';
import type { ResidualLayer } from '../../nn/layers/residual.js';
import { ValueError } from '../../tensor/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { float, int, ints, type GraphBuilder } from './graph.js';

/** A value of the graph and its layout: (batch, n) rows, or NCHW images. */
export interface Value {
  readonly name: string;
  readonly layout: 'flat' | 'nchw';
}

/** Emits `layer` reading `x`; `tag` names its nodes (`dense1`, `pool3`, ...). */
export function emitLayer(g: GraphBuilder, layer: Layer, x: Value, tag: string, epsilon: number): Value {
  switch (layer.type) {
    case 'dense': {
      const d = layer as DenseLayer;
      const W = g.constant(`${tag}.W`, d.W.shape, d.W.data);
      let z: string;
      if (d.bn) {
        z = g.node('Gemm', [x.name, W], `${tag}.Z`, { transB: int(1) });
        z = batchNorm(g, z, d.bn, tag, epsilon);
      } else {
        const b = g.constant(`${tag}.b`, [d.units], d.b!.data);
        z = g.node('Gemm', [x.name, W, b], `${tag}.Z`, { transB: int(1) });
      }
      return { name: activation(g, z, d.activation, tag), layout: 'flat' };
    }
    case 'conv2d': {
      const c = layer as Conv2DLayer;
      const o = c.options;
      const W = g.constant(`${tag}.W`, [o.filters, c.inputShape.c, o.size, o.size], filtersToOihw(c.W));
      const attrs = { kernel_shape: ints([o.size, o.size]), strides: ints([o.stride, o.stride]), pads: ints([o.pad, o.pad, o.pad, o.pad]), dilations: ints([1, 1]), group: int(1) };
      const inputs = c.bn ? [x.name, W] : [x.name, W, g.constant(`${tag}.b`, [o.filters], c.b!.data)];
      let z = g.node('Conv', inputs, `${tag}.Z`, attrs);
      if (c.bn) z = batchNorm(g, z, c.bn, tag, epsilon);
      return { name: activation(g, z, c.activation, tag), layout: 'nchw' };
    }
    case 'maxPool2d':
    case 'avgPool2d': {
      const p = layer as PoolLayer;
      const op = p.type === 'maxPool2d' ? 'MaxPool' : 'AveragePool';
      return { name: g.node(op, [x.name], `${tag}.A`, { kernel_shape: ints([p.size, p.size]), strides: ints([p.stride, p.stride]) }), layout: 'nchw' };
    }
    case 'zeroPad2d': {
      const p = (layer as ZeroPadLayer).pad;
      const pads = g.int64(`${tag}.pads`, [0, 0, p, p, 0, 0, p, p]);
      return { name: g.node('Pad', [x.name, pads], `${tag}.A`, { mode: { string: 'constant' } }), layout: 'nchw' };
    }
    case 'flatten': {
      if (x.layout === 'flat') return x;
      // Back to (batch, h, w, c) first: layerwise flattens in row-major (h, w, c) order.
      const nhwc = g.node('Transpose', [x.name], `${tag}.nhwc`, { perm: ints([0, 2, 3, 1]) });
      return { name: g.node('Flatten', [nhwc], `${tag}.A`, { axis: int(1) }), layout: 'flat' };
    }
    case 'batchNorm':
      return { name: batchNorm(g, x.name, (layer as BatchNormLayer).bn, tag, epsilon), layout: x.layout };
    case 'dropout':
      return x; // inverted dropout is the identity at inference
    case 'activation':
      return { name: activation(g, x.name, (layer as ActivationLayer).activation, tag), layout: x.layout };
    case 'residual': {
      const r = layer as ResidualLayer;
      const main = emitChain(g, r.main, x, `${tag}.main`, epsilon);
      const short = emitChain(g, r.shortcut, x, `${tag}.shortcut`, epsilon);
      const sum = g.node('Add', [main.name, short.name], `${tag}.Z`);
      return { name: activation(g, sum, r.activation, tag), layout: main.layout };
    }
  }
}

/** Emits a list of layers in order (inside residual blocks: numbered within the block). */
export function emitChain(g: GraphBuilder, layers: readonly Layer[], x: Value, tag: string, epsilon: number): Value {
  let v = x;
  layers.forEach((l, i) => (v = emitLayer(g, l, v, `${tag}${i + 1}.${l.type}`, epsilon)));
  return v;
}

/** Inference batch normalization with the running statistics, per unit (batch, n) or per channel (NCHW). */
function batchNorm(g: GraphBuilder, x: string, bn: BatchNormState, tag: string, epsilon: number): string {
  const n = bn.gamma.size;
  const inputs = [bn.gamma, bn.beta, bn.runningMean, bn.runningVar].map((t, i) => g.constant(`${tag}.${['gamma', 'beta', 'runningMean', 'runningVar'][i]}`, [n], t.data));
  return g.node('BatchNormalization', [x, ...inputs], `${tag}.bn`, { epsilon: float(epsilon) });
}

/** g(Z) as an ONNX node (none for linear). Softmax runs over the class axis, 1 of (batch, n). */
function activation(g: GraphBuilder, z: string, act: Activation, tag: string): string {
  switch (act.kind) {
    case 'linear':
      return z;
    case 'relu':
      return g.node('Relu', [z], `${tag}.A`);
    case 'sigmoid':
      return g.node('Sigmoid', [z], `${tag}.A`);
    case 'tanh':
      return g.node('Tanh', [z], `${tag}.A`);
    case 'leakyRelu':
      return g.node('LeakyRelu', [z], `${tag}.A`, { alpha: float(act.slope) });
    case 'softmax':
      return g.node('Softmax', [z], `${tag}.A`, { axis: int(1) });
    default:
      throw new ValueError(`exportOnnx: ${tag}: activation ${(act as { kind: string }).kind} has no ONNX operator here`);
  }
}

/** Filters (f, f, c_in, c_out), channels last, as ONNX's (c_out, c_in, f, f). */
export function filtersToOihw(W: Tensor): Float32Array {
  const [f, , cin, cout] = W.shape as [number, number, number, number];
  const out = new Float32Array(W.size);
  for (let y = 0; y < f; y++) {
    for (let x = 0; x < f; x++) {
      for (let i = 0; i < cin; i++) {
        for (let o = 0; o < cout; o++) out[((o * cin + i) * f + y) * f + x] = W.data[((y * f + x) * cin + i) * cout + o]!;
      }
    }
  }
  return out;
}
