/**
 * Workload 4: a character-level language model (course 5's "dinosaur island"
 * at a bench's size). One LSTM layer of 128 units over sequences of 25
 * characters, a softmax over the vocabulary at every step (layerwise's
 * `timeDistributed` dense layer), the cost the mean cross-entropy over the
 * 25 steps and the 32 sequences of a batch; Adam (lr 1e-3, beta1 0.9,
 * beta2 0.999, eps 1e-8). Inputs are one-hot characters; the target at step t
 * is the character at t + 1.
 *
 * The text is generated here from a seeded Rng (pseudo-words of syllables,
 * with spaces and punctuation: no download), cut into 1600 sequences of 26
 * characters (50 batches of 32 per epoch, in a fixed order). The starting
 * weights come from layerwise (seed 1; Xavier for the LSTM, as its layer
 * initializes them, biases 0) and travel in layerwise's layout:
 * Wf, Wi, Wo, Wc (n_a, n_a + n_x) over [a<t-1>; x<t>], bf, bi, bo, bc (n_a),
 * Wy (V, n_a), by (V). Every peer converts from that.
 */
import { Network, Rng } from '../../src/index.js';
import { loadArrays, matrix, need, saveArrays, type Matrix } from '../shared/fixtures.js';
import type { ChildResult, VariantId } from '../shared/types.js';
import { MNIST } from './mnist.js';

/** The MLP workload's Adam settings and seed. */
const { learningRate, beta1, beta2, epsilon, seed } = MNIST;

export const LSTM = {
  units: 128,
  steps: 25,
  batchSize: 32,
  /** Batches per epoch: 1600 sequences. */
  batchesPerEpoch: 50,
  learningRate,
  beta1,
  beta2,
  epsilon,
  seed,
} as const;

/** The LSTM's gate parameters in layerwise's stacked order [f; i; o; c], and the output layer's. */
export const LSTM_GATES = ['f', 'i', 'o', 'c'] as const;
export const LSTM_PARAMS = ['Wf', 'bf', 'Wi', 'bi', 'Wo', 'bo', 'Wc', 'bc', 'Wy', 'by'] as const;
export type LstmParam = (typeof LSTM_PARAMS)[number];
export type LstmWeights = Record<LstmParam, Float32Array>;

const ONSETS = ['', 'b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'qu', 'r', 's', 't', 'v', 'w', 'x', 'y', 'z', 'br', 'ch', 'sh', 'st', 'th', 'tr'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ou', 'y'];
const CODAS = ['', '', '', 'n', 'r', 's', 't', 'l', 'm', 'ng', 'ck'];
const PUNCTUATION = ['.', ',', ';', '!', '?', "'"];

/** `length` characters of seeded pseudo-text: words of 1-3 syllables, spaces, now and then punctuation. */
export function lstmText(length: number, seed: number): string {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.uniform() * xs.length)]!;
  let s = '';
  while (s.length < length) {
    const syllables = 1 + Math.floor(rng.uniform() * 3);
    for (let k = 0; k < syllables; k++) s += pick(ONSETS) + pick(VOWELS) + pick(CODAS);
    if (rng.uniform() < 0.12) s += pick(PUNCTUATION);
    s += ' ';
  }
  return s.slice(0, length);
}

export interface LstmFixture {
  /** The vocabulary, index = the one-hot row. */
  chars: string;
  /** (sequences, T + 1) character indices: x<t> = row[t], y<t> = row[t + 1]. */
  text: Matrix;
  init: LstmWeights;
}

/** The shapes of the parameters in layerwise's layout (biases flattened). */
export function lstmParamShapes(V: number): Record<LstmParam, readonly number[]> {
  const nA = LSTM.units;
  const gate = [nA, nA + V] as const;
  return { Wf: gate, bf: [nA], Wi: gate, bi: [nA], Wo: gate, bo: [nA], Wc: gate, bc: [nA], Wy: [V, nA], by: [V] };
}

