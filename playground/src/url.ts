/**
 * The state <-> URL hash mapping. Every field is written, so a link keeps
 * reproducing the same run even if the defaults change later. Reading never
 * throws: an unknown key or a value out of range is dropped with a notice and
 * the default stays, so a mangled link still opens a working page.
 */
import {
  BACKENDS,
  BINARY_OUTPUTS,
  DATASETS_BY_PROBLEM,
  DECAY_RATES,
  DECAYS,
  defaultState,
  FEATURES,
  HIDDEN_ACTIVATIONS,
  INITS,
  KEEP_PROBS,
  LEARNING_RATES,
  LIMITS,
  OPTIMIZERS,
  PROBLEMS,
  REG_RATES,
  REGULARIZATIONS,
  SPEEDS,
  type DatasetName,
  type HiddenLayer,
  type State,
} from './state.js';

export interface ParsedHash {
  state: State;
  /** One line per ignored or corrected value, for the notice on the page. */
  notices: string[];
}

const ALL_DATASETS: readonly DatasetName[] = [...DATASETS_BY_PROBLEM.classification, ...DATASETS_BY_PROBLEM.regression, 'csv'];

function num(n: number): string {
  // Shortest exact form: 0.00001 rather than 1e-5 keeps links readable.
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12)));
}

function flag(b: boolean): string {
  return b ? '1' : '0';
}

export function encodeHash(s: State): string {
  const p = new URLSearchParams();
  p.set('seed', String(s.seed));
  p.set('problem', s.problem);
  p.set('dataset', s.dataset);
  p.set('classes', String(s.classes));
  p.set('noise', String(s.noise));
  p.set('train', String(s.trainPct));
  p.set('dev', String(s.devPct));
  p.set('batch', String(s.batchSize));
  p.set('features', s.features.join(','));
  p.set('layers', s.hidden.map((h) => h.units).join(','));
  p.set('act', s.hidden.map((h) => h.activation).join(','));
  p.set('keep', s.hidden.map((h) => num(h.keepProb)).join(','));
  p.set('output', s.output);
  p.set('lr', num(s.learningRate));
  p.set('optimizer', s.optimizer);
  p.set('decay', s.decay);
  p.set('decayRate', num(s.decayRate));
  p.set('init', s.init);
  p.set('reg', s.regularization);
  p.set('regRate', num(s.regRate));
  p.set('inputKeep', num(s.inputKeepProb));
  p.set('batchNorm', flag(s.batchNorm));
  p.set('normalize', flag(s.normalize));
  p.set('showTest', flag(s.showTest));
  p.set('discretize', flag(s.discretize));
  if (s.optimalError !== null) p.set('optimal', num(s.optimalError));
  p.set('speed', s.speed);
  p.set('backend', s.backend);
  // URLSearchParams escapes commas; they are safe in a fragment and easier to read raw.
  return p.toString().replace(/%2C/g, ',');
}

type Reader = (value: string, s: State) => string | null;

function oneOf<T extends string>(list: readonly T[], set: (s: State, v: T) => void): Reader {
  return (v, s) => {
    if (!(list as readonly string[]).includes(v)) return `expected one of ${list.join(', ')}`;
    set(s, v as T);
    return null;
  };
}

function intIn(min: number, max: number, set: (s: State, v: number) => void, step = 1): Reader {
  return (v, s) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max || (n - min) % step !== 0) {
      return `expected ${step === 1 ? 'an integer' : `a multiple of ${step}`} from ${min} to ${max}`;
    }
    set(s, n);
    return null;
  };
}

function listed(list: readonly number[], set: (s: State, v: number) => void): Reader {
  return (v, s) => {
    const n = Number(v);
    const hit = list.find((x) => Math.abs(x - n) <= 1e-12 * Math.max(1, Math.abs(x)));
    if (v.trim() === '' || hit === undefined) return `expected one of ${list.join(', ')}`;
    set(s, hit);
    return null;
  };
}

function bool(set: (s: State, v: boolean) => void): Reader {
  return (v, s) => {
    if (v !== '0' && v !== '1' && v !== 'true' && v !== 'false') return 'expected 0 or 1';
    set(s, v === '1' || v === 'true');
    return null;
  };
}

function listOf(v: string): string[] {
  return v === '' ? [] : v.split(',');
}

