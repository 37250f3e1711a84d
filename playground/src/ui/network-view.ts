/**
 * The network diagram: feature toggles, one column per hidden layer with its
 * own controls (neurons, activation, keep_prob), every neuron as a small
 * heatmap button, and the weights as links whose width and colour show their
 * value. The links are painted on one canvas (repainted every frame, which
 * costs far less than restyling SVG); invisible SVG paths over them, whose
 * geometry only changes with the layout, take hover, focus and clicks.
 *
 * The diagram is sized to the width it has (net-layout.ts): six layers fit
 * a laptop screen, and a wide screen gets a bigger diagram. In tab order the
 * features and the layers come first, then the weights as one tab stop whose
 * arrow keys move from link to link.
 */
import type { Domain } from '../datasets.js';
import { featureMatrix, gridPoints } from '../features.js';
import type { Snapshot } from '../protocol.js';
import { css, signedColor } from '../render/colors.js';
import { paintHeatmap } from '../render/heatmap.js';
import { GRID_SIZE } from '../sets.js';
import type { Store } from '../store.js';
import { ACTIVATION_LABELS, FEATURE_LABELS, FEATURES, HIDDEN_ACTIVATIONS, KEEP_PROBS, LIMITS, type State } from '../state.js';
import { button, el, formatNumber, select } from './dom.js';
import { fitNetwork } from './net-layout.js';
import { WeightEditor, WeightTooltip } from './weight-editor.js';

const SVG = 'http://www.w3.org/2000/svg';

export interface NeuronRef {
  layer: number;
  index: number;
}

interface Link {
  layer: number;
  row: number;
  col: number;
  /** Bezier control points in grid coordinates: start, two controls, end. */
  curve: [number, number, number, number, number, number, number, number];
  hit: SVGPathElement;
  from: HTMLElement;
  to: HTMLElement;
}

function architectureKey(s: State, outputs: number): string {
  return `${s.features.join(',')}|${s.hidden.map((h) => h.units).join(',')}|${outputs}`;
}

function sub(n: number): string {
  return String(n).replace(/\d/g, (d) => '₀₁₂₃₄₅₆₇₈₉'[Number(d)]!);
}

export class NetworkView {
  readonly root: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly svg: SVGSVGElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly layerCount: HTMLElement;
  private readonly scroll: HTMLElement;
  private readonly addLayer: HTMLButtonElement;
  private readonly removeLayer: HTMLButtonElement;
  private readonly tooltip = new WeightTooltip();
  private readonly editor = new WeightEditor();
  private key = '';
  private outputs = 1;
  private links: Link[] = [];
  private neuronCanvases: HTMLCanvasElement[][] = [];
  private outputCanvases: HTMLCanvasElement[] = [];
  private featureCanvases = new Map<string, HTMLCanvasElement>();
  private biasButtons: HTMLButtonElement[][] = [];
  private last: Snapshot | null = null;
  private selected: NeuronRef | null = null;
  private domain: Domain | null = null;

  constructor(
    private readonly store: Store,
    private readonly handlers: {
      editWeight(layer: number, row: number, col: number, value: number): void;
      selectNeuron(n: NeuronRef | null): void;
      /** A neuron under the pointer or the keyboard focus (null when it leaves), shown until then in the big output. */
      previewNeuron(n: NeuronRef | null): void;
    },
  ) {
    this.layerCount = el('span', { class: 'layer-count', 'aria-live': 'polite' });
    this.addLayer = button('+', () => this.store.update('reset', (s) => s.hidden.length < LIMITS.layers.max && s.hidden.push({ units: 2, activation: s.hidden.at(-1)?.activation ?? 'tanh', keepProb: 1 })), {
      class: 'round small',
      id: 'add-layer',
      'aria-label': 'Add a hidden layer',
    });
    this.removeLayer = button('−', () => this.store.update('reset', (s) => s.hidden.pop()), { class: 'round small', id: 'remove-layer', 'aria-label': 'Remove the last hidden layer' });
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.classList.add('links');
    this.svg.setAttribute('aria-label', 'Weights: arrow keys move between them, Enter edits one');
    this.svg.setAttribute('role', 'group');
    this.canvas = el('canvas', { class: 'links-canvas', 'aria-hidden': 'true' });
    this.grid = el('div', { class: 'net-grid' });
    this.scroll = el('div', { class: 'net-scroll' }, this.grid);
    this.root = el('div', { class: 'network' }, el('div', { class: 'net-toolbar' }, this.addLayer, this.removeLayer, this.layerCount), this.scroll, this.tooltip.root, this.editor.root);
    new ResizeObserver(() => this.layoutLinks()).observe(this.grid);
    let width = 0;
    new ResizeObserver(() => {
      if (this.scroll.clientWidth === width) return;
      width = this.scroll.clientWidth;
      this.fit();
    }).observe(this.scroll);
  }

