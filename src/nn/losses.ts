/**
 * Losses by name, with what each needs of its targets and of the output layer.
 * The cost itself is computed by the backends' `lossSum` kernel.
 */
import type { Activation, LossKind } from '../backend/backend.js';
import { ValueError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertBinaryLabels, assertOneHot, describe } from '../tensor/validate.js';

/** The loss names layerwise accepts (with short aliases). */
export type LossName = LossKind | 'bce' | 'mse' | 'cce';

/** What the training loop needs to know about a loss. */
export interface LossInfo {
  readonly kind: LossKind;
  /** Checks the targets Y (labels in {0,1}, one-hot columns, ...). */
  checkTargets(y: Tensor, where: string, name: string): void;
  /** Output activations this loss is defined for. */
  readonly outputs: readonly Activation['kind'][] | 'any';
  /** When dZ[L] = A[L] - Y (sigmoid + BCE, softmax + CCE), the fused, stable backward start. */
  readonly fusedWith: Activation['kind'] | null;
}

export const losses: { readonly [K in LossKind]: LossInfo } = {
  binaryCrossEntropy: {
    kind: 'binaryCrossEntropy',
    checkTargets: assertBinaryLabels,
    outputs: ['sigmoid'],
    fusedWith: 'sigmoid',
  },
  categoricalCrossEntropy: {
    kind: 'categoricalCrossEntropy',
    checkTargets: assertOneHot,
    outputs: ['softmax'],
    fusedWith: 'softmax',
  },
  meanSquaredError: {
    kind: 'meanSquaredError',
    checkTargets: () => undefined,
    outputs: 'any',
    fusedWith: null,
  },
};

const aliases: Readonly<Record<string, LossKind>> = {
  bce: 'binaryCrossEntropy',
  mse: 'meanSquaredError',
  cce: 'categoricalCrossEntropy',
  binaryCrossEntropy: 'binaryCrossEntropy',
  meanSquaredError: 'meanSquaredError',
  categoricalCrossEntropy: 'categoricalCrossEntropy',
};

/**
 * Resolves a loss name; throws on unknown names.
 *
 * @example
 * ```ts
 * import { resolveLoss } from 'layerwise';
 * resolveLoss('bce').kind === 'binaryCrossEntropy'; // true
 * ```
 */
export function resolveLoss(name: LossName, where = 'resolveLoss', arg = 'loss'): LossInfo {
  const kind = typeof name === 'string' && Object.prototype.hasOwnProperty.call(aliases, name) ? aliases[name] : undefined;
  if (!kind) {
    throw new ValueError(`${where}: ${arg}: expected one of ${Object.keys(aliases).map((n) => `"${n}"`).join(', ')}, got ${describe(name)}`);
  }
  return losses[kind];
}

/**
 * The loss that matches an output activation: sigmoid -> BCE, softmax -> CCE, anything else -> MSE.
 *
 * @example
 * ```ts
 * import { defaultLossFor, resolveActivation } from 'layerwise';
 * defaultLossFor(resolveActivation('sigmoid')).kind === 'binaryCrossEntropy'; // true
 * defaultLossFor(resolveActivation('relu')).kind === 'meanSquaredError'; // true
 * ```
 */
export function defaultLossFor(output: Activation): LossInfo {
  if (output.kind === 'sigmoid') return losses.binaryCrossEntropy;
  if (output.kind === 'softmax') return losses.categoricalCrossEntropy;
  return losses.meanSquaredError;
}

/** Throws when a loss is not defined for the output activation (e.g. BCE after tanh). */
export function checkLossMatchesOutput(loss: LossInfo, output: Activation, where: string): void {
  if (loss.outputs !== 'any' && !loss.outputs.includes(output.kind)) {
    throw new ValueError(
      `${where}: loss: ${loss.kind} needs a ${loss.outputs.join(' or ')} output layer, got "${output.kind}" (use meanSquaredError, or change the last activation)`,
    );
  }
}

/**
 * Cross-entropy reads AL as probabilities (a sigmoid or softmax output):
 * every value must lie in [0, 1]. Mean squared error takes any AL.
 */
export function checkProbabilities(loss: LossInfo, AL: Tensor, where: string): void {
  if (loss.kind === 'meanSquaredError') return;
  for (let i = 0; i < AL.size; i++) {
    const a = AL.data[i]!;
    if (a < 0 || a > 1) {
      throw new ValueError(`${where}: AL: ${loss.kind} needs probabilities in [0, 1], got ${a} at row ${Math.floor(i / AL.cols)}, column ${i % AL.cols}`);
    }
  }
}
