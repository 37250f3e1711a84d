/**
 * The integer codes the wasm kernels use for activations and losses; they
 * mirror the constants at the top of assembly/activations.ts and
 * assembly/loss.ts.
 */
import type { Activation, LossKind } from '../backend.js';

const ACTIVATION_CODES: { readonly [K in Activation['kind']]: number } = {
  sigmoid: 0,
  tanh: 1,
  relu: 2,
  leakyRelu: 3,
  linear: 4,
  softmax: 5,
};

const LOSS_CODES: { readonly [K in LossKind]: number } = {
  binaryCrossEntropy: 0,
  meanSquaredError: 1,
  categoricalCrossEntropy: 2,
};

/** The code of an activation. */
export function activationCode(act: Activation): number {
  return ACTIVATION_CODES[act.kind];
}

/** The leaky-ReLU slope (0 for the other activations, which ignore it). */
export function activationSlope(act: Activation): number {
  return act.kind === 'leakyRelu' ? act.slope : 0;
}

/** The code of a loss. */
export function lossCode(loss: LossKind): number {
  return LOSS_CODES[loss];
}
