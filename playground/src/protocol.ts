/**
 * The messages between the page and the training worker. The worker owns the
 * network and the data; the page only sends intents and draws snapshots.
 */
import type { Domain, Points } from './datasets.js';
import type { ImageFromWorker, ImageToWorker } from './image/protocol.js';
import type { OutputKind } from './model-spec.js';
import type { Speed, State } from './state.js';

export type ToWorker =
  /**
   * Build data and network from scratch (epoch 0). `csv` is the uploaded data when state.dataset is 'csv'.
   * `generation` tags what comes back, so the page can drop snapshots of a run it has already replaced.
   */
  | { type: 'configure'; state: State; csv: Points | null; generation: number }
  | { type: 'play' }
  | { type: 'pause' }
  /** One epoch, then a snapshot. */
  | { type: 'step' }
  /** Same settings, fresh weights from the seed, epoch 0. */
  | { type: 'reset'; generation: number }
  /** Changes alpha without touching the weights or the epoch count. */
  | { type: 'learningRate'; value: number }
  | { type: 'speed'; value: Speed }
  /** Sets W[layer][row, col], or b[layer][row] when col is -1 (layer is 1-based, as in the course). */
  | { type: 'setWeight'; layer: number; row: number; col: number; value: number }
  /** The page has drawn the last snapshot; the worker may send the next. */
  | { type: 'ack' }
  | { type: 'export' }
  | ImageToWorker;

/** Loss (data cost, no regularization term) and classification error of one set. */
export interface SetScores {
  loss: number;
  /** Fraction misclassified; null for regression. */
  error: number | null;
}

export interface Snapshot {
  /** The configuration this run belongs to. */
  generation: number;
  epoch: number;
  /** The rate the last epoch used (after decay). */
  learningRate: number;
  train: SetScores;
  dev: SetScores;
  test: SetScores | null;
  gridSize: number;
  /** 1, or the class count K for softmax. */
  outRows: number;
  /**
   * outRows * gridSize^2 values: in [-1, 1] for one output (the sign is the
   * class, or the regression value over the label scale), else K class
   * probabilities per pixel, class-major.
   */
  output: Float32Array;
  /** Every hidden neuron's activation over the grid, neuron by neuron, layer by layer. */
  neurons: Float32Array;
  /** W[l] row-major (n[l] x n[l-1]), l = 1..L. */
  weights: Float32Array[];
  /** b[l] (or beta[l] under batch normalization). */
  biases: Float32Array[];
}

export interface DataInfo {
  generation: number;
  train: Points;
  dev: Points;
  test: Points;
  domain: Domain;
  classes: number;
  /** The output layer and cost the network trains with. */
  output: OutputKind;
  /** Layer sizes n[0..L] of the network built. */
  layerDims: number[];
  /** Warnings from the split (tiny sets) and the normalization (constant features). */
  warnings: string[];
  /** The library backend the worker trains with. */
  backend: string;
}

export type FromWorker =
  | { type: 'data'; info: DataInfo }
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'running'; running: boolean }
  | { type: 'diverged'; message: string }
  | { type: 'error'; message: string }
  /** Something worth knowing that did not stop training (e.g. a backend fallback). */
  | { type: 'notice'; message: string }
  | { type: 'model'; manifest: unknown; weights: Uint8Array }
  | ImageFromWorker;
