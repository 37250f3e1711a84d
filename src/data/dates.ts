/**
 * The data of course 5, week 3's "Neural machine translation with attention":
 * human-readable dates ("3 may 1979", "tuesday, october 5, 2021",
 * "05.03.79") paired with their machine-readable ISO form "1979-05-03". The
 * assignment draws them with Faker and formats them with Babel's en_US
 * patterns; here they are drawn from the project's seeded {@link Rng} (no
 * download), between 1950-01-01 and 2030-12-31, lower-cased as the course does.
 *
 * Every source has one reading: numbers separated by '/' are month first (US,
 * as Babel's 'short'), by '.' or spaces day first; a two-digit year yy is
 * 19yy from 50 and 20yy below (the range holds 1950..2030 only).
 */
import { Rng } from '../random/rng.js';
import { ValueError } from '../tensor/errors.js';
import { assertKnownKeys, describe } from '../tensor/validate.js';
import type { DType, Tensor } from '../tensor/tensor.js';
import { encodeOneHot, Vocabulary } from './text.js';

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/**
 * The formats, in Babel's pattern letters (d day, dd two-digit day, M month number, MM two digits,
 * MMM its abbreviation, MMMM its name, yy / YY two-digit year, y / YYY the year, EEE / EEEE the weekday):
 * the assignment's list (its named en_US formats 'short' M/d/yy, 'medium' MMM d, y, 'long' MMMM d, y,
 * 'full' EEEE, MMMM d, y), then more weekday and numeric forms.
 */
export const DATE_FORMATS = [
  'short',
  'medium',
  'long',
  'full',
  'd MMM YYY',
  'd MMMM YYY',
  'dd MMM YYY',
  'd MMM, YYY',
  'd MMMM, YYY',
  'dd, MMM YYY',
  'd MM YY',
  'MMMM d YYY',
  'MMMM d, YYY',
  'dd.MM.YY',
  'EEEE d MMMM YYY',
  'EEEE MMMM d YYY',
  'EEEE MM/dd/YYY',
  'EEE, d MMM YYY',
  'EEE MMM d YYY',
  'MM/dd/YYY',
  'd.M.YYY',
  'dd.MM.YYY',
] as const;

/** One of {@link DATE_FORMATS}. */
export type DateFormat = (typeof DATE_FORMATS)[number];

/** The named en_US formats as patterns. */
const NAMED: { readonly [name: string]: string } = { short: 'M/d/yy', medium: 'MMM d, y', long: 'MMMM d, y', full: 'EEEE, MMMM d, y' };

/** First and last day drawn, as days since 1970-01-01. */
const FIRST_DAY = Date.UTC(1950, 0, 1) / 86_400_000;
const LAST_DAY = Date.UTC(2030, 11, 31) / 86_400_000;

/** The longest source any format writes ("wednesday, september 30, 2020": 29 characters): the course's T_x = 30 holds it. */
export const DATE_SOURCE_LENGTH = 30;
/** An ISO date's length, T_y. */
export const DATE_TARGET_LENGTH = 10;

/** A calendar date. */
export interface CalendarDate {
  readonly year: number;
  /** 1..12. */
  readonly month: number;
  /** 1..31. */
  readonly day: number;
}

/** A (human, machine) pair: source "3 may 1979", target "1979-05-03". */
export interface DatePair {
  readonly source: string;
  readonly target: string;
}

