/**
 * Inference runs in chunks whose buffers stay within 256 MiB: the chunk size counts what each layer
 * holds per example besides its output (Layer.valuesPerExample), which for attention grows with T^2.
 */
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/index.js';

const BUDGET = 256 * 2 ** 20;

describe('inference chunks', () => {
  it('shrink with attention over long sequences (T^2 weights per head)', () => {
    // d = 16, T = 512, 4 heads: 3 x 4 + 1 = 13 T x T matrices per example, 13 x 512^2 x 4 bytes = 13 MiB.
    const T = 512;
    const net = new Network({
      inputShape: { sequence: [16, T] },
      layers: [{ type: 'multiHeadAttention', heads: 4 }, { type: 'globalAveragePool1d' }, { units: 2, activation: 'softmax' }],
    });
    const perExample = 13 * T * T * 4;
    expect(net.inferenceChunk(100_000)).toBeLessThanOrEqual(Math.floor(BUDGET / perExample));
    // Without the attention layer, its outputs alone allow many more examples per chunk.
    const plain = new Network({ inputShape: { sequence: [16, T] }, layers: [{ type: 'globalAveragePool1d' }, { units: 2, activation: 'softmax' }] });
    expect(plain.inferenceChunk(100_000)).toBeGreaterThan(10 * net.inferenceChunk(100_000));
    net.dispose();
    plain.dispose();
  });
});
