/**
 * The image mode's page: a small CNN trained live on MNIST digits in the
 * worker. Its run bar and settings, the architecture editor (shapes and
 * parameter counts as you edit), the learned filters and the feature maps of
 * one dev digit, a pad to draw a digit on (classified live), the train/dev
 * curves and the bias/variance verdict, the dev confusion matrix and the
 * error analysis gallery, and the export. Snapshots are drawn in animation
 * frames and acknowledged after drawing, as in the dense mode.
 */
import { readBiasVariance } from '../diagnosis.js';
import { CurveHistory, drawChart, SERIES, type ChartView } from '../render/chart.js';
import { runBar } from '../ui/controls.js';
import { checkbox, el, formatNumber, percent, select } from '../ui/dom.js';
import { ExportPanel } from '../ui/export-panel.js';
import { verdictElements } from '../ui/verdict.js';
import { ArchEditor } from './arch-editor.js';
import { digitize } from './digitize.js';
import { ErrorsView } from './errors-view.js';
import type { Evaluation, ImageFromWorker, ImageInfo, ImageSnapshot, ImageToWorker } from './protocol.js';
import { cloneImageState, IMAGE_BATCH_SIZES, IMAGE_LEARNING_RATES, IMAGE_LIMITS, IMAGE_OPTIMIZERS, imageNetworkOptions, type ImageOptimizer, type ImageState } from './spec.js';
import { paintChannels, paintDigit, paintFilters } from './tiles.js';

const OPTIMIZER_LABELS: Record<ImageOptimizer, string> = { gd: 'Gradient descent', momentum: 'Momentum', rmsprop: 'RMSprop', adam: 'Adam' };
const PAD_PX = 280;
/** Human-level error on MNIST, the image mode's proxy for Bayes error (percent). */
const HUMAN_ERROR_PERCENT = 0.2;
const CHART_HEIGHT = 120;

/** What the tests and the curious read from `window.playground.image()`. */
export interface ImageDebug {
  state: ImageState;
  info: ImageInfo | null;
  running: boolean;
  epoch: number;
  evaluation: { epoch: number; train: { loss: number; error: number }; dev: { loss: number; error: number } } | null;
  /** The drawn digit's class probabilities (null before any drawing). */
  probs: number[] | null;
  /** The 28x28 grey levels sent for the drawn digit. */
  drawn: number[] | null;
  errors: ReturnType<ErrorsView['categoryCounts']>;
  chart: ChartView | null;
  /** Milliseconds the main thread spent drawing each of the last snapshots (at most 500). */
  drawTimes: number[];
  archError: string | null;
}

/** The TypeScript that builds and trains this network with the library. */
export function cnnSnippet(s: ImageState): string {
  const o = imageNetworkOptions(s);
  const layers = o.layers!.map((l) => `    ${JSON.stringify(l).replace(/"(\w+)":/g, '$1: ').replace(/"/g, "'").replace(/,/g, ', ')},`).join('\n');
  return [
    "import { Network, fit, accuracy } from 'layerwise';",
    "import { loadMnist } from 'layerwise/node';",
    '',
    "const { X, Y } = loadMnist({ count: 5000, seed: 17, layout: 'images' }); // X (5000, 28, 28, 1), Y (10, 5000)",
    'const net = new Network({',
    '  inputShape: [28, 28, 1],',
    '  layers: [',
    layers,
    '  ],',
    `  seed: ${s.seed},`,
    '});',
    'console.log(net.summary());',
    `fit(net, X, Y, { learningRate: ${s.learningRate}, optimizer: '${s.optimizer}', epochs: 10, batchSize: ${s.batchSize}${s.augment ? ', augment: { shift: 2 }' : ''} });`,
    'console.log(accuracy(net.classify(X), Y));',
    '',
  ].join('\n');
}

export class ImageView {
  readonly top: HTMLElement;
  readonly main: HTMLElement;
  private state: ImageState;
  private generation = 0;
  private info: ImageInfo | null = null;
  private running = false;
  private last: ImageSnapshot | null = null;
  private lastEvaluation: Evaluation | null = null;
  private pending: ImageSnapshot | null = null;
  private frameRequested = false;
  private readonly drawTimes: number[] = [];
  private textAt = 0;
  private archError: string | null = null;
  private probs: Float32Array | null = null;
  private drawn: Float32Array | null = null;
  private classifyId = 0;
  private readonly history = new CurveHistory();
  private chartView: ChartView | null = null;

