/**
 * The course's "Dinosaurus Island" (course 5, week 1) with the object API: a
 * character-level language model, an LSTM with a softmax at every step
 * (timeDistributed), trained on dinosaur-like names and sampled one character
 * at a time every few epochs, as the assignment prints samples every 2,000
 * iterations. The loss falls and the samples turn from noise into names.
 *
 * The names are generated here, seeded, from Greek and Latin roots the real
 * names use (no download, no licence to ship): 1,200 of them.
 *
 * As in the course, y<t> = x<t+1>: the model reads the name so far and
 * predicts the next character, the last one '\n'. The input is character
 * indices through an embedding with `maskZero`: index 0 pads every name to
 * T_x steps, index 1 is the start token (the course's zero vector x<1>), and
 * the characters follow. Padded steps leave the LSTM's state alone and do not
 * count in the loss (the mean over real steps), so the loss printed is the
 * loss per real character; their targets (any one-hot column) are ignored.
 *
 * Run: npx tsx examples/dinosaurus.ts
 */
import { Network, Rng, Tensor, fit } from 'layerwise';

const FRONT = ['tyranno', 'stego', 'bronto', 'veloci', 'tricera', 'allo', 'diplo', 'pachy', 'ankylo', 'spino', 'iguano', 'para', 'micro', 'mega', 'archaeo', 'proto', 'cerato', 'compso', 'dilopho', 'galli', 'hadro', 'lambeo', 'maia', 'ovi', 'plateo', 'sauro', 'thero', 'troo', 'utah', 'coelo'];
const MIDDLE = ['', '', 'can', 'lo', 'rhino', 'gna', 'cephalo', 'ptero', 'don', 'nycho'];
const BACK = ['saurus', 'raptor', 'don', 'tops', 'mimus', 'ceratops', 'venator', 'titan', 'dromeus', 'nykus', 'saura', 'pteryx'];

/** Seeded names root + (middle) + ending, without repeats. */
function names(count: number, seed: number): string[] {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.uniform() * xs.length)]!;
  const out = new Set<string>();
  while (out.size < count) out.add(pick(FRONT) + pick(MIDDLE) + pick(BACK));
  return [...out];
}

const words = names(1200, 1);
const chars = ['\n', ...[...new Set(words.join(''))].sort()];
const V = chars.length;
const ix = new Map(chars.map((c, i) => [c, i]));
const T = Math.max(...words.map((w) => w.length)) + 1;
const m = words.length;
/** Input indices: 0 pads, 1 starts a name, 2 + k is character k. */
const PAD = 0;
const START = 1;
console.log(`${m} names, e.g. ${words.slice(0, 4).join(', ')}; ${V} characters; T_x = ${T}`);

// X (1, m, T): x<1> = START, x<t> = the (t-1)th character, PAD after the name; Y (V, m, T): y<t> = x<t+1>, '\n' at the end
// (and, ignored, at the padded steps).
const X = new Tensor([1, m, T], new Float32Array(m * T));
const Y = new Tensor([V, m, T], new Float32Array(V * m * T));
words.forEach((w, j) => {
  const seq = [...w].map((c) => ix.get(c)!);
  for (let t = 0; t < T; t++) {
    X.data[j * T + t] = t === 0 ? START : t <= seq.length ? 2 + seq[t - 1]! : PAD;
    Y.data[((seq[t] ?? 0) * m + j) * T + t] = 1;
  }
});

const net = new Network({
  inputShape: { sequence: [1, T] },
  layers: [
    { type: 'embedding', vocab: V + 2, dim: 16, maskZero: true },
    { type: 'lstm', units: 64, returnSequences: true },
    { type: 'timeDistributed', units: V, activation: 'softmax' },
  ],
  seed: 2,
});

const sampler = new Rng(7);
/** One name drawn a character at a time: the model is causal, so step t of a full-length pass sees only the characters before it (the rest is padding). */
function sample(): string {
  const x = new Tensor([1, 1, T], new Float32Array(T));
  x.data[0] = START;
  let name = '';
  for (let t = 0; t < T; t++) {
    const A = net.predict(x);
    let u = sampler.uniform();
    let c = V - 1;
    for (let k = 0; k < V; k++) {
      u -= A.data[k * T + t]!;
      if (u < 0) {
        c = k;
        break;
      }
    }
    if (c === 0) break;
    name += chars[c];
    if (t + 1 < T) x.data[t + 1] = 2 + c;
  }
  return name;
}

const EPOCHS = 30;
fit(net, X, Y, {
  learningRate: 0.01,
  epochs: EPOCHS,
  batchSize: 64,
  optimizer: 'adam',
  clipValue: 5,
  onEpoch: (e) => {
    if (e.epoch % 5 !== 4 && e.epoch !== 0) return;
    const samples = Array.from({ length: 5 }, sample);
    console.log(`epoch ${String(e.epoch + 1).padStart(2)}  loss ${e.cost.toFixed(4)}  (${e.seconds.toFixed(1)} s)  ${samples.join(', ')}`);
  },
});
