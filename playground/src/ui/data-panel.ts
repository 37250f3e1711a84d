/**
 * The data column: dataset picker with thumbnails (a radio group: one tab
 * stop, arrow keys move and choose), class count, the
 * train/dev/test split, noise, batch size, seed, and CSV upload. An upload
 * that fails to parse leaves the current dataset in place and says why.
 */
import { parseCsv, tableToPoints, type CsvTable } from '../csv.js';
import { DEFAULT_DOMAIN, domainOf, generate, type Points } from '../datasets.js';
import { drawPoints } from '../render/points.js';
import type { Store } from '../store.js';
import { DATASET_LABELS, DATASETS_BY_PROBLEM, LIMITS, MULTICLASS_DATASETS, testPct, type DatasetName, type State } from '../state.js';
import { seedField, type Synced } from './controls.js';
import { el, range, select } from './dom.js';

export interface DataPanel extends Synced {
  /** The uploaded points for the current problem type, or null. */
  csvPoints(): Points | null;
  /** Why the uploaded data does not fit the current problem type, or null when it does (or none was uploaded). */
  csvProblem(): string | null;
}

function thumbnail(name: DatasetName, csv: Points | null): HTMLCanvasElement {
  const canvas = el('canvas', { width: 64, height: 64, 'aria-hidden': 'true' });
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  ctx.fillStyle = '#f4f5f6';
  ctx.fillRect(0, 0, 64, 64);
  const p = name === 'csv' ? csv : generate({ dataset: name, seed: 1, noise: 0, classes: 2, m: 160 });
  if (p) drawPoints(canvas, p, name === 'csv' ? domainOf(p) : DEFAULT_DOMAIN, { ring: 'rgba(255,255,255,0)', radius: 1.6, labelScale: 1 });
  return canvas;
}

