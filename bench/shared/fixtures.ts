/**
 * The data and initial weights every peer starts from, made once by the
 * runner and read by each child, so that no peer depends on another's
 * generator and all start from the same bits.
 *
 * Stored as a JSON index plus one little-endian float32 blob.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A row-major float32 matrix in the course's layout: W is (n[l], n[l-1]), X is (n_x, m). */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

/** One dense layer's starting parameters. */
export interface LayerInit {
  W: Matrix;
  b: Matrix;
}

export type ArraySet = Record<string, Matrix>;

interface IndexEntry {
  rows: number;
  cols: number;
  offset: number;
}

export const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'out');
const FIXTURE_DIR = join(OUT_DIR, 'fixtures');

export function matrix(rows: number, cols: number, data?: Float32Array): Matrix {
  return { rows, cols, data: data ?? new Float32Array(rows * cols) };
}

export function saveArrays(name: string, arrays: ArraySet): void {
  mkdirSync(FIXTURE_DIR, { recursive: true });
  const index: Record<string, IndexEntry> = {};
  let total = 0;
  for (const [key, m] of Object.entries(arrays)) {
    index[key] = { rows: m.rows, cols: m.cols, offset: total };
    total += m.data.length;
  }
  const blob = new Float32Array(total);
  for (const [key, m] of Object.entries(arrays)) blob.set(m.data, index[key]!.offset);
  writeFileSync(join(FIXTURE_DIR, `${name}.bin`), new Uint8Array(blob.buffer));
  writeFileSync(join(FIXTURE_DIR, `${name}.json`), JSON.stringify(index));
}

export function loadArrays(name: string): ArraySet {
  const index = JSON.parse(readFileSync(join(FIXTURE_DIR, `${name}.json`), 'utf8')) as Record<string, IndexEntry>;
  const bytes = readFileSync(join(FIXTURE_DIR, `${name}.bin`));
  // Copy into a fresh, aligned buffer: a Buffer's byteOffset need not be a multiple of 4.
  const blob = new Float32Array(new Uint8Array(bytes).buffer);
  const out: ArraySet = {};
  for (const [key, e] of Object.entries(index)) {
    out[key] = matrix(e.rows, e.cols, blob.slice(e.offset, e.offset + e.rows * e.cols));
  }
  return out;
}

/** Flattens layers into an ArraySet as W1, b1, W2, ... (the course's names). */
export function layersToArrays(layers: readonly LayerInit[]): ArraySet {
  const out: ArraySet = {};
  layers.forEach((l, i) => {
    out[`W${i + 1}`] = l.W;
    out[`b${i + 1}`] = l.b;
  });
  return out;
}

export function arraysToLayers(arrays: ArraySet): LayerInit[] {
  const layers: LayerInit[] = [];
  for (let l = 1; arrays[`W${l}`]; l++) layers.push({ W: arrays[`W${l}`]!, b: arrays[`b${l}`]! });
  return layers;
}

export function need(arrays: ArraySet, key: string): Matrix {
  const m = arrays[key];
  if (!m) throw new Error(`fixture: missing array ${key}`);
  return m;
}

/** A deep copy, so one run cannot change the weights another starts from. */
export function cloneLayers(layers: readonly LayerInit[]): LayerInit[] {
  return layers.map((l) => ({ W: matrix(l.W.rows, l.W.cols, l.W.data.slice()), b: matrix(l.b.rows, l.b.cols, l.b.data.slice()) }));
}
