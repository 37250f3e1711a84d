/**
 * Reading an uploaded x1,x2,label CSV. Every failure names the row and column
 * and what was expected, because the message is all the user sees: the
 * previous dataset stays until a file parses.
 */
import type { Points } from './datasets.js';
import { LIMITS, type Problem } from './state.js';

/** Raw rows as read, before the labels are interpreted for a problem type. */
export interface CsvTable {
  x1: number[];
  x2: number[];
  label: number[];
  /** The line number (1-based) of each row, for messages about labels. */
  line: number[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export const MAX_CSV_ROWS = 5000;
const COLUMNS = ['x1', 'x2', 'label'] as const;

function isNumber(field: string): boolean {
  return field.trim() !== '' && Number.isFinite(Number(field));
}

function splitLine(line: string): string[] {
  const sep = line.includes(',') ? ',' : line.includes(';') ? ';' : line.includes('\t') ? '\t' : ',';
  return line.split(sep).map((f) => f.trim().replace(/^"(.*)"$/, '$1'));
}

/** Parses CSV text with columns x1, x2, label and an optional header line. */
export function parseCsv(text: string): Result<CsvTable> {
  const table: CsvTable = { x1: [], x2: [], label: [], line: [] };
  const lines = text.split(/\r\n|\n|\r/);
  let headerSeen = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const lineNo = i + 1;
    const fields = splitLine(raw);
    if (!headerSeen && table.x1.length === 0 && fields.every((f) => !isNumber(f))) {
      headerSeen = true;
      if (fields.length !== COLUMNS.length) {
        return { ok: false, error: `Line ${lineNo} (the header) has ${fields.length} column${fields.length === 1 ? '' : 's'}; expected 3: x1,x2,label.` };
      }
      continue;
    }
    if (fields.length !== COLUMNS.length) {
      return { ok: false, error: `Line ${lineNo} has ${fields.length} column${fields.length === 1 ? '' : 's'}; expected 3: x1,x2,label.` };
    }
    for (let c = 0; c < COLUMNS.length; c++) {
      if (!isNumber(fields[c]!)) {
        const shown = fields[c]!.length > 20 ? `${fields[c]!.slice(0, 20)}…` : fields[c]!;
        return { ok: false, error: `Line ${lineNo}, column ${c + 1} (${COLUMNS[c]}): “${shown}” is not a number.` };
      }
    }
    if (table.x1.length >= MAX_CSV_ROWS) return { ok: false, error: `The file has more than ${MAX_CSV_ROWS} rows; the playground trains on at most ${MAX_CSV_ROWS}.` };
    table.x1.push(Number(fields[0]));
    table.x2.push(Number(fields[1]));
    table.label.push(Number(fields[2]));
    table.line.push(lineNo);
  }
  if (table.x1.length === 0) return { ok: false, error: 'The file has no data rows; expected lines of x1,x2,label (a header line is optional).' };
  if (table.x1.length < 10) return { ok: false, error: `The file has ${table.x1.length} data rows; at least 10 are needed to make train, dev and test sets.` };
  return { ok: true, value: table };
}

/**
 * Interprets the labels for a problem type: real values for regression;
 * classes 0..K-1 for classification, where -1/1 is read as 0/1.
 */
export function tableToPoints(t: CsvTable, problem: Problem): Result<Points> {
  const m = t.x1.length;
  const label = Float64Array.from(t.label);
  let classes = 1;
  if (problem === 'classification') {
    const distinct = new Set(t.label);
    const plusMinusOne = distinct.size === 2 && distinct.has(-1) && distinct.has(1);
    for (let i = 0; i < m; i++) {
      const y = plusMinusOne ? (t.label[i] === 1 ? 1 : 0) : t.label[i]!;
      if (!Number.isInteger(y) || y < 0 || y >= LIMITS.classes.max) {
        return {
          ok: false,
          error: `Line ${t.line[i]}: label ${t.label[i]} is not a class; classification needs integer labels 0 to ${LIMITS.classes.max - 1} (or -1/1). Switch the problem type to regression for real-valued labels.`,
        };
      }
      label[i] = y;
    }
    classes = Math.max(2, ...Array.from(label, (y) => y + 1));
    if (new Set(label).size < 2) return { ok: false, error: 'Every row has the same label; classification needs at least two classes.' };
  }
  return { ok: true, value: { x1: Float64Array.from(t.x1), x2: Float64Array.from(t.x2), label, classes } };
}
