/**
 * `npm run bench [-- --quick] [--only=id,id] [--workload=mnist|planar] [--no-gemm] [--rounds=N]`
 *
 * Runs every library/variant on each workload in its own child process, one
 * at a time, prints the tables and target ratios, and writes
 * bench/out/results.json and (for a full run of everything) bench/RESULTS.md.
 *
 * The whole sequence runs `--rounds` times (2 by default, 1 with --quick),
 * the second in reverse order, and each variant keeps its best round: the
 * 2-core VM this project measures on slows down by up to 2x for minutes at
 * a time, which in a single pass lands on whichever variants run then.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OUT_DIR } from './shared/fixtures.js';
import { lastJsonLine, runScript } from './shared/spawn.js';
import { better } from './shared/best.js';
import type { ChildResult, VariantId, WorkloadId } from './shared/types.js';
import { VARIANTS, WORKLOADS, checkEpoch, type Variant } from './variants.js';
import { makeMnistFixture, makePlanarFixture } from './workloads/make-fixtures.js';
import { saveMnistFixture } from './workloads/mnist.js';
import { savePlanarFixture } from './workloads/planar.js';
import { textTable } from './report/format.js';
import { resultsMarkdown, type Report } from './report/markdown.js';
import { collectMeta, cpuSnapshot, otherCores } from './report/meta.js';
import { correctness, memoryVerdicts, mnistTable, planarTable, ratios } from './report/summary.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH_DIR, '..');
const CHILD_TIMEOUT_MS = 240_000;
/** Per GEMM round. */
const GEMM_TIMEOUT_MS = 300_000;

function option(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
}

const quick = process.argv.includes('--quick');
const only = option('only')?.split(',');
const workloads = (option('workload')?.split(',') ?? WORKLOADS) as WorkloadId[];
const withGemm = !process.argv.includes('--no-gemm');
const complete = !only && workloads.length === WORKLOADS.length && withGemm;
const pick = quick ? 1 : 0;
const rounds = Number(option('rounds') ?? (quick ? 1 : 2));
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`--rounds: expected a positive integer, got ${option('rounds')}`);
  process.exit(2);
}


