/**
 * CSV files that are not comma-separated: a semicolon- or tab-separated file
 * read as commas says which --delimiter to pass; --delimiter reads it, in
 * train, evaluate, predict and a resumed run; decimal commas are named.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCsv, wrongDelimiter } from '../../src/cli/data/csv.js';
import { delimiter } from '../../src/cli/options.js';
import { cli, lastJson } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'layerwise-delimiter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string) => join(dir, name);

/** Two features and a label, separated by `sep`: class "hi" when x1 + x2 > 1. */
function write(name: string, sep: string, m = 60): string {
  const rows = [['x1', 'x2', 'label'].join(sep)];
  for (let j = 0; j < m; j++) {
    const x1 = ((j * 37) % 100) / 100;
    const x2 = ((j * 61) % 100) / 100;
    rows.push([x1.toFixed(2), x2.toFixed(2), x1 + x2 > 1 ? 'hi' : 'lo'].join(sep));
  }
  writeFileSync(p(name), rows.join('\n') + '\n');
  return p(name);
}

describe('CSV delimiters', () => {
  it('a semicolon- or tab-separated file read as commas says which --delimiter to pass', async () => {
    const semi = write('semi.csv', ';');
    await expect(loadCsv(semi)).rejects.toThrow(`${semi}: header: expected comma-separated columns, got one column "x1;x2;label"; the file looks semicolon-separated: pass --delimiter ';'`);
    const tab = write('tab.tsv', '\t');
    await expect(loadCsv(tab)).rejects.toThrow(`${tab}: header: expected comma-separated columns, got one column "x1\\tx2\\tlabel"; the file looks tab-separated: pass --delimiter tab`);
    // And the other way round: --delimiter ';' on a comma-separated file.
    const comma = write('comma.csv', ',');
    await expect(loadCsv(comma, { delimiter: ';' })).rejects.toThrow(`${comma}: header: expected semicolon-separated columns, got one column "x1,x2,label"; the file looks comma-separated: pass --delimiter ','`);
  });

  it('the delimiter named is the most frequent one, and a header of several columns is never questioned', () => {
    expect(wrongDelimiter(['a;b;c|d'], ',')).toContain("pass --delimiter ';'");
    expect(wrongDelimiter(['a;b', 'c'], ',')).toBeNull();
    expect(wrongDelimiter(['price'], ',')).toBeNull();
  });

  it('--delimiter reads semicolon- and tab-separated files like the comma-separated one', async () => {
    const comma = await loadCsv(write('c.csv', ','));
    for (const [name, sep] of [['s.csv', ';'], ['t.tsv', '\t'], ['p.csv', '|']] as const) {
      const t = await loadCsv(write(name, sep), { delimiter: sep });
      expect(t.featureNames).toEqual(['x1', 'x2']);
      expect(t.m).toBe(60);
      expect(Array.from(t.features)).toEqual(Array.from(comma.features));
      expect(t.target).toEqual(comma.target);
    }
  });

  it('a column of decimal-comma numbers is named, not one-hot encoded; a stray one in a numeric column gets a hint', async () => {
    const file = p('decimal-comma.csv');
    writeFileSync(file, 'x1;x2;y\n1,5;2;a\n2;3,25;b\n0,5;1;a\n');
    await expect(loadCsv(file, { delimiter: ';' })).rejects.toThrow(`${file}: column "x1": expected numbers with a decimal point, got decimal commas such as "1,5" (write 1.5)`);
    const target = p('decimal-comma-target.csv');
    writeFileSync(target, 'x;y\n1;2,5\n2;3,5\n');
    await expect(loadCsv(target, { delimiter: ';' })).rejects.toThrow(`${target}: column "y": expected numbers with a decimal point, got decimal commas such as "2,5" (write 2.5)`);
    const stray = p('stray.csv');
    writeFileSync(stray, 'x;y\n1.5;1\n2.5;0\n0,5;1\n');
    await expect(loadCsv(stray, { delimiter: ';' })).rejects.toThrow(`${stray}: row 4, column "x": expected a number, got "0,5" (a decimal comma? write 0.5)`);
  });

  it('--delimiter takes one character, "tab" or "\\t"', () => {
    expect(delimiter(';')).toBe(';');
    expect(delimiter('tab')).toBe('\t');
    expect(delimiter('\\t')).toBe('\t');
    expect(delimiter('\t')).toBe('\t');
    for (const bad of ['', ';;', '"', '\n']) expect(() => delimiter(bad)).toThrow(`--delimiter: expected one character other than a quote or a line break, such as ';' or tab (written "tab"), got "${bad}"`);
  });
});

describe('--delimiter in the command', () => {
  it('train, evaluate and predict read a semicolon-separated file; a resumed run keeps the delimiter', async () => {
    const semi = write('train.csv', ';', 200);
    const bad = await cli(['train', '--data', semi, '--out', p('x')]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("the file looks semicolon-separated: pass --delimiter ';'");

    const args = ['--data', semi, '--delimiter', ';', '--layers', '4', '--epochs', '4', '--lr', '0.05'];
    const r = await cli(['train', ...args, '--out', p('run'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson(r).examples).toEqual({ train: 160, dev: 20, test: 20 });

    const ev = await cli(['evaluate', '--model', p('run/model'), '--data', semi, '--delimiter', ';', '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    expect(lastJson(ev).examples).toBe(200);
    const pr = await cli(['predict', '--model', p('run/model'), '--data', semi, '--delimiter', ';', '--out', p('preds.csv')]);
    expect(pr.code, pr.stderr).toBe(0);
    expect(readFileSync(p('preds.csv'), 'utf8').trim().split('\n')).toHaveLength(201);

    // The checkpoint keeps --delimiter, so --resume reads the file the same way.
    const cut = await cli(['train', ...args, '--checkpoint-every', '2', '--out', p('cut'), '--json']);
    expect(cut.code, cut.stderr).toBe(0);
    const latest = JSON.parse(readFileSync(p('cut/checkpoint/latest.json'), 'utf8')) as { checkpoint: string };
    const state = JSON.parse(readFileSync(p(`cut/checkpoint/${latest.checkpoint}/state.json`), 'utf8')) as { epoch: number; options: { delimiter?: string } };
    expect(state.options.delimiter).toBe(';');
    const resumed = await cli(['train', '--resume', p('cut'), '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('resuming from');
  }, 120_000);

  it('--delimiter on data that is not a CSV file is refused', async () => {
    const r = await cli(['train', '--data', 'moons', '--delimiter', ';', '--out', p('y')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('layerwise: error: --delimiter: expected a CSV file as --data, got the built-in dataset "moons"; --delimiter only applies to CSV files');
    const bad = await cli(['train', '--data', p('train.csv'), '--delimiter', ';;', '--out', p('y')]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--delimiter: expected one character');
  }, 60_000);
});
