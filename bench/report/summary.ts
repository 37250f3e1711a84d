/**
 * Turns the children's results into the tables, the target ratios and the
 * correctness verdicts that the terminal and RESULTS.md both show.
 */
import type { ChildResult, CnnResult, MemorySample, MnistResult, PlanarResult, VariantId, WorkloadId } from '../shared/types.js';
import { CNN_VARIANTS, VARIANTS } from '../variants.js';
import { num, pct, ratio, type Align } from './format.js';

export interface Table {
  headers: string[];
  rows: string[][];
  align: Align[];
}

export interface RatioLine {
  text: string;
  value: number | null;
  target: string | null;
  met: boolean | null;
}

const label = (id: VariantId) => VARIANTS.find((v) => v.id === id)?.label ?? CNN_VARIANTS.find((v) => v.id === id)?.label ?? id;

type ResultOf<W extends WorkloadId> = W extends 'mnist' ? MnistResult : W extends 'planar' ? PlanarResult : CnnResult;

function find<W extends WorkloadId>(results: readonly ChildResult[], workload: W, id: VariantId): ResultOf<W> | null {
  const r = results.find((x) => x.workload === workload && x.variant === id);
  return r && r.ok ? (r as ResultOf<W>) : null;
}

function reason(results: readonly ChildResult[], workload: WorkloadId, id: VariantId): string {
  const r = results.find((x) => x.workload === workload && x.variant === id);
  return r && !r.ok ? r.reason : 'not run';
}

/** A row of dashes with the reason in the last (note) column, so it does not widen a figure column. */
function unavailableRow(columns: number, name: string, why: string): string[] {
  return [name, ...Array<string>(columns - 2).fill('-'), why];
}

/**
 * Growth of RSS (and heap, where the peer runs in Node) from the end of the
 * first epoch to the end of the last, per epoch, in MiB; the samples are
 * [before training, after epoch 1, ...], so two epoch ends are needed.
 */
export function memoryGrowth(perEpoch: readonly MemorySample[]): { rss: number; heap: number | null } | null {
  if (perEpoch.length < 3) return null;
  const first = perEpoch[1]!;
  const last = perEpoch[perEpoch.length - 1]!;
  const n = perEpoch.length - 2;
  const heap = first.heapUsedMiB === null || last.heapUsedMiB === null ? null : (last.heapUsedMiB - first.heapUsedMiB) / n;
  return { rss: (last.rssMiB - first.rssMiB) / n, heap };
}

export function mnistTable(results: readonly ChildResult[], checkEpoch: number): Table {
  const headers = ['variant', 'examples/s', 'epochs', `cost @ epoch ${checkEpoch}`, `test acc @ epoch ${checkEpoch}`, 'peak RSS MiB', 'RSS MiB per epoch end', 'heap growth MiB/epoch', 'note'];
  const rows = VARIANTS.map(({ id }) => {
    const r = find(results, 'mnist', id);
    if (!r) return unavailableRow(headers.length, label(id), reason(results, 'mnist', id));
    const c = r.checks[Math.min(checkEpoch, r.checks.length) - 1];
    const atCheck = c && c.epoch === checkEpoch ? '' : ` (epoch ${c?.epoch ?? '-'})`;
    const g = memoryGrowth(r.memory.perEpoch);
    return [
      label(id),
      num(r.examplesPerSecond),
      r.examplesPerEpoch === 8000 ? String(r.epochs) : `${r.epochs} x ${r.examplesPerEpoch}`,
      c && c.trainCost !== null ? `${c.trainCost.toFixed(5)}${atCheck}` : 'n/a (other loss)',
      c ? `${pct(c.testAccuracy)}${atCheck}` : '-',
      num(r.memory.maxRssMiB),
      r.memory.perEpoch.slice(1).map((s) => Math.round(s.rssMiB)).join(' '),
      g && g.heap !== null ? g.heap.toFixed(2) : '-',
      r.note ?? '',
    ];
  });
  return { headers, rows, align: ['l', 'r', 'r', 'r', 'r', 'r', 'l', 'r', 'l'] };
}

