/**
 * The run bar (reset, play, step, epoch), the main hyperparameters, and the
 * course's extras (optimizer, decay, initialization, batch norm, ...). Each
 * control edits the store and says whether the edit needs a reset.
 */
import type { Store } from '../store.js';
import {
  ACTIVATION_LABELS,
  BACKEND_LABELS,
  BACKENDS,
  DECAY_LABELS,
  DECAY_RATES,
  DECAYS,
  HIDDEN_ACTIVATIONS,
  INIT_LABELS,
  INITS,
  KEEP_PROBS,
  LEARNING_RATES,
  LIMITS,
  OPTIMIZER_LABELS,
  OPTIMIZERS,
  PROBLEMS,
  REG_RATES,
  REGULARIZATIONS,
  type HiddenActivation,
  type State,
} from '../state.js';
import { button, checkbox, el, select, type Choice } from './dom.js';

export interface RunBar {
  root: HTMLElement;
  setRunning(running: boolean): void;
  setEpoch(epoch: number): void;
  setSpeed(epochsPerSecond: number): void;
  setBackend(name: string): void;
}

// Drawn as SVG paths: icon fonts and emoji are missing on some systems (headless browsers among them).
const ICONS = {
  reset: 'M12 5V2L7 6l5 4V7a5 5 0 1 1-5 5H5a7 7 0 1 0 7-7z',
  play: 'M8 5v14l11-7z',
  pause: 'M6 5h4v14H6zm8 0h4v14h-4z',
  step: 'M6 5v14l9-7zM16 5h2v14h-2z',
} as const;

function icon(name: keyof typeof ICONS): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name]);
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

/** The run bar; `prefix` keeps the ids of a second one (the image mode's, `image-`) apart from the dense mode's. */
export function runBar(handlers: { play(): void; pause(): void; step(): void; reset(): void }, prefix = ''): RunBar {
  let running = false;
  const reset = button('', () => handlers.reset(), { id: `${prefix}reset-button`, class: 'round', 'aria-label': 'Reset the network', title: 'Reset the network (pauses)' });
  const play = button('', () => (running ? handlers.pause() : handlers.play()), { id: `${prefix}play-button`, class: 'round big', 'aria-label': 'Run training', title: 'Run / pause' });
  const step = button('', () => handlers.step(), { id: `${prefix}step-button`, class: 'round', 'aria-label': 'Train one epoch', title: 'Train one epoch' });
  reset.append(icon('reset'));
  play.append(icon('play'));
  step.append(icon('step'));
  const epoch = el('output', { id: `${prefix}epoch`, 'aria-live': 'off', text: '000,000' });
  const speed = el('span', { class: 'caption', id: `${prefix}epochs-per-second` });
  const backend = el('span', { class: 'caption', id: `${prefix}backend-name` });
  const root = el('div', { class: 'run' }, reset, play, step, el('div', { class: 'epoch' }, el('span', { class: 'caption', text: 'Epoch' }), epoch, el('span', { class: 'inline' }, speed, backend)));
  return {
    root,
    setRunning(value) {
      running = value;
      play.replaceChildren(icon(value ? 'pause' : 'play'));
      play.setAttribute('aria-label', value ? 'Pause training' : 'Run training');
      play.classList.toggle('playing', value);
    },
    setEpoch(n) {
      epoch.textContent = String(n).padStart(6, '0').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    },
    setSpeed(eps) {
      speed.textContent = eps > 0 ? `${Math.round(eps).toLocaleString('en-US')} epochs/s` : '';
    },
    setBackend(name) {
      backend.textContent = `on ${name}`;
    },
  };
}

const numberChoices = (list: readonly number[]): Choice<number>[] => list.map((v) => ({ value: v, label: String(v) }));

/** The activation shared by every hidden layer, or 'mixed' when layers differ. */
function commonActivation(s: State): HiddenActivation | 'mixed' {
  const first = s.hidden[0]?.activation ?? 'tanh';
  return s.hidden.every((h) => h.activation === first) ? first : 'mixed';
}

