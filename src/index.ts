/**
 * layerwise: deep learning for TypeScript in the course's notation.
 *
 * @example
 * ```ts
 * import { Network, fit, makeFlower, accuracy } from 'layerwise';
 * const { X, Y } = makeFlower({ seed: 1 });
 * const net = new Network({ inputSize: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], init: 'random' });
 * fit(net, X, Y, { learningRate: 1.2, iterations: 10000 });
 * console.log(accuracy(net.classify(X), Y));
 * ```
 */
import { initWasmBackendSync } from './backend/wasm/index.js';

export { ShapeError, ValueError, DivergenceError, formatShape } from './tensor/errors.js';
export { Tensor, tensor, zeros, full, type DType, type FloatArray, type NestedArray, type TensorOptions } from './tensor/tensor.js';
export type { TensorLike } from './tensor/validate.js';
export { Rng, type RngState } from './random/rng.js';

export type { Activation, Backend, Kernels, LossKind, WindowGeometry } from './backend/backend.js';
export { jsBackend } from './backend/js/index.js';
export { registerBackend, setBackend, getBackend, listBackends, backendFor } from './backend/registry.js';

export { resolveActivation, ACTIVATION_NAMES, DEFAULT_LEAKY_SLOPE, type ActivationName, type ActivationSpec } from './nn/activations.js';
export { resolveLoss, defaultLossFor, losses, type LossName, type LossInfo } from './nn/losses.js';
export { resolveInitializer, initScale, DEFAULT_RANDOM_SCALE, type Initializer, type InitSpec } from './nn/initializers.js';
export { Network, logisticRegression, classifyOutputs, type NetworkOptions, type LayerSpec, type DenseLayer, type Parameters } from './nn/network.js';
export { Plan, type LayerGrads } from './nn/plan.js';
export { replaceHead, type ReplaceHeadOptions } from './nn/transfer.js';
export {
  identityBlock,
  convolutionalBlock,
  LAYER_TYPES,
  type TypedLayerSpec,
  type LayerType,
  type DenseSpec,
  type Conv2DSpec,
  type PoolSpec,
  type ZeroPadSpec,
  type FlattenSpec,
  type BatchNormSpec,
  type DropoutSpec,
  type ActivationLayerSpec,
  type ResidualSpec,
  SEQUENCE_LAYER_TYPES,
  ALL_LAYER_TYPES,
  type AnyLayerType,
  type RecurrentSpec,
  type TimeDistributedSpec,
  type EmbeddingSpec,
  type BidirectionalSpec,
  type MaskingSpec,
  type LayerNormSpec,
  type PositionalEncodingSpec,
  type MultiHeadAttentionSpec,
  type TransformerEncoderSpec,
  type GlobalAveragePool1dSpec,
  type AttentionSpec,
} from './nn/layers/spec.js';
export type { Layer, AnyLayer, CompiledLayer, NamedTensor } from './nn/layers/layer.js';
export { StepMask } from './nn/layers/layer.js';
export { BidirectionalLayer } from './nn/layers/bidirectional.js';
export { MaskingLayer } from './nn/layers/masking.js';
export type { FeatureShape, SequenceShape, ActivationShape } from './nn/layers/shape.js';
export { RecurrentLayer, type RecurrentCell } from './nn/layers/recurrent.js';
export { TimeDistributedLayer } from './nn/layers/time-distributed.js';
export { EmbeddingLayer } from './nn/layers/embedding.js';
export { LayerNormLayer } from './nn/layers/layer-norm.js';
export { MultiHeadAttentionLayer } from './nn/layers/multi-head-attention.js';
export { PositionalEncodingLayer, GlobalAveragePool1dLayer } from './nn/layers/positional.js';
export { TransformerEncoderLayer } from './nn/layers/transformer.js';
export { AttentionLayer, type CompiledAttention } from './nn/layers/attention.js';
export { attentionWeights, attentionMapSvg, type AttentionMapOptions } from './nn/attention-map.js';

export { initializeParameters, updateParameters, type Gradients, type InitializeOptions } from './functional/parameters.js';
export { linearForward, linearActivationForward, modelForward, type LinearCache, type LayerCache } from './functional/forward.js';
export { computeCost } from './functional/cost.js';
export { linearBackward, linearActivationBackward, modelBackward, type LayerGradients } from './functional/backward.js';
export { gradientCheck, compareGradients, type GradientCheckOptions, type GradientCheckResult } from './functional/gradient-check.js';
export { zeroPad, convSingleStep, convForward, convBackward, type ConvCache, type ConvHyperparameters } from './functional/conv.js';
export { poolForward, poolBackward, createMaskFromWindow, distributeValue, type PoolCache, type PoolHyperparameters, type PoolMode } from './functional/pool.js';
export { rnnCellForward, rnnForward, rnnCellBackward, rnnBackward, type RnnParameters, type RnnParametersLike, type RnnCache, type RnnCellGradients, type RnnGradients } from './functional/rnn.js';
export { lstmCellForward, lstmForward, lstmCellBackward, lstmBackward, type LstmParameters, type LstmParametersLike, type LstmCache, type LstmCellGradients, type LstmGradients, type LstmWeightGradients } from './functional/lstm.js';
export { gruCellForward, gruForward, gruCellBackward, gruBackward, type GruParameters, type GruParametersLike, type GruCache, type GruCellGradients, type GruGradients, type GruWeightGradients } from './functional/gru.js';
export { oneStepAttention, oneStepAttentionBackward, type AttentionParameters, type AttentionParametersLike, type OneStepAttentionCache, type OneStepAttentionGradients } from './functional/attention.js';
export {
  scaledDotProductAttention,
  scaledDotProductAttentionBackward,
  positionalEncoding,
  multiHeadAttention,
  multiHeadAttentionBackward,
  type AttentionCache,
  type MultiHeadParameters,
  type MultiHeadParametersLike,
  type MultiHeadCache,
  type MultiHeadOptions,
  type MultiHeadGradients,
} from './functional/self-attention.js';
export { clip, sample, type SampleOptions } from './functional/sampling.js';
export { sampleText, type SampleTextOptions } from './nn/generate.js';

