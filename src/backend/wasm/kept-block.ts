/**
 * Scratch memory that a kernel keeps from call to call: one block of the
 * heap, replaced by a larger one when a call needs more, so that a training
 * loop calling the same kernels on the same shapes allocates nothing after
 * its first step.
 */
import type { WasmHeap } from './heap.js';

export class KeptBlock {
  private ptr = 0;
  private bytes = 0;

  constructor(private readonly heap: WasmHeap) {}

  /** The address of at least `bytes` bytes, valid until a later call asks for more. */
  at(bytes: number): number {
    if (bytes > this.bytes) {
      if (this.ptr !== 0) this.heap.allocator.free(this.ptr);
      this.ptr = this.heap.allocator.alloc(bytes);
      this.bytes = bytes;
    }
    return this.ptr;
  }
}
