/**
 * Dense and convolutional training allocate nothing per step, on each backend (the method of
 * sequence-allocation.test.ts, through allocation-meter.ts): for a small MLP (moons: 2 -> 16 relu
 * -> 8 tanh -> 1 sigmoid) and a small CNN (8x8 bars: conv 3x3 same -> max pool -> conv 3x3 -> 1
 * sigmoid), after warm-up,
 * - a training pass of the plan (forward, cost, regularization cost, backward) and fit's whole step
 *   (batch gather, passes, Adam) stay within a few boxed doubles of JS heap a step;
 * - no tensor is allocated (`zeros` is never called) and the wasm heap does not change.
 *
 * Measured on Node 20 (LAYERWISE_ALLOCATION=1 prints the figures): passes 66-120 bytes a step, fit
 * steps 85-470, on either backend (boxed doubles: a cost, a 1 / m; fit's figure on wasm was 181
 * with this file alone, 470 after sequence-allocation.test.ts in the same process, its call sites
 * having seen more networks). The wasm kernels' old closure per call (45-75 bytes, 12 kernel calls
 * a dense step) made them 1,300-2,100 and failed both wasm cases (checked).
 */
import { GCProfiler } from 'node:v8';
import { expect, it } from 'vitest';
import { makeMoons, Network, Rng, Tensor, type NetworkOptions } from '../../src/index.js';
import { describeEachBackend } from '../helpers.js';
import { expectSteadyTraining, standardTraining, type StepBounds } from './allocation-meter.js';

/** Examples (64 batches of 8 per epoch) and the batch. */
const M = 512;
const BATCH = 8;
const TRAINING = standardTraining(M, BATCH);
/** Bytes a step may allocate on the JS heap, per backend: the layers' training pass, and fit's whole step. */
const BOUNDS: Readonly<Record<string, StepBounds>> = {
  js: { pass: 256, fit: 768 },
  wasm: { pass: 256, fit: 768 },
};

/** Seeded 8x8 images of a vertical (class 0) or horizontal (class 1) bar over noise, (M, 8, 8, 1), and the classes (1, M). */
function bars(seed: number): { X: Tensor; Y: Tensor } {
  const rng = new Rng(seed);
  const X = new Float32Array(M * 64);
  const Y = new Float32Array(M);
  for (let n = 0; n < M; n++) {
    const horizontal = n % 2;
    const at = Math.floor(rng.uniform() * 8);
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) X[n * 64 + i * 8 + j] = 0.2 * rng.uniform() + ((horizontal ? i : j) === at ? 1 : 0);
    Y[n] = horizontal;
  }
  return { X: new Tensor([M, 8, 8, 1], X), Y: new Tensor([1, M], Y) };
}

interface Case {
  readonly name: string;
  readonly options: NetworkOptions;
  readonly data: () => { X: Tensor; Y: Tensor };
}

const CASES: readonly Case[] = [
  {
    name: 'dense 2 -> 16 relu -> 8 tanh -> 1',
    options: { inputSize: 2, layers: [{ units: 16, activation: 'relu' }, { units: 8, activation: 'tanh' }, { units: 1 }], seed: 1 },
    data: () => makeMoons({ m: M, seed: 1 }),
  },
  {
    name: 'conv 3x3 same -> maxPool -> conv 3x3 -> 1',
    options: { inputShape: [8, 8, 1], layers: [{ type: 'conv2d', filters: 4, size: 3, padding: 'same' }, { type: 'maxPool2d', size: 2 }, { type: 'conv2d', filters: 4, size: 3 }, { units: 1 }], seed: 1 },
    data: () => bars(1),
  },
];

describeEachBackend('dense and convolutional training allocate nothing per step', (backend) => {
  const bounds = BOUNDS[backend]!;
  for (const c of CASES) {
    it(`${c.name}: the training pass and fit's step allocate no tensor, keep the wasm heap and at most ${bounds.pass} and ${bounds.fit} JS-heap bytes a step`, () => {
      expect(typeof GCProfiler, 'node >= 20 (node:v8 GCProfiler)').toBe('function');
      const { X, Y } = c.data();
      const net = new Network(c.options);

      expectSteadyTraining(backend, c.name, net, X, Y, TRAINING, bounds);
    });
  }
});
