/** loadMnist checks count and seed before it reads the 10,000 digits. */
import { describe, expect, it } from 'vitest';
import { ValueError } from '../../src/index.js';
import { loadMnist } from '../../src/node/index.js';

describe('loadMnist options', () => {
  it('count must be a positive integer', () => {
    expect(() => loadMnist({ count: -5 })).toThrow(ValueError);
    expect(() => loadMnist({ count: -5 })).toThrow('loadMnist: count: expected a positive integer, got -5');
    expect(() => loadMnist({ count: 0 })).toThrow('loadMnist: count: expected a positive integer, got 0');
    expect(() => loadMnist({ count: 2.5 })).toThrow('loadMnist: count: expected a positive integer, got 2.5');
    expect(() => loadMnist({ count: '10' as unknown as number })).toThrow('loadMnist: count: expected a positive integer, got "10"');
  });

  it('count is at most the 10,000 digits the package holds', () => {
    expect(() => loadMnist({ count: 10001 })).toThrow('loadMnist: count: expected at most 10000 (the digits the mnist package holds), got 10001');
    expect(loadMnist({ count: 3, seed: 1 }).X.shape).toEqual([784, 3]);
  });

  it('names itself for a bad seed', () => {
    expect(() => loadMnist({ count: 1, seed: -1 })).toThrow('loadMnist: seed: expected an integer in [0, 2^32), got -1');
    expect(() => loadMnist(null as never)).toThrow('loadMnist: options: expected { count?, seed?, layout? }, got null');
  });
});
