/**
 * Rng.setState refuses states the generator cannot run from: xoshiro128**
 * maps the all-zero state to itself (uniform() would return 0 forever and
 * normal() would loop), and words outside uint32 or a non-finite spare would
 * silently change the sequence.
 */
import { describe, expect, it } from 'vitest';
import { Rng, ValueError, type RngState } from '../../src/index.js';

const bad = (v: unknown): RngState => v as RngState;

describe('Rng.setState', () => {
  it('rejects the all-zero state, which never leaves zero', () => {
    const r = new Rng(1);
    expect(() => r.setState({ s: [0, 0, 0, 0], spare: null })).toThrow(ValueError);
    expect(() => r.setState({ s: [0, 0, 0, 0], spare: null })).toThrow(
      'Rng.setState: state.s: expected at least one non-zero word (the all-zero state never changes), got [0, 0, 0, 0]',
    );
    // the rejected state left the generator as it was
    expect(r.getState()).toEqual(new Rng(1).getState());
    r.setState({ s: [0, 0, 0, 1], spare: null });
    expect(r.uniform()).toBeGreaterThanOrEqual(0);
  });

  it('names the word that is not a uint32', () => {
    const r = new Rng(1);
    expect(() => r.setState({ s: [1, 2.5, 3, 4], spare: null })).toThrow('Rng.setState: state.s[1]: expected an integer in [0, 2^32), got 2.5');
    expect(() => r.setState({ s: [1, 2, -3, 4], spare: null })).toThrow('Rng.setState: state.s[2]: expected an integer in [0, 2^32), got -3');
    expect(() => r.setState({ s: [1, 2, 3, 2 ** 32], spare: null })).toThrow('Rng.setState: state.s[3]: expected an integer in [0, 2^32), got 4294967296');
    expect(() => r.setState(bad({ s: ['1', 2, 3, 4], spare: null }))).toThrow('Rng.setState: state.s[0]: expected an integer in [0, 2^32), got "1"');
    expect(() => r.setState({ s: [NaN, 0, 0, 0], spare: null })).toThrow('Rng.setState: state.s[0]: expected an integer in [0, 2^32), got NaN');
  });

  it('rejects the wrong number of words, a missing state and a non-finite spare', () => {
    const r = new Rng(1);
    expect(() => r.setState(bad({ s: [1, 2, 3], spare: null }))).toThrow('Rng.setState: state.s: expected an array of four uint32 values, got [1, 2, 3]');
    expect(() => r.setState(bad({ s: [1, 2, 3, 4, 5], spare: null }))).toThrow('Rng.setState: state.s: expected an array of four uint32 values, got [1, 2, 3, 4, 5]');
    expect(() => r.setState(bad(null))).toThrow('Rng.setState: state: expected { s: four uint32 values, spare: number | null }, got null');
    expect(() => r.setState({ s: [1, 2, 3, 4], spare: NaN })).toThrow('Rng.setState: state.spare: expected a finite number or null, got NaN');
    expect(() => r.setState({ s: [1, 2, 3, 4], spare: Infinity })).toThrow('Rng.setState: state.spare: expected a finite number or null, got Infinity');
    expect(() => r.setState(bad({ s: [1, 2, 3, 4] }))).toThrow('Rng.setState: state.spare: expected a finite number or null, got undefined');
  });

  it('still accepts what getState returns, a pending normal included', () => {
    const a = new Rng(7);
    a.normal();
    const state = a.getState();
    const b = new Rng(0);
    b.setState(state);
    expect(b.normal()).toBe(a.normal());
  });
});

describe('Rng seed', () => {
  it('describes a non-number seed', () => {
    expect(() => new Rng(-1)).toThrow('Rng: seed: expected an integer in [0, 2^32), got -1');
    expect(() => new Rng('3' as unknown as number)).toThrow('Rng: seed: expected an integer in [0, 2^32), got "3"');
  });
});