  private readonly run = runBar({ play: () => this.send({ type: 'image:play' }), pause: () => this.send({ type: 'image:pause' }), step: () => this.send({ type: 'image:step' }), reset: () => this.reset() }, 'image-');
  private readonly devAccuracy = el('output', { class: 'big-number', id: 'image-dev-accuracy', text: '—' });
  private readonly arch: ArchEditor;
  private readonly errors: ErrorsView;
  private readonly exporter: ExportPanel;
  private readonly stats = el('div', { class: 'stats', id: 'image-stats' });
  private readonly chart = el('canvas', { id: 'image-cost-chart', role: 'img', 'aria-label': 'Train and dev cost by epoch, log scale' });
  private readonly verdict = el('div', { class: 'verdict', id: 'image-verdict', 'aria-live': 'polite' });
  private readonly filters = el('div', { class: 'filters', id: 'filters' });
  private readonly maps = el('div', { class: 'maps', id: 'feature-maps' });
  private readonly probeCaption = el('p', { class: 'hint', id: 'probe-caption' });
  private readonly probeInput = el('canvas', { width: 28, height: 28, class: 'probe-digit', 'aria-hidden': 'true' });
  private readonly pad = el('canvas', { id: 'draw-pad', width: PAD_PX, height: PAD_PX, role: 'img', 'aria-label': 'Drawing pad: draw a digit with the mouse, a pen or a finger' });
  private readonly padPreview = el('canvas', { id: 'draw-preview', width: 28, height: 28, 'aria-hidden': 'true' });
  private readonly probBars = el('div', { class: 'prob-bars', id: 'draw-probs', 'aria-live': 'polite' });
  private readonly canvases = new Map<string, HTMLCanvasElement>();
  private probe = 0;

