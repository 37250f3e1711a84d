/**
 * The dropout kernel on wasm: the generator's four state words travel into
 * a 16-byte block of wasm memory, the module draws the mask and applies it
 * in one pass, and the advanced words come back. The block and its view are
 * made once: a training step allocates nothing here.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Kernels } from '../backend.js';
import type { WasmExports } from './exports.js';
import type { WasmHeap } from './heap.js';
import type { Stager } from './staging.js';

/** The dropout kernel over the given exports, stager and heap. */
export function createDropout(ex: WasmExports, stager: Stager, heap: WasmHeap): Kernels['dropout'] {
  const block = heap.allocator.alloc(16);
  let words: Int32Array | null = null;
  /** The block's view, remade only when the memory has grown (an unshared buffer is then replaced). */
  function view(): Int32Array {
    const buffer = heap.memory.memory.buffer;
    if (words === null || words.buffer !== buffer) words = new Int32Array(buffer, block, 4);
    return words;
  }

  return function dropout(state: Int32Array, x: Tensor, mask: Tensor, out: Tensor, keepProb: number): void {
    try {
      const px = stager.input(x);
      const pm = stager.output(mask, false);
      const po = stager.output(out, false);
      view().set(state);
      ex.dropout(block, px, pm, po, mask.size, keepProb * 4294967296, 1 / keepProb);
      state.set(view());
    } finally {
      stager.finish();
    }
  };
}
