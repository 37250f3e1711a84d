/**
 * A first-fit free-list allocator over a range of wasm memory. It only does
 * address arithmetic; the memory itself is grown through `ensure`, and the
 * callers (heap.ts) decide when blocks are given back.
 */

/** Block alignment and granularity: a cache line, so two tensors never share one and SIMD loads are aligned. */
export const BLOCK_ALIGN = 64;

/** A snapshot of the allocator's bookkeeping. */
export interface AllocatorStats {
  /** The end of the highest block in use: memory above it is unused. */
  readonly top: number;
  readonly liveBlocks: number;
  readonly liveBytes: number;
  readonly freeBlocks: number;
  readonly freeBytes: number;
}

function alignUp(x: number): number {
  return Math.ceil(x / BLOCK_ALIGN) * BLOCK_ALIGN;
}

/**
 * Blocks are carved first-fit from a sorted free list, else from the top.
 * Freed blocks merge with free neighbours, and a free run that reaches the
 * top lowers the top, so a program that allocates and drops tensors of
 * similar sizes reuses the same memory instead of growing it.
 *
 * @example
 * ```ts
 * const heap = new FreeListAllocator(1024, (end) => { if (end > 65536) throw new RangeError('full'); });
 * const p = heap.alloc(100); // 1024, and the block is 128 bytes
 * heap.free(p);
 * ```
 */
export class FreeListAllocator {
  private readonly live = new Map<number, number>();
  private readonly freeStarts: number[] = [];
  private readonly freeSizes: number[] = [];
  private topAddress: number;
  private liveTotal = 0;
  private highWater: number;

  /**
   * @param base the first address the allocator may use
   * @param ensure makes addresses below `end` usable (grows memory) or throws
   */
  constructor(base: number, private readonly ensure: (end: number) => void) {
    this.topAddress = alignUp(base);
    this.highWater = this.topAddress;
  }

  /**
   * The end of the highest block ever handed out. Memory above it has never been part of a
   * block, so it still holds the zeros a wasm memory starts (and grows) with.
   */
  get untouchedFrom(): number {
    return this.highWater;
  }

  /** A block of at least `bytes` bytes, BLOCK_ALIGN-aligned. */
  alloc(bytes: number): number {
    const size = Math.max(BLOCK_ALIGN, alignUp(bytes));
    for (let i = 0; i < this.freeStarts.length; i++) {
      const free = this.freeSizes[i] as number;
      if (free < size) continue;
      const ptr = this.freeStarts[i] as number;
      if (free === size) {
        this.removeFree(i);
      } else {
        this.freeStarts[i] = ptr + size;
        this.freeSizes[i] = free - size;
      }
      this.live.set(ptr, size);
      this.liveTotal += size;
      return ptr;
    }
    const ptr = this.topAddress;
    this.ensure(ptr + size);
    this.topAddress = ptr + size;
    this.highWater = Math.max(this.highWater, this.topAddress);
    this.live.set(ptr, size);
    this.liveTotal += size;
    return ptr;
  }

  /** Gives a block back. Freeing an address that is not a live block throws (it would corrupt the lists). */
  free(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) throw new Error(`FreeListAllocator.free: ${ptr} is not a live block`);
    this.live.delete(ptr);
    this.liveTotal -= size;
    let start = ptr;
    let end = ptr + size;
    // i: the first free block above ptr.
    let i = this.upperBound(ptr);
    if (i > 0 && (this.freeStarts[i - 1] as number) + (this.freeSizes[i - 1] as number) === start) {
      i--;
      start = this.freeStarts[i] as number;
      this.removeFree(i);
    }
    if (i < this.freeStarts.length && this.freeStarts[i] === end) {
      end += this.freeSizes[i] as number;
      this.removeFree(i);
    }
    if (end === this.topAddress) {
      this.topAddress = start;
      return;
    }
    this.insertFree(i, start, end - start);
  }

  // The free lists are edited in place: splice returns an array of what it removed, garbage on every call.

  /** Removes free block i. */
  private removeFree(i: number): void {
    const starts = this.freeStarts;
    const sizes = this.freeSizes;
    for (let j = i + 1; j < starts.length; j++) {
      starts[j - 1] = starts[j] as number;
      sizes[j - 1] = sizes[j] as number;
    }
    starts.length--;
    sizes.length--;
  }

  /** Inserts a free block at index i. */
  private insertFree(i: number, start: number, size: number): void {
    const starts = this.freeStarts;
    const sizes = this.freeSizes;
    for (let j = starts.length; j > i; j--) {
      starts[j] = starts[j - 1] as number;
      sizes[j] = sizes[j - 1] as number;
    }
    starts[i] = start;
    sizes[i] = size;
  }

  /** The size of a live block, or undefined. */
  sizeOf(ptr: number): number | undefined {
    return this.live.get(ptr);
  }

  /** Counts and sizes, for tests and diagnostics. */
  stats(): AllocatorStats {
    return {
      top: this.topAddress,
      liveBlocks: this.live.size,
      liveBytes: this.liveTotal,
      freeBlocks: this.freeStarts.length,
      freeBytes: this.freeSizes.reduce((a, b) => a + b, 0),
    };
  }

  private upperBound(ptr: number): number {
    let lo = 0;
    let hi = this.freeStarts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.freeStarts[mid] as number) < ptr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