  private readonly touch = window.matchMedia('(pointer: coarse), (max-width: 700px)');

  /** Sizes the diagram to the panel's width (spacing first, then the squares). */
  private fit(): void {
    const width = this.scroll.clientWidth;
    if (width === 0) return;
    const f = fitNetwork(width, this.store.state.hidden.length, this.touch.matches);
    const style = this.grid.style;
    const set = (name: string, px: number) => {
      if (style.getPropertyValue(name) !== `${px}px`) style.setProperty(name, `${px}px`);
    };
    set('--node', f.node);
    set('--col', f.col);
    set('--gap', f.gap);
    set('--label', f.label);
    set('--out', f.out);
    this.layoutLinks();
  }

  /** Rebuilds the diagram when the architecture changed, else refreshes the layer controls. */
  sync(s: State, outputs: number): void {
    this.layerCount.textContent = `${s.hidden.length} hidden layer${s.hidden.length === 1 ? '' : 's'}`;
    limit(this.addLayer, s.hidden.length >= LIMITS.layers.max, `At most ${LIMITS.layers.max} hidden layers`);
    limit(this.removeLayer, s.hidden.length === 0, 'No hidden layer left to remove');
    const key = architectureKey(s, outputs);
    if (key !== this.key) {
      this.key = key;
      this.outputs = outputs;
      this.build(s);
    } else {
      this.syncLayerControls(s);
    }
  }

  private layerControls: { act: (a: State['hidden'][number]['activation']) => void; keep: (k: number) => void; count: HTMLElement }[] = [];

  private syncLayerControls(s: State): void {
    s.hidden.forEach((h, i) => {
      const c = this.layerControls[i];
      if (!c) return;
      c.act(h.activation);
      c.keep(h.keepProb);
      c.count.textContent = `${h.units} neuron${h.units === 1 ? '' : 's'}`;
    });
    for (const name of FEATURES) {
      const b = this.featureCanvases.get(name)?.parentElement;
      b?.setAttribute('aria-pressed', String(s.features.includes(name)));
    }
  }

