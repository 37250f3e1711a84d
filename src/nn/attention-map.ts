/**
 * Reading what an attention decoder looks at (course 5, week 3: the
 * assignment's plot_attention_map): the weights α<t, t'> of a network's
 * attention layer for given inputs, and a heat map of one example's weights
 * as an SVG string, the source's characters along the top and the output's
 * down the side. Pure functions with no Node imports, so a browser page, the
 * CLI's HTML report and its file writers can all use them.
 */
import { backendFor } from '../backend/registry.js';
import { Chain } from './layers/layer.js';
import { AttentionLayer, type CompiledAttention } from './layers/attention.js';
import { batchBuffer } from './layers/shape.js';
import { Network } from './network.js';
import { ShapeError, ValueError } from '../tensor/errors.js';
import { allocArray, Allocations, Tensor } from '../tensor/tensor.js';
import { describe, toTensor, type TensorLike } from '../tensor/validate.js';

/** Examples per forward pass when reading weights (bounds the decoder's buffers). */
const CHUNK = 256;

/**
 * The attention weights of the network's (first) attention layer for inputs X (the network's
 * input, e.g. one-hot characters (V, m, T_x)): a (m, T_y, T_x) tensor whose entry (j, t, t') is
 * α<t, t'> of example j, how much output step t reads input step t' (each row sums to 1).
 *
 * @example
 * ```ts
 * import { attentionWeights, Network, Tensor } from 'layerwise';
 * const net = new Network({
 *   inputShape: { sequence: [3, 5] },
 *   layers: [{ type: 'lstm', units: 4, returnSequences: true }, { type: 'attention', steps: 2, units: 4 }, { type: 'timeDistributed', units: 3, activation: 'softmax' }],
 * });
 * const alphas = attentionWeights(net, new Tensor([3, 1, 5], new Float32Array(15).fill(0.5)));
 * alphas.shape.join() === '1,2,5'; // true: (m, T_y, T_x)
 * Math.abs(alphas.data.subarray(0, 5).reduce((s, a) => s + a, 0) - 1) < 1e-5; // true
 * ```
 */
export function attentionWeights(net: Network, x: TensorLike): Tensor {
  const where = 'attentionWeights';
  if (!(net instanceof Network)) throw new ValueError(`${where}: net: expected a Network, got ${describe(net)}`);
  const stack = net.layerStack;
  const at = stack.findIndex((l) => l instanceof AttentionLayer);
  if (at === -1) throw new ValueError(`${where}: net: expected a network with an attention layer ({ type: 'attention', ... }), got layers ${stack.map((l) => l.type).join(', ')}`);
  const X = net.checkInput(x, where);
  net.checkParameters(where);
  const layer = stack[at] as AttentionLayer;
  const m = net.examples(X);
  const Tx = layer.inputShape.steps;
  const Ty = layer.steps;
  const out = new Tensor([m, Ty, Tx], allocArray(m * Ty * Tx, net.dtype));
  const [n, , T] = X.shape as [number, number, number];
  const be = backendFor(net.dtype);
  for (let start = 0; start < m; start += CHUNK) {
    const count = Math.min(CHUNK, m - start);
    const owned = new Allocations();
    try {
      const { input, chain } = owned.collect(() => ({
        input: batchBuffer(be, net.inputLayout, count, net.dtype),
        chain: new Chain(stack.slice(0, at + 1), { be, m: count, dtype: net.dtype, withBackward: false, rng: net.rng }, false),
      }));
      // Examples start .. start + count of X (n, m, T) into the chunk's (n, count, T).
      for (let i = 0; i < n; i++) input.data.set(X.data.subarray((i * m + start) * T, (i * m + start + count) * T), i * count * T);
      chain.forward(input, false, false);
      const alphas = (chain.compiled[at] as CompiledAttention).alphas.data;
      // alphas (T_y, count T_x): row t, column j T_x + t'.
      for (let t = 0; t < Ty; t++) {
        for (let j = 0; j < count; j++) out.data.set(alphas.subarray((t * count + j) * Tx, (t * count + j + 1) * Tx), ((start + j) * Ty + t) * Tx);
      }
    } finally {
      owned.release();
    }
  }
  return out;
}

/** What {@link attentionMapSvg} draws. */
export interface AttentionMapOptions {
  /**
   * One example's weights (T_y, T_x) (rows: output steps, columns: input steps), or all of
   * {@link attentionWeights}' (m, T_y, T_x) with `example` choosing one. Values in [0, 1].
   */
  readonly weights: TensorLike;
  /** The input's characters (or tokens), at most T_x; the columns after them are padding. */
  readonly source: string | readonly string[];
  /** The output's characters (or tokens), exactly T_y. */
  readonly target: string | readonly string[];
  /** Which example of (m, T_y, T_x) weights; default 0. */
  readonly example?: number;
  /** A cell's edge in pixels; default 18. */
  readonly cellSize?: number;
  /** A caption above the map; default none. */
  readonly title?: string;
}

/**
 * A heat map of attention weights as a standalone SVG document: one row per output character,
 * one column per input character, darker where α<t, t'> is larger (white 0 to dark blue 1),
 * each cell with a tooltip giving its value; a colour legend below.
 *
 * @example
 * ```ts
 * import { attentionMapSvg } from 'layerwise';
 * const svg = attentionMapSvg({ weights: [[0.9, 0.1], [0.2, 0.8]], source: 'ab', target: 'xy' });
 * svg.startsWith('<svg') && svg.includes('α = 0.900'); // true
 * ```
 */
