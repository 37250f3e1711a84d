/**
 * Learning-rate schedules: how alpha shrinks as training goes on, so early
 * epochs move fast and late epochs settle near the minimum instead of
 * wandering around it.
 */
import { ValueError } from '../tensor/errors.js';
import { assertPositiveFinite, assertPositiveInt, describe } from '../tensor/validate.js';

/**
 * A learning-rate schedule; epochs count from 0, where every schedule gives
 * alpha0 (a `custom` one aside).
 *
 * - `constant`: alpha0.
 * - `inverseTime`: alpha0 / (1 + decayRate * epoch), the course's learning-rate decay.
 * - `fixedInterval`: alpha0 / (1 + decayRate * floor(epoch / interval)): the
 *   same decay applied once every `interval` epochs (fixed-interval scheduling).
 * - `exponential`: alpha0 * base^epoch (the course's 0.95^epoch).
 * - `step`: alpha0 * factor^floor(epoch / every): multiply by `factor` every `every` epochs.
 * - `custom`: `rate(epoch, alpha0)`, e.g. a warm-up (not serializable).
 */
export type Schedule =
  | { readonly kind: 'constant' }
  | { readonly kind: 'inverseTime'; readonly decayRate: number }
  | { readonly kind: 'fixedInterval'; readonly decayRate: number; readonly interval: number }
  | { readonly kind: 'exponential'; readonly base: number }
  | { readonly kind: 'step'; readonly factor: number; readonly every: number }
  | { readonly kind: 'custom'; readonly rate: (epoch: number, alpha0: number) => number };

/** The kinds of {@link Schedule}. */
export type ScheduleKind = Schedule['kind'];

/**
 * What {@link resolveSchedule} accepts: a full schedule, one with its
 * defaultable fields left out (`decayRate` 1 and `base` 0.95, as in the
 * course), or the name of a kind that needs no other field.
 */
export type ScheduleSpec =
  | Schedule
  | 'constant'
  | 'inverseTime'
  | 'exponential'
  | { readonly kind: 'inverseTime'; readonly decayRate?: number }
  | { readonly kind: 'fixedInterval'; readonly decayRate?: number; readonly interval: number }
  | { readonly kind: 'exponential'; readonly base?: number };

type Fields = Readonly<Record<string, unknown>>;

// One entry per kind: its fields and how to check them, so the resolver is a table lookup, not a string switch.
const builders: { readonly [K in ScheduleKind]: { readonly fields: readonly string[]; build(f: Fields, where: string): Extract<Schedule, { kind: K }> } } = {
  constant: { fields: [], build: () => ({ kind: 'constant' }) },
  inverseTime: {
    fields: ['decayRate'],
    build: (f, where) => ({ kind: 'inverseTime', decayRate: nonNegative(f.decayRate ?? 1, where, 'schedule.decayRate') }),
  },
  fixedInterval: {
    fields: ['decayRate', 'interval'],
    build: (f, where) => ({
      kind: 'fixedInterval',
      decayRate: nonNegative(f.decayRate ?? 1, where, 'schedule.decayRate'),
      interval: assertPositiveInt(f.interval, where, 'schedule.interval'),
    }),
  },
  exponential: { fields: ['base'], build: (f, where) => ({ kind: 'exponential', base: assertPositiveFinite(f.base ?? 0.95, where, 'schedule.base') }) },
  step: {
    fields: ['factor', 'every'],
    build: (f, where) => ({ kind: 'step', factor: assertPositiveFinite(f.factor, where, 'schedule.factor'), every: assertPositiveInt(f.every, where, 'schedule.every') }),
  },
  custom: {
    fields: ['rate'],
    build: (f, where) => {
      if (typeof f.rate !== 'function') throw new ValueError(`${where}: schedule.rate: expected a function (epoch, alpha0) => number, got ${describe(f.rate)}`);
      return { kind: 'custom', rate: f.rate as (epoch: number, alpha0: number) => number };
    },
  },
};

