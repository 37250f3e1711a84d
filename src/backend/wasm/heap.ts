/**
 * Tensors in wasm memory. `zeros` hands out Float32Array views over blocks
 * of the allocator. A block is given back either explicitly (`dispose()` of
 * a tensor, plan or network over it: `release`), or by a
 * FinalizationRegistry once no view of it is reachable.
 *
 * The registry tracks views, not tensors: a user may keep `tensor.data` and
 * drop the tensor (`w = net.parameters.W1.data`), and the block must live as
 * long as that view does. `reshape` makes a second tensor over the same view.
 * A block can have several views (a fresh one after a grow of unshared
 * memory, a `subarray` of a view), so blocks count the views registered on
 * them. Each block is one object, the registry's holdings and unregister
 * token: a late finalizer of a view can only ever touch its own block, and
 * an explicitly released block is unregistered at once, so its address can
 * be reused without a stale callback freeing the new owner's memory.
 *
 * Views made with `new Float32Array(view.buffer, ...)` are invisible here
 * and do not keep a block alive; `subarray` views do.
 */
import { bindExternalMemory, shareExternalMemory, Tensor, type ExternalMemory } from '../../tensor/tensor.js';
import { FreeListAllocator } from './allocator.js';
import { formatBytes, WasmOutOfMemoryError, type WasmMemory } from './memory.js';

/** One block a tensor lives in. */
class Block implements ExternalMemory {
  /** Registered views not yet collected. */
  views = 0;
  released = false;

  constructor(
    readonly heap: WasmHeap,
    readonly ptr: number,
    readonly bytes: number,
  ) {}

  release(): void {
    this.heap.release(this);
  }
}

/** Where a handed-out view lies: its block, and its own offset and length (to repair it after a grow detached it). */
interface ViewPlace {
  readonly block: Block;
  readonly byteOffset: number;
  readonly length: number;
}

const placeOfView = new WeakMap<Float32Array, ViewPlace>();

/**
 * The views the heap hands out. A `subarray` of one is registered on the
 * same block, so that keeping only the subarray keeps the memory alive (a
 * plain Float32Array's subarray would be invisible to the registry, and the
 * block freed under it). Otherwise it is a Float32Array in every way: its
 * `constructor` is Float32Array (so equality checks and species-made copies,
 * `slice`, `map`, ..., see a plain one).
 */
class HeapView extends Float32Array {
  // Float32Array<ArrayBuffer> is what lib.d.ts says the base returns; over shared memory the buffer is a SharedArrayBuffer.
  override subarray(begin?: number, end?: number): Float32Array<ArrayBuffer> {
    const plain = super.subarray(begin, end);
    const block = placeOfView.get(this)?.block;
    if (block === undefined || block.released || plain.buffer.byteLength === 0) return plain;
    const view = new HeapView(plain.buffer, plain.byteOffset, plain.length);
    block.heap.adopt(view, block);
    shareExternalMemory(this, view);
    return view;
  }
}
Object.defineProperty(HeapView.prototype, 'constructor', { value: Float32Array, writable: true, configurable: true });

export class WasmHeap {
  readonly allocator: FreeListAllocator;
  /** Live tensor blocks by address. */
  private readonly blocks = new Map<number, Block>();
  private tensorBytes = 0;
  private readonly registry = new FinalizationRegistry<Block>((block) => this.viewCollected(block));
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

  /**
   * A zero-filled float32 tensor in wasm memory. When the memory cannot grow
   * enough, throws a {@link WasmOutOfMemoryError} saying what was asked for
   * and what holds the memory.
   */
  zeros(shape: readonly number[]): Tensor {
    const size = shape.reduce((p, d) => p * d, 1);
    const untouched = this.allocator.untouchedFrom;
    const ptr = this.allocate(size * 4, shape);
    // Reused memory holds old values; memory no block has had is still zero (and clearing it would
    // only fault its pages in early).
    const end = Math.min(ptr + size * 4, untouched);
    if (end > ptr) this.zero(ptr, end - ptr);
    const block = new Block(this, ptr, this.allocator.sizeOf(ptr)!);
    this.blocks.set(ptr, block);
    this.tensorBytes += block.bytes;
    const view = new HeapView(this.memory.memory.buffer, ptr, size);
    this.adopt(view, block);
    bindExternalMemory(view, block);
    const t = new Tensor(shape, view);
    if (!this.memory.shared) this.track(t);
    return t;
  }

