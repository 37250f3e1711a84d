/**
 * The one WebAssembly.Memory the kernels (and the kernel worker) run on.
 *
 * Shared where SharedArrayBuffer exists: a worker can then use it, and
 * growing it never detaches existing views. Unshared elsewhere: growing it
 * detaches every view, so it tells its listeners (heap.ts refreshes tensor
 * views then).
 */

const PAGE = 65536;

/** Bytes as `1,024,000,000 bytes (976.6 MiB)`. */
export function formatBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB'];
  let v = bytes;
  let unit = '';
  for (const u of units) {
    if (v < 1024) break;
    v /= 1024;
    unit = u;
  }
  return unit === '' ? `${bytes.toLocaleString('en-US')} bytes` : `${bytes.toLocaleString('en-US')} bytes (${v.toFixed(1)} ${unit})`;
}

/**
 * The wasm memory cannot grow enough for an allocation. A RangeError (what
 * WebAssembly itself throws), with the numbers: callers (the heap, `fit`)
 * rethrow it with what they were allocating.
 */
export class WasmOutOfMemoryError extends RangeError {
  override readonly name = 'WasmOutOfMemoryError';
  constructor(
    message: string,
    /** The end address the allocation needed. */
    readonly neededEnd: number,
    /** The memory's maximum size in bytes. */
    readonly maxBytes: number,
  ) {
    super(message);
  }
}

/** Whether this host can create a shared WebAssembly.Memory. */
export function sharedMemorySupported(): boolean {
  return typeof SharedArrayBuffer === 'function';
}

export class WasmMemory {
  /** Every buffer this memory has had: views into any of them are views into wasm memory. */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private readonly growListeners: (() => void)[] = [];

  constructor(
    readonly memory: WebAssembly.Memory,
    readonly shared: boolean,
    private readonly maxPages: number,
  ) {
    this.buffers.add(memory.buffer);
  }

  /** Current size in bytes. */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** The most bytes it can grow to. */
  get maxBytes(): number {
    return this.maxPages * PAGE;
  }

  /** Whether `buffer` is (or was, before a grow) this memory's buffer. */
  owns(buffer: ArrayBufferLike): boolean {
    return this.buffers.has(buffer);
  }

  /** A float32 view of `length` values at byte address `ptr`, over the current buffer. */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }

  /** Calls `listener` after every grow (only needed for unshared memory, whose views detach). */
  onGrow(listener: () => void): void {
    this.growListeners.push(listener);
  }

  /** Grows the memory so that addresses below `end` are valid; throws a RangeError past the maximum. */
  ensure(end: number): void {
    const have = this.byteLength;
    if (end <= have) return;
    const havePages = have / PAGE;
    const needPages = Math.ceil(end / PAGE) - havePages;
    // Grow by at least half again, so a growing program pays for few grows (and few view refreshes).
    const pages = Math.min(Math.max(needPages, Math.ceil(havePages / 2)), this.maxPages - havePages);
    if (pages < needPages) {
      throw new WasmOutOfMemoryError(`wasm backend: out of memory: need ${end} bytes, the maximum is ${this.maxBytes}`, end, this.maxBytes);
    }
    this.memory.grow(pages);
    this.buffers.add(this.memory.buffer);
    for (const listener of this.growListeners) listener();
  }
}

/**
 * Creates the memory: shared when possible (trying smaller maxima where the
 * host cannot reserve 4 GiB of address space), unshared otherwise.
 */
export function createMemory(initialPages: number, declaredMaxPages: number): WasmMemory {
  if (sharedMemorySupported()) {
    for (let max = declaredMaxPages; max >= 4096; max /= 4) {
      try {
        return new WasmMemory(new WebAssembly.Memory({ initial: initialPages, maximum: max, shared: true }), true, max);
      } catch {
        // Address space too small for this maximum: try a smaller one.
      }
    }
  }
  return new WasmMemory(new WebAssembly.Memory({ initial: initialPages, maximum: declaredMaxPages }), false, declaredMaxPages);
}
