import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/index.js';

describe('Rng', () => {
  it('the same seed gives the same sequence; different seeds differ', () => {
    const a = new Rng(123);
    const b = new Rng(123);
    const c = new Rng(124);
    const seqA = Array.from({ length: 20 }, () => a.normal());
    expect(Array.from({ length: 20 }, () => b.normal())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.normal())).not.toEqual(seqA);
  });

  it('is xoshiro128**: from the state [1, 2, 3, 4] it gives the first outputs of the reference implementation, and state words past 2^31 round-trip', () => {
    const r = new Rng(0);
    r.setState({ s: [1, 2, 3, 4], spare: null });
    expect(Array.from({ length: 6 }, () => r.nextUint32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
    const state = { s: [0xffffffff, 0x80000000, 0x7fffffff, 12345] as [number, number, number, number], spare: null };
    r.setState(state);
    expect(r.getState()).toEqual(state);
  });

  it('uniform is in [0, 1) with mean 1/2; normal has mean 0 and variance 1', () => {
    const r = new Rng(1);
    const n = 200_000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
      su += u;
      const z = r.normal();
      sn += z;
      sn2 += z * z;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    // standard errors: 0.29/sqrt(n) = 6.5e-4 for the uniform mean, 2.2e-3 for the normal mean
    expect(Math.abs(su / n - 0.5)).toBeLessThan(0.003);
    expect(Math.abs(sn / n)).toBeLessThan(0.01);
    expect(Math.abs(sn2 / n - 1)).toBeLessThan(0.02);
  });

  it('getState / setState resumes the exact sequence, including a pending normal', () => {
    const r = new Rng(9);
    r.normal(); // leaves the pair's second value pending
    const state = JSON.parse(JSON.stringify(r.getState()));
    const next = Array.from({ length: 5 }, () => r.normal());
    const s = new Rng(0);
    s.setState(state);
    expect(Array.from({ length: 5 }, () => s.normal())).toEqual(next);
  });

  it('shuffle is a seeded permutation', () => {
    const p = new Rng(3).shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...p].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Rng(3).shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])).toEqual(p);
  });

  it('rejects bad seeds and states', () => {
    expect(() => new Rng(-1)).toThrow('Rng: seed: expected an integer in [0, 2^32), got -1');
    expect(() => new Rng(1.5)).toThrow('got 1.5');
    expect(() => new Rng(0).setState({ s: [1, 2, 3], spare: null } as never)).toThrow('Rng.setState: state');
  });
});
