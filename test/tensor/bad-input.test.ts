/**
 * Bad shapes, dtypes and fill values are rejected by the tensor constructors
 * with a message naming the call, the argument, what was expected and what was given.
 */
import { describe, expect, it } from 'vitest';
import { full, ShapeError, Tensor, tensor, ValueError, zeros } from '../../src/index.js';
import type { DType } from '../../src/index.js';

const bad = <T>(v: unknown): T => v as T;

describe('shape checks', () => {
  it('zeros rejects negative, fractional, NaN and non-number dimensions', () => {
    expect(() => zeros([-1, 2])).toThrow(ShapeError);
    expect(() => zeros([-1, 2])).toThrow('zeros: shape: expected non-negative integer dimensions, got [-1, 2] (dimension 0 is -1)');
    expect(() => zeros([2.5, 2])).toThrow('zeros: shape: expected non-negative integer dimensions, got [2.5, 2] (dimension 0 is 2.5)');
    expect(() => zeros([2, NaN])).toThrow('zeros: shape: expected non-negative integer dimensions, got [2, NaN] (dimension 1 is NaN)');
    expect(() => zeros([bad<number>('2'), 2])).toThrow('zeros: shape: expected non-negative integer dimensions, got ["2", 2] (dimension 0 is "2")');
    expect(() => zeros(bad<number[]>(3))).toThrow('zeros: shape: expected an array of dimensions, got 3');
    expect(zeros([0, 3]).size).toBe(0);
  });

  it('tensor rejects a bad options.shape, and one that does not fit the data', () => {
    expect(() => tensor(new Float32Array(3), { shape: [-1, -3] })).toThrow(
      'tensor: options.shape: expected non-negative integer dimensions, got [-1, -3] (dimension 0 is -1)',
    );
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow('tensor: options.shape: expected 3 values like the data (3), got (2, 2) with 4');
    expect(() => tensor(new Float64Array(4), { shape: [3, 1] })).toThrow('tensor: options.shape: expected 4 values like the data (4), got (3, 1) with 3');
    expect(tensor([1, 2, 3, 4], { shape: [2, 2] }).get(1, 0)).toBe(3);
  });

  it('reshape rejects bad dimensions and a size change', () => {
    const t = tensor([[1, 2], [3, 4]]);
    expect(() => t.reshape([-2, -2])).toThrow('Tensor.reshape: shape: expected non-negative integer dimensions, got [-2, -2] (dimension 0 is -2)');
    expect(() => t.reshape([3, 2])).toThrow('Tensor.reshape: shape: expected 4 values like (2, 2), got (3, 2) with 6');
    expect(t.reshape([4, 1]).shape).toEqual([4, 1]);
  });

  it('the constructor rejects bad dimensions and data that is not a float typed array', () => {
    expect(() => new Tensor([-2, -2], new Float32Array(4))).toThrow('Tensor: shape: expected non-negative integer dimensions, got [-2, -2] (dimension 0 is -2)');
    expect(() => new Tensor([2], bad<Float32Array>([1, 2]))).toThrow('Tensor: data: expected a Float32Array or Float64Array, got an array');
    expect(() => new Tensor([2], bad<Float32Array>(new Int32Array(2)))).toThrow('Tensor: data: expected a Float32Array or Float64Array, got an object');
  });
});

describe('dtype checks', () => {
  it('tensor, zeros, full and clone reject a dtype other than float32 / float64 instead of falling back to float32', () => {
    expect(() => tensor([[1, 2]], { dtype: bad<DType>('int32') })).toThrow(ValueError);
    expect(() => tensor([[1, 2]], { dtype: bad<DType>('int32') })).toThrow('tensor: options.dtype: expected "float32" or "float64", got "int32"');
    expect(() => tensor(new Float32Array(2), { dtype: bad<DType>('float16') })).toThrow('tensor: options.dtype: expected "float32" or "float64", got "float16"');
    expect(() => tensor(tensor([[1]]), { dtype: bad<DType>('int8') })).toThrow('tensor: options.dtype: expected "float32" or "float64", got "int8"');
    expect(() => zeros([2, 2], bad<DType>('int32'))).toThrow('zeros: dtype: expected "float32" or "float64", got "int32"');
    expect(() => full([2, 2], 1, bad<DType>('uint8'))).toThrow('full: dtype: expected "float32" or "float64", got "uint8"');
    expect(() => tensor([[1, 2]]).clone(bad<DType>('int8'))).toThrow('Tensor.clone: dtype: expected "float32" or "float64", got "int8"');
    expect(tensor([[1, 2]], { dtype: 'float64' }).clone().dtype).toBe('float64');
  });

  it('tensor rejects options that are not an object', () => {
    expect(() => tensor([[1]], bad<object>(null))).toThrow('tensor: options: expected { dtype?, shape? }, got null');
  });
});

describe('full', () => {
  it('rejects a fill value that is not a finite number', () => {
    expect(() => full([2, 2], NaN)).toThrow(ValueError);
    expect(() => full([2, 2], NaN)).toThrow('full: value: expected a finite number, got NaN');
    expect(() => full([2, 2], -Infinity)).toThrow('full: value: expected a finite number, got -Infinity');
    expect(() => full([2, 2], bad<number>('a'))).toThrow('full: value: expected a finite number, got "a"');
    expect(() => full([-1], 0)).toThrow('full: shape: expected non-negative integer dimensions, got [-1] (dimension 0 is -1)');
  });
});