  constructor(
    initial: ImageState,
    private readonly sendToWorker: (m: ImageToWorker) => void,
    private readonly onState: (s: ImageState) => void,
    private readonly notice: (key: string, messages: string[], level?: 'info' | 'warn' | 'error') => void,
  ) {
    this.state = cloneImageState(initial);
    this.arch = new ArchEditor((blocks) => this.update('reset', (s) => (s.blocks = blocks)));
    this.errors = new ErrorsView((index) => this.setProbe(index));
    this.exporter = new ExportPanel({ requestModel: () => this.send({ type: 'image:export' }), snippet: () => cnnSnippet(this.state) }, 'image-');

    const lr = select('Learning rate', IMAGE_LEARNING_RATES.map((v) => ({ value: v, label: String(v) })), this.state.learningRate, (v) => this.update('rate', (s) => (s.learningRate = v)), { id: 'image-learning-rate' });
    const batch = select('Batch size', IMAGE_BATCH_SIZES.map((v) => ({ value: v, label: String(v) })), this.state.batchSize, (v) => this.update('reset', (s) => (s.batchSize = v)), { id: 'image-batch-size' });
    const opt = select('Optimizer', IMAGE_OPTIMIZERS.map((o) => ({ value: o, label: OPTIMIZER_LABELS[o] })), this.state.optimizer, (v) => this.update('reset', (s) => (s.optimizer = v)), { id: 'image-optimizer' });
    const augment = checkbox('Shift augmentation', this.state.augment, (v) => this.update('reset', (s) => (s.augment = v)), { id: 'image-augment' });
    const seed = el('input', { id: 'image-seed', type: 'number', min: IMAGE_LIMITS.seed.min, max: IMAGE_LIMITS.seed.max, step: 1, value: this.state.seed, inputmode: 'numeric' });
    seed.addEventListener('change', () => {
      const v = Number(seed.value);
      if (Number.isInteger(v) && v >= IMAGE_LIMITS.seed.min && v <= IMAGE_LIMITS.seed.max) this.update('reset', (s) => (s.seed = v));
      else seed.value = String(this.state.seed);
    });
    const seedField = el('div', { class: 'field seed' }, el('label', { for: 'image-seed', text: 'Seed' }), seed);
    this.syncControls = (s) => {
      lr.set(s.learningRate);
      batch.set(s.batchSize);
      opt.set(s.optimizer);
      augment.set(s.augment);
      seed.value = String(s.seed);
    };
    this.top = el(
      'div',
      { class: 'image-top' },
      this.run.root,
      el('div', { class: 'epoch' }, el('span', { class: 'caption', text: 'Dev accuracy' }), this.devAccuracy),
      el('div', { class: 'hyper' }, lr.root, batch.root, opt.root, seedField, augment.root),
    );

    const clear = el('button', { type: 'button', id: 'draw-clear', text: 'Clear' });
    clear.addEventListener('click', () => this.clearPad());
    this.setupPad();
    for (let d = 0; d < 10; d++) this.probBars.append(el('div', { class: 'prob', 'data-digit': d }, el('span', { class: 'prob-digit', text: String(d) }), el('span', { class: 'prob-bar' }, el('i')), el('span', { class: 'prob-value', text: '' })));
    const prev = el('button', { type: 'button', class: 'small', id: 'probe-prev', text: '← previous', 'aria-label': 'Previous dev digit' });
    const next = el('button', { type: 'button', class: 'small', id: 'probe-next', text: 'next →', 'aria-label': 'Next dev digit' });
    prev.addEventListener('click', () => this.setProbe(this.probe - 1));
    next.addEventListener('click', () => this.setProbe(this.probe + 1));

    const legend = el('p', { class: 'legend' }, ...SERIES.filter((s) => s.key !== 'test').map((s) => el('span', { class: `key key-${s.key}` }, el('i', { style: `background:${s.color}` }), s.label)));
    this.main = el(
      'div',
      { class: 'image-layout' },
      el('section', { class: 'panel arch-panel', 'aria-labelledby': 'arch-h' }, el('h2', { id: 'arch-h', text: 'Architecture' }), this.arch.root, el('p', { class: 'hint', text: 'Conv and pool blocks keep the image shape; a flatten goes in before the first dense block. Each edit rebuilds the network (press play again).' })),
      el(
        'section',
        { class: 'panel inside-panel', 'aria-labelledby': 'inside-h' },
        el('h2', { id: 'inside-h', text: 'Inside the network' }),
        el('h3', { text: 'Learned filters' }),
        el('p', { class: 'hint', text: 'Each conv layer’s W: a row per filter, a column per input channel (blue positive, orange negative).' }),
        this.filters,
        el('h3', { text: 'Feature maps' }),
        el('div', { class: 'probe' }, this.probeInput, el('div', {}, this.probeCaption, el('div', { class: 'inline' }, prev, next))),
        this.maps,
        el('h3', { text: 'Draw a digit' }),
        el('div', { class: 'draw' }, el('div', { class: 'pad-wrap' }, this.pad, el('div', { class: 'inline' }, clear, el('span', { class: 'hint', text: 'What the network sees:' }), this.padPreview)), this.probBars),
      ),
      el(
        'section',
        { class: 'panel results-panel', 'aria-labelledby': 'results-h' },
        el('h2', { id: 'results-h', text: 'Results' }),
        this.stats,
        el('div', { class: 'chart-head' }, el('h3', { text: 'Cost' }), el('span', { class: 'caption', text: 'by epoch, log scale' })),
        this.chart,
        legend,
        el('section', { class: 'bias-variance', 'aria-label': 'Bias and variance' }, el('h3', { text: 'Bias and variance' }), this.verdict),
        this.errors.root,
        this.exporter.root,
      ),
    );
    this.renderStats();
    this.arch.sync(this.state.blocks);
    new ResizeObserver(() => this.fitChart()).observe(this.chart);
  }

  private syncControls: (s: ImageState) => void;

  private send(m: ImageToWorker): void {
    this.sendToWorker(m);
  }

  private update(kind: 'reset' | 'rate', edit: (s: ImageState) => void): void {
    const next = cloneImageState(this.state);
    edit(next);
    this.state = next;
    this.onState(next);
    this.syncControls(next);
    this.arch.sync(next.blocks);
    if (kind === 'rate') this.send({ type: 'image:rate', value: next.learningRate });
    else this.configure();
  }

