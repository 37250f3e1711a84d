/**
 * One training run: the network, its optimizer and data, and the snapshots
 * the page draws. It knows nothing about workers or the DOM, so the same
 * code runs in the page's worker and in Node tests.
 */
import { backendFor, fit, Network, Plan, resolveOptimizer, serializeModel, type Optimizer, type ScheduleSpec, type SerializedModel, type Tensor } from './lib.js';
import type { Points } from './datasets.js';
import { networkOptions, outputKind, scheduleSpec, type OutputKind } from './model-spec.js';
import type { DataInfo, SetScores, Snapshot } from './protocol.js';
import { GRID_SIZE, prepareData, type LabeledSet, type PreparedData } from './sets.js';
import { classCount, cloneState, type State } from './state.js';

interface Evaluator {
  set: LabeledSet;
  plan: Plan;
}

export class Session {
  readonly net: Network;
  readonly data: PreparedData;
  readonly out: OutputKind;
  epoch = 0;
  learningRate: number;
  /** The rate the last epoch trained with, after decay. */
  lastRate: number;
  private readonly state: State;
  private readonly optimizer: Optimizer;
  private readonly schedule: ScheduleSpec | null;
  private readonly evaluators: { train: Evaluator; dev: Evaluator; test: Evaluator | null };
  private readonly gridPlan: Plan;
  private readonly batchSize: number;

  constructor(
    state: State,
    csv: Points | null,
    /** Which configuration of the page this run is; echoed in its messages. */
    readonly generation = 0,
  ) {
    this.state = cloneState(state);
    const data = prepareData(state, csv, outputKind(state, classCount(state, csv?.classes ?? null)));
    this.data = data;
    this.out = outputKind(state, data.classes);
    this.net = new Network(networkOptions(state, data.classes));
    this.optimizer = resolveOptimizer(state.optimizer);
    this.schedule = scheduleSpec(state);
    this.learningRate = state.learningRate;
    this.lastRate = state.learningRate;
    this.batchSize = Math.min(state.batchSize, data.train.X.cols);
    const evaluator = (set: LabeledSet): Evaluator => ({ set, plan: new Plan(this.net, set.X.cols, false) });
    this.evaluators = { train: evaluator(data.train), dev: evaluator(data.dev), test: data.test ? evaluator(data.test) : null };
    this.gridPlan = new Plan(this.net, GRID_SIZE * GRID_SIZE, false);
  }

  info(): DataInfo {
    const d = this.data;
    const empty: Points = { x1: new Float64Array(0), x2: new Float64Array(0), label: new Float64Array(0), classes: d.classes };
    return {
      generation: this.generation,
      train: d.train.points,
      dev: d.dev.points,
      test: d.test?.points ?? empty,
      domain: d.domain,
      classes: d.classes,
      output: this.out,
      layerDims: this.net.layerDims,
      warnings: d.warnings,
      backend: backendFor(this.net.dtype).name,
    };
  }

  /** Trains `epochs` more epochs; throws the library's DivergenceError when the cost stops being finite. */
  train(epochs: number): void {
    fit(this.net, this.data.train.X, this.data.train.Y, {
      learningRate: this.learningRate,
      epochs,
      batchSize: this.batchSize,
      optimizer: this.optimizer,
      ...(this.schedule ? { schedule: this.schedule } : {}),
      // Decay keeps counting across the page's many short fit calls.
      initialEpoch: this.epoch,
      onEpoch: (info) => {
        this.epoch = info.epoch + 1;
        this.lastRate = info.learningRate;
      },
    });
  }

  setWeight(layer: number, row: number, col: number, value: number): void {
    const l = this.net.layers[layer - 1];
    if (!l || !Number.isFinite(value)) return;
    const target: Tensor | null = col < 0 ? (l.b ?? l.bn?.beta ?? null) : l.W;
    const c = col < 0 ? 0 : col;
    if (!target || row < 0 || row >= target.rows || c >= target.cols) return;
    target.set(row, c, value);
  }

  private scores(e: Evaluator): SetScores {
    const A = e.plan.run(e.set.X);
    const loss = e.plan.cost(e.set.Y);
    if (this.state.problem === 'regression') return { loss, error: null };
    const labels = e.set.points.label;
    const m = A.cols;
    let wrong = 0;
    for (let j = 0; j < m; j++) if (this.predictedClass(A, j) !== labels[j]) wrong++;
    return { loss, error: wrong / m };
  }

  private predictedClass(A: Tensor, j: number): number {
    const m = A.cols;
    if (this.out === 'softmax') {
      let best = 0;
      for (let k = 1; k < A.rows; k++) if (A.data[k * m + j]! > A.data[best * m + j]!) best = k;
      return best;
    }
    const v = A.data[j]!;
    return this.out === 'tanh' ? (v >= 0 ? 1 : 0) : v >= 0.5 ? 1 : 0;
  }

  snapshot(): Snapshot {
    const A = this.gridPlan.run(this.data.grid);
    const cells = GRID_SIZE * GRID_SIZE;
    const output = new Float32Array(A.size);
    if (this.out === 'softmax') output.set(A.data);
    else {
      const scale = this.out === 'linear' ? 1 / this.data.labelScale : 1;
      for (let i = 0; i < cells; i++) {
        const v = A.data[i]!;
        output[i] = this.out === 'sigmoid' ? 2 * v - 1 : Math.max(-1, Math.min(1, v * scale));
      }
    }
    const hidden = this.net.layers.slice(0, -1);
    const neurons = new Float32Array(hidden.reduce((s, l) => s + l.units, 0) * cells);
    let offset = 0;
    hidden.forEach((_, l) => {
      const act = this.gridPlan.A[l]!;
      neurons.set(act.data, offset);
      offset += act.size;
    });
    return {
      generation: this.generation,
      epoch: this.epoch,
      learningRate: this.lastRate,
      train: this.scores(this.evaluators.train),
      dev: this.scores(this.evaluators.dev),
      test: this.evaluators.test ? this.scores(this.evaluators.test) : null,
      gridSize: GRID_SIZE,
      outRows: A.rows,
      output,
      neurons,
      weights: this.net.layers.map((l) => Float32Array.from(l.W.data)),
      biases: this.net.layers.map((l) => Float32Array.from((l.b ?? l.bn!.beta).data)),
    };
  }

  /** The network in the library's model format, with what is needed to feed it new points. */
  exportModel(): SerializedModel {
    const s = this.state;
    return serializeModel(this.net, {
      metadata: {
        source: 'layerwise playground',
        problem: s.problem,
        features: s.features,
        classes: this.data.classes,
        output: this.out,
        labels: this.out === 'tanh' ? 'class 0 -> -1, class 1 -> +1' : this.out === 'softmax' ? 'one-hot' : this.out === 'sigmoid' ? '0/1' : 'real value',
        standardizer: this.data.standardizer ? this.data.standardizer.toJSON() : null,
        epoch: this.epoch,
        training: {
          learningRate: this.learningRate,
          batchSize: this.batchSize,
          optimizer: s.optimizer,
          decay: s.decay,
          decayRate: s.decayRate,
        },
      },
    });
  }
}