  private build(s: State): void {
    this.handlers.previewNeuron(null);
    this.grid.replaceChildren(this.canvas);
    this.links = [];
    this.neuronCanvases = [];
    this.biasButtons = [];
    this.layerControls = [];
    this.featureCanvases.clear();

    const featureCol = el('div', { class: 'col features' }, el('div', { class: 'col-head' }, el('h3', { text: 'Features' }), el('p', { class: 'hint', text: 'Click to toggle' })));
    const featureNodes = new Map<string, HTMLElement>();
    for (const name of FEATURES) {
      const canvas = el('canvas', { width: GRID_SIZE, height: GRID_SIZE, 'aria-hidden': 'true' });
      const b = button('', () => this.toggleFeature(name), { class: 'node feature', 'aria-pressed': String(s.features.includes(name)), 'data-feature': name, 'aria-label': `Feature ${FEATURE_LABELS[name]}` });
      b.append(canvas, el('span', { class: 'node-label', text: FEATURE_LABELS[name] }));
      this.featureCanvases.set(name, canvas);
      featureNodes.set(name, b);
      featureCol.append(b);
    }
    this.grid.append(featureCol);

    let sources: HTMLElement[] = s.features.map((f) => featureNodes.get(f)!);
    s.hidden.forEach((h, i) => {
      const l = i + 1;
      const col = el('div', { class: 'col layer', 'data-layer': l });
      const count = el('span', { class: 'count', text: `${h.units} neuron${h.units === 1 ? '' : 's'}` });
      const plus = button('+', () => this.store.update('reset', (st) => (st.hidden[i]!.units = Math.min(LIMITS.units.max, st.hidden[i]!.units + 1))), { class: 'round tiny', 'aria-label': `Add a neuron to layer ${l}` });
      const minus = button('−', () => this.store.update('reset', (st) => (st.hidden[i]!.units = Math.max(LIMITS.units.min, st.hidden[i]!.units - 1))), { class: 'round tiny', 'aria-label': `Remove a neuron from layer ${l}` });
      limit(plus, h.units >= LIMITS.units.max, `At most ${LIMITS.units.max} neurons per layer`);
      limit(minus, h.units <= LIMITS.units.min, 'A layer keeps at least one neuron (remove the layer instead)');
      const act = select('activation', HIDDEN_ACTIVATIONS.map((a) => ({ value: a, label: ACTIVATION_LABELS[a] })), h.activation, (v) => this.store.update('reset', (st) => (st.hidden[i]!.activation = v)), { id: `layer-${l}-activation`, title: `Layer ${l} activation` });
      const keep = select('keep_prob', KEEP_PROBS.map((k) => ({ value: k, label: k === 1 ? '1 (off)' : String(k) })), h.keepProb, (v) => this.store.update('reset', (st) => (st.hidden[i]!.keepProb = v)), { id: `layer-${l}-keep`, title: `Layer ${l} dropout keep_prob` });
      for (const f of [act, keep]) {
        f.root.classList.add('compact');
        f.root.querySelector('label')!.prepend(el('span', { class: 'sr-only', text: `Layer ${l} ` }));
      }
      this.layerControls.push({ act: act.set, keep: keep.set, count });
      col.append(el('div', { class: 'col-head' }, el('div', { class: 'inline pm' }, plus, minus), count, act.root, keep.root));
      const nodes: HTMLElement[] = [];
      const canvases: HTMLCanvasElement[] = [];
      const biases: HTMLButtonElement[] = [];
      for (let k = 0; k < h.units; k++) {
        const canvas = el('canvas', { width: GRID_SIZE, height: GRID_SIZE, 'aria-hidden': 'true' });
        const node = button('', () => this.select({ layer: l, index: k }), { class: 'node neuron', 'aria-pressed': 'false', 'data-layer': l, 'data-index': k, 'aria-label': `Neuron ${k + 1} of layer ${l}: show its output enlarged` });
        node.append(canvas);
        const ref = { layer: l, index: k };
        node.addEventListener('pointerenter', () => this.handlers.previewNeuron(ref));
        node.addEventListener('pointerleave', () => this.handlers.previewNeuron(null));
        node.addEventListener('focus', () => this.handlers.previewNeuron(ref));
        node.addEventListener('blur', () => this.handlers.previewNeuron(null));
        const bias = button('', () => this.editBias(l, k, bias), { class: 'bias', 'aria-label': `Bias b[${l}] of neuron ${k + 1}` });
        nodes.push(node);
        canvases.push(canvas);
        biases.push(bias);
        col.append(el('div', { class: 'node-wrap' }, node, bias));
      }
      this.neuronCanvases.push(canvases);
      this.biasButtons.push(biases);
      this.grid.append(col);
      this.addLinks(l, sources, nodes);
      sources = nodes;
    });

    const L = s.hidden.length + 1;
    const outCol = el('div', { class: 'col out' }, el('div', { class: 'col-head' }, el('h3', { text: 'Output' })));
    const outNodes: HTMLElement[] = [];
    this.outputCanvases = [];
    const outBiases: HTMLButtonElement[] = [];
    for (let k = 0; k < this.outputs; k++) {
      const canvas = el('canvas', { width: GRID_SIZE, height: GRID_SIZE, 'aria-hidden': 'true' });
      const node = el('div', { class: 'node output', 'data-index': k }, canvas);
      const bias = button('', () => this.editBias(L, k, bias), { class: 'bias', 'aria-label': `Bias b[${L}] of output ${k + 1}` });
      outNodes.push(node);
      outBiases.push(bias);
      this.outputCanvases.push(canvas);
      outCol.append(el('div', { class: 'node-wrap' }, node, bias));
    }
    this.biasButtons.push(outBiases);
    this.grid.append(outCol);
    this.addLinks(L, sources, outNodes);
    // After every column: in tab order the weights come after the features and the neurons.
    this.grid.append(this.svg);
    this.links[0]?.hit.setAttribute('tabindex', '0');
    if (this.domain) this.paintFeatures(this.domain);
    this.selected = null;
    this.fit();
    requestAnimationFrame(() => this.layoutLinks());
  }

