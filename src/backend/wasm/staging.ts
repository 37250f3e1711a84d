/**
 * Kernel arguments as wasm addresses. Tensors from `backend.zeros` are
 * already in wasm memory and cost nothing; any other float32 tensor (made by
 * `tensor()`, `clone()`, or before the backend loaded) is copied into a
 * scratch block, and outputs are copied back after the kernel. Correct for
 * every tensor, fast for the ones the backend made.
 */
import type { FloatArray, Tensor } from '../../tensor/tensor.js';
import type { WasmHeap } from './heap.js';

interface Staged {
  readonly data: FloatArray | null;
  readonly ptr: number;
  writeBack: boolean;
}

export class Stager {
  private readonly staged: Staged[] = [];

  constructor(private readonly heap: WasmHeap) {}

  /** The address of a tensor the kernel reads. Stage every input before the outputs. */
  input(t: Tensor): number {
    return this.resolve(t, false, true);
  }

  /**
   * The address of a tensor the kernel writes; `reads` when the kernel also
   * reads its old values (matmul with beta != 0, Z in biasActivation, Y in axpy).
   */
  output(t: Tensor, reads: boolean): number {
    return this.resolve(t, true, reads);
  }

  /** The address of a scratch copy of `values[start .. start + count)` (the gather's column indices). */
  int32(values: Int32Array, start: number, count: number): number {
    const block = this.heap.allocator.alloc(count * 4);
    new Int32Array(this.heap.memory.memory.buffer, block, count).set(values.subarray(start, start + count));
    this.staged.push({ data: null, ptr: block, writeBack: false });
    return block;
  }

  /** Copies staged outputs back and frees the scratch; call in a `finally`. */
  finish(): void {
    if (this.staged.length === 0) return;
    for (const s of this.staged) {
      if (s.writeBack && s.data) s.data.set(this.heap.memory.f32(s.ptr, s.data.length));
      this.heap.allocator.free(s.ptr);
    }
    this.staged.length = 0;
  }

  private resolve(t: Tensor, writes: boolean, reads: boolean): number {
    const ptr = this.heap.addressOf(t);
    if (ptr >= 0) return ptr;
    // The same array passed twice (A may be Z, dZ may be dA) must map to one block.
    for (const s of this.staged) {
      if (s.data === t.data) {
        s.writeBack ||= writes;
        return s.ptr;
      }
    }
    const data = t.data;
    const block = this.heap.allocator.alloc(data.length * 4);
    if (reads) this.heap.memory.f32(block, data.length).set(data);
    this.staged.push({ data, ptr: block, writeBack: writes });
    return block;
  }
}
