/**
 * Streaming CSV loading with csv-parse: header row, numeric features (or
 * categorical ones, one-hot encoded with a note), a numeric or string target.
 * Column types are decided on the first rows, then every later row is checked
 * against them, so a stray word in a numeric column is an error that names
 * the file, the row and the column, not a silent NaN.
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
}

const SNIFF_ROWS = 1000;

function isNumber(s: string): boolean {
  return s.trim() !== '' && Number.isFinite(Number(s));
}

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
  const parser = createReadStream(file).pipe(parse({ bom: true, skip_empty_lines: true, relax_column_count: true, trim: true }));
  let header: string[] | null = null;
  let targetIndex = -1;
  let featureIdx: number[] = [];
  let encodings: ColumnEncoding[] = [];
  const pending: string[][] = [];
  let values: Growable | null = null;
  const targetNumeric: number[] = [];
  const targetLabels: string[] = [];
  let targetIsNumeric = true;
  let row = 1;
  const notes: string[] = [];

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
        const categories = [...new Set(col)].sort();
        notes.push(`column "${h[i]}" is categorical (${categories.length} values in the first rows): one-hot encoded as ${categories.length} features`);
        return { kind: 'oneHot', name: h[i]!, categories } as const;
      });
    }
    if (targetIndex >= 0) targetIsNumeric = pending.every((r) => isNumber(r[targetIndex]!));
    values = new Growable(Math.max(1024, pending.length * encodings.reduce((s, e) => s + (e.kind === 'numeric' ? 1 : e.categories.length), 0) * 4));
  };

  const consume = (r: string[], rowNo: number) => {
    for (let k = 0; k < encodings.length; k++) {
      const e = encodings[k]!;
      const raw = r[featureIdx[k]!]!;
      if (raw === '') throw new CliError(`${file}: row ${rowNo}, column "${e.name}": missing value (empty cell)`);
      if (e.kind === 'numeric') {
        const v = Number(raw);
        if (!Number.isFinite(v)) throw new CliError(`${file}: row ${rowNo}, column "${e.name}": expected a number, got "${raw}"`);
        values!.push(v);
      } else {
        const c = e.categories.indexOf(raw);
        if (c < 0 && options.encodings) throw new CliError(`${file}: row ${rowNo}, column "${e.name}": "${raw}" is not one of the categories seen in training (${e.categories.join(', ')})`);
        for (let q = 0; q < e.categories.length; q++) values!.push(q === c ? 1 : 0);
      }
    }
    if (targetIndex >= 0) {
      const t = r[targetIndex]!;
      if (t === '') throw new CliError(`${file}: row ${rowNo}, column "${header![targetIndex]}": missing target value (empty cell)`);
      if (targetIsNumeric) {
        if (!isNumber(t)) throw new CliError(`${file}: row ${rowNo}, column "${header![targetIndex]}": expected a number like the rows before it, got "${t}"`);
        targetNumeric.push(Number(t));
      } else targetLabels.push(t);
    }
  };

  // Records arrive as 'data' events (one await per record would cost more than parsing it).
  const onRecord = (rec: string[]): void => {
    if (!header) {
      header = rec;
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
  const featureNames = encodings.flatMap((e) => (e.kind === 'numeric' ? [e.name] : e.categories.map((c) => `${e.name}=${c}`)));
  const n = featureNames.length;
  const features = new Float32Array(n * m);
  for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) features[i * m + j] = v.data[j * n + i]!;
  const target: TargetColumn | null =
    targetIndex < 0
      ? null
      : targetIsNumeric
        ? { kind: 'numeric', name: header[targetIndex]!, values: Float64Array.from(targetNumeric) }
        : { kind: 'labels', name: header[targetIndex]!, values: targetLabels };
  return { features, featureNames, m, columns: encodings, target, notes };
}
