/**
 * The output column: losses and accuracies, the decision-boundary heatmap
 * with the data, the live cost curves, and the bias/variance verdict.
 */
import { readBiasVariance } from '../diagnosis.js';
import type { DataInfo, Snapshot } from '../protocol.js';
import { CurveHistory, drawChart, SERIES } from '../render/chart.js';
import { paintHeatmap, type HeatMode } from '../render/heatmap.js';
import { drawPoints } from '../render/points.js';
import type { Store } from '../store.js';
import { LIMITS, type State } from '../state.js';
import type { NeuronRef } from './network-view.js';
import { checkbox, el, formatNumber, percent } from './dom.js';

const HEATMAP_CSS_PX = 300;

export class OutputView {
  readonly root: HTMLElement;
  readonly history = new CurveHistory();
  private readonly stats: HTMLElement;
  private readonly heat: HTMLCanvasElement;
  private readonly caption: HTMLElement;
  private readonly chart: HTMLCanvasElement;
  private readonly verdict: HTMLElement;
  private readonly showTest;
  private readonly discretize;
  private readonly optimal: HTMLInputElement;
  private info: DataInfo | null = null;
  private last: Snapshot | null = null;
  private neuron: NeuronRef | null = null;
  private labelScale = 1;
  /** The data points drawn once per dataset and test toggle, then stamped over every heatmap frame. */
  private pointsLayer: HTMLCanvasElement | null = null;
  private readonly statCells: { loss: HTMLElement; acc: HTMLElement }[] = [];
  private verdictKey = '';

  constructor(private readonly store: Store) {
    this.stats = el('div', { class: 'stats', id: 'stats' });
    for (const [name, id] of [['Training', 'stat-train'], ['Dev', 'stat-dev'], ['Test', 'stat-test']] as const) {
      const loss = el('span', { class: 'loss', text: '—' });
      const acc = el('span', { class: 'acc' });
      this.statCells.push({ loss, acc });
      this.stats.append(el('div', { class: 'stat', id }, el('span', { class: 'name', text: name }), loss, acc));
    }
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    this.heat = el('canvas', { id: 'heatmap', width: Math.round(HEATMAP_CSS_PX * dpr), height: Math.round(HEATMAP_CSS_PX * dpr), role: 'img', 'aria-label': 'Decision boundary: the network’s output over the input plane, with the data points' });
    this.caption = el('p', { class: 'caption', id: 'heatmap-caption', 'aria-live': 'polite' });
    this.showTest = checkbox('Show test data', store.state.showTest, (v) => store.update('view', (s) => (s.showTest = v)), { id: 'show-test' });
    this.discretize = checkbox('Discretize output', store.state.discretize, (v) => store.update('view', (s) => (s.discretize = v)), { id: 'discretize' });
    this.chart = el('canvas', { id: 'cost-chart', width: Math.round(HEATMAP_CSS_PX * dpr), height: Math.round(90 * dpr), role: 'img', 'aria-label': 'Cost curves: training, dev and test cost by epoch' });
    const legend = el('p', { class: 'legend' }, ...SERIES.map((s) => el('span', { class: `key key-${s.key}` }, el('i', { style: `background:${s.color}` }), s.label)));
    this.optimal = el('input', { id: 'optimal-error', type: 'number', min: LIMITS.optimalError.min, max: LIMITS.optimalError.max, step: 0.5, placeholder: '0', inputmode: 'decimal' });
    this.optimal.addEventListener('change', () => {
      const raw = this.optimal.value.trim();
      const v = Number(raw);
      const ok = raw === '' || (Number.isFinite(v) && v >= LIMITS.optimalError.min && v <= LIMITS.optimalError.max);
      if (!ok) {
        this.optimal.value = store.state.optimalError === null ? '' : String(store.state.optimalError);
        return;
      }
      store.update('view', (s) => (s.optimalError = raw === '' ? null : v));
    });
    this.verdict = el('div', { class: 'verdict', id: 'verdict', 'aria-live': 'polite' });
    const bv = el(
      'section',
      { class: 'bias-variance', 'aria-labelledby': 'bv-h' },
      el('h3', { id: 'bv-h', text: 'Bias and variance' }),
      el('div', { class: 'field inline-field' }, el('label', { for: 'optimal-error', text: 'Optimal (Bayes / human) error, %' }), this.optimal),
      this.verdict,
    );
    this.root = el(
      'div',
      { class: 'output' },
      this.stats,
      el('div', { class: 'heat-wrap' }, this.heat),
      this.caption,
      el('div', { class: 'toggles' }, this.showTest.root, this.discretize.root),
      el('h3', { text: 'Cost' }),
      this.chart,
      legend,
      bv,
    );
    this.sync(store.state);
  }

  sync(s: State): void {
    this.showTest.set(s.showTest);
    this.discretize.set(s.discretize);
    if (document.activeElement !== this.optimal) this.optimal.value = s.optimalError === null ? '' : String(s.optimalError);
    this.root.querySelector('.key-test')?.toggleAttribute('hidden', !s.showTest);
    this.pointsLayer = null;
    this.render();
  }

  setData(info: DataInfo): void {
    this.info = info;
    this.history.clear();
    this.last = null;
    this.labelScale = 1;
    this.pointsLayer = null;
    if (info.classes === 1) {
      let m = 0;
      for (const p of [info.train, info.dev, info.test]) for (const v of p.label) m = Math.max(m, Math.abs(v));
      this.labelScale = m || 1;
    }
  }