/** Options of {@link generateDates}. */
export interface GenerateDatesOptions {
  /** The generator's seed (an integer in [0, 2^32)); default 0. The same seed gives the same pairs. */
  readonly seed?: number;
  /** The formats to draw from (uniformly); default all of {@link DATE_FORMATS}. */
  readonly formats?: readonly DateFormat[];
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** The ISO form YYYY-MM-DD. */
export function isoDate(d: CalendarDate): string {
  return `${String(d.year).padStart(4, '0')}-${pad2(d.month)}-${pad2(d.day)}`;
}

/**
 * A date written in one of {@link DATE_FORMATS}, lower-case.
 *
 * @example
 * ```ts
 * import { formatDate } from 'layerwise';
 * const d = { year: 1979, month: 5, day: 3 };
 * formatDate(d, 'full') === 'thursday, may 3, 1979' && formatDate(d, 'dd.MM.YY') === '03.05.79'; // true
 * ```
 */
export function formatDate(date: CalendarDate, format: DateFormat): string {
  const where = 'formatDate';
  if (!(DATE_FORMATS as readonly string[]).includes(format)) throw new ValueError(`${where}: format: expected one of ${DATE_FORMATS.map((f) => `'${f}'`).join(', ')}, got ${describe(format)}`);
  const { year, month, day } = checkDate(date, where);
  const weekday = WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()]!;
  const pattern = NAMED[format] ?? format;
  // Letters runs to their values: the longest run first, so 'MMMM' is not read as 'MM' twice.
  return pattern.replace(/EEEE|EEE|MMMM|MMM|MM|M|dd|d|YYY|YY|yy|y/g, (run) => {
    switch (run) {
      case 'EEEE':
        return weekday;
      case 'EEE':
        return weekday.slice(0, 3);
      case 'MMMM':
        return MONTHS[month - 1]!;
      case 'MMM':
        return MONTHS[month - 1]!.slice(0, 3);
      case 'MM':
        return pad2(month);
      case 'M':
        return String(month);
      case 'dd':
        return pad2(day);
      case 'd':
        return String(day);
      case 'YY':
      case 'yy':
        return pad2(year % 100);
      default:
        return String(year);
    }
  });
}

/**
 * n seeded (source, target) pairs: a day drawn uniformly from 1950-01-01..2030-12-31 and a format
 * drawn uniformly from `formats`, the source lower-case, the target ISO YYYY-MM-DD.
 *
 * @example
 * ```ts
 * import { generateDates } from 'layerwise';
 * const pairs = generateDates(3, { seed: 1 });
 * pairs.length === 3 && /^\d{4}-\d\d-\d\d$/.test(pairs[0]!.target); // true
 * JSON.stringify(generateDates(3, { seed: 1 })) === JSON.stringify(pairs); // true: same seed, same pairs
 * ```
 */
export function generateDates(n: number, options: GenerateDatesOptions = {}): DatePair[] {
  const where = 'generateDates';
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new ValueError(`${where}: n: expected a non-negative integer, got ${describe(n)}`);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ValueError(`${where}: options: expected { seed?, formats? }, got ${describe(options)}`);
  assertKnownKeys(options, ['seed', 'formats'], where, 'options.');
  const seed = options.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new ValueError(`${where}: options.seed: expected an integer in [0, 2^32), got ${describe(seed)}`);
  const formats = options.formats ?? DATE_FORMATS;
  if (!Array.isArray(formats) || formats.length === 0) throw new ValueError(`${where}: options.formats: expected a non-empty array of formats, got ${describe(formats)}`);
  formats.forEach((f: unknown, i) => {
    if (!(DATE_FORMATS as readonly unknown[]).includes(f)) throw new ValueError(`${where}: options.formats[${i}]: expected one of ${DATE_FORMATS.map((x) => `'${x}'`).join(', ')}, got ${describe(f)}`);
  });
  const rng = new Rng(seed);
  const days = LAST_DAY - FIRST_DAY + 1;
  const out: DatePair[] = [];
  for (let k = 0; k < n; k++) {
    const d = new Date((FIRST_DAY + rng.int(days)) * 86_400_000);
    const date = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
    const format = formats[rng.int(formats.length)]!;
    out.push({ source: formatDate(date, format), target: isoDate(date) });
  }
  return out;
}

/**
 * The vocabularies of the task, fixed (not read from data, so held-out dates never meet an unseen
 * character): the human side's letters of the month and weekday names, digits, space, ',', '.', '/'
 * (the assignment's human_vocab), and the machine side's digits and '-' (machine_vocab); index 0 pads both.
 *
 * @example
 * ```ts
 * import { dateVocabularies } from 'layerwise';
 * const { source, target } = dateVocabularies();
 * target.size === 12 && source.encode('3 may 1979').length === 10; // true: pad, '-', 0-9
 * ```
 */
