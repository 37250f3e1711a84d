/**
 * The helpers of the course's character-level language model (course 5,
 * week 1, "Dinosaurus Island"): clip, which bounds every gradient element to
 * [-maxValue, maxValue] before an update, and sample, which generates a
 * sequence one character at a time from a trained RNN.
 */
import { backendFor } from '../backend/registry.js';
import { checkCall } from '../nn/sequence/checks.js';
import { rnnStep, softmaxOutput } from '../nn/sequence/rnn.js';
import { free } from '../nn/sequence/views.js';
import { Rng } from '../random/rng.js';
import { ShapeError, ValueError } from '../tensor/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { assertKnownKeys, assertPositiveFinite, assertPositiveInt, assertSeed, describe } from '../tensor/validate.js';
import { RNN_SPEC, type RnnParametersLike } from './rnn.js';

/**
 * clip: a copy of each gradient with every element clipped to [-maxValue, maxValue]
 * (numpy's clip, as the course's assignment does; ±Infinity becomes ±maxValue). The
 * gradients given are not changed. A NaN is refused: it is divergence, not a large step.
 *
 * @example
 * ```ts
 * import { clip, tensor } from 'layerwise';
 * const { dWaa, dba } = clip({ dWaa: tensor([[12, -0.5], [-30, 4]]), dba: tensor([[7], [-7]]) }, 5);
 * dWaa.data.join() === '5,-0.5,-5,4' && dba.data.join() === '5,-5'; // true
 * ```
 */
export function clip<G extends Record<keyof G, Tensor>>(gradients: G, maxValue: number): { [K in keyof G]: Tensor } {
  const where = 'clip';
  if (gradients === null || typeof gradients !== 'object' || Array.isArray(gradients) || gradients instanceof Tensor) {
    throw new ValueError(`${where}: gradients: expected an object of gradient Tensors ({ dWaa, dWax, dWya, db, dby }), got ${describe(gradients)}`);
  }
  const max = assertPositiveFinite(maxValue, where, 'maxValue');
  const out: Record<string, Tensor> = {};
  for (const [name, g] of Object.entries(gradients)) {
    if (!(g instanceof Tensor)) throw new ValueError(`${where}: gradients.${name}: expected a Tensor, got ${describe(g)}`);
    const be = backendFor(g.dtype);
    const c = be.zeros(g.shape, g.dtype);
    be.copy(g, c);
    // No kernel clips: one pass here (the values are read once either way).
    const d = c.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (Number.isNaN(v)) throw new ValueError(`${where}: gradients.${name}: expected numbers, got NaN at index ${i} (the gradients diverged: lower the learning rate)`);
      if (v > max) d[i] = max;
      else if (v < -max) d[i] = -max;
    }
    out[name] = c;
  }
  return out as { [K in keyof G]: Tensor };
}

/** sample's options. */
export interface SampleOptions {
  /** Seed of the generator that draws each character; default 0. */
  readonly seed?: number;
  /** The most characters drawn before '\n' is appended (the course's 50). */
  readonly maxLength?: number;
}

/** The character of each index of a charToIx map that covers 0 .. vocab - 1 once each and has '\n'. */
function invertVocabulary(charToIx: unknown, vocab: number, where: string): { chars: string[]; newline: number } {
  const entries: [unknown, unknown][] =
    charToIx instanceof Map ? [...charToIx.entries()] : charToIx !== null && typeof charToIx === 'object' && !Array.isArray(charToIx) ? Object.entries(charToIx) : [];
  if (entries.length === 0) throw new ValueError(`${where}: charToIx: expected a map from each character to its index (an object or a Map), got ${describe(charToIx)}`);
  const chars: string[] = new Array<string>(vocab);
  for (const [ch, ix] of entries) {
    if (typeof ch !== 'string' || ch === '') throw new ValueError(`${where}: charToIx: expected characters as keys, got ${describe(ch)}`);
    if (typeof ix !== 'number' || !Number.isInteger(ix) || ix < 0 || ix >= vocab) {
      throw new ValueError(`${where}: charToIx[${JSON.stringify(ch)}]: expected an index in [0, ${vocab}) (the vocabulary size, by's rows), got ${describe(ix)}`);
    }
    if (chars[ix] !== undefined) throw new ValueError(`${where}: charToIx[${JSON.stringify(ch)}]: expected each index once, got ${ix} also for ${JSON.stringify(chars[ix])}`);
    chars[ix] = ch;
  }
  if (entries.length !== vocab) {
    throw new ShapeError(`${where}: charToIx: expected ${vocab} characters (the vocabulary size, by's rows), got ${entries.length}`);
  }
  const newline = chars.indexOf('\n');
  if (newline < 0) throw new ValueError(`${where}: charToIx: expected '\\n' in the vocabulary (it ends each sample), got ${describe(chars.join(''))}`);
  return { chars, newline };
}

