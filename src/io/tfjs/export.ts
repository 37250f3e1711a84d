/**
 * A network as a TensorFlow.js layers model: model.json (a Keras Sequential
 * topology, snake_case configs, a weightsManifest) and weights.bin
 * (little-endian float32 in manifest order), which `tf.loadLayersModel`
 * loads unchanged. Keras computes on (batch, features) rows and channels-last
 * images, so Dense kernels are W^T, (n[l-1], n[l]), and Conv2D kernels are
 * layerwise's (f, f, n_C_prev, n_C) as they are.
 */
import type { Activation } from '../../backend/backend.js';
import type { BatchNormState } from '../../nn/layers/batch-norm.js';
import type { Conv2DLayer } from '../../nn/layers/conv2d.js';
import type { DenseLayer } from '../../nn/layers/dense.js';
import type { ActivationLayer, DropoutLayer } from '../../nn/layers/elementwise.js';
import type { Layer } from '../../nn/layers/layer.js';
import type { PoolLayer } from '../../nn/layers/pool.js';
import type { ZeroPadLayer } from '../../nn/layers/reshape.js';
import { Network } from '../../nn/network.js';
import { ValueError } from '../../tensor/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { describe } from '../../tensor/validate.js';
import { LIBRARY_VERSION } from '../version.js';
import { transposed } from '../onnx/network-state.js';
import type { KerasLayer, TfjsModelJson, WeightSpec } from './model-json.js';
import { assertExportable } from '../exportable.js';

/** Options of {@link exportTfjs}. */
export interface TfjsExportOptions {
  /** The weights file model.json names; default 'weights.bin'. */
  weightsFile?: string;
  /** Stored as model.json's userDefinedMetadata (class names, the standardizer's statistics, ...). */
  metadata?: Record<string, unknown>;
}

/**
 * The network as model.json and weights.bin of a TensorFlow.js layers model.
 * Residual blocks are refused: a Sequential model is one chain of layers.
 *
 * @example
 * ```ts
 * import { Network, exportTfjs, importTfjs } from 'layerwise';
 * const net = new Network({ inputSize: 3, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], seed: 1 });
 * const { modelJson, weights } = exportTfjs(net); // write JSON.stringify(modelJson) to model.json, weights to weights.bin
 * modelJson.modelTopology.config.layers.map((l) => l.class_name).join() === 'Dense,Dense'; // true
 * importTfjs(modelJson, weights).network.predict([[1], [2], [3]]).get(0, 0) === net.predict([[1], [2], [3]]).get(0, 0); // true
 * ```
 */
export function exportTfjs(net: Network, options: TfjsExportOptions = {}): { modelJson: TfjsModelJson; weights: Uint8Array } {
  const where = 'exportTfjs';
  if (!(net instanceof Network)) throw new ValueError(`${where}: net: expected a Network, got ${describe(net)}`);
  const file = options.weightsFile ?? 'weights.bin';
  if (typeof file !== 'string' || !/^[A-Za-z0-9._-]+$/.test(file)) throw new ValueError(`${where}: options.weightsFile: expected a plain file name, got ${describe(file)}`);
  assertExportable(net, where, 'TensorFlow.js');
  net.checkParameters(where);
  const out = new KerasWriter(net.batchNormMomentum, net.batchNormEpsilon);
  net.stack.forEach((l, i) => out.layer(l, `layer ${i + 1}`));
  const s = net.inputShape;
  const first = out.layers[0]!.config;
  out.layers[0]!.config = { batch_input_shape: [null, ...(s.kind === 'flat' ? [s.units] : [s.h, s.w, s.c])], dtype: 'float32', ...first };
  const modelJson: TfjsModelJson = {
    format: 'layers-model',
    generatedBy: `layerwise ${LIBRARY_VERSION}`,
    convertedBy: null,
    modelTopology: { class_name: 'Sequential', config: { name: 'sequential', layers: out.layers }, keras_version: `layerwise ${LIBRARY_VERSION}`, backend: 'tensor_flow.js' },
    weightsManifest: [{ paths: [file], weights: out.specs }],
    ...(options.metadata ? { userDefinedMetadata: JSON.parse(JSON.stringify(options.metadata)) as Record<string, unknown> } : {}),
  };
  return { modelJson, weights: out.bytes() };
}

