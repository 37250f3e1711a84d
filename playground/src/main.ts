/**
 * The page: reads the URL hash, builds the views, starts the training worker
 * and routes messages. Snapshots are drawn in animation frames and
 * acknowledged after drawing, which paces the worker to what the page shows.
 * Two tabs: the dense mode on 2-D data, and the image mode (image/view.ts),
 * built the first time it is shown; the hash names the tab shown.
 */
import type { FromWorker, Snapshot, ToWorker, DataInfo } from './protocol.js';
import type { ChartView, CurvePoint } from './render/chart.js';
import { typescriptSnippet } from './snippet.js';
import { classCount, DATASETS_BY_PROBLEM, type State } from './state.js';
import { Store, type ChangeKind } from './store.js';
import { extrasBar, hyperBar, runBar } from './ui/controls.js';
import { dataPanel } from './ui/data-panel.js';
import { el } from './ui/dom.js';
import { ExportPanel } from './ui/export-panel.js';
import { NetworkView } from './ui/network-view.js';
import { Notices } from './ui/notices.js';
import { OutputView } from './ui/output-view.js';
import { decodeHash, encodeHash } from './url.js';
import { decodeImageHash, defaultImageState, encodeImageHash, isImageHash } from './image/spec.js';
import { ImageView, type ImageDebug } from './image/view.js';

/** What end-to-end tests and curious users can read from the console. */
export interface PlaygroundDebug {
  state(): State;
  snapshot(): Snapshot | null;
  info(): DataInfo | null;
  running(): boolean;
  /** Milliseconds the main thread spent drawing each of the last snapshots (at most 500). */
  drawTimes(): number[];
  /** The cost chart as last drawn: its scale and ticks, and the points it holds. */
  chart(): ChartView & { points: CurvePoint[] };
  /** Which tab is shown. */
  mode(): Mode;
  /** The image mode's state, or null before its tab was first shown. */
  image(): ImageDebug | null;
}

type Mode = 'dense' | 'image';

/** How far back the epochs/s readout looks: long enough that one slow frame does not swing it. */
const RATE_WINDOW_MS = 2000;

/**
 * The epochs/s readout: epochs drawn over the last RATE_WINDOW_MS of page time (what a stopwatch next to the
 * epoch counter measures), from the snapshots as they are drawn.
 */
class RateMeter {
  private samples: { t: number; epoch: number }[] = [];

  clear(): void {
    this.samples = [];
  }

  add(t: number, epoch: number): number {
    const s = this.samples;
    s.push({ t, epoch });
    // Keep one sample at or before the window's start, so the window is full once there is that much history.
    while (s.length > 2 && s[1]!.t <= t - RATE_WINDOW_MS) s.shift();
    const first = s[0]!;
    return t > first.t ? ((epoch - first.epoch) * 1000) / (t - first.t) : 0;
  }
}