export interface Synced {
  root: HTMLElement;
  sync(s: State): void;
}

export function hyperBar(store: Store): Synced {
  const lr = select('Learning rate', numberChoices(LEARNING_RATES), store.state.learningRate, (v) => store.update('rate', (s) => (s.learningRate = v)), { id: 'learning-rate' });
  const actChoices: Choice<HiddenActivation | 'mixed'>[] = [...HIDDEN_ACTIVATIONS.map((a) => ({ value: a, label: ACTIVATION_LABELS[a] })), { value: 'mixed', label: 'Per layer' }];
  const act = select('Activation', actChoices, commonActivation(store.state), (v) => {
    if (v !== 'mixed') store.update('reset', (s) => s.hidden.forEach((h) => (h.activation = v)));
  }, { id: 'activation', title: 'Hidden layers’ activation (each layer can differ: see its column)' });
  const regChoices: Choice<State['regularization']>[] = REGULARIZATIONS.map((r) => ({ value: r, label: r === 'none' ? 'None' : r.toUpperCase() }));
  const reg = select('Regularization', regChoices, store.state.regularization, (v) => store.update('reset', (s) => (s.regularization = v)), { id: 'regularization' });
  const regRate = select('Regularization rate λ', numberChoices(REG_RATES), store.state.regRate, (v) => store.update('reset', (s) => (s.regRate = v)), { id: 'reg-rate' });
  const problem = select('Problem type', PROBLEMS.map((p) => ({ value: p, label: p[0]!.toUpperCase() + p.slice(1) })), store.state.problem, (v) => store.update('reset', (s) => switchProblem(s, v)), { id: 'problem' });
  const root = el('div', { class: 'hyper' }, lr.root, act.root, reg.root, regRate.root, problem.root);
  return {
    root,
    sync(s) {
      lr.set(s.learningRate);
      act.set(commonActivation(s));
      reg.set(s.regularization);
      regRate.set(s.regRate);
      regRate.input.disabled = s.regularization === 'none';
      problem.set(s.problem);
    },
  };
}

/** Changing the problem type moves to a dataset of that type (an uploaded CSV stays if it fits). */
export function switchProblem(s: State, problem: State['problem']): void {
  if (s.problem === problem) return;
  s.problem = problem;
  if (s.dataset !== 'csv') s.dataset = problem === 'regression' ? 'plane' : 'circle';
}

/** What the output layer and cost are for `classes` classes (1: regression); only 2 classes offer a choice. */
export function outputChoices(problem: State['problem'], classes: number): { label: string; choices: Choice<string>[] } {
  if (problem === 'regression') return { label: 'Output (regression)', choices: [{ value: 'linear', label: 'Linear + squared error (MSE)' }] };
  if (classes > 2) return { label: `Output (${classes} classes)`, choices: [{ value: 'softmax', label: 'Softmax + cross-entropy' }] };
  return {
    label: 'Output (2 classes)',
    choices: [
      { value: 'sigmoid', label: 'Sigmoid + cross-entropy' },
      { value: 'tanh', label: 'Tanh + squared error' },
    ],
  };
}

/** The output selector: its label and options name the output layer actually trained. */
function outputSelect(store: Store): { root: HTMLElement; sync(s: State, classes: number): void } {
  const input = el('select', { id: 'output-kind', title: 'The output layer and the cost it is trained with' });
  const label = el('label', { for: 'output-kind' });
  let key = '';
  let values: string[] = [];
  input.addEventListener('change', () => {
    const v = values[Number(input.value)];
    if (v === 'sigmoid' || v === 'tanh') store.update('reset', (s) => (s.output = v));
  });
  const sync = (s: State, classes: number) => {
    const { label: text, choices } = outputChoices(s.problem, classes);
    if (key !== text) {
      key = text;
      label.textContent = text;
      values = choices.map((c) => c.value);
      input.replaceChildren(...choices.map((c, i) => el('option', { value: String(i), text: c.label })));
      input.disabled = choices.length === 1;
    }
    input.value = String(Math.max(0, values.indexOf(choices.length === 1 ? values[0]! : s.output)));
  };
  return { root: el('div', { class: 'field' }, label, input), sync };
}

