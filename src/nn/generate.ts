/**
 * Generating text from a trained character-level language model (course 5,
 * week 1, "Dinosaurus Island"): x<1> is the vocabulary's start token (the pad for
 * a vocabulary without one, as models saved before it), and at each step the model's
 * softmax over the next character is sampled (sharpened or flattened by a
 * temperature), the drawn character becomes the next step's input, until the
 * end character or the step limit.
 */
import { PAD_INDEX, Vocabulary } from '../data/text.js';
import { Rng } from '../random/rng.js';
import { ValueError } from '../tensor/errors.js';
import { allocArray, Tensor } from '../tensor/tensor.js';
import { assertKnownKeys, assertPositiveFinite, assertPositiveInt, assertSeed, describe } from '../tensor/validate.js';
import { EmbeddingLayer } from './layers/embedding.js';
import { Network } from './network.js';

/** Options of {@link sampleText}. */
export interface SampleTextOptions {
  /** Seed of the generator that draws the characters; default 0. The same seed gives the same texts. */
  readonly seed?: number;
  /** How many texts; default 1. */
  readonly n?: number;
  /** The most characters per text, at most T_x (the steps the network reads); default T_x. */
  readonly maxLength?: number;
  /** Divides the logits before the softmax: < 1 sharper (more likely texts), > 1 flatter (more varied); default 1. */
  readonly temperature?: number;
  /** The character that ends a text; default '\n'. */
  readonly end?: string;
}

/** Layer types that see only the steps up to their own (a causal stack); a transformer encoder must be declared causal. */
const CAUSAL_TYPES: ReadonlySet<string> = new Set(['embedding', 'simpleRnn', 'lstm', 'gru', 'timeDistributed', 'dropout', 'activation', 'positionalEncoding', 'layerNorm', 'masking']);

/**
 * sampleText: texts drawn from a language model one character at a time. The network reads
 * sequences (V, m, T) of one-hot characters, or indices (1, m, T) when it starts with an
 * embedding, and ends in a softmax at every step (timeDistributed) over the same vocabulary; it
 * must be causal (step t's output sees steps 1..t only), so the full-length forward pass gives
 * step t's distribution from the characters drawn so far: the n texts are drawn together, one
 * pass per step. x<1> is the start token when the vocabulary has one (else the pad); the steps
 * not drawn yet are zeros (index 0, the pad; or all-zero one-hot vectors, which a masking layer marks).
 * Bidirectional layers, attention and non-causal encoders are refused, and so is a network that
 * masks index 0 with a vocabulary without a start token (its x<1> would be padding).
 *
 * @example
 * ```ts
 * import { Network, Vocabulary, sampleText } from 'layerwise';
 * const vocab = Vocabulary.fromStrings(['ab'], { extra: ['\n'] }); // pad, '\n', a, b
 * const net = new Network({ inputShape: { sequence: [4, 5] }, layers: [{ type: 'lstm', units: 3, returnSequences: true }, { type: 'timeDistributed', units: 4, activation: 'softmax' }], seed: 1 });
 * const texts = sampleText(net, vocab, { seed: 3, n: 4 });
 * texts.length === 4 && texts.join() === sampleText(net, vocab, { seed: 3, n: 4 }).join(); // true
 * texts.every((t) => t.length <= 5 && /^[ab]*$/.test(t)); // true
 * ```
 */
export function sampleText(net: Network, vocab: Vocabulary, options: SampleTextOptions = {}): string[] {
  const where = 'sampleText';
  if (!(net instanceof Network)) throw new ValueError(`${where}: net: expected a Network, got ${describe(net)}`);
  if (!(vocab instanceof Vocabulary)) throw new ValueError(`${where}: vocab: expected a Vocabulary, got ${describe(vocab)}`);
  if (options === null || typeof options !== 'object') throw new ValueError(`${where}: options: expected { seed?, n?, maxLength?, temperature?, end? }, got ${describe(options)}`);
  assertKnownKeys(options, ['seed', 'n', 'maxLength', 'temperature', 'end'], where, 'options.');
  const seed = assertSeed(options.seed ?? 0, where, 'options.seed');
  const n = assertPositiveInt(options.n ?? 1, where, 'options.n');
  const temperature = assertPositiveFinite(options.temperature ?? 1, where, 'options.temperature');
  const { indices, T } = checkLanguageModel(net, vocab, where);
  const maxLength = assertPositiveInt(options.maxLength ?? T, where, 'options.maxLength');
  if (maxLength > T) throw new ValueError(`${where}: options.maxLength: expected at most ${T} (T_x, the steps the network reads), got ${maxLength}`);
  const endChar = options.end ?? '\n';
  const end = vocab.indexOf(endChar);
  if (end === undefined) throw new ValueError(`${where}: options.end: expected a character of the vocabulary, got ${describe(endChar)}`);
  const V = vocab.size;
  const rng = new Rng(seed);
  const X = indices ? new Tensor([1, n, T], allocArray(n * T, net.dtype)) : new Tensor([V, n, T], allocArray(V * n * T, net.dtype));
  // x<1> is the start token (the pad without one): its index, or its one-hot vector. The steps after the
  // ones drawn stay 0 (index 0, or all-zero vectors: padding a mask skips; a causal step t never reads them).
  const first = vocab.startIndex ?? PAD_INDEX;
  for (let j = 0; j < n; j++) X.data[indices ? j * T : (first * n + j) * T] = indices ? first : 1;
  const drawn: number[][] = Array.from({ length: n }, () => []);
  const done = new Uint8Array(n);
  const p = new Float64Array(V);
  for (let t = 0; t < maxLength && done.some((d) => d === 0); t++) {
    const A = net.predict(X);
    for (let j = 0; j < n; j++) {
      if (done[j]) continue;
      for (let k = 0; k < V; k++) p[k] = A.data[(k * n + j) * T + t]!;
      const c = draw(p, temperature, rng.uniform(), where);
      if (c === end || c === PAD_INDEX || c === vocab.startIndex) {
        done[j] = 1;
        continue;
      }
      drawn[j]!.push(c);
      if (t + 1 < T) {
        if (indices) X.data[j * T + t + 1] = c;
        else X.data[(c * n + j) * T + t + 1] = 1;
      }
    }
  }
  return drawn.map((d) => vocab.decode(d));
}

