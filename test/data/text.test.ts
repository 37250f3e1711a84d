import { describe, expect, it, vi } from 'vitest';
import { deserializeModel, encodeIndices, encodeOneHot, Network, sampleText, serializeModel, Vocabulary, type Tensor } from '../../src/index.js';

describe('Vocabulary', () => {
  it('reserves 0 for the pad, sorts the characters by code point and encodes/decodes', () => {
    const v = Vocabulary.fromStrings(['cab', 'ba']);
    expect(v.chars).toEqual(['a', 'b', 'c']);
    expect(v.size).toBe(4);
    expect(v.encode('abc')).toEqual([1, 2, 3]);
    expect(v.decode([3, 1, 2, 0, 0])).toBe('cab');
    expect(v.token(0)).toBe('<pad>');
    expect(v.unknownIndex).toBeNull();
  });

  it('maps characters outside the vocabulary to the unknown token (index 1) when it has one', () => {
    const v = Vocabulary.fromStrings(['ab'], { unknown: true, extra: ['\n'] });
    expect(v.chars).toEqual(['\n', 'a', 'b']);
    expect(v.size).toBe(5);
    expect(v.encode('azb\n')).toEqual([3, 1, 4, 2]);
    expect(v.decode([3, 1, 4])).toBe('a\uFFFDb');
    expect(v.token(1)).toBe('<unk>');
  });

  it('handles characters beyond the BMP as one character each', () => {
    const v = Vocabulary.fromStrings(['a🦖']);
    expect(v.size).toBe(3);
    expect(v.encode('🦖a')).toEqual([2, 1]);
    expect(encodeIndices(['🦖'], v).shape).toEqual([1, 1, 1]);
  });

  it('round-trips through JSON', () => {
    const v = Vocabulary.fromStrings(['hello world'], { unknown: true });
    const w = Vocabulary.fromJSON(JSON.parse(JSON.stringify(v)));
    expect(w.chars).toEqual(v.chars);
    expect(w.encode('low?')).toEqual(v.encode('low?'));
    expect(() => Vocabulary.fromJSON({ chars: ['a', 'a'], unknown: false })).toThrow('Vocabulary: chars[1]: expected each character once, got "a" again');
    expect(() => Vocabulary.fromJSON({ chars: ['ab'], unknown: false })).toThrow('Vocabulary: chars[0]: expected one character (a code point), got "ab"');
    expect(() => Vocabulary.fromJSON({ chars: ['a'] })).toThrow('Vocabulary.fromJSON: json.unknown: expected a boolean, got undefined');
    expect(() => Vocabulary.fromJSON([])).toThrow('Vocabulary.fromJSON: json: expected { chars, unknown, start? }');
  });

  it('reserves an index for the start token after the pad (and the unknown token), skipped when decoding', () => {
    const v = Vocabulary.fromStrings(['ab'], { start: true, extra: ['\n'] }); // pad 0, start 1, '\n' 2, a 3, b 4
    expect([v.startIndex, v.size]).toEqual([1, 5]);
    expect(v.encode('ab\n')).toEqual([3, 4, 2]);
    expect(v.token(1)).toBe('<start>');
    expect(v.decode([1, 3, 4, 0])).toBe('ab');
    const u = Vocabulary.fromStrings(['ab'], { unknown: true, start: true }); // pad 0, unk 1, start 2, a 3, b 4
    expect([u.unknownIndex, u.startIndex, u.size]).toEqual([1, 2, 5]);
    expect(u.encode('azb')).toEqual([3, 1, 4]);
    expect(u.decode([2, 3, 1])).toBe('a\uFFFD');
    expect(Vocabulary.fromStrings(['ab']).startIndex).toBeNull();
    expect(() => new Vocabulary(['a'], { start: 1 } as never)).toThrow('Vocabulary: options.start: expected a boolean, got 1');
  });

  it('keeps the start token through JSON; a vocabulary saved without one has none', () => {
    const v = Vocabulary.fromStrings(['ab'], { start: true });
    const json = JSON.parse(JSON.stringify(v)) as unknown;
    expect(json).toEqual({ chars: ['a', 'b'], unknown: false, start: true });
    expect(Vocabulary.fromJSON(json).startIndex).toBe(1);
    expect(Vocabulary.fromStrings(['ab']).toJSON()).toEqual({ chars: ['a', 'b'], unknown: false });
    expect(Vocabulary.fromJSON({ chars: ['a', 'b'], unknown: false }).startIndex).toBeNull();
    expect(() => Vocabulary.fromJSON({ chars: ['a'], unknown: false, start: 'yes' })).toThrow('Vocabulary.fromJSON: json.start: expected a boolean or nothing, got "yes"');
  });

  it('refuses a character outside a vocabulary without unknown token, naming it and its position', () => {
    const v = Vocabulary.fromStrings(['abc']);
    expect(() => v.encode('abz')).toThrow('Vocabulary.encode: text: character "z" at position 2 is not in the vocabulary (3 characters: "abc"; build it with unknown: true');
    expect(() => v.decode([4])).toThrow('Vocabulary.decode: indices[0]: expected an integer in [0, 4)');
    expect(() => Vocabulary.fromStrings([])).toThrow('Vocabulary.fromStrings: strings: expected at least one string, got an empty array');
    expect(() => Vocabulary.fromStrings(['a'], { unknwn: true } as never)).toThrow('did you mean unknown?');
  });
});

