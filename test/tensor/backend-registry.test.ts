/**
 * registerBackend refuses objects that are not backends, so listBackends and setBackend never see junk; the
 * test helper describeEachBackend makes each registered backend current in turn.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getBackend, jsBackend, listBackends, registerBackend, setBackend, ValueError, type Backend } from '../../src/index.js';
import { describeEachBackend } from '../helpers.js';

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
      /^registerBackend: backend: expected a function for every kernel of the Backend interface, got 46 missing: zeros, matmul, /,
    );
    expect(() => registerBackend(bad({ ...jsBackend, name: 'x', matmul: 1 }))).toThrow(
      'registerBackend: backend: expected a function for every kernel of the Backend interface, got 1 missing: matmul',
    );
    expect(() => registerBackend({ ...jsBackend, name: 'x' }, bad(1) as unknown as boolean)).toThrow('registerBackend: makeDefault: expected true or false, got 1');
    expect(listBackends()).toEqual(before);
  });
});

// describeEachBackend (test/helpers.ts), which every numeric suite runs under, makes each backend current where it says.
describe('describeEachBackend', () => {
  const before = getBackend().name;
  const ran: string[] = [];
  // Start from js, so that restoring after the last block (wasm, the default in Node) is seen to happen.
  beforeAll(() => setBackend('js'));
  afterAll(() => setBackend(before));

  describeEachBackend('one block per backend', (backend) => {
    const atCollection = getBackend().name;
    let inBeforeEach = '';
    beforeEach(() => {
      inBeforeEach = getBackend().name;
    });

    it('is current while the block is collected, in its hooks and in a synchronous test', () => {
      ran.push(backend);
      expect(atCollection).toBe(backend);
      expect(inBeforeEach).toBe(backend);
      expect(getBackend().name).toBe(backend);
    });

    it('stays current across awaits in an async test', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(getBackend().name).toBe(backend);
    });

    describe('nested', () => {
      it('is current in a nested block', () => {
        expect(getBackend().name).toBe(backend);
      });
    });
  });

  it('ran one block per registered backend, then restored the backend that was current before', () => {
    expect(ran).toEqual(listBackends());
    expect(ran).toContain('wasm');
    expect(getBackend().name).toBe('js');
  });
});
