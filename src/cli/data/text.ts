/**
 * Text data for the CLI (course 5): `--data words:<file>`, one word or name per
 * line, for a character-level language model (the course's Dinosaurus Island),
 * and `--data pairs:<file>`, one `source<TAB>target` per line, for translation
 * (the course's human-readable dates to ISO dates). Each file becomes
 * vocabularies and the tensors a sequence network trains on; a malformed line
 * is refused with the file, line and column.
 */
import { readFileSync, statSync } from 'node:fs';
import { indicesTensor, oneHotTensor, PAD_INDEX, Vocabulary } from '../../data/text.js';
import type { ModelManifest, TextModelInfo } from '../../io/model-format.js';
import type { Network } from '../../nn/network.js';
import { loadModel } from '../../node/model-files.js';
import { ValueError } from '../../tensor/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { CliError } from '../errors.js';

/** The end of a word in a language model's vocabulary (the course's '\n'). */
export const END = '\n';

/** A `--data` value that names text: the kind and the file. */
export interface TextSource {
  kind: 'words' | 'pairs';
  file: string;
}

/** `words:<file>` or `pairs:<file>` as a source, or null for any other `--data`. */
export function textSource(data: string): TextSource | null {
  const m = /^(words|pairs):(.*)$/s.exec(data);
  if (!m) return null;
  if (m[2] === '') throw new CliError(`--data ${data}: expected a file after "${m[1]}:", e.g. --data ${m[1]}:${m[1] === 'words' ? 'names.txt' : 'dates.tsv'}`);
  return { kind: m[1] as 'words' | 'pairs', file: m[2]! };
}

/** A text data set: the examples, the vocabularies, and how the network reads and writes them. */
export interface TextData {
  task: TextModelInfo['task'];
  /** The inputs (a language model's words; a translation's sources) and outputs (its targets; the words again). */
  sources: string[];
  targets: string[];
  vocabulary: Vocabulary;
  /** The output's vocabulary (a language model's is `vocabulary`). */
  targetVocabulary: Vocabulary;
  /** T_x and T_y. */
  sourceLength: number;
  targetLength: number;
  /** Notes for the run's log. */
  notes: string[];
}

/** Reads a words: or pairs: file. */
export function loadText(source: TextSource): TextData {
  const lines = readLines(source);
  return source.kind === 'words' ? wordsData(source, lines) : pairsData(source, lines);
}

/** The file's lines as [line number, text], blank lines skipped; refuses a missing, empty or binary file. */
function readLines(source: TextSource): [number, string][] {
  const name = `${source.kind}:${source.file}`;
  let st;
  try {
    st = statSync(source.file);
  } catch {
    throw new CliError(`--data ${name}: no such file`);
  }
  if (!st.isFile()) throw new CliError(`--data ${name}: expected a text file, got a folder or another kind of file`);
  const text = readFileSync(source.file, 'utf8');
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const line = text.slice(0, nul).split('\n').length;
    throw new CliError(`--data ${name}: line ${line}: a NUL byte; expected UTF-8 text (is this a binary file?)`);
  }
  const lines: [number, string][] = [];
  text.split('\n').forEach((l, i) => {
    const s = l.endsWith('\r') ? l.slice(0, -1) : l;
    if (s.trim() !== '') lines.push([i + 1, s]);
  });
  if (lines.length === 0) {
    const what = source.kind === 'words' ? 'one word per line' : 'one source<TAB>target pair per line';
    throw new CliError(`--data ${name}: the file is empty (or only blank lines); expected ${what}`);
  }
  return lines;
}

function wordsData(source: TextSource, lines: [number, string][]): TextData {
  const name = `${source.kind}:${source.file}`;
  const words = lines.map(([n, w]) => {
    const at = [...w].indexOf('\t');
    if (at >= 0) throw new CliError(`--data ${name}: line ${n}, column ${at + 1}: a tab; expected one word per line (for source<TAB>target pairs use --data pairs:${source.file})`);
    return w.trim();
  });
  const vocabulary = Vocabulary.fromStrings(words, { extra: [END], start: true });
  const longest = Math.max(...words.map((w) => [...w].length));
  // x<1> is the start token and y<t> = x<t+1>; the last target is the end token: T = the longest word + 1.
  const T = longest + 1;
  return {
    task: 'language-model',
    sources: words,
    targets: words,
    vocabulary,
    targetVocabulary: vocabulary,
    sourceLength: T,
    targetLength: T,
    notes: [
      `data: ${words.length} words from ${source.file}, ${vocabulary.chars.length - 1} characters + end + start + pad (V = ${vocabulary.size}), T = ${T} (the longest word, ${longest}, + its end); ` +
        'the steps after a word\'s end are padding, masked: the cost is per real character',
    ],
  };
}