/** Checks that the network is a causal language model over the vocabulary; says whether it reads indices, and T. */
function checkLanguageModel(net: Network, vocab: Vocabulary, where: string): { indices: boolean; T: number } {
  const seq = net.sequenceShape;
  const out = net.outputSequence;
  if (!seq || !out) throw new ValueError(`${where}: net: expected a language model (sequence input, a softmax at every step: timeDistributed), got ${seq ? 'a network without a sequence output' : 'a network without sequence input'}`);
  for (const l of net.declaredLayers) {
    const spec = l.toSpec() as { type?: string; causal?: boolean };
    const type = spec.type ?? 'dense';
    if (type === 'transformerEncoder' && spec.causal === true) continue;
    if (!CAUSAL_TYPES.has(type)) {
      const why = type === 'bidirectional' ? 'it reads the sequence backwards too, so step t sees the characters after it' : type === 'transformerEncoder' ? 'it is not causal (declare it with causal: true)' : 'step t may see the characters after it';
      throw new ValueError(`${where}: net: expected a causal network (each step sees only the steps before it), got a ${type} layer: ${why}`);
    }
  }
  const firstLayer: unknown = net.declaredLayers[0];
  const indices = firstLayer instanceof EmbeddingLayer;
  if (firstLayer instanceof EmbeddingLayer && firstLayer.maskZero && vocab.startIndex === null) {
    throw new ValueError(`${where}: vocab: the network's embedding masks index 0 (maskZero), so x<1> must be a start token; expected a vocabulary with one (start: true), got none`);
  }
  const V = vocab.size;
  if (indices ? seq.units !== 1 : seq.units !== V) {
    throw new ValueError(`${where}: vocab: expected ${indices ? 'indices (1, m, T)' : `${seq.units} characters with the pad (the network's n_x)`}, got a vocabulary of V = ${V}`);
  }
  if (out.units !== V) throw new ValueError(`${where}: vocab: the network's softmax has ${out.units} outputs, but the vocabulary has V = ${V}`);
  if (out.steps !== seq.steps) throw new ValueError(`${where}: net: expected as many output steps as input steps (T_y = T_x), got T_x = ${seq.steps}, T_y = ${out.steps}`);
  return { indices, T: seq.steps };
}

/** The index drawn from probabilities p at temperature tau: p^(1/tau), normalized (the logits divided by tau). */
function draw(p: Float64Array, tau: number, u: number, where: string): number {
  let max = 0;
  for (let k = 0; k < p.length; k++) {
    if (!Number.isFinite(p[k]!)) throw new ValueError(`${where}: net: the softmax gave ${p[k]} (not a probability); did training diverge?`);
    if (p[k]! > max) max = p[k]!;
  }
  if (!(max > 0)) throw new ValueError(`${where}: net: the softmax gave no positive probability at a step`);
  // (p / max)^(1/tau): the most likely character gets 1, so no temperature underflows every value.
  let sum = 0;
  for (let k = 0; k < p.length; k++) {
    const q = p[k]! > 0 ? (tau === 1 ? p[k]! : Math.exp(Math.log(p[k]! / max) / tau)) : 0;
    p[k] = q;
    sum += q;
  }
  let target = u * sum;
  let last = 0;
  for (let k = 0; k < p.length; k++) {
    if (p[k]! <= 0) continue;
    last = k;
    target -= p[k]!;
    if (target < 0) return k;
  }
  return last;
}
