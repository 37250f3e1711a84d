/** Sequence networks have no ONNX or TensorFlow.js export yet: both refuse them by name instead of failing inside. */
import { describe, expect, it } from 'vitest';
import { exportOnnx, exportTfjs, Network, type NetworkOptions } from '../../src/index.js';

describe('exporting a sequence network', () => {
  const net = new Network({ inputShape: { sequence: [3, 4] }, layers: [{ type: 'lstm', units: 5 }, { units: 1 }] } as unknown as NetworkOptions);
  it('is refused, naming its layers and what the export covers', () => {
    const covers = 'the export covers dense, convolutional, pooling, padding, batch-norm, dropout, activation and residual layers';
    expect(() => exportOnnx(net)).toThrow(`exportOnnx: net: a sequence network (lstm, dense) cannot be exported to ONNX yet: ${covers}`);
    expect(() => exportTfjs(net)).toThrow(`exportTfjs: net: a sequence network (lstm, dense) cannot be exported to TensorFlow.js yet: ${covers}`);
  });
});