  showNeuron(n: NeuronRef | null): void {
    this.neuron = n;
    this.render();
  }

  /** `withText` false redraws only the canvases: text changes cost a page layout, so numbers refresh less often than pictures. */
  update(snap: Snapshot, withText = true): void {
    this.last = snap;
    this.history.add({ epoch: snap.epoch, train: snap.train.loss, dev: snap.dev.loss, test: snap.test?.loss ?? null });
    this.render(withText);
  }

  render(withText = true): void {
    const s = this.store.state;
    const snap = this.last;
    if (snap) this.paint(snap, s, withText);
    drawChart(this.chart, this.history.points, s.showTest);
    if (!withText) return;
    [snap?.train ?? null, snap?.dev ?? null, snap?.test ?? null].forEach((scores, i) => {
      const cells = this.statCells[i]!;
      setText(cells.loss, scores ? `loss ${formatNumber(scores.loss)}` : '—');
      setText(cells.acc, scores && scores.error !== null ? `accuracy ${percent(1 - scores.error)}` : '');
    });
    this.renderVerdict(s);
  }

  private paint(snap: Snapshot, s: State, withText: boolean): void {
    const cells = snap.gridSize * snap.gridSize;
    if (this.neuron) {
      const offset = this.neuronOffset(this.neuron) * cells;
      paintHeatmap(this.heat, snap.neurons, snap.gridSize, offset, { kind: 'signed', discretize: false });
      if (withText) setText(this.caption, `Neuron ${this.neuron.index + 1} of layer ${this.neuron.layer} (click it again to show the output).`);
    } else {
      const mode: HeatMode = snap.outRows > 1 ? { kind: 'classes', classes: snap.outRows, discretize: s.discretize } : { kind: 'signed', discretize: s.discretize && s.problem === 'classification' };
      paintHeatmap(this.heat, snap.output, snap.gridSize, 0, mode);
      if (withText) setText(this.caption, s.problem === 'regression' ? 'Output: the predicted value (orange negative, blue positive).' : 'Output: the decision boundary; colour shows the predicted class and its confidence.');
    }
    const layer = this.points(s);
    if (layer) this.heat.getContext('2d')?.drawImage(layer, 0, 0);
  }

  private points(s: State): HTMLCanvasElement | null {
    if (this.pointsLayer || !this.info) return this.pointsLayer;
    const layer = el('canvas', { width: this.heat.width, height: this.heat.height });
    const style = { radius: Math.max(2, this.heat.width / 100), labelScale: this.labelScale };
    drawPoints(layer, this.info.train, this.info.domain, { ...style, ring: '#fff' });
    if (s.showTest) drawPoints(layer, this.info.test, this.info.domain, { ...style, ring: '#000' });
    this.pointsLayer = layer;
    return layer;
  }

  private neuronOffset(n: NeuronRef): number {
    const hidden = this.store.state.hidden;
    let k = 0;
    for (let l = 1; l < n.layer; l++) k += hidden[l - 1]?.units ?? 0;
    return k + n.index;
  }

  private renderVerdict(s: State): void {
    const snap = this.last;
    // Rebuild only when what it says changes: most frames change the losses, not the rounded errors.
    const key = snap ? `${s.optimalError}|${snap.train.error?.toFixed(4)}|${snap.dev.error?.toFixed(4)}|${snap.test?.error?.toFixed(4)}|${snap.train.error === null ? `${formatNumber(snap.train.loss)}|${formatNumber(snap.dev.loss)}` : ''}` : 'none';
    if (key === this.verdictKey) return;
    this.verdictKey = key;
    if (!snap) {
      this.verdict.replaceChildren(el('p', { text: 'Train to see the diagnosis.' }));
      return;
    }
    const r = readBiasVariance(snap, s.optimalError);
    if (r.kind === 'regression') {
      this.verdict.replaceChildren(
        el('p', { text: `Train loss ${formatNumber(r.trainLoss)}, dev loss ${formatNumber(r.devLoss)}.` }),
        el('p', { class: 'hint', text: 'The course’s bias/variance verdict reads classification error; for regression compare the two losses: a high train loss is bias, a dev loss well above it is variance.' }),
      );
      return;
    }
    if (r.kind === 'problem') {
      this.verdict.replaceChildren(el('p', { class: 'warn', text: r.message }));
      return;
    }
    const d = r.diagnosis;
    const opt = d.optimalError;
    this.verdict.replaceChildren(
      el('p', { class: 'errors', text: `Errors: train ${percent(r.trainError)} · dev ${percent(r.devError)}${snap.test && snap.test.error !== null ? ` · test ${percent(snap.test.error)}` : ''}` }),
      el('p', { text: `Avoidable bias = train − optimal = ${percent(r.trainError)} − ${percent(opt)} = ${percent(d.avoidableBias)}` }),
      el('p', { text: `Variance = dev − train = ${percent(r.devError)} − ${percent(r.trainError)} = ${percent(d.variance)}` }),
      el('p', { class: `verdict-line ${d.verdict.replace(/\s+/g, '-')}` }, el('strong', { text: 'Verdict: ' }), d.verdict),
      el('p', { class: 'next' }, el('strong', { text: 'Next step: ' }), d.advice[0] ?? ''),
    );
  }
}

function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}
