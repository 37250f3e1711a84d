/**
 * The course's bias/variance diagnosis and its "basic recipe" for machine
 * learning: fix high bias first (the training set), then high variance (the
 * dev set), and stop when neither is high.
 */
import { ValueError } from '../tensor/errors.js';
import { describe } from '../tensor/validate.js';

/**
 * Every verdict {@link diagnose} can give.
 *
 * @example
 * ```ts
 * import { VERDICTS, diagnose } from 'layerwise';
 * VERDICTS.includes(diagnose({ trainError: 0.01, devError: 0.02 }).verdict); // true
 * ```
 */
export const VERDICTS = ['high bias', 'high variance', 'high bias and high variance', 'fine'] as const;

/** One of {@link VERDICTS}. */
export type Verdict = (typeof VERDICTS)[number];

/** When a gap (avoidable bias or variance) counts as high; see {@link diagnose}. */
export interface BiasVarianceThresholds {
  /** A gap must be above this many error units (0.01 = one percentage point). */
  absolute: number;
  /** ...and above this fraction of the reducible error (dev error - optimal error). */
  relative: number;
}

/** The default thresholds: one point of error, and a quarter of the reducible error. */
export const BIAS_VARIANCE_THRESHOLDS: Readonly<BiasVarianceThresholds> = Object.freeze({ absolute: 0.01, relative: 0.25 });

/** What {@link diagnose} takes. Errors are fractions in [0, 1] (0.11 for 11%). */
export interface DiagnoseInput {
  /** Error on the training set. */
  trainError: number;
  /** Error on the dev set. */
  devError: number;
  /** Bayes (or human-level) error, the best any model can do; default 0. */
  optimalError?: number;
  /** Overrides some or all of {@link BIAS_VARIANCE_THRESHOLDS}. */
  thresholds?: Partial<BiasVarianceThresholds>;
}

/** What {@link diagnose} returns. */
export interface Diagnosis {
  /** trainError - optimalError. */
  avoidableBias: number;
  /** devError - trainError (negative when the dev set happens to be easier). */
  variance: number;
  verdict: Verdict;
  highBias: boolean;
  highVariance: boolean;
  /** The gap a problem had to exceed: max(absolute, relative * (devError - optimalError)). */
  threshold: number;
  /** The optimal error used (0 when none was given). */
  optimalError: number;
  /** The basic recipe's next steps for this verdict, most useful first. */
  advice: string[];
  /** Caveats about the inputs (assumed optimal error, dev error below train error). */
  notes: string[];
}

/** Gaps within this of the threshold count as equal to it: 0.16 - 0.15 is not above 0.01. */
const FLOAT_SLACK = 1e-9;

const BIAS_ADVICE = [
  'Train a bigger network: more hidden units or more layers.',
  'Train longer: more iterations.',
  'Use a better optimizer (momentum, RMSprop, Adam) or tune the learning rate.',
  'Try another network architecture.',
] as const;

const VARIANCE_ADVICE = [
  'Get more training data (or augment the data you have).',
  'Add regularization: L2 (weight decay) or dropout.',
  'Try another network architecture.',
] as const;

const FINE_ADVICE = [
  'Neither bias nor variance is high: you are done with the basic recipe.',
  'Measure the error on the test set once, for an unbiased estimate of how the model does on new data.',
] as const;

