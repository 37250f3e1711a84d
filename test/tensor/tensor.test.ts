import { describe, expect, it } from 'vitest';
import { full, ShapeError, Tensor, tensor, ValueError, zeros } from '../../src/index.js';

describe('Tensor', () => {
  it('infers shapes from nested arrays; a flat array is a row vector', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.get(1, 2)).toBe(6);
    expect(tensor([1, 2, 3]).shape).toEqual([1, 3]);
    expect(tensor([[[1, 2], [3, 4]]]).shape).toEqual([1, 2, 2]);
  });

  it('round-trips through toArray and keeps float64 when asked', () => {
    const t = tensor([[0.1, 0.2], [0.3, 0.4]], { dtype: 'float64' });
    expect(t.dtype).toBe('float64');
    expect(t.toArray()).toEqual([[0.1, 0.2], [0.3, 0.4]]);
    expect(t.clone('float32').dtype).toBe('float32');
  });

  it('reshape shares memory; clone does not', () => {
    const t = tensor([[1, 2], [3, 4]]);
    const r = t.reshape([4, 1]);
    r.data[0] = 9;
    expect(t.get(0, 0)).toBe(9);
    const c = t.clone();
    c.data[0] = 1;
    expect(t.get(0, 0)).toBe(9);
  });

  it('zeros and full', () => {
    expect(Array.from(zeros([2, 2]).data)).toEqual([0, 0, 0, 0]);
    expect(Array.from(full([1, 3], 7, 'float64').data)).toEqual([7, 7, 7]);
  });

  it('rejects data that does not fit the shape, ragged arrays and non-numbers', () => {
    expect(() => new Tensor([2, 2], new Float32Array(3))).toThrow('Tensor: data has 3 values but shape (2, 2) needs 4');
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => tensor([[1, 2], [3]])).toThrow('tensor: ragged array at index [1]: expected length 2, got length 1');
    expect(() => tensor([[1, null as unknown as number]])).toThrow(ValueError);
    expect(() => tensor([])).toThrow('expected a non-empty array');
  });
});
