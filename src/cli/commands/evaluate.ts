/**
 * `layerwise evaluate`: a saved model's metrics and confusion matrix on labelled data.
 */
import { classificationReport, confusionMatrix, mae, mse, r2 } from '../../diagnose/metrics.js';
import type { Io } from './train.js';
import { loadRunModel } from '../run-files.js';
import { loadForModel, regressionPredictions } from './model-data.js';

/** Runs `layerwise evaluate`; returns the exit code. */
export async function evaluateCommand(o: { model: string; data: string; delimiter?: string; json: boolean }, io: Io): Promise<number> {
  const { network, run } = loadRunModel(o.model, '--model', 'evaluate');
  const d = await loadForModel(network, run, o.data, true, io.err, o.delimiter);
  if (run.task === 'regression') {
    // In the target's units; the cost of a squared-error network is its MSE (also when it was trained on standardized targets).
    const A = regressionPredictions(network, run, d.X);
    const e = mse(A, d.Y!);
    const cost = run.targetStandardizer ? e : network.cost(d.X, d.Y!);
    const out = { task: 'regression', examples: d.table.m, cost, mse: e, mae: mae(A, d.Y!), r2: r2(A, d.Y!) };
    if (o.json) io.out(JSON.stringify(out));
    else io.out(`examples ${out.examples}: cost ${cost.toFixed(4)}, mse ${out.mse.toFixed(4)}, mae ${out.mae.toFixed(4)}, r2 ${out.r2.toFixed(4)}`);
    return 0;
  }
  const cost = network.cost(d.X, d.Y!);
  const classes = run.classes!;
  const pred = network.classify(d.X);
  const truth = [Array.from(d.labels!)];
  const cm = confusionMatrix(pred, truth, classes.length);
  const rep = classificationReport(pred, truth, classes.length);
  const out = { task: 'classification', examples: d.table.m, cost, accuracy: rep.accuracy, classes, confusionMatrix: cm, perClass: rep.classes, macro: rep.macro };
  if (o.json) {
    io.out(JSON.stringify(out));
    return 0;
  }
  io.out(`examples ${d.table.m}: cost ${cost.toFixed(4)}, accuracy ${(rep.accuracy * 100).toFixed(2)}%, macro F1 ${rep.macro.f1.toFixed(4)}`);
  io.out('');
  io.out('confusion matrix (rows: true class, columns: predicted)');
  // A loop, not Math.max(...): a spread of every cell overflows the stack for a few hundred classes.
  let w = 6;
  for (const c of classes) w = Math.max(w, c.length + 1);
  for (const row of cm) for (const v of row) w = Math.max(w, String(v).length + 1);
  io.out(' '.repeat(w) + classes.map((c) => c.padStart(w)).join(''));
  cm.forEach((row, i) => io.out(classes[i]!.padStart(w) + row.map((v) => String(v).padStart(w)).join('')));
  io.out('');
  io.out('class'.padStart(w) + ['precision', 'recall', 'f1', 'support'].map((h) => h.padStart(11)).join(''));
  rep.classes.forEach((c, i) => io.out(classes[i]!.padStart(w) + [c.precision.toFixed(3), c.recall.toFixed(3), c.f1.toFixed(3), String(c.support)].map((v) => v.padStart(11)).join('')));
  return 0;
}
