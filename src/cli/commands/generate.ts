/**
 * `layerwise generate dates`: a pairs file for `train --data pairs:<file>`,
 * human-readable dates and their ISO form (the course's date translation
 * data), one `source<TAB>target` per line, seeded.
 */
import { existsSync } from 'node:fs';
import { generateDates } from '../../data/dates.js';
import { writeFileAtomic } from '../../node/files.js';
import { CliError } from '../errors.js';
import type { Io } from './train.js';

/** The data sets `generate` makes. */
export const GENERATED = ['dates'] as const;

/** generate's options after parsing. */
export interface GenerateOptions {
  n: number;
  seed: number;
  out: string;
  force?: boolean;
}

/** Runs `layerwise generate <what>`; returns the exit code. */
export async function generateCommand(what: string, o: GenerateOptions, io: Io): Promise<number> {
  if (!(GENERATED as readonly string[]).includes(what)) throw new CliError(`generate: expected one of ${GENERATED.join(', ')}, got "${what}"`);
  if (existsSync(o.out) && !o.force) throw new CliError(`--out: ${o.out} already exists; pass --force to replace it`);
  const pairs = generateDates(o.n, { seed: o.seed });
  if (pairs.some((p) => p.source.includes('\t') || p.source.includes('\n'))) throw new CliError('generate dates: a source holds a tab or a line break');
  writeFileAtomic(o.out, pairs.map((p) => `${p.source}\t${p.target}`).join('\n') + '\n');
  io.err(`wrote ${pairs.length} date pairs to ${o.out} (seed ${o.seed}), e.g. ${JSON.stringify(pairs[0]!.source)} -> ${pairs[0]!.target}`);
  return 0;
}
