/**
 * Bad input to the command line: every failure is one `layerwise: error:`
 * line that names the option, file, row or column, with exit code 1 and no
 * stack trace, and a failed run leaves nothing half-made behind.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DivergenceError, ValueError } from '../../src/index.js';
import { loadCsv, MAX_CATEGORIES } from '../../src/cli/data/csv.js';
import { loadImageFolder } from '../../src/cli/data/images.js';
import { checkTargetOption } from '../../src/cli/data/index.js';
import { CliError, userMessage } from '../../src/cli/errors.js';
import { cli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'layerwise-cli-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string) => join(dir, name);
const file = (name: string, text: string) => {
  writeFileSync(p(name), text);
  return p(name);
};

/** Runs the command and checks the one-line error, the exit code and the absence of a stack trace. */
async function expectError(args: string[], message: string | RegExp): Promise<void> {
  const r = await cli(args);
  expect(r.code).toBe(1);
  if (typeof message === 'string') expect(r.stderr).toContain(`layerwise: error: ${message}`);
  else expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('errors that are not the CLI’s own', () => {
  it('library and filesystem errors become one line; a bug keeps its stack', () => {
    let fsError: unknown;
    file('plain', 'x');
    try {
      mkdirSync(p('plain'));
    } catch (e) {
      fsError = e;
    }
    expect(userMessage(fsError)).toBe(`cannot mkdir ${p('plain')}: already exists (EEXIST)`);
    expect(userMessage(new DivergenceError('fit: the cost became NaN at iteration 3', 3))).toBe('fit: the cost became NaN at iteration 3');
    expect(userMessage(new ValueError('fit: X: expected finite numbers'))).toBe('fit: X: expected finite numbers');
    expect(userMessage(new CliError('--lr: bad'))).toBe('--lr: bad');
    expect(userMessage(new TypeError('x is undefined'))).toBeNull();
  });

  it('a diverging run says so, names --lr and leaves no --out folder', async () => {
    await expectError(['train', '--data', 'planar', '--optimizer', 'gd', '--lr', '1e6', '--epochs', '2', '--layers', '4', '--out', p('diverged')], /layerwise: error: --lr 1000000: training diverged: the cost became (NaN|Infinity) at iteration \d+ .*try a lower learning rate\. No model was written\./);
    expect(existsSync(p('diverged'))).toBe(false);
  });

  it('--out that is an existing file', async () => {
    const f = file('taken', 'x');
    await expectError(['train', '--data', 'planar', '--epochs', '1', '--out', f], `--out: ${f}: expected a folder (or a path to create one), got an existing file`);
    await expectError(['search', '--data', 'planar', '--trials', '1', '--epochs', '1', '--out', f], `--out: ${f}: expected a folder (or a path to create one), got an existing file`);
  });

  it('more updates than a run can keep', async () => {
    await expectError(['train', '--data', 'planar', '--epochs', '1000000', '--batch-size', '1', '--out', p('huge')], '--epochs: expected at most 10000000 updates per run, got 1000000 epochs x 320 mini-batches = 320000000 (use fewer epochs or a larger batch size)');
    await expectError(['train', '--data', 'planar', '--epochs', '1000000000'], /layerwise: error: .*--epochs: expected a positive integer <= 1000000, got "1000000000"/);
    expect(existsSync(p('huge'))).toBe(false);
  });
});

describe('a trained run: predict --out and --resume', () => {
  const run = p('run');
  const state = () => {
    const latest = JSON.parse(readFileSync(join(run, 'checkpoint', 'latest.json'), 'utf8')).checkpoint as string;
    return join(run, 'checkpoint', latest, 'state.json');
  };
  let original = '';
  const editState = (edit: (s: { options: Record<string, unknown>; optimizer: { lengths: number[] } }) => void) => {
    const s = JSON.parse(original);
    edit(s);
    writeFileSync(state(), JSON.stringify(s));
  };
  beforeAll(async () => {
    const r = await cli(['train', '--data', 'moons', '--layers', '4', '--epochs', '2', '--checkpoint-every', '1', '--out', run, '--json']);
    expect(r.code).toBe(0);
    original = readFileSync(state(), 'utf8');
  }, 60_000);

  it('predict --out in a missing folder or onto a folder names --out', async () => {
    await expectError(['predict', '--model', join(run, 'model'), '--data', 'moons', '--out', p('no/dir/p.csv')], `--out: expected a file in an existing folder, got ${p('no/dir/p.csv')} (the folder ${p('no/dir')} does not exist)`);
    await expectError(['predict', '--model', join(run, 'model'), '--data', 'moons', '--out', dir], `--out: expected a file, got ${dir}, which is a folder`);
  });

  it('a checkpoint whose options were edited', async () => {
    editState((s) => (s.options.epochs = 'abc'));
    await expectError(['train', '--resume', run], `--resume: ${state()}: options.epochs: Invalid input: expected number, received string`);
    editState((s) => (s.options.epochs = 1));
    await expectError(['train', '--resume', run], `--resume: ${state()}: options.epochs: expected at least 2 (the epochs the checkpoint has done), got 1`);
  });

  it('optimizer lengths that do not match the file', async () => {
    editState((s) => (s.optimizer.lengths = s.optimizer.lengths.map((n) => n + 1000)));
    await expectError(['train', '--resume', run], /--resume: .*optimizer-[0-9a-f]{8}\.bin: expected \d+ bytes for optimizer buffers of lengths \[[\d, ]+\] \(state\.json optimizer\.lengths\), got \d+/);
  });

  it('a checkpoint without its model names --resume', async () => {
    writeFileSync(state(), original);
    const model = join(state(), '..', 'model');
    rmSync(model, { recursive: true });
    await expectError(['train', '--resume', run], `--resume: ${model}: expected a model folder, but it does not exist`);
  });
});

describe('CSV cells', () => {
  it('a value beyond float32 names the file, row and column', async () => {
    const f = file('big.csv', 'a,b,y\n1,2,0\n3,1e39,1\n');
    await expect(loadCsv(f)).rejects.toThrow(`${f}: row 3, column "b": expected a number within float32 range (magnitude at most 3.4e38), got "1e39"`);
    const t = file('bigtarget.csv', 'a,y\n1,0.5\n2,-1e39\n');
    await expect(loadCsv(t)).rejects.toThrow(`${t}: row 3, column "y": expected a number within float32 range (magnitude at most 3.4e38), got "-1e39"`);
  });

  it('only decimal notation is a number', async () => {
    const hex = file('hex.csv', 'a,b,y\n1,2,0\n3,0x10,1\n4,5,0\n');
    await expect(loadCsv(hex)).rejects.toThrow(`${hex}: row 3, column "b": expected a number, got "0x10" (only decimal notation such as 2, -0.5 or 1e-3 is read)`);
    const inf = file('inf.csv', 'a,b,y\n1,2,0\n3,Infinity,1\n4,5,0\n');
    await expect(loadCsv(inf)).rejects.toThrow(`${inf}: row 3, column "b": expected a number, got "Infinity"`);
    const ok = await loadCsv(file('decimal.csv', 'a,b,y\n1e-3,-2.5,0\n.5,+4.,1\n'));
    expect(Array.from(ok.features)).toEqual([Math.fround(1e-3), 0.5, -2.5, 4]);
    expect(ok.columns).toEqual([
      { kind: 'numeric', name: 'a' },
      { kind: 'numeric', name: 'b' },
    ]);
  });

  it('categories are collected from every row, not the first 1000', async () => {
    const rows = ['x,colour,y'];
    for (let j = 0; j < 1100; j++) rows.push(`${j},${j === 1000 ? 'violet' : j % 2 ? 'red' : 'blue'},${j % 2}`);
    const table = await loadCsv(file('late.csv', rows.join('\n') + '\n'));
    expect(table.columns[1]).toEqual({ kind: 'oneHot', name: 'colour', categories: ['blue', 'red', 'violet'] });
    expect(table.featureNames).toEqual(['x', 'colour=blue', 'colour=red', 'colour=violet']);
    const m = table.m;
    const at = (row: number, j: number) => table.features[row * m + j];
    expect([at(1, 1000), at(2, 1000), at(3, 1000)]).toEqual([0, 0, 1]); // data row 1001 is violet
    expect([at(1, 1001), at(2, 1001), at(3, 1001)]).toEqual([0, 1, 0]);
    expect(table.notes).toContain('column "colour" is categorical (3 values): one-hot encoded as 3 features');
  });

  it('a categorical column with too many distinct values names the row and value', async () => {
    const rows = ['id,y'].concat(Array.from({ length: MAX_CATEGORIES + 1 }, (_, j) => `id${j},${j % 2}`));
    const f = file('ids.csv', rows.join('\n') + '\n');
    await expect(loadCsv(f)).rejects.toThrow(`${f}: row ${MAX_CATEGORIES + 2}, column "id": "id${MAX_CATEGORIES}" would be category ${MAX_CATEGORIES + 1}; expected at most ${MAX_CATEGORIES} distinct values in a categorical column`);
  });
});

describe('options that would be ignored', () => {
  it('--target on a built-in dataset or an image folder', async () => {
    await expectError(['train', '--data', 'planar', '--target', 'nope', '--out', p('t')], '--target: expected "label" or no --target, got "nope": the built-in dataset "planar" has a fixed target; --target picks a column of a CSV file');
    mkdirSync(p('imgs'));
    expect(() => checkTargetOption(p('imgs'), 'kind')).toThrow('--target: expected "class" or no --target, got "kind": an image folder (its subfolders are the classes) has a fixed target');
    expect(() => checkTargetOption('mnist', 'digit')).not.toThrow();
  });

  it('--optimal-error on a regression task', async () => {
    const rows = ['x,y', ...Array.from({ length: 30 }, (_, j) => `${j},${(j * 0.37).toFixed(2)}`)];
    await expectError(['train', '--data', file('reg.csv', rows.join('\n')), '--optimal-error', '0.1', '--epochs', '1', '--out', p('reg')], '--optimal-error: expected a classification task (it is a Bayes error rate), got regression; omit it');
  });

  it('an image folder where every image was skipped', () => {
    for (const c of ['a', 'b']) {
      mkdirSync(p(`bad/${c}`), { recursive: true });
      writeFileSync(p(`bad/${c}/1.png`), 'not a png');
    }
    const warnings: string[] = [];
    expect(() => loadImageFolder(p('bad'), { skipBadImages: true, warn: (w) => warnings.push(w) })).toThrow(`${p('bad')}: no usable images: all 2 images were skipped because they could not be decoded (see the warnings above)`);
    expect(warnings).toHaveLength(2);
  });

  it('a search refuses the train options it would ignore, before the data is loaded', async () => {
    const missing = p('not-loaded.csv');
    await expectError(['search', '--data', missing, '--trials', '1', '--optimal-error', '0.01'], '--optimal-error: a search scores each trial by its dev error and makes no bias/variance diagnosis; omit it here and give it to `layerwise train` with the best configuration');
    await expectError(['search', '--data', missing, '--trials', '1', '--early-stopping', '3'], '--early-stopping: every trial of a search trains its full --epochs; omit it here (or search over "epochs" in --space)');
  });

  it('a search space is checked whole before the data is loaded', async () => {
    const missing = p('not-loaded.csv');
    await expectError(['search', '--data', missing, '--trials', '1', '--space', '{"lr":{"uniform":[-1,-0.5]}}'], '--space: lr.uniform: expected bounds that are a number > 0, got [-1,-0.5]');
    await expectError(['search', '--data', missing, '--trials', '1', '--space', '{"epochs":{"intUniform":[1e9,1e9]}}'], '--space: epochs.intUniform: expected bounds that are an integer in [1, 1000000], got [1000000000,1000000000]');
    await expectError(['search', '--data', missing, '--trials', '1', '--space', '{"epochs":{"uniform":[1,5]}}'], '--space: epochs.uniform: expected intUniform or choice for epochs (an integer in [1, 1000000]), got uniform, which samples fractions');
    await expectError(['search', '--data', missing, '--trials', '1', '--space', '{"layers":{"choice":[[4],[0]]}}'], '--space: layers.choice: expected options that are an array of positive integers (hidden layer sizes), got [0]');
    await expectError(['search', '--data', missing, '--trials', '1', '--space', '{"lr":{"logUniform":[0,1]}}'], '--space: lr.logUniform: expected bounds > 0 (a logarithmic scale), got [0, 1]');
  });
});
