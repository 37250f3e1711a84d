/**
 * Input checks of the sequence functions (course 5). Shapes are written with
 * the course's symbols, (n_a, m, T_x); the first argument that fixes a symbol
 * is named when a later one disagrees:
 * `rnnForward: a0: expected shape (5, 10) = (n_a, m), with n_a = 5 from parameters.Waa and m = 10 from x, got (5, 9)`.
 */
import { assertFiniteValues } from '../../functional/conv.js';
import { formatShape, ShapeError, ValueError } from '../../tensor/errors.js';
import { tensor, Tensor, type DType, type NestedArray } from '../../tensor/tensor.js';
import { describe, toTensor, type TensorLike } from '../../tensor/validate.js';

/** A dimension: a course symbol bound by the first tensor that has it, or a fixed size. */
export type Dim = string | number;

/**
 * The dtype of a call: that of its Tensor arguments, which must agree
 * (nested arrays are then read in it); float32 when every argument is nested arrays.
 */
export function callDType(where: string, args: readonly (readonly [string, unknown])[]): DType {
  let first: [string, DType] | null = null;
  for (const [name, value] of args) {
    if (!(value instanceof Tensor)) continue;
    if (first === null) first = [name, value.dtype];
    else if (value.dtype !== first[1]) {
      throw new ValueError(`${where}: ${name}: expected dtype ${first[1]} like ${first[0]}, got ${value.dtype}`);
    }
  }
  return first?.[1] ?? 'float32';
}

/** A Tensor argument in `dtype` (nested arrays are read in it; a Tensor of another dtype is converted when `convert`, else refused). */
export function asTensor(x: unknown, dtype: DType, where: string, name: string, convert = false): Tensor {
  if (x instanceof Tensor) {
    if (x.dtype === dtype) return x;
    if (convert) return x.clone(dtype);
    throw new ValueError(`${where}: ${name}: expected dtype ${dtype}, got ${x.dtype}`);
  }
  if (!Array.isArray(x)) return toTensor(x as TensorLike, where, name); // throws, naming the argument
  const t = toTensor(x as NestedArray, where, name); // shape and ragged-array errors, in the caller's words
  return dtype === 'float32' ? t : tensor(x as NestedArray, { dtype });
}

/** A size a symbol must have, and the bindings it follows from. */
interface Known {
  readonly n: number;
  readonly from: readonly string[];
}

/**
 * Binds the course's dimension symbols to sizes while arguments are checked, and names the
 * source of each. A symbol 'n_a + n_x' (the width of [a_prev; x_t]) ties its two parts: once
 * two of the three are bound, the third must follow.
 */
export class Dims {
  private readonly sizes = new Map<string, { n: number; from: string }>();

  constructor(private readonly where: string) {}

  /** The size bound to `symbol` (or that follows from a sum). */
  get(symbol: string): number {
    const s = this.known(symbol);
    if (s === undefined) throw new Error(`Dims: ${symbol} is not bound`);
    return s.n;
  }

  /** Binds `symbol` to `n` as if a tensor named `from` had it (e.g. T_x from the number of caches). */
  bind(symbol: string, n: number, from: string): void {
    if (!this.sizes.has(symbol)) this.sizes.set(symbol, { n, from });
  }

