/**
 * `layerwise translate`: the outputs of a trained translation model
 * (`layerwise train --data pairs:<file>`) for texts given as arguments or one
 * per line of `--input`, with each input's attention map as SVG (`--attention`)
 * when the network has an attention layer.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vocabulary } from '../../data/text.js';
import { writeFileAtomic } from '../../node/files.js';
import { CliError } from '../errors.js';
import { encodeSources, requireTextModel } from '../data/text.js';
import { attentionSvg, decodeSteps } from './train-text.js';
import type { Io } from './train.js';

/** translate's options after parsing. */
export interface TranslateOptions {
  model: string;
  input?: string;
  attention?: string;
  json: boolean;
}

/** The inputs: the arguments, or the non-blank lines of --input (not both). */
function inputsOf(texts: readonly string[], input: string | undefined): string[] {
  if (input !== undefined && texts.length > 0) throw new CliError('--input: give the texts as arguments or in a file, not both');
  if (input === undefined) {
    if (texts.length === 0) throw new CliError('translate: expected texts to translate (e.g. layerwise translate --model run/model "3 may 1979") or --input <file>');
    return [...texts];
  }
  const lines = readFileSync(input, 'utf8')
    .split('\n')
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
    .filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new CliError(`--input ${input}: the file is empty; expected one text per line`);
  return lines;
}

/** Runs `layerwise translate`; returns the exit code. */
export async function translateCommand(texts: readonly string[], o: TranslateOptions, io: Io): Promise<number> {
  const { network, text } = requireTextModel(o.model, 'translation', 'translate');
  const inputs = inputsOf(texts, o.input);
  const X = encodeSources(inputs, text, o.input === undefined ? 'translate' : `--input ${o.input}`);
  const target = Vocabulary.fromJSON(text.targetVocabulary!);
  const steps = decodeSteps(network, X);
  const outputs = steps.map((s) => target.decode(s));
  const maps: string[] = [];
  if (o.attention !== undefined) {
    mkdirSync(o.attention, { recursive: true });
    inputs.forEach((src, j) => {
      const svg = attentionSvg(network, encodeSources([src], text, 'translate'), src, steps[j]!, target);
      if (svg === null) throw new CliError(`--attention: the model has no attention layer (train with attn in --layers, e.g. lstm32/bi/seq,attn64)`);
      const file = join(o.attention!, `attention-${j + 1}.svg`);
      writeFileAtomic(file, svg);
      maps.push(file);
    });
  }
  if (o.json) io.out(JSON.stringify(inputs.map((src, j) => ({ input: src, output: outputs[j], ...(maps[j] ? { attention: maps[j] } : {}) }))));
  else {
    inputs.forEach((src, j) => io.out(`${src} -> ${outputs[j]}`));
    if (maps.length > 0) io.err(`wrote ${maps.length} attention map${maps.length === 1 ? '' : 's'} to ${o.attention}`);
  }
  return 0;
}
