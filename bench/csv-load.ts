/**
 * CSV loading benchmark: generates a rows x 20-column CSV (19 numeric
 * features and a 0/1 target) in a temporary folder, loads it with the CLI's
 * streaming loader, and reports rows/s, MB/s and peak resident memory.
 *
 * Run: npx tsx bench/csv-load.ts [rows=1000000]
 */
import { mkdtempSync, rmSync, statSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Rng } from '../src/index.js';
import { loadCsv } from '../src/cli/data/csv.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'layerwise-csv-'));
const file = join(dir, 'big.csv');

async function generate(): Promise<void> {
  const out = createWriteStream(file);
  const rng = new Rng(1);
  out.write(Array.from({ length: 19 }, (_, i) => `f${i}`).join(',') + ',y\n');
  let chunk = '';
  for (let r = 0; r < rows; r++) {
    let line = '';
    for (let c = 0; c < 19; c++) line += (rng.normal() * 10).toFixed(4) + ',';
    chunk += line + (rng.uniform() < 0.5 ? '0' : '1') + '\n';
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

await generate();
const bytes = statSync(file).size;
const rssBefore = process.memoryUsage().rss;
const t = performance.now();
const table = await loadCsv(file);
const seconds = (performance.now() - t) / 1000;
const peak = process.resourceUsage().maxRSS * 1024;
rmSync(dir, { recursive: true, force: true });
const result = {
  workload: 'csv-load',
  rows: table.m,
  columns: table.featureNames.length + 1,
  megabytes: +(bytes / 1e6).toFixed(1),
  seconds: +seconds.toFixed(2),
  rowsPerSecond: Math.round(table.m / seconds),
  megabytesPerSecond: +(bytes / 1e6 / seconds).toFixed(1),
  peakRssMB: Math.round(peak / 1e6),
  rssBeforeLoadMB: Math.round(rssBefore / 1e6),
  featuresMB: +((table.features.byteLength) / 1e6).toFixed(1),
};
console.log(`CSV ${result.rows.toLocaleString('en-US')} rows x ${result.columns} columns (${result.megabytes} MB): ${result.seconds} s, ${result.rowsPerSecond.toLocaleString('en-US')} rows/s, ${result.megabytesPerSecond} MB/s, peak RSS ${result.peakRssMB} MB (features ${result.featuresMB} MB)`);
console.log(JSON.stringify(result));