  /**
   * Checks `t` has shape `dims` (every dimension >= 1) and finite values, binding the symbols
   * it is the first to have. Throws a ShapeError naming `name`, expected and got.
   */
  check(t: Tensor, name: string, dims: readonly Dim[], finite = true): Tensor {
    const symbols = `(${dims.join(', ')})`;
    const fail = (extra = ''): never => {
      throw new ShapeError(`${this.where}: ${name}: expected shape ${this.expected(dims)}${extra}, got ${formatShape(t.shape)}`);
    };
    if (t.shape.length !== dims.length) fail();
    const zero = t.shape.findIndex((d) => d < 1);
    if (zero >= 0) {
      const what = dims[zero] === 'T_x' || dims[zero] === 'T_y' ? ' (at least one time step)' : '';
      throw new ShapeError(`${this.where}: ${name}: expected shape ${symbols} with ${dims[zero]} >= 1${what}, got ${formatShape(t.shape)}`);
    }
    if (dims.some((d, i) => this.known(d) !== undefined && this.known(d)!.n !== t.shape[i])) fail();
    dims.forEach((d, i) => {
      if (typeof d === 'string') this.bind(d, t.shape[i]!, name);
    });
    // A sum with one part known leaves at least 1 for the other: (n_a, n_a + n_x) needs n_x >= 1.
    for (const [sum, v] of this.sizes) {
      const parts = /^(\w+) \+ (\w+)$/.exec(sum)?.slice(1) ?? [];
      const rest = parts.filter((x) => !this.sizes.has(x));
      const other = parts.find((x) => this.sizes.has(x));
      if (rest.length !== 1 || other === undefined || v.n - this.get(other) >= 1) continue;
      const o = this.sizes.get(other)!;
      throw new ShapeError(
        `${this.where}: ${name}: expected ${sum} = ${v.n} (from ${v.from}) to leave ${rest[0]} >= 1 beside ${other} = ${o.n} (from ${o.from}), got ${formatShape(t.shape)}`,
      );
    }
    if (finite) assertFiniteValues(t, this.where, name);
    return t;
  }

  /** What `d` must be: bound, fixed, or following from a sum and its other part (or from its parts). */
  private known(d: Dim): Known | undefined {
    if (typeof d === 'number') return { n: d, from: [] };
    const s = this.sizes.get(d);
    if (s !== undefined) return { n: s.n, from: [`${d} = ${s.n} from ${s.from}`] };
    const own = /^(\w+) \+ (\w+)$/.exec(d);
    if (own) {
      const [x, y] = [this.sizes.get(own[1]!), this.sizes.get(own[2]!)];
      if (x && y) return { n: x.n + y.n, from: [`${own[1]} = ${x.n} from ${x.from}`, `${own[2]} = ${y.n} from ${y.from}`] };
    }
    for (const [sym, v] of this.sizes) {
      const parts = /^(\w+) \+ (\w+)$/.exec(sym);
      const other = parts === null ? null : parts[1] === d ? parts[2]! : parts[2] === d ? parts[1]! : null;
      const o = other === null ? undefined : this.sizes.get(other);
      if (o) return { n: v.n - o.n, from: [`${sym} = ${v.n} from ${v.from}`, `${other} = ${o.n} from ${o.from}`] };
    }
    return undefined;
  }

  /** `(5, 10) = (n_a, m), with n_a = 5 from parameters.Waa and m = 10 from x`, or `(n_a, m)` when nothing is bound yet. */
  private expected(dims: readonly Dim[]): string {
    const known = dims.map((d) => this.known(d));
    const symbols = `(${dims.join(', ')})`;
    if (known.every((k) => k === undefined)) return symbols;
    const sizes = `(${known.map((k, i) => k?.n ?? dims[i]).join(', ')})`;
    const sources = [...new Set(known.flatMap((k) => k?.from ?? []))];
    return sources.length === 0 ? sizes : `${sizes} = ${symbols}, with ${sources.join(' and ')}`;
  }
}

/**
 * The parameters a function reads, by their course names, as Tensors in `dtype` with
 * the given shapes (extra keys are ignored: the course's dictionaries hold more).
 */