/** The network layerwise trains (and draws the starting weights from). */
export function lstmNetwork(V: number): Network {
  return new Network({
    inputShape: { sequence: [V, LSTM.steps] },
    layers: [
      { type: 'lstm', units: LSTM.units, returnSequences: true },
      { type: 'timeDistributed', units: V, activation: 'softmax' },
    ],
    seed: LSTM.seed,
  });
}

/** layerwise's parameter name for each of the workload's (the LSTM is layer 1, the output layer 2). */
export const LAYERWISE_NAMES: Record<LstmParam, string> = {
  Wf: 'Wf1', bf: 'bf1', Wi: 'Wi1', bi: 'bi1', Wo: 'Wo1', bo: 'bo1', Wc: 'Wc1', bc: 'bc1', Wy: 'W2', by: 'b2',
};

export function makeLstmFixture(): LstmFixture {
  const T = LSTM.steps;
  const sequences = LSTM.batchSize * LSTM.batchesPerEpoch;
  const source = lstmText(sequences * T + 1, LSTM.seed);
  const chars = [...new Set(source)].sort().join('');
  const ix = new Map([...chars].map((c, i) => [c, i]));
  const text = matrix(sequences, T + 1);
  for (let s = 0; s < sequences; s++) for (let t = 0; t <= T; t++) text.data[s * (T + 1) + t] = ix.get(source[s * T + t]!)!;
  const net = lstmNetwork(chars.length);
  const init = {} as LstmWeights;
  for (const key of LSTM_PARAMS) init[key] = Float32Array.from(net.parameters[LAYERWISE_NAMES[key]]!.data);
  net.dispose();
  return { chars, text, init };
}

export const LSTM_FIXTURE = 'lstm';

export function saveLstmFixture(f: LstmFixture): void {
  const shapes = lstmParamShapes(f.chars.length);
  const arrays: Record<string, Matrix> = { text: f.text, chars: matrix(1, f.chars.length, Float32Array.from([...f.chars].map((c) => c.charCodeAt(0)))) };
  for (const key of LSTM_PARAMS) arrays[key] = matrix(f.init[key].length / shapes[key].at(-1)!, shapes[key].at(-1)!, f.init[key]);
  saveArrays(LSTM_FIXTURE, arrays);
}

export function loadLstmFixture(): LstmFixture {
  const a = loadArrays(LSTM_FIXTURE);
  const init = {} as LstmWeights;
  for (const key of LSTM_PARAMS) init[key] = need(a, key).data;
  return { chars: String.fromCharCode(...need(a, 'chars').data), text: need(a, 'text'), init };
}

/** The character indices of batch `i` (of the epoch's fixed order): (batchSize, T + 1) rows. */
export function batchRows(f: LstmFixture, i: number): Float32Array {
  const width = LSTM.steps + 1;
  const from = (i % LSTM.batchesPerEpoch) * LSTM.batchSize;
  return f.text.data.subarray(from * width, (from + LSTM.batchSize) * width);
}

/** A trainer for the LSTM workload: the fixture's batches in their fixed order, epoch after epoch. */
export interface LstmTrainer {
  /** Trains `batches` batches, calling `batchEnd` after each update with that batch's cost before the update. */
  train(batches: number, batchEnd: (cost: number) => void): Promise<void>;
  /** False where the peer cannot start from the same weights or compute the same cost (its costs are then not compared). */
  sameComputation: boolean;
  /** Sequences one call of `batchEnd` stands for (brain.js: its own batch of sequences); the batch size by default. */
  sequencesPerBatch?: number;
  note?: string;
}

