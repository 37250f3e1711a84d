/**
 * The end of a run: a table of train/dev/test cost and metrics, the
 * bias/variance verdict with the recipe's next steps, and where the files
 * went; or the one JSON object scripts read (`--json`).
 */
import type { Evaluation } from '../diagnose/evaluate.js';
import type { Io } from './commands/train.js';

type Counts = { train: number; dev: number; test: number };
const SETS = ['train', 'dev', 'test'] as const;

/** The `--json` summary (documented in the README; scripts rely on its keys). */
export function summaryJson(result: Evaluation, examples: Counts, epochs: number, seconds: number, model: string): Record<string, unknown> {
  const metrics = (k: (typeof SETS)[number]) => {
    const s = result[k];
    if (!s) return null;
    return result.task === 'classification' ? { cost: s.cost, accuracy: (s as { accuracy: number }).accuracy } : { cost: s.cost, mse: (s as { mse: number }).mse, mae: (s as { mae: number }).mae, r2: (s as { r2: number }).r2 };
  };
  const d = result.task === 'classification' ? result.diagnosis : undefined;
  return {
    task: result.task,
    examples,
    train: metrics('train'),
    dev: metrics('dev'),
    test: metrics('test'),
    diagnosis: d ? { avoidableBias: d.avoidableBias, variance: d.variance, verdict: d.verdict, advice: d.advice } : null,
    epochs,
    seconds: Math.round(seconds * 1000) / 1000,
    model,
  };
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** Prints the human summary. */
export function printSummary(io: Io, result: Evaluation, examples: Counts, outDir: string, modelDir: string, seconds: number): void {
  const cols = result.task === 'classification' ? ['cost', 'accuracy', 'error'] : ['cost', 'mse', 'mae', 'r2'];
  io.out('');
  io.out(pad('set', 8) + pad('examples', 10) + cols.map((c) => pad(c, 11)).join(''));
  for (const k of SETS) {
    const s = result[k] as Record<string, number> | undefined;
    if (!s) continue;
    io.out(pad(k, 8) + pad(String(examples[k]), 10) + cols.map((c) => pad(s[c]!.toFixed(4), 11)).join(''));
  }
  if (result.task === 'classification' && result.diagnosis) {
    const d = result.diagnosis;
    io.out('');
    io.out(`diagnosis: ${d.verdict} (avoidable bias ${(d.avoidableBias * 100).toFixed(2)}%, variance ${(d.variance * 100).toFixed(2)}%)`);
    for (const a of d.advice) io.out(`  - ${a}`);
  }
  io.out('');
  io.out(`model:   ${modelDir}`);
  io.out(`history: ${outDir}/history.csv`);
  io.out(`report:  ${outDir}/report.html`);
  io.out(`time:    ${seconds.toFixed(1)} s`);
}
