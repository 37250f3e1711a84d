/**
 * Which backend runs the kernels. The reference backend is always there; a
 * faster one (wasm) registers itself and becomes the default when it loads.
 */
import { ValueError } from '../tensor/errors.js';
import type { DType } from '../tensor/tensor.js';
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';

const backends = new Map<string, Backend>([[jsBackend.name, jsBackend]]);
let current: Backend = jsBackend;

/**
 * Makes a backend available by its name (and optionally the default).
 *
 * @example
 * ```ts
 * import { registerBackend, jsBackend } from 'layerwise';
 * registerBackend({ ...jsBackend, name: 'my-js' });
 * ```
 */
export function registerBackend(backend: Backend, makeDefault = false): void {
  backends.set(backend.name, backend);
  if (makeDefault) current = backend;
}

/**
 * Selects the backend that runs every following kernel.
 *
 * @example
 * ```ts
 * import { setBackend, getBackend } from 'layerwise';
 * setBackend('js');
 * console.log(getBackend().name); // 'js'
 * ```
 */
export function setBackend(name: string): Backend {
  const b = backends.get(name);
  if (!b) {
    throw new ValueError(`setBackend: name: expected one of ${[...backends.keys()].map((k) => `"${k}"`).join(', ')}, got "${name}"`);
  }
  current = b;
  return b;
}

/**
 * The backend in use.
 *
 * @example
 * ```ts
 * import { getBackend } from 'layerwise';
 * console.log(getBackend().name);
 * ```
 */
export function getBackend(): Backend {
  return current;
}

/** The names of the registered backends. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

/** The backend that computes in `dtype`: the current one, or the reference backend when the current lacks that dtype. */
export function backendFor(dtype: DType): Backend {
  return current.dtypes.includes(dtype) ? current : jsBackend;
}
