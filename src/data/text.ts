/**
 * Text as sequences (course 5): a character vocabulary with a reserved pad
 * index (0), an optional unknown token and an optional start token (a language
 * model's x<1>), and the two encodings a sequence network reads, indices
 * (1, m, T) for an embedding layer and one-hot vectors (V, m, T) for a
 * recurrent layer or a softmax target. Strings shorter than T are padded at
 * the end with index 0 (as one-hot vectors: a 1 in row 0, or all zeros for a
 * `masking` layer); characters are Unicode code points.
 */
import { ValueError } from '../tensor/errors.js';
import { allocArray, assertDType, Tensor, type DType } from '../tensor/tensor.js';
import { assertKnownKeys, assertPositiveInt, describe } from '../tensor/validate.js';

/** Index of the pad token in every {@link Vocabulary}. */
export const PAD_INDEX = 0;
/** How the pad and unknown tokens read in {@link Vocabulary.token}. */
export const PAD_TOKEN = '<pad>';
export const UNKNOWN_TOKEN = '<unk>';
export const START_TOKEN = '<start>';
/** What {@link Vocabulary.decode} writes for the unknown token: U+FFFD, the replacement character. */
export const UNKNOWN_CHAR = '\uFFFD';

/** Options of {@link Vocabulary}'s constructor and {@link Vocabulary.fromStrings}. */
export interface VocabularyOptions {
  /** Reserve index 1 for characters outside the vocabulary (encoded there instead of refused); default false. */
  readonly unknown?: boolean;
  /**
   * Reserve an index for a start token (after the pad and the unknown token), a language model's
   * x<1>: distinct from the pad, so a network that masks padded steps still reads the first step.
   * Default false.
   */
  readonly start?: boolean;
}

/** Options of {@link Vocabulary.fromStrings}. */
export interface FromStringsOptions extends VocabularyOptions {
  /** Characters to include even if no string has them (a language model's '\n' end token). */
  readonly extra?: Iterable<string>;
}

/** A vocabulary as JSON: the characters after the reserved indices, in index order. */
export interface VocabularyJSON {
  readonly chars: readonly string[];
  readonly unknown: boolean;
  /** Present (true) only when the vocabulary has a start token; files written before it have none. */
  readonly start?: boolean;
}

/** Options of {@link encodeIndices} and {@link encodeOneHot}. */
export interface EncodeOptions {
  /** T: the number of steps, a positive integer; default the longest string's length. */
  readonly length?: number;
  /** Cut strings longer than `length` instead of refusing them; default false. */
  readonly truncate?: boolean;
  /** Default 'float32'. */
  readonly dtype?: DType;
  /**
   * encodeOneHot only: write the padded steps as all-zero vectors (what a `{ type: 'masking' }` first
   * layer marks as padding) instead of a 1 in row 0 (a softmax target's pad); default false.
   */
  readonly zeroPads?: boolean;
}

/**
 * A character vocabulary: index 0 is the pad token, index 1 the unknown token
 * when there is one, then the start token when there is one, then one index per character.
 *
 * @example
 * ```ts
 * import { Vocabulary } from 'layerwise';
 * const vocab = Vocabulary.fromStrings(['abba', 'cab']); // 'a' 1, 'b' 2, 'c' 3; 0 is the pad
 * vocab.size === 4 && vocab.encode('cab').join() === '3,1,2'; // true
 * vocab.decode([3, 1, 2, 0, 0]) === 'cab'; // true
 * const lm = Vocabulary.fromStrings(['ab'], { start: true }); // pad 0, start 1, 'a' 2, 'b' 3
 * lm.startIndex === 1 && lm.encode('ab').join() === '2,3' && lm.decode([1, 2, 3]) === 'ab'; // true
 * ```
 */
export class Vocabulary {
  /** The characters after the reserved indices, in index order. */
  readonly chars: readonly string[];
  /** Index of the unknown token, or null when characters outside the vocabulary are refused. */
  readonly unknownIndex: number | null;
  /** Index of the start token (a language model's x<1>), or null when there is none. */
  readonly startIndex: number | null;
  readonly padIndex = PAD_INDEX;
  private readonly index: ReadonlyMap<string, number>;

