import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BLOCK_ALIGN, FreeListAllocator } from '../../src/backend/wasm/allocator.js';
import { WasmHeap } from '../../src/backend/wasm/heap.js';
import { WasmMemory } from '../../src/backend/wasm/memory.js';
import { growMemoryTo, memoryInfo } from '../../src/backend/wasm/testing.js';
import { Rng } from '../../src/random/rng.js';
import { loadWasm, randomWasm } from './wasm-helpers.js';

const wasm = loadWasm();

/** An allocator over [base, limit) that records how far it was asked to grow. */
function allocator(base = 1000, limit = 1 << 30): { heap: FreeListAllocator; grownTo: () => number } {
  let end = 0;
  const heap = new FreeListAllocator(base, (e) => {
    if (e > limit) throw new RangeError('full');
    end = Math.max(end, e);
  });
  return { heap, grownTo: () => end };
}

describe('FreeListAllocator', () => {
  it('aligns blocks and rounds sizes up to the alignment', () => {
    const { heap } = allocator(1000);
    const p = heap.alloc(1);
    const q = heap.alloc(100);
    expect(p % BLOCK_ALIGN).toBe(0);
    expect(p).toBeGreaterThanOrEqual(1000);
    expect(heap.sizeOf(p)).toBe(BLOCK_ALIGN);
    expect(heap.sizeOf(q)).toBe(2 * BLOCK_ALIGN);
    expect(q).toBe(p + BLOCK_ALIGN);
  });

  it('reuses a freed block for an allocation that fits', () => {
    const { heap } = allocator();
    const a = heap.alloc(256);
    heap.alloc(64); // keeps a from being the top block
    heap.free(a);
    expect(heap.stats().freeBlocks).toBe(1);
    expect(heap.alloc(128)).toBe(a);
    expect(heap.alloc(128)).toBe(a + 128);
    expect(heap.stats().freeBlocks).toBe(0);
  });

  it('merges neighbouring free blocks and lowers the top when the top block is freed', () => {
    const { heap } = allocator(0);
    const blocks = [heap.alloc(64), heap.alloc(64), heap.alloc(64), heap.alloc(64)];
    heap.free(blocks[0]!);
    heap.free(blocks[2]!);
    expect(heap.stats().freeBlocks).toBe(2);
    heap.free(blocks[1]!);
    expect(heap.stats()).toMatchObject({ freeBlocks: 1, freeBytes: 192, liveBlocks: 1 });
    heap.free(blocks[3]!);
    expect(heap.stats()).toMatchObject({ top: 0, freeBlocks: 0, freeBytes: 0, liveBlocks: 0, liveBytes: 0 });
  });

  it('does not grow without bound when tensors are allocated and dropped', () => {
    const { heap, grownTo } = allocator(0);
    const rng = new Rng(1);
    const live: number[] = [];
    let peakLive = 0;
    for (let i = 0; i < 20_000; i++) {
      if (live.length < 40 && (live.length === 0 || rng.uniform() < 0.55)) {
        live.push(heap.alloc(64 + rng.int(64 * 1024)));
      } else {
        heap.free(live.splice(rng.int(live.length), 1)[0]!);
      }
      peakLive = Math.max(peakLive, heap.stats().liveBytes);
    }
    // First fit over a merged free list keeps the footprint within a small factor of the peak live size.
    expect(grownTo()).toBeLessThan(4 * peakLive);
    for (const p of live) heap.free(p);
    expect(heap.stats()).toMatchObject({ top: 0, liveBlocks: 0, freeBlocks: 0 });
  });

  it('refuses to free an address that is not a live block', () => {
    const { heap } = allocator();
    const p = heap.alloc(64);
    expect(() => heap.free(p + 64)).toThrow(/not a live block/);
    heap.free(p);
    expect(() => heap.free(p)).toThrow(/not a live block/);
  });

  it('passes allocation failures through', () => {
    const { heap } = allocator(0, 1024);
    expect(() => heap.alloc(4096)).toThrow(RangeError);
    expect(heap.stats().liveBlocks).toBe(0);
  });
});

