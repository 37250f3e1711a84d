/**
 * `layerwise sample`: words drawn from a trained character-level language
 * model (`layerwise train --data words:<file>`), one per line; the same seed
 * prints the same words.
 */
import { Vocabulary } from '../../data/text.js';
import { sampleText } from '../../nn/generate.js';
import { CliError } from '../errors.js';
import { requireTextModel } from '../data/text.js';
import type { Io } from './train.js';

/** sample's options after parsing. */
export interface SampleCommandOptions {
  model: string;
  n: number;
  seed: number;
  temperature: number;
  maxLength?: number;
}

/** Runs `layerwise sample`; returns the exit code. */
export async function sampleCommand(o: SampleCommandOptions, io: Io): Promise<number> {
  const { network, text } = requireTextModel(o.model, 'language-model', 'sample');
  const T = text.sourceLength;
  if (o.maxLength !== undefined && o.maxLength > T) throw new CliError(`--max-length: the model reads at most T = ${T} steps (its longest training word + 1), got ${o.maxLength}`);
  const vocab = Vocabulary.fromJSON(text.vocabulary);
  const words = sampleText(network, vocab, { seed: o.seed, n: o.n, temperature: o.temperature, ...(o.maxLength !== undefined ? { maxLength: o.maxLength } : {}) });
  for (const w of words) io.out(w);
  return 0;
}
