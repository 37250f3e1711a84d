/**
 * `--layers`: the network body as a comma-separated list. A plain integer is a
 * dense layer of that many units (so `--layers 128,64` means what it always
 * did); the rest are the image layers of course 4:
 *
 *   conv<f>x<f>x<n_C>[/s<stride>][/same | /valid | /p<pad>]   e.g. conv5x5x32, conv3x3x64/same, conv3x3x64/s2/p1
 *   maxpool<f>[/s<stride>], avgpool<f>[/s<stride>]             stride f unless given
 *   bn                                                         batch normalization (per channel after a conv)
 *   res<f>x<n_C>                                               an identity block: two f x f 'same' convs of n_C
 *                                                              channels with batch norm, added to the input, ReLU
 *   flatten                                                    (inserted automatically before the first dense layer)
 *   none                                                       no hidden layer (logistic or softmax regression)
 *
 * and the sequence layers of course 5, for text data (--data words:<file> or pairs:<file>):
 *
 *   rnn<n_a>, gru<n_a>, lstm<n_a> [/seq] [/bi]                 a recurrent layer; /seq returns every step, /bi reads
 *                                                              both ways (the CLI sets /seq where the next layer needs it)
 *   emb<d>                                                     embedding of the characters (first; the input becomes indices)
 *   attn, attn<n_s>                                            attention (the course's date translation); T_y from the data
 *   enc<heads>x<d>                                             a transformer encoder block of width d (causal for a
 *                                                              language model); pos: positional encoding
 *
 * The CLI adds the output itself: a softmax at every step (timeDistributed) over the target's characters.
 */
import { InvalidArgumentError } from 'commander';
import type { ActivationName } from '../nn/activations.js';
import type { TypedLayerSpec } from '../nn/layers/spec.js';

/**
 * A sequence token: what the layer will be once the data gives the sizes it needs
 * (the vocabulary, T_y); see src/cli/commands/train-text.ts.
 */
export type SequenceToken =
  | { type: 'recurrent'; cell: 'simpleRnn' | 'lstm' | 'gru'; units: number; sequences: boolean; bidirectional: boolean }
  | { type: 'embed'; dim: number }
  | { type: 'attend'; units: number | null }
  | { type: 'encoder'; heads: number; dModel: number }
  | { type: 'positional' };

/** One token of `--layers`: a dense layer's units, a typed layer, or a sequence layer. */
export type LayerToken = number | TypedLayerSpec | SequenceToken;

/** The grammar, for error messages and help. */
export const LAYERS_GRAMMAR =
  '<units> (dense, e.g. 128), conv<f>x<f>x<n_C>[/s<stride>][/same|/valid|/p<pad>] (e.g. conv3x3x64/same), maxpool<f>[/s<stride>], avgpool<f>[/s<stride>], bn, res<f>x<n_C>, flatten; ' +
  'for text: rnn<n_a>|gru<n_a>|lstm<n_a>[/seq][/bi] (e.g. lstm64, lstm32/bi/seq), emb<d>, attn[<n_s>], enc<heads>x<d>, pos';

const POSITIVE = '([1-9]\\d*)';
const CONV = new RegExp(`^conv${POSITIVE}x${POSITIVE}x${POSITIVE}((?:/[a-z0-9]+)*)$`);
const POOL = new RegExp(`^(max|avg)pool${POSITIVE}((?:/[a-z0-9]+)*)$`);
const RES = new RegExp(`^res${POSITIVE}x${POSITIVE}$`);
const RECURRENT = new RegExp(`^(rnn|gru|lstm)${POSITIVE}((?:/[a-z0-9]+)*)$`);
const EMB = new RegExp(`^emb${POSITIVE}$`);
const ATTN = new RegExp(`^attn${POSITIVE}?$`);
const ENC = new RegExp(`^enc${POSITIVE}x${POSITIVE}$`);
const CELLS = { rnn: 'simpleRnn', gru: 'gru', lstm: 'lstm' } as const;

/** A sequence token (rnn, gru, lstm, emb, attn, enc, pos), or null. */
function parseSequenceToken(option: string, token: string): SequenceToken | null {
  const rec = RECURRENT.exec(token);
  if (rec) {
    const [, cell, n, rest] = rec;
    const mods = (rest ?? '').split('/').filter((m) => m !== '');
    for (const [i, m] of mods.entries()) {
      if ((m !== 'seq' && m !== 'bi') || mods.indexOf(m) !== i) fail(option, token, `"/${m}" is not a modifier of a recurrent layer (it takes /seq and /bi, once each)`);
    }
    return { type: 'recurrent', cell: CELLS[cell as keyof typeof CELLS], units: Number(n), sequences: mods.includes('seq'), bidirectional: mods.includes('bi') };
  }
  const emb = EMB.exec(token);
  if (emb) return { type: 'embed', dim: Number(emb[1]) };
  const attn = ATTN.exec(token);
  if (attn) return { type: 'attend', units: attn[1] === undefined ? null : Number(attn[1]) };
  const enc = ENC.exec(token);
  if (enc) {
    const [heads, d] = [Number(enc[1]), Number(enc[2])];
    if (d % heads !== 0) fail(option, token, `the width d = ${d} must split evenly over ${heads} heads (d_k = d / heads)`);
    return { type: 'encoder', heads, dModel: d };
  }
  if (token === 'pos') return { type: 'positional' };
  return null;
}

