/**
 * The task the CLI detects from a CSV target, and the reason it prints: the
 * reason must be true of the data (a 1-row file does not hold "more than 20"
 * values; 10 distinct integers in 10 rows are not "more than 20" either).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_INTEGER_CLASSES, numericTask, prepareTargets } from '../../src/cli/data/index.js';
import type { Table } from '../../src/cli/data/table.js';
import { cli } from '../cli/run-cli.js';

/** A one-feature table whose target is `values`. */
function table(values: number[] | string[]): Table {
  const m = values.length;
  return {
    features: new Float32Array(m),
    featureNames: ['x'],
    m,
    columns: [{ kind: 'numeric', name: 'x' }],
    target: typeof values[0] === 'string' ? { kind: 'labels', name: 'y', values: values as string[] } : { kind: 'numeric', name: 'y', values: Float64Array.from(values as number[]) },
    notes: [],
  };
}

const detect = (values: number[]) => numericTask('y', Float64Array.from(values));

describe('task detection reasons', () => {
  it('one row: one value, none repeated, not "more than 20"', () => {
    expect(detect([3])).toEqual({ task: 'regression', reason: 'the target "y" holds 1 distinct integer value in its only row (classes repeat; unrepeated integers read as a quantity)' });
  });

  it('10 distinct integers in 10 rows: none repeated, not "more than 20"', () => {
    const r = detect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(r).toEqual({ task: 'regression', reason: 'the target "y" holds 10 distinct integer values in 10 rows, none repeated (classes repeat; unrepeated integers read as a quantity)' });
    expect(r.reason).not.toContain('more than');
  });

  it('more than 20 distinct integers', () => {
    const values = Array.from({ length: 100 }, (_, j) => j % 25);
    expect(detect(values)).toEqual({ task: 'regression', reason: `the target "y" holds 25 distinct integer values (more than ${MAX_INTEGER_CLASSES} reads as a quantity, not classes)` });
  });

  it('a few repeated integers are classes; exactly 20 still are', () => {
    expect(detect([0, 1, 2, 1, 0, 2])).toEqual({ task: 'classification', reason: 'the target "y" holds 3 distinct integer values in 6 rows (at most 20 distinct integers, repeated, read as classes)' });
    expect(detect(Array.from({ length: 40 }, (_, j) => j % 20)).task).toBe('classification');
    expect(detect(Array.from({ length: 42 }, (_, j) => j % 21)).task).toBe('regression');
  });

  it('non-integers', () => {
    expect(detect([0.5, 1, 1])).toEqual({ task: 'regression', reason: 'the target "y" holds non-integer numbers' });
  });

  it('prepareTargets prints these reasons, and labels and --task keep theirs', () => {
    expect(prepareTargets(table([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).reason).toBe(detect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).reason);
    expect(prepareTargets(table([0, 1, 1, 0])).task).toBe('classification');
    expect(prepareTargets(table(['cat', 'dog', 'cat'])).reason).toBe('the target "y" holds labels');
    expect(prepareTargets(table([0, 1, 1, 0]), 'regression').reason).toBe('--task regression');
  });

  it('the command prints the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerwise-task-'));
    try {
      const file = join(dir, 'ten.csv');
      writeFileSync(file, ['x,y', ...Array.from({ length: 10 }, (_, j) => `${j / 10},${j + 1}`)].join('\n') + '\n');
      const r = await cli(['train', '--data', file, '--layers', '2', '--epochs', '1', '--out', join(dir, 'run'), '--json']);
      expect(r.stderr).toContain('task: regression (detected: the target "y" holds 10 distinct integer values in 10 rows, none repeated (classes repeat;');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
