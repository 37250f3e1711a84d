import { describe, expect, it } from 'vitest';
import { parseCsv, tableToPoints, type CsvTable } from '../../playground/src/csv.js';

const rows = (n: number, label: (i: number) => number | string) => Array.from({ length: n }, (_, i) => `${i * 0.5},${-i},${label(i)}`).join('\n');

function table(text: string): CsvTable {
  const r = parseCsv(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('playground CSV upload', () => {
  it('reads x1,x2,label rows with an optional header, blank lines and CRLF', () => {
    const t = table(`x1,x2,label\r\n${rows(12, (i) => i % 2)}\r\n\r\n`);
    expect(t.x1.length).toBe(12);
    expect([t.x1[3], t.x2[3], t.label[3]]).toEqual([1.5, -3, 1]);
    const p = tableToPoints(t, 'classification');
    expect(p.ok && p.value.classes).toBe(2);
  });

  it('names the line and the column count when a row has the wrong number of columns', () => {
    const r = parseCsv(`x1,x2,label\n${rows(11, () => 0)}\n1,2\n`);
    expect(r).toEqual({ ok: false, error: 'Line 13 has 2 columns; expected 3: x1,x2,label.' });
    expect(parseCsv('a,b\n1,2')).toEqual({ ok: false, error: 'Line 1 (the header) has 2 columns; expected 3: x1,x2,label.' });
  });

  it('names the line, column and value that is not a number', () => {
    const r = parseCsv(`${rows(5, () => 1)}\n0.5,abc,1\n`);
    expect(r).toEqual({ ok: false, error: 'Line 6, column 2 (x2): “abc” is not a number.' });
  });

  it('refuses a file with no data rows, or too few to split', () => {
    expect(parseCsv('')).toMatchObject({ ok: false, error: expect.stringMatching(/no data rows/) });
    expect(parseCsv('x1,x2,label\n')).toMatchObject({ ok: false, error: expect.stringMatching(/no data rows/) });
    expect(parseCsv(rows(3, () => 1))).toMatchObject({ ok: false, error: expect.stringMatching(/3 data rows; at least 10/) });
  });

  it('reads labels per problem type: classes (with -1/1 as 0/1) or real values', () => {
    const pm = tableToPoints(table(rows(10, (i) => (i % 2 ? 1 : -1))), 'classification');
    expect(pm.ok && Array.from(pm.value.label.slice(0, 4))).toEqual([0, 1, 0, 1]);
    const three = tableToPoints(table(rows(10, (i) => i % 3)), 'classification');
    expect(three.ok && three.value.classes).toBe(3);
    const real = table(rows(10, (i) => i / 7));
    expect(tableToPoints(real, 'classification')).toMatchObject({ ok: false, error: expect.stringMatching(/^Line 2: label 0\.142857\d* is not a class/) });
    expect(tableToPoints(real, 'regression')).toMatchObject({ ok: true, value: { classes: 1 } });
    expect(tableToPoints(table(rows(10, () => 1)), 'classification')).toMatchObject({ ok: false, error: expect.stringMatching(/same label/) });
  });
});
