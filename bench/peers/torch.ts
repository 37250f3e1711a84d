/**
 * PyTorch as an optional CNN peer: bench/peers/torch_cnn.py, run by the
 * Python that has torch (Debian's python3-torch lives under /usr/bin/python3,
 * which need not be the python3 first on PATH), reading the same fixture
 * files as every other peer. It times itself per batch; this side turns its
 * output into a CnnRun for the shared evaluation.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OUT_DIR } from '../shared/fixtures.js';
import type { CnnRun } from '../shared/measure.js';
import { CNN_PARAM_SHAPES, CNN_PARAMS, type CnnWeights } from '../workloads/cnn.js';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'torch_cnn.py');
const CANDIDATES = ['/usr/bin/python3', 'python3'];
export const TORCH_INSTALL = 'install it with `apt-get install python3-torch` (Debian/Ubuntu) or `pip install torch`';

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

interface TorchOutput {
  torch: string;
  threads: number;
  batchCosts: number[];
  batchSeconds: number[];
  epochs: number;
  rssMiB: number[];
  maxRssMiB: number;
}

function run(python: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(python, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `batches` batches of the CNN in PyTorch on `threads` intra-op threads. Throws "n/a (...)" when torch is missing. */
export async function torchCnnRun(threads: number, batches: number): Promise<CnnRun> {
  const found = findTorch();
  if ('missing' in found) throw new Error(`n/a (${found.missing})`);
  mkdirSync(OUT_DIR, { recursive: true });
  const weightsFile = join(OUT_DIR, `torch-cnn-weights-${threads}t-${process.pid}.bin`);
  try {
    const out = await run(found.python, [join(OUT_DIR, 'fixtures'), String(threads), String(batches), weightsFile]);
    const last = out.stdout.trim().split('\n').at(-1) ?? '';
    if (out.code !== 0 || !last.startsWith('{')) throw new Error(`torch_cnn.py: exit code ${out.code}: ${out.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    const r = JSON.parse(last) as TorchOutput;
    if (r.threads !== threads) throw new Error(`n/a (asked PyTorch for ${threads} threads, it runs ${r.threads})`);
    const blob = new Float32Array(new Uint8Array(readFileSync(weightsFile)).buffer);
    const sizes = CNN_PARAMS.map((k) => CNN_PARAM_SHAPES[k].reduce((a, b) => a * b, 1));
    const per = sizes.reduce((a, b) => a + b, 0);
    const snapshots: CnnWeights[] = [];
    for (let e = 0; e < r.epochs; e++) {
      let off = e * per;
      const w = {} as CnnWeights;
      CNN_PARAMS.forEach((k, i) => {
        w[k] = blob.slice(off, off + sizes[i]!);
        off += sizes[i]!;
      });
      snapshots.push(w);
    }
    return {
      batchCosts: r.batchCosts,
      batchSeconds: r.batchSeconds,
      snapshots,
      memory: { maxRssMiB: r.maxRssMiB, perEpoch: r.rssMiB.map((rssMiB) => ({ rssMiB, heapUsedMiB: null })) },
      note: `PyTorch ${r.torch} (${found.python}), CPU eager, torch.set_num_threads(${r.threads}); its own process: RSS is Python's`,
    };
  } finally {
    rmSync(weightsFile, { force: true });
  }
}
