/**
 * The image mode's state: the CNN's blocks (conv, pool, dense; a 10-way
 * softmax always closes it), the optimizer and its rate, the batch size and
 * the seed; its mapping to the library's NetworkOptions; and its URL hash
 * (`#mode=image&arch=c8x5,max2,c16x3,max2&lr=0.002&batch=32&opt=adam&seed=1`).
 * Reading a hash never throws: a bad value is dropped with a notice.
 */
import type { NetworkOptions } from '../lib.js';

export type Block =
  | { kind: 'conv'; filters: number; size: number; stride: number; padding: 'valid' | 'same' }
  | { kind: 'pool'; mode: 'max' | 'avg'; size: number }
  | { kind: 'dense'; units: number };

export type ImageOptimizer = 'gd' | 'momentum' | 'rmsprop' | 'adam';

export interface ImageState {
  blocks: Block[];
  learningRate: number;
  batchSize: number;
  optimizer: ImageOptimizer;
  seed: number;
  /** Random shifts of up to 2 pixels of the training batches (the library's augment). */
  augment: boolean;
}

export const IMAGE_LIMITS = {
  blocks: 8,
  filters: { min: 1, max: 32 },
  size: { min: 1, max: 7 },
  stride: { min: 1, max: 3 },
  pool: { min: 2, max: 3 },
  units: { min: 4, max: 128 },
  seed: { min: 0, max: 999_999 },
} as const;
export const IMAGE_LEARNING_RATES: readonly number[] = [0.0001, 0.0003, 0.001, 0.002, 0.003, 0.01, 0.03, 0.1, 0.3];
export const IMAGE_BATCH_SIZES: readonly number[] = [8, 16, 32, 64, 128];
export const IMAGE_OPTIMIZERS: readonly ImageOptimizer[] = ['gd', 'momentum', 'rmsprop', 'adam'];
export const CLASSES = 10;

export function defaultImageState(): ImageState {
  return {
    blocks: [
      { kind: 'conv', filters: 8, size: 5, stride: 1, padding: 'valid' },
      { kind: 'pool', mode: 'max', size: 2 },
      { kind: 'conv', filters: 16, size: 3, stride: 1, padding: 'valid' },
      { kind: 'pool', mode: 'max', size: 2 },
    ],
    learningRate: 0.002,
    batchSize: 32,
    optimizer: 'adam',
    seed: 1,
    augment: false,
  };
}

export function cloneImageState(s: ImageState): ImageState {
  return { ...s, blocks: s.blocks.map((b) => ({ ...b })) };
}

/** The library's network options: the blocks, then the softmax over the 10 digits. */
export function imageNetworkOptions(s: ImageState): NetworkOptions {
  return {
    inputShape: [28, 28, 1],
    layers: [
      ...s.blocks.map((b) => {
        switch (b.kind) {
          case 'conv':
            return { type: 'conv2d' as const, filters: b.filters, size: b.size, ...(b.stride !== 1 ? { stride: b.stride } : {}), ...(b.padding !== 'valid' ? { padding: b.padding } : {}) };
          case 'pool':
            return { type: b.mode === 'max' ? ('maxPool2d' as const) : ('avgPool2d' as const), size: b.size };
          case 'dense':
            return { units: b.units, activation: 'relu' as const };
        }
      }),
      { units: CLASSES, activation: 'softmax' as const },
    ],
    seed: s.seed,
  };
}

/** One block as the hash writes it: c8x5 (s2, p for 'same'), max2 / avg2, d32. */
export function blockCode(b: Block): string {
  switch (b.kind) {
    case 'conv':
      return `c${b.filters}x${b.size}${b.stride !== 1 ? `s${b.stride}` : ''}${b.padding === 'same' ? 'p' : ''}`;
    case 'pool':
      return `${b.mode}${b.size}`;
    case 'dense':
      return `d${b.units}`;
  }
}

const inRange = (n: number, r: { min: number; max: number }) => Number.isInteger(n) && n >= r.min && n <= r.max;