/** The kinds {@link resolveSchedule} knows. */
export const SCHEDULE_KINDS: readonly ScheduleKind[] = Object.freeze(Object.keys(builders) as ScheduleKind[]);

function nonNegative(value: unknown, where: string, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValueError(`${where}: ${name}: expected a finite number >= 0, got ${describe(value)}`);
  }
  return value;
}

function isKind(kind: unknown): kind is ScheduleKind {
  return typeof kind === 'string' && Object.hasOwn(builders, kind);
}

/**
 * Checks a schedule spec and fills in its defaults. Throws on an unknown kind,
 * a missing or bad field, or a field the kind does not have.
 *
 * @example
 * ```ts
 * import { resolveSchedule } from 'layerwise';
 * resolveSchedule('inverseTime');                        // { kind: 'inverseTime', decayRate: 1 }
 * resolveSchedule('inverseTime').kind === 'inverseTime'; // true
 * resolveSchedule({ kind: 'step', factor: 0.5, every: 10 });
 * ```
 */
export function resolveSchedule(spec: ScheduleSpec, where = 'resolveSchedule'): Schedule {
  const expected = SCHEDULE_KINDS.map((k) => `"${k}"`).join(', ');
  const fields: Fields & { kind?: unknown } = typeof spec === 'string' ? { kind: spec } : spec;
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    throw new ValueError(`${where}: schedule: expected a schedule kind or { kind, ... }, got ${describe(spec)}`);
  }
  const { kind, ...rest } = fields;
  if (!isKind(kind)) throw new ValueError(`${where}: schedule.kind: expected one of ${expected}, got ${describe(kind)}`);
  const builder = builders[kind];
  for (const key of Object.keys(rest)) {
    if (!builder.fields.includes(key)) {
      const known = builder.fields.length > 0 ? builder.fields.join(', ') : 'no other field';
      throw new ValueError(`${where}: schedule.${key}: expected ${known} for kind "${kind}", got an unknown field`);
    }
  }
  return builder.build(rest, where);
}

/** The rate a checked schedule gives at an epoch, before the result is checked. */
function rawRate(s: Schedule, alpha0: number, epoch: number): number {
  switch (s.kind) {
    case 'constant':
      return alpha0;
    case 'inverseTime':
      return alpha0 / (1 + s.decayRate * epoch);
    case 'fixedInterval':
      return alpha0 / (1 + s.decayRate * Math.floor(epoch / s.interval));
    case 'exponential':
      return alpha0 * Math.pow(s.base, epoch);
    case 'step':
      return alpha0 * Math.pow(s.factor, Math.floor(epoch / s.every));
    case 'custom':
      return s.rate(epoch, alpha0);
  }
}

/**
 * The learning rate at `epoch` (0-based) for a schedule starting at `alpha0`.
 * Throws when the rate comes out NaN, infinite or negative (a custom rate, or
 * a growing schedule that overflowed), naming the epoch and the value.
 *
 * @example
 * ```ts
 * import { learningRateAt } from 'layerwise';
 * learningRateAt({ kind: 'inverseTime', decayRate: 1 }, 0.2, 3) === 0.2 / (1 + 1 * 3); // true: 0.05
 * Math.abs(learningRateAt({ kind: 'exponential', base: 0.95 }, 0.2, 2) - 0.1805) < 1e-12; // true: 0.2 * 0.95^2
 * ```
 */
export function learningRateAt(schedule: ScheduleSpec, alpha0: number, epoch: number): number {
  const where = 'learningRateAt';
  const s = resolveSchedule(schedule, where);
  assertPositiveFinite(alpha0, where, 'alpha0');
  if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0) {
    throw new ValueError(`${where}: epoch: expected a non-negative integer, got ${describe(epoch)}`);
  }
  const rate = rawRate(s, alpha0, epoch);
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
    throw new ValueError(`${where}: learning rate at epoch ${epoch}: expected a finite number >= 0, got ${describe(rate)}`);
  }
  return rate;
}