/** Keras names for layerwise's activations that Keras has as strings. */
const KERAS_ACTIVATIONS: Record<string, string> = { relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', softmax: 'softmax', linear: 'linear' };

/** Collects Keras layers and their weights. */
class KerasWriter {
  readonly layers: KerasLayer[] = [];
  readonly specs: WeightSpec[] = [];
  private readonly data: Float32Array[] = [];
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly momentum: number,
    private readonly epsilon: number,
  ) {}

  /** Adds a Keras layer named like Keras does (dense_1, conv2d_2, ...); returns its name. */
  add(className: string, snake: string, config: Record<string, unknown>, trainable = true): string {
    const n = (this.counts.get(snake) ?? 0) + 1;
    this.counts.set(snake, n);
    const name = `${snake}_${n}`;
    this.layers.push({ class_name: className, config: { name, trainable, ...config } });
    return name;
  }

  weight(layer: string, weight: string, shape: number[], values: ArrayLike<number>): void {
    this.specs.push({ name: `${layer}/${weight}`, shape, dtype: 'float32' });
    this.data.push(Float32Array.from(values));
  }

  bytes(): Uint8Array {
    const total = this.data.reduce((s, d) => s + d.length, 0);
    const out = new Uint8Array(total * 4);
    const view = new DataView(out.buffer);
    let offset = 0;
    for (const d of this.data) for (let i = 0; i < d.length; i++, offset += 4) view.setFloat32(offset, d[i]!, true);
    return out;
  }

  layer(l: Layer, at: string): void {
    switch (l.type) {
      case 'dense': {
        const d = l as DenseLayer;
        const fused = !d.bn && d.activation.kind in KERAS_ACTIVATIONS;
        const name = this.add('Dense', 'dense', { units: d.units, activation: fused ? KERAS_ACTIVATIONS[d.activation.kind] : 'linear', use_bias: !d.bn }, d.trainable);
        this.weight(name, 'kernel', [d.W.cols, d.W.rows], transposed(Float64Array.from(d.W.data), d.W.rows, d.W.cols));
        if (d.b) this.weight(name, 'bias', [d.units], d.b.data);
        if (d.bn) this.batchNorm(d.bn, d.trainable);
        if (!fused) this.activation(d.activation);
        if (d.keepProb < 1) this.add('Dropout', 'dropout', { rate: 1 - d.keepProb });
        return;
      }
      case 'conv2d': {
        const c = l as Conv2DLayer;
        const o = c.options;
        let padding = 'valid';
        if (o.pad > 0 && o.stride === 1 && o.pad * 2 === o.size - 1) padding = 'same';
        else if (o.pad > 0) this.add('ZeroPadding2D', 'zero_padding2d', { padding: [[o.pad, o.pad], [o.pad, o.pad]], data_format: 'channels_last' });
        const fused = !c.bn && c.activation.kind in KERAS_ACTIVATIONS;
        const name = this.add('Conv2D', 'conv2d', {
          filters: o.filters, kernel_size: [o.size, o.size], strides: [o.stride, o.stride], padding, data_format: 'channels_last', dilation_rate: [1, 1],
          activation: fused ? KERAS_ACTIVATIONS[c.activation.kind] : 'linear', use_bias: !c.bn,
        }, c.trainable);
        this.weight(name, 'kernel', [...c.W.shape], c.W.data);
        if (c.b) this.weight(name, 'bias', [o.filters], c.b.data);
        if (c.bn) this.batchNorm(c.bn, c.trainable);
        if (!fused) this.activation(c.activation);
        return;
      }
      case 'maxPool2d':
      case 'avgPool2d': {
        const p = l as PoolLayer;
        const [cls, snake] = p.type === 'maxPool2d' ? ['MaxPooling2D', 'max_pooling2d'] : ['AveragePooling2D', 'average_pooling2d'];
        this.add(cls, snake, { pool_size: [p.size, p.size], strides: [p.stride, p.stride], padding: 'valid', data_format: 'channels_last' });
        return;
      }
      case 'zeroPad2d': {
        const p = (l as ZeroPadLayer).pad;
        this.add('ZeroPadding2D', 'zero_padding2d', { padding: [[p, p], [p, p]], data_format: 'channels_last' });
        return;
      }
      case 'flatten':
        this.add('Flatten', 'flatten', { data_format: 'channels_last' });
        return;
      case 'batchNorm':
        this.batchNorm((l as unknown as { bn: BatchNormState }).bn, l.trainable);
        return;
      case 'dropout':
        this.add('Dropout', 'dropout', { rate: 1 - (l as DropoutLayer).keepProb });
        return;
      case 'activation':
        this.activation((l as ActivationLayer).activation);
        return;
      case 'residual':
        throw new ValueError(
          `exportTfjs: ${at}: a residual block adds the outputs of two paths, which a Sequential model cannot express (its layers form one chain); export the network to ONNX (exportOnnx) instead`,
        );
    }
  }

  private batchNorm(bn: BatchNormState, trainable: boolean): void {
    const name = this.add('BatchNormalization', 'batch_normalization', { axis: -1, momentum: this.momentum, epsilon: this.epsilon, center: true, scale: true }, trainable);
    const n = bn.gamma.size;
    const tensors: [string, Tensor][] = [['gamma', bn.gamma], ['beta', bn.beta], ['moving_mean', bn.runningMean], ['moving_variance', bn.runningVar]];
    for (const [w, t] of tensors) this.weight(name, w, [n], t.data);
  }

  private activation(act: Activation): void {
    if (act.kind === 'linear') return;
    if (act.kind === 'leakyRelu') this.add('LeakyReLU', 'leaky_re_lu', { alpha: act.slope });
    else this.add('Activation', 'activation', { activation: KERAS_ACTIVATIONS[act.kind] });
  }
}
