/**
 * Loops that ran out of WebAssembly memory (issue 14): repeated `fit` calls
 * with a dev set, and creating network after network. Nothing here forces a
 * garbage collection: the memory must come back deterministically (fit frees
 * what it allocated; `using` disposes each network), so wasm memory stays
 * within a small bound however many times the loop runs.
 *
 * The bounds are read with the wasm test hooks (heapStats, memoryInfo), which
 * predate dispose(): against the library before the fix these tests fail on
 * the bounds (fit) or on `using` (networks), not on a missing report.
 */
import { describe, expect, it } from 'vitest';
import { fit, getBackend, memory, Network, Rng, tensor } from '../../src/index.js';
import { heapStats, memoryInfo } from '../../src/backend/wasm/testing.js';

const MiB = 2 ** 20;

describe('wasm memory stays bounded in loops, without forced GC', () => {
  it('1,000 fit calls with a 10,000-example dev set on one network', () => {
    expect(getBackend().name).toBe('wasm');
    // Small training data, a large dev set: each call's dev plan alone is 10,000 x (10 + 2 x 16 + 3) floats, about 1.7 MiB.
    const data = (m: number, seed: number) => {
      const rng = new Rng(seed);
      const X = new Float32Array(10 * m).map(() => rng.uniform() * 2 - 1);
      const Y = new Float32Array(m).map((_, j) => (X[j]! + X[m + j]! > 0 ? 1 : 0));
      return { X: tensor(X, { shape: [10, m] }), Y: tensor(Y, { shape: [1, m] }) };
    };
    const { X, Y } = data(60, 1);
    const dev = data(10_000, 2);
    const net = new Network({ inputSize: 10, layers: [{ units: 16 }, { units: 1, activation: 'sigmoid' }], seed: 1 });
    const options = { learningRate: 0.1, epochs: 1, batchSize: 20, dev };
    fit(net, X, Y, options);
    const after1 = { ...heapStats(), bytes: memoryInfo().bytes };
    let lastCost = 0;
    for (let i = 1; i < 1000; i++) lastCost = fit(net, X, Y, options).epochs[0]!.devCost!;
    const after1000 = { ...heapStats(), bytes: memoryInfo().bytes };
    expect(Number.isFinite(lastCost)).toBe(true);
    // Every block a call allocates is back when it returns: the heap holds exactly what it held after one call.
    expect(after1000.liveBlocks).toBe(after1.liveBlocks);
    expect(after1000.liveBytes).toBe(after1.liveBytes);
    // Without that, 1,000 calls held over 2 GiB (and 399 calls on the 784-feature data ran out of the 4 GiB).
    expect(after1000.bytes).toBeLessThan(after1.bytes + 8 * MiB);
    expect(after1000.bytes).toBeLessThan(64 * MiB);
  }, 60_000);

  it('10,000 784-256-10 networks, each disposed by `using`', () => {
    const before = memory().wasm!;
    for (let i = 0; i < 10_000; i++) {
      // 'zeros' keeps the loop fast (He init draws 200,704 normals); the memory is the same 0.8 MB per network.
      using net = new Network({ inputSize: 784, layers: [{ units: 256 }, { units: 10, activation: 'softmax' }], init: 'zeros', seed: i });
      if (i % 1000 === 0) expect(net.predict(Array.from({ length: 784 }, () => [0.5])).cols).toBe(1);
    }
    const after = memory().wasm!;
    // 10,000 x 0.8 MB = 8 GB went through the heap; without dispose it ran out of the 4 GiB at about 5,270.
    expect(after.tensors).toBe(before.tensors);
    expect(after.tensorBytes).toBe(before.tensorBytes);
    expect(after.memoryBytes!).toBeLessThan(before.memoryBytes! + 16 * MiB);
  }, 60_000);
});