  /** A vocabulary of the given characters, each once, in the given order (each a single code point). */
  constructor(chars: Iterable<string>, options: VocabularyOptions = {}) {
    const where = 'Vocabulary';
    checkOptions(options, ['unknown', 'start'], where);
    for (const key of ['unknown', 'start'] as const) {
      if (options[key] !== undefined && typeof options[key] !== 'boolean') throw new ValueError(`${where}: options.${key}: expected a boolean, got ${describe(options[key])}`);
    }
    if (chars === null || typeof chars !== 'object' || !(Symbol.iterator in chars)) throw new ValueError(`${where}: chars: expected an iterable of characters, got ${describe(chars)}`);
    this.unknownIndex = options.unknown ? 1 : null;
    this.startIndex = options.start ? (options.unknown ? 2 : 1) : null;
    const first = 1 + (options.unknown ? 1 : 0) + (options.start ? 1 : 0);
    const list: string[] = [];
    const index = new Map<string, number>();
    for (const c of chars) {
      if (typeof c !== 'string' || [...c].length !== 1) throw new ValueError(`${where}: chars[${list.length}]: expected one character (a code point), got ${describe(c)}`);
      if (index.has(c)) throw new ValueError(`${where}: chars[${list.length}]: expected each character once, got ${describe(c)} again (first at ${index.get(c)! - first})`);
      index.set(c, first + list.length);
      list.push(c);
    }
    this.chars = list;
    this.index = index;
  }

  /**
   * The vocabulary of every character in the strings (and `extra`), sorted by code point.
   *
   * @example
   * ```ts
   * import { Vocabulary } from 'layerwise';
   * const v = Vocabulary.fromStrings(['ba'], { unknown: true, extra: ['\n'] });
   * v.chars.join('') === '\nab' && v.size === 5 && v.encode('z?').join() === '1,1'; // true
   * ```
   */
  static fromStrings(strings: readonly string[], options: FromStringsOptions = {}): Vocabulary {
    const where = 'Vocabulary.fromStrings';
    checkStrings(strings, where);
    checkOptions(options, ['unknown', 'start', 'extra'], where);
    const set = new Set<string>();
    for (const s of strings) for (const c of s) set.add(c);
    if (options.extra !== undefined) {
      if (options.extra === null || typeof options.extra !== 'object' || !(Symbol.iterator in options.extra)) {
        throw new ValueError(`${where}: options.extra: expected an iterable of characters, got ${describe(options.extra)}`);
      }
      for (const c of options.extra) {
        if (typeof c !== 'string' || [...c].length !== 1) throw new ValueError(`${where}: options.extra: expected single characters, got ${describe(c)}`);
        set.add(c);
      }
    }
    const sorted = [...set].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new Vocabulary(sorted, { ...(options.unknown !== undefined ? { unknown: options.unknown } : {}), ...(options.start !== undefined ? { start: options.start } : {}) });
  }

  /**
   * A vocabulary from {@link Vocabulary.toJSON}'s output (a model file's), checked.
   *
   * @example
   * ```ts
   * import { Vocabulary } from 'layerwise';
   * const v = Vocabulary.fromStrings(['hello'], { unknown: true });
   * Vocabulary.fromJSON(JSON.parse(JSON.stringify(v))).encode('hole').join() === v.encode('hole').join(); // true
   * ```
   */
  static fromJSON(json: unknown): Vocabulary {
    const where = 'Vocabulary.fromJSON';
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new ValueError(`${where}: json: expected { chars, unknown, start? }, got ${describe(json)}`);
    const o = json as Record<string, unknown>;
    checkOptions(o, ['chars', 'unknown', 'start'], where, 'json.');
    if (!Array.isArray(o.chars)) throw new ValueError(`${where}: json.chars: expected an array of characters, got ${describe(o.chars)}`);
    if (typeof o.unknown !== 'boolean') throw new ValueError(`${where}: json.unknown: expected a boolean, got ${describe(o.unknown)}`);
    if (o.start !== undefined && typeof o.start !== 'boolean') throw new ValueError(`${where}: json.start: expected a boolean or nothing, got ${describe(o.start)}`);
    return new Vocabulary(o.chars as string[], { unknown: o.unknown, start: o.start === true });
  }

  /** V: the number of indices, reserved ones included (an embedding's vocab, a one-hot vector's length). */
  get size(): number {
    return this.reserved + this.chars.length;
  }