export function planarTable(results: readonly ChildResult[]): Table {
  const headers = ['variant', 'seconds', 'iterations', 'final cost', 'accuracy', 'peak RSS MiB', 'note'];
  const rows = VARIANTS.map(({ id }) => {
    const r = find(results, 'planar', id);
    if (!r) return unavailableRow(headers.length, label(id), reason(results, 'planar', id));
    return [label(id), r.seconds.toFixed(3), r.iterations.toLocaleString('en-US'), r.finalCost.toFixed(6), pct(r.accuracy), num(r.memory.maxRssMiB), r.note ?? ''];
  });
  return { headers, rows, align: ['l', 'r', 'r', 'r', 'r', 'r', 'l'] };
}

function ratioLine(text: string, value: number | null, target: number | null, targetText: string | null): RatioLine {
  const shown = value === null ? 'n/a' : ratio(value);
  const met = value === null || target === null ? null : value >= target;
  const verdict = met === null ? '' : met ? '  (met)' : '  (NOT met)';
  return { text: `${text}: ${shown}${targetText ? `   target ${targetText}${verdict}` : ''}`, value, target: targetText, met };
}

/** The MLP's two layerwise paths, as the ratio lines name them. */
const PATHS = [
  { id: 'layerwise-wasm2', path: '(a) X (784, m)' },
  { id: 'layerwise-wasm1', path: '(a) X (784, m)' },
  { id: 'layerwise-rows2', path: '(b) (m, 784) rows per epoch' },
  { id: 'layerwise-rows1', path: '(b) (m, 784) rows per epoch' },
] as const;

export function ratios(results: readonly ChildResult[]): RatioLine[] {
  const lines: RatioLine[] = [];
  const speed = (id: VariantId) => find(results, 'mnist', id)?.examplesPerSecond ?? null;
  const secs = (id: VariantId) => find(results, 'planar', id)?.seconds ?? null;
  const div = (a: number | null, b: number | null) => (a === null || b === null ? null : a / b);
  const mnist = (a: VariantId, b: VariantId, target: number | null = null, text = `${label(a)} / ${label(b)}`) =>
    lines.push(ratioLine(`MNIST examples/s, ${text}`, div(speed(a), speed(b)), target, target === null ? null : `>= ${target}x`));
  // Issue 13: layerwise at or above PyTorch's one-thread pace on both paths a user has, measured in this run.
  for (const { id, path } of PATHS) mnist(id, 'torch1', 1, `${label(id)}, path ${path} / PyTorch, 1 thread`);
  mnist('layerwise-wasm2', 'torch2');
  mnist('layerwise-rows2', 'layerwise-wasm2', null, 'path (b) / path (a), 2 threads (what the per-epoch conversion and fit call cost)');
  mnist('layerwise-rows1', 'layerwise-wasm1', null, 'path (b) / path (a), 1 thread');
  mnist('torch2', 'torch1');
  for (const lw of ['layerwise-wasm2', 'layerwise-wasm1'] as const) {
    mnist(lw, 'tfjs-wasm', 10);
    mnist(lw, 'tfjs-cpu');
    mnist(lw, 'brain');
    mnist(lw, 'plain-js');
    lines.push(ratioLine(`planar speed, TF.js WASM seconds / ${label(lw)} seconds`, div(secs('tfjs-wasm'), secs(lw)), 7, '>= 7x'));
    lines.push(ratioLine(`planar speed, hand-written JS seconds / ${label(lw)} seconds`, div(secs('plain-js'), secs(lw)), 1, '> 1x (faster)'));
  }
  mnist('layerwise-js', 'plain-js');
  lines.push(ratioLine('planar speed, hand-written JS seconds / layerwise reference (js) seconds', div(secs('plain-js'), secs('layerwise-js')), null, null));
  return lines;
}

/**
 * The comparison is only meaningful if everyone computes the same thing:
 * each comparable variant's cost and accuracy against layerwise's reference
 * backend, at the same epoch (MNIST) or after the same iterations (planar).
 */
