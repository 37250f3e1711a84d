/**
 * One library's GEMM measurements, in its own process (run by bench/gemm.ts):
 * `node --import tsx bench/gemm-child.ts <library> [--quick]`. Prints one JSON
 * line (a LibraryResult) last.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { jsBackend } from '../src/backend/js/index.js';
import type { Backend } from '../src/backend/backend.js';
import { initWasmBackend, wasmThreads } from '../src/backend/wasm/index.js';
import { Rng } from '../src/random/rng.js';
import { Tensor } from '../src/tensor/tensor.js';
import { measurePeak } from './peak.js';
import { MODES, QUICK_SHAPES, SHAPES, type CaseResult, type Library, type LibraryResult, type Mode, type Shape } from './gemm-cases.js';

const library = process.argv[2] as Library;
const quick = process.argv.includes('--quick');
/** Each case is timed in REPEATS runs of at least RUN_MS; the best run counts. */
const RUN_MS = quick ? 60 : 150;
const REPEATS = 3;
const SLOW_MS = 2000;

/** One C = op(A) op(B) with fresh operands of the case's shape; returns the call to time. */
type Prepare = (shape: Shape, mode: Mode, rng: Rng) => () => void;

function fill(data: Float32Array, rng: Rng): Float32Array {
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform() * 2 - 1;
  return data;
}

function layerwise(backend: Backend): Prepare {
  return ([m, k, n], mode, rng) => {
    const tA = mode === 'TN';
    const tB = mode === 'NT';
    const tensor = (shape: number[]): Tensor => {
      const t = backend.zeros(shape, 'float32');
      fill(t.data as Float32Array, rng);
      return t;
    };
    const a = tensor(tA ? [k, m] : [m, k]);
    const b = tensor(tB ? [n, k] : [k, n]);
    const c = backend.zeros([m, n], 'float32');
    return () => backend.matmul(a, b, c, tA, tB, 1, 0);
  };
}

async function tfjs(kind: 'cpu' | 'wasm'): Promise<{ prepare: Prepare; note: string }> {
  const tf = await import('@tensorflow/tfjs');
  if (kind === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    // The binary ships in the npm package: read it from node_modules, fetch nothing.
    wasm.setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
    // The threaded build needs browser workers; Node runs the SIMD one.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  if (!(await tf.setBackend(kind))) throw new Error(`tfjs backend ${kind} did not start`);
  await tf.ready();
  const prepare: Prepare = ([m, k, n], mode, rng) => {
    const tA = mode === 'TN';
    const tB = mode === 'NT';
    const a = tf.tensor2d(fill(new Float32Array(m * k), rng), tA ? [k, m] : [m, k]);
    const b = tf.tensor2d(fill(new Float32Array(k * n), rng), tB ? [n, k] : [k, n]);
    return () => {
      const c = tf.matMul(a, b, tA, tB);
      // Reading the result forces the (otherwise lazy) computation to finish.
      c.dataSync();
      c.dispose();
    };
  };
  return { prepare, note: `tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}` };
}

async function setUp(): Promise<{ prepare: Prepare; note: string }> {
  switch (library) {
    case 'wasm1':
    case 'wasm2': {
      const backend = await initWasmBackend({ threads: library === 'wasm2' ? 2 : 1 });
      return { prepare: layerwise(backend), note: `layerwise wasm backend, ${wasmThreads()} thread(s)` };
    }
    case 'js':
      return { prepare: layerwise(jsBackend), note: 'layerwise reference TypeScript kernels' };
    case 'tfjs-cpu':
      return tfjs('cpu');
    case 'tfjs-wasm':
      return tfjs('wasm');
    default:
      throw new Error(`unknown library "${String(library)}"`);
  }
}

/**
 * GFLOP/s of the best of REPEATS runs. A call slower than a run is timed
 * once more after the first; one slower than SLOW_MS (the reference kernels
 * and TF.js cpu at 1024^3 take seconds) counts its first call, to keep the
 * whole bench within a few minutes.
 */
function measure(call: () => void, flops: number): number {
  const t0 = performance.now();
  call();
  const first = performance.now() - t0;
  if (first > SLOW_MS) return flops / (first / 1e3) / 1e9;
  if (first > RUN_MS) {
    const t1 = performance.now();
    call();
    return flops / ((performance.now() - t1) / 1e3) / 1e9;
  }
  for (let i = 0; i < 3; i++) call();
  let best = 0;
  for (let r = 0; r < REPEATS; r++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      call();
      calls++;
      elapsed = performance.now() - start;
    } while (elapsed < RUN_MS);
    best = Math.max(best, (flops * calls) / (elapsed / 1e3) / 1e9);
  }
  return best;
}

async function main(): Promise<void> {
  const { prepare, note } = await setUp();
  // The machine's clock can drift during the run: the peak is taken on both sides of the cases.
  const layerwiseWasm = library === 'wasm1' || library === 'wasm2';
  const peakBefore = layerwiseWasm ? await measurePeak() : 0;
  const rng = new Rng(1);
  const results: CaseResult[] = [];
  for (const shape of quick ? QUICK_SHAPES : SHAPES) {
    for (const mode of MODES) {
      const [m, k, n] = shape;
      results.push({ shape, mode, gflops: measure(prepare(shape, mode, rng), 2 * m * k * n) });
    }
  }
  const out: LibraryResult = layerwiseWasm ? { library, note, results, peak: (peakBefore + (await measurePeak())) / 2 } : { library, note, results };
  console.log(JSON.stringify(out));
}

await main();
