/**
 * PyTorch as an optional peer for the MLP and the CNN: bench/peers/torch_mlp.py
 * and torch_cnn.py (sharing torch_common.py), run by the Python that has
 * torch (Debian's python3-torch lives under /usr/bin/python3, which need not
 * be the python3 first on PATH), reading the same fixture files as every
 * other peer. They time themselves (per epoch, per batch); this side turns
 * their output into an MnistRun or a CnnRun for the shared evaluation.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OUT_DIR, matrix, type LayerInit } from '../shared/fixtures.js';
import type { CnnRun, MnistRun } from '../shared/measure.js';
import { CNN_PARAM_SHAPES, CNN_PARAMS, type CnnWeights } from '../workloads/cnn.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CANDIDATES = ['/usr/bin/python3', 'python3'];
export const TORCH_INSTALL = 'install it with `apt-get install python3-torch libopenblas0-openmp` (Debian/Ubuntu) or `pip install torch`';

/**
 * The BLAS a torch process loaded, for its note. Debian's torch has no MKL:
 * its dense layers call the system's libblas.so.3, which is the reference
 * BLAS unless OpenBLAS is installed; measured on this MLP the reference BLAS
 * made PyTorch about 10x slower, so the note says so instead of letting that
 * figure pass for PyTorch's pace.
 */
export function blasNote(libs: readonly string[]): string {
  const openblas = libs.find((l) => l.includes('openblas'));
  if (openblas) return `OpenBLAS${openblas.includes('openmp') ? ' (OpenMP)' : openblas.includes('pthread') ? ' (pthreads)' : ''}`;
  if (libs.some((l) => l.includes('mkl'))) return 'MKL';
  if (libs.length === 0) return 'BLAS unknown';
  return 'the REFERENCE BLAS: its dense layers run about 10x slower than with OpenBLAS (apt-get install libopenblas0-openmp)';
}

/** The first Python that imports torch, with torch's version; or why none does. */
export function findTorch(): { python: string; version: string } | { missing: string } {
  const tried: string[] = [];
  for (const python of CANDIDATES) {
    if (python.startsWith('/') && !existsSync(python)) {
      tried.push(`${python} (absent)`);
      continue;
    }
    const r = spawnSync(python, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) return { python, version: r.stdout.trim() };
    const why = r.error ? r.error.message : (r.stderr.trim().split('\n').at(-1) ?? `exit code ${r.status}`);
    tried.push(`${python} (${why})`);
  }
  return { missing: `PyTorch not found: ${TORCH_INSTALL}; tried ${tried.join(', ')}` };
}

/** What torch_common.finish prints for every script, and each script's own figures. */
interface TorchOutput {
  torch: string;
  threads: number;
  /** Snapshots written to the weights file (one per full epoch). */
  epochs: number;
  /** RSS at the start and at each full epoch's end. */
  rssMiB: number[];
  maxRssMiB: number;
  /** Real paths of the BLAS libraries loaded. */
  blas: string[];
}

interface TorchCnnOutput extends TorchOutput {
  batchCosts: number[];
  batchSeconds: number[];
}

interface TorchMlpOutput extends TorchOutput {
  epochSeconds: number[];
}