const readers: Readonly<Record<string, Reader>> = {
  seed: intIn(LIMITS.seed.min, LIMITS.seed.max, (s, v) => (s.seed = v)),
  problem: oneOf(PROBLEMS, (s, v) => (s.problem = v)),
  dataset: oneOf(ALL_DATASETS, (s, v) => (s.dataset = v)),
  classes: intIn(LIMITS.classes.min, LIMITS.classes.max, (s, v) => (s.classes = v)),
  noise: intIn(LIMITS.noise.min, LIMITS.noise.max, (s, v) => (s.noise = v), LIMITS.noise.step),
  train: intIn(LIMITS.trainPct.min, LIMITS.trainPct.max, (s, v) => (s.trainPct = v), LIMITS.trainPct.step),
  dev: intIn(LIMITS.devPct.min, LIMITS.devPct.max, (s, v) => (s.devPct = v), LIMITS.devPct.step),
  batch: intIn(LIMITS.batchSize.min, LIMITS.batchSize.max, (s, v) => (s.batchSize = v)),
  features: (v, s) => {
    const names = listOf(v);
    const bad = names.filter((n) => !(FEATURES as readonly string[]).includes(n));
    if (bad.length > 0) return `unknown feature ${bad.join(', ')}; expected some of ${FEATURES.join(', ')}`;
    if (names.length === 0) return 'expected at least one feature';
    s.features = FEATURES.filter((f) => names.includes(f));
    return null;
  },
  layers: (v, s) => {
    const units = listOf(v).map(Number);
    if (units.length > LIMITS.layers.max) return `expected at most ${LIMITS.layers.max} hidden layers`;
    if (units.some((u) => !Number.isInteger(u) || u < LIMITS.units.min || u > LIMITS.units.max)) {
      return `expected neuron counts from ${LIMITS.units.min} to ${LIMITS.units.max}`;
    }
    s.hidden = units.map((u, i): HiddenLayer => ({ units: u, activation: s.hidden[i]?.activation ?? 'tanh', keepProb: s.hidden[i]?.keepProb ?? 1 }));
    return null;
  },
  act: (v, s) => {
    const acts = listOf(v);
    const bad = acts.filter((a) => !(HIDDEN_ACTIVATIONS as readonly string[]).includes(a));
    if (bad.length > 0) return `unknown activation ${bad.join(', ')}; expected ${HIDDEN_ACTIVATIONS.join(', ')}`;
    if (acts.length !== s.hidden.length) return `expected ${s.hidden.length} activations, one per hidden layer`;
    acts.forEach((a, i) => (s.hidden[i]!.activation = a as HiddenLayer['activation']));
    return null;
  },
  keep: (v, s) => {
    const keeps = listOf(v).map(Number);
    if (keeps.length !== s.hidden.length) return `expected ${s.hidden.length} keep probabilities, one per hidden layer`;
    if (keeps.some((k) => !KEEP_PROBS.includes(k))) return `expected keep probabilities among ${KEEP_PROBS.join(', ')}`;
    keeps.forEach((k, i) => (s.hidden[i]!.keepProb = k));
    return null;
  },
  output: oneOf(BINARY_OUTPUTS, (s, v) => (s.output = v)),
  lr: listed(LEARNING_RATES, (s, v) => (s.learningRate = v)),
  optimizer: oneOf(OPTIMIZERS, (s, v) => (s.optimizer = v)),
  decay: oneOf(DECAYS, (s, v) => (s.decay = v)),
  decayRate: listed(DECAY_RATES, (s, v) => (s.decayRate = v)),
  init: oneOf(INITS, (s, v) => (s.init = v)),
  reg: oneOf(REGULARIZATIONS, (s, v) => (s.regularization = v)),
  regRate: listed(REG_RATES, (s, v) => (s.regRate = v)),
  inputKeep: listed(KEEP_PROBS, (s, v) => (s.inputKeepProb = v)),
  batchNorm: bool((s, v) => (s.batchNorm = v)),
  normalize: bool((s, v) => (s.normalize = v)),
  showTest: bool((s, v) => (s.showTest = v)),
  discretize: bool((s, v) => (s.discretize = v)),
  optimal: (v, s) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < LIMITS.optimalError.min || n > LIMITS.optimalError.max) {
      return `expected a percentage from ${LIMITS.optimalError.min} to ${LIMITS.optimalError.max}`;
    }
    s.optimalError = n;
    return null;
  },
  speed: oneOf(SPEEDS, (s, v) => (s.speed = v)),
  backend: oneOf(BACKENDS, (s, v) => (s.backend = v)),
};

/** Keys read after the others because their meaning depends on them (the layer count, the problem). */
const LATE_KEYS = ['act', 'keep'];

function shorten(v: string): string {
  return v.length > 40 ? `${v.slice(0, 40)}…` : v;
}

/** Reads a location hash ('#a=1&b=2' or 'a=1&b=2'); an empty hash gives the defaults with no notice. */
export function decodeHash(hash: string): ParsedHash {
  const state = defaultState();
  const notices: string[] = [];
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  if (text.trim() === '') return { state, notices };
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(text);
  } catch {
    return { state, notices: ['The link’s settings could not be read; using the defaults.'] };
  }
  const entries = [...params.entries()];
  const ordered = [...entries.filter(([k]) => !LATE_KEYS.includes(k)), ...entries.filter(([k]) => LATE_KEYS.includes(k))];
  for (const [key, value] of ordered) {
    const read = Object.hasOwn(readers, key) ? readers[key] : undefined;
    if (!read) {
      notices.push(`Ignored unknown setting “${shorten(key)}”.`);
      continue;
    }
    const problem = read(value, state);
    if (problem !== null) notices.push(`Ignored ${key}=“${shorten(value)}”: ${problem}; using the default.`);
  }
  reconcile(state, notices);
  return { state, notices };
}

/** Fixes combinations that are valid one by one but not together. */
function reconcile(s: State, notices: string[]): void {
  const defaults = defaultState();
  if (s.dataset !== 'csv' && !DATASETS_BY_PROBLEM[s.problem].includes(s.dataset)) {
    const fallback = DATASETS_BY_PROBLEM[s.problem][0]!;
    notices.push(`The ${s.dataset} dataset is not a ${s.problem} dataset; using ${fallback}.`);
    s.dataset = fallback;
  }
  if (s.trainPct + s.devPct > 100) {
    notices.push(`train ${s.trainPct}% + dev ${s.devPct}% is over 100%; using ${defaults.trainPct}/${defaults.devPct}.`);
    s.trainPct = defaults.trainPct;
    s.devPct = defaults.devPct;
  }
}
