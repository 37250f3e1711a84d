/**
 * The text commands end to end, through the real `layerwise` process: a character-level
 * language model trained on `--data words:` (the loss falls, `sample` is reproducible from its
 * seed), a date translator with attention trained on `--data pairs:` made by `generate dates`
 * (`translate` prints ISO dates, writes attention maps), and each bad input against its message.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textNetworkSpecs, textScores } from '../../src/cli/commands/train-text.js';
import { loadText, textSource, textTensors, type TextData } from '../../src/cli/data/text.js';
import { parseLayers } from '../../src/cli/layers-grammar.js';
import { fit, Network, Tensor, Vocabulary } from '../../src/index.js';
import { saveModelFiles } from '../../src/node/model-files.js';
import { cli, lastJson } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'layerwise-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** history.csv's train_cost column. */
function trainCosts(run: string): number[] {
  return readFileSync(join(run, 'history.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => Number(l.split(',')[1]));
}

describe('language model: train --data words:, sample', () => {
  const words = join(dir, 'names.txt');
  const run = join(dir, 'lm');
  let V = 0;

  beforeAll(async () => {
    const g = await cli(['generate', 'names', '--n', '400', '--out', words]);
    expect(g.code, g.stderr).toBe(0);
    V = new Set(readFileSync(words, 'utf8').replace(/\n/g, '')).size + 3; // the characters, the end '\n', the start and the pad
  }, 30_000);

  it('trains an LSTM whose loss falls well below a uniform guess, printing samples', async () => {
    const r = await cli(['train', '--data', `words:${words}`, '--layers', 'lstm32', '--task', 'language-model', '--epochs', '8', '--sample-every', '4', '--out', run, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`data: 400 words from ${words}`);
    expect(r.stderr).toContain('lstm32: returns every step (the softmax at every step after it reads a sequence)');
    expect(r.stderr).toContain(`characters + end + start + pad (V = ${V})`);
    expect(r.stderr).toContain("padding: the steps after each word's end are masked (all-zero one-hot vectors, a masking layer first); x<1> is the start token");
    expect(r.stderr.match(/ {2}samples: /g)?.length).toBe(3); // after epochs 1, 4 and 8
    const costs = trainCosts(run);
    expect(costs).toHaveLength(8);
    // The cost is per real character (padded steps masked): a uniform softmax over V costs ln V (3.58 for V = 36);
    // measured (wasm, seed 1): 3.53 after epoch 1, 2.72 after epoch 8. Training must do much better and keep falling.
    expect(costs[7]!).toBeLessThan(Math.log(V) - 0.6);
    expect(costs[7]!).toBeLessThan(costs[0]! - 0.5);
    const j = lastJson(r) as { task: string; train: { charAccuracy: number } };
    expect(j.task).toBe('language-model');
    expect(j.train.charAccuracy).toBeGreaterThan(1 / V);
  }, 40_000);

  it('inspect names the start token among the vocabulary', async () => {
    const r = await cli(['inspect', '--model', join(run, 'model')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`vocabulary V = ${V} (pad, start, ${V - 2} characters:`);
  });

  it('sample prints n words, the same twice for one seed, others for another seed', async () => {
    const model = join(run, 'model');
    const [a, b, c, short, ins] = await Promise.all([
      cli(['sample', '--model', model, '--n', '10', '--seed', '1']),
      cli(['sample', '--model', model, '--n', '10', '--seed', '1']),
      cli(['sample', '--model', model, '--n', '10', '--seed', '2']),
      cli(['sample', '--model', model, '--n', '5', '--seed', '1', '--max-length', '3', '--temperature', '0.5']),
      cli(['inspect', '--model', model]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout.split('\n').slice(0, -1)).toHaveLength(10);
    expect(b.stdout).toBe(a.stdout);
    expect(c.stdout).not.toBe(a.stdout);
    const chars = new Set(readFileSync(words, 'utf8'));
    for (const ch of a.stdout) expect(chars.has(ch)).toBe(true);
    expect(short.stdout.split('\n').slice(0, -1).every((w) => [...w].length <= 3)).toBe(true);
    expect(ins.stdout).toContain('task: language-model');
    expect(ins.stdout).toMatch(/masking 0\s+\(\d+, m, \d+\)\s+0\n\s*lstm 32 seq\s+\(32, m, \d+\)/);
    const manifest = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8')) as { text: { vocabulary: { start?: boolean } } };
    expect(manifest.text.vocabulary.start).toBe(true);
  }, 30_000);

  it('refuses what a language model cannot do, by name', async () => {
    const model = join(run, 'model');
    writeFileSync(join(dir, 'x.csv'), 'a,b\n1,2\n');
    const [long, tr, p, ev, ex, bn, def] = await Promise.all([
      cli(['sample', '--model', model, '--max-length', '99']),
      cli(['translate', '--model', model, 'abc']),
      cli(['predict', '--model', model, '--data', join(dir, 'x.csv')]),
      cli(['evaluate', '--model', model, '--data', join(dir, 'x.csv')]),
      cli(['export', '--model', model, '--format', 'onnx', '--out', join(dir, 'lm.onnx')]),
      cli(['train', '--data', `words:${words}`, '--layers', 'lstm8', '--batch-norm', '--out', join(dir, 'bn')]),
      cli(['train', '--data', `words:${words}`, '--epochs', '1', '--out', join(dir, 'default'), '--json']),
    ]);
    expect(def.code, def.stderr).toBe(0);
    expect(def.stderr).toContain('layers: lstm64 (the default for words: data; --layers to choose)');
    expect(bn.stderr).toContain('layerwise: error: --batch-norm: not used with text data (--data words:<file>); omit it');
    expect(long.stderr).toMatch(/layerwise: error: --max-length: the model reads at most T = \d+ steps \(its longest training word \+ 1\), got 99/);
    expect(tr.stderr).toContain(`layerwise: error: --model ${model}: a language model, not a translation model; use \`layerwise sample --model ${model}\``);
    expect(p.stderr).toContain(`layerwise: error: --model ${model}: a language model (trained on text); predict reads tables and images: use layerwise sample --model ${model} --n 10`);
    expect(ev.stderr).toContain(`layerwise: error: --model ${model}: a language model (trained on text); evaluate reads tables and images: use layerwise sample --model ${model} --n 10`);
    expect(ex.stderr).toContain('layerwise: error: --format onnx: net: a sequence network (masking, lstm, timeDistributed) cannot be exported to ONNX yet');
  }, 30_000);
});

describe('language model: padded steps are masked, so the cost is per real character', () => {
  // 'ab', 'ba', 'abba': V = 5 (pad 0, start 1, '\n' 2, a 3, b 4), T = 5; real steps 3 + 3 + 5 = 11 of 15.
  const file = join(dir, 'tiny.txt');
  writeFileSync(file, 'ab\nba\nabba\n');
  const d = loadText({ kind: 'words', file });
  const layers = ['lstm4', 'rnn4', 'emb3,gru4', 'emb4,pos,enc2x4'];
  const build = (data: TextData, l: string): { net: Network; X: Tensor; Y: Tensor } => {
    const plan = textNetworkSpecs(parseLayers('--layers')(l), data);
    const net = new Network({ inputShape: { sequence: [plan.indices ? 1 : data.vocabulary.size, data.sourceLength] }, layers: plan.specs, seed: 3, dtype: 'float64' });
    const { X, Y } = textTensors(data, [0, 1, 2], plan.indices);
    return { net, X: new Tensor(X.shape, Float64Array.from(X.data)), Y: new Tensor(Y.shape, Float64Array.from(Y.data)) };
  };

  it('encodes x<1> as the start token and the steps after the end as pads', () => {
    expect(d.vocabulary.size).toBe(5);
    expect(d.sourceLength).toBe(5);
    const { X, Y } = textTensors(d, [0, 2], true);
    // x: start, a, b, pad, pad | start, a, b, b, a; y: a, b, end, pad, pad | a, b, b, a, end.
    expect([...X.data]).toEqual([1, 3, 4, 0, 0, 1, 3, 4, 4, 3]);
    const y = Array.from({ length: 2 }, (_, j) => Array.from({ length: 5 }, (_, t) => [0, 1, 2, 3, 4].find((k) => Y.data[(k * 2 + j) * 5 + t] === 1)));
    expect(y).toEqual([[3, 4, 2, 0, 0], [3, 4, 4, 3, 2]]);
    // One-hot inputs: the pads are all-zero columns (what the masking layer marks), the start a 1 in row 1.
    const O = textTensors(d, [0], false).X;
    const column = (t: number) => [0, 1, 2, 3, 4].map((k) => O.data[k * 5 + t]);
    expect([column(0), column(3), column(4)]).toEqual([[0, 1, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]);
  });

  it.each(layers)('%s: a softmax that favours the pad costs ln(e^B + V - 1) per real character, not less', (l) => {
    const { net, X, Y } = build(d, l);
    // The output layer's W = 0 and b = (B, 0, 0, 0, 0): every step predicts p(pad) = e^B / (e^B + 4), p(k) = 1 / (e^B + 4).
    const [W, b] = Object.keys(net.parameters).slice(-2);
    expect([W![0], b![0]]).toEqual(['W', 'b']);
    const B = 3;
    net.parameters[W!]!.data.fill(0);
    net.parameters[b!]!.data.set([B, 0, 0, 0, 0]);
    // The 11 real targets are characters or the end, never the pad: each costs ln(e^B + 4).
    const perReal = Math.log(Math.exp(B) + 4);
    expect(net.cost(X, Y)).toBeCloseTo(perReal, 12);
    expect(textScores(net, X, Y).cost).toBeCloseTo(perReal, 12);
    // Counting the 4 padded steps (cost ln(e^B + 4) - B each) would give perReal - 4B/15, 0.8 less.
    expect(net.cost(X, Y) - (perReal - (4 * B) / 15)).toBeGreaterThan(0.79);
  });

  it('an older model (no start token, x<1> the pad, no masking) still samples, the same names for one seed', async () => {
    const vocab = Vocabulary.fromStrings(['ab'], { extra: ['\n'] }); // pad, '\n', a, b
    const net = new Network({ inputShape: { sequence: [4, 5] }, layers: [{ type: 'lstm', units: 4, returnSequences: true }, { type: 'timeDistributed', units: 4, activation: 'softmax' }], seed: 2 });
    const model = join(dir, 'old-lm');
    const text = { task: 'language-model' as const, vocabulary: vocab.toJSON() as { chars: string[]; unknown: boolean }, sourceLength: 5, targetLength: 5, indices: false };
    saveModelFiles(model, net, { metadata: { data: 'words:old.txt', task: 'language-model' }, text }, false);
    expect(JSON.parse(readFileSync(join(model, 'model.json'), 'utf8')).text.vocabulary).toEqual({ chars: ['\n', 'a', 'b'], unknown: false });
    const [a, b] = await Promise.all([cli(['sample', '--model', model, '--n', '8', '--seed', '3']), cli(['sample', '--model', model, '--n', '8', '--seed', '3'])]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout.split('\n').slice(0, -1)).toHaveLength(8);
    expect(a.stdout).toMatch(/^([ab]*\n){8}$/);
    expect(b.stdout).toBe(a.stdout);
  }, 30_000);

  it.each(layers)('%s: padding the same words to a longer T changes neither the cost nor one epoch of training', (l) => {
    const short = build(d, l);
    const long = build({ ...d, sourceLength: 9, targetLength: 9 }, l);
    expect(long.X.shape[2]).toBe(9);
    expect(long.net.cost(long.X, long.Y)).toBeCloseTo(short.net.cost(short.X, short.Y), 10);
    const train = (r: typeof short) => fit(r.net, r.X, r.Y, { learningRate: 0.05, epochs: 2, batchSize: 2, optimizer: 'adam', clipValue: 5 }).epochs.map((e) => e.cost);
    const [a, c] = [train(short), train(long)];
    expect(a[1]).toBeLessThan(a[0]!);
    expect(c[0]).toBeCloseTo(a[0]!, 9);
    expect(c[1]).toBeCloseTo(a[1]!, 9);
    expect(long.net.cost(long.X, long.Y)).toBeCloseTo(short.net.cost(short.X, short.Y), 9);
  });
});

describe('translation: generate dates, train --data pairs: with attention, translate', () => {
  const dates = join(dir, 'dates.tsv');
  const run = join(dir, 'tr');

  it('learns to write dates as ISO dates; translate prints them and draws the attention maps', async () => {
    const g = await cli(['generate', 'dates', '--n', '1500', '--seed', '2', '--out', dates]);
    expect(g.code, g.stderr).toBe(0);
    expect(readFileSync(dates, 'utf8').split('\n')[0]).toMatch(/^[^\t]+\t\d{4}-\d{2}-\d{2}$/);
    const r = await cli(['train', '--data', `pairs:${dates}`, '--layers', 'lstm16/bi/seq,attn32', '--epochs', '10', '--batch-size', '32', '--out', run, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/T_y = 10/);
    const j = lastJson(r) as { dev: { charAccuracy: number; exactMatch: number } };
    // Measured (wasm, seed 1, the same twice): 0.98 of the 1,500 dev characters right, 0.83 of the 150 dates exact.
    expect(j.dev.charAccuracy).toBeGreaterThan(0.9);
    expect(j.dev.exactMatch).toBeGreaterThan(0.6);
    expect(readFileSync(join(run, 'report.html'), 'utf8')).toContain('Attention map');
    const t = await cli(['translate', '--model', join(run, 'model'), '3 may 1979', 'tuesday 27 february 1968', '--attention', join(dir, 'maps')]);
    expect(t.code, t.stderr).toBe(0);
    const lines = t.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^.+ -> \d{4}-\d{2}-\d{2}$/);
    expect(readFileSync(join(dir, 'maps', 'attention-2.svg'), 'utf8')).toMatch(/^<svg/);
  }, 60_000);

  it('refuses characters outside the vocabulary, inputs too long or empty, and malformed pairs files', async () => {
    const model = join(run, 'model');
    const inputs = join(dir, 'inputs.txt');
    writeFileSync(inputs, '5 april 09\r\n\nsaturday 9 may 2018\n');
    const [oov, long, empty, sample, f, g, file, ins] = await Promise.all([
      cli(['translate', '--model', model, '3 may 1979!']),
      cli(['translate', '--model', model, 'x'.repeat(80)]),
      cli(['translate', '--model', model, '']),
      cli(['sample', '--model', model]),
      cli(['train', '--data', 'moons', '--layers', 'lstm8', '--out', join(dir, 'f')]),
      cli(['train', '--data', `pairs:${dates}`, '--task', 'language-model', '--layers', 'lstm8', '--out', join(dir, 'g')]),
      cli(['translate', '--model', model, '--input', inputs, '--json']),
      cli(['inspect', '--model', model]),
    ]);
    const out = JSON.parse(file.stdout) as { input: string; output: string }[];
    expect(out.map((o) => o.input)).toEqual(['5 april 09', 'saturday 9 may 2018']);
    for (const o of out) expect(o.output).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(ins.stdout).toContain('task: translation');
    expect(ins.stdout).toContain('output: T_y = 10; vocabulary V = 12 (pad, 11 characters: "-0123456789")');
    expect(ins.stdout).toMatch(/attention T_y=10 n_s=32/);
    expect(oov.stderr).toContain('layerwise: error: translate: input 1 "3 may 1979!": character "!" at position 11 is not in the model\'s vocabulary');
    expect(long.stderr).toMatch(/layerwise: error: translate: input 1 "x+": 80 characters; the model reads at most T_x = \d+/);
    expect(empty.stderr).toMatch(/layerwise: error: translate: input 1 is empty; expected 1 to \d+ characters/);
    expect(sample.stderr).toContain(`layerwise: error: --model ${model}: a translation model, not a language model; use \`layerwise translate --model ${model} "<text>"\``);
    expect(f.stderr).toContain('layerwise: error: --layers: sequence layers (rnn, gru, lstm, emb, attn, enc, pos) read text: use --data words:<file> or pairs:<file>, got --data moons');
    expect(g.stderr).toContain('layerwise: error: --task language-model: --data pairs:<file> trains a translation model; use --task translation (or omit --task)');
  }, 60_000);

  it('names the file, line and column of a malformed words or pairs file', async () => {
    const bad = (name: string, text: string) => {
      const f = join(dir, name);
      writeFileSync(f, text);
      return f;
    };
    const noTab = bad('notab.tsv', '3 may 1979\t1979-05-03\n4 june 1980 1980-06-04\n');
    const a = await cli(['train', '--data', `pairs:${noTab}`, '--layers', 'lstm8,attn', '--out', join(dir, 'a')]);
    expect(a.stderr).toContain(`layerwise: error: --data pairs:${noTab}: line 2, column 23: expected source<TAB>target, found no tab in "4 june 1980 1980-06-04"`);
    expect(existsSync(join(dir, 'a'))).toBe(false);
    // The same checks, in process (each message is what the CLI prints after "layerwise: error: ").
    const load = (data: string) => () => loadText(textSource(data)!);
    expect(load(`pairs:${bad('nosource.tsv', '\t1979-05-03\n')}`)).toThrow(`--data pairs:${join(dir, 'nosource.tsv')}: line 1, column 1: an empty source before the tab`);
    expect(load(`pairs:${bad('notarget.tsv', 'ab\tc\n\nabc\t \n')}`)).toThrow(`--data pairs:${join(dir, 'notarget.tsv')}: line 3, column 5: an empty target after the tab`);
    expect(load(`pairs:${bad('twotabs.tsv', 'a\tb\tc\n')}`)).toThrow(`--data pairs:${join(dir, 'twotabs.tsv')}: line 1, column 4: a second tab; expected exactly one, between source and target`);
    expect(load(`words:${bad('empty.txt', '\n \n')}`)).toThrow(`--data words:${join(dir, 'empty.txt')}: the file is empty (or only blank lines); expected one word per line`);
    expect(load(`words:${bad('tabbed.txt', 'ab\ncd\tef\n')}`)).toThrow(`--data words:${join(dir, 'tabbed.txt')}: line 2, column 3: a tab; expected one word per line (for source<TAB>target pairs use --data pairs:`);
    expect(load(`words:${join(dir, 'missing.txt')}`)).toThrow(`--data words:${join(dir, 'missing.txt')}: no such file`);
    expect(load(`words:${dir}`)).toThrow(`--data words:${dir}: expected a text file, got a folder`);
    expect(() => textSource('pairs:')).toThrow('--data pairs:: expected a file after "pairs:", e.g. --data pairs:dates.tsv');
    expect(textSource('mnist')).toBeNull();
  }, 60_000);
});

describe('textScores', () => {
  it('scores characters without the pads, whole targets with them, and the cost per step', () => {
    // W = 0, b = (0, 5, 0): index 1 at every step, p(1) = e^5 / (e^5 + 2), p(0) = p(2) = 1 / (e^5 + 2).
    const net = new Network({ inputShape: { sequence: [2, 3] }, layers: [{ type: 'lstm', units: 2, returnSequences: true }, { type: 'timeDistributed', units: 3, activation: 'softmax' }], dtype: 'float64' });
    net.parameters.W2!.data.fill(0);
    net.parameters.b2!.data.set([0, 5, 0]);
    // Targets (3, m = 2, T = 3): example 0 is (1, 1, pad), example 1 is (1, 2, pad).
    const Y = new Tensor([3, 2, 3], new Float64Array(18));
    const set = (k: number, j: number, t: number) => (Y.data[(k * 2 + j) * 3 + t] = 1);
    [[1, 1, 0], [1, 2, 0]].forEach((ys, j) => ys.forEach((k, t) => set(k, j, t)));
    const s = textScores(net, new Tensor([2, 2, 3], new Float64Array(12)), Y);
    // Characters: 1, 1 | 1, 2 -> 3 of 4 right; exact: both examples miss the pad step (predicted 1).
    expect(s.charAccuracy).toBe(0.75);
    expect(s.exactMatch).toBe(0);
    // 3 steps cost ln(1 + 2e^-5), 3 cost ln(e^5 + 2): the mean over 6 is their average.
    expect(s.cost).toBeCloseTo((Math.log(1 + 2 * Math.exp(-5)) + Math.log(Math.exp(5) + 2)) / 2, 10);
    expect(s.examples).toBe(2);
  });

  it('leaves the padded steps out of both scores when the network masks them (a language model)', () => {
    // The same outputs (index 1 everywhere) behind a masking layer; X's last step is padding (all zeros) in both examples.
    const net = new Network({
      inputShape: { sequence: [2, 3] },
      layers: [{ type: 'masking' }, { type: 'lstm', units: 2, returnSequences: true }, { type: 'timeDistributed', units: 3, activation: 'softmax' }],
      dtype: 'float64',
    });
    net.parameters.W2!.data.fill(0);
    net.parameters.b2!.data.set([0, 5, 0]);
    const X = new Tensor([2, 2, 3], new Float64Array([1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0]));
    const Y = new Tensor([3, 2, 3], new Float64Array(18));
    const set = (k: number, j: number, t: number) => (Y.data[(k * 2 + j) * 3 + t] = 1);
    [[1, 1, 0], [1, 2, 0]].forEach((ys, j) => ys.forEach((k, t) => set(k, j, t)));
    const s = textScores(net, X, Y);
    // Characters 3 of 4 as before; exact: example 0 is right on its real steps, example 1 is not.
    expect(s.charAccuracy).toBe(0.75);
    expect(s.exactMatch).toBe(0.5);
  });
});