  /** A new state from the address bar. */
  replace(s: ImageState): void {
    this.state = cloneImageState(s);
    this.syncControls(this.state);
    this.arch.sync(this.state.blocks);
    this.configure();
  }

  get current(): ImageState {
    return this.state;
  }

  /** Builds the network of the current state in the worker (epoch 0, paused). */
  configure(): void {
    this.arch.setInfo(null, null);
    this.send({ type: 'image:configure', state: this.state, generation: ++this.generation });
  }

  private reset(): void {
    this.send({ type: 'image:reset', generation: ++this.generation });
  }

  pause(): void {
    if (this.running) this.send({ type: 'image:pause' });
  }

  private setProbe(index: number): void {
    const m = this.info?.devM ?? 1;
    this.probe = ((index % m) + m) % m;
    this.send({ type: 'image:probe', index: this.probe });
    this.renderProbe();
  }

  private renderProbe(): void {
    const info = this.info;
    if (!info) return;
    paintDigit(this.probeInput, info.devPixels, this.probe * 784);
    const ev = this.lastEvaluation;
    const label = info.devLabels[this.probe];
    const pred = ev ? ` · predicted ${ev.predicted[this.probe]} (${percent(ev.confidence[this.probe]!, 0)})` : '';
    this.probeCaption.textContent = `Dev digit ${this.probe}: a ${label}${pred}. Its output at every conv and pool layer, one tile per channel:`;
  }

  onMessage(m: ImageFromWorker): void {
    switch (m.type) {
      case 'image:data':
        if (m.info.generation !== this.generation) break;
        this.info = m.info;
        this.history.clear();
        this.lastEvaluation = null;
        this.errors.setData(m.info);
        this.archError = null;
        this.notice('image', []);
        this.arch.setInfo(m.info, null);
        this.run.setBackend(m.info.backend);
        this.renderProbe();
        this.classifyDrawn();
        break;
      case 'image:snapshot':
        if (m.snapshot.generation !== this.generation) {
          this.send({ type: 'image:ack' });
          break;
        }
        // An evaluation in a snapshot that is replaced before it is drawn must not be lost.
        if (this.pending?.evaluation && !m.snapshot.evaluation) m.snapshot.evaluation = this.pending.evaluation;
        this.pending = m.snapshot;
        if (!this.frameRequested) {
          this.frameRequested = true;
          requestAnimationFrame(() => this.draw());
        }
        break;
      case 'image:running':
        this.running = m.running;
        this.run.setRunning(m.running);
        if (!m.running && this.pending) this.draw();
        if (!m.running) this.renderStats();
        break;
      case 'image:probs':
        if (m.id === this.classifyId) {
          this.probs = m.probs;
          this.renderProbs();
        }
        break;
      case 'image:error':
        if (m.generation !== this.generation) break;
        // The worker keeps the last network it could build: its snapshots are shown again.
        if (this.info) this.generation = this.info.generation;
        this.archError = m.message;
        this.arch.setInfo(null, `The library refused this architecture: ${m.message}`);
        break;
      case 'image:diverged':
        this.notice('image', [`Training diverged and was paused: ${m.message} Lower the learning rate (now ${this.state.learningRate}) and press play, or reset.`], 'error');
        break;
      case 'image:model':
        this.exporter.offerModel(m.manifest, m.weights);
        break;
    }
  }

  private draw(): void {
    this.frameRequested = false;
    const snap = this.pending;
    if (!snap) return;
    this.pending = null;
    const t0 = performance.now();
    this.last = snap;
    this.drawMaps(snap);
    if (snap.evaluation) {
      const ev = snap.evaluation;
      this.lastEvaluation = ev;
      this.history.add({ epoch: ev.epoch, train: ev.train.loss, dev: ev.dev.loss, test: null });
      this.chartView = drawChart(this.chart, this.history.points, false);
      this.errors.update(ev);
      this.renderVerdict(ev);
      this.renderProbe();
    }
    if (!this.running || snap.evaluation || t0 - this.textAt > 150) {
      this.textAt = t0;
      this.renderStats();
    }
    this.send({ type: 'image:ack' });
    if (this.drawTimes.push(performance.now() - t0) > 500) this.drawTimes.shift();
  }

