/**
 * Image folders: one subfolder per class, PNG and JPEG files, each resized
 * to size x size RGB (bilinear), flattened in (row, column, channel) order and
 * scaled to [0, 1]: the course's (64 * 64 * 3, m) X with the default size.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
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

/**
 * Loads an image folder (one subfolder per class) into a {@link Table} with string labels.
 *
 * @example
 * ```ts
 * const table = loadImageFolder('cats-vs-dogs/', { size: 64 });
 * ```
 */
export function loadImageFolder(dir: string, options: ImageOptions = {}): Table {
  const size = options.size ?? 64;
  const classes = readdirSync(dir)
    .filter((d) => statSync(join(dir, d)).isDirectory())
    .sort();
  if (classes.length === 0) throw new CliError(`${dir}: expected one subfolder per class with PNG or JPEG images, found no subfolders`);
  const files: { file: string; label: string }[] = [];
  for (const c of classes) {
    for (const f of readdirSync(join(dir, c)).sort()) if (EXTENSIONS.has(extname(f).toLowerCase())) files.push({ file: join(dir, c, f), label: c });
  }
  if (files.length === 0) throw new CliError(`${dir}: no .png, .jpg or .jpeg images in the class subfolders (${classes.join(', ')})`);
  const decoded: { img: ReturnType<typeof decodeImage>; label: string }[] = [];
  for (const { file, label } of files) {
    try {
      decoded.push({ img: decodeImage(file), label });
    } catch (e) {
      if (!options.skipBadImages) throw e instanceof CliError ? new CliError(`${e.message}; pass --skip-bad-images to skip it`) : e;
      options.warn?.(`warning: skipped ${file}: ${e instanceof Error ? e.message.replace(`${file}: `, '') : String(e)}`);
    }
  }
  if (decoded.length === 0) throw new CliError(`${dir}: no usable images: all ${files.length} images were skipped because they could not be decoded (see the warnings above)`);
  const m = decoded.length;
  const n = size * size * 3;
  const features = new Float32Array(n * m);
  decoded.forEach(({ img }, j) => resizeInto(img, size, features, j, m));
  const featureNames = Array.from({ length: n }, (_, k) => `px${Math.floor(k / 3)}_${'rgb'[k % 3]}`);
  return {
    features,
    featureNames,
    m,
    columns: featureNames.map((name) => ({ kind: 'numeric', name })),
    target: { kind: 'labels', name: 'class', values: decoded.map((d) => d.label) },
    notes: [`${m} images in ${classes.length} classes (${classes.join(', ')}), resized to ${size}x${size}x3 = ${n} features, scaled to [0, 1]`],
  };
}
