/**
 * One call that measures a trained network on its train, dev and test sets
 * and, for a classifier with a dev set, diagnoses bias and variance. It uses
 * only the network's public inference methods, so it works for any network
 * however it was trained.
 */
import { accuracy, mae, mse, r2 } from './metrics.js';
import { Network } from '../nn/network.js';
import { ValueError } from '../tensor/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { describe, type TensorLike } from '../tensor/validate.js';
import { diagnoseAt, type BiasVarianceThresholds, type Diagnosis } from './bias-variance.js';

/** Inputs and targets of one set, in the course's layout. */
export interface LabeledData {
  /** (n_x, m). */
  X: TensorLike;
  /** (n[L], m). */
  Y: TensorLike;
}

/** The sets to evaluate on; a `split(...)` result fits as it is. */
export interface EvaluateSets {
  train: LabeledData;
  dev?: LabeledData;
  test?: LabeledData;
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Bayes or human-level error for the diagnosis (classification only); default 0. */
  optimalError?: number;
  /** Overrides the diagnosis thresholds. */
  thresholds?: Partial<BiasVarianceThresholds>;
}

/** Scores of a classifier on one set. */
export interface ClassificationScores {
  /** The cost J, without regularization. */
  cost: number;
  /** 1 - accuracy. */
  error: number;
  /** The fraction of examples classified correctly (of labels, for a multi-label sigmoid output). */
  accuracy: number;
}

/** Scores of a regression network on one set. */
export interface RegressionScores {
  /** The cost J, without regularization. */
  cost: number;
  /** Mean squared error over all n[L] x m outputs (no factor 1/2). */
  mse: number;
  /** Mean absolute error over all outputs. */
  mae: number;
  /** R^2 per output row, averaged over rows (1 is perfect, 0 is predicting the mean). */
  r2: number;
}

/** {@link evaluate}'s result for a binary or softmax classifier. */
export interface ClassificationEvaluation {
  task: 'classification';
  train: ClassificationScores;
  dev?: ClassificationScores;
  test?: ClassificationScores;
  /** Present when a dev set was given. */
  diagnosis?: Diagnosis;
}

/** {@link evaluate}'s result for a regression (mean-squared-error) network. */
export interface RegressionEvaluation {
  task: 'regression';
  train: RegressionScores;
  dev?: RegressionScores;
  test?: RegressionScores;
}

/** What {@link evaluate} returns; `task` tells which. */
export type Evaluation = ClassificationEvaluation | RegressionEvaluation;

const SET_KEYS = ['train', 'dev', 'test'] as const;

/**
 * Scores a network on each given set: cost, error and accuracy for a
 * classifier (binary or categorical cross-entropy), cost, MSE, MAE and R^2
 * for regression (mean squared error). For a classifier with a dev set it adds
 * the bias/variance {@link Diagnosis} of train and dev error.
 *
 * A set given as a tensor with no columns (such as the empty test set of a
 * two-ratio `split`) is skipped. A sigmoid output with several units is read
 * as multi-label: each output is thresholded at 0.5 and accuracy counts labels.
 *
 * @example
 * ```ts
 * import { Network, evaluate, fit, makeFlower, split } from 'layerwise';
 * const { X, Y } = makeFlower({ seed: 1 });
 * const sets = split(X, Y, { ratios: [0.6, 0.2, 0.2], seed: 1 });
 * const net = new Network({ inputSize: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], init: 'random' });
 * fit(net, sets.train.X, sets.train.Y, { learningRate: 1.2, iterations: 5000 });
 * const result = evaluate(net, sets);
 * if (result.task === 'classification') console.log(result.dev?.error, result.diagnosis?.verdict);
 * result.task === 'classification' && result.train.accuracy > 0.8; // true
 * ```
 */
export function evaluate(network: Network, sets: EvaluateSets, options: EvaluateOptions = {}): Evaluation {
  const where = 'evaluate';
  if (!(network instanceof Network)) throw new ValueError(`${where}: network: expected a Network, got ${describe(network)}`);
  if (sets === null || typeof sets !== 'object') throw new ValueError(`${where}: sets: expected { train: { X, Y }, dev?, test? }, got ${describe(sets)}`);
  if (options === null || typeof options !== 'object') throw new ValueError(`${where}: options: expected { optimalError? }, got ${describe(options)}`);
  if (sets.train === undefined) throw new ValueError(`${where}: sets.train: expected { X, Y }, got undefined`);
  const classification = network.loss.kind !== 'meanSquaredError';
  if (!classification && options.optimalError !== undefined) {
    throw new ValueError(`${where}: optimalError: expected none for a regression network (loss meanSquaredError), got ${describe(options.optimalError)}`);
  }

  const given = SET_KEYS.flatMap((key) => {
    const data = sets[key];
    if (data === undefined) return [];
    if (data === null || typeof data !== 'object') throw new ValueError(`${where}: sets.${key}: expected { X, Y }, got ${describe(data)}`);
    if (key !== 'train' && data.X instanceof Tensor && data.X.shape.length === 2 && data.X.cols === 0) return [];
    const X = network.checkInput(data.X, where, `${key}.X`);
    const Y = network.checkTargets(data.Y, network.examples(X), where, `${key}.Y`);
    return [{ key, X, Y }];
  });

  if (!classification) {
    const result: RegressionEvaluation = { task: 'regression', train: regressionScores(network, given[0]!.X, given[0]!.Y) };
    for (const { key, X, Y } of given.slice(1)) result[key as 'dev' | 'test'] = regressionScores(network, X, Y);
    return result;
  }
  const result: ClassificationEvaluation = { task: 'classification', train: classificationScores(network, given[0]!.X, given[0]!.Y) };
  for (const { key, X, Y } of given.slice(1)) result[key as 'dev' | 'test'] = classificationScores(network, X, Y);
  if (result.dev) {
    const input = { trainError: result.train.error, devError: result.dev.error, optimalError: options.optimalError, thresholds: options.thresholds };
    result.diagnosis = diagnoseAt(where, input);
  }
  return result;
}

function classificationScores(network: Network, X: Tensor, Y: Tensor): ClassificationScores {
  const cost = network.cost(X, Y);
  let acc: number;
  if (network.loss.kind === 'binaryCrossEntropy' && Y.rows > 1) {
    // Multi-label: every output is its own yes/no question.
    const A = network.predict(X);
    let correct = 0;
    for (let i = 0; i < A.size; i++) if ((A.data[i]! >= 0.5 ? 1 : 0) === Y.data[i]) correct++;
    acc = correct / A.size;
  } else {
    acc = accuracy(network.classify(X), Y);
  }
  return { cost, error: 1 - acc, accuracy: acc };
}

function regressionScores(network: Network, X: Tensor, Y: Tensor): RegressionScores {
  const P = network.predict(X);
  return { cost: network.cost(X, Y), mse: mse(P, Y), mae: mae(P, Y), r2: r2(P, Y) };
}