  /** How many indices come before the characters: the pad, the unknown and the start tokens. */
  private get reserved(): number {
    return 1 + (this.unknownIndex === null ? 0 : 1) + (this.startIndex === null ? 0 : 1);
  }

  /** The index of a character, or undefined when it is outside the vocabulary (the unknown token is not substituted here). */
  indexOf(char: string): number | undefined {
    return this.index.get(char);
  }

  /** How index i reads: its character, or `<pad>` / `<unk>` / `<start>`. */
  token(i: number): string {
    if (i === PAD_INDEX) return PAD_TOKEN;
    if (i === this.unknownIndex) return UNKNOWN_TOKEN;
    if (i === this.startIndex) return START_TOKEN;
    const c = this.chars[i - this.reserved];
    if (c === undefined || !Number.isInteger(i)) throw new ValueError(`Vocabulary.token: i: expected an integer in [0, ${this.size}), got ${describe(i)}`);
    return c;
  }

  /**
   * The indices of a string's characters. A character outside the vocabulary becomes the
   * unknown token when there is one; otherwise it throws, naming the character and its position.
   */
  encode(text: string): number[] {
    if (typeof text !== 'string') throw new ValueError(`Vocabulary.encode: text: expected a string, got ${describe(text)}`);
    return encodeChars(this, [...text], 'Vocabulary.encode: text');
  }

  /** The string of the indices: pads and the start token are skipped, the unknown token reads U+FFFD; an index outside [0, V) throws. */
  decode(indices: Iterable<number>): string {
    let out = '';
    let k = 0;
    for (const i of indices) {
      if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= this.size) {
        throw new ValueError(`Vocabulary.decode: indices[${k}]: expected an integer in [0, ${this.size}) (the vocabulary's size), got ${describe(i)}`);
      }
      if (i === this.unknownIndex) out += UNKNOWN_CHAR;
      else if (i !== PAD_INDEX && i !== this.startIndex) out += this.token(i);
      k++;
    }
    return out;
  }

  toJSON(): VocabularyJSON {
    return { chars: [...this.chars], unknown: this.unknownIndex !== null, ...(this.startIndex !== null ? { start: true } : {}) };
  }
}

/**
 * Strings as indices (1, m, T) for an embedding layer: column j holds string j's
 * character indices, then 0 (the pad) up to T.
 *
 * @example
 * ```ts
 * import { Vocabulary, encodeIndices } from 'layerwise';
 * const vocab = Vocabulary.fromStrings(['ab', 'b']);
 * const X = encodeIndices(['ab', 'b'], vocab, { length: 3 });
 * X.shape.join() === '1,2,3' && X.data.join() === '1,2,0,2,0,0'; // true
 * ```
 */
export function encodeIndices(strings: readonly string[], vocab: Vocabulary, options: EncodeOptions = {}): Tensor {
  const where = 'encodeIndices';
  const { rows, T, dtype } = prepare(strings, vocab, options, where, ['length', 'truncate', 'dtype']);
  return indicesTensor(rows, T, dtype);
}

/** Rows of T indices (one per example) as the tensor (1, m, T). Unchecked: the caller made the rows. */
export function indicesTensor(rows: readonly ArrayLike<number>[], T: number, dtype: DType = 'float32'): Tensor {
  const m = rows.length;
  const out = new Tensor([1, m, T], allocArray(m * T, dtype));
  rows.forEach((r, j) => out.data.set(r, j * T));
  return out;
}

/**
 * Rows of T indices in [0, V) (one per example) as one-hot vectors (V, m, T); with `zeroPads`, a pad
 * (index 0) is an all-zero vector instead. Unchecked: the caller made the rows.
 */
export function oneHotTensor(rows: readonly ArrayLike<number>[], V: number, T: number, options: { dtype?: DType; zeroPads?: boolean } = {}): Tensor {
  const m = rows.length;
  const out = new Tensor([V, m, T], allocArray(V * m * T, options.dtype ?? 'float32'));
  const first = options.zeroPads ? PAD_INDEX + 1 : 0;
  rows.forEach((r, j) => {
    for (let t = 0; t < T; t++) if (r[t]! >= first) out.data[(r[t]! * m + j) * T + t] = 1;
  });
  return out;
}