/** The LSTM workload's result line. */
export interface LstmResult {
  workload: 'lstm';
  variant: VariantId;
  ok: true;
  vocabulary: number;
  sequencesPerBatch: number;
  batches: number;
  batchSeconds: number[];
  /** Batches the speed is the median over: from the second epoch on when more than one ran, else all but the first. */
  timedFrom: number;
  /** Sequences of 25 characters per second: sequencesPerBatch / the median batch time. */
  sequencesPerSecond: number;
  batchCosts: number[];
  sameComputation: boolean;
  maxRssMiB: number;
  note?: string;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** The steady-state figure of per-batch times and costs (from a Node trainer or a peer that timed itself). */
export function summarizeLstm(
  variant: LstmResult['variant'],
  run: { batchSeconds: number[]; batchCosts: number[]; sameComputation: boolean; sequencesPerBatch?: number; maxRssMiB: number; note?: string },
  vocabulary: number,
): LstmResult {
  const n = run.batchSeconds.length;
  if (n === 0) throw new Error('the trainer ran no batches');
  const timedFrom = n > LSTM.batchesPerEpoch ? LSTM.batchesPerEpoch : n > 1 ? 1 : 0;
  const perBatch = run.sequencesPerBatch ?? LSTM.batchSize;
  const result: LstmResult = {
    workload: 'lstm',
    variant,
    ok: true,
    vocabulary,
    sequencesPerBatch: perBatch,
    batches: n,
    batchSeconds: run.batchSeconds,
    timedFrom,
    sequencesPerSecond: perBatch / median(run.batchSeconds.slice(timedFrom)),
    batchCosts: run.batchCosts,
    sameComputation: run.sameComputation,
    maxRssMiB: run.maxRssMiB,
  };
  if (run.note) result.note = run.note;
  return result;
}

/** Times each batch of a Node trainer (from the end of the previous one). */
export async function measureLstm(trainer: LstmTrainer, batches: number): Promise<{ batchSeconds: number[]; batchCosts: number[] }> {
  const batchSeconds: number[] = [];
  const batchCosts: number[] = [];
  let mark = performance.now();
  await trainer.train(batches, (cost) => {
    batchSeconds.push((performance.now() - mark) / 1000);
    batchCosts.push(cost);
    mark = performance.now();
  });
  if (batchCosts.length !== batches) throw new Error(`the trainer ran ${batchCosts.length} batches, asked for ${batches}`);
  return { batchSeconds, batchCosts };
}

/** Relative tolerance of the same-computation check on the first batch's cost (float32 sums in different orders). */
export const LSTM_COST_TOLERANCE = 1e-4;

/** The LSTM results of a run, by variant. */
function lstmResults(results: readonly ChildResult[]): Map<VariantId, LstmResult> {
  const out = new Map<VariantId, LstmResult>();
  for (const r of results) if (r.ok && r.workload === 'lstm') out.set(r.variant, r);
  return out;
}

/** The fastest JavaScript peer that ran (TF.js CPU or WASM, brain.js, hand-written JS). */
const JS_PEERS: readonly VariantId[] = ['tfjs-cpu', 'tfjs-wasm', 'brain', 'plain-js'];

/** The table rows: variant, sequences/s, median batch ms, first costs, note (or why it did not run). */
export function lstmTable(results: readonly ChildResult[], labels: (id: VariantId) => string) {
  const rows = results
    .filter((r) => r.workload === 'lstm')
    .map((r) => {
      if (!r.ok) return [labels(r.variant), '', '', '', r.reason];
      const l = r as LstmResult;
      return [
        labels(l.variant),
        Math.round(l.sequencesPerSecond).toLocaleString('en-US'),
        ((1000 * l.sequencesPerBatch) / l.sequencesPerSecond).toFixed(1),
        l.batchCosts.slice(0, 3).map((c) => c.toFixed(5)).join(' '),
        `${l.batches} batches of ${l.sequencesPerBatch}${l.note ? `; ${l.note}` : ''}`,
      ];
    });
  return { headers: ['variant', 'sequences/s', 'ms/batch', 'first costs', 'note'], rows, align: ['l', 'r', 'r', 'l', 'l'] as ('l' | 'r')[] };
}

/** Ratio lines, the issue's target first: layerwise wasm >= 10x the fastest JavaScript peer; PyTorch 1 thread as the anchor. */
export function lstmRatios(results: readonly ChildResult[], labels: (id: VariantId) => string): string[] {
  const r = lstmResults(results);
  const speed = (id: VariantId) => r.get(id)?.sequencesPerSecond;
  const fmt = (x: number) => `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}x`;
  const line = (a: VariantId, b: VariantId, suffix = ''): string | null => {
    const sa = speed(a);
    const sb = speed(b);
    return sa === undefined || sb === undefined ? null : `LSTM sequences/s, ${labels(a)} / ${labels(b)}: ${fmt(sa / sb)}${suffix}`;
  };
  const fastestJs = JS_PEERS.filter((id) => speed(id) !== undefined).sort((a, b) => speed(b)! - speed(a)!)[0];
  const out: (string | null)[] = [];
  if (fastestJs) {
    const best = Math.max(speed('layerwise-wasm2') ?? 0, speed('layerwise-wasm1') ?? 0);
    const x = best / speed(fastestJs)!;
    out.push(`LSTM: layerwise wasm (best of 1 and 2 threads) / the fastest JavaScript peer (${labels(fastestJs)}): ${fmt(x)} (target >= 10x: ${x >= 10 ? 'met' : 'NOT met'})`);
  }
  out.push(
    line('layerwise-wasm2', 'torch1', ' (PyTorch 1 thread: the anchor)'),
    line('layerwise-wasm1', 'torch1'),
    line('layerwise-wasm2', 'torch2'),
    line('layerwise-wasm2', 'layerwise-wasm1'),
    line('layerwise-wasm2', 'tfjs-wasm'),
    line('layerwise-wasm2', 'tfjs-cpu'),
    line('layerwise-wasm2', 'brain'),
    line('layerwise-wasm2', 'plain-js'),
    line('layerwise-wasm1', 'layerwise-js'),
    line('torch2', 'torch1'),
  );
  return out.filter((l): l is string => l !== null);
}

/**
 * The same-computation check: every peer that starts from the fixture's weights computes the
 * first batch's cost (before any update) within LSTM_COST_TOLERANCE of layerwise's reference
 * (js backend, else wasm); the next two (after one and two Adam steps) are shown beside it.
 */
export function lstmCorrectness(results: readonly ChildResult[], labels: (id: VariantId) => string): string[] {
  const r = lstmResults(results);
  const ref = r.get('layerwise-js') ?? r.get('layerwise-wasm1') ?? r.get('layerwise-wasm2');
  if (!ref) return r.size > 0 ? ['LSTM: no layerwise run to compare against'] : [];
  const out: string[] = [];
  for (const [id, x] of r) {
    if (x === ref) continue;
    const costs = x.batchCosts.slice(0, 3).map((c) => c.toFixed(6)).join(' ');
    if (!x.sameComputation) {
      out.push(`LSTM ${labels(id)}: not compared (${x.note ?? 'cannot start from the same weights'}); first costs ${costs}`);
      continue;
    }
    const n = Math.min(3, x.batchCosts.length, ref.batchCosts.length);
    const rel = (i: number) => Math.abs(x.batchCosts[i]! - ref.batchCosts[i]!) / Math.abs(ref.batchCosts[i]!);
    const first = rel(0);
    const later = Array.from({ length: n }, (_, i) => rel(i));
    out.push(
      `LSTM ${labels(id)} vs ${labels(ref.variant)}: batches 1-${n} ${costs} vs ${ref.batchCosts.slice(0, n).map((c) => c.toFixed(6)).join(' ')}; ` +
        `first-batch rel. diff ${first.toExponential(1)} (${first < LSTM_COST_TOLERANCE ? 'same computation' : `DIFFERS: over ${LSTM_COST_TOLERANCE}`}), max over ${n} ${Math.max(...later).toExponential(1)}`,
    );
  }
  return out;
}