  /** The weights are one tab stop (roving tabindex): arrows go to the next or previous link, Home and End to the ends. */
  private moveLinkFocus(from: Link, key: string): boolean {
    const i = this.links.indexOf(from);
    const n = this.links.length;
    const to = key === 'ArrowDown' || key === 'ArrowRight' ? (i + 1) % n : key === 'ArrowUp' || key === 'ArrowLeft' ? (i - 1 + n) % n : key === 'Home' ? 0 : key === 'End' ? n - 1 : -1;
    if (to < 0 || i < 0) return false;
    from.hit.setAttribute('tabindex', '-1');
    const next = this.links[to]!;
    next.hit.setAttribute('tabindex', '0');
    next.hit.focus();
    return true;
  }

  private addLinks(layer: number, from: HTMLElement[], to: HTMLElement[]): void {
    to.forEach((target, row) => {
      from.forEach((source, col) => {
        const hit = document.createElementNS(SVG, 'path');
        hit.classList.add('link-hit');
        hit.setAttribute('tabindex', '-1');
        hit.setAttribute('role', 'button');
        const link: Link = { layer, row, col, curve: [0, 0, 0, 0, 0, 0, 0, 0], hit, from: source, to: target };
        const describe = () => `W[${layer}]${sub(row + 1)},${sub(col + 1)} = ${formatNumber(this.weight(link) ?? NaN, 4)}`;
        hit.addEventListener('pointerenter', (e) => this.tooltip.show(describe(), this.local(e)));
        hit.addEventListener('pointermove', (e) => this.tooltip.show(describe(), this.local(e)));
        hit.addEventListener('pointerleave', () => this.tooltip.hide());
        hit.addEventListener('focus', () => {
          hit.setAttribute('aria-label', `${describe()}; press Enter to edit`);
          // A link focused by a click becomes the group's tab stop.
          for (const other of this.links) if (other !== link) other.hit.setAttribute('tabindex', '-1');
          hit.setAttribute('tabindex', '0');
        });
        const edit = (anchor: { x: number; y: number }) => {
          this.tooltip.hide();
          this.editor.open({ label: `W[${layer}]${sub(row + 1)},${sub(col + 1)}`, value: this.weight(link) ?? 0, apply: (v) => this.handlers.editWeight(layer, row, col, v) }, anchor, hit);
        };
        hit.addEventListener('click', (e) => edit(this.local(e)));
        hit.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            edit(this.center(target));
          } else if (this.moveLinkFocus(link, e.key)) e.preventDefault();
        });
        this.svg.append(hit);
        this.links.push(link);
      });
    });
  }

  private local(e: MouseEvent): { x: number; y: number } {
    const r = this.root.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  private center(node: HTMLElement): { x: number; y: number } {
    const r = this.root.getBoundingClientRect();
    const n = node.getBoundingClientRect();
    return { x: n.left - r.left, y: n.bottom - r.top + 4 };
  }

  private weight(link: Link): number | null {
    const w = this.last?.weights[link.layer - 1];
    const cols = this.last ? this.sourceCount(link.layer) : 0;
    return w && link.col < cols ? (w[link.row * cols + link.col] ?? null) : null;
  }

  private sourceCount(layer: number): number {
    const s = this.store.state;
    return layer === 1 ? s.features.length : s.hidden[layer - 2]!.units;
  }

  private editBias(layer: number, index: number, from: HTMLButtonElement): void {
    const value = this.last?.biases[layer - 1]?.[index] ?? 0;
    this.editor.open({ label: `b[${layer}]${sub(index + 1)}`, value, apply: (v) => this.handlers.editWeight(layer, index, -1, v) }, this.center(from), from);
  }

  private toggleFeature(name: (typeof FEATURES)[number]): void {
    this.store.update('reset', (s) => {
      if (s.features.includes(name)) {
        if (s.features.length > 1) s.features = s.features.filter((f) => f !== name);
      } else s.features = FEATURES.filter((f) => f === name || s.features.includes(f));
    });
  }

  private select(n: NeuronRef): void {
    const same = this.selected && this.selected.layer === n.layer && this.selected.index === n.index;
    this.selected = same ? null : n;
    this.grid.querySelectorAll('.node.neuron').forEach((b) => {
      const on = this.selected !== null && Number(b.getAttribute('data-layer')) === this.selected.layer && Number(b.getAttribute('data-index')) === this.selected.index;
      b.setAttribute('aria-pressed', String(on));
    });
    this.handlers.selectNeuron(this.selected);
  }

  clearSelection(): void {
    if (this.selected) this.select(this.selected);
  }

  /** Positions every link between its nodes' edges; called after layout changes. */
  layoutLinks(): void {
    const box = this.grid.getBoundingClientRect();
    const width = this.grid.scrollWidth;
    const height = this.grid.scrollHeight;
    this.svg.setAttribute('width', String(width));
    this.svg.setAttribute('height', String(height));
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    for (const link of this.links) {
      const a = link.from.getBoundingClientRect();
      const b = link.to.getBoundingClientRect();
      const x1 = a.right - box.left;
      const y1 = a.top + a.height / 2 - box.top;
      const x2 = b.left - box.left;
      const y2 = b.top + b.height / 2 - box.top;
      const mx = (x1 + x2) / 2;
      link.curve = [x1, y1, mx, y1, mx, y2, x2, y2];
      link.hit.setAttribute('d', `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`);
    }
    this.paintLinks();
  }

  private paintLinks(): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const scale = this.canvas.width / Math.max(1, this.grid.scrollWidth);
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.lineCap = 'round';
    ctx.globalAlpha = 0.85;
    for (const link of this.links) {
      const w = this.weight(link) ?? 0;
      const [x1, y1, c1x, c1y, c2x, c2y, x2, y2] = link.curve;
      ctx.strokeStyle = css(signedColor(w));
      ctx.lineWidth = 0.5 + Math.min(Math.abs(w), 4) * 1.1;
      ctx.beginPath();
      ctx.moveTo(x1, y1);
      ctx.bezierCurveTo(c1x, c1y, c2x, c2y, x2, y2);
      ctx.stroke();
    }
  }

  /** The input features' heatmaps depend only on the domain. */
  paintFeatures(domain: Domain): void {
    this.domain = domain;
    const g = gridPoints(GRID_SIZE, domain);
    for (const [name, canvas] of this.featureCanvases) {
      const values = featureMatrix([name as (typeof FEATURES)[number]], g.x1, g.x2);
      let max = 0;
      for (const v of values) max = Math.max(max, Math.abs(v));
      if (max > 0) for (let i = 0; i < values.length; i++) values[i] = values[i]! / max;
      paintHeatmap(canvas, values, GRID_SIZE, 0, { kind: 'signed', discretize: false });
    }
  }

  update(snap: Snapshot, discretize: boolean): void {
    this.last = snap;
    const cells = snap.gridSize * snap.gridSize;
    let offset = 0;
    for (const canvases of this.neuronCanvases) {
      for (const c of canvases) {
        paintHeatmap(c, snap.neurons, snap.gridSize, offset, { kind: 'signed', discretize: false });
        offset += cells;
      }
    }
    this.outputCanvases.forEach((c, k) => paintHeatmap(c, snap.output, snap.gridSize, k * cells, { kind: 'signed', discretize }));
    this.paintLinks();
    // Written only when the value changes: every attribute write costs a style recalculation.
    this.biasButtons.forEach((buttons, l) => {
      buttons.forEach((b, k) => {
        const v = snap.biases[l]?.[k] ?? 0;
        setAttr(b, 'style', `--bias:${css(signedColor(v))}`);
        b.title = `b[${l + 1}]${sub(k + 1)} = ${formatNumber(v, 4)} (click to edit)`;
      });
    });
  }
}

/** Disables a +/- button at its limit, saying why in its tooltip. */
function limit(b: HTMLButtonElement, atLimit: boolean, why: string): void {
  b.disabled = atLimit;
  if (atLimit) b.title = why;
  else b.removeAttribute('title');
}

function setAttr(node: Element, name: string, value: string): void {
  if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}
