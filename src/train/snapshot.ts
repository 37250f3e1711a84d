/**
 * A copy of a network's trainable state (parameters and batch-norm running
 * statistics) in preallocated buffers: saved at epoch starts to undo a
 * diverging epoch, and at the best dev epoch for early stopping.
 */
import type { Backend } from '../backend/backend.js';
import type { Network } from '../nn/network.js';
import type { Tensor } from '../tensor/tensor.js';

/** Saves and restores every tensor that training changes, without allocating after construction. */
export class ParameterSnapshot {
  private readonly live: Tensor[] = [];
  private readonly saved: Tensor[] = [];

  constructor(
    net: Network,
    private readonly be: Backend,
  ) {
    for (const l of net.layers) {
      const ts = [l.W, l.b, l.bn?.gamma, l.bn?.beta, l.bn?.runningMean, l.bn?.runningVar];
      for (const t of ts) {
        if (!t) continue;
        this.live.push(t);
        this.saved.push(be.zeros(t.shape, t.dtype));
      }
    }
    this.save();
  }

  /** Fills the snapshot from another network of the same architecture (a checkpoint's best). */
  copyFrom(other: Network): void {
    const src = new ParameterSnapshot(other, this.be);
    for (let i = 0; i < this.saved.length; i++) this.be.copy(src.saved[i]!, this.saved[i]!);
  }

  /** Copies the network's current state into the snapshot. */
  save(): void {
    for (let i = 0; i < this.live.length; i++) this.be.copy(this.live[i]!, this.saved[i]!);
  }

  /** Puts the snapshot back into the network. */
  restore(): void {
    for (let i = 0; i < this.live.length; i++) this.be.copy(this.saved[i]!, this.live[i]!);
  }
}
