/**
 * Which backend runs the kernels. The reference backend is always there; a
 * faster one (wasm) registers itself and becomes the default when it loads.
 */
import { describeValue, ValueError } from '../tensor/errors.js';
import type { DType } from '../tensor/tensor.js';
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';

const backends = new Map<string, Backend>([[jsBackend.name, jsBackend]]);
let current: Backend = jsBackend;

// Every function a backend must provide. Typed as a mapped type so that a
// kernel added to the Backend interface fails to compile here until listed.
const KERNELS: { readonly [K in Exclude<keyof Backend, 'name' | 'dtypes'>]: true } = {
  zeros: true,
  matmul: true,
  biasActivation: true,
  activation: true,
  activationBackward: true,
  rowSum: true,
  axpy: true,
  copy: true,
  fill: true,
  lossSum: true,
  outputDelta: true,
  lossGradient: true,
  sumSquares: true,
  sumAbs: true,
  addSign: true,
  mul: true,
  dropout: true,
  gatherColumns: true,
  gatherRows: true,
  gatherExamples: true,
  batchNormForward: true,
  batchNormBackward: true,
  momentumUpdate: true,
  rmspropUpdate: true,
  adamUpdate: true,
  im2col: true,
  col2im: true,
  convForward: true,
  convFilterGradient: true,
  convInputGradient: true,
  channelBiasActivation: true,
  colSum: true,
  transpose: true,
  maxPoolForward: true,
  maxPoolBackward: true,
  avgPoolForward: true,
  avgPoolBackward: true,
  zeroPad: true,
  channelBatchNormForward: true,
  channelBatchNormBackward: true,
  lstmCellForward: true,
  lstmCellBackward: true,
  gruGatesForward: true,
  gruCellForward: true,
  gruCellBackward: true,
  gruGatesBackward: true,
};

function checkBackend(backend: unknown, where: string): asserts backend is Backend {
  if (backend === null || typeof backend !== 'object' || Array.isArray(backend)) {
    throw new ValueError(`${where}: backend: expected a Backend object { name, dtypes, zeros, matmul, ... }, got ${describeValue(backend)}`);
  }
  const b = backend as Record<string, unknown>;
  if (typeof b.name !== 'string' || b.name === '') throw new ValueError(`${where}: backend.name: expected a non-empty string, got ${describeValue(b.name)}`);
  const dtypes = b.dtypes;
  if (!Array.isArray(dtypes) || dtypes.length === 0 || !dtypes.every((d) => d === 'float32' || d === 'float64')) {
    throw new ValueError(`${where}: backend.dtypes: expected a non-empty array of "float32" and/or "float64", got ${describeValue(dtypes)}`);
  }
  const missing = Object.keys(KERNELS).filter((k) => typeof b[k] !== 'function');
  if (missing.length > 0) {
    throw new ValueError(`${where}: backend: expected a function for every kernel of the Backend interface, got ${missing.length} missing: ${missing.join(', ')}`);
  }
}

/**
 * Makes a backend available by its name (and optionally the default).
 *
 * @example
 * ```ts
 * import { registerBackend, listBackends, jsBackend } from 'layerwise';
 * registerBackend({ ...jsBackend, name: 'my-js' });
 * listBackends().includes('my-js'); // true
 * ```
 */
export function registerBackend(backend: Backend, makeDefault = false): void {
  checkBackend(backend, 'registerBackend');
  if (typeof makeDefault !== 'boolean') throw new ValueError(`registerBackend: makeDefault: expected true or false, got ${describeValue(makeDefault)}`);
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
 * getBackend().name === 'js'; // true
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

/**
 * The names of the registered backends.
 *
 * @example
 * ```ts
 * import { listBackends } from 'layerwise';
 * listBackends().includes('js'); // true
 * ```
 */
export function listBackends(): string[] {
  return [...backends.keys()];
}

/**
 * The backend that computes in `dtype`: the current one, or the reference backend when the current lacks that dtype.
 *
 * @example
 * ```ts
 * import { backendFor, jsBackend, setBackend } from 'layerwise';
 * setBackend('js');
 * backendFor('float64') === jsBackend; // true
 * ```
 */
export function backendFor(dtype: DType): Backend {
  return current.dtypes.includes(dtype) ? current : jsBackend;
}