describe('wasm tensors when the memory grows', () => {
  it('keep valid views over shared memory (views never detach)', () => {
    expect(memoryInfo().shared).toBe(true);
    const rng = new Rng(2);
    const x = randomWasm(wasm, [33, 17], rng);
    const view = x.data;
    const values = Array.from(view);
    growMemoryTo(memoryInfo().bytes + 32 * 1024 * 1024);
    expect(x.data).toBe(view);
    expect(Array.from(view)).toEqual(values);
    // Kernels still read and write through the old view.
    const y = wasm.zeros([33, 17], 'float32');
    wasm.copy(x, y);
    wasm.axpy(1, x, y);
    expect(Array.from(y.data)).toEqual(values.map((v) => Math.fround(2 * v)));
    wasm.fill(x, 3);
    expect(view.every((v) => v === 3)).toBe(true);
  });

  it('are refreshed in place over unshared memory, and reshaped aliases are repaired on use', () => {
    const memory = new WasmMemory(new WebAssembly.Memory({ initial: 1, maximum: 1024 }), false, 1024);
    const heap = new WasmHeap(memory, 1024);
    const t = heap.zeros([8, 8]);
    t.data.set(Array.from({ length: 64 }, (_, i) => i));
    const alias = t.reshape([4, 16]);
    const before = t.data;
    heap.zeros([1024, 1024]); // 4 MiB: more than the 64 KiB there is
    expect(before.length).toBe(0); // detached by the grow
    expect(t.data === before).toBe(false);
    expect(Array.from(t.data)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    // The alias was made outside the heap's knowledge; resolving it repairs its view.
    expect(alias.data.length).toBe(0);
    expect(heap.addressOf(alias)).toBe(heap.addressOf(t));
    expect(alias.data.length).toBe(64);
    expect(alias.data[63]).toBe(63);
  });

  it('count one registered view per handed-out view', () => {
    const memory = new WasmMemory(new WebAssembly.Memory({ initial: 1, maximum: 1024 }), false, 1024);
    const heap = new WasmHeap(memory, 1024);
    const t = heap.zeros([4, 4]);
    const ptr = heap.addressOf(t);
    expect(heap.registeredViews(ptr)).toBe(1);
    heap.zeros([512, 512]); // grows: t gets a fresh view, registered too
    expect(heap.registeredViews(ptr)).toBe(2);
  });

  it('come from blocks that zeros() clears even when reused', () => {
    const memory = new WasmMemory(new WebAssembly.Memory({ initial: 1, maximum: 1024 }), false, 1024);
    const heap = new WasmHeap(memory, 1024);
    const keep = heap.zeros([4, 4]);
    // A block that held values and was freed (as the FinalizationRegistry frees a dropped tensor's block)...
    const ptr = heap.allocator.alloc(16 * 16 * 4);
    memory.f32(ptr, 256).fill(7);
    heap.allocator.free(ptr);
    // ...is the one the next zeros() of that size gets, and it reads as zeros.
    const t = heap.zeros([16, 16]);
    expect(heap.addressOf(t)).toBe(ptr);
    expect(t.data.every((v) => v === 0)).toBe(true);
    expect(heap.addressOf(keep)).not.toBe(ptr);
  });

  it('clear only the memory an earlier block had: fresh memory is already zero', () => {
    const memory = new WasmMemory(new WebAssembly.Memory({ initial: 1, maximum: 1024 }), false, 1024);
    const cleared: number[] = [];
    const heap = new WasmHeap(memory, 1024, (ptr, bytes) => {
      cleared.push(bytes);
      memory.f32(ptr, bytes / 4).fill(0);
    });
    heap.zeros([4, 4]);
    expect(cleared).toEqual([]);
    // A freed block at the top lowers it: the next, larger block starts there and runs past it.
    const ptr = heap.allocator.alloc(256 * 4);
    memory.f32(ptr, 256).fill(7);
    heap.allocator.free(ptr);
    const t = heap.zeros([32, 32]);
    expect(heap.addressOf(t)).toBe(ptr);
    expect(cleared).toEqual([256 * 4]);
    expect(t.data.every((v) => v === 0)).toBe(true);
  });
});

describe('garbage-collected wasm tensors', () => {
  it('give their memory back (5 GiB allocated in all, never more than a few hundred MiB held)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerwise-wasm-'));
    try {
      const index = pathToFileURL(resolve('src/backend/wasm/index.ts')).href;
      const testing = pathToFileURL(resolve('src/backend/wasm/testing.ts')).href;
      const script = join(dir, 'churn.mts');
      writeFileSync(
        script,
        `import { initWasmBackendSync } from ${JSON.stringify(index)};
import { memoryInfo } from ${JSON.stringify(testing)};
const backend = initWasmBackendSync({ threads: 1 });
const gc = (globalThis as { gc?: () => void }).gc!;
let peak = 0;
for (let round = 0; round < 40; round++) {
  for (let i = 0; i < 32; i++) backend.fill(backend.zeros([1024, 1024], 'float32'), i); // 4 MiB each, dropped at once
  gc();
  // FinalizationRegistry callbacks run as tasks after a collection.
  await new Promise((r) => setTimeout(r, 10));
  peak = Math.max(peak, memoryInfo().bytes);
}
console.log(Math.round(peak / 2 ** 20));
`,
      );
      const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], { encoding: 'utf8', timeout: 120_000 });
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      // Without the registry the 40 * 32 * 4 MiB would exceed the 4 GiB maximum and throw.
      expect(Number(child.stdout.trim())).toBeLessThan(1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
