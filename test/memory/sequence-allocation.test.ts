/**
 * Sequence training allocates nothing per step (issue 16, section 2): for each sequence network
 * (simpleRnn, lstm, gru with returnSequences and a timeDistributed softmax; a bidirectional lstm; an
 * embedding with maskZero and an lstm; a masking layer and a gru; the date-translation attention
 * decoder; a transformerEncoder with globalAveragePool1d), after warm-up,
 * - a training pass of the plan (forward, cost, regularization cost, backward) allocates (almost)
 *   nothing on the JS heap, and `fit`'s whole step (batch gather, passes, Adam) stays within a
 *   small bound;
 * - no tensor is allocated (`zeros` is never called) and the wasm heap does not change.
 *
 * What is measured is allocation, not retention (allocation-meter.ts says how; the smallest of
 * several windows is kept).
 *
 * What is left on js (tens of bytes a step) is V8 boxing doubles passed to or returned from calls
 * that are not inlined (a cost, a learning rate: 16 bytes each). A closure, an array or a view made
 * per pass costs more than the layers' bound (checked by adding one to a pass: the lstm's weight
 * copies through `forEach` (+80 bytes) and timeDistributed's output shape as a literal per pass
 * (+72) each failed it). The bounds were measured on Node 20 (V8 11.3); another V8 may box a few
 * more doubles.
 *
 * On wasm the same layers allocate more (130-530 bytes a step measured here, against 20-100 on js):
 * with both backends' kernels seen at the layers' call sites, fewer calls are inlined and more
 * doubles are boxed (run alone, a wasm lstm pass allocated ~50 bytes); the recurrent layers'
 * gradient averaging and the dense layers' backward pass box a 1 / m per call. The wasm bound is
 * set over those, the attention decoder (its bidirectional lstm's averaging boxes the most: 530
 * bytes) and the transformer encoder's js pass (its dense and layer-norm passes: 80-100) get
 * bounds of their own. Checked against the kernels' old closure per call (45-75 bytes, more than
 * 50 kernel calls a step here): every wasm case failed; with one closure put back, in
 * biasActivation alone, three did (simpleRnn 970 bytes a step, the attention decoder 2,090, the
 * transformer 840); the lstm cases, which call it twice a step, stayed within.
 */
import { GCProfiler } from 'node:v8';
import { expect, it } from 'vitest';
import { Network, Rng, Tensor, type NetworkOptions } from '../../src/index.js';
import { describeEachBackend } from '../helpers.js';
import { expectSteadyTraining, standardTraining, type StepBounds } from './allocation-meter.js';

/** Features per step: one-hot characters 1..N-1, index 0 the padding (or the target at a padded step). */
const N = 4;
const T = 6;
/** Examples: 64 batches of 8 per epoch, so per-epoch work (shuffle, history) is a small share of a step. */
const M = 512;
const BATCH = 8;
const TRAINING = standardTraining(M, BATCH);
/** Bytes a step may allocate on the JS heap, per backend: the layers' training pass, and fit's whole step. */
const BOUNDS: Readonly<Record<string, StepBounds>> = {
  js: { pass: 80, fit: 256 },
  wasm: { pass: 512, fit: 512 },
};

type Input = 'oneHot' | 'indices' | 'padded';

interface Case {
  readonly name: string;
  readonly layers: NetworkOptions['layers'];
  readonly input: Input;
  /** A class per sequence (2 classes) instead of a target per step. */
  readonly perSequence?: boolean;
  /** Bounds of its own on a backend, where its figures stand above the others' (see the top of the file). */
  readonly bounds?: Readonly<Record<string, StepBounds>>;
}

