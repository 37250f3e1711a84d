/**
 * The output column: losses and accuracies, the decision-boundary heatmap
 * with the data (axes x₁ and x₂, and a legend of its colours), the live cost
 * curves (log scale with axes, a spike clipped), and the bias/variance
 * verdict once there is training to judge. Both canvases are drawn at the
 * size they are shown, so a wide screen gets a sharp, bigger heatmap.
 */
import { readBiasVariance } from '../diagnosis.js';
import type { DataInfo, Snapshot } from '../protocol.js';
import { CurveHistory, drawChart, SERIES, type ChartView } from '../render/chart.js';
import { classColor, css, NEGATIVE, NEUTRAL, POSITIVE } from '../render/colors.js';
import { paintHeatmap, type HeatMode } from '../render/heatmap.js';
import { drawPoints } from '../render/points.js';
import type { Store } from '../store.js';
import { LIMITS, type State } from '../state.js';
import type { NeuronRef } from './network-view.js';
import { checkbox, el, formatNumber, percent } from './dom.js';
import { verdictElements } from './verdict.js';

const HEATMAP_CSS_PX = 300;
const CHART_CSS_HEIGHT = 120;

/** Five tick labels from min to max (quarters), with a true minus sign. */
export function axisTicks(min: number, max: number): string[] {
  const span = max - min;
  const digits = span >= 8 ? 0 : span >= 0.8 ? 1 : 2;
  return [0, 0.25, 0.5, 0.75, 1].map((t) => {
    const v = Number((min + t * span).toFixed(digits));
    return (Object.is(v, -0) ? 0 : v).toString().replace('-', '−');
  });
}

