/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, no
 * network) with the train/dev cost curves, the confusion matrix, per-class
 * scores, the configuration and the bias/variance diagnosis.
 */
import type { ClassificationReport } from '../diagnose/metrics.js';
import type { Evaluation } from '../diagnose/evaluate.js';
import { writeFileAtomic } from '../node/files.js';
import type { HistoryRow, RunMetadata } from './run-files.js';

/** Everything the report shows. */
export interface ReportInput {
  metadata: RunMetadata;
  history: readonly HistoryRow[];
  evaluation: Evaluation;
  confusion: number[][] | null;
  perClass: ClassificationReport | null;
  reportSetName: string;
  layerDims: number[];
  seconds: number;
  stopReason: string;
}

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The most points one plotted curve keeps; a longer history is downsampled by {@link curveIndices}. */
export const MAX_CURVE_POINTS = 1000;

const plotted = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v);

/**
 * The indices of the points a curve keeps: every plotted (finite) value when
 * there are at most `maxPoints`; otherwise the first, the last, the minimum,
 * and the lowest and highest value of each of equal spans of epochs, so the
 * curve keeps its shape, its spikes and its best epoch in at most `maxPoints`
 * points. Null and non-finite values are gaps, never kept.
 */
export function curveIndices(values: readonly (number | null)[], maxPoints = MAX_CURVE_POINTS): number[] {
  const n = values.length;
  const keep = new Uint8Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (!plotted(values[i])) continue;
    keep[i] = 1;
    count++;
  }
  if (count > maxPoints) {
    keep.fill(0);
    const mark = (i: number): void => {
      if (i >= 0) keep[i] = 1;
    };
    let first = -1;
    let last = -1;
    let best = -1;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (!plotted(v)) continue;
      if (first < 0) first = i;
      last = i;
      if (best < 0 || v < values[best]!) best = i;
    }
    [first, last, best].forEach(mark);
    const spans = Math.max(1, Math.floor((maxPoints - 3) / 2));
    for (let b = 0; b < spans; b++) {
      let lo = -1;
      let hi = -1;
      for (let i = Math.floor((b * n) / spans), end = Math.floor(((b + 1) * n) / spans); i < end; i++) {
        const v = values[i];
        if (!plotted(v)) continue;
        if (lo < 0 || v < values[lo]!) lo = i;
        if (hi < 0 || v > values[hi]!) hi = i;
      }
      mark(lo);
      mark(hi);
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(i);
  return out;
}