/**
 * Strings as one-hot vectors (V, m, T), V = vocab.size: step t of example j has a 1 in the
 * row of its character's index; the steps after the string have it in row 0 (the pad token),
 * so every column sums to 1, as a softmax target needs, or, with `zeroPads: true`, are all
 * zeros, the padding a `{ type: 'masking' }` first layer marks.
 *
 * @example
 * ```ts
 * import { Vocabulary, encodeOneHot } from 'layerwise';
 * const vocab = Vocabulary.fromStrings(['ab']);
 * const Y = encodeOneHot(['b'], vocab, { length: 2 }); // V = 3: pad, a, b
 * Y.shape.join() === '3,1,2' && Y.data.join() === '0,1,0,0,1,0'; // true
 * encodeOneHot(['b'], vocab, { length: 2, zeroPads: true }).data.join() === '0,0,0,0,1,0'; // true
 * ```
 */
export function encodeOneHot(strings: readonly string[], vocab: Vocabulary, options: EncodeOptions = {}): Tensor {
  const where = 'encodeOneHot';
  const { rows, T, dtype } = prepare(strings, vocab, options, where, ['length', 'truncate', 'dtype', 'zeroPads']);
  if (options.zeroPads !== undefined && typeof options.zeroPads !== 'boolean') throw new ValueError(`${where}: options.zeroPads: expected a boolean, got ${describe(options.zeroPads)}`);
  return oneHotTensor(rows, vocab.size, T, { dtype, zeroPads: options.zeroPads === true });
}

/** The indices of each string padded (or cut) to T, with the options checked. */
function prepare(strings: readonly string[], vocab: Vocabulary, options: EncodeOptions, where: string, allowed: readonly (keyof EncodeOptions)[]): { rows: Int32Array[]; T: number; dtype: DType } {
  checkStrings(strings, where);
  if (!(vocab instanceof Vocabulary)) throw new ValueError(`${where}: vocab: expected a Vocabulary, got ${describe(vocab)}`);
  checkOptions(options, allowed, where);
  const dtype = assertDType(options.dtype ?? 'float32', where, 'options.dtype');
  if (options.truncate !== undefined && typeof options.truncate !== 'boolean') throw new ValueError(`${where}: options.truncate: expected a boolean, got ${describe(options.truncate)}`);
  const chars = strings.map((s) => [...s]);
  let T: number;
  if (options.length === undefined) {
    T = Math.max(...chars.map((c) => c.length));
    if (T === 0) throw new ValueError(`${where}: strings: expected at least one non-empty string to set T (or options.length), got ${strings.length} empty strings`);
  } else {
    T = assertPositiveInt(options.length, where, 'options.length (T, the number of steps)');
  }
  const rows = chars.map((c, j) => {
    if (c.length > T && !options.truncate) {
      throw new ValueError(`${where}: strings[${j}]: expected at most ${T} characters (options.length; pass truncate: true to cut), got ${c.length}: ${describe(strings[j])}`);
    }
    const r = new Int32Array(T);
    r.set(encodeChars(vocab, c.slice(0, T), `${where}: strings[${j}] (${describe(strings[j])})`));
    return r;
  });
  return { rows, T, dtype };
}

/** The indices of characters, the unknown index for the ones outside the vocabulary, or an error naming the first one. */
function encodeChars(vocab: Vocabulary, chars: readonly string[], what: string): number[] {
  return chars.map((c, i) => {
    const k = vocab.indexOf(c);
    if (k !== undefined) return k;
    if (vocab.unknownIndex !== null) return vocab.unknownIndex;
    throw new ValueError(`${what}: character ${describe(c)} at position ${i} is not in the vocabulary (${vocab.chars.length} characters: ${describe(vocab.chars.join(''))}; build it with unknown: true to map such characters to ${UNKNOWN_TOKEN})`);
  });
}

function checkStrings(strings: unknown, where: string): asserts strings is readonly string[] {
  if (!Array.isArray(strings)) throw new ValueError(`${where}: strings: expected an array of strings, got ${describe(strings)}`);
  if (strings.length === 0) throw new ValueError(`${where}: strings: expected at least one string, got an empty array`);
  strings.forEach((s, j) => {
    if (typeof s !== 'string') throw new ValueError(`${where}: strings[${j}]: expected a string, got ${describe(s)}`);
  });
}

function checkOptions(options: unknown, allowed: readonly string[], where: string, prefix = 'options.'): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ValueError(`${where}: options: expected an object, got ${describe(options)}`);
  assertKnownKeys(options, allowed, where, prefix);
}
