/**
 * Image folders: one subfolder per class, PNG and JPEG files, each resized
 * to size x size RGB (bilinear), flattened in (row, column, channel) order and
 * scaled to [0, 1]: the course's (64 * 64 * 3, m) X with the default size.
 */
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { extname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { CliError } from '../errors.js';
import type { Table } from './table.js';

/** Options of {@link loadImageFolder}. */
export interface ImageOptions {
  /** Side of the square each image is resized to; default 64. */
  size?: number;
  /** Skip undecodable images with a warning instead of failing. */
  skipBadImages?: boolean;
  /** Receives warnings (skipped images). */
  warn?: (message: string) => void;
}

const EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

/** Decodes a PNG or JPEG into RGBA bytes. */
export function decodeImage(file: string): { width: number; height: number; rgba: Uint8Array } {
  const buf = readFileSync(file);
  const ext = extname(file).toLowerCase();
  try {
    if (ext === '.png') {
      const png = PNG.sync.read(buf);
      return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
    }
    const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512 });
    return { width: img.width, height: img.height, rgba: img.data };
  } catch (e) {
    throw new CliError(`${file}: cannot decode the image (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Bilinear resize of RGBA to size x size RGB floats in [0, 1], written into out[offset + k * stride]. */
function resizeInto(img: { width: number; height: number; rgba: Uint8Array }, size: number, out: Float32Array, col: number, m: number): void {
  const { width: w, height: h, rgba } = img;
  for (let r = 0; r < size; r++) {
    const y = Math.min(h - 1, Math.max(0, ((r + 0.5) * h) / size - 0.5));
    const y0 = Math.floor(y);
    const y1 = Math.min(h - 1, y0 + 1);
    const fy = y - y0;
    for (let c = 0; c < size; c++) {
      const x = Math.min(w - 1, Math.max(0, ((c + 0.5) * w) / size - 0.5));
      const x0 = Math.floor(x);
      const x1 = Math.min(w - 1, x0 + 1);
      const fx = x - x0;
      for (let ch = 0; ch < 3; ch++) {
        const p = (yy: number, xx: number) => rgba[(yy * w + xx) * 4 + ch]!;
        const v = (p(y0, x0) * (1 - fx) + p(y0, x1) * fx) * (1 - fy) + (p(y1, x0) * (1 - fx) + p(y1, x1) * fx) * fy;
        out[((r * size + c) * 3 + ch) * m + col] = v / 255;
      }
    }
  }
}

/** An entry of a folder that is a directory (following symbolic links). */
function isFolder(path: string, entry: Dirent): boolean {
  return entry.isDirectory() || (entry.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isDirectory() === true);
}

/** An entry of a folder that is a regular file (following symbolic links). */
function isFile(path: string, entry: Dirent): boolean {
  return entry.isFile() || (entry.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isFile() === true);
}

/** Names of the entries of `dir` for which `keep` holds, sorted; hidden names (starting with ".") are left out. */
function entries(dir: string, keep: (path: string, entry: Dirent) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && keep(join(dir, e.name), e))
    .map((e) => e.name)
    .sort();
}

/** Up to `max` names, then how many more. */
function some(names: readonly string[], max = 10): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/**
 * Loads an image folder (one subfolder per class) into a {@link Table} with string labels.
 *
 * Hidden folders (`.git`, `.ipynb_checkpoints`: any name starting with ".")
 * are not classes, and hidden files are not images. A class folder with no
 * images is not a class, and subfolders inside a class folder are not read;
 * both are said in a note. Images are decoded and resized one at a time, so
 * only one full-size image is held at once, however large the images are.
 *
 * @example
 * ```ts
 * const table = loadImageFolder('cats-vs-dogs/', { size: 64 });
 * ```
 */
export function loadImageFolder(dir: string, options: ImageOptions = {}): Table {
  const size = options.size ?? 64;
  const notes: string[] = [];
  const hidden = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.name.startsWith('.') && isFolder(join(dir, e.name), e))
    .map((e) => e.name)
    .sort();
  const folders = entries(dir, isFolder);
  if (folders.length === 0) {
    const ignored = hidden.length > 0 ? ` (hidden folders such as ${some(hidden)} are not classes)` : '';
    throw new CliError(`${dir}: expected one subfolder per class with PNG or JPEG images, found no subfolders${ignored}`);
  }
  if (hidden.length > 0) notes.push(`ignored hidden folder${hidden.length === 1 ? '' : 's'} ${some(hidden)} (names starting with "." are not classes)`);
  const files: { file: string; label: string }[] = [];
  const empty: string[] = [];
  const nested: string[] = [];
  for (const c of folders) {
    const classDir = join(dir, c);
    const images = entries(classDir, (path, e) => EXTENSIONS.has(extname(e.name).toLowerCase()) && isFile(path, e));
    for (const sub of entries(classDir, isFolder)) nested.push(`${c}/${sub}`);
    if (images.length === 0) empty.push(c);
    for (const f of images) files.push({ file: join(classDir, f), label: c });
  }
  if (files.length === 0) throw new CliError(`${dir}: no .png, .jpg or .jpeg images in the class subfolders (${some(folders)})`);
  if (empty.length > 0) {
    notes.push(`not a class: ${some(empty.map((c) => `"${c}"`))} ${empty.length === 1 ? 'has' : 'have'} no .png, .jpg or .jpeg images directly inside`);
  }
  if (nested.length > 0) {
    const why = 'only the images directly in a class folder are used (move them up, or make them classes)';
    notes.push(`not read: subfolders inside class folders (${some(nested)}); ${why}`);
  }
  // Each image is decoded, resized into its column and dropped before the next: X for M images is allocated once,
  // and the columns of images that could not be decoded are squeezed out at the end.
  const M = files.length;
  const n = size * size * 3;
  let features = new Float32Array(n * M);
  const labels: string[] = [];
  for (const { file, label } of files) {
    let img: ReturnType<typeof decodeImage>;
    try {
      img = decodeImage(file);
    } catch (e) {
      if (!options.skipBadImages) throw e instanceof CliError ? new CliError(`${e.message}; pass --skip-bad-images to skip it`) : e;
      options.warn?.(`warning: skipped ${file}: ${e instanceof Error ? e.message.replace(`${file}: `, '') : String(e)}`);
      continue;
    }
    resizeInto(img, size, features, labels.length, M);
    labels.push(label);
  }
  const m = labels.length;
  if (m === 0) throw new CliError(`${dir}: no usable images: all ${M} images were skipped because they could not be decoded (see the warnings above)`);
  if (m < M) {
    const kept = new Float32Array(n * m);
    for (let k = 0; k < n; k++) kept.set(features.subarray(k * M, k * M + m), k * m);
    features = kept;
  }
  const classes = [...new Set(labels)];
  const featureNames = Array.from({ length: n }, (_, k) => `px${Math.floor(k / 3)}_${'rgb'[k % 3]}`);
  notes.unshift(`${m} images in ${classes.length} classes (${classes.join(', ')}), resized to ${size}x${size}x3 = ${n} features, scaled to [0, 1]`);
  return {
    features,
    featureNames,
    m,
    columns: featureNames.map((name) => ({ kind: 'numeric', name })),
    target: { kind: 'labels', name: 'class', values: labels },
    notes,
  };
}

/**
 * Every image under `dir` for `predict`: directly inside it or in any subfolder (hidden ones skipped),
 * each decoded and resized in turn, with no labels; `rowNames` holds each image's path relative to `dir`.
 *
 * @example
 * ```ts
 * const table = loadUnlabeledImages('new-photos/', { size: 64 });
 * ```
 */
export function loadUnlabeledImages(dir: string, options: ImageOptions = {}): Table {
  const size = options.size ?? 64;
  const files: string[] = [];
  const walk = (rel: string): void => {
    const here = join(dir, rel);
    for (const f of entries(here, (path, e) => EXTENSIONS.has(extname(e.name).toLowerCase()) && isFile(path, e))) files.push(join(rel, f));
    for (const sub of entries(here, isFolder)) walk(join(rel, sub));
  };
  walk('');
  if (files.length === 0) throw new CliError(`${dir}: no .png, .jpg or .jpeg images in the folder or its subfolders`);
  const M = files.length;
  const n = size * size * 3;
  let features = new Float32Array(n * M);
  const names: string[] = [];
  for (const file of files) {
    let img: ReturnType<typeof decodeImage>;
    try {
      img = decodeImage(join(dir, file));
    } catch (e) {
      if (!options.skipBadImages) throw e instanceof CliError ? new CliError(`${e.message}; pass --skip-bad-images to skip it`) : e;
      options.warn?.(`warning: skipped ${file}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    resizeInto(img, size, features, names.length, M);
    names.push(file);
  }
  const m = names.length;
  if (m === 0) throw new CliError(`${dir}: no usable images: all ${M} could not be decoded (see the warnings above)`);
  if (m < M) {
    const kept = new Float32Array(n * m);
    for (let k = 0; k < n; k++) kept.set(features.subarray(k * M, k * M + m), k * m);
    features = kept;
  }
  const featureNames = Array.from({ length: n }, (_, k) => `px${Math.floor(k / 3)}_${'rgb'[k % 3]}`);
  return { features, featureNames, m, columns: featureNames.map((name) => ({ kind: 'numeric', name })), target: null, notes: [`${m} images, resized to ${size}x${size}x3`], rowNames: names };
}