function axis(id: string, title: string, horizontal: boolean): { root: HTMLElement; set(ticks: string[]): void } {
  const ticks = el('div', { class: 'ticks' });
  const root = el('div', { class: `axis ${horizontal ? 'x' : 'y'}`, id, 'aria-hidden': 'true' }, ticks, el('span', { class: 'axis-title', text: title }));
  return {
    root,
    set(labels) {
      ticks.replaceChildren(
        ...labels.map((t, i) => {
          const at = `${(i / (labels.length - 1)) * 100}%`;
          return el('span', { class: 'tick', text: t, style: horizontal ? `left:${at}` : `top:calc(100% - ${at})` });
        }),
      );
    },
  };
}

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
  /** A neuron under the pointer or focus: shown instead of `neuron` while there. */
  private preview: NeuronRef | null = null;
  private readonly legend: HTMLElement;
  private legendKey = '';
  private readonly xAxis = axis('heatmap-x-axis', 'x₁', true);
  private readonly yAxis = axis('heatmap-y-axis', 'x₂', false);
  private readonly chartCaption: HTMLElement;
  chartView: ChartView | null = null;
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
    this.legend = el('div', { class: 'heat-legend', id: 'heatmap-legend' });
    this.xAxis.set(axisTicks(-6, 6));
    this.yAxis.set(axisTicks(-6, 6));
    this.caption = el('p', { class: 'caption', id: 'heatmap-caption', 'aria-live': 'polite' });
    this.showTest = checkbox('Show test data', store.state.showTest, (v) => store.update('view', (s) => (s.showTest = v)), { id: 'show-test' });
    this.discretize = checkbox('Discretize output', store.state.discretize, (v) => store.update('view', (s) => (s.discretize = v)), { id: 'discretize' });
    this.chart = el('canvas', { id: 'cost-chart', width: Math.round(HEATMAP_CSS_PX * dpr), height: Math.round(CHART_CSS_HEIGHT * dpr), role: 'img', 'aria-label': 'Cost curves: training, dev and test cost by epoch, log scale' });
    this.chartCaption = el('span', { class: 'caption', id: 'cost-caption', text: 'by epoch, log scale' });
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
      el('div', { class: 'heat-frame' }, this.yAxis.root, el('div', { class: 'heat-wrap' }, this.heat), el('span'), this.xAxis.root),
      this.legend,
      this.caption,
      el('div', { class: 'toggles' }, this.showTest.root, this.discretize.root),
      el('div', { class: 'chart-head' }, el('h3', { text: 'Cost' }), this.chartCaption),
      this.chart,
      legend,
      bv,
    );
    this.sync(store.state);
    // Canvases follow their shown size (the column is wider on wide screens).
    const fitCanvas = (canvas: HTMLCanvasElement, height: (w: number) => number) => {
      const ratio = Math.min(2, window.devicePixelRatio || 1);
      const w = Math.round(canvas.clientWidth * ratio);
      const h = Math.round(height(canvas.clientWidth) * ratio);
      if (w === 0 || (canvas.width === w && canvas.height === h)) return false;
      canvas.width = w;
      canvas.height = h;
      return true;
    };
    new ResizeObserver(() => {
      const heat = fitCanvas(this.heat, (w) => w);
      const chart = fitCanvas(this.chart, () => CHART_CSS_HEIGHT);
      if (heat) this.pointsLayer = null;
      if (heat || chart) this.render(false);
    }).observe(this.root);
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
    this.xAxis.set(axisTicks(info.domain.min, info.domain.max));
    this.yAxis.set(axisTicks(info.domain.min, info.domain.max));
    this.legendKey = '';
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

  /** Shows a neuron while the pointer or the focus is on it; null goes back to the selected neuron or the output. */
  previewNeuron(n: NeuronRef | null): void {
    const same = n === this.preview || (n && this.preview && n.layer === this.preview.layer && n.index === this.preview.index);
    if (same) return;
    this.preview = n;
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
    if (snap) this.paint(snap, s);
    this.chartView = drawChart(this.chart, this.history.points, s.showTest);
    if (!withText) return;
    [snap?.train ?? null, snap?.dev ?? null, snap?.test ?? null].forEach((scores, i) => {
      const cells = this.statCells[i]!;
      setText(cells.loss, scores ? `loss ${formatNumber(scores.loss)}` : '—');
      setText(cells.acc, scores && scores.error !== null ? `accuracy ${percent(1 - scores.error)}` : '');
    });
    this.renderVerdict(s);
  }

  /** The caption and the legend are set every frame, but written only when they change (setText, legendKey). */
  private paint(snap: Snapshot, s: State): void {
    const cells = snap.gridSize * snap.gridSize;
    const neuron = this.preview ?? this.neuron;
    // A neuron of a layer that no longer exists (the network was rebuilt) shows the output.
    if (neuron && this.neuronOffset(neuron) * cells < snap.neurons.length) {
      const offset = this.neuronOffset(neuron) * cells;
      paintHeatmap(this.heat, snap.neurons, snap.gridSize, offset, { kind: 'signed', discretize: false });
      const how = neuron === this.preview && neuron !== this.neuron ? 'move away to show the output' : 'click it again to show the output';
      setText(this.caption, `Neuron ${neuron.index + 1} of layer ${neuron.layer} (${how}).`);
      this.renderLegend('neuron', s);
    } else {
      const mode: HeatMode = snap.outRows > 1 ? { kind: 'classes', classes: snap.outRows, discretize: s.discretize } : { kind: 'signed', discretize: s.discretize && s.problem === 'classification' };
      paintHeatmap(this.heat, snap.output, snap.gridSize, 0, mode);
      setText(this.caption, s.problem === 'regression' ? 'Output: the predicted value over the input plane.' : 'Output: the decision boundary; colour shows the predicted class and its confidence.');
      this.renderLegend(this.info?.output ?? (snap.outRows > 1 ? 'softmax' : 'sigmoid'), s);
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

  /** The colour key of what the heatmap shows; rebuilt only when that changes. */
  private renderLegend(kind: 'neuron' | 'sigmoid' | 'tanh' | 'softmax' | 'linear', s: State): void {
    const classes = this.info?.classes ?? 2;
    const scale = this.labelScale;
    const key = `${kind}|${classes}|${scale}|${s.discretize}`;
    if (key === this.legendKey) return;
    this.legendKey = key;
    const bar = (labels: [string, string, string], title: string) =>
      el(
        'div',
        { class: 'legend-scale' },
        el('span', { class: 'legend-title', text: title }),
        el('span', { class: 'legend-bar', style: `background:linear-gradient(to right, ${css(NEGATIVE)}, ${css(NEUTRAL)}, ${css(POSITIVE)})` }),
        el('span', { class: 'legend-ticks' }, ...labels.map((t) => el('span', { text: t }))),
      );
    const fmt = (v: number) => formatNumber(v, Math.abs(v) >= 10 ? 0 : 1).replace('-', '−');
    switch (kind) {
      case 'neuron':
        this.legend.replaceChildren(bar(['−1', '0', '+1'], 'activation (clipped to ±1)'));
        break;
      case 'sigmoid':
        this.legend.replaceChildren(bar(['class 0', '0.5', 'class 1'], 'ŷ = P(class 1)'));
        break;
      case 'tanh':
        this.legend.replaceChildren(bar(['class 0 (−1)', '0', 'class 1 (+1)'], 'ŷ (tanh)'));
        break;
      case 'softmax':
        this.legend.replaceChildren(
          el('span', { class: 'legend-title', text: 'predicted class (paler: less sure)' }),
          ...Array.from({ length: classes }, (_, k) => el('span', { class: 'swatch' }, el('i', { style: `background:${css(classColor(k))}` }), `class ${k}`)),
        );
        break;
      case 'linear':
        this.legend.replaceChildren(bar([fmt(-scale), '0', fmt(scale)], 'ŷ (predicted value)'));
        break;
    }
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
    const key = snap && snap.epoch > 0 ? `${s.optimalError}|${snap.train.error?.toFixed(4)}|${snap.dev.error?.toFixed(4)}|${snap.test?.error?.toFixed(4)}|${snap.train.error === null ? `${formatNumber(snap.train.loss)}|${formatNumber(snap.dev.loss)}` : ''}` : 'none';
    if (key === this.verdictKey) return;
    this.verdictKey = key;
    // Before any training there is nothing to judge: the errors are those of random weights.
    if (!snap || snap.epoch === 0) {
      this.verdict.replaceChildren(el('p', { class: 'hint', text: 'Train (play or one epoch) to see the diagnosis.' }));
      return;
    }
    this.verdict.replaceChildren(...verdictElements(readBiasVariance(snap, s.optimalError), snap.test?.error ?? null));
  }
}

function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}
