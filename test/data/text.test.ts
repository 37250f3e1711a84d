import { describe, expect, it } from 'vitest';
import { encodeIndices, encodeOneHot, Vocabulary } from '../../src/index.js';

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
    expect(() => Vocabulary.fromJSON([])).toThrow('Vocabulary.fromJSON: json: expected { chars, unknown }');
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