export function correctness(results: readonly ChildResult[], checkEpoch: number): string[] {
  const out: string[] = [];
  const ref = find(results, 'mnist', 'layerwise-js');
  const refCheck = ref?.checks.find((c) => c.epoch === checkEpoch);
  for (const { id } of VARIANTS) {
    const r = find(results, 'mnist', id);
    if (!r || id === 'layerwise-js') continue;
    if (!r.sameComputation) {
      out.push(`MNIST ${label(id)}: not the same computation (see note); test accuracy ${pct(r.checks.at(-1)?.testAccuracy ?? NaN)}`);
      continue;
    }
    const c = r.checks.find((x) => x.epoch === checkEpoch);
    if (!refCheck || refCheck.trainCost === null || !c || c.trainCost === null) {
      out.push(`MNIST ${label(id)}: no epoch-${checkEpoch} figures to compare`);
      continue;
    }
    const rel = Math.abs(c.trainCost - refCheck.trainCost) / refCheck.trainCost;
    const acc = Math.abs(c.testAccuracy - refCheck.testAccuracy);
    const ok = rel < 0.01 && acc <= 0.005;
    out.push(`MNIST ${label(id)}: cost ${c.trainCost.toFixed(5)} vs ${refCheck.trainCost.toFixed(5)} (rel. diff ${rel.toExponential(1)}), test accuracy ${pct(c.testAccuracy)} vs ${pct(refCheck.testAccuracy)}: ${ok ? 'same' : 'DIFFERENT'}`);
  }
  const pref = find(results, 'planar', 'layerwise-js');
  for (const { id } of VARIANTS) {
    const r = find(results, 'planar', id);
    if (!r || !pref || id === 'layerwise-js') continue;
    if (r.iterations !== pref.iterations) continue;
    const rel = Math.abs(r.finalCost - pref.finalCost) / pref.finalCost;
    const ok = rel < 1e-3 && r.accuracy === pref.accuracy;
    out.push(`planar ${label(id)}: cost ${r.finalCost.toFixed(6)} vs ${pref.finalCost.toFixed(6)} (rel. diff ${rel.toExponential(1)}), accuracy ${pct(r.accuracy)} vs ${pct(pref.accuracy)}: ${ok ? 'same' : 'DIFFERENT'}`);
  }
  return out;
}

/** One line per variant with two epoch ends after the first: its RSS and heap growth per epoch (a leak would show here). */
export function memoryVerdicts(results: readonly ChildResult[]): string[] {
  const out: string[] = [];
  const verdict = (name: string, g: { rss: number; heap: number | null }) => {
    // RSS moves with allocator arenas and wasm memory growth; a steady climb past 16 MiB/epoch is a leak.
    const grows = (g.heap !== null && g.heap > 1) || g.rss > 16;
    const heap = g.heap === null ? '' : `, heap ${g.heap >= 0 ? '+' : ''}${g.heap.toFixed(2)} MiB/epoch`;
    out.push(`${name}: RSS ${g.rss >= 0 ? '+' : ''}${g.rss.toFixed(1)} MiB/epoch${heap} after a GC: ${grows ? 'GROWS' : 'flat'}`);
  };
  for (const { id } of VARIANTS) {
    const r = find(results, 'mnist', id);
    const g = r ? memoryGrowth(r.memory.perEpoch) : null;
    if (g) verdict(`MNIST ${label(id)}`, g);
  }
  for (const { id } of CNN_VARIANTS) {
    const r = find(results, 'cnn', id);
    const g = r ? memoryGrowth(r.memory.perEpoch) : null;
    if (g) verdict(`CNN ${label(id)}`, g);
  }
  return out;
}

/** The CNN's same-computation reference: layerwise's reference backend, else the hand-written JS. */
function cnnReference(results: readonly ChildResult[]): CnnResult | null {
  return find(results, 'cnn', 'layerwise-js') ?? find(results, 'cnn', 'plain-js');
}

/** How many of the first batches' costs the table and the check show. */
export const FIRST_BATCHES = 3;

