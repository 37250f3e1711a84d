/**
 * The playground's 2-D datasets. The course's and the classic ones come from
 * the library's generators (so the page shows exactly what `makeFlower` and
 * friends produce), rescaled to the [-6, 6] square the heatmap spans; the
 * regression surfaces and the multi-class variants are generated here.
 * Everything is drawn from a seeded `Rng`, so a seed reproduces the data.
 */
import { makeBlobs, makeCircles, makeFlower, makeMoons, makeSpiral, makeXor, Rng, type Dataset } from './lib.js';
import type { DatasetName } from './state.js';

/** Points with one label each: a class index 0..classes-1, or a real value for regression (classes = 1). */
export interface Points {
  x1: Float64Array;
  x2: Float64Array;
  label: Float64Array;
  classes: number;
}

/** The square of input space the heatmaps cover. */
export interface Domain {
  min: number;
  max: number;
}

export const DEFAULT_DOMAIN: Domain = { min: -6, max: 6 };
export const GENERATED_POINTS = 500;

export interface GenerateOptions {
  dataset: Exclude<DatasetName, 'csv'>;
  seed: number;
  /** 0..0.5 */
  noise: number;
  classes: number;
  m?: number;
}

function fromDataset(d: Dataset, scale: number, shift: [number, number] = [0, 0], classes = 2): Points {
  const m = d.X.cols;
  const x1 = new Float64Array(m);
  const x2 = new Float64Array(m);
  const label = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    x1[j] = (d.X.data[j]! + shift[0]) * scale;
    x2[j] = (d.X.data[m + j]! + shift[1]) * scale;
    label[j] = d.Y.data[j]!;
  }
  return { x1, x2, label, classes };
}

function build(m: number, classes: number, point: (i: number) => [number, number, number]): Points {
  const x1 = new Float64Array(m);
  const x2 = new Float64Array(m);
  const label = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const [a, b, y] = point(i);
    x1[i] = a;
    x2[i] = b;
    label[i] = y;
  }
  return { x1, x2, label, classes };
}

/** K Gaussian blobs on a circle of radius 3; K = 2 is the library's makeBlobs. */
function gaussians(m: number, seed: number, noise: number, classes: number): Points {
  const spread = 0.5 + noise * 6;
  if (classes === 2) return fromDataset(makeBlobs({ m, seed, noise: spread }), 1);
  const rng = new Rng(seed);
  return build(m, classes, (i) => {
    const c = i % classes;
    const t = (2 * Math.PI * c) / classes + Math.PI / 4;
    return [3 * Math.cos(t) + rng.normal() * spread, 3 * Math.sin(t) + rng.normal() * spread, c];
  });
}

/** K interleaved spiral arms; K = 2 is the library's makeSpiral. */
function spirals(m: number, seed: number, noise: number, classes: number): Points {
  if (classes === 2) return fromDataset(makeSpiral({ m, seed, noise: 0.02 + noise * 0.3 }), 5.5);
  const rng = new Rng(seed);
  const per = Math.ceil(m / classes);
  return build(m, classes, (i) => {
    const c = Math.floor(i / per);
    const k = (i % per) / per;
    const r = 5.5 * k;
    const t = 1.75 * k * 2 * Math.PI + (2 * Math.PI * c) / classes;
    const spread = 0.1 + noise * 1.5;
    return [r * Math.sin(t) + spread * rng.normal(), r * Math.cos(t) + spread * rng.normal(), c];
  });
}

function flower(m: number, seed: number, noise: number): Points {
  const p = fromDataset(makeFlower({ m, seed }), 1.25);
  const rng = new Rng(seed + 1);
  for (let i = 0; i < p.x1.length; i++) {
    p.x1[i] = p.x1[i]! + rng.normal() * noise * 3;
    p.x2[i] = p.x2[i]! + rng.normal() * noise * 3;
  }
  return p;
}

/** label = (x1 + x2) / 12 in [-1, 1] plus noise: a linear regression target. */
function plane(m: number, seed: number, noise: number): Points {
  const rng = new Rng(seed);
  return build(m, 1, () => {
    const a = rng.uniform() * 12 - 6;
    const b = rng.uniform() * 12 - 6;
    return [a, b, (a + b) / 12 + rng.normal() * noise * 0.5];
  });
}

const BUMPS: readonly [number, number, number][] = [
  [-4, 2.5, 1],
  [0, 2.5, -1],
  [4, 2.5, 1],
  [-4, -2.5, -1],
  [0, -2.5, 1],
  [4, -2.5, -1],
];

/** A sum of six signed Gaussian bumps: a bumpy regression target in [-1, 1]. */
function multiGauss(m: number, seed: number, noise: number): Points {
  const rng = new Rng(seed);
  return build(m, 1, () => {
    const a = rng.uniform() * 12 - 6;
    const b = rng.uniform() * 12 - 6;
    let y = 0;
    for (const [cx, cy, sign] of BUMPS) y += sign * Math.exp(-((a - cx) ** 2 + (b - cy) ** 2) / 2.5);
    return [a, b, y + rng.normal() * noise * 0.5];
  });
}

export function generate(o: GenerateOptions): Points {
  const m = o.m ?? GENERATED_POINTS;
  const { seed, noise } = o;
  switch (o.dataset) {
    case 'circle':
      return fromDataset(makeCircles({ m, seed, noise: 0.02 + noise * 0.3, factor: 0.5 }), 5);
    case 'xor':
      return fromDataset(makeXor({ m, seed, noise: noise * 0.4 }), 5);
    case 'gauss':
      return gaussians(m, seed, noise, o.classes);
    case 'spiral':
      return spirals(m, seed, noise, o.classes);
    case 'flower':
      return flower(m, seed, noise);
    case 'moons':
      return fromDataset(makeMoons({ m, seed, noise: 0.05 + noise * 0.5 }), 3.2, [-0.5, -0.25]);
    case 'plane':
      return plane(m, seed, noise);
    case 'multigauss':
      return multiGauss(m, seed, noise);
  }
}

/** A square domain around the points with a margin, so uploaded data of any scale fits the heatmap. */
export function domainOf(p: Points): Domain {
  let lo = Infinity;
  let hi = -Infinity;
  for (const arr of [p.x1, p.x2]) {
    for (let i = 0; i < arr.length; i++) {
      lo = Math.min(lo, arr[i]!);
      hi = Math.max(hi, arr[i]!);
    }
  }
  if (!Number.isFinite(lo)) return DEFAULT_DOMAIN;
  const pad = Math.max((hi - lo) * 0.1, 1e-6);
  return { min: lo - pad, max: hi + pad };
}