export { Optimizer, GradientDescent } from './train/optimizer.js';
export { fit, type FitOptions, type History } from './train/fit.js';

export { makeFlower, makeBlobs, makeXor, makeMoons, makeCircles, makeSpiral, type Dataset, type FlowerOptions, type BlobOptions, type CircleOptions } from './data/planar.js';
export { augmentBatch, type AugmentOptions } from './data/augment.js';
export { flattenImages, imagesFromColumns, fromRows, toRows, oneHot } from './data/reshape.js';
export { Vocabulary, encodeIndices, encodeOneHot, PAD_INDEX, PAD_TOKEN, UNKNOWN_TOKEN, START_TOKEN, UNKNOWN_CHAR, type VocabularyOptions, type FromStringsOptions, type VocabularyJSON, type EncodeOptions } from './data/text.js';
export { generateDates, formatDate, isoDate, dateVocabularies, encodeDatePairs, encodeDateSources, DATE_FORMATS, DATE_SOURCE_LENGTH, DATE_TARGET_LENGTH, type DateFormat, type DatePair, type CalendarDate, type GenerateDatesOptions } from './data/dates.js';
export { accuracy } from './diagnose/metrics.js';
export { checkGradients } from './train/gradient-check.js';
export type { EarlyStoppingOptions, EpochInfo } from './train/fit.js';
export type { BatchNormState } from './nn/network.js';

export { type OptimizerState, type OptimizerConfigData } from './train/optimizer.js';
export { Momentum, type MomentumOptions, type MomentumConfig } from './train/optimizers/momentum.js';
export { RMSprop, type RMSpropOptions, type RMSpropConfig } from './train/optimizers/rmsprop.js';
export { Adam, type AdamOptions, type AdamConfig, type AdamState } from './train/optimizers/adam.js';
export { resolveOptimizer, OPTIMIZER_NAMES, type OptimizerName, type OptimizerConfig, type OptimizerSpec } from './train/optimizers/resolve.js';
export { learningRateAt, resolveSchedule, SCHEDULE_KINDS, type Schedule, type ScheduleKind, type ScheduleSpec } from './train/schedules.js';
export {
  confusionMatrix,
  classificationReport,
  mse,
  mae,
  r2,
  type ClassScores,
  type ClassReport,
  type ClassificationReport,
} from './diagnose/metrics.js';
export {
  randomSearch,
  type Distribution,
  type DistributionKind,
  type SearchSpace,
  type SampleOf,
  type ConfigOf,
  type Trial,
  type SearchResult,
  type SearchOptions,
} from './diagnose/search.js';
export { split, takeColumns, SPLIT_MIN_EXAMPLES, SPLIT_RATIO_TOLERANCE, type SplitOptions, type RatioSplitOptions, type CountSplitOptions, type SplitSet, type Split } from './data/split.js';
export { Standardizer, type StandardizerJSON } from './data/normalize.js';
export { diagnose, VERDICTS, BIAS_VARIANCE_THRESHOLDS, type Verdict, type BiasVarianceThresholds, type DiagnoseInput, type Diagnosis } from './diagnose/bias-variance.js';
export { evaluate, type EvaluateSets, type EvaluateOptions, type LabeledData, type ClassificationScores, type RegressionScores, type ClassificationEvaluation, type RegressionEvaluation, type Evaluation } from './diagnose/evaluate.js';
export { serializeModel, deserializeModel, parseManifest, MODEL_FORMAT_VERSION, type ModelManifest, type SerializedModel, type SerializeOptions, type TextModelInfo } from './io/model-format.js';
export { crc32 } from './io/crc32.js';
export { exportOnnx, ONNX_OPSETS, type OnnxExportOptions } from './io/onnx/export.js';
export { importOnnx, type ImportedOnnx } from './io/onnx/import.js';
export { checkOnnx } from './io/onnx/check.js';
export { SUPPORTED_OPS as ONNX_IMPORT_OPS } from './io/onnx/import-ops.js';
export { exportTfjs, type TfjsExportOptions } from './io/tfjs/export.js';
export { importTfjs, type ImportedTfjs } from './io/tfjs/import.js';
export { SUPPORTED_LAYERS as TFJS_IMPORT_LAYERS } from './io/tfjs/import-layers.js';
export type { TfjsModelJson, KerasLayer, WeightSpec } from './io/tfjs/model-json.js';
export { LIBRARY_VERSION } from './io/version.js';

export { initWasmBackend, initWasmBackendSync, setWasmThreads, wasmThreads, type WasmBackendOptions, type ThreadCount } from './backend/wasm/index.js';
export { memory, type MemoryReport, type BackendMemory } from './backend/memory-report.js';
export { WasmOutOfMemoryError } from './backend/wasm/memory.js';
export { DisposedError } from './tensor/tensor.js';
export type { LayerBytes } from './nn/network.js';

// The fastest backend by default: where the host compiles WebAssembly
// synchronously (Node, workers) the SIMD backend loads now; a browser's main
// thread keeps the TypeScript backend until `await initWasmBackend()`.
initWasmBackendSync();
