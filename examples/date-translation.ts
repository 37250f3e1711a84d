/**
 * The course's "Neural machine translation with attention" (course 5, week 3):
 * human-readable dates ("saturday march 7 1970", "08 jul 2007", "5/3/79") to
 * ISO "1970-03-07", with the assignment's model: a bidirectional LSTM
 * pre-attention encoder (n_a = 32 each way) returning a<1..T_x> (T_x = 30),
 * then for each of T_y = 10 output characters one_step_attention and a
 * post-attention LSTM step (n_s = 64), and a softmax over the 11 machine
 * characters (the `attention` layer and a timeDistributed softmax).
 *
 * The dates are generated here, seeded (src/data/dates.ts: 22 formats,
 * 1950-2030; no download). Sources are padded to T_x with the pad character,
 * as the course does. After training it prints the exact-match accuracy (all
 * 10 characters right) on held-out dates, translates a few, and writes the
 * attention map of one of them as an SVG (the assignment's plot_attention_map).
 *
 * Run: npx tsx examples/date-translation.ts [folder for the SVG, default: this folder]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attentionMapSvg, attentionWeights, dateVocabularies, encodeDatePairs, encodeDateSources, fit, generateDates, Network } from 'layerwise';

const TRAIN = 10_000;
const TEST = 1_000;
const EPOCHS = 3;
const { source, target } = dateVocabularies();

const train = generateDates(TRAIN, { seed: 1 });
// Held out: other dates, none of whose sources the training set holds.
const seen = new Set(train.map((p) => p.source));
const test = generateDates(2 * TEST, { seed: 2 })
  .filter((p) => !seen.has(p.source))
  .slice(0, TEST);
console.log(`${TRAIN} training pairs, e.g. ${train.slice(0, 3).map((p) => `"${p.source}" -> ${p.target}`).join(', ')}`);
console.log(`human vocabulary ${source.size} (pad included), machine vocabulary ${target.size}; T_x = 30, T_y = 10`);

const { X, Y } = encodeDatePairs(train);
const net = new Network({
  inputShape: { sequence: [source.size, 30] },
  layers: [
    { type: 'bidirectional', layer: { type: 'lstm', units: 32, returnSequences: true } },
    { type: 'attention', steps: 10, units: 64 },
    { type: 'timeDistributed', units: target.size, activation: 'softmax' },
  ],
  seed: 3,
});
console.log(net.summary());

/** The network's translations: the most probable character at each output step. */
function translate(sources: readonly string[]): string[] {
  const C = net.classify(encodeDateSources(sources));
  return sources.map((_, j) => target.decode(C.data.subarray(j * 10, (j + 1) * 10)));
}

/** The share of `pairs` translated exactly (all 10 characters right). */
function exactMatch(pairs: readonly { source: string; target: string }[]): number {
  const out = translate(pairs.map((p) => p.source));
  return out.filter((t, j) => t === pairs[j]!.target).length / pairs.length;
}

fit(net, X, Y, {
  learningRate: 0.02,
  epochs: EPOCHS,
  batchSize: 50,
  optimizer: 'adam',
  onEpoch: (e) => console.log(`epoch ${e.epoch + 1}  loss ${e.cost.toFixed(4)}  (${e.seconds.toFixed(1)} s elapsed)  held-out exact match ${(100 * exactMatch(test)).toFixed(1)}%`),
});

const accuracy = exactMatch(test);
console.log(`\nexact match on ${test.length} held-out dates: ${(100 * accuracy).toFixed(1)}%`);

const examples = ['3 may 1979', 'tuesday 10/05/2021', '08 jul 2007', 'saturday march 7 1970', '21.07.89', 'march 3 2001', '1 march 2001', 'sun, 24 may 2015'];
translate(examples).forEach((t, j) => console.log(`  ${examples[j]!.padEnd(24)} -> ${t}`));

// The attention map of one example: which source characters each output character read.
const shown = examples[3]!;
const weights = attentionWeights(net, encodeDateSources([shown]));
const [translation] = translate([shown]);
const folder = resolve(process.argv[2] ?? dirname(fileURLToPath(import.meta.url)));
mkdirSync(folder, { recursive: true });
const file = join(folder, 'date-translation-attention.svg');
writeFileSync(file, attentionMapSvg({ weights, source: shown, target: translation!, title: `"${shown}" -> ${translation}` }));
console.log(`\nattention map of "${shown}" written to ${file}`);
