/**
 * Views of wasm memory handed to the user (issue 14): a view keeps its block
 * alive, or becomes detectably invalid; it never shows another tensor's
 * numbers.
 *
 * What the repro (`w = new Network(...).parameters.W1.data`, drop
 * the network, make 200 more) does in Node: the registry frees a block when
 * the registered view is collected, and `w` is that very view, so it keeps
 * its block. What did show other numbers was any other view of the block:
 * `w.subarray(...)` (a plain Float32Array the registry never saw) outlived
 * the registered view, and its block went to the next tensor. Those views now
 * register on the block too. And explicit frees (dispose) must not let a
 * late finalizer of an old view free the block's next owner.
 */
import { describe, expect, it } from 'vitest';
import { DisposedError, getBackend, Network, Tensor } from '../../src/index.js';
import { loadedRuntime } from '../../src/backend/wasm/index.js';
import { WasmHeap } from '../../src/backend/wasm/heap.js';
import { WasmMemory } from '../../src/backend/wasm/memory.js';
import { heapStats, memoryInfo } from '../../src/backend/wasm/testing.js';

const gc = (globalThis as { gc?: () => void }).gc!;
const MiB = 2 ** 20;

/** A full collection, then a turn of the event loop for the FinalizationRegistry's callbacks. */
async function collect(): Promise<void> {
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 5));
  }
}

const net784 = (seed: number, init: 'he' | 'zeros' = 'he') => new Network({ inputSize: 784, layers: [{ units: 256 }, { units: 10, activation: 'softmax' }], init, seed });

/** Makes 200 networks whose W1 hold `i`, collecting garbage now and then so dropped networks' blocks get reused. */
async function churn(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    net784(1000 + i, 'zeros').parameters.W1!.data.fill(i);
    if (i % 50 === 0) await collect();
  }
}

describe('a view of a dropped network keeps its values', () => {
  it('W1.data itself, with the network garbage', async () => {
    expect(getBackend().name).toBe('wasm');
    expect(gc, 'vitest runs with --expose-gc (vitest.config.ts)').toBeTypeOf('function');
    const w = net784(1).parameters.W1!.data;
    const copy = Float32Array.from(w);
    await collect();
    await churn();
    expect(w).toEqual(copy);
    // Bounded: the 200 dropped networks' blocks were reused, not piled up (200 x 0.8 MB = 160 MB).
    expect(memoryInfo().bytes).toBeLessThan(64 * MiB);
  }, 60_000);

  it('a subarray of W1.data, with the network and the view it came from garbage', async () => {
    const [head, tail] = (() => {
      const data = net784(2).parameters.W1!.data;
      return [data.subarray(0, 1000), data.subarray(100_000).subarray(5)];
    })();
    const copies = [Float32Array.from(head), Float32Array.from(tail)];
    await collect();
    await churn();
    // Before the fix these read the next network's zeros and fill values.
    expect(head).toEqual(copies[0]);
    expect(tail).toEqual(copies[1]);
    expect(memoryInfo().bytes).toBeLessThan(64 * MiB);
  }, 60_000);
});

describe('explicitly freed memory', () => {
  it('a disposed tensor throws on use, and a kept raw view cannot become a tensor again', () => {
    const be = getBackend();
    const t = be.zeros([4, 4], 'float32');
    const alias = t.reshape([16]);
    const raw = t.data;
    t.dispose();
    expect(t.disposed && alias.disposed).toBe(true);
    expect(() => t.data[0]).toThrow(DisposedError);
    expect(() => t.data.length).toThrow(/Tensor\(4, 4\) was disposed/);
    expect(() => alias.get(0)).toThrow(DisposedError);
    expect(() => be.fill(t, 1)).toThrow(DisposedError);
    expect(() => be.copy(alias, be.zeros([16], 'float32'))).toThrow(DisposedError);
    expect(() => new Tensor([16], raw)).toThrow(DisposedError);
    expect(String(t)).toBe('Tensor(4, 4) float32 (disposed)');
    t.dispose(); // twice: nothing
  });

  it("a late finalizer of a disposed block's view does not free the block's next owner", async () => {
    const heap = loadedRuntime()!.heap;
    // Views that outlive their tensor's dispose(), dropped later: their finalizers run after the block was reused.
    let stale: Float32Array[] = [];
    const keep: Tensor[] = [];
    for (let i = 0; i < 50; i++) {
      const t = heap.zeros([64, 64]);
      stale.push(t.data as Float32Array, t.data.subarray(10) as Float32Array);
      t.dispose();
      const next = heap.zeros([64, 64]); // the same address
      next.data.fill(i);
      keep.push(next);
    }
    stale = [];
    await collect();
    for (let i = 0; i < 50; i++) heap.zeros([64, 64]).data.fill(-1); // would land on a wrongly freed block
    for (let i = 0; i < 50; i++) {
      expect(keep[i]!.data.every((v) => v === i)).toBe(true);
      expect(heap.registeredViews(heap.addressOf(keep[i]!))).toBe(1);
    }
    expect(stale.length).toBe(0);
  });

  it('unshared memory: a raw view kept across a grow reads as empty (detached), never as other values', () => {
    const memory = new WasmMemory(new WebAssembly.Memory({ initial: 1, maximum: 1024 }), false, 1024);
    const heap = new WasmHeap(memory, 1024);
    const t = heap.zeros([8, 8]);
    t.data.fill(3);
    const raw = t.data;
    const part = t.data.subarray(8);
    heap.zeros([1024, 1024]); // grows: every view of the old buffer detaches
    expect(raw.length).toBe(0);
    expect(part.length).toBe(0);
    // The tensor itself was given a fresh view over the same block.
    expect(t.data.every((v) => v === 3)).toBe(true);
  });
});

describe('bounded heap', () => {
  it('the tests above leave no tensor behind beyond the kept ones', async () => {
    await collect();
    // Kept: the 50 `keep` tensors went out of scope; what remains is the runtime's own blocks and a few.
    expect(heapStats().liveBlocks).toBeLessThan(100);
  });
});
