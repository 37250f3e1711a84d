/**
 * `layerwise generate <what>`: data files for the text commands. `dates`: a
 * pairs file for `train --data pairs:<file>`, human-readable dates and their
 * ISO form (the course's date translation data), one `source<TAB>target` per
 * line, seeded. `names`: a words file for `train --data words:<file>`, the
 * 1,025 English Pokémon names of the npm package "pokemon" (MIT, Sindre
 * Sorhus), lower-cased as the course lower-cases its dinosaur names.
 */
import { existsSync } from 'node:fs';
import { generateDates } from '../../data/dates.js';
import { writeFileAtomic } from '../../node/files.js';
import { CliError } from '../errors.js';
import type { Io } from './train.js';

/** Date pairs written when --n is not given. */
export const DEFAULT_DATES = 10_000;

/** The data sets `generate` makes. */
export const GENERATED = ['dates', 'names'] as const;

/** generate's options after parsing. */
export interface GenerateOptions {
  /** How many examples (default: 10,000 dates; every name). */
  n?: number;
  seed: number;
  out: string;
  force?: boolean;
}

/** Runs `layerwise generate <what>`; returns the exit code. */
export async function generateCommand(what: string, o: GenerateOptions, io: Io): Promise<number> {
  if (!(GENERATED as readonly string[]).includes(what)) throw new CliError(`generate: expected one of ${GENERATED.join(', ')}, got "${what}"`);
  if (existsSync(o.out) && !o.force) throw new CliError(`--out: ${o.out} already exists; pass --force to replace it`);
  if (what === 'names') {
    const { default: pokemon } = await import('pokemon');
    const names = pokemon.all('en').map((n) => n.toLowerCase());
    const count = o.n === undefined ? names.length : Math.min(o.n, names.length);
    writeFileAtomic(o.out, names.slice(0, count).join('\n') + '\n');
    io.err(`wrote ${count} names to ${o.out} (the English Pokémon names of the npm package "pokemon", MIT), e.g. ${names.slice(0, 3).join(', ')}`);
    return 0;
  }
  const pairs = generateDates(o.n ?? DEFAULT_DATES, { seed: o.seed });
  writeFileAtomic(o.out, pairs.map((p) => `${p.source}\t${p.target}`).join('\n') + '\n');
  io.err(`wrote ${pairs.length} date pairs to ${o.out} (seed ${o.seed}), e.g. ${JSON.stringify(pairs[0]!.source)} -> ${pairs[0]!.target}`);
  return 0;
}