function start(): void {
  const notices = new Notices(document.getElementById('notices')!);
  const startsImage = isImageHash(location.hash);
  const parsedImage = startsImage ? decodeImageHash(location.hash) : { state: defaultImageState(), notices: [] };
  const parsed = decodeHash(startsImage ? '' : location.hash);
  parsed.notices.push(...parsedImage.notices);
  if (parsed.state.dataset === 'csv') {
    parsed.notices.push('The link names an uploaded CSV, which a link cannot carry; showing a generated dataset instead.');
    parsed.state.dataset = DATASETS_BY_PROBLEM[parsed.state.problem][0]!;
  }
  notices.show('url', parsed.notices);
  const store = new Store(parsed.state);

  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  const send = (m: ToWorker) => worker.postMessage(m);
  let running = false;
  const rate = new RateMeter();
  let lastSnapshot: Snapshot | null = null;
  let info: DataInfo | null = null;
  let pending: Snapshot | null = null;
  let frameRequested = false;
  /** Bumped by every configure and reset; messages of older runs are dropped. */
  let generation = 0;

  const run = runBar({
    play: () => {
      notices.clear('diverged');
      send({ type: 'play' });
    },
    pause: () => send({ type: 'pause' }),
    step: () => send({ type: 'step' }),
    reset: () => {
      notices.clear('diverged');
      output.history.clear();
      lastSnapshot = null;
      send({ type: 'reset', generation: ++generation });
    },
  });
  const hyper = hyperBar(store);
  const extras = extrasBar(store);
  const data = dataPanel(store, (message) => (message ? notices.show('csv', [message], 'error') : notices.clear('csv')));
  const output = new OutputView(store);
  const network = new NetworkView(store, {
    editWeight: (layer, row, col, value) => send({ type: 'setWeight', layer, row, col, value }),
    selectNeuron: (n) => output.showNeuron(n),
    previewNeuron: (n) => output.previewNeuron(n),
  });
  const exporter = new ExportPanel({
    requestModel: () => send({ type: 'export' }),
    snippet: () => typescriptSnippet(store.state, info?.classes ?? classCount(store.state, data.csvPoints()?.classes ?? null)),
  });

  document.getElementById('run')!.append(run.root);
  document.getElementById('hyper')!.append(hyper.root);
  document.getElementById('extras')!.append(extras.root);
  document.getElementById('data-body')!.append(data.root);
  document.getElementById('network-body')!.append(network.root);
  document.getElementById('output-body')!.append(output.root, exporter.root);

  const outputsOf = (s: State) => {
    const k = classCount(s, data.csvPoints()?.classes ?? null);
    return k > 2 ? k : 1;
  };

  const configure = () => {
    const s = store.state;
    if (s.dataset === 'csv' && !data.csvPoints()) {
      const why = data.csvProblem();
      store.update('reset', (st) => (st.dataset = DATASETS_BY_PROBLEM[st.problem][0]!));
      if (why) notices.show('csv', [why], 'error');
      return;
    }
    notices.clear('diverged');
    output.history.clear();
    lastSnapshot = null;
    send({ type: 'configure', state: s, csv: s.dataset === 'csv' ? data.csvPoints() : null, generation: ++generation });
  };

  const syncAll = (s: State) => {
    hyper.sync(s);
    extras.sync(s, classCount(s, data.csvPoints()?.classes ?? null));
    data.sync(s);
    network.sync(s, outputsOf(s));
    output.sync(s);
  };

  let mode: Mode = 'dense';
  let image: ImageView | null = null;
  let imageState = parsedImage.state;
  const writeHash = () => {
    const hash = `#${mode === 'image' ? encodeImageHash(image?.current ?? imageState) : encodeHash(store.state)}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
  };
  const tabs = {
    dense: el('button', { type: 'button', role: 'tab', id: 'tab-dense', 'aria-controls': 'dense-view', text: '2-D data' }),
    image: el('button', { type: 'button', role: 'tab', id: 'tab-image', 'aria-controls': 'image-view', text: 'Images: MNIST CNN' }),
  };
  const setMode = (next: Mode) => {
    mode = next;
    for (const [name, tab] of Object.entries(tabs)) {
      tab.setAttribute('aria-selected', String(name === next));
      tab.tabIndex = name === next ? 0 : -1;
    }
    for (const id of ['run', 'hyper', 'extras-bar', 'dense-view']) document.getElementById(id)!.hidden = next !== 'dense';
    for (const id of ['image-top', 'image-view']) document.getElementById(id)!.hidden = next !== 'image';
    if (next === 'image') {
      if (!image) {
        image = new ImageView(
          imageState,
          (m) => send(m),
          (s) => {
            imageState = s;
            writeHash();
          },
          (key, messages, level) => notices.show(key, messages, level),
        );
        document.getElementById('image-top')!.append(image.top);
        document.getElementById('image-view')!.append(image.main);
        image.configure();
      }
      if (running) send({ type: 'pause' });
    } else image?.pause();
    writeHash();
  };
  for (const [name, tab] of Object.entries(tabs) as [Mode, HTMLButtonElement][]) {
    tab.addEventListener('click', () => setMode(name));
    tab.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight' && e.key !== 'Home' && e.key !== 'End') return;
      e.preventDefault();
      const other: Mode = name === 'dense' ? 'image' : 'dense';
      const to = e.key === 'Home' ? 'dense' : e.key === 'End' ? 'image' : other;
      setMode(to);
      tabs[to].focus();
    });
  }
  document.getElementById('tabs')!.append(tabs.dense, tabs.image);

  store.subscribe((s: State, kind: ChangeKind) => {
    if (mode === 'dense') writeHash();
    syncAll(s);
    if (kind === 'reset') configure();
    else if (kind === 'rate') send({ type: 'learningRate', value: s.learningRate });
    else if (kind === 'speed') send({ type: 'speed', value: s.speed });
  });

  window.addEventListener('hashchange', () => {
    if (isImageHash(location.hash)) {
      const next = decodeImageHash(location.hash);
      notices.show('url', next.notices);
      if (mode !== 'image') {
        imageState = next.state;
        if (image) image.replace(next.state);
        setMode('image');
      } else if (location.hash !== `#${encodeImageHash(image!.current)}`) image!.replace(next.state);
      return;
    }
    if (mode === 'image') setMode('dense');
    if (location.hash === `#${encodeHash(store.state)}`) return;
    const next = decodeHash(location.hash);
    if (next.state.dataset === 'csv' && !data.csvPoints()) {
      next.notices.push('The link names an uploaded CSV that is not loaded; showing a generated dataset instead.');
      next.state.dataset = DATASETS_BY_PROBLEM[next.state.problem][0]!;
    }
    notices.show('url', next.notices);
    store.replace(next.state);
  });

  const drawTimes: number[] = [];
  let textAt = 0;
  const draw = () => {
    frameRequested = false;
    const snap = pending;
    if (!snap) return;
    pending = null;
    const t0 = performance.now();
    if (snap.generation === generation) {
      lastSnapshot = snap;
      const eps = running ? rate.add(t0, snap.epoch) : 0;
      // Numbers change every frame while training but are read a few times a second; each text change costs a layout.
      const withText = !running || t0 - textAt > 150;
      if (withText) {
        textAt = t0;
        run.setEpoch(snap.epoch);
        run.setSpeed(eps);
      }
      network.update(snap, store.state.discretize);
      output.update(snap, withText);
    }
    send({ type: 'ack' });
    if (drawTimes.push(performance.now() - t0) > 500) drawTimes.shift();
  };

  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    const m = event.data;
    if (m.type.startsWith('image:')) {
      image?.onMessage(m as Extract<FromWorker, { type: `image:${string}` }>);
      return;
    }
    switch (m.type) {
      case 'data':
        if (m.info.generation !== generation) break;
        info = m.info;
        run.setBackend(m.info.backend);
        output.setData(m.info);
        network.paintFeatures(m.info.domain);
        notices.show('data', m.info.warnings, 'info');
        break;
      case 'snapshot':
        pending = m.snapshot;
        if (!frameRequested) {
          frameRequested = true;
          requestAnimationFrame(draw);
        }
        break;
      case 'running':
        running = m.running;
        rate.clear();
        run.setRunning(m.running);
        // A snapshot sent just before the pause must not land after it.
        if (!running && pending) draw();
        if (!running && lastSnapshot) {
          // The last frame may have skipped its numbers; show the final ones.
          run.setEpoch(lastSnapshot.epoch);
          run.setSpeed(0);
          output.render();
        }
        break;
      case 'diverged':
        notices.show('diverged', [`Training diverged and was paused: ${m.message} Lower the learning rate (now ${store.state.learningRate}) and press play, or reset.`], 'error');
        break;
      case 'error':
        notices.show('worker', [`Training stopped: ${m.message}`], 'error');
        break;
      case 'notice':
        notices.show('backend', [m.message], 'info');
        break;
      case 'model':
        exporter.offerModel(m.manifest, m.weights);
        break;
    }
  };
  worker.onerror = (e) => notices.show('worker', [`The training worker failed: ${e.message}`], 'error');

  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') network.clearSelection();
  });

  const debug: PlaygroundDebug = {
    state: () => store.state,
    snapshot: () => lastSnapshot,
    info: () => info,
    running: () => running,
    drawTimes: () => [...drawTimes],
    chart: () => ({ ...(output.chartView ?? { log: true, yMin: 0, yMax: 0, clipped: false, xTicks: [], yTicks: [] }), points: output.history.points.map((p) => ({ ...p })) }),
    mode: () => mode,
    image: () => image?.debug() ?? null,
  };
  (window as unknown as { playground: PlaygroundDebug }).playground = debug;

  syncAll(store.state);
  configure();
  setMode(startsImage ? 'image' : 'dense');
  document.body.append(el('span', { id: 'ready', hidden: true }));
}

start();
