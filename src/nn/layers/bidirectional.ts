/**
 * A bidirectional recurrent layer (course 5, week 1): the same kind of recurrent layer run twice over
 * the sequence, a forward copy reading x<1..T_x> and a backward copy (its own weights) reading
 * x<T_x..1>, so the output at step t sees the past through the forward state and the future through
 * the backward one. Their outputs are stacked, forward on top:
 * - with returnSequences, (2 n_a, m, T_x): rows 0..n_a-1 the forward a<t>, rows n_a..2n_a-1 the
 *   backward a<t>, both at the input's step t;
 * - without, (2 n_a, m): the forward's last state a<T_x> over the backward's last state a<1>.
 *
 * The parameters keep the inner layer's course names with a direction suffix: Wf1_fw, ..., Wf1_bw, ...
 * (both directions share the layer's number l).
 *
 * Padding (see `StepMask`): both directions carry their state through a padded step. With padding at
 * the end of a sequence (the usual layout), the backward copy reads the padding first, keeps its zero
 * start state through it, and so starts at the example's last real step; its output at a trailing
 * padded step is that zero start state (the forward copy's is its last real state). Padding before a
 * real step is skipped the same way by both directions (the state passes through it unchanged).
 */
import { Tensor } from '../../tensor/tensor.js';
import { CompositeLayer, type CompileOptions, type CompiledLayer, type Layer } from './layer.js';
import type { RecurrentCell, RecurrentLayer } from './recurrent.js';
import { batchBuffer, batchShape, flat, sequence, type ActivationShape, type SequenceShape } from './shape.js';
import type { BidirectionalSpec, RecurrentSpec } from './spec.js';

/** The two halves of a (2 n, ...) buffer as (n, ...) views, rebuilt when its memory moved. */
class Halves {
  private data: unknown = null;
  private views: readonly [Tensor, Tensor] | null = null;

  constructor(private readonly half: readonly number[]) {}

  of(t: Tensor): readonly [Tensor, Tensor] {
    if (this.views === null || this.data !== t.data) {
      const size = t.size / 2;
      this.views = [new Tensor(this.half, t.data.subarray(0, size)), new Tensor(this.half, t.data.subarray(size, 2 * size))];
      this.data = t.data;
    }
    return this.views;
  }
}

/**
 * A recurrent layer in both directions: (n_x, m, T_x) -> (2 n_a, m, T_x) or (2 n_a, m).
 *
 * @example
 * ```ts
 * import { Network } from 'layerwise';
 * const net = new Network({ inputShape: { sequence: [3, 5] }, layers: [{ type: 'bidirectional', layer: { type: 'lstm', units: 4 } }, { units: 1 }] });
 * net.parameters.Wf1_fw!.shape.join() === '4,7' && net.parameters.Wf1_bw!.shape.join() === '4,7'; // true
 * net.summary().includes('bidirectional lstm 4') && net.summary().includes('(8, m)'); // true
 * ```
 */
export class BidirectionalLayer extends CompositeLayer implements Layer<ActivationShape, 'bidirectional'> {
  readonly type = 'bidirectional' as const;
  readonly outputShape: ActivationShape;

  constructor(
    readonly inputShape: SequenceShape,
    /** The forward copy (parameters named ..._fw). */
    readonly forwardLayer: RecurrentLayer,
    /** The backward copy (goBackwards; parameters named ..._bw). */
    readonly backwardLayer: RecurrentLayer,
  ) {
    super();
    const units = 2 * forwardLayer.units;
    this.outputShape = forwardLayer.returnSequences ? sequence(units, inputShape.steps) : flat(units);
  }

  protected get inner(): readonly RecurrentLayer[] {
    return [this.forwardLayer, this.backwardLayer];
  }

  /** The cell both directions run. */
  get cell(): RecurrentCell {
    return this.forwardLayer.type;
  }

  /** Values a compiled layer holds per example besides its output (both directions' caches and outputs). */
  get valuesPerExample(): number {
    const own = (l: RecurrentLayer): number => l.valuesPerExample + (l.returnSequences ? l.units * this.inputShape.steps : l.units);
    return own(this.forwardLayer) + own(this.backwardLayer);
  }

  compile(o: CompileOptions): CompiledLayer {
    const { be, m, dtype, withBackward } = o;
    const fw = this.forwardLayer.compile(o);
    const bw = this.backwardLayer.compile(o);
    const out = batchBuffer(be, this.outputShape, m, dtype);
    // The backward copy's input gradient, added to the forward copy's.
    const dInBw = withBackward ? batchBuffer(be, this.inputShape, m, dtype) : null;
    const half = batchShape(this.forwardLayer.outputShape, m);
    const outHalves = new Halves(half);
    const dOutHalves = new Halves(half);
    return {
      grads: [...fw.grads, ...bw.grads],
      forward: (x, training, redraw) => {
        const [top, bottom] = outHalves.of(out);
        be.copy(fw.forward(x, training, redraw), top);
        be.copy(bw.forward(x, training, redraw), bottom);
        return out;
      },
      backward: (x, dOut, dIn) => {
        const [dTop, dBottom] = dOutHalves.of(dOut);
        fw.backward(x, dTop, dIn, false);
        bw.backward(x, dBottom, dIn ? dInBw : null, false);
        if (dIn) be.axpy(1, dInBw!, dIn);
      },
    };
  }

  toSpec(): BidirectionalSpec {
    const layer: RecurrentSpec = this.forwardLayer.toSpec();
    delete layer.trainable;
    const spec: BidirectionalSpec = { type: 'bidirectional', layer };
    if (!this.trainable) spec.trainable = false;
    return spec;
  }

  describe(): string {
    return `bidirectional ${this.forwardLayer.describe()}`;
  }
}