export function dateVocabularies(): { source: Vocabulary; target: Vocabulary } {
  return {
    source: Vocabulary.fromStrings([...MONTHS, ...WEEKDAYS, '0123456789 ,./']),
    target: Vocabulary.fromStrings(['0123456789-']),
  };
}

/**
 * Pairs as the network's tensors, through {@link dateVocabularies}: X one-hot sources (V_x, m, T_x),
 * padded with index 0 to `sourceLength` (default {@link DATE_SOURCE_LENGTH}), and Y one-hot ISO
 * targets (12, m, 10).
 *
 * @example
 * ```ts
 * import { encodeDatePairs, generateDates } from 'layerwise';
 * const { X, Y } = encodeDatePairs(generateDates(4, { seed: 1 }));
 * X.shape[1] === 4 && X.shape[2] === 30 && Y.shape.join() === '12,4,10'; // true
 * ```
 */
export function encodeDatePairs(pairs: readonly DatePair[], options: { readonly sourceLength?: number; readonly dtype?: DType } = {}): { X: Tensor; Y: Tensor } {
  const where = 'encodeDatePairs';
  if (!Array.isArray(pairs) || pairs.some((p: unknown) => p === null || typeof p !== 'object' || typeof (p as DatePair).source !== 'string' || typeof (p as DatePair).target !== 'string')) {
    throw new ValueError(`${where}: pairs: expected an array of { source, target } strings (generateDates' output), got ${describe(pairs)}`);
  }
  const X = encodeSources(pairs.map((p) => p.source), options, where);
  const Y = encodeOneHot(pairs.map((p) => p.target), dateVocabularies().target, { length: DATE_TARGET_LENGTH, dtype: options.dtype ?? 'float32' });
  return { X, Y };
}

/**
 * Human dates as the network's input X (V_x, m, T_x) (one-hot through {@link dateVocabularies}, padded
 * with index 0 to `sourceLength`, default {@link DATE_SOURCE_LENGTH}): what a translation reads.
 *
 * @example
 * ```ts
 * import { encodeDateSources } from 'layerwise';
 * encodeDateSources(['3 may 1979', '5/3/79']).shape[1] === 2; // true
 * ```
 */
export function encodeDateSources(sources: readonly string[], options: { readonly sourceLength?: number; readonly dtype?: DType } = {}): Tensor {
  return encodeSources(sources, options, 'encodeDateSources');
}

/** {@link encodeDateSources} with errors under the caller's name. */
function encodeSources(sources: readonly string[], options: { readonly sourceLength?: number; readonly dtype?: DType }, where: string): Tensor {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ValueError(`${where}: options: expected { sourceLength?, dtype? }, got ${describe(options)}`);
  assertKnownKeys(options, ['sourceLength', 'dtype'], where, 'options.');
  return encodeOneHot(sources, dateVocabularies().source, { length: options.sourceLength ?? DATE_SOURCE_LENGTH, dtype: options.dtype ?? 'float32' });
}

function checkDate(date: unknown, where: string): CalendarDate {
  const d = date as CalendarDate | null;
  if (d === null || typeof d !== 'object' || ![d.year, d.month, d.day].every((v) => Number.isInteger(v))) {
    throw new ValueError(`${where}: date: expected { year, month, day } integers, got ${describe(date)}`);
  }
  const check = new Date(Date.UTC(d.year, d.month - 1, d.day));
  if (d.year < 1000 || d.year > 9999 || check.getUTCMonth() !== d.month - 1 || check.getUTCDate() !== d.day) {
    throw new ValueError(`${where}: date: expected a calendar date (year 1000..9999, month 1..12, a day of that month), got ${d.year}-${d.month}-${d.day}`);
  }
  return d;
}
