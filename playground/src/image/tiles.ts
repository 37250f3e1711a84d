/**
 * Painting a CNN's insides: every channel of a feature map, every filter of
 * a conv layer, and a digit, each as small tiles on one canvas (one
 * putImageData per canvas and frame; the CSS scales it up, pixelated).
 */
import { signedColor } from '../render/colors.js';

const GAP = 1;

function sized(canvas: HTMLCanvasElement, w: number, h: number): ImageData {
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  return new ImageData(w, h);
}

function put(image: ImageData, x: number, y: number, rgb: readonly number[]): void {
  const o = (y * image.width + x) * 4;
  image.data[o] = rgb[0]!;
  image.data[o + 1] = rgb[1]!;
  image.data[o + 2] = rgb[2]!;
  image.data[o + 3] = 255;
}

/** Dark ink on white: 0 is white, `max` black. */
function ink(v: number, max: number): [number, number, number] {
  const t = max > 0 ? Math.max(0, Math.min(1, v / max)) : 0;
  const g = Math.round(255 * (1 - t));
  return [g, g, Math.round(255 - 200 * t)];
}

/**
 * The c channels of an (h, w, c) row-major map as a grid of `columns` tiles, one scale for the whole
 * layer (so the channels that respond most stand out). Returns the grid's size in tiles.
 */
export function paintChannels(canvas: HTMLCanvasElement, data: Float32Array, h: number, w: number, c: number, columns: number): { cols: number; rows: number } {
  const cols = Math.min(columns, c);
  const rows = Math.ceil(c / cols);
  const image = sized(canvas, cols * (w + GAP) - GAP, rows * (h + GAP) - GAP);
  image.data.fill(255);
  let max = 0;
  for (const v of data) if (v > max) max = v;
  for (let k = 0; k < c; k++) {
    const tx = (k % cols) * (w + GAP);
    const ty = Math.floor(k / cols) * (h + GAP);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) put(image, tx + x, ty + y, ink(data[(y * w + x) * c + k]!, max));
  }
  canvas.getContext('2d')?.putImageData(image, 0, 0);
  return { cols, rows };
}

/**
 * A conv layer's W (f, f, c_in, c_out): one row of tiles per filter (output channel), one column per input
 * channel (at most `maxIn`), blue positive and orange negative on one scale for the layer.
 */
export function paintFilters(canvas: HTMLCanvasElement, data: Float32Array, f: number, cin: number, cout: number, maxIn = 8): { cols: number; rows: number } {
  const shown = Math.min(cin, maxIn);
  // One input channel: the filters in rows of 8 rather than one long column.
  const perRow = shown === 1 ? Math.min(8, cout) : shown;
  const rows = shown === 1 ? Math.ceil(cout / perRow) : cout;
  const image = sized(canvas, perRow * (f + GAP) - GAP, rows * (f + GAP) - GAP);
  image.data.fill(255);
  let max = 0;
  for (const v of data) max = Math.max(max, Math.abs(v));
  for (let o = 0; o < cout; o++) {
    for (let i = 0; i < shown; i++) {
      const tile = shown === 1 ? o : o * shown + i;
      const tx = (tile % perRow) * (f + GAP);
      const ty = Math.floor(tile / perRow) * (f + GAP);
      for (let y = 0; y < f; y++) for (let x = 0; x < f; x++) put(image, tx + x, ty + y, signedColor(max > 0 ? data[((y * f + x) * cin + i) * cout + o]! / max : 0));
    }
  }
  canvas.getContext('2d')?.putImageData(image, 0, 0);
  return { cols: perRow, rows };
}

/** One 28x28 digit (bytes 0-255 from `offset`, or grey levels in [0, 1]) as dark ink on white. */
export function paintDigit(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, offset = 0, scale = 255): void {
  const image = sized(canvas, 28, 28);
  for (let i = 0; i < 784; i++) {
    const g = Math.round(255 * (1 - pixels[offset + i]! / scale));
    image.data[i * 4] = g;
    image.data[i * 4 + 1] = g;
    image.data[i * 4 + 2] = g;
    image.data[i * 4 + 3] = 255;
  }
  canvas.getContext('2d')?.putImageData(image, 0, 0);
}
