/**
 * The one mapping from playground state to the library's options: the worker
 * builds its network and training run from it, and the code snippet prints
 * the same objects, so the snippet rebuilds exactly what the page trains.
 */
import type { NetworkOptions, ScheduleSpec } from './lib.js';
import type { State } from './state.js';

export type OutputKind = 'sigmoid' | 'tanh' | 'softmax' | 'linear';

export function outputKind(s: State, classes: number): OutputKind {
  if (s.problem === 'regression') return 'linear';
  return classes > 2 ? 'softmax' : s.output;
}

export function networkOptions(s: State, classes: number): NetworkOptions {
  const out = outputKind(s, classes);
  const options: NetworkOptions = {
    inputSize: s.features.length,
    layers: [
      ...s.hidden.map((h) => (h.keepProb < 1 ? { units: h.units, activation: h.activation, keepProb: h.keepProb } : { units: h.units, activation: h.activation })),
      { units: out === 'softmax' ? classes : 1, activation: out },
    ],
    init: s.init,
    seed: s.seed,
  };
  if (s.regularization === 'l2' && s.regRate > 0) options.l2 = s.regRate;
  if (s.regularization === 'l1' && s.regRate > 0) options.l1 = s.regRate;
  if (s.inputKeepProb < 1) options.inputKeepProb = s.inputKeepProb;
  if (s.batchNorm && s.hidden.length > 0) options.batchNorm = true;
  return options;
}

/** The learning-rate schedule, or null for a constant rate. */
export function scheduleSpec(s: State): ScheduleSpec | null {
  switch (s.decay) {
    case 'constant':
      return null;
    case 'inverseTime':
      return { kind: 'inverseTime', decayRate: s.decayRate };
    case 'exponential':
      return { kind: 'exponential', base: 1 - s.decayRate };
  }
}

/** Targets from class labels / values, as the output activation expects them. */
export function targetRows(out: OutputKind, labels: ArrayLike<number>, classes: number): Float32Array {
  const m = labels.length;
  if (out === 'softmax') {
    const Y = new Float32Array(classes * m);
    for (let j = 0; j < m; j++) Y[labels[j]! * m + j] = 1;
    return Y;
  }
  const Y = new Float32Array(m);
  for (let j = 0; j < m; j++) Y[j] = out === 'tanh' ? 2 * labels[j]! - 1 : labels[j]!;
  return Y;
}
