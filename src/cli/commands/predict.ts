/**
 * `layerwise predict`: predictions with the original label names and the
 * class probabilities, as CSV (to --out, written atomically, or stdout).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../../node/files.js';
import { CliError } from '../errors.js';
import { loadRunModel } from '../run-files.js';
import { loadForModel, regressionPredictions } from './model-data.js';
import type { Io } from './train.js';

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Checked before any work, so the error names --out rather than the temporary file the write goes through. */
function checkOutFile(out: string): void {
  const dir = dirname(resolve(out));
  if (!existsSync(dir)) throw new CliError(`--out: expected a file in an existing folder, got ${out} (the folder ${dir} does not exist)`);
  if (!statSync(dir).isDirectory()) throw new CliError(`--out: expected a file in a folder, got ${out} (${dir} is not a folder)`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new CliError(`--out: expected a file, got ${out}, which is a folder`);
}

/** Runs `layerwise predict`; returns the exit code. */
export async function predictCommand(o: { model: string; data: string; delimiter?: string; out?: string }, io: Io): Promise<number> {
  if (o.out !== undefined) checkOutFile(o.out);
  const { network, run } = loadRunModel(o.model, '--model', 'predict');
  const d = await loadForModel(network, run, o.data, false, io.err, o.delimiter);
  const A = run.task === 'regression' ? regressionPredictions(network, run, d.X) : network.predict(d.X);
  const m = A.cols;
  const lines: string[] = [];
  // Images read from a folder are named by their file, first on each line.
  const names = d.table.rowNames;
  const first = (j: number): string[] => (names ? [csvCell(names[j]!)] : []);
  const head = names ? ['file'] : [];
  if (run.task === 'regression') {
    lines.push([...head, `predicted_${run.target}`].map(csvCell).join(','));
    for (let j = 0; j < m; j++) lines.push([...first(j), String(A.data[j])].join(','));
  } else {
    const classes = run.classes!;
    lines.push([...head, 'prediction', ...classes.map((c) => `p_${c}`)].map(csvCell).join(','));
    const labels = network.classify(d.X);
    for (let j = 0; j < m; j++) {
      const probs = A.rows === 1 ? [1 - A.data[j]!, A.data[j]!] : Array.from({ length: A.rows }, (_, i) => A.data[i * m + j]!);
      lines.push([...first(j), csvCell(classes[labels.data[j]!]!), ...probs.map((p) => p.toFixed(6))].join(','));
    }
  }
  const text = lines.join('\n') + '\n';
  if (o.out) {
    writeFileAtomic(o.out, text);
    io.err(`wrote ${m} predictions to ${o.out}`);
  } else process.stdout.write(text);
  return 0;
}