function pairsData(source: TextSource, lines: [number, string][]): TextData {
  const name = `${source.kind}:${source.file}`;
  const sources: string[] = [];
  const targets: string[] = [];
  for (const [n, l] of lines) {
    const chars = [...l];
    const tab = chars.indexOf('\t');
    if (tab < 0) throw new CliError(`--data ${name}: line ${n}, column ${chars.length + 1}: expected source<TAB>target, found no tab in ${JSON.stringify(l)}`);
    const second = chars.indexOf('\t', tab + 1);
    if (second >= 0) throw new CliError(`--data ${name}: line ${n}, column ${second + 1}: a second tab; expected exactly one, between source and target`);
    const [s, t] = [chars.slice(0, tab).join(''), chars.slice(tab + 1).join('')];
    if (s.trim() === '') throw new CliError(`--data ${name}: line ${n}, column 1: an empty source before the tab`);
    if (t.trim() === '') throw new CliError(`--data ${name}: line ${n}, column ${tab + 2}: an empty target after the tab`);
    sources.push(s);
    targets.push(t);
  }
  const vocabulary = Vocabulary.fromStrings(sources);
  const targetVocabulary = Vocabulary.fromStrings(targets);
  const Tx = Math.max(...sources.map((s) => [...s].length));
  const Ty = Math.max(...targets.map((t) => [...t].length));
  const shortest = Math.min(...targets.map((t) => [...t].length));
  const notes = [`data: ${sources.length} pairs from ${source.file}; source: ${vocabulary.chars.length} characters (V = ${vocabulary.size} with the pad), T_x = ${Tx}; target: ${targetVocabulary.chars.length} characters (V = ${targetVocabulary.size}), T_y = ${Ty}`];
  if (shortest !== Ty) notes.push(`targets: ${shortest} to ${Ty} characters; shorter ones are padded with the pad token, which the model learns to output after the end`);
  return { task: 'translation', sources, targets, vocabulary, targetVocabulary, sourceLength: Tx, targetLength: Ty, notes };
}

/**
 * Whether a data set's padded steps are masked: a language model whose vocabulary has a start token
 * (x<1> is then not the pad, so the network can mark every pad as padding: an embedding with
 * maskZero, or a masking layer over one-hot inputs whose pads are all-zero vectors).
 */
export function masksPadding(d: Pick<TextData, 'task' | 'vocabulary'>): boolean {
  return d.task === 'language-model' && d.vocabulary.startIndex !== null;
}

/** The index rows a language model trains on: x = (start, c1, ..., c_n, pad, ...), y = (c1, ..., c_n, end, pad, ...). */
function languageModelRows(words: readonly string[], vocab: Vocabulary, T: number): { x: Int32Array[]; y: Int32Array[] } {
  const x: Int32Array[] = [];
  const y: Int32Array[] = [];
  const start = vocab.startIndex;
  if (start === null) throw new ValueError('languageModelRows: vocab: expected a vocabulary with a start token (x<1>), got none');
  for (const w of words) {
    const yr = new Int32Array(T);
    yr.set(vocab.encode(w + END));
    const xr = new Int32Array(T);
    xr[0] = start;
    xr.set(yr.subarray(0, T - 1), 1);
    // The end is a target only: the step after it is padding, as are the rest.
    const n = [...w].length;
    if (n + 1 < T) xr[n + 1] = PAD_INDEX;
    x.push(xr);
    y.push(yr);
  }
  return { x, y };
}