export function extrasBar(store: Store): { root: HTMLElement; sync(s: State, classes?: number): void } {
  const upd = (edit: (s: State) => void) => store.update('reset', edit);
  const optimizer = select('Optimizer', OPTIMIZERS.map((o) => ({ value: o, label: OPTIMIZER_LABELS[o] })), store.state.optimizer, (v) => upd((s) => (s.optimizer = v)), { id: 'optimizer' });
  const decay = select('Learning-rate decay', DECAYS.map((d) => ({ value: d, label: DECAY_LABELS[d] })), store.state.decay, (v) => upd((s) => (s.decay = v)), { id: 'decay' });
  const decayRate = select('Decay rate', numberChoices(DECAY_RATES), store.state.decayRate, (v) => upd((s) => (s.decayRate = v)), { id: 'decay-rate' });
  const init = select('Initialization', INITS.map((i) => ({ value: i, label: INIT_LABELS[i] })), store.state.init, (v) => upd((s) => (s.init = v)), { id: 'init' });
  const output = outputSelect(store);
  const inputKeep = select('Input keep_prob', numberChoices(KEEP_PROBS), store.state.inputKeepProb, (v) => upd((s) => (s.inputKeepProb = v)), { id: 'input-keep' });
  const batchNorm = checkbox('Batch normalization', store.state.batchNorm, (v) => upd((s) => (s.batchNorm = v)), { id: 'batch-norm' });
  const normalize = checkbox('Normalize inputs', store.state.normalize, (v) => upd((s) => (s.normalize = v)), { id: 'normalize' });
  const speed = select(
    'Speed',
    [
      { value: 'frame', label: '1 epoch per frame' },
      { value: 'fast', label: '10 epochs per frame' },
      { value: 'max', label: 'As fast as possible' },
    ] as const,
    store.state.speed,
    (v) => store.update('speed', (s) => (s.speed = v)),
    { id: 'speed' },
  );
  const backend = select('Backend', BACKENDS.map((b) => ({ value: b, label: BACKEND_LABELS[b] })), store.state.backend, (v) => upd((s) => (s.backend = v)), { id: 'backend' });
  const root = el(
    'div',
    { class: 'extras' },
    optimizer.root,
    decay.root,
    decayRate.root,
    init.root,
    output.root,
    inputKeep.root,
    speed.root,
    backend.root,
    batchNorm.root,
    normalize.root,
  );
  return {
    root,
    sync(s, classes = 2) {
      optimizer.set(s.optimizer);
      decay.set(s.decay);
      decayRate.set(s.decayRate);
      decayRate.input.disabled = s.decay === 'constant';
      init.set(s.init);
      output.sync(s, classes);
      inputKeep.set(s.inputKeepProb);
      batchNorm.set(s.batchNorm);
      normalize.set(s.normalize);
      speed.set(s.speed);
      backend.set(s.backend);
    },
  };
}

export function seedField(store: Store): Synced {
  const input = el('input', { id: 'seed', type: 'number', min: LIMITS.seed.min, max: LIMITS.seed.max, step: 1, inputmode: 'numeric', value: store.state.seed });
  const apply = () => {
    const v = Number(input.value);
    if (Number.isInteger(v) && v >= LIMITS.seed.min && v <= LIMITS.seed.max) store.update('reset', (s) => (s.seed = v));
    else input.value = String(store.state.seed);
  };
  input.addEventListener('change', apply);
  const dice = button('Random', () => store.update('reset', (s) => (s.seed = Math.floor(Math.random() * (LIMITS.seed.max + 1)))), {
    class: 'small',
    id: 'random-seed',
    'aria-label': 'New random seed',
    title: 'New random seed: new data, new initial weights',
  });
  const root = el('div', { class: 'field seed' }, el('label', { for: 'seed', text: 'Seed' }), el('div', { class: 'inline' }, input, dice));
  return { root, sync: (s) => (input.value = String(s.seed)) };
}
