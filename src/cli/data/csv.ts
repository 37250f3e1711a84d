/**
 * Streaming CSV loading with csv-parse: header row, numeric features (or
 * categorical ones, one-hot encoded with a note), a numeric or string target.
 * Column types are decided on the first rows, then every later row is checked
 * against them, so a stray word in a numeric column is an error that names
 * the file, the row and the column, not a silent NaN. Categories are collected
 * from every row. Fields are separated by commas unless `delimiter` says
 * otherwise; a header that is one field holding another usual delimiter (a
 * semicolon- or tab-separated file read as commas) is an error that says which
 * `--delimiter` to pass, and so is a column of decimal-comma numbers ("1,5").
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { parse } from 'csv-parse';
import { CliError } from '../errors.js';
import type { ColumnEncoding, Table, TargetColumn } from './table.js';

/** Options of {@link loadCsv}. */
export interface CsvOptions {
  /** The target column's name; default the last column; null for data without a target (predict). */
  target?: string | null;
  /** Use exactly these columns as features, with these encodings (predict must match training). */
  encodings?: readonly ColumnEncoding[];
  /** A target column to use if the header has it, and to ignore otherwise (predict). */
  targetIfPresent?: string;
  /** With targetIfPresent: the column is set apart from the features but its values are not read (predict needs none). */
  skipTargetValues?: boolean;
  /** The one character between fields; default ",". */
  delimiter?: string;
}

/** Delimiters a header may be split by, with how to ask for each on the command line. */
const DELIMITERS: readonly (readonly [string, string, string])[] = [
  [',', 'comma', "--delimiter ','"],
  [';', 'semicolon', "--delimiter ';'"],
  ['\t', 'tab', '--delimiter tab'],
  ['|', 'pipe', "--delimiter '|'"],
];

/** How `--delimiter` names a delimiter in messages. */
function delimiterName(d: string): string {
  return DELIMITERS.find(([c]) => c === d)?.[1] ?? `"${d}"`;
}

/**
 * Why a header of one field is probably split by the wrong delimiter (it holds
 * another usual delimiter, the most frequent one named), or null.
 */
export function wrongDelimiter(header: readonly string[], delimiter: string): string | null {
  if (header.length !== 1) return null;
  const field = header[0]!;
  let best: (typeof DELIMITERS)[number] | null = null;
  let bestCount = 0;
  for (const d of DELIMITERS) {
    if (d[0] === delimiter) continue;
    const count = field.split(d[0]).length - 1;
    if (count > bestCount) [best, bestCount] = [d, count];
  }
  if (!best) return null;
  const shown = field.length > 60 ? `${field.slice(0, 57)}...` : field;
  const got = `one column "${shown.replace(/\t/g, '\\t')}"`;
  return `header: expected ${delimiterName(delimiter)}-separated columns, got ${got}; the file looks ${best[1]}-separated: pass ${best[2]}`;
}

/** A number written with a decimal comma, like "1,5" or "-0,25" (with --delimiter ';' they reach us whole). */
const DECIMAL_COMMA = /^[+-]?(\d+,\d*|,\d+)$/;

/**
 * Whether the sniffed values of a column are numbers written with decimal
 * commas (every value an integer or a decimal-comma number, at least one of the latter).
 */
function decimalCommaColumn(values: readonly string[]): string | null {
  let example: string | null = null;
  for (const v of values) {
    if (DECIMAL_COMMA.test(v)) example ??= v;
    else if (!/^[+-]?\d+$/.test(v)) return null;
  }
  return example;
}

const SNIFF_ROWS = 1000;

/** More distinct values than this is an identifier or free text, not a category (each becomes a feature row). */
export const MAX_CATEGORIES = 1000;

// Number() also reads "0x10", "0b1", "Infinity" and "" (as 0): a CSV cell is numeric only in decimal notation.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function isNumber(s: string): boolean {
  return DECIMAL.test(s.trim());
}

/** A numeric cell as a float32 value, or why it is not one (to follow `row r, column "c": `). */
function parseNumber(raw: string, what: string): number | string {
  if (!isNumber(raw)) {
    const hint = Number.isNaN(Number(raw)) ? '' : ' (only decimal notation such as 2, -0.5 or 1e-3 is read)';
    const comma = DECIMAL_COMMA.test(raw.trim()) ? ` (a decimal comma? write ${raw.trim().replace(',', '.')})` : '';
    return `expected a number${what}, got "${raw}"${hint}${comma}`;
  }
  const v = Number(raw);
  // Features and targets are float32: a finite float64 such as 1e39 would become Infinity there.
  if (!Number.isFinite(Math.fround(v))) return `expected a number within float32 range (magnitude at most 3.4e38), got "${raw}"`;
  return v;
}

/** The distinct values of a categorical column, numbered in order of first appearance. */
type Categories = Map<string, number>;

