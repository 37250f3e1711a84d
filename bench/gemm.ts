/**
 * GEMM throughput: layerwise wasm (1 and 2 threads), the layerwise reference
 * kernels, and TensorFlow.js's CPU and WASM backends, on square sizes and MLP
 * layer shapes in the three transpositions of backprop. Each library runs in
 * its own child process, one after the other.
 *
 *   npx tsx bench/gemm.ts [--quick] [--rounds=N]
 *
 * The libraries run `--rounds` times (2 by default, 1 with --quick; every
 * other round in reverse order) and each case keeps its best round, because
 * this host slows down by up to 2x for minutes at a time. Prints a table of
 * GFLOP/s with ratios and writes bench/out/gemm.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bestOfRounds, caseKey, LIBRARIES, LIBRARY_LABELS, type Library, type LibraryResult } from './gemm-cases.js';
import { gemmTargetLines } from './gemm-targets.js';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const roundsArg = process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1];
const rounds = Number(roundsArg ?? (quick ? 1 : 2));
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`--rounds: expected a positive integer, got ${roundsArg}`);
  process.exit(2);
}
const CHILD_TIMEOUT_MS = 150_000;

function runLibrary(library: Library): LibraryResult | string {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'gemm-child.ts'), library, ...(quick ? ['--quick'] : [])], {
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
    maxBuffer: 1 << 24,
  });
  const last = child.stdout?.trim().split('\n').pop() ?? '';
  if (child.status === 0 && last.startsWith('{')) return JSON.parse(last) as LibraryResult;
  return `${library} failed (${child.signal ?? `exit ${child.status}`}): ${(child.stderr ?? '').trim().split('\n').slice(-2).join(' / ')}`;
}

function fmt(x: number | undefined): string {
  return x === undefined ? 'n/a' : x.toFixed(1);
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(2)}x`;
}

function table(reports: readonly LibraryResult[]): string {
  const byLib = new Map(reports.map((r) => [r.library, new Map(r.results.map((c) => [caseKey(c.shape, c.mode), c.gflops]))]));
  const keys = reports[0]?.results.map((c) => caseKey(c.shape, c.mode)) ?? [];
  const get = (lib: Library, key: string): number | undefined => byLib.get(lib)?.get(key);
  const peak1 = reports.find((r) => r.library === 'wasm1')?.peak;
  const peak2 = reports.find((r) => r.library === 'wasm2')?.peak;
  const ofPeak = (x: number | undefined, peak: number | undefined): string => (x === undefined || peak === undefined ? 'n/a' : `${((100 * x) / peak).toFixed(0)}%`);
  const headers = ['m x k x n', ...LIBRARIES.map((l) => LIBRARY_LABELS[l]), '2T/1T', '1T/tfjs-wasm', '2T/tfjs-wasm', '1T/js', '1T/peak', '2T/2xpeak'];
  const rows = keys.map((key) => [
    key,
    ...LIBRARIES.map((l) => fmt(get(l, key))),
    ratio(get('wasm2', key), get('wasm1', key)),
    ratio(get('wasm1', key), get('tfjs-wasm', key)),
    ratio(get('wasm2', key), get('tfjs-wasm', key)),
    ratio(get('wasm1', key), get('js', key)),
    ofPeak(get('wasm1', key), peak1),
    ofPeak(get('wasm2', key), peak2 === undefined ? undefined : 2 * peak2),
  ]);
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]): string => r.map((s, c) => (c === 0 ? s.padEnd(widths[c]!) : s.padStart(widths[c]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function main(): void {
  const perRound: LibraryResult[][] = [];
  const failures: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const got: LibraryResult[] = [];
    for (const library of round % 2 === 0 ? LIBRARIES : [...LIBRARIES].reverse()) {
      const started = performance.now();
      const r = runLibrary(library);
      if (typeof r === 'string') failures.push(`round ${round + 1}: ${r}`);
      else got.push(r);
      console.error(`  round ${round + 1}, ${library}: ${((performance.now() - started) / 1e3).toFixed(1)} s`);
    }
    perRound.push(got);
  }
  // Table order, whatever order the rounds ran in.
  const reports = bestOfRounds(perRound).sort((a, b) => LIBRARIES.indexOf(a.library) - LIBRARIES.indexOf(b.library));
  const cpu = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, Node ${process.version}`;
  console.log(`GEMM GFLOP/s (float32; best of repeated runs in each of ${rounds} round${rounds === 1 ? '' : 's'}; ${cpu})\n`);
  console.log(table(reports));
  for (const r of reports) console.log(`  ${LIBRARY_LABELS[r.library]}: ${r.note}${r.peak === undefined ? '' : `; one core's 128-bit mul+add peak measured in its process (highest of the rounds): ${r.peak.toFixed(1)} GFLOP/s`}`);
  console.log('  peak: bench/peak.ts (vector-add throughput x 2, separate multiply and add pipes as on AMD Zen); 2xpeak: both cores at that peak');
  for (const f of failures) console.log(`  ${f}`);
  const targets = gemmTargetLines(reports);
  if (targets.length > 0) console.log(`\nIssue 3's targets, on square sizes >= 256 and the MLP shapes, all three transpositions:\n${targets.map((t) => `  ${t}`).join('\n')}`);
  mkdirSync(join(here, 'out'), { recursive: true });
  writeFileSync(join(here, 'out', 'gemm.json'), `${JSON.stringify({ cpu, quick, rounds, reports, perRound, failures }, null, 2)}\n`);
}

main();