export function checkParameters<K extends string>(
  parameters: unknown,
  spec: readonly (readonly [K, readonly Dim[]])[],
  dtype: DType,
  dims: Dims,
  where: string,
  prefix = 'parameters',
): Record<K, Tensor> {
  const names = spec.map(([k]) => k);
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) {
    throw new ValueError(`${where}: ${prefix}: expected { ${names.join(', ')} }, got ${describe(parameters)}`);
  }
  const p = parameters as Record<string, unknown>;
  const missing = names.filter((k) => p[k] === undefined);
  if (missing.length > 0) {
    throw new ValueError(`${where}: ${prefix}: expected { ${names.join(', ')} }, got no ${missing.join(', ')} (keys: ${describe(Object.keys(p))})`);
  }
  const out = {} as Record<K, Tensor>;
  for (const [k, d] of spec) out[k] = dims.check(asTensor(p[k], dtype, where, `${prefix}.${k}`), `${prefix}.${k}`, d);
  return out;
}

/** One step's state, (n_a, m). */
export const STEP: readonly Dim[] = ['n_a', 'm'];

/** A gated cell's parameters: each gate's W (n_a, n_a + n_x) and b (n_a, 1), then the output layer's Wy (n_y, n_a) and by (n_y, 1). */
export function gatedCellSpec<K extends string>(gates: readonly (readonly [K, K])[]): (readonly [K | 'Wy' | 'by', readonly Dim[]])[] {
  const perGate = gates.flatMap(([w, b]) => [[w, ['n_a', 'n_a + n_x']] as const, [b, ['n_a', 1]] as const]);
  return [...perGate, ['Wy', ['n_y', 'n_a']], ['by', ['n_y', 1]]];
}

/** A cell cache's tensors: xt (n_x, m) and the (n_a, m) states and gates `names`. */
export function cellCacheFields<F extends string>(names: readonly F[]): (readonly ['xt' | F, readonly Dim[]])[] {
  return [['xt', ['n_x', 'm']], ...names.map((n) => [n, STEP] as const)];
}

/** An input of a forward call: its name, its value and its shape in the course's symbols. */
export type Input = readonly [name: string, value: unknown, dims: readonly Dim[]];

/**
 * The arguments of a forward call, checked: the parameters (`spec`) and the `inputs`, in one dtype
 * (that of the Tensors among them), with the course's symbols bound in `dims`.
 */
export function checkCall<K extends string>(
  where: string,
  parameters: unknown,
  spec: readonly (readonly [K, readonly Dim[]])[],
  inputs: readonly Input[],
  prefix = 'parameters',
): { dtype: DType; dims: Dims; p: Record<K, Tensor>; t: Tensor[] } {
  const dtype = callDType(where, [...parameterArgs(parameters, spec.map(([k]) => k), prefix), ...inputs.map(([n, v]) => [n, v] as const)]);
  const dims = new Dims(where);
  const p = checkParameters(parameters, spec, dtype, dims, where, prefix);
  const t = inputs.map(([name, v, d]) => dims.check(asTensor(v, dtype, where, name), name, d));
  return { dtype, dims, p, t };
}

/** A parameter dictionary's entries as `[parameters.<name>, value]` pairs for {@link callDType}. */
function parameterArgs(parameters: unknown, names: readonly string[], prefix = 'parameters'): (readonly [string, unknown])[] {
  if (parameters === null || typeof parameters !== 'object') return [];
  const p = parameters as Record<string, unknown>;
  return names.map((k) => [`${prefix}.${k}`, p[k]] as const);
}

/** A cache from a forward function: an object holding a Tensor under each of `tensors`. */
function checkCacheObject(cache: unknown, tensors: readonly string[], where: string, name: string, from: string): Record<string, unknown> {
  const c = cache as Record<string, unknown> | null;
  const expected = `${where}: ${name}: expected the cache from ${from} ({ ${tensors.join(', ')}, parameters })`;
  if (c === null || typeof c !== 'object' || Array.isArray(c)) throw new ValueError(`${expected}, got ${describe(cache)}`);
  const missing = tensors.filter((k) => !(c[k] instanceof Tensor));
  if (missing.length > 0) throw new ValueError(`${expected}, got no Tensor ${missing.join(', ')}`);
  return c;
}

