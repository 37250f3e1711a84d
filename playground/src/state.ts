/**
 * The playground's whole state as plain data: what the URL hash holds, what
 * the controls edit, and what the worker turns into a network and a dataset.
 * The option lists here are the single source for the controls, the URL
 * parser and the worker, so a value the UI cannot show is never accepted.
 */

export type Problem = 'classification' | 'regression';
export type DatasetName = 'circle' | 'xor' | 'gauss' | 'spiral' | 'flower' | 'moons' | 'plane' | 'multigauss' | 'csv';
export type FeatureName = 'x1' | 'x2' | 'x1sq' | 'x2sq' | 'x1x2' | 'sinx1' | 'sinx2';
export type HiddenActivation = 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid' | 'linear';
/** Binary classification output: sigmoid + cross-entropy (the course) or tanh + squared error (TensorFlow Playground). */
export type BinaryOutput = 'sigmoid' | 'tanh';
export type InitName = 'he' | 'xavier' | 'random' | 'zeros';
export type OptimizerChoice = 'gd' | 'momentum' | 'rmsprop' | 'adam';
export type DecayName = 'constant' | 'inverseTime' | 'exponential';
export type RegularizationName = 'none' | 'l1' | 'l2';
/** 'frame' and 'fast' train 1 and 10 epochs per drawn frame; 'max' trains without pause and shows the latest state. */
export type Speed = 'frame' | 'fast' | 'max';
/** The library backend the worker trains with. */
export type BackendName = 'wasm' | 'js';

export interface HiddenLayer {
  units: number;
  activation: HiddenActivation;
  /** Inverted-dropout keep probability of this layer's output; 1 = no dropout. */
  keepProb: number;
}

export interface State {
  seed: number;
  problem: Problem;
  dataset: DatasetName;
  /** Number of classes of the Gaussian and spiral datasets (softmax above 2). */
  classes: number;
  /** Noise in percent, 0..50. */
  noise: number;
  /** Percent of the examples in the training set; the dev set takes devPct and the test set the rest. */
  trainPct: number;
  devPct: number;
  batchSize: number;
  features: FeatureName[];
  hidden: HiddenLayer[];
  output: BinaryOutput;
  learningRate: number;
  optimizer: OptimizerChoice;
  decay: DecayName;
  decayRate: number;
  init: InitName;
  regularization: RegularizationName;
  regRate: number;
  inputKeepProb: number;
  batchNorm: boolean;
  /** Standardize the input features with the training set's mean and deviation. */
  normalize: boolean;
  showTest: boolean;
  discretize: boolean;
  /** Bayes / human-level error in percent for the bias-variance verdict; null = assume 0. */
  optimalError: number | null;
  speed: Speed;
  backend: BackendName;
}

export const PROBLEMS: readonly Problem[] = ['classification', 'regression'];
export const CLASSIFICATION_DATASETS: readonly DatasetName[] = ['circle', 'xor', 'gauss', 'spiral', 'flower', 'moons'];
export const REGRESSION_DATASETS: readonly DatasetName[] = ['plane', 'multigauss'];
/** Generated datasets of each problem; 'csv' is valid for both but only after an upload. */
export const DATASETS_BY_PROBLEM: Readonly<Record<Problem, readonly DatasetName[]>> = {
  classification: CLASSIFICATION_DATASETS,
  regression: REGRESSION_DATASETS,
};
export const DATASET_LABELS: Readonly<Record<DatasetName, string>> = {
  circle: 'Circle',
  xor: 'Exclusive or',
  gauss: 'Gaussian',
  spiral: 'Spiral',
  flower: 'Flower',
  moons: 'Moons',
  plane: 'Plane',
  multigauss: 'Multi-Gaussian',
  csv: 'Uploaded CSV',
};
/** Datasets whose class count can be raised above 2 (softmax). */
export const MULTICLASS_DATASETS: readonly DatasetName[] = ['gauss', 'spiral'];

export const FEATURES: readonly FeatureName[] = ['x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2'];
export const FEATURE_LABELS: Readonly<Record<FeatureName, string>> = {
  x1: 'x₁',
  x2: 'x₂',
  x1sq: 'x₁²',
  x2sq: 'x₂²',
  x1x2: 'x₁x₂',
  sinx1: 'sin(x₁)',
  sinx2: 'sin(x₂)',
};