export function parseBlock(code: string): Block | string {
  let m = /^c(\d+)x(\d+)(?:s(\d+))?(p?)$/.exec(code);
  if (m) {
    const [filters, size, stride] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 1)];
    if (!inRange(filters, IMAGE_LIMITS.filters)) return `“${code}”: filters from ${IMAGE_LIMITS.filters.min} to ${IMAGE_LIMITS.filters.max}`;
    if (!inRange(size, IMAGE_LIMITS.size)) return `“${code}”: kernel size from ${IMAGE_LIMITS.size.min} to ${IMAGE_LIMITS.size.max}`;
    if (!inRange(stride, IMAGE_LIMITS.stride)) return `“${code}”: stride from ${IMAGE_LIMITS.stride.min} to ${IMAGE_LIMITS.stride.max}`;
    return { kind: 'conv', filters, size, stride, padding: m[4] ? 'same' : 'valid' };
  }
  m = /^(max|avg)(\d+)$/.exec(code);
  if (m) {
    const size = Number(m[2]);
    if (!inRange(size, IMAGE_LIMITS.pool)) return `“${code}”: pool size from ${IMAGE_LIMITS.pool.min} to ${IMAGE_LIMITS.pool.max}`;
    return { kind: 'pool', mode: m[1] as 'max' | 'avg', size };
  }
  m = /^d(\d+)$/.exec(code);
  if (m) {
    const units = Number(m[1]);
    if (!inRange(units, IMAGE_LIMITS.units)) return `“${code}”: units from ${IMAGE_LIMITS.units.min} to ${IMAGE_LIMITS.units.max}`;
    return { kind: 'dense', units };
  }
  return `“${code}” is not a block (c8x5, c16x3s2p, max2, avg2, d32)`;
}

/** True when the hash is the image mode's. */
export function isImageHash(hash: string): boolean {
  return new URLSearchParams(hash.replace(/^#/, '')).get('mode') === 'image';
}

export function encodeImageHash(s: ImageState): string {
  const p = new URLSearchParams();
  p.set('mode', 'image');
  p.set('arch', s.blocks.map(blockCode).join(','));
  p.set('lr', String(s.learningRate));
  p.set('batch', String(s.batchSize));
  p.set('opt', s.optimizer);
  p.set('augment', s.augment ? '1' : '0');
  p.set('seed', String(s.seed));
  return p.toString().replace(/%2C/g, ',');
}

export function decodeImageHash(hash: string): { state: ImageState; notices: string[] } {
  const state = defaultImageState();
  const notices: string[] = [];
  const bad = (key: string, value: string, why: string) => notices.push(`Ignored ${key}=“${value}”: ${why}.`);
  for (const [key, value] of new URLSearchParams(hash.replace(/^#/, ''))) {
    switch (key) {
      case 'mode':
        break;
      case 'arch': {
        const codes = value === '' ? [] : value.split(',');
        const blocks = codes.map(parseBlock);
        const problem = blocks.find((b): b is string => typeof b === 'string');
        if (problem) bad(key, value, problem);
        else if (blocks.length > IMAGE_LIMITS.blocks) bad(key, value, `at most ${IMAGE_LIMITS.blocks} blocks`);
        else state.blocks = blocks as Block[];
        break;
      }
      case 'lr': {
        const n = Number(value);
        if (IMAGE_LEARNING_RATES.includes(n)) state.learningRate = n;
        else bad(key, value, `expected one of ${IMAGE_LEARNING_RATES.join(', ')}`);
        break;
      }
      case 'batch': {
        const n = Number(value);
        if (IMAGE_BATCH_SIZES.includes(n)) state.batchSize = n;
        else bad(key, value, `expected one of ${IMAGE_BATCH_SIZES.join(', ')}`);
        break;
      }
      case 'opt':
        if ((IMAGE_OPTIMIZERS as readonly string[]).includes(value)) state.optimizer = value as ImageOptimizer;
        else bad(key, value, `expected one of ${IMAGE_OPTIMIZERS.join(', ')}`);
        break;
      case 'augment':
        if (value === '0' || value === '1') state.augment = value === '1';
        else bad(key, value, 'expected 0 or 1');
        break;
      case 'seed': {
        const n = Number(value);
        if (value.trim() !== '' && inRange(n, IMAGE_LIMITS.seed)) state.seed = n;
        else bad(key, value, `expected an integer from ${IMAGE_LIMITS.seed.min} to ${IMAGE_LIMITS.seed.max}`);
        break;
      }
      default:
        notices.push(`Ignored the unknown setting “${key}” of the image mode.`);
    }
  }
  return { state, notices };
}
