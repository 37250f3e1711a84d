/**
 * Tensors in wasm memory. `zeros` hands out Float32Array views over blocks
 * of the allocator; a FinalizationRegistry gives a block back once no view
 * of it is reachable, so users never dispose anything.
 *
 * The registry tracks views, not tensors: `reshape` makes a second tensor
 * over the same view, and the block must live as long as either does. A block
 * can have several views (after a refresh), so blocks are reference-counted
 * by the views registered on them.
 */
import { Tensor } from '../../tensor/tensor.js';
import { FreeListAllocator } from './allocator.js';
import type { WasmMemory } from './memory.js';

export class WasmHeap {
  readonly allocator: FreeListAllocator;
  /** Live registered views per block. */
  private readonly viewCounts = new Map<number, number>();
  private readonly registry = new FinalizationRegistry<number>((ptr) => this.release(ptr));
  /** The block each handed-out view starts at, to repair views that a grow detached. */
  private readonly viewAddress = new WeakMap<Float32Array, number>();
  /** Unshared memory only: the tensors whose views to refresh after a grow. */
  private tracked: WeakRef<Tensor>[] = [];
  private trackedAtLastPrune = 0;

  /**
   * @param zero clears `bytes` bytes at `ptr` (the module's fill: a typed array's fill over
   *   shared memory runs several times slower); by default a typed array's fill
   */
  constructor(
    readonly memory: WasmMemory,
    base: number,
    private readonly zero: (ptr: number, bytes: number) => void = (ptr, bytes) => memory.f32(ptr, bytes / 4).fill(0),
  ) {
    this.allocator = new FreeListAllocator(base, (end) => memory.ensure(end));
    if (!memory.shared) memory.onGrow(() => this.refreshTracked());
  }

  /** A zero-filled float32 tensor in wasm memory. */
  zeros(shape: readonly number[]): Tensor {
    const size = shape.reduce((p, d) => p * d, 1);
    const untouched = this.allocator.untouchedFrom;
    const ptr = this.allocator.alloc(size * 4);
    // Reused memory holds old values; memory no block has had is still zero (and clearing it would
    // only fault its pages in early).
    const end = Math.min(ptr + size * 4, untouched);
    if (end > ptr) this.zero(ptr, end - ptr);
    const view = this.memory.f32(ptr, size);
    this.adopt(view, ptr);
    const t = new Tensor(shape, view);
    if (!this.memory.shared) this.track(t);
    return t;
  }

  /**
   * The byte address of a float32 tensor's values when they lie in wasm
   * memory, else -1. A view detached by a grow of unshared memory (a
   * reshaped alias the refresh could not know about) is repaired in place.
   */
  addressOf(t: Tensor): number {
    const data = t.data;
    if (!(data instanceof Float32Array) || !this.memory.owns(data.buffer)) return -1;
    if (data.buffer.byteLength !== 0) return data.byteOffset;
    const ptr = this.viewAddress.get(data);
    if (ptr === undefined) {
      throw new Error('wasm backend: a view into wasm memory was detached when the memory grew; keep tensors, not views of their data');
    }
    t.data = this.freshView(ptr, t.shape);
    return ptr;
  }

  /** Live views per block, for tests. */
  registeredViews(ptr: number): number {
    return this.viewCounts.get(ptr) ?? 0;
  }

  private adopt(view: Float32Array, ptr: number): void {
    this.registry.register(view, ptr);
    this.viewAddress.set(view, ptr);
    this.viewCounts.set(ptr, (this.viewCounts.get(ptr) ?? 0) + 1);
  }

  private release(ptr: number): void {
    const n = (this.viewCounts.get(ptr) ?? 1) - 1;
    if (n > 0) {
      this.viewCounts.set(ptr, n);
      return;
    }
    this.viewCounts.delete(ptr);
    this.allocator.free(ptr);
  }

  private freshView(ptr: number, shape: readonly number[]): Float32Array {
    const view = this.memory.f32(ptr, shape.reduce((p, d) => p * d, 1));
    this.adopt(view, ptr);
    return view;
  }

  private track(t: Tensor): void {
    this.tracked.push(new WeakRef(t));
    // Drop dead references now and then so the list stays proportional to live tensors.
    if (this.tracked.length > 2 * this.trackedAtLastPrune + 1024) this.prune();
  }

  private prune(): void {
    this.tracked = this.tracked.filter((r) => r.deref() !== undefined);
    this.trackedAtLastPrune = this.tracked.length;
  }

  private refreshTracked(): void {
    this.prune();
    for (const ref of this.tracked) {
      const t = ref.deref();
      if (!t || t.data.buffer.byteLength !== 0) continue;
      const ptr = this.viewAddress.get(t.data as Float32Array);
      if (ptr !== undefined) t.data = this.freshView(ptr, t.shape);
    }
  }
}
