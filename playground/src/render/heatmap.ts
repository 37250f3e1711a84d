/**
 * Painting an n x n grid of values. The grid is written once into an n x n
 * ImageData and scaled by the canvas, which keeps a frame's cost independent
 * of the canvas's pixel size.
 */
import { classColor, mix, NEUTRAL, signedColor } from './colors.js';

export type HeatMode = { kind: 'signed'; discretize: boolean } | { kind: 'classes'; classes: number; discretize: boolean };

const scratch = new Map<number, { canvas: HTMLCanvasElement; image: ImageData }>();

function scratchFor(n: number): { canvas: HTMLCanvasElement; image: ImageData } {
  let s = scratch.get(n);
  if (!s) {
    const canvas = document.createElement('canvas');
    canvas.width = n;
    canvas.height = n;
    s = { canvas, image: new ImageData(n, n) };
    scratch.set(n, s);
  }
  return s;
}

/** Writes RGBA pixels for the grid into `image`. For classes, `values` is class-major (K blocks of n*n). */
export function fillImage(image: ImageData, values: ArrayLike<number>, offset: number, mode: HeatMode): void {
  const cells = image.width * image.height;
  const px = image.data;
  for (let i = 0; i < cells; i++) {
    let c: [number, number, number];
    if (mode.kind === 'signed') {
      const v = values[offset + i]!;
      c = signedColor(mode.discretize ? (v >= 0 ? 1 : -1) : v);
    } else {
      let best = 0;
      let bestP = -Infinity;
      for (let k = 0; k < mode.classes; k++) {
        const p = values[offset + k * cells + i]!;
        if (p > bestP) {
          bestP = p;
          best = k;
        }
      }
      // Confidence above chance fades from white to the class colour.
      const chance = 1 / mode.classes;
      const t = mode.discretize ? 1 : Math.max(0, Math.min(1, (bestP - chance) / (1 - chance)));
      c = mix(NEUTRAL, classColor(best), t);
    }
    const o = i * 4;
    px[o] = c[0];
    px[o + 1] = c[1];
    px[o + 2] = c[2];
    px[o + 3] = 255;
  }
}

/** Paints the grid to fill `canvas` (any size), smoothing between grid cells. */
export function paintHeatmap(canvas: HTMLCanvasElement, values: ArrayLike<number>, n: number, offset: number, mode: HeatMode): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  if (canvas.width === n && canvas.height === n) {
    const s = scratchFor(n);
    fillImage(s.image, values, offset, mode);
    ctx.putImageData(s.image, 0, 0);
    return;
  }
  const s = scratchFor(n);
  fillImage(s.image, values, offset, mode);
  s.canvas.getContext('2d')!.putImageData(s.image, 0, 0);
  ctx.imageSmoothingEnabled = !mode.discretize;
  ctx.drawImage(s.canvas, 0, 0, canvas.width, canvas.height);
}