/**
 * sample: generates a sequence from an RNN's parameters one character at a time, as the
 * course's sample does: x<1> = 0 and a<0> = 0; at each step a = tanh(Wax x + Waa a_prev + ba),
 * y = softmax(Wya a + by), the next index is drawn from y, and x becomes its one-hot vector;
 * it stops at '\n' or after maxLength (50) characters, when '\n' is appended. The draws come
 * from an {@link Rng} seeded once with `seed` (the course reseeds numpy at every step instead).
 *
 * @example
 * ```ts
 * import { sample, zeros } from 'layerwise';
 * const charToIx = { '\n': 0, a: 1, b: 2 };
 * const parameters = { Wax: zeros([4, 3]), Waa: zeros([4, 4]), ba: zeros([4, 1]), Wya: zeros([3, 4]), by: zeros([3, 1]) };
 * parameters.by.data.set([-20, 20, -20]);               // 'a' almost surely
 * const { indices, text } = sample(parameters, charToIx, { seed: 1 });
 * text === 'a'.repeat(50) + '\n' && indices.length === 51; // true
 * ```
 */
export function sample(parameters: RnnParametersLike, charToIx: Readonly<Record<string, number>> | ReadonlyMap<string, number>, options: SampleOptions = {}): { indices: number[]; text: string } {
  const where = 'sample';
  if (options === null || typeof options !== 'object') throw new ValueError(`${where}: options: expected { seed?, maxLength? }, got ${describe(options)}`);
  assertKnownKeys(options, ['seed', 'maxLength'], where, 'options.');
  const seed = assertSeed(options.seed ?? 0, where, 'options.seed');
  const maxLength = assertPositiveInt(options.maxLength ?? 50, where, 'options.maxLength');
  const { dtype, dims, p } = checkCall(where, parameters, RNN_SPEC, []);
  const [vocab, nA] = [dims.get('n_y'), dims.get('n_a')];
  if (dims.get('n_x') !== vocab) {
    throw new ShapeError(`${where}: parameters.Wax: expected ${vocab} columns (n_x = n_y = the vocabulary: the input is the previous character, one-hot), got ${dims.get('n_x')}`);
  }
  const { chars, newline } = invertVocabulary(charToIx, vocab, where);
  const be = backendFor(dtype);
  const x = be.zeros([vocab, 1], dtype);
  let [aPrev, a] = [be.zeros([nA, 1], dtype), be.zeros([nA, 1], dtype)];
  const y = be.zeros([vocab, 1], dtype);
  const rng = new Rng(seed);
  const indices: number[] = [];
  let idx = -1;
  while (idx !== newline && indices.length < maxLength) {
    rnnStep(be, p, x, aPrev, a);
    softmaxOutput(be, p.Wya, p.by, a, y);
    idx = draw(y.data, rng.uniform());
    indices.push(idx);
    be.fill(x, 0);
    x.data[idx] = 1;
    [aPrev, a] = [a, aPrev];
  }
  if (idx !== newline) indices.push(newline);
  free(x, aPrev, a, y);
  return { indices, text: indices.map((i) => chars[i]).join('') };
}

/** The index i where the cumulative sum of the probabilities first exceeds u (the last non-zero one if rounding leaves u above the total). */
function draw(probabilities: ArrayLike<number>, u: number): number {
  let sum = 0;
  let last = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const q = probabilities[i]!;
    if (q <= 0) continue;
    last = i;
    sum += q;
    if (u < sum) return i;
  }
  return last;
}