  /**
   * The byte address of a float32 tensor's values when they lie in wasm
   * memory, else -1. A view detached by a grow of unshared memory (a
   * reshaped alias the refresh could not know about) is repaired in place.
   * A disposed tensor throws its DisposedError here.
   */
  addressOf(t: Tensor): number {
    const data = t.data;
    if (!(data instanceof Float32Array) || !this.memory.owns(data.buffer)) return -1;
    if (data.buffer.byteLength !== 0) return data.byteOffset;
    const place = placeOfView.get(data);
    if (place === undefined) {
      throw new Error('wasm backend: a view into wasm memory was detached when the memory grew; keep tensors, not views of their data');
    }
    const fresh = this.freshView(place, data);
    t.data = fresh;
    return fresh.byteOffset;
  }

  /** Live views registered on the block at `ptr` (0 when no tensor block lives there), for tests. */
  registeredViews(ptr: number): number {
    return this.blocks.get(ptr)?.views ?? 0;
  }

  /** Tensor blocks in use and their bytes (the allocator's stats also count kernel scratch). */
  tensorStats(): { readonly blocks: number; readonly bytes: number } {
    return { blocks: this.blocks.size, bytes: this.tensorBytes };
  }

  /** Gives a block back now (a tensor's dispose); its views' later finalizers do nothing. */
  release(block: Block): void {
    if (block.released) return;
    this.registry.unregister(block);
    this.free(block);
  }

  /** Registers a view of `block`, which keeps it alive until the view is collected. */
  adopt(view: HeapView, block: Block): void {
    this.registry.register(view, block, block);
    placeOfView.set(view, { block, byteOffset: view.byteOffset, length: view.length });
    block.views++;
  }

  private viewCollected(block: Block): void {
    block.views--;
    if (block.views > 0 || block.released) return;
    this.free(block);
  }

  private free(block: Block): void {
    block.released = true;
    this.blocks.delete(block.ptr);
    this.tensorBytes -= block.bytes;
    this.allocator.free(block.ptr);
  }

  private allocate(bytes: number, shape: readonly number[]): number {
    try {
      return this.allocator.alloc(bytes);
    } catch (e) {
      if (!(e instanceof WasmOutOfMemoryError)) throw e;
      const used = this.allocator.stats();
      const { blocks, bytes: held } = this.tensorStats();
      throw new WasmOutOfMemoryError(
        `wasm backend: out of memory: a (${shape.join(', ')}) float32 tensor needs ${formatBytes(bytes)}, and ${formatBytes(used.liveBytes)} of the ` +
          `${formatBytes(e.maxBytes)} wasm memory are in use (${blocks} tensors hold ${formatBytes(held)}). Dispose networks and tensors you no longer ` +
          'need (net.dispose(), or `using`): memory of dropped ones comes back only when the garbage collector runs',
        e.neededEnd,
        e.maxBytes,
      );
    }
  }

  /** A view over the current buffer where a detached one lay (the same block, offset and length). */
  private freshView(place: ViewPlace, old: Float32Array): HeapView {
    const view = new HeapView(this.memory.memory.buffer, place.byteOffset, place.length);
    this.adopt(view, place.block);
    shareExternalMemory(old, view);
    return view;
  }

  private track(t: Tensor): void {
    this.tracked.push(new WeakRef(t));
    // Drop dead references now and then so the list stays proportional to live tensors.
    if (this.tracked.length > 2 * this.trackedAtLastPrune + 1024) this.prune();
  }

  private prune(): void {
    this.tracked = this.tracked.filter((r) => {
      const t = r.deref();
      return t !== undefined && !t.disposed;
    });
    this.trackedAtLastPrune = this.tracked.length;
  }

  private refreshTracked(): void {
    this.prune();
    for (const ref of this.tracked) {
      const t = ref.deref();
      if (!t || t.data.buffer.byteLength !== 0) continue;
      const place = placeOfView.get(t.data as Float32Array);
      if (place !== undefined && !place.block.released) t.data = this.freshView(place, t.data as Float32Array);
    }
  }
}
