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

/** How one key of the hash is written from the state and read back into it. */
interface Codec {
  /** The value to write, or null to leave the key out. */
  write(s: State): string | null;
  /** Sets the field from the text; returns what was wrong with it, or null. */
  read(value: string, s: State): string | null;
}

interface Prop<T> {
  get(s: State): T;
  set(s: State, v: T): void;
}

function prop<K extends keyof State>(key: K): Prop<State[K]> {
  return { get: (s) => s[key], set: (s, v) => (s[key] = v) };
}

function oneOf<T extends string>(list: readonly T[], p: Prop<T>): Codec {
  return {
    write: p.get,
    read: (v, s) => {
      if (!(list as readonly string[]).includes(v)) return `expected one of ${list.join(', ')}`;
      p.set(s, v as T);
      return null;
    },
  };
}

function intIn(limits: { min: number; max: number; step?: number }, p: Prop<number>): Codec {
  const { min, max, step = 1 } = limits;
  return {
    write: (s) => String(p.get(s)),
    read: (v, s) => {
      const n = Number(v);
      if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max || (n - min) % step !== 0) {
        return `expected ${step === 1 ? 'an integer' : `a multiple of ${step}`} from ${min} to ${max}`;
      }
      p.set(s, n);
      return null;
    },
  };
}

function listed(list: readonly number[], p: Prop<number>): Codec {
  return {
    write: (s) => num(p.get(s)),
    read: (v, s) => {
      const n = Number(v);
      const hit = list.find((x) => Math.abs(x - n) <= 1e-12 * Math.max(1, Math.abs(x)));
      if (v.trim() === '' || hit === undefined) return `expected one of ${list.join(', ')}`;
      p.set(s, hit);
      return null;
    },
  };
}

function bool(p: Prop<boolean>): Codec {
  return {
    write: (s) => (p.get(s) ? '1' : '0'),
    read: (v, s) => {
      if (v !== '0' && v !== '1' && v !== 'true' && v !== 'false') return 'expected 0 or 1';
      p.set(s, v === '1' || v === 'true');
      return null;
    },
  };
}

function listOf(v: string): string[] {
  return v === '' ? [] : v.split(',');
}

/** Every key, in the order links show them; layers come before the per-layer lists that depend on them. */
const codecs: Readonly<Record<string, Codec>> = {
  seed: intIn(LIMITS.seed, prop('seed')),
  problem: oneOf(PROBLEMS, prop('problem')),
  dataset: oneOf(ALL_DATASETS, prop('dataset')),
  classes: intIn(LIMITS.classes, prop('classes')),
  noise: intIn(LIMITS.noise, prop('noise')),
  train: intIn(LIMITS.trainPct, prop('trainPct')),
  dev: intIn(LIMITS.devPct, prop('devPct')),
  batch: intIn(LIMITS.batchSize, prop('batchSize')),
  features: {
    write: (s) => s.features.join(','),
    read: (v, s) => {
      const names = listOf(v);
      const bad = names.filter((n) => !(FEATURES as readonly string[]).includes(n));
      if (bad.length > 0) return `unknown feature ${bad.join(', ')}; expected some of ${FEATURES.join(', ')}`;
      if (names.length === 0) return 'expected at least one feature';
      s.features = FEATURES.filter((f) => names.includes(f));
      return null;
    },
  },
  layers: {
    write: (s) => s.hidden.map((h) => h.units).join(','),
    read: (v, s) => {
      const units = listOf(v).map(Number);
      if (units.length > LIMITS.layers.max) return `expected at most ${LIMITS.layers.max} hidden layers`;
      if (units.some((u) => !Number.isInteger(u) || u < LIMITS.units.min || u > LIMITS.units.max)) {
        return `expected neuron counts from ${LIMITS.units.min} to ${LIMITS.units.max}`;
      }
      s.hidden = units.map((u, i): HiddenLayer => ({ units: u, activation: s.hidden[i]?.activation ?? 'tanh', keepProb: s.hidden[i]?.keepProb ?? 1 }));
      return null;
    },
  },
  act: {
    write: (s) => s.hidden.map((h) => h.activation).join(','),
    read: (v, s) => {
      const acts = listOf(v);
      const bad = acts.filter((a) => !(HIDDEN_ACTIVATIONS as readonly string[]).includes(a));
      if (bad.length > 0) return `unknown activation ${bad.join(', ')}; expected ${HIDDEN_ACTIVATIONS.join(', ')}`;
      if (acts.length !== s.hidden.length) return `expected ${s.hidden.length} activations, one per hidden layer`;
      acts.forEach((a, i) => (s.hidden[i]!.activation = a as HiddenLayer['activation']));
      return null;
    },
  },
  keep: {
    write: (s) => s.hidden.map((h) => num(h.keepProb)).join(','),
    read: (v, s) => {
      const keeps = listOf(v).map(Number);
      if (keeps.length !== s.hidden.length) return `expected ${s.hidden.length} keep probabilities, one per hidden layer`;
      if (keeps.some((k) => !KEEP_PROBS.includes(k))) return `expected keep probabilities among ${KEEP_PROBS.join(', ')}`;
      keeps.forEach((k, i) => (s.hidden[i]!.keepProb = k));
      return null;
    },
  },
  output: oneOf(BINARY_OUTPUTS, prop('output')),
  lr: listed(LEARNING_RATES, prop('learningRate')),
  optimizer: oneOf(OPTIMIZERS, prop('optimizer')),
  decay: oneOf(DECAYS, prop('decay')),
  decayRate: listed(DECAY_RATES, prop('decayRate')),
  init: oneOf(INITS, prop('init')),
  reg: oneOf(REGULARIZATIONS, prop('regularization')),
  regRate: listed(REG_RATES, prop('regRate')),
  inputKeep: listed(KEEP_PROBS, prop('inputKeepProb')),
  batchNorm: bool(prop('batchNorm')),
  normalize: bool(prop('normalize')),
  showTest: bool(prop('showTest')),
  discretize: bool(prop('discretize')),
  optimal: {
    write: (s) => (s.optimalError === null ? null : num(s.optimalError)),
    read: (v, s) => {
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n) || n < LIMITS.optimalError.min || n > LIMITS.optimalError.max) {
        return `expected a percentage from ${LIMITS.optimalError.min} to ${LIMITS.optimalError.max}`;
      }
      s.optimalError = n;
      return null;
    },
  },
  speed: oneOf(SPEEDS, prop('speed')),
  backend: oneOf(BACKENDS, prop('backend')),
};

export function encodeHash(s: State): string {
  const p = new URLSearchParams();
  for (const [key, codec] of Object.entries(codecs)) {
    const value = codec.write(s);
    if (value !== null) p.set(key, value);
  }
  // URLSearchParams escapes commas; they are safe in a fragment and easier to read raw.
  return p.toString().replace(/%2C/g, ',');
}

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
    const codec = Object.hasOwn(codecs, key) ? codecs[key] : undefined;
    if (!codec) {
      notices.push(`Ignored unknown setting “${shorten(key)}”.`);
      continue;
    }
    const problem = codec.read(value, state);
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