/**
 * Diagnoses bias and variance from training, dev and optimal error, as in the
 * course: avoidable bias = train - optimal, variance = dev - train.
 *
 * A gap is high when it is above both thresholds,
 * max(0.01, 0.25 * (devError - optimalError)):
 * - 0.01 absolute (one percentage point): below that, the gap is too small to
 *   act on and of the order of the noise in an error measured on a few
 *   thousand examples; the course calls 0.5-point gaps fine.
 * - 0.25 of the reducible error (dev - optimal = avoidable bias + variance):
 *   a gap under a quarter of what can still be gained is not where the next
 *   step should go. Equivalently, "both" needs each gap to be at least a third
 *   of the other; otherwise the verdict names the one that dominates, as the
 *   course does when it says which to focus on.
 *
 * These reproduce the course's examples: train 1% / dev 11% is high variance,
 * 15% / 16% high bias, 15% / 30% both, 0.5% / 1% fine; with human-level error
 * 1%, train 8% / dev 10% is high bias, and with 7.5%, the same errors are high
 * variance. The advice follows the basic recipe; with both problems, bias comes
 * first.
 *
 * @example
 * ```ts
 * import { diagnose } from 'layerwise';
 * diagnose({ trainError: 0.01, devError: 0.11 }).verdict === 'high variance'; // true
 * diagnose({ trainError: 0.15, devError: 0.16 }).verdict === 'high bias'; // true
 * diagnose({ trainError: 0.155, devError: 0.16, optimalError: 0.15 }).verdict === 'fine'; // true
 * ```
 */
export function diagnose(input: DiagnoseInput): Diagnosis {
  return diagnoseAt('diagnose', input);
}

/** {@link diagnose}, with error messages that name the caller. */
export function diagnoseAt(where: string, input: DiagnoseInput): Diagnosis {
  if (input === null || typeof input !== 'object') {
    throw new ValueError(`${where}: input: expected { trainError, devError, optimalError? }, got ${describe(input)}`);
  }
  const trainError = checkRate(input.trainError, where, 'trainError');
  const devError = checkRate(input.devError, where, 'devError');
  const assumedOptimal = input.optimalError === undefined;
  const optimalError = assumedOptimal ? 0 : checkRate(input.optimalError, where, 'optimalError');
  if (optimalError > trainError) {
    throw new ValueError(
      `${where}: optimalError: expected at most trainError (${trainError}), got ${optimalError}: a training error below the optimal error means the optimal-error estimate is too high (or the network has memorized label noise), and then avoidable bias is undefined`,
    );
  }
  const thresholds = checkThresholds(input.thresholds, where);

  const avoidableBias = trainError - optimalError;
  const variance = devError - trainError;
  const threshold = Math.max(thresholds.absolute, thresholds.relative * (devError - optimalError));
  const highBias = avoidableBias > threshold + FLOAT_SLACK;
  const highVariance = variance > threshold + FLOAT_SLACK;
  const verdict: Verdict = highBias ? (highVariance ? 'high bias and high variance' : 'high bias') : highVariance ? 'high variance' : 'fine';

  const advice: string[] = [];
  if (highBias) advice.push(...BIAS_ADVICE);
  if (highBias && highVariance) advice.push('Then, once the training error is close to optimal, reduce variance:');
  if (highVariance) advice.push(...VARIANCE_ADVICE.filter((a) => !advice.includes(a)));
  if (!highBias && !highVariance) advice.push(...FINE_ADVICE);

  const notes: string[] = [];
  if (assumedOptimal) notes.push('No optimalError given: assumed 0. If humans also err on this task, pass their error as optimalError.');
  if (variance < 0) notes.push('The dev error is below the training error: the dev set may be small, easier, or from another distribution.');
  return { avoidableBias, variance, verdict, highBias, highVariance, threshold, optimalError, advice, notes };
}

function checkRate(value: unknown, where: string, name: string, what = 'an error rate in [0, 1] (0.11 for 11%)'): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new ValueError(`${where}: ${name}: expected ${what}, got ${describe(value)}`);
  }
  return value;
}

function checkThresholds(value: Partial<BiasVarianceThresholds> | undefined, where: string): BiasVarianceThresholds {
  if (value === undefined) return BIAS_VARIANCE_THRESHOLDS;
  if (value === null || typeof value !== 'object') {
    throw new ValueError(`${where}: thresholds: expected { absolute?, relative? }, got ${describe(value)}`);
  }
  const absolute = value.absolute === undefined ? BIAS_VARIANCE_THRESHOLDS.absolute : checkRate(value.absolute, where, 'thresholds.absolute', 'a number in [0, 1]');
  const relative = value.relative === undefined ? BIAS_VARIANCE_THRESHOLDS.relative : checkRate(value.relative, where, 'thresholds.relative', 'a number in [0, 1]');
  return { absolute, relative };
}