/** The smallest and largest finite value of the series (null when there is none); a loop, so any length works. */
function range(series: readonly (readonly (number | null)[])[]): { lo: number; hi: number } | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const values of series) {
    for (const v of values) {
      if (!plotted(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? { lo, hi } : null;
}

/**
 * An SVG line chart of train and dev cost per epoch. A history longer than
 * {@link MAX_CURVE_POINTS} epochs is downsampled ({@link curveIndices}), and
 * the axis says how many points each curve shows.
 */
export function costChart(history: readonly HistoryRow[], width = 640, height = 300): string {
  const pad = { l: 56, r: 16, t: 16, b: 40 };
  const train = history.map((h) => h.trainCost);
  const dev = history.map((h) => h.devCost);
  const bounds = range([train, dev]);
  if (bounds === null) return '<p>No epochs were run.</p>';
  const { lo, hi } = bounds;
  const span = hi - lo || 1;
  const n = history.length;
  const x = (i: number) => pad.l + (n === 1 ? 0 : (i / (n - 1)) * (width - pad.l - pad.r));
  const y = (v: number) => pad.t + (1 - (v - lo) / span) * (height - pad.t - pad.b);
  let shown = 0;
  const line = (vals: readonly (number | null)[], colour: string, name: string) => {
    const kept = curveIndices(vals);
    shown = Math.max(shown, kept.length);
    const pts = kept.map((i) => `${x(i).toFixed(1)},${y(vals[i]!).toFixed(1)}`);
    return pts.length === 0 ? '' : `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.join(' ')}"><title>${name}</title></polyline>`;
  };
  const curves = `${line(train, '#2563eb', 'train cost')}\n${line(dev, '#dc2626', 'dev cost')}`;
  const sampled = n > MAX_CURVE_POINTS ? `; at most ${shown} points per curve` : '';
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => lo + f * span);
  const grid = ticks
    .map((v) => `<line x1="${pad.l}" x2="${width - pad.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e7eb"/><text x="${pad.l - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11">${v.toPrecision(3)}</text>`)
    .join('');
  return `<svg role="img" aria-label="train and dev cost per epoch" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px">
${grid}
<text x="${(width + pad.l) / 2}" y="${height - 8}" text-anchor="middle" font-size="12">epoch (1 to ${n}${sampled})</text>
${curves}
<rect x="${width - 150}" y="${pad.t}" width="12" height="3" fill="#2563eb"/><text x="${width - 132}" y="${pad.t + 5}" font-size="12">train cost</text>
<rect x="${width - 150}" y="${pad.t + 16}" width="12" height="3" fill="#dc2626"/><text x="${width - 132}" y="${pad.t + 21}" font-size="12">dev cost</text>
</svg>`;
}

function confusionTable(confusion: number[][], classes: string[]): string {
  let max = 1;
  for (const row of confusion) for (const v of row) if (v > max) max = v;
  const head = `<tr><th>true \\ predicted</th>${classes.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const rows = confusion
    .map((row, i) => `<tr><th>${esc(classes[i])}</th>${row.map((v, j) => `<td style="background:rgba(${i === j ? '37,99,235' : '220,38,38'},${(0.08 + (0.6 * v) / max).toFixed(2)})">${v}</td>`).join('')}</tr>`)
    .join('');
  return `<table class="cm">${head}${rows}</table>`;
}

/** The configuration table's rows: each training option that was set. */
function configRows(training: Record<string, unknown>): string {
  return Object.entries(training)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(typeof v === 'object' ? JSON.stringify(v) : v)}</td></tr>`)
    .join('');
}

/** The report's HTML. */
export function renderReport(r: ReportInput): string {
  const ev = r.evaluation;
  const keys = ev.task === 'classification' ? ['cost', 'accuracy', 'error'] : ['cost', 'mse', 'mae', 'r2'];
  const setRows = (['train', 'dev', 'test'] as const)
    .filter((k) => ev[k])
    .map((k) => `<tr><th>${k}</th><td>${r.metadata.examples[k]}</td>${keys.map((c) => `<td>${((ev[k] as unknown as Record<string, number>)[c] ?? NaN).toFixed(4)}</td>`).join('')}</tr>`)
    .join('');
  const diag = ev.task === 'classification' && ev.diagnosis
    ? `<h2>Bias and variance</h2><p class="verdict">${esc(ev.diagnosis.verdict)}</p>
<p>Avoidable bias (train error − optimal error): <b>${(ev.diagnosis.avoidableBias * 100).toFixed(2)}%</b>; variance (dev error − train error): <b>${(ev.diagnosis.variance * 100).toFixed(2)}%</b>; optimal error assumed ${(ev.diagnosis.optimalError * 100).toFixed(2)}%.</p>
<ul>${ev.diagnosis.advice.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>`
    : '';
  const classes = r.metadata.classes ?? [];
  const cm = r.confusion ? `<h2>Confusion matrix (${esc(r.reportSetName)} set)</h2>${confusionTable(r.confusion, classes)}` : '';
  const pc = r.perClass
    ? `<h2>Per class (${esc(r.reportSetName)} set)</h2><table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>${r.perClass.classes
        .map((c, i) => `<tr><th>${esc(classes[i])}</th><td>${c.precision.toFixed(3)}</td><td>${c.recall.toFixed(3)}</td><td>${c.f1.toFixed(3)}</td><td>${c.support}</td></tr>`)
        .join('')}<tr><th>macro</th><td>${r.perClass.macro.precision.toFixed(3)}</td><td>${r.perClass.macro.recall.toFixed(3)}</td><td>${r.perClass.macro.f1.toFixed(3)}</td><td></td></tr></table>`
    : '';
  const config = configRows(r.metadata.training);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>layerwise report: ${esc(r.metadata.data)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:900px;padding:16px;color:#111827}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d1d5db;padding:4px 10px;text-align:right}th{background:#f3f4f6;text-align:left}
.cm td{min-width:36px;text-align:center}.verdict{font-size:18px;font-weight:600}
</style></head><body>
<h1>layerwise training report</h1>
<p>Data <b>${esc(r.metadata.data)}</b> (${esc(r.metadata.task)}, target “${esc(r.metadata.target)}”${classes.length ? `, ${classes.length} classes` : ''}); network ${r.layerDims.join('-')}; ${r.history.length} epochs (${esc(r.stopReason)}) in ${r.seconds.toFixed(1)} s.</p>
<h2>Results</h2><table><tr><th>set</th><th>examples</th>${keys.map((k) => `<th>${k}</th>`).join('')}</tr>${setRows}</table>
${diag}
<h2>Cost per epoch</h2>${costChart(r.history)}
${cm}${pc}
<h2>Configuration</h2><table>${config}</table>
</body></html>
`;
}

/** Writes report.html atomically. */
export function writeReport(file: string, input: ReportInput): void {
  writeFileAtomic(file, renderReport(input));
}

/** A text model's scores on one set: the cost, the target characters (pads aside) and whole targets predicted right. */
export interface TextSetScores {
  examples: number;
  cost: number;
  charAccuracy: number;
  exactMatch: number;
}

/** What a text run's report shows. */
export interface TextReportInput {
  data: string;
  task: 'language-model' | 'translation';
  history: readonly HistoryRow[];
  scores: { train: TextSetScores; dev?: TextSetScores; test?: TextSetScores };
  /** The network's summary table. */
  summary: string;
  training: Record<string, unknown>;
  seconds: number;
  /** A language model's samples at the end. */
  samples: readonly string[];
  /** A translation model's dev example, with its attention map when the network has an attention layer. */
  example: { source: string; target: string; output: string; svg: string | null } | null;
}

/** report.html of a text run: results, cost curves, samples or one translation with its attention map, the network, the configuration. */
export function renderTextReport(r: TextReportInput): string {
  const translation = r.task === 'translation';
  const rows = (['train', 'dev', 'test'] as const)
    .map((k) => [k, r.scores[k]] as const)
    .filter((e): e is readonly [typeof e[0], TextSetScores] => e[1] !== undefined)
    .map(([k, s]) => `<tr><th>${k}</th><td>${s.examples}</td><td>${s.cost.toFixed(4)}</td><td>${(s.charAccuracy * 100).toFixed(2)}%</td>${translation ? `<td>${(s.exactMatch * 100).toFixed(2)}%</td>` : ''}</tr>`)
    .join('');
  const samples = r.samples.length > 0 ? `<h2>Samples</h2><p>${r.samples.map((s) => `<code>${esc(s)}</code>`).join(', ')}</p>` : '';
  const ex = r.example
    ? `<h2>A dev example</h2><p><code>${esc(r.example.source)}</code> → <code>${esc(r.example.output)}</code> (expected <code>${esc(r.example.target)}</code>)</p>${r.example.svg ? `<h3>Attention map</h3>${r.example.svg}` : ''}`
    : '';
  const config = configRows(r.training);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>layerwise report: ${esc(r.data)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:900px;padding:16px;color:#111827}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d1d5db;padding:4px 10px;text-align:right}th{background:#f3f4f6;text-align:left}
pre{background:#f3f4f6;padding:8px;overflow-x:auto}
</style></head><body>
<h1>layerwise training report</h1>
<p>Data <b>${esc(r.data)}</b> (${translation ? 'translation' : 'language model'}); ${r.history.length} epochs in ${r.seconds.toFixed(1)} s.</p>
<h2>Results</h2><table><tr><th>set</th><th>examples</th><th>cost</th><th>characters right</th>${translation ? '<th>exact</th>' : ''}</tr>${rows}</table>
<h2>Cost per epoch</h2>${costChart(r.history)}
${samples}${ex}
<h2>Network</h2><pre>${esc(r.summary)}</pre>
<h2>Configuration</h2><table>${config}</table>
</body></html>
`;
}

/** Writes a text run's report.html atomically. */
export function writeTextReport(file: string, input: TextReportInput): void {
  writeFileAtomic(file, renderTextReport(input));
}
