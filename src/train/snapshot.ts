/**
 * A copy of a network's trainable state (parameters and batch-norm running
 * statistics) in preallocated buffers: saved at epoch starts to undo a
 * diverging epoch, and at the best dev epoch for early stopping.
 */
import type { Backend } from '../backend/backend.js';
import { namedState, Network } from '../nn/network.js';
import { ShapeError, ValueError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertFinite, describe } from '../tensor/validate.js';

/**
 * Checks that `other` can fill a snapshot of `net` ({@link ParameterSnapshot.copyFrom}):
 * a Network with the same layer sizes, dtype and tensors (batch normalization
 * on the same layers), holding finite values. Copying from any other network
 * would overwrite the weights with numbers that mean nothing for this one.
 */
export function assertSnapshotSource(net: Network, other: unknown, where: string, name: string): asserts other is Network {
  if (!(other instanceof Network)) throw new ValueError(`${where}: ${name}: expected a Network, got ${describe(other)}`);
  const dims = (n: Network) => `[${n.layerDims.join(', ')}] ${n.dtype}`;
  if (dims(other) !== dims(net)) {
    throw new ShapeError(`${where}: ${name}: expected layer dims ${dims(net)} like the network being trained, got ${dims(other)}`);
  }
  const mine = namedState(net);
  const theirs = namedState(other);
  const names = (ts: [string, Tensor][]) => ts.map(([k]) => k).join(', ');
  if (names(mine) !== names(theirs)) {
    throw new ShapeError(`${where}: ${name}: expected tensors ${names(mine)} like the network being trained (batch normalization on the same layers), got ${names(theirs)}`);
  }
  for (const [k, t] of theirs) assertFinite(t, where, `${name}.${k}`);
}

/** Saves and restores every tensor that training changes, without allocating after construction. */
export class ParameterSnapshot {
  private readonly live: Tensor[] = [];
  private readonly saved: Tensor[] = [];

  constructor(
    net: Network,
    private readonly be: Backend,
  ) {
    for (const [, t] of namedState(net)) {
      this.live.push(t);
      this.saved.push(be.zeros(t.shape, t.dtype));
    }
    this.save();
  }

  /** Fills the snapshot from another network of the same architecture (a checkpoint's best); check it first with {@link assertSnapshotSource}. */
  copyFrom(other: Network): void {
    // Straight from the other network's tensors: a temporary snapshot would hold a second copy of
    // every parameter until the garbage collector found it.
    const src = namedState(other);
    for (let i = 0; i < this.saved.length; i++) this.be.copy(src[i]![1], this.saved[i]!);
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