function run(python: string, script: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // -B: no __pycache__ next to the scripts (torch_common is imported).
    const child = spawn(python, ['-B', join(HERE, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs a torch script on the fixture dir with `threads` intra-op threads and
 * `count` (epochs or batches); returns its report, the weights it wrote (one
 * block of `perSnapshot` floats per snapshot) and a note for the results.
 * Throws "n/a (...)" when torch is missing.
 */
async function runTorch<T extends TorchOutput>(script: string, threads: number, count: number, perSnapshot: number): Promise<{ r: T; snapshots: Float32Array[]; note: string }> {
  const found = findTorch();
  if ('missing' in found) throw new Error(`n/a (${found.missing})`);
  mkdirSync(OUT_DIR, { recursive: true });
  const weightsFile = join(OUT_DIR, `torch-weights-${threads}t-${process.pid}.bin`);
  try {
    const out = await run(found.python, script, [join(OUT_DIR, 'fixtures'), String(threads), String(count), weightsFile]);
    const last = out.stdout.trim().split('\n').at(-1) ?? '';
    if (out.code !== 0 || !last.startsWith('{')) throw new Error(`${script}: exit code ${out.code}: ${out.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    const r = JSON.parse(last) as T;
    if (r.threads !== threads) throw new Error(`n/a (asked PyTorch for ${threads} threads, it runs ${r.threads})`);
    const blob = new Float32Array(new Uint8Array(readFileSync(weightsFile)).buffer);
    if (blob.length !== r.epochs * perSnapshot) throw new Error(`${script}: expected ${r.epochs} x ${perSnapshot} weights, got ${blob.length}`);
    const snapshots = Array.from({ length: r.epochs }, (_, e) => blob.slice(e * perSnapshot, (e + 1) * perSnapshot));
    return { r, snapshots, note: `PyTorch ${r.torch} (${found.python}), CPU eager, torch.set_num_threads(${r.threads}), ${blasNote(r.blas)}; its own process: RSS is Python's` };
  } finally {
    rmSync(weightsFile, { force: true });
  }
}

/** Cuts a snapshot's floats into consecutive pieces of the given sizes. */
function split(flat: Float32Array, sizes: readonly number[]): Float32Array[] {
  let off = 0;
  return sizes.map((n) => flat.subarray(off, (off += n)));
}

const memoryOf = (r: TorchOutput) => ({ maxRssMiB: r.maxRssMiB, perEpoch: r.rssMiB.map((rssMiB) => ({ rssMiB, heapUsedMiB: null })) });

/** `epochs` epochs of the MLP in PyTorch on `threads` intra-op threads, in the fixture's batch order. */
export async function torchMlpRun(threads: number, epochs: number, init: readonly LayerInit[]): Promise<MnistRun> {
  const shapes = init.flatMap(({ W, b }) => [W, b]);
  const { r, snapshots, note } = await runTorch<TorchMlpOutput>('torch_mlp.py', threads, epochs, shapes.reduce((s, m) => s + m.data.length, 0));
  return {
    epochSeconds: r.epochSeconds,
    snapshots: snapshots.map((flat) => {
      const parts = split(flat, shapes.map((m) => m.data.length));
      return init.map(({ W, b }, l) => ({ W: matrix(W.rows, W.cols, parts[2 * l]!), b: matrix(b.rows, b.cols, parts[2 * l + 1]!) }));
    }),
    memory: memoryOf(r),
    note,
  };
}

/** `batches` batches of the CNN in PyTorch on `threads` intra-op threads. */
export async function torchCnnRun(threads: number, batches: number): Promise<CnnRun> {
  const sizes = CNN_PARAMS.map((k) => CNN_PARAM_SHAPES[k].reduce((a, b) => a * b, 1));
  const { r, snapshots, note } = await runTorch<TorchCnnOutput>('torch_cnn.py', threads, batches, sizes.reduce((a, b) => a + b, 0));
  return {
    batchCosts: r.batchCosts,
    batchSeconds: r.batchSeconds,
    snapshots: snapshots.map((flat) => {
      const parts = split(flat, sizes);
      const w = {} as CnnWeights;
      CNN_PARAMS.forEach((k, i) => (w[k] = parts[i]!));
      return w;
    }),
    memory: memoryOf(r),
    note,
  };
}

/** `batches` batches of the LSTM character model in PyTorch (torch.nn.LSTM) on `threads` intra-op threads. */
export async function torchLstmRun(
  threads: number,
  batches: number,
): Promise<{ batchSeconds: number[]; batchCosts: number[]; sameComputation: true; maxRssMiB: number; note: string }> {
  const { r, note } = await runTorch<TorchCnnOutput>('torch_lstm.py', threads, batches, 0);
  return { batchSeconds: r.batchSeconds, batchCosts: r.batchCosts, sameComputation: true, maxRssMiB: r.maxRssMiB, note: `${note}; torch.nn.LSTM` };
}