export function dataPanel(store: Store, onCsvError: (message: string | null) => void): DataPanel {
  let table: CsvTable | null = null;
  let csvName = '';
  const picker = el('div', { class: 'datasets', role: 'radiogroup', 'aria-label': 'Dataset' });
  const buttons = new Map<DatasetName, HTMLButtonElement>();

  const csvPointsFor = (s: State): Points | null => {
    if (!table) return null;
    const r = tableToPoints(table, s.problem);
    return r.ok ? r.value : null;
  };

  const renderPicker = (s: State) => {
    picker.replaceChildren();
    buttons.clear();
    const names: DatasetName[] = [...DATASETS_BY_PROBLEM[s.problem], ...(table ? (['csv'] as const) : [])];
    for (const name of names) {
      const label = name === 'csv' ? `${DATASET_LABELS.csv}${csvName ? `: ${csvName}` : ''}` : DATASET_LABELS[name];
      const b = el('button', { type: 'button', class: 'dataset', role: 'radio', 'aria-checked': String(s.dataset === name), 'data-dataset': name, title: label }, thumbnail(name, name === 'csv' ? csvPointsFor(s) : null), el('span', { text: label }));
      b.addEventListener('click', () => choose(name));
      b.addEventListener('keydown', (e) => {
        const i = names.indexOf(name);
        const n = names.length;
        const to = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? (i + 1) % n : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? (i - 1 + n) % n : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : -1;
        if (to < 0) return;
        e.preventDefault();
        buttons.get(names[to]!)?.focus();
        choose(names[to]!);
      });
      buttons.set(name, b);
      picker.append(b);
    }
    rove(s);
  };
  const choose = (name: DatasetName) => {
    if (name === 'csv' && !csvPointsFor(store.state)) {
      const r = table ? tableToPoints(table, store.state.problem) : null;
      onCsvError(r && !r.ok ? r.error : 'No CSV uploaded.');
      return;
    }
    if (store.state.dataset !== name) store.update('reset', (st) => (st.dataset = name));
  };
  /** Roving tabindex: only the chosen dataset (or the first) is in the tab order. */
  const rove = (s: State) => {
    const current = buttons.has(s.dataset) ? s.dataset : buttons.keys().next().value;
    for (const [name, b] of buttons) {
      b.setAttribute('aria-checked', String(s.dataset === name));
      b.tabIndex = name === current ? 0 : -1;
    }
  };
  let pickerProblem: State['problem'] | null = null;

  const classes = select(
    'Classes',
    [2, 3, 4].map((k) => ({ value: k, label: k === 2 ? '2 (sigmoid output)' : `${k} (softmax output)` })),
    store.state.classes,
    (v) => store.update('reset', (s) => (s.classes = v)),
    { id: 'classes' },
  );
  const ratioText = (s: State) => `train ${s.trainPct}% · dev ${s.devPct}% · test ${testPct(s)}%`;
  const ratioOut = el('p', { class: 'ratio', id: 'ratio-text', 'aria-live': 'polite', text: ratioText(store.state) });
  const train = range('Training data', LIMITS.trainPct, store.state.trainPct, (v) => `${v}%`, (v) => store.update('reset', (s) => {
    s.trainPct = v;
    if (s.trainPct + s.devPct > 100) s.devPct = Math.max(LIMITS.devPct.min, 100 - v);
    if (s.trainPct + s.devPct > 100) s.trainPct = 100 - s.devPct;
  }), { id: 'train-ratio' });
  const dev = range('Dev data', LIMITS.devPct, store.state.devPct, (v) => `${v}%`, (v) => store.update('reset', (s) => {
    s.devPct = v;
    if (s.trainPct + s.devPct > 100) s.trainPct = 100 - v;
  }), { id: 'dev-ratio' });
  const noise = range('Noise', LIMITS.noise, store.state.noise, (v) => String(v), (v) => store.update('reset', (s) => (s.noise = v)), { id: 'noise' });
  const batch = range('Batch size', LIMITS.batchSize, store.state.batchSize, (v) => String(v), (v) => store.update('reset', (s) => (s.batchSize = v)), { id: 'batch-size' });
  const seed = seedField(store);

  const file = el('input', { id: 'csv-file', type: 'file', accept: '.csv,text/csv,text/plain' });
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (!f) return;
    const text = await f.text();
    file.value = '';
    const parsed = parseCsv(text);
    if (!parsed.ok) return onCsvError(`${f.name}: ${parsed.error}`);
    const points = tableToPoints(parsed.value, store.state.problem);
    if (!points.ok) return onCsvError(`${f.name}: ${points.error}`);
    table = parsed.value;
    csvName = f.name;
    onCsvError(null);
    pickerProblem = null;
    store.update('reset', (s) => (s.dataset = 'csv'));
  });
  const upload = el(
    'div',
    { class: 'field upload' },
    el('label', { for: 'csv-file', class: 'button-like', text: 'Upload CSV…' }),
    file,
    el('p', { class: 'hint', text: 'Columns x1,x2,label; a header line is optional. Labels: classes 0–3 (or −1/1), or real values for regression.' }),
  );

  const root = el('div', { class: 'data-panel' }, picker, classes.root, train.root, dev.root, ratioOut, noise.root, batch.root, seed.root, upload);
  const sync = (s: State) => {
    if (pickerProblem !== s.problem) {
      renderPicker(s);
      pickerProblem = s.problem;
    }
    rove(s);
    classes.root.hidden = s.problem !== 'classification' || !MULTICLASS_DATASETS.includes(s.dataset);
    classes.set(s.classes);
    train.set(s.trainPct);
    dev.set(s.devPct);
    ratioOut.textContent = ratioText(s);
    noise.set(s.noise);
    noise.input.disabled = s.dataset === 'csv';
    batch.set(s.batchSize);
    seed.sync(s);
  };
  sync(store.state);
  const csvProblem = () => {
    if (!table) return 'No CSV has been uploaded.';
    const r = tableToPoints(table, store.state.problem);
    return r.ok ? null : `${csvName}: ${r.error}`;
  };
  return { root, sync, csvPoints: () => csvPointsFor(store.state), csvProblem };
}