export function cnnTable(results: readonly ChildResult[]): Table {
  const costs = Array.from({ length: FIRST_BATCHES }, (_, i) => `cost batch ${i + 1}`);
  const headers = ['variant', 'examples/s', 'batches', ...costs, 'epoch 1 mean cost', 'test acc @ epoch 1', 'peak RSS MiB', 'RSS MiB per epoch end', 'note'];
  const rows = CNN_VARIANTS.map(({ id }) => {
    const r = find(results, 'cnn', id);
    if (!r) return unavailableRow(headers.length, label(id), reason(results, 'cnn', id));
    return [
      label(id),
      num(r.examplesPerSecond),
      r.epochs > 0 ? `${r.batches} (${r.epochs} epoch${r.epochs === 1 ? '' : 's'})` : `${r.batches} (capped)`,
      ...Array.from({ length: FIRST_BATCHES }, (_, i) => (r.batchCosts[i] === undefined ? '-' : r.batchCosts[i]!.toFixed(6))),
      r.epochMeanCosts[0] === undefined ? '-' : r.epochMeanCosts[0].toFixed(5),
      r.testAccuracy[0] === undefined ? '-' : pct(r.testAccuracy[0]),
      num(r.memory.maxRssMiB),
      r.memory.perEpoch.slice(1).map((x) => Math.round(x.rssMiB)).join(' ') || '-',
      r.note ?? '',
    ];
  });
  return { headers, rows, align: ['l', 'r', 'r', ...costs.map((): Align => 'r'), 'r', 'r', 'r', 'l', 'l'] };
}

export function cnnRatios(results: readonly ChildResult[]): RatioLine[] {
  const speed = (id: VariantId) => find(results, 'cnn', id)?.examplesPerSecond ?? null;
  const div = (a: number | null, b: number | null) => (a === null || b === null ? null : a / b);
  const line = (a: VariantId, b: VariantId, target: number | null = null) =>
    ratioLine(`CNN examples/s, ${label(a)} / ${label(b)}`, div(speed(a), speed(b)), target, target === null ? null : `>= ${target}x`);
  return [
    line('layerwise-wasm2', 'torch1', 1),
    line('layerwise-wasm1', 'torch1', 0.7),
    line('layerwise-wasm2', 'plain-js', 20),
    line('layerwise-wasm2', 'torch2'),
    line('layerwise-wasm1', 'plain-js'),
    line('layerwise-wasm2', 'tfjs-cpu'),
    line('layerwise-wasm1', 'tfjs-cpu'),
    line('layerwise-wasm2', 'layerwise-wasm1'),
    line('layerwise-js', 'plain-js'),
    line('torch2', 'torch1'),
  ];
}

/**
 * Every CNN variant against the reference, from the same weights and the
 * same digits: the costs the libraries computed for their first batches
 * (batch 1 before any update, then after one and two Adam steps), and where
 * both ran a whole epoch, epoch 1's mean batch cost and the test accuracy of
 * the weights after it (the shared forward pass).
 */
export function cnnCorrectness(results: readonly ChildResult[]): string[] {
  const ref = cnnReference(results);
  if (!ref) return CNN_VARIANTS.some(({ id }) => find(results, 'cnn', id)) ? ['CNN: no reference run (layerwise js or hand-written JS) to compare against'] : [];
  const out: string[] = [];
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
  for (const { id } of CNN_VARIANTS) {
    const r = find(results, 'cnn', id);
    if (!r || r === ref) continue;
    const n = Math.min(FIRST_BATCHES, r.batchCosts.length, ref.batchCosts.length);
    const batchDiff = Math.max(...Array.from({ length: n }, (_, i) => rel(r.batchCosts[i]!, ref.batchCosts[i]!)));
    const parts = [`batches 1-${n} ${r.batchCosts.slice(0, n).map((c) => c.toFixed(6)).join(' ')} (max rel. diff ${batchDiff.toExponential(1)})`];
    let ok = batchDiff < 1e-4;
    if (r.epochMeanCosts[0] !== undefined && ref.epochMeanCosts[0] !== undefined) {
      const d = rel(r.epochMeanCosts[0], ref.epochMeanCosts[0]);
      parts.push(`epoch 1 mean ${r.epochMeanCosts[0].toFixed(5)} vs ${ref.epochMeanCosts[0].toFixed(5)} (rel. diff ${d.toExponential(1)})`);
      ok &&= d < 0.01;
    }
    if (r.testAccuracy[0] !== undefined && ref.testAccuracy[0] !== undefined) {
      parts.push(`test accuracy ${pct(r.testAccuracy[0])} vs ${pct(ref.testAccuracy[0])}`);
      ok &&= Math.abs(r.testAccuracy[0] - ref.testAccuracy[0]) <= 0.005;
    }
    out.push(`CNN ${label(id)} vs ${label(ref.variant)}: ${parts.join(', ')}: ${ok ? 'same' : 'DIFFERENT'}`);
  }
  return out;
}
