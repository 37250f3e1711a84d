/**
 * The training loop allocates no tensors and retains nothing per step:
 * across thousands of mini-batch steps (with shuffling, dropout, batch norm,
 * L2 and Adam) no buffer is allocated after the plans are built, the JS heap
 * after a full GC grows by no more than the per-iteration cost history, and
 * wasm memory does not grow.
 */
import { expect, it, vi } from 'vitest';
import { fit, getBackend, makeMoons, Network } from '../../src/index.js';
import { heapStats, memoryInfo } from '../../src/backend/wasm/testing.js';
import { describeEachBackend } from '../helpers.js';

const gc = (globalThis as { gc?: () => void }).gc;
/** The iterations (of 10,000) between which the heap is compared: well after the JIT has settled, and far apart. */
const FROM = 1000;
const TO = 9600;

describeEachBackend('allocation-free training', (backend) => {
  it('no tensor is allocated per step; heap and wasm memory stay flat', () => {
    expect(gc, 'vitest runs with --expose-gc (vitest.config.ts)').toBeTypeOf('function');
    const { X, Y } = makeMoons({ m: 256, seed: 1 });
    const make = () =>
      new Network({ inputSize: 2, layers: [{ units: 32, activation: 'relu', keepProb: 0.9, batchNorm: true }, { units: 16, activation: 'tanh' }, { units: 1 }], l2: 0.1, seed: 1 });
    const options = { learningRate: 0.01, epochs: 2500, batchSize: 64, optimizer: 'adam' as const };
    fit(make(), X, Y, { ...options, epochs: 200 }); // warm up the JIT
    const net = make();
    const zeros = vi.spyOn(getBackend(), 'zeros');
    const heap: number[] = [];
    const allocations: number[] = [];
    const wasm: string[] = [];
    const wasmBytes = () => (backend === 'wasm' ? `${memoryInfo().bytes} bytes, ${JSON.stringify(heapStats())}` : 'n/a');
    fit(net, X, Y, {
      ...options,
      onIteration: (i) => {
        if (i === FROM || i === TO) {
          gc!();
          heap.push(process.memoryUsage().heapUsed);
          allocations.push(zeros.mock.calls.length);
          wasm.push(wasmBytes());
        }
      },
    });
    zeros.mockRestore();
    expect(allocations[1]).toBe(allocations[0]);
    // The history keeps two float64s per iteration (cost, unregularizedCost) by design: 8600 steps, 138 KB.
    // Anything else retained must stay within 256 KiB over those steps (about 30 bytes a step).
    const history = (TO - FROM) * 2 * 8;
    expect(Math.abs(heap[1]! - heap[0]!)).toBeLessThan(256 * 1024 + history);
    expect(wasm[1]).toBe(wasm[0]);
  }, 60_000);
});