const softmaxPerStep = { type: 'timeDistributed', units: N, activation: 'softmax' } as const;
const CASES: readonly Case[] = [
  { name: 'simpleRnn -> timeDistributed softmax', layers: [{ type: 'simpleRnn', units: 8, returnSequences: true }, softmaxPerStep], input: 'oneHot' },
  { name: 'lstm -> timeDistributed softmax', layers: [{ type: 'lstm', units: 8, returnSequences: true }, softmaxPerStep], input: 'oneHot' },
  { name: 'gru -> timeDistributed softmax', layers: [{ type: 'gru', units: 8, returnSequences: true }, softmaxPerStep], input: 'oneHot' },
  { name: 'bidirectional lstm -> timeDistributed softmax', layers: [{ type: 'bidirectional', layer: { type: 'lstm', units: 8, returnSequences: true } }, softmaxPerStep], input: 'oneHot' },
  {
    name: 'embedding maskZero -> lstm -> timeDistributed softmax',
    layers: [{ type: 'embedding', vocab: N, dim: 5, maskZero: true }, { type: 'lstm', units: 8, returnSequences: true }, softmaxPerStep],
    input: 'indices',
  },
  { name: 'masking -> gru -> timeDistributed softmax', layers: [{ type: 'masking' }, { type: 'gru', units: 8, returnSequences: true }, softmaxPerStep], input: 'padded' },
  {
    name: 'bidirectional lstm -> attention -> timeDistributed softmax',
    layers: [{ type: 'bidirectional', layer: { type: 'lstm', units: 4, returnSequences: true } }, { type: 'attention', steps: T, units: 8, energyUnits: 4 }, softmaxPerStep],
    input: 'oneHot',
    bounds: { wasm: { pass: 1024, fit: 1024 } },
  },
  {
    name: 'transformerEncoder -> globalAveragePool1d -> softmax',
    layers: [{ type: 'transformerEncoder', heads: 2, ff: 8 }, { type: 'globalAveragePool1d' }, { units: 2, activation: 'softmax' }],
    input: 'oneHot',
    perSequence: true,
    bounds: { js: { pass: 160, fit: 256 } },
  },
];

/**
 * Seeded data: characters 1..N-1 (one-hot (N, M, T), or indices (1, M, T)); with padding, each
 * sequence has 2..T real steps and zeros after (index 0, or an all-zero step). Targets: the
 * character one-hot at each step (class 0 at a padded step), or a class per sequence.
 */
function data(input: Input, perSequence: boolean, seed: number): { X: Tensor; Y: Tensor } {
  const rng = new Rng(seed);
  const rows = input === 'indices' ? 1 : N;
  const X = new Float32Array(rows * M * T);
  const Y = new Float32Array((perSequence ? 2 : N) * M * (perSequence ? 1 : T));
  for (let j = 0; j < M; j++) {
    const length = input === 'oneHot' ? T : 2 + Math.floor(rng.uniform() * (T - 1));
    for (let t = 0; t < T; t++) {
      const c = 1 + Math.floor(rng.uniform() * (N - 1));
      const real = t < length;
      if (real && input === 'indices') X[j * T + t] = c;
      else if (real) X[(c * M + j) * T + t] = 1;
      if (!perSequence) Y[((real ? c : 0) * M + j) * T + t] = 1;
    }
    if (perSequence) Y[(j % 2) * M + j] = 1;
  }
  return {
    X: new Tensor([rows, M, T], X),
    Y: perSequence ? new Tensor([2, M], Y) : new Tensor([N, M, T], Y),
  };
}

describeEachBackend('sequence training allocates nothing per step', (backend) => {
  for (const c of CASES) {
    const bounds = c.bounds?.[backend] ?? BOUNDS[backend]!;
    it(`${c.name}: the training pass and fit's step allocate no tensor, keep the wasm heap and at most ${bounds.pass} and ${bounds.fit} JS-heap bytes a step`, () => {
      expect(typeof GCProfiler, 'node >= 20 (node:v8 GCProfiler)').toBe('function');
      const { X, Y } = data(c.input, c.perSequence ?? false, 1);
      const net = new Network({ inputShape: { sequence: [c.input === 'indices' ? 1 : N, T] }, layers: c.layers, seed: 1 });

      expectSteadyTraining(backend, c.name, net, X, Y, TRAINING, bounds);
    });
  }
});
