/**
 * Networks and training runs too large for the wasm backend's 4 GiB (issue
 * 14): refused up front with a ValueError naming the layer and the bytes,
 * before anything is allocated; `--layers 16000,16000` on MNIST used to throw
 * an uncaught RangeError out of fit after 15 s of work.
 */
import { describe, expect, it } from 'vitest';
import { fit, getBackend, memory, Network, ValueError } from '../../src/index.js';

describe('up-front size checks against the wasm backend\'s 4 GiB', () => {
  it('a network whose parameters cannot fit is refused before anything is allocated, naming its largest layer', () => {
    expect(getBackend().name).toBe('wasm');
    const before = memory().wasm!;
    const layers = [...Array.from({ length: 6 }, () => ({ units: 16000 })), { units: 10 }];
    const started = performance.now();
    let error: unknown = null;
    try {
      new Network({ inputSize: 784, layers });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValueError);
    const message = (error as Error).message;
    // 784 x 16000 + 5 x 16000 x 16000 + 16000 x 10 weights, 6 x 16000 + 10 biases, 4 bytes each.
    const bytes = 4 * (784 * 16000 + 5 * 16000 * 16000 + 16000 * 10 + 6 * 16000 + 10);
    expect(message).toContain(`Network: the parameters need ${bytes.toLocaleString('en-US')} bytes (4.8 GiB)`);
    expect(message).toContain('at most 4,294,967,296 bytes (4.0 GiB)');
    expect(message).toContain('The largest layer is layers[1] (dense 16000 relu: W2, b2), 1,024,064,000 bytes (976.6 MiB)');
    // Shapes only: nothing allocated, no weight initialized.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(memory().wasm!.tensors).toBe(before.tensors);
    expect(memory().wasm!.memoryBytes).toBe(before.memoryBytes);
  });

  it('the js backend has no such limit to check: the same options build layer by layer as before', () => {
    // (Not built here: 5 GB of float32 on the JS heap. The sizing pass runs every other check the same way.)
    expect(() => new Network({ inputSize: 784, layers: [{ units: 16000 }, { units: 0 }] })).toThrow('Network: layers[1].units: expected a positive integer');
  });

  it('784-16000-16000-10 fits (1.07 GB) but cannot train with Adam: fit refuses before allocating, with the breakdown', () => {
    // 'zeros' skips drawing 268 million normals; the check does not depend on the values.
    const net = new Network({ inputSize: 784, layers: [{ units: 16000 }, { units: 16000 }, { units: 10, activation: 'softmax' }], init: 'zeros' });
    try {
      const held = memory().wasm!;
      const X = Array.from({ length: 784 }, () => [0, 1]);
      const Y = Array.from({ length: 10 }, (_, i) => [i === 0 ? 1 : 0, i === 1 ? 1 : 0]);
      let error: unknown = null;
      try {
        fit(net, X, Y, { learningRate: 0.001, epochs: 1, optimizer: 'adam' });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValueError);
      const message = (error as Error).message;
      expect(message).toMatch(/^fit: training needs [\d,]+ bytes \(5\.0 GiB\) besides the network \(at least: gradients 1,074,[\d,]+ bytes \(1\.0 GiB\), 2 parameter snapshots 2,149,[\d,]+ bytes \(2\.0 GiB\), adam state 2,149,[\d,]+ bytes \(2\.0 GiB\), batch buffers/);
      expect(message).toContain('The largest layer is layers[1] (dense 16000 relu: W2, b2), 1,024,064,000 bytes (976.6 MiB)');
      expect(message).toContain("or an optimizer with less state ('gd')");
      expect(memory().wasm!.tensors).toBe(held.tensors);
      expect(memory().wasm!.memoryBytes).toBe(held.memoryBytes);
    } finally {
      net.dispose();
    }
  }, 30_000);
});