/** The wasm backend's generated module is a build output: make sure it is current (the layerwise wasm rows need it). */
function buildWasm(): void {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  if (!scripts['build:wasm']) return;
  console.log('building the wasm backend (npm run build:wasm) ...');
  const r = spawnSync('npm', ['run', '--silent', 'build:wasm'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) console.log('build:wasm failed; the layerwise wasm rows will say why.');
}

async function runChild(workload: WorkloadId, v: Variant): Promise<ChildResult> {
  let count: number;
  const args: string[] = [];
  if (workload === 'mnist') {
    count = v.mnistEpochs[pick];
    if (v.mnistExamples) args.push(String(v.mnistExamples[pick]));
  } else {
    if (!v.planarIterations) return { workload, variant: v.id, ok: false, reason: v.planarReason ?? 'n/a' };
    count = v.planarIterations[pick];
  }
  const out = await runScript(join(BENCH_DIR, 'child.ts'), [workload, v.id, String(count), ...args], CHILD_TIMEOUT_MS, ['--expose-gc']);
  const parsed = lastJsonLine(out.stdout) as ChildResult | null;
  if (parsed && parsed.variant === v.id) return parsed;
  const why = out.timedOut ? `timed out after ${CHILD_TIMEOUT_MS / 1000} s` : `exit code ${out.code}: ${out.stderr.trim().split('\n').slice(-3).join(' / ')}`;
  return { workload, variant: v.id, ok: false, reason: `failed (${why})` };
}

function progress(r: ChildResult, seconds: number): string {
  const head = `  ${r.workload} ${r.variant}`.padEnd(26);
  if (!r.ok) return `${head} ${r.reason}`;
  if (r.workload === 'mnist') return `${head} ${Math.round(r.examplesPerSecond).toLocaleString('en-US')} examples/s  (${r.epochs} epochs, ${seconds.toFixed(0)} s)`;
  return `${head} ${r.seconds.toFixed(3)} s for ${r.iterations} iterations, cost ${r.finalCost.toFixed(6)}`;
}

async function runGemm(): Promise<string | null> {
  const script = join(BENCH_DIR, 'gemm.ts');
  if (!existsSync(script)) return null;
  console.log('  gemm (bench/gemm.ts) ...');
  const out = await runScript(script, [...(quick ? ['--quick'] : []), `--rounds=${rounds}`], GEMM_TIMEOUT_MS * rounds);
  if (out.code !== 0) return `bench/gemm.ts failed (${out.timedOut ? 'timed out' : `exit code ${out.code}`}):\n${out.stderr.trim().split('\n').slice(-5).join('\n')}`;
  return out.stdout;
}

async function main(): Promise<void> {
  const meta = collectMeta(ROOT, quick);
  const cpuStart = cpuSnapshot();
  const start = performance.now();
  buildWasm();
  console.log('making the shared fixtures (data and initial weights) ...');
  saveMnistFixture(makeMnistFixture());
  savePlanarFixture(makePlanarFixture());

  const jobs = workloads.flatMap((workload) => VARIANTS.filter((v) => !only || only.includes(v.id)).map((v) => ({ workload, v })));
  const best = new Map<string, ChildResult>();
  for (let round = 0; round < rounds; round++) {
    if (rounds > 1) console.log(`round ${round + 1} of ${rounds}`);
    for (const { workload, v } of round % 2 === 0 ? jobs : [...jobs].reverse()) {
      const t = performance.now();
      const r = await runChild(workload, v);
      console.log(progress(r, (performance.now() - t) / 1000));
      const key = `${workload} ${v.id}`;
      if (better(r, best.get(key))) best.set(key, r);
    }
  }
  const results = jobs.map(({ workload, v }) => best.get(`${workload} ${v.id}`)!);
  meta.rounds = rounds;
  const gemm = withGemm ? await runGemm() : null;
  meta.totalSeconds = (performance.now() - start) / 1000;
  meta.loadAverageEnd = (await import('node:os')).loadavg();
  meta.otherProcessesCores = otherCores(cpuStart, cpuSnapshot());

  const epoch = checkEpoch(quick);
  const report: Report = {
    meta,
    checkEpoch: epoch,
    mnist: mnistTable(results, epoch),
    planar: planarTable(results),
    ratios: ratios(results),
    correctness: correctness(results, epoch),
    memory: memoryVerdicts(results),
    gemm,
  };
  const show = (title: string, t: Report['mnist']) => console.log(`\n${title}\n${textTable(t.headers, t.rows, t.align)}`);
  show('MNIST MLP training (784-128-64-10, Adam, batch 64)', report.mnist);
  show('Planar course net (2-4-1, lr 1.2, full batch)', report.planar);
  console.log(`\nRatios\n${report.ratios.map((l) => `  ${l.text}`).join('\n')}`);
  console.log(`\nSame computation?\n${report.correctness.map((l) => `  ${l}`).join('\n')}`);
  console.log(`\nMemory per epoch\n${report.memory.map((l) => `  ${l}`).join('\n')}`);
  if (gemm !== null) console.log(`\nGEMM (bench/gemm.ts)\n${gemm.trimEnd()}`);

  mkdirSync(OUT_DIR, { recursive: true });
  // bench/gemm.ts writes its own figures as JSON: carry them into results.json too.
  const gemmFile = join(OUT_DIR, 'gemm.json');
  const gemmJson: unknown = gemm !== null && existsSync(gemmFile) ? JSON.parse(readFileSync(gemmFile, 'utf8')) : null;
  writeFileSync(join(OUT_DIR, 'results.json'), `${JSON.stringify({ meta, checkEpoch: epoch, results, ratios: report.ratios, gemm: { text: gemm, results: gemmJson } }, null, 2)}\n`);
  const md = resultsMarkdown(report);
  // Only a full run of everything replaces the committed RESULTS.md; partial and quick runs stay in bench/out.
  const mdPath = complete && !quick ? join(BENCH_DIR, 'RESULTS.md') : join(OUT_DIR, quick ? 'RESULTS-quick.md' : 'RESULTS-partial.md');
  writeFileSync(mdPath, md);
  console.log(`\nwrote ${join(OUT_DIR, 'results.json')} and ${mdPath} (${Math.round(meta.totalSeconds)} s in all)`);
}

const ids = new Set<VariantId>(VARIANTS.map((v) => v.id));
if (only?.some((id) => !ids.has(id as VariantId))) {
  console.error(`--only: expected ids from ${[...ids].join(', ')}`);
  process.exit(2);
}
main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
