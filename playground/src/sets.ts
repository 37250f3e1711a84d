/**
 * From points to the course's matrices: a seeded train/dev/test split (the
 * library's `split`, stratified for classification), the chosen features,
 * and optional standardization with the training set's statistics only.
 */
import { split, Standardizer, Tensor } from './lib.js';
import { DEFAULT_DOMAIN, domainOf, generate, type Domain, type Points } from './datasets.js';
import { featureMatrix, gridPoints } from './features.js';
import { targetRows, type OutputKind } from './model-spec.js';
import { classCount, testPct, type State } from './state.js';

export const GRID_SIZE = 50;

export interface LabeledSet {
  points: Points;
  /** (features, m) */
  X: Tensor;
  /** (1 or K, m) */
  Y: Tensor;
}

export interface PreparedData {
  train: LabeledSet;
  dev: LabeledSet;
  /** Empty when the test share is 0. */
  test: LabeledSet | null;
  /** The heatmap grid's features, (features, GRID_SIZE^2), transformed like the training inputs. */
  grid: Tensor;
  domain: Domain;
  classes: number;
  /** The largest |label| for regression (the heatmap's colour scale), 1 for classification. */
  labelScale: number;
  standardizer: Standardizer | null;
  warnings: string[];
}

function subset(p: Points, indices: readonly number[]): Points {
  const pick = (a: Float64Array) => Float64Array.from(indices, (j) => a[j]!);
  return { x1: pick(p.x1), x2: pick(p.x2), label: pick(p.label), classes: p.classes };
}

export function sourcePoints(s: State, csv: Points | null): Points {
  if (s.dataset === 'csv') {
    if (!csv) throw new Error('the uploaded dataset is missing');
    return csv;
  }
  return generate({ dataset: s.dataset, seed: s.seed, noise: s.noise / 100, classes: classCount(s, null) });
}

export function prepareData(s: State, csv: Points | null, out: OutputKind): PreparedData {
  const points = sourcePoints(s, csv);
  const classes = s.problem === 'regression' ? 1 : points.classes;
  const m = points.x1.length;
  const coords = new Tensor([2, m], Float64Array.from([...points.x1, ...points.x2]));
  const labels = new Tensor([1, m], Float64Array.from(points.label));
  const test = testPct(s);
  const ratios: [number, number] | [number, number, number] = test > 0 ? [s.trainPct / 100, s.devPct / 100, test / 100] : [s.trainPct / 100, s.devPct / 100];
  const parts = split(coords, labels, { ratios, seed: s.seed, stratify: s.problem === 'classification' });
  const warnings = [...parts.warnings];

  const features = (p: Points) => featureMatrix(s.features, p.x1, p.x2);
  const n = s.features.length;
  const domain = s.dataset === 'csv' ? domainOf(points) : DEFAULT_DOMAIN;
  const g = gridPoints(GRID_SIZE, domain);
  let grid = new Tensor([n, GRID_SIZE * GRID_SIZE], featureMatrix(s.features, g.x1, g.x2));

  const make = (indices: readonly number[]): LabeledSet => {
    const p = subset(points, indices);
    const k = out === 'softmax' ? classes : 1;
    return { points: p, X: new Tensor([n, indices.length], features(p)), Y: new Tensor([k, indices.length], targetRows(out, p.label, classes)) };
  };
  const train = make(parts.train.indices);
  const dev = make(parts.dev.indices);
  const testSet = parts.test.indices.length > 0 ? make(parts.test.indices) : null;

  let standardizer: Standardizer | null = null;
  if (s.normalize) {
    standardizer = Standardizer.fit(train.X);
    warnings.push(...standardizer.warnings);
    for (const set of [train, dev, testSet]) if (set) standardizer.transformInPlace(set.X);
    grid = standardizer.transform(grid);
  }
  let labelScale = 1;
  if (s.problem === 'regression') {
    labelScale = 0;
    for (let i = 0; i < m; i++) labelScale = Math.max(labelScale, Math.abs(points.label[i]!));
    labelScale = labelScale || 1;
  }
  return { train, dev, test: testSet, grid, domain, classes, labelScale, standardizer, warnings };
}
