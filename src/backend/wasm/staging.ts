/**
 * Kernel arguments as wasm addresses. Tensors from `backend.zeros` are
 * already in wasm memory and cost nothing; any other float32 tensor (made by
 * `tensor()`, `clone()`, or before the backend loaded) is copied into a
 * scratch block, and outputs are copied back after the kernel. Correct for
 * every tensor, fast for the ones the backend made.
 *
 * Nothing here allocates on the JS heap per kernel call for tensors the
 * backend made: the staging records are slots of arrays kept from call to
 * call, and the int32 copies go through one view of the whole memory,
 * remade only when the memory grew, into a block kept from call to call.
 */
import type { FloatArray, Tensor } from '../../tensor/tensor.js';
import type { WasmHeap } from './heap.js';
import { KeptBlock } from './kept-block.js';

export class Stager {
  /** The staged blocks of the current call, slots [0, count): the foreign array (null for int32 scratch), its block, whether to copy it back. */
  private readonly data: (FloatArray | null)[] = [];
  private readonly ptrs: number[] = [];
  private readonly writeBacks: boolean[] = [];
  private count = 0;
  /** An Int32Array over the whole memory (null until the first int32 staging; remade when the buffer changed). */
  private words: Int32Array | null = null;
  /** The first int32 copy of a call goes here (an allocator block per call would churn its lists); later ones get blocks of their own. */
  private readonly indices: KeptBlock;
  private indicesUsed = false;

  constructor(private readonly heap: WasmHeap) {
    this.indices = new KeptBlock(heap);
  }

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
    const kept = !this.indicesUsed;
    const block = kept ? this.indices.at(count * 4) : this.heap.allocator.alloc(count * 4);
    const buffer = this.heap.memory.memory.buffer;
    let words = this.words;
    if (words === null || words.buffer !== buffer) this.words = words = new Int32Array(buffer);
    // Value by value: a subarray of `values` would be a view made per call.
    const base = block >> 2;
    for (let i = 0; i < count; i++) words[base + i] = values[start + i]!;
    if (kept) this.indicesUsed = true;
    else this.push(null, block, false);
    return block;
  }

  /** Copies staged outputs back and frees the scratch; call in a `finally`. */
  finish(): void {
    this.indicesUsed = false;
    const n = this.count;
    if (n === 0) return;
    for (let i = 0; i < n; i++) {
      const data = this.data[i]!;
      const ptr = this.ptrs[i]!;
      if (this.writeBacks[i] && data !== null) data.set(this.heap.memory.f32(ptr, data.length));
      this.heap.allocator.free(ptr);
      this.data[i] = null;
    }
    this.count = 0;
  }

  private push(data: FloatArray | null, ptr: number, writeBack: boolean): void {
    const i = this.count++;
    this.data[i] = data;
    this.ptrs[i] = ptr;
    this.writeBacks[i] = writeBack;
  }

  private resolve(t: Tensor, writes: boolean, reads: boolean): number {
    const ptr = this.heap.addressOf(t);
    if (ptr >= 0) return ptr;
    // The same array passed twice (A may be Z, dZ may be dA) must map to one block.
    const data = t.data;
    for (let i = 0; i < this.count; i++) {
      if (this.data[i] === data) {
        if (writes) this.writeBacks[i] = true;
        return this.ptrs[i]!;
      }
    }
    const block = this.heap.allocator.alloc(data.length * 4);
    if (reads) this.heap.memory.f32(block, data.length).set(data);
    this.push(data, block, writes);
    return block;
  }
}