export function attentionMapSvg(options: AttentionMapOptions): string {
  const where = 'attentionMapSvg';
  if (options === null || typeof options !== 'object') throw new ValueError(`${where}: options: expected { weights, source, target }, got ${describe(options)}`);
  let W = toTensor(options.weights, where, 'weights');
  if (W.shape.length === 3) {
    const [m, Ty, Tx] = W.shape as [number, number, number];
    const example = options.example ?? 0;
    if (!Number.isInteger(example) || example < 0 || example >= m) throw new ValueError(`${where}: example: expected an integer in [0, ${m}) (the weights hold ${m} examples), got ${describe(example)}`);
    W = new Tensor([Ty, Tx], W.data.subarray(example * Ty * Tx, (example + 1) * Ty * Tx));
  } else if (options.example !== undefined) {
    throw new ValueError(`${where}: example: applies to (m, T_y, T_x) weights, got weights of shape (${W.shape.join(', ')})`);
  }
  if (W.shape.length !== 2 || W.size === 0) throw new ShapeError(`${where}: weights: expected a (T_y, T_x) matrix or (m, T_y, T_x) weights, got shape (${W.shape.join(', ')})`);
  const [Ty, Tx] = [W.rows, W.cols];
  const source = tokens(options.source, where, 'source');
  const target = tokens(options.target, where, 'target');
  if (source.length > Tx) throw new ShapeError(`${where}: source: expected at most T_x = ${Tx} characters (the weights' columns), got ${source.length}`);
  if (target.length !== Ty) throw new ShapeError(`${where}: target: expected T_y = ${Ty} characters (the weights' rows), got ${target.length}`);
  for (let i = 0; i < W.size; i++) {
    const v = W.data[i]!;
    if (!(v >= 0 && v <= 1)) throw new ValueError(`${where}: weights: expected values in [0, 1], got ${v} at row ${Math.floor(i / Tx)}, column ${i % Tx}`);
  }
  const cell = options.cellSize ?? 18;
  if (typeof cell !== 'number' || !Number.isFinite(cell) || cell < 4 || cell > 200) throw new ValueError(`${where}: cellSize: expected a number of pixels in [4, 200], got ${describe(options.cellSize)}`);
  if (options.title !== undefined && typeof options.title !== 'string') throw new ValueError(`${where}: title: expected a string, got ${describe(options.title)}`);
  const font = Math.round(cell * 0.7);
  const titleH = options.title ? cell * 1.5 : 0;
  const left = cell * 1.5;
  const top = titleH + cell * 1.5;
  const legendH = cell * 2.5;
  const width = left + Tx * cell + cell / 2;
  const height = top + Ty * cell + legendH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(width)}" height="${fmt(height)}" viewBox="0 0 ${fmt(width)} ${fmt(height)}" font-family="monospace" font-size="${font}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
  ];
  if (options.title) parts.push(`<text x="${fmt(left)}" y="${fmt(cell)}" font-family="sans-serif">${escapeXml(options.title)}</text>`);
  source.forEach((c, k) => parts.push(`<text x="${fmt(left + (k + 0.5) * cell)}" y="${fmt(top - cell * 0.4)}" text-anchor="middle">${escapeXml(shown(c))}</text>`));
  target.forEach((c, t) => parts.push(`<text x="${fmt(left - cell * 0.4)}" y="${fmt(top + (t + 0.7) * cell)}" text-anchor="end">${escapeXml(shown(c))}</text>`));
  for (let t = 0; t < Ty; t++) {
    for (let k = 0; k < Tx; k++) {
      const a = W.data[t * Tx + k]!;
      const label = `${escapeXml(shown(target[t]!))} ← ${k < source.length ? escapeXml(shown(source[k]!)) : '(pad)'}: α = ${a.toFixed(3)}`;
      parts.push(`<rect x="${fmt(left + k * cell)}" y="${fmt(top + t * cell)}" width="${fmt(cell)}" height="${fmt(cell)}" fill="${colour(a)}"><title>${label}</title></rect>`);
    }
  }
  parts.push(`<rect x="${fmt(left)}" y="${fmt(top)}" width="${fmt(Tx * cell)}" height="${fmt(Ty * cell)}" fill="none" stroke="#888888"/>`);
  // The legend: 0 .. 1 in ten steps.
  const ly = top + Ty * cell + cell * 0.6;
  const lw = Math.min(Tx * cell, 10 * cell) / 10;
  for (let i = 0; i < 10; i++) parts.push(`<rect x="${fmt(left + i * lw)}" y="${fmt(ly)}" width="${fmt(lw)}" height="${fmt(cell * 0.6)}" fill="${colour((i + 0.5) / 10)}"/>`);
  parts.push(`<text x="${fmt(left)}" y="${fmt(ly + cell * 1.5)}">0</text>`, `<text x="${fmt(left + 10 * lw)}" y="${fmt(ly + cell * 1.5)}" text-anchor="end">1</text>`, '</svg>');
  return parts.join('\n');
}

/** A string's characters, or a list of tokens, checked. */
function tokens(v: unknown, where: string, name: string): string[] {
  if (typeof v === 'string') return [...v];
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  throw new ValueError(`${where}: ${name}: expected a string or an array of strings, got ${describe(v)}`);
}

/** A space shown as a middle dot (a label must be visible). */
function shown(c: string): string {
  return c === ' ' ? '·' : c;
}

/** White (0) to dark blue (1). */
function colour(a: number): string {
  const mix = (from: number, to: number): string => Math.round(from + (to - from) * a).toString(16).padStart(2, '0');
  return `#${mix(255, 8)}${mix(255, 48)}${mix(255, 107)}`;
}

/** A coordinate with at most one decimal. */
function fmt(v: number): string {
  return String(Math.round(v * 10) / 10);
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
