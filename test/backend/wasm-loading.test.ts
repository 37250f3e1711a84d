import { describe, expect, it } from 'vitest';
import { jsBackend } from '../../src/backend/js/index.js';
import { backendFor, getBackend, listBackends, setBackend } from '../../src/backend/registry.js';
import { simdSupported } from '../../src/backend/wasm/binary.js';
import { WORKER_CODE } from '../../src/backend/wasm/generated/worker-code.js';
import { initWasmBackend, initWasmBackendSync } from '../../src/backend/wasm/index.js';

describe('loading the wasm backend', () => {
  it('detects SIMD in Node', () => {
    expect(simdSupported()).toBe(true);
  });

  it('loads synchronously, registers as "wasm" and becomes the default', () => {
    setBackend('js');
    const backend = initWasmBackendSync({ threads: 1 });
    expect(backend?.name).toBe('wasm');
    expect(listBackends()).toContain('wasm');
    expect(getBackend()).toBe(backend);
  });

  it('returns the same backend from the async loader', async () => {
    const sync = initWasmBackendSync({ threads: 1 });
    expect(await initWasmBackend({ threads: 1 })).toBe(sync);
  });

  it('leaves float64 to the reference backend', () => {
    initWasmBackendSync({ threads: 1 });
    expect(backendFor('float64')).toBe(jsBackend);
    expect(backendFor('float32').name).toBe('wasm');
  });

  it('runs its worker from a self-contained script with no static import', () => {
    expect(WORKER_CODE.length).toBeGreaterThan(0);
    expect(WORKER_CODE).not.toMatch(/^\s*import\s/m);
    expect(WORKER_CODE).toContain('gemmShared');
  });
});