export const HIDDEN_ACTIVATIONS: readonly HiddenActivation[] = ['relu', 'leakyRelu', 'tanh', 'sigmoid', 'linear'];
export const ACTIVATION_LABELS: Readonly<Record<HiddenActivation, string>> = {
  relu: 'ReLU',
  leakyRelu: 'Leaky ReLU',
  tanh: 'Tanh',
  sigmoid: 'Sigmoid',
  linear: 'Linear',
};
export const BINARY_OUTPUTS: readonly BinaryOutput[] = ['sigmoid', 'tanh'];
export const INITS: readonly InitName[] = ['he', 'xavier', 'random', 'zeros'];
export const INIT_LABELS: Readonly<Record<InitName, string>> = {
  he: 'He (√(2/n))',
  xavier: 'Xavier (√(1/n))',
  random: 'Small random (×0.01)',
  zeros: 'Zeros',
};
export const OPTIMIZERS: readonly OptimizerChoice[] = ['gd', 'momentum', 'rmsprop', 'adam'];
export const OPTIMIZER_LABELS: Readonly<Record<OptimizerChoice, string>> = {
  gd: 'Gradient descent',
  momentum: 'Momentum',
  rmsprop: 'RMSprop',
  adam: 'Adam',
};
export const DECAYS: readonly DecayName[] = ['constant', 'inverseTime', 'exponential'];
export const DECAY_LABELS: Readonly<Record<DecayName, string>> = {
  constant: 'None',
  inverseTime: 'α₀ / (1 + rate · epoch)',
  exponential: 'α₀ · (1 − rate)^epoch',
};
export const REGULARIZATIONS: readonly RegularizationName[] = ['none', 'l1', 'l2'];
export const SPEEDS: readonly Speed[] = ['frame', 'fast', 'max'];
export const BACKENDS: readonly BackendName[] = ['wasm', 'js'];
export const BACKEND_LABELS: Readonly<Record<BackendName, string>> = { wasm: 'WebAssembly SIMD', js: 'JavaScript' };

export const LEARNING_RATES: readonly number[] = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const REG_RATES: readonly number[] = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
// Below 1, so the exponential schedule's base 1 - rate stays positive.
export const DECAY_RATES: readonly number[] = [0.0001, 0.001, 0.01, 0.1, 0.5];
export const KEEP_PROBS: readonly number[] = [1, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2];

export const LIMITS = {
  seed: { min: 0, max: 999_999 },
  classes: { min: 2, max: 4 },
  noise: { min: 0, max: 50, step: 5 },
  trainPct: { min: 10, max: 90, step: 5 },
  devPct: { min: 5, max: 45, step: 5 },
  batchSize: { min: 1, max: 64 },
  layers: { max: 6 },
  units: { min: 1, max: 8 },
  optimalError: { min: 0, max: 50 },
} as const;

export function defaultState(): State {
  return {
    seed: 1,
    problem: 'classification',
    dataset: 'circle',
    classes: 2,
    noise: 0,
    trainPct: 60,
    devPct: 20,
    batchSize: 10,
    features: ['x1', 'x2'],
    hidden: [
      { units: 4, activation: 'tanh', keepProb: 1 },
      { units: 2, activation: 'tanh', keepProb: 1 },
    ],
    output: 'sigmoid',
    learningRate: 0.03,
    optimizer: 'gd',
    decay: 'constant',
    decayRate: 0.001,
    init: 'xavier',
    regularization: 'none',
    regRate: 0,
    inputKeepProb: 1,
    batchNorm: false,
    normalize: false,
    showTest: false,
    discretize: false,
    optimalError: null,
    speed: 'fast',
    backend: 'wasm',
  };
}

export function cloneState(s: State): State {
  return { ...s, features: [...s.features], hidden: s.hidden.map((h) => ({ ...h })) };
}

/** The test set's share, what the train and dev shares leave. */
export function testPct(s: State): number {
  return 100 - s.trainPct - s.devPct;
}

/** How many classes the current problem has (1 output for regression). */
export function classCount(s: State, csvClasses: number | null): number {
  if (s.problem === 'regression') return 1;
  if (s.dataset === 'csv') return csvClasses ?? 2;
  return MULTICLASS_DATASETS.includes(s.dataset) ? s.classes : 2;
}