/** One checked cache: its tensors and its parameters, by name. */
export interface CheckedCache<F extends string, K extends string> {
  readonly t: Record<F, Tensor>;
  readonly p: Record<K, Tensor>;
}

/**
 * The caches a backward pass reads, checked: objects with the tensors `fields` (shapes
 * in the course's symbols, bound across all caches) and `parameters` as `spec` says,
 * all in the first cache's dtype. `single` names the argument `cache`, else `caches[t]`.
 * A parameter dictionary shared by several caches (a sequence's) is checked once.
 */
export function checkCaches<F extends string, K extends string>(
  caches: readonly unknown[],
  fields: readonly (readonly [F, readonly Dim[]])[],
  spec: readonly (readonly [K, readonly Dim[]])[],
  dims: Dims,
  where: string,
  from: string,
  single: boolean,
): { dtype: DType; steps: CheckedCache<F, K>[] } {
  const names = fields.map(([f]) => f);
  let dtype: DType = 'float32';
  const seen = new Map<unknown, Record<K, Tensor>>();
  const steps = caches.map((cache, t) => {
    const name = single ? 'cache' : `caches[${t}]`;
    const c = checkCacheObject(cache, names, where, name, from);
    if (t === 0) dtype = (c[names[0]!] as Tensor).dtype;
    let p = seen.get(c.parameters);
    if (p === undefined) {
      p = checkParameters(c.parameters, spec, dtype, dims, where, `${name}.parameters`);
      seen.set(c.parameters, p);
    }
    const tensors = {} as Record<F, Tensor>;
    for (const [f, d] of fields) tensors[f] = dims.check(asTensor(c[f], dtype, where, `${name}.${f}`), `${name}.${f}`, d);
    return { t: tensors, p };
  });
  return { dtype, steps };
}

/** The per-step caches of a sequence forward: a non-empty array (one per time step). */
function checkCacheList(caches: unknown, where: string, from: string): readonly unknown[] {
  if (!Array.isArray(caches)) throw new ValueError(`${where}: caches: expected the caches from ${from} (one per time step), got ${describe(caches)}`);
  if (caches.length === 0) throw new ShapeError(`${where}: caches: expected the caches from ${from}, one per time step (T_x >= 1), got an empty array`);
  return caches;
}

/** A sequence backward pass's arguments: the caches (one per step: T_x is their number) and da (n_a, m, T_x). */
export function checkSequenceBackward<F extends string, K extends string>(
  da: unknown,
  caches: unknown,
  fields: readonly (readonly [F, readonly Dim[]])[],
  spec: readonly (readonly [K, readonly Dim[]])[],
  where: string,
  from: string,
): { dtype: DType; dims: Dims; steps: CheckedCache<F, K>[]; dA: Tensor } {
  const list = checkCacheList(caches, where, from);
  const dims = new Dims(where);
  const { dtype, steps } = checkCaches(list, fields, spec, dims, where, from, false);
  dims.bind('T_x', steps.length, 'caches (one per step)');
  const dA = dims.check(asTensor(da, dtype, where, 'da', true), 'da', ['n_a', 'm', 'T_x']);
  return { dtype, dims, steps, dA };
}

/** A cell backward pass's arguments: the cache and the upstream gradients `grads` (each (n_a, m)). */
export function checkCellBackward<F extends string, K extends string>(
  cache: unknown,
  grads: readonly (readonly [string, unknown])[],
  fields: readonly (readonly [F, readonly Dim[]])[],
  spec: readonly (readonly [K, readonly Dim[]])[],
  where: string,
  from: string,
): { dtype: DType; dims: Dims; step: CheckedCache<F, K>; g: Tensor[] } {
  const dims = new Dims(where);
  const { dtype, steps } = checkCaches([cache], fields, spec, dims, where, from, true);
  const g = grads.map(([name, v]) => dims.check(asTensor(v, dtype, where, name, true), name, ['n_a', 'm']));
  return { dtype, dims, step: steps[0]!, g };
}
