/** registerBackend refuses objects that are not backends, so listBackends and setBackend never see junk. */
import { describe, expect, it } from 'vitest';
import { jsBackend, listBackends, registerBackend, ValueError, type Backend } from '../../src/index.js';

const bad = (v: unknown): Backend => v as Backend;

describe('registerBackend', () => {
  it('rejects a backend without a name, dtypes or kernels, naming what is missing', () => {
    const before = listBackends();
    expect(() => registerBackend(bad({}))).toThrow(ValueError);
    expect(() => registerBackend(bad({}))).toThrow('registerBackend: backend.name: expected a non-empty string, got undefined');
    expect(() => registerBackend(bad(null))).toThrow('registerBackend: backend: expected a Backend object { name, dtypes, zeros, matmul, ... }, got null');
    expect(() => registerBackend(bad({ ...jsBackend, name: '' }))).toThrow('registerBackend: backend.name: expected a non-empty string, got ""');
    expect(() => registerBackend(bad({ ...jsBackend, name: 'x', dtypes: ['int8'] }))).toThrow(
      'registerBackend: backend.dtypes: expected a non-empty array of "float32" and/or "float64", got ["int8"]',
    );
    expect(() => registerBackend(bad({ name: 'x', dtypes: ['float32'] }))).toThrow(
      /^registerBackend: backend: expected a function for every kernel of the Backend interface, got 36 missing: zeros, matmul, /,
    );
    expect(() => registerBackend(bad({ ...jsBackend, name: 'x', matmul: 1 }))).toThrow(
      'registerBackend: backend: expected a function for every kernel of the Backend interface, got 1 missing: matmul',
    );
    expect(() => registerBackend({ ...jsBackend, name: 'x' }, bad(1) as unknown as boolean)).toThrow('registerBackend: makeDefault: expected true or false, got 1');
    expect(listBackends()).toEqual(before);
  });
});