class Growable {
  data: Float32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Float32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/**
 * Reads a CSV file into a {@link Table}.
 *
 * @example
 * ```ts
 * const table = await loadCsv('houses.csv', { target: 'price' });
 * ```
 */
export async function loadCsv(file: string, options: CsvOptions = {}): Promise<Table> {
  if (!existsSync(file)) throw new CliError(`${file}: no such file`);
  if (statSync(file).isDirectory()) throw new CliError(`${file}: expected a CSV file, got a folder`);
  if (statSync(file).size === 0) throw new CliError(`${file}: the file is empty (expected a header row and data rows)`);
  const delimiter = options.delimiter ?? ',';
  const parser = createReadStream(file).pipe(parse({ bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, delimiter }));
  let header: string[] | null = null;
  let targetIndex = -1;
  let featureIdx: number[] = [];
  let encodings: ColumnEncoding[] = [];
  const pending: string[][] = [];
  // One number per row and input column: the value of a numeric column, the category's number of a categorical one.
  let values: Growable | null = null;
  let categories: (Categories | null)[] = [];
  const targetNumeric: number[] = [];
  const targetLabels: string[] = [];
  let targetIsNumeric = true;
  let row = 1;
  const notes: string[] = [];

  /** A column of decimal-comma numbers would become categories (or class labels): refused, saying why. */
  const checkDecimalComma = (col: readonly string[], name: string) => {
    const example = decimalCommaColumn(col);
    if (example !== null) {
      const point = example.replace(',', '.');
      throw new CliError(`${file}: column "${name}": expected numbers with a decimal point, got decimal commas such as "${example}" (write ${point})`);
    }
  };

  const decide = () => {
    const h = header!;
    if (options.encodings) {
      encodings = [...options.encodings];
      featureIdx = encodings.map((e) => h.indexOf(e.name));
    } else {
      featureIdx = h.map((_, i) => i).filter((i) => i !== targetIndex);
      encodings = featureIdx.map((i) => {
        const col = pending.map((r) => r[i]!);
        const numeric = col.filter(isNumber).length;
        if (numeric * 2 >= col.length) return { kind: 'numeric', name: h[i]! } as const;
        checkDecimalComma(col, h[i]!);
        return { kind: 'oneHot', name: h[i]!, categories: [] } as const;
      });
    }
    categories = encodings.map((e) => (e.kind === 'numeric' ? null : new Map(e.categories.map((c, q) => [c, q]))));
    if (targetIndex >= 0) targetIsNumeric = pending.every((r) => isNumber(r[targetIndex]!));
    if (targetIndex >= 0 && !targetIsNumeric) checkDecimalComma(pending.map((r) => r[targetIndex]!), h[targetIndex]!);
    values = new Growable(Math.max(1024, pending.length * encodings.length * 4));
  };

  const categoryOf = (k: number, raw: string, rowNo: number): number => {
    const e = encodings[k]!;
    const known = categories[k]!;
    const c = known.get(raw);
    if (c !== undefined) return c;
    if (options.encodings) throw new CliError(`${file}: row ${rowNo}, column "${e.name}": "${raw}" is not one of the categories seen in training (${e.kind === 'oneHot' ? e.categories.join(', ') : ''})`);
    if (known.size === MAX_CATEGORIES) {
      throw new CliError(`${file}: row ${rowNo}, column "${e.name}": "${raw}" would be category ${MAX_CATEGORIES + 1}; expected at most ${MAX_CATEGORIES} distinct values in a categorical column (drop an identifier or free-text column)`);
    }
    known.set(raw, known.size);
    return known.size - 1;
  };

  const consume = (r: string[], rowNo: number) => {
    for (let k = 0; k < encodings.length; k++) {
      const e = encodings[k]!;
      const raw = r[featureIdx[k]!]!;
      if (raw === '') throw new CliError(`${file}: row ${rowNo}, column "${e.name}": missing value (empty cell)`);
      if (e.kind === 'numeric') {
        const v = parseNumber(raw, '');
        if (typeof v === 'string') throw new CliError(`${file}: row ${rowNo}, column "${e.name}": ${v}`);
        values!.push(v);
      } else values!.push(categoryOf(k, raw, rowNo));
    }
    if (targetIndex >= 0 && !options.skipTargetValues) {
      const t = r[targetIndex]!;
      if (t === '') throw new CliError(`${file}: row ${rowNo}, column "${header![targetIndex]}": missing target value (empty cell)`);
      if (targetIsNumeric) {
        const v = parseNumber(t, ' like the rows before it');
        if (typeof v === 'string') throw new CliError(`${file}: row ${rowNo}, column "${header![targetIndex]}": ${v}`);
        targetNumeric.push(v);
      } else targetLabels.push(t);
    }
  };

  // Records arrive as 'data' events (one await per record would cost more than parsing it).
  const onRecord = (rec: string[]): void => {
    if (!header) {
      header = rec;
      const wrong = wrongDelimiter(header, delimiter);
      if (wrong !== null) throw new CliError(`${file}: ${wrong}`);
      const dup = header.find((h, i) => header!.indexOf(h) !== i);
      if (dup !== undefined) throw new CliError(`${file}: header: column "${dup}" appears twice`);
      if (options.targetIfPresent !== undefined) targetIndex = header.indexOf(options.targetIfPresent);
      else if (options.target === null) targetIndex = -1;
      else {
        const t = options.target ?? header[header.length - 1]!;
        targetIndex = header.indexOf(t);
        if (targetIndex < 0) throw new CliError(`${file}: target column "${t}" is not in the header (columns: ${header.join(', ')})`);
      }
      if (options.encodings) {
        const want = options.encodings.map((e) => e.name);
        const have = header.filter((_, i) => i !== targetIndex);
        const missing = want.filter((w) => !header!.includes(w));
        const extra = have.filter((h) => !want.includes(h));
        if (missing.length > 0 || extra.length > 0) {
          throw new CliError(
            `${file}: columns differ from training: ${missing.length ? `missing ${missing.map((c) => `"${c}"`).join(', ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `extra ${extra.map((c) => `"${c}"`).join(', ')}` : ''}`,
          );
        }
      } else if (header.length < 2 && targetIndex >= 0) {
        throw new CliError(`${file}: expected at least one feature column besides the target "${header[targetIndex]}", got ${header.length} column`);
      }
      return;
    }
    row++;
    if (rec.length !== header.length) throw new CliError(`${file}: row ${row}: expected ${header.length} fields like the header, got ${rec.length}`);
    if (values) consume(rec, row);
    else {
      pending.push(rec);
      if (pending.length === SNIFF_ROWS) {
        decide();
        pending.forEach((r, k) => consume(r, k + 2));
        pending.length = 0;
      }
    }
  };
  await new Promise<void>((resolveDone, reject) => {
    parser.on('data', (rec: string[]) => {
      try {
        onRecord(rec);
      } catch (e) {
        parser.destroy();
        reject(e);
      }
    });
    parser.on('error', (e: Error) => reject(e instanceof CliError ? e : new CliError(`${file}: ${e.message}`)));
    parser.on('end', () => resolveDone());
  });
  if (!header) throw new CliError(`${file}: the file is empty (expected a header row and data rows)`);
  if (!values) {
    if (pending.length === 0) throw new CliError(`${file}: only a header row, no data rows`);
    decide();
    pending.forEach((r, k) => consume(r, k + 2));
  }
  const v = values as unknown as Growable;
  const m = row - 1;
  const { columns, order } = options.encodings ? { columns: encodings, order: categories.map(() => null) } : sortCategories(encodings, categories, notes);
  const featureNames = columns.flatMap((e) => (e.kind === 'numeric' ? [e.name] : e.categories.map((c) => `${e.name}=${c}`)));
  const features = expand(v.data, m, columns, order);
  const target: TargetColumn | null =
    targetIndex < 0 || options.skipTargetValues
      ? null
      : targetIsNumeric
        ? { kind: 'numeric', name: header[targetIndex]!, values: Float64Array.from(targetNumeric) }
        : { kind: 'labels', name: header[targetIndex]!, values: targetLabels };
  return { features, featureNames, m, columns, target, notes };
}

/** Training encodings with each column's categories sorted, and where each first-appearance number goes. */
function sortCategories(encodings: readonly ColumnEncoding[], categories: readonly (Categories | null)[], notes: string[]): { columns: ColumnEncoding[]; order: (Int32Array | null)[] } {
  const order: (Int32Array | null)[] = [];
  const columns = encodings.map((e, k): ColumnEncoding => {
    const seen = categories[k];
    if (e.kind === 'numeric' || !seen) {
      order.push(null);
      return e;
    }
    const sorted = [...seen.keys()].sort();
    const rank = new Int32Array(seen.size);
    sorted.forEach((c, q) => (rank[seen.get(c)!] = q));
    order.push(rank);
    notes.push(`column "${e.name}" is categorical (${sorted.length} values): one-hot encoded as ${sorted.length} features`);
    return { kind: 'oneHot', name: e.name, categories: sorted };
  });
  return { columns, order };
}

/**
 * The (features, m) matrix from one value per row and input column: numeric
 * values are copied, category numbers become one-hot rows (through `order`
 * when the categories were sorted after reading).
 */
function expand(values: Float32Array, m: number, columns: readonly ColumnEncoding[], order: readonly (Int32Array | null)[]): Float32Array {
  const E = columns.length;
  const widths = columns.map((e) => (e.kind === 'numeric' ? 1 : e.categories.length));
  const features = new Float32Array(widths.reduce((s, w) => s + w, 0) * m);
  let base = 0;
  columns.forEach((e, k) => {
    const rank = order[k];
    for (let j = 0; j < m; j++) {
      const x = values[j * E + k]!;
      if (e.kind === 'numeric') features[base * m + j] = x;
      else features[(base + (rank ? rank[x]! : x)) * m + j] = 1;
    }
    base += widths[k]!;
  });
  return features;
}
