/**
 * The image mode's messages between the page and the worker, and what a
 * snapshot of a CNN in training holds: the chosen dev digit's feature maps,
 * each conv layer's filters, and (after each epoch) the evaluation of the
 * training and dev sets with the dev predictions for the error analysis.
 */
import type { ImageState } from './spec.js';

/** One layer of the network as the library built it (net.stack[i]): what the architecture editor shows. */
export interface LayerInfo {
  /** `layer.describe()`, e.g. "conv2d 5x5x8 relu". */
  name: string;
  type: string;
  /** The output shape of one example: [h, w, c] for an image, [units] when flat. */
  shape: number[];
  params: number;
}

/** One layer's output for the probed digit, (h, w, c) row-major. */
export interface FeatureMap {
  layer: number;
  name: string;
  h: number;
  w: number;
  c: number;
  data: Float32Array;
}

/** A conv layer's W (f, f, c_in, c_out) row-major, as net.parameters holds it. */
export interface Filters {
  layer: number;
  /** The course's name, W1, W2, ... */
  name: string;
  f: number;
  cin: number;
  cout: number;
  data: Float32Array;
}

export interface Scores {
  /** Cross-entropy cost of the set. */
  loss: number;
  /** Fraction misclassified. */
  error: number;
}

export interface Evaluation {
  /** Epochs completed when it was taken. */
  epoch: number;
  train: Scores;
  dev: Scores;
  /** confusion[true * 10 + predicted]: dev counts. */
  confusion: Int32Array;
  /** The predicted digit and its probability for each dev example. */
  predicted: Uint8Array;
  confidence: Float32Array;
}

export interface ImageSnapshot {
  generation: number;
  /** Epochs as a fraction: 2.5 is half-way through the third. */
  epoch: number;
  /** Training examples seen so far. */
  examples: number;
  /** Mean mini-batch cost since the previous snapshot (null before training). */
  batchCost: number | null;
  /** The dev digit whose feature maps are shown. */
  probe: number;
  maps: FeatureMap[];
  filters: Filters[];
  /** The newest evaluation, sent once (null in the snapshots between evaluations). */
  evaluation: Evaluation | null;
}

export interface ImageInfo {
  generation: number;
  layers: LayerInfo[];
  /** net.summary(). */
  summary: string;
  totalParams: number;
  trainM: number;
  devM: number;
  /** The dev digits (bytes, 784 each) and labels, for the gallery and the probe picker. */
  devPixels: Uint8Array;
  devLabels: Uint8Array;
  backend: string;
}

export type ImageToWorker =
  | { type: 'image:configure'; state: ImageState; generation: number }
  | { type: 'image:reset'; generation: number }
  | { type: 'image:play' }
  | { type: 'image:pause' }
  /** Trains to the end of the current epoch, then pauses. */
  | { type: 'image:step' }
  | { type: 'image:rate'; value: number }
  | { type: 'image:probe'; index: number }
  | { type: 'image:classify'; id: number; pixels: Float32Array }
  | { type: 'image:ack' }
  | { type: 'image:export' };

export type ImageFromWorker =
  | { type: 'image:data'; info: ImageInfo }
  | { type: 'image:snapshot'; snapshot: ImageSnapshot }
  | { type: 'image:running'; running: boolean }
  | { type: 'image:probs'; id: number; probs: Float32Array }
  /** The architecture could not be built (or training failed); the previous network, if any, stays. */
  | { type: 'image:error'; generation: number; message: string }
  | { type: 'image:diverged'; message: string }
  | { type: 'image:model'; manifest: unknown; weights: Uint8Array };