describe('encodeIndices / encodeOneHot', () => {
  const v = Vocabulary.fromStrings(['abc']); // pad 0, a 1, b 2, c 3

  it('encodeIndices writes (1, m, T) with each string padded with 0 at the end', () => {
    const X = encodeIndices(['cab', 'b', ''], v, { length: 4 });
    expect(X.shape).toEqual([1, 3, 4]);
    expect([...X.data]).toEqual([3, 1, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
    // T defaults to the longest string
    expect(encodeIndices(['ab', 'c'], v).shape).toEqual([1, 2, 2]);
    expect(encodeIndices(['ab'], v, { dtype: 'float64' }).dtype).toBe('float64');
  });

  it('encodeOneHot writes (V, m, T) with a 1 per column, the pad row after the string', () => {
    const Y = encodeOneHot(['ca', 'b'], v, { length: 3 });
    expect(Y.shape).toEqual([4, 2, 3]);
    // Y[k][j][t] = 1 iff index of string j at step t is k
    const at = (k: number, j: number, t: number): number => Y.data[(k * 2 + j) * 3 + t]!;
    const expected = [
      [3, 1, 0],
      [2, 0, 0],
    ];
    for (let j = 0; j < 2; j++) {
      for (let t = 0; t < 3; t++) for (let k = 0; k < 4; k++) expect(at(k, j, t)).toBe(k === expected[j]![t] ? 1 : 0);
    }
  });

  it('encodeOneHot with zeroPads writes the padded steps as all-zero vectors (a masking layer\'s padding)', () => {
    const Y = encodeOneHot(['ca', 'b'], v, { length: 3, zeroPads: true });
    const at = (k: number, j: number, t: number): number => Y.data[(k * 2 + j) * 3 + t]!;
    const expected = [
      [3, 1, -1],
      [2, -1, -1],
    ];
    for (let j = 0; j < 2; j++) {
      for (let t = 0; t < 3; t++) for (let k = 0; k < 4; k++) expect(at(k, j, t)).toBe(k === expected[j]![t] ? 1 : 0);
    }
    expect(() => encodeOneHot(['a'], v, { zeroPads: 1 } as never)).toThrow('encodeOneHot: options.zeroPads: expected a boolean, got 1');
    expect(() => encodeIndices(['a'], v, { zeroPads: true })).toThrow('encodeIndices: options.zeroPads: expected one of length, truncate, dtype');
  });

  it('refuses or truncates strings longer than T, and refuses T = 0', () => {
    expect(() => encodeIndices(['abc'], v, { length: 2 })).toThrow('encodeIndices: strings[0]: expected at most 2 characters (options.length; pass truncate: true to cut), got 3: "abc"');
    expect([...encodeIndices(['abc'], v, { length: 2, truncate: true }).data]).toEqual([1, 2]);
    expect(() => encodeOneHot(['a'], v, { length: 0 })).toThrow('encodeOneHot: options.length (T, the number of steps): expected a positive integer, got 0');
    expect(() => encodeIndices(['', ''], v)).toThrow('encodeIndices: strings: expected at least one non-empty string to set T (or options.length), got 2 empty strings');
  });

  it('names the string, position and character outside the vocabulary, or uses the unknown token', () => {
    expect(() => encodeOneHot(['ab', 'cxa'], v)).toThrow('encodeOneHot: strings[1] ("cxa"): character "x" at position 1 is not in the vocabulary');
    const u = Vocabulary.fromStrings(['abc'], { unknown: true }); // pad 0, unk 1, a 2, b 3, c 4
    expect([...encodeIndices(['cxa'], u).data]).toEqual([4, 1, 2]);
    expect(() => encodeIndices('abc' as never, v)).toThrow('encodeIndices: strings: expected an array of strings, got "abc"');
    expect(() => encodeIndices([3] as never, v)).toThrow('encodeIndices: strings[0]: expected a string, got 3');
    expect(() => encodeIndices(['a'], {} as never)).toThrow('encodeIndices: vocab: expected a Vocabulary, got an object');
  });
});

describe('sampleText', () => {
  // pad 0, '\n' 1, a 2, b 3. The output layer's W = 0, so every step's softmax is softmax(b2) whatever the input:
  // p(end) = 0.2, p(a) = 0.5, p(b) = 0.3 (the pad ~ e^-40). A text ends at the first end, or after maxLength = T = 5.
  const vocab = Vocabulary.fromStrings(['ab'], { extra: ['\n'] });
  const T = 5;
  const lm = (): Network => {
    const net = new Network({ inputShape: { sequence: [4, T] }, layers: [{ type: 'lstm', units: 3, returnSequences: true }, { type: 'timeDistributed', units: 4, activation: 'softmax' }], seed: 1 });
    net.parameters.W2!.data.fill(0);
    net.parameters.b2!.data.set([-40, Math.log(0.2), Math.log(0.5), Math.log(0.3)]);
    return net;
  };
  const share = (texts: string[], f: (t: string) => boolean): number => texts.filter(f).length / texts.length;

  it('draws each character from the softmax: first-character shares and lengths follow p', () => {
    const texts = sampleText(lm(), vocab, { seed: 5, n: 4000 });
    // Binomial standard deviations for n = 4000 are <= 0.008; the bounds are 4 of them.
    expect(share(texts, (t) => t === '')).toBeCloseTo(0.2, 1);
    expect(Math.abs(share(texts, (t) => t.startsWith('a')) - 0.5)).toBeLessThan(0.032);
    expect(Math.abs(share(texts, (t) => t.startsWith('b')) - 0.3)).toBeLessThan(0.03);
    // No end in 5 draws: 0.8^5 = 0.32768.
    expect(Math.abs(share(texts, (t) => t.length === T) - 0.32768)).toBeLessThan(0.03);
    expect(texts.every((t) => /^[ab]{0,5}$/.test(t))).toBe(true);
  });

  it('temperature reshapes p as p^(1/tau), normalized', () => {
    // tau = 0.01: (0.3 / 0.5)^100 ~ 6e-23, so always the argmax 'a', up to maxLength.
    expect(new Set(sampleText(lm(), vocab, { seed: 1, n: 50, temperature: 0.01, maxLength: 3 }))).toEqual(new Set(['aaa']));
    // tau = 2: sqrt(0.2, 0.5, 0.3) / 1.7024 = (0.2627, 0.4153, 0.3219).
    const texts = sampleText(lm(), vocab, { seed: 2, n: 4000, temperature: 2 });
    expect(Math.abs(share(texts, (t) => t === '') - 0.2627)).toBeLessThan(0.028);
    expect(Math.abs(share(texts, (t) => t.startsWith('a')) - 0.4153)).toBeLessThan(0.032);
  });

  it('feeds indices to a network that starts with an embedding', () => {
    const net = new Network({ inputShape: { sequence: [1, T] }, layers: [{ type: 'embedding', vocab: 4, dim: 3 }, { type: 'lstm', units: 3, returnSequences: true }, { type: 'timeDistributed', units: 4, activation: 'softmax' }], seed: 2 });
    net.parameters.W3!.data.fill(0);
    net.parameters.b3!.data.set([-40, Math.log(0.2), Math.log(0.5), Math.log(0.3)]);
    expect(sampleText(net, vocab, { seed: 1, n: 3, temperature: 0.01 })).toEqual(['aaaaa', 'aaaaa', 'aaaaa']);
    net.parameters.W3!.data.fill(0.5);
    expect(sampleText(net, vocab, { seed: 4, n: 8 })).toEqual(sampleText(net, vocab, { seed: 4, n: 8 }));
  });

  /** The inputs net.predict is called with, copied at each call (sampleText writes each draw into the same tensor). */
  const inputsOf = (net: Network): number[][] => {
    const seen: number[][] = [];
    const predict = net.predict.bind(net);
    vi.spyOn(net, 'predict').mockImplementation((x) => {
      seen.push([...(x as Tensor).data]);
      return predict(x);
    });
    return seen;
  };

  it('starts from the start token when the vocabulary has one (its index, or its one-hot vector)', () => {
    const sv = Vocabulary.fromStrings(['ab'], { extra: ['\n'], start: true }); // pad 0, start 1, '\n' 2, a 3, b 4
    const emb = new Network({ inputShape: { sequence: [1, T] }, layers: [{ type: 'embedding', vocab: 5, dim: 3, maskZero: true }, { type: 'lstm', units: 3, returnSequences: true }, { type: 'timeDistributed', units: 5, activation: 'softmax' }], seed: 2 });
    const seen = inputsOf(emb);
    const texts = sampleText(emb, sv, { seed: 4, n: 6 });
    // x<1> = 1 for each of the 6 texts, everything after it the pad 0 before the first draw.
    expect(seen[0]!.filter((_, i) => i % T === 0)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(seen[0]!.filter((_, i) => i % T !== 0).every((x) => x === 0)).toBe(true);
    expect(texts.every((t) => /^[ab]*$/.test(t))).toBe(true);
    expect(sampleText(emb, sv, { seed: 4, n: 6 })).toEqual(texts);
    // One-hot, a masking layer first: x<1> is a 1 in row 1 (the start), the steps not drawn yet are zero columns.
    const hot = new Network({ inputShape: { sequence: [5, T] }, layers: [{ type: 'masking' }, { type: 'gru', units: 3, returnSequences: true }, { type: 'timeDistributed', units: 5, activation: 'softmax' }], seed: 2 });
    const H = inputsOf(hot);
    sampleText(hot, sv, { seed: 1, n: 2 });
    for (let j = 0; j < 2; j++) {
      expect([0, 1, 2, 3, 4].map((k) => H[0]![(k * 2 + j) * T])).toEqual([0, 1, 0, 0, 0]);
      for (let t = 1; t < T; t++) expect([0, 1, 2, 3, 4].map((k) => H[0]![(k * 2 + j) * T + t])).toEqual([0, 0, 0, 0, 0]);
    }
    // An embedding that masks index 0 with a vocabulary without a start token: x<1> would be padding.
    const plain = Vocabulary.fromStrings(['abc'], { extra: ['\n'] }); // V = 5 too
    expect(() => sampleText(emb, plain)).toThrow("sampleText: vocab: the network's embedding masks index 0 (maskZero), so x<1> must be a start token; expected a vocabulary with one (start: true), got none");
  });

  it('is reproducible bit for bit from its seed', () => {
    const net = lm();
    net.parameters.W2!.data.fill(0.3); // the input now matters
    const a = sampleText(net, vocab, { seed: 9, n: 20 });
    expect(sampleText(net, vocab, { seed: 9, n: 20 })).toEqual(a);
    expect(sampleText(net, vocab, { seed: 10, n: 20 })).not.toEqual(a);
  });

  it('refuses non-causal networks, vocabularies that do not fit, and bad options', () => {
    const bi = new Network({ inputShape: { sequence: [4, T] }, layers: [{ type: 'bidirectional', layer: { type: 'gru', units: 2, returnSequences: true } }, { type: 'timeDistributed', units: 4, activation: 'softmax' }] });
    expect(() => sampleText(bi, vocab)).toThrow('sampleText: net: expected a causal network (each step sees only the steps before it), got a bidirectional layer: it reads the sequence backwards too');
    const flat = new Network({ inputSize: 4, layers: [{ units: 4, activation: 'softmax' }] });
    expect(() => sampleText(flat, vocab)).toThrow('sampleText: net: expected a language model (sequence input, a softmax at every step: timeDistributed)');
    expect(() => sampleText(lm(), Vocabulary.fromStrings(['abc'], { extra: ['\n'] }))).toThrow("sampleText: vocab: expected 4 characters with the pad (the network's n_x), got a vocabulary of V = 5");
    expect(() => sampleText(lm(), vocab, { maxLength: 6 })).toThrow('sampleText: options.maxLength: expected at most 5 (T_x, the steps the network reads), got 6');
    expect(() => sampleText(lm(), vocab, { temperature: 0 })).toThrow('sampleText: options.temperature: expected a finite number > 0, got 0');
    expect(() => sampleText(lm(), vocab, { end: 'z' })).toThrow('sampleText: options.end: expected a character of the vocabulary, got "z"');
    expect(() => sampleText(lm(), vocab, { seeds: 1 } as never)).toThrow('did you mean seed?');
  });
});

describe('model format: a text model keeps its vocabularies and lengths', () => {
  const vocab = Vocabulary.fromStrings(['ab'], { extra: ['\n'] });
  const net = (): Network => new Network({ inputShape: { sequence: [4, 3] }, layers: [{ type: 'gru', units: 2, returnSequences: true }, { type: 'timeDistributed', units: 4, activation: 'softmax' }], seed: 1 });
  const text = { task: 'language-model' as const, vocabulary: vocab.toJSON() as { chars: string[]; unknown: boolean }, sourceLength: 3, targetLength: 3, indices: false };

  it('round-trips a vocabulary with a start token', () => {
    const sv = Vocabulary.fromStrings(['a'], { extra: ['\n'], start: true }); // V = 4: pad, start, '\n', a
    const withStart = { ...text, vocabulary: sv.toJSON() as { chars: string[]; unknown: boolean; start?: boolean } };
    const { manifest, weights } = serializeModel(net(), { text: withStart });
    const back = deserializeModel(JSON.parse(JSON.stringify(manifest)), weights);
    expect(back.manifest.text!.vocabulary).toEqual({ chars: ['\n', 'a'], unknown: false, start: true });
    expect(Vocabulary.fromJSON(back.manifest.text!.vocabulary).startIndex).toBe(1);
  });

  it('round-trips manifest.text, and a model without it still loads', () => {
    const { manifest, weights } = serializeModel(net(), { text });
    const back = deserializeModel(JSON.parse(JSON.stringify(manifest)), weights);
    expect(back.manifest.text).toEqual(text);
    expect(Vocabulary.fromJSON(back.manifest.text!.vocabulary).encode('ba\n')).toEqual(vocab.encode('ba\n'));
    const plain = serializeModel(net());
    expect(plain.manifest.text).toBeUndefined();
    expect(deserializeModel(JSON.parse(JSON.stringify(plain.manifest)), plain.weights).manifest.text).toBeUndefined();
  });

  it('refuses a malformed text field, naming it', () => {
    expect(() => serializeModel(net(), { text: { ...text, task: 'poetry' } as never })).toThrow('serializeModel: options.text.task:');
    const { manifest, weights } = serializeModel(net(), { text });
    const bad = JSON.parse(JSON.stringify(manifest)) as { text: { sourceLength: number } };
    bad.text.sourceLength = 0;
    expect(() => deserializeModel(bad, weights)).toThrow('loadModel: model.json: text.sourceLength:');
  });
});