function fail(option: string, token: string, why: string): never {
  throw new InvalidArgumentError(`${option}: "${token}": ${why}; expected comma-separated layers: ${LAYERS_GRAMMAR}`);
}

/** Parses `/s2`, `/same`, `/valid`, `/p1` modifiers; `allowed` lists the kinds a layer takes. */
function modifiers(option: string, token: string, text: string, allowed: readonly ('stride' | 'padding')[]): { stride?: number; padding?: 'same' | 'valid' | number } {
  const out: { stride?: number; padding?: 'same' | 'valid' | number } = {};
  for (const m of text.split('/').filter((x) => x !== '')) {
    const stride = /^s([1-9]\d*)$/.exec(m);
    const pad = /^p(\d+)$/.exec(m);
    if (stride && allowed.includes('stride') && out.stride === undefined) out.stride = Number(stride[1]);
    else if ((m === 'same' || m === 'valid') && allowed.includes('padding') && out.padding === undefined) out.padding = m;
    else if (pad && allowed.includes('padding') && out.padding === undefined) out.padding = Number(pad[1]);
    else fail(option, token, `"/${m}" is not a modifier this layer takes (or is given twice)`);
  }
  return out;
}

/** One token as a layer (`activation` for dense and conv layers). */
function parseToken(option: string, token: string, activation: ActivationName): LayerToken {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    if (n < 1 || !Number.isSafeInteger(n)) fail(option, token, 'a dense layer needs a positive number of units');
    return n;
  }
  const conv = CONV.exec(token);
  if (conv) {
    const [, f1, f2, c, rest] = conv;
    if (f1 !== f2) fail(option, token, `filters are square (f x f), got ${f1}x${f2}`);
    return { type: 'conv2d', size: Number(f1), filters: Number(c), activation, ...modifiers(option, token, rest ?? '', ['stride', 'padding']) };
  }
  const pool = POOL.exec(token);
  if (pool) {
    const [, kind, f, rest] = pool;
    return { type: kind === 'max' ? 'maxPool2d' : 'avgPool2d', size: Number(f), ...modifiers(option, token, rest ?? '', ['stride']) } as TypedLayerSpec;
  }
  const res = RES.exec(token);
  if (res) {
    const f = Number(res[1]);
    const c = Number(res[2]);
    if (f % 2 === 0) fail(option, token, `a residual block's convs are 'same' and need an odd f, got ${f}`);
    const conv = (act: ActivationName): TypedLayerSpec => ({ type: 'conv2d', size: f, filters: c, padding: 'same', batchNorm: true, activation: act });
    return { type: 'residual', main: [conv(activation), conv('linear')], activation };
  }
  if (token === 'bn') return { type: 'batchNorm' };
  if (token === 'flatten') return { type: 'flatten' };
  return parseSequenceToken(option, token) ?? fail(option, token, 'not a layer');
}

/**
 * Parses `--layers` (for commander's argParser); dense and conv layers get the hidden activation later
 * (see {@link withActivation}), so the parser itself is context-free.
 *
 * @example
 * ```ts
 * parseLayers('--layers')('conv5x5x32,maxpool2,128'); // [{ type: 'conv2d', size: 5, filters: 32, activation: 'relu' }, { type: 'maxPool2d', size: 2 }, 128]
 * ```
 */
export function parseLayers(option: string): (value: string) => LayerToken[] {
  return (value) => {
    const v = value.trim();
    if (v === '' || v === 'none') return [];
    return v.split(',').map((t) => parseToken(option, t.trim().toLowerCase(), 'relu'));
  };
}

/** The tokens with the hidden activation given to their dense-free conv layers and residual blocks. */
export function withActivation<T extends LayerToken>(tokens: readonly T[], activation: ActivationName): T[] {
  const set = (t: TypedLayerSpec): TypedLayerSpec => {
    if (t.type === 'conv2d') return { ...t, activation: t.activation === 'linear' ? 'linear' : activation };
    if (t.type === 'residual') return { ...t, activation, main: t.main.map(set) };
    return t;
  };
  return tokens.map((t) => (typeof t === 'number' || isSequenceToken(t) ? t : (set(t) as T)));
}

const SEQUENCE_TOKENS: ReadonlySet<string> = new Set(['recurrent', 'embed', 'attend', 'encoder', 'positional']);

/** True when a token is a sequence layer (rnn, gru, lstm, emb, attn, enc, pos). */
export function isSequenceToken(t: LayerToken): t is SequenceToken {
  return typeof t !== 'number' && SEQUENCE_TOKENS.has(t.type ?? 'dense');
}

/** True when the tokens hold image layers (the network then takes images). */
export function hasImageLayers(tokens: readonly LayerToken[]): boolean {
  return tokens.some((t) => typeof t !== 'number' && !isSequenceToken(t) && t.type !== 'batchNorm' && t.type !== 'dense');
}