  private canvasFor(key: string, parent: HTMLElement, caption: string): HTMLCanvasElement {
    let c = this.canvases.get(key);
    if (!c || c.parentElement?.parentElement !== parent) {
      c = el('canvas', { class: 'tiles', 'aria-hidden': 'true' });
      this.canvases.set(key, c);
      parent.append(el('figure', {}, c, el('figcaption', { text: caption })));
    }
    return c;
  }

  private drawMaps(snap: ImageSnapshot): void {
    const mapKey = snap.maps.map((m) => `${m.layer}:${m.h}x${m.w}x${m.c}`).join('|') + snap.filters.map((f) => `|W${f.layer}:${f.f}x${f.cin}x${f.cout}`).join('');
    if (mapKey !== this.maps.dataset.key) {
      // A new architecture: new canvases.
      this.maps.dataset.key = mapKey;
      this.maps.replaceChildren();
      this.filters.replaceChildren();
      this.canvases.clear();
    }
    for (const m of snap.maps) {
      const c = this.canvasFor(`map${m.layer}`, this.maps, `${m.name}: ${m.h}×${m.w}×${m.c}`);
      const grid = paintChannels(c, m.data, m.h, m.w, m.c, 8);
      // Tiles of about 40 px whatever the map's size (a 5x5 map gets 8 px per pixel).
      c.style.width = `${grid.cols * 42}px`;
    }
    for (const f of snap.filters) {
      const c = this.canvasFor(`W${f.layer}`, this.filters, `${f.name} (${f.f}, ${f.f}, ${f.cin}, ${f.cout})${f.cin > 8 ? ': first 8 input channels' : ''}`);
      const grid = paintFilters(c, f.data, f.f, f.cin, f.cout);
      c.style.width = `${grid.cols * (f.f + 1) * (f.cin === 1 ? 6 : 4)}px`;
    }
  }

  private renderStats(): void {
    const ev = this.lastEvaluation;
    const snap = this.last;
    const epoch = snap ? snap.epoch : 0;
    this.run.setEpoch(Math.floor(epoch));
    this.devAccuracy.textContent = ev ? percent(1 - ev.dev.error) : '—';
    const rows: [string, string][] = [
      ['Epoch', snap ? `${epoch.toFixed(2)} (${snap.examples.toLocaleString('en-US')} digits seen)` : '—'],
      ['Batch cost', snap && snap.batchCost !== null ? formatNumber(snap.batchCost) : '—'],
      ['Training', ev ? `loss ${formatNumber(ev.train.loss)} · accuracy ${percent(1 - ev.train.error)}` : '—'],
      ['Dev', ev ? `loss ${formatNumber(ev.dev.loss)} · accuracy ${percent(1 - ev.dev.error)}` : '—'],
      ['Data', this.info ? `${this.info.trainM.toLocaleString('en-US')} train, ${this.info.devM.toLocaleString('en-US')} dev MNIST digits` : 'loading…'],
    ];
    this.stats.replaceChildren(...rows.map(([k, v]) => el('div', { class: 'stat' }, el('span', { class: 'name', text: k }), el('span', { text: v }))));
  }

  private renderVerdict(ev: Evaluation): void {
    if (ev.epoch === 0) {
      this.verdict.replaceChildren(el('p', { class: 'hint', text: 'Train (play or one epoch) to see the diagnosis.' }));
      return;
    }
    const s = { train: { loss: ev.train.loss, error: ev.train.error }, dev: { loss: ev.dev.loss, error: ev.dev.error } };
    // Human-level error on MNIST is about 0.2% (the course's proxy for Bayes error); a training error below it
    // means the network has learned the training digits by heart, and the optimal error is taken as that error.
    // (Rounded down, so that percent -> fraction never lands a hair above the training error.)
    const optimal = Math.min(HUMAN_ERROR_PERCENT, Math.floor(ev.train.error * 1e6) / 1e4);
    const why = optimal < HUMAN_ERROR_PERCENT ? `the training error, below the ${HUMAN_ERROR_PERCENT}% human-level error on MNIST` : 'human-level error on MNIST';
    this.verdict.replaceChildren(...verdictElements(readBiasVariance(s, optimal), null), el('p', { class: 'hint', text: `Optimal error taken as ${percent(optimal / 100, 1)}: ${why}.` }));
  }