/** X and Y of examples `idx` of the data: X indices (1, m, T_x) or one-hot (V, m, T_x); Y one-hot (V_y, m, T_y). */
export function textTensors(d: TextData, idx: readonly number[], indices: boolean): { X: Tensor; Y: Tensor } {
  const pick = <T>(xs: readonly T[]) => idx.map((i) => xs[i]!);
  let x: Int32Array[];
  let y: Int32Array[];
  if (d.task === 'language-model') ({ x, y } = languageModelRows(pick(d.sources), d.vocabulary, d.sourceLength));
  else {
    const rows = (ss: readonly string[], v: Vocabulary, T: number) =>
      ss.map((s) => {
        const r = new Int32Array(T);
        r.set(v.encode(s));
        return r;
      });
    x = rows(pick(d.sources), d.vocabulary, d.sourceLength);
    y = rows(pick(d.targets), d.targetVocabulary, d.targetLength);
  }
  // Masked one-hot inputs pad with all-zero vectors (what the masking layer marks); Y keeps the pad's 1 in row 0.
  const X = indices ? indicesTensor(x, d.sourceLength) : oneHotTensor(x, d.vocabulary.size, d.sourceLength, { zeroPads: masksPadding(d) });
  return { X, Y: oneHotTensor(y, d.targetVocabulary.size, d.targetLength) };
}

/** A translation model's inputs for new sources: each checked against the vocabulary and T_x, naming the input. */
export function encodeSources(inputs: readonly string[], info: TextModelInfo, where: string): Tensor {
  const vocab = Vocabulary.fromJSON(info.vocabulary);
  const rows = inputs.map((s, j) => {
    const chars = [...s];
    if (chars.length === 0) throw new CliError(`${where}: input ${j + 1} is empty; expected 1 to ${info.sourceLength} characters`);
    if (chars.length > info.sourceLength) {
      throw new CliError(`${where}: input ${j + 1} ${JSON.stringify(s)}: ${chars.length} characters; the model reads at most T_x = ${info.sourceLength}`);
    }
    const r = new Int32Array(info.sourceLength);
    chars.forEach((c, i) => {
      const k = vocab.indexOf(c);
      if (k === undefined) {
        throw new CliError(`${where}: input ${j + 1} ${JSON.stringify(s)}: character ${JSON.stringify(c)} at position ${i + 1} is not in the model's vocabulary (${JSON.stringify(vocab.chars.join(''))})`);
      }
      r[i] = k;
    });
    return r;
  });
  return info.indices ? indicesTensor(rows, info.sourceLength) : oneHotTensor(rows, vocab.size, info.sourceLength);
}

/** A text model folder: the network and its text facts (vocabularies, lengths, task). */
export interface LoadedTextModel {
  network: Network;
  text: TextModelInfo;
  manifest: ModelManifest;
  metadata: Record<string, unknown>;
}

/** Loads a model folder; null when it is not a text model (no manifest.text). Errors name `option`. */
export function loadTextModel(dir: string, option = '--model'): LoadedTextModel | null {
  let loaded;
  try {
    loaded = loadModel(dir);
  } catch (e) {
    if (e instanceof ValueError) throw new CliError(e.message.replace(/^loadModel: /, `${option}: `));
    throw e;
  }
  const text = loaded.manifest.text;
  if (!text) return null;
  return { network: loaded.network, text, manifest: loaded.manifest, metadata: loaded.metadata };
}

/** Loads a text model for a command that needs one of `task`, saying what to use otherwise. */
export function requireTextModel(dir: string, task: TextModelInfo['task'], command: string): LoadedTextModel {
  const m = loadTextModel(dir);
  if (!m) throw new CliError(`--model ${dir}: not a text model (it was not trained on --data words:<file> or pairs:<file>); \`layerwise ${command}\` needs ${task === 'language-model' ? 'a language model' : 'a translation model'}`);
  if (m.text.task !== task) {
    const use = m.text.task === 'language-model' ? `layerwise sample --model ${dir}` : `layerwise translate --model ${dir} "<text>"`;
    throw new CliError(`--model ${dir}: a ${m.text.task === 'language-model' ? 'language model' : 'translation model'}, not ${task === 'language-model' ? 'a language model' : 'a translation model'}; use \`${use}\``);
  }
  return m;
}
