/**
 * Sequence networks, and layers the exporters do not cover (a layerNorm over flat features, even
 * inside a residual block), have no ONNX or TensorFlow.js export yet: both refuse them by name
 * instead of failing inside or writing a model without them.
 */
import { describe, expect, it } from 'vitest';
import { exportOnnx, exportTfjs, Network } from '../../src/index.js';

const covers = 'the export covers dense, convolutional, pooling, padding, batch-norm, dropout, activation and residual layers';

describe('exporting what the exporters do not cover', () => {
  it('refuses a sequence network, naming its layers and what the export covers', () => {
    const net = new Network({ inputShape: { sequence: [3, 4] }, layers: [{ type: 'lstm', units: 5 }, { units: 1 }] });
    expect(() => exportOnnx(net)).toThrow(`exportOnnx: net: a sequence network (lstm, dense) cannot be exported to ONNX yet: ${covers}`);
    expect(() => exportTfjs(net)).toThrow(`exportTfjs: net: a sequence network (lstm, dense) cannot be exported to TensorFlow.js yet: ${covers}`);
  });

  it('refuses a flat network with a layerNorm, at the top or inside a residual block', () => {
    const top = new Network({ inputSize: 4, layers: [{ units: 4 }, { type: 'layerNorm' }, { units: 2, activation: 'softmax' }] });
    const inside = new Network({ inputSize: 4, layers: [{ type: 'residual', main: [{ units: 4 }, { type: 'layerNorm' }] }, { units: 2, activation: 'softmax' }] });
    for (const net of [top, inside]) {
      expect(() => exportOnnx(net)).toThrow(`exportOnnx: net: a network with layerNorm layers cannot be exported to ONNX yet: ${covers}`);
      expect(() => exportTfjs(net)).toThrow(`exportTfjs: net: a network with layerNorm layers cannot be exported to TensorFlow.js yet: ${covers}`);
    }
  });
});