  private fitChart(): void {
    const ratio = Math.min(2, window.devicePixelRatio || 1);
    const w = Math.round(this.chart.clientWidth * ratio);
    const h = Math.round(CHART_HEIGHT * ratio);
    if (w === 0 || (this.chart.width === w && this.chart.height === h)) return;
    this.chart.width = w;
    this.chart.height = h;
    this.chartView = drawChart(this.chart, this.history.points, false);
  }

  // The drawing pad: strokes in dark ink on a transparent canvas; its alpha is the ink.
  private setupPad(): void {
    const ctx = this.pad.getContext('2d', { willReadFrequently: true })!;
    let drawing = false;
    let last: [number, number] | null = null;
    let queued = false;
    const at = (e: PointerEvent): [number, number] => {
      const r = this.pad.getBoundingClientRect();
      return [((e.clientX - r.left) / r.width) * PAD_PX, ((e.clientY - r.top) / r.height) * PAD_PX];
    };
    const stroke = (p: [number, number]) => {
      ctx.strokeStyle = '#111';
      ctx.lineWidth = 22;
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      ctx.beginPath();
      ctx.moveTo(...(last ?? p));
      ctx.lineTo(...p);
      ctx.stroke();
      last = p;
      if (!queued) {
        queued = true;
        requestAnimationFrame(() => {
          queued = false;
          this.classifyDrawn();
        });
      }
    };
    this.pad.addEventListener('pointerdown', (e) => {
      drawing = true;
      last = null;
      this.pad.setPointerCapture(e.pointerId);
      stroke(at(e));
    });
    this.pad.addEventListener('pointermove', (e) => {
      if (drawing) stroke(at(e));
    });
    const end = () => {
      drawing = false;
      last = null;
    };
    this.pad.addEventListener('pointerup', end);
    this.pad.addEventListener('pointercancel', end);
  }

  private clearPad(): void {
    this.pad.getContext('2d')!.clearRect(0, 0, PAD_PX, PAD_PX);
    this.drawn = null;
    this.probs = null;
    paintDigit(this.padPreview, new Float32Array(784), 0, 1);
    this.renderProbs();
  }

  private classifyDrawn(): void {
    const data = this.pad.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, PAD_PX, PAD_PX).data;
    const ink = new Float32Array(PAD_PX * PAD_PX);
    let any = false;
    for (let i = 0; i < ink.length; i++) {
      ink[i] = data[i * 4 + 3]! / 255;
      if (ink[i]! > 0) any = true;
    }
    if (!any) return;
    const pixels = digitize(ink, PAD_PX, PAD_PX);
    this.drawn = pixels;
    paintDigit(this.padPreview, pixels, 0, 1);
    this.send({ type: 'image:classify', id: ++this.classifyId, pixels });
  }

  private renderProbs(): void {
    const p = this.probs;
    let best = -1;
    if (p) for (let d = 0; d < 10; d++) if (best < 0 || p[d]! > p[best]!) best = d;
    this.probBars.querySelectorAll<HTMLElement>('.prob').forEach((row, d) => {
      const v = p ? p[d]! : 0;
      row.classList.toggle('best', d === best);
      row.querySelector<HTMLElement>('i')!.style.width = `${(v * 100).toFixed(1)}%`;
      row.querySelector('.prob-value')!.textContent = p ? percent(v, 1) : '';
    });
  }

  debug(): ImageDebug {
    const ev = this.lastEvaluation;
    return {
      state: cloneImageState(this.state),
      info: this.info,
      running: this.running,
      epoch: this.last?.epoch ?? 0,
      evaluation: ev ? { epoch: ev.epoch, train: ev.train, dev: ev.dev } : null,
      probs: this.probs ? Array.from(this.probs) : null,
      drawn: this.drawn ? Array.from(this.drawn) : null,
      errors: this.errors.categoryCounts(),
      chart: this.chartView,
      drawTimes: [...this.drawTimes],
      archError: this.archError,
    };
  }
}
