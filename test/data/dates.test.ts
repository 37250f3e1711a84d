/**
 * The date-translation data (course 5, week 3): formats checked by hand on known dates, every
 * generated pair read back by an independent parser written here (the target is the date the
 * source denotes), seeding, the vocabularies, and bad input.
 */
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/index.js';
import { DATE_FORMATS, DATE_SOURCE_LENGTH, dateVocabularies, encodeDatePairs, encodeDateSources, formatDate, generateDates, isoDate } from '../../src/index.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * Reads a human date by the rules the module states: a month name anywhere, else numbers;
 * '/' means month first, '.' or spaces day first; two-digit years 50..99 are 19yy, 00..30 20yy.
 * Returns the ISO date and the weekday named in the source (or null).
 */
function parse(source: string): { iso: string; weekday: number | null } {
  const words = source.split(/[ ,./]+/).filter((w) => w !== '');
  let weekday: number | null = null;
  let month: number | null = null;
  const numbers: string[] = [];
  for (const w of words) {
    if (/^\d+$/.test(w)) numbers.push(w);
    else if (WEEKDAYS.includes(w.slice(0, 3)) && !MONTHS.includes(w.slice(0, 3))) weekday = WEEKDAYS.indexOf(w.slice(0, 3));
    else if (MONTHS.includes(w.slice(0, 3))) month = MONTHS.indexOf(w.slice(0, 3)) + 1;
    else throw new Error(`unreadable word ${w} in ${source}`);
  }
  let day: number;
  let yearText: string;
  if (month !== null) {
    expect(numbers.length).toBe(2);
    [day, yearText] = numbers[0]!.length === 4 ? [Number(numbers[1]), numbers[0]!] : [Number(numbers[0]), numbers[1]!];
  } else {
    expect(numbers.length).toBe(3);
    const monthFirst = source.includes('/');
    [month, day] = monthFirst ? [Number(numbers[0]), Number(numbers[1])] : [Number(numbers[1]), Number(numbers[0])];
    yearText = numbers[2]!;
  }
  const yy = Number(yearText);
  const year = yearText.length === 4 ? yy : yy >= 50 ? 1900 + yy : 2000 + yy;
  return { iso: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`, weekday };
}

describe('formatDate: the formats on dates checked by hand', () => {
  // 1979-05-03 was a Thursday; 2021-10-05 a Tuesday; 1970-03-07 a Saturday; 2007-07-08 a Sunday.
  const may3 = { year: 1979, month: 5, day: 3 };
  it.each([
    ['short', may3, '5/3/79'],
    ['medium', may3, 'may 3, 1979'],
    ['long', may3, 'may 3, 1979'],
    ['full', may3, 'thursday, may 3, 1979'],
    ['d MMMM YYY', may3, '3 may 1979'],
    ['dd MMM YYY', { year: 2007, month: 7, day: 8 }, '08 jul 2007'],
    ['d MMM, YYY', { year: 2007, month: 7, day: 8 }, '8 jul, 2007'],
    ['dd, MMM YYY', { year: 2007, month: 7, day: 8 }, '08, jul 2007'],
    ['d MM YY', { year: 2007, month: 7, day: 8 }, '8 07 07'],
    ['MMMM d, YYY', { year: 1950, month: 12, day: 31 }, 'december 31, 1950'],
    ['dd.MM.YY', may3, '03.05.79'],
    ['EEEE MM/dd/YYY', { year: 2021, month: 10, day: 5 }, 'tuesday 10/05/2021'],
    ['EEEE MMMM d YYY', { year: 1970, month: 3, day: 7 }, 'saturday march 7 1970'],
    ['EEE, d MMM YYY', { year: 2007, month: 7, day: 8 }, 'sun, 8 jul 2007'],
    ['d.M.YYY', { year: 2030, month: 1, day: 9 }, '9.1.2030'],
  ] as const)('%s', (format, date, want) => {
    expect(formatDate(date, format)).toBe(want);
    expect(parse(want).iso).toBe(isoDate(date));
  });
});

describe('generateDates', () => {
  it('5,000 pairs: each target is the ISO date its source denotes, in 1950..2030, weekdays right, many source shapes', () => {
    const pairs = generateDates(5000, { seed: 7 });
    const seen = new Set<string>();
    for (const { source, target } of pairs) {
      expect(target).toMatch(/^(19[5-9]\d|20[0-2]\d|2030)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/);
      const d = new Date(`${target}T00:00:00Z`);
      expect(d.toISOString().slice(0, 10)).toBe(target); // a real calendar day (no 02-30)
      const read = parse(source);
      expect(read.iso, source).toBe(target);
      if (read.weekday !== null) expect(read.weekday, source).toBe(d.getUTCDay());
      expect(source).toBe(source.toLowerCase());
      expect(source.length).toBeLessThanOrEqual(DATE_SOURCE_LENGTH);
      seen.add(source.replace(/\d/g, '0').replace(/[a-z]+/g, 'w'));
    }
    // Spread: the years cover the range, and many distinct shapes of source appear.
    const years = pairs.map((p) => Number(p.target.slice(0, 4)));
    expect(Math.min(...years)).toBeLessThanOrEqual(1951);
    expect(Math.max(...years)).toBeGreaterThanOrEqual(2029);
    expect(seen.size).toBeGreaterThanOrEqual(20);
  });

  it('the same seed gives the same pairs; another seed others; formats restrict the drawing', () => {
    expect(generateDates(50, { seed: 3 })).toEqual(generateDates(50, { seed: 3 }));
    expect(generateDates(50, { seed: 3 })).not.toEqual(generateDates(50, { seed: 4 }));
    for (const { source } of generateDates(40, { seed: 1, formats: ['dd.MM.YY'] })) expect(source).toMatch(/^\d\d\.\d\d\.\d\d$/);
    expect(generateDates(0)).toEqual([]);
  });

  it('the vocabularies hold every character a source or target can have', () => {
    const { source, target } = dateVocabularies();
    for (const p of generateDates(2000, { seed: 2 })) {
      expect(() => source.encode(p.source)).not.toThrow();
      expect(() => target.encode(p.target)).not.toThrow();
    }
    for (const f of DATE_FORMATS) expect(() => source.encode(formatDate({ year: 2020, month: 9, day: 30 }, f))).not.toThrow();
    expect(target.size).toBe(12);
  });

  it('refuses bad input, naming the argument', () => {
    expect(() => generateDates(-1)).toThrow(/generateDates: n: expected a non-negative integer, got -1/);
    expect(() => generateDates(2.5)).toThrow(/n: expected a non-negative integer/);
    expect(() => generateDates(2, { seed: -3 })).toThrow(/options.seed: expected an integer in \[0, 2\^32\)/);
    expect(() => generateDates(2, { formats: [] })).toThrow(/options.formats: expected a non-empty array/);
    expect(() => generateDates(2, { formats: ['yyyy'] as never })).toThrow(/options.formats\[0\]: expected one of 'short'/);
    expect(() => generateDates(2, { sed: 1 } as never)).toThrow(/sed/);
    expect(() => formatDate({ year: 2021, month: 2, day: 29 }, 'short')).toThrow(/formatDate: date: expected a calendar date/);
    expect(() => formatDate({ year: 2021, month: 2, day: 3 }, 'YYYY' as never)).toThrow(/formatDate: format: expected one of/);
  });

  it('encodeDatePairs: one-hot sources (37, m, 30) padded with index 0 and targets (12, m, 10), by the vocabularies', () => {
    const { source, target } = dateVocabularies();
    const pairs = [
      { source: '5/3/79', target: '1979-05-03' },
      { source: '08 jul 2007', target: '2007-07-08' },
    ];
    const { X, Y } = encodeDatePairs(pairs);
    expect(X.shape).toEqual([source.size, 2, 30]);
    expect(Y.shape).toEqual([12, 2, 10]);
    const at = (T: Tensor, m: number, steps: number, j: number, t: number): number => {
      const V = T.shape[0]!;
      const hot = Array.from({ length: V }, (_, k) => T.data[(k * m + j) * steps + t]!);
      expect(hot.reduce((a, b) => a + b, 0)).toBe(1);
      return hot.indexOf(1);
    };
    // Example 1, step 3 is the 'j' of "08 jul 2007"; from step 11 on, the pad (index 0).
    expect(at(X, 2, 30, 1, 3)).toBe(source.indexOf('j'));
    expect(at(X, 2, 30, 1, 11)).toBe(0);
    expect(at(X, 2, 30, 0, 29)).toBe(0);
    expect(target.decode(Array.from({ length: 10 }, (_, t) => at(Y, 2, 10, 0, t)))).toBe('1979-05-03');
    expect(Array.from(encodeDateSources(['5/3/79', '08 jul 2007']).data)).toEqual(Array.from(X.data));
    expect(encodeDateSources(['5/3/79'], { sourceLength: 8, dtype: 'float64' }).shape).toEqual([source.size, 1, 8]);
  });

  it('encodeDatePairs and encodeDateSources refuse bad input, naming themselves', () => {
    expect(() => encodeDatePairs([{ source: 'x' }] as never)).toThrow(/encodeDatePairs: pairs: expected an array of \{ source, target \} strings/);
    expect(() => encodeDatePairs([], { length: 3 } as never)).toThrow(/encodeDatePairs: .*length/);
    expect(() => encodeDateSources(['3 may 1979!'])).toThrow(/!/);
    expect(() => encodeDateSources(['x'.repeat(31)])).toThrow(/31|30/);
    expect(() => encodeDateSources(['3 may'], null as never)).toThrow(/encodeDateSources: options: expected \{ sourceLength\?, dtype\? \}/);
  });
});
