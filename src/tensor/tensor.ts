/// <reference lib="esnext.disposable" />
import { describeValue, formatShape, ShapeError, ValueError } from './errors.js';

// `using` and `[Symbol.dispose]()` where the host predates explicit resource management
// (Node 20 has the symbol; older browsers may not). Symbol.for matches TypeScript's helpers.
(Symbol as { dispose?: symbol }).dispose ??= Symbol.for('Symbol.dispose');

/**
 * Thrown when a disposed tensor, plan or network is used: its memory has been
 * given back, so there is nothing left to read.
 */
export class DisposedError extends Error {
  override readonly name = 'DisposedError';
}

/** The element types a tensor can hold. float32 is the default; float64 is for gradient checks. */
export type DType = 'float32' | 'float64';

/** The typed arrays behind tensors. */
export type FloatArray = Float32Array | Float64Array;

/** Nested number arrays accepted wherever a tensor is: `[[1, 2], [3, 4]]` is a (2, 2) matrix. */
export type NestedArray = number[] | number[][] | number[][][] | number[][][][];

/**
 * A dense, row-major array of numbers with a shape. Matrices are `(rows, cols)`;
 * in the course's layout the rows of X are features and the columns examples.
 *
 * @example
 * ```ts
 * import { tensor } from 'layerwise';
 * const X = tensor([[1, 2, 3], [4, 5, 6]]); // (n_x = 2, m = 3)
 * console.log(X.shape, X.get(1, 2)); // [2, 3] 6
 * X.rows === 2 && X.cols === 3 && X.get(1, 2) === 6; // true
 * ```
 */
export class Tensor {
  /** The dimensions, outermost first. */
  readonly shape: readonly number[];
  /**
   * The values in row-major order. A backend may swap this view for an
   * equivalent one over the same memory (the wasm backend does when its memory
   * grows), so hold on to the tensor, not to `data`.
   */
  data: FloatArray;

  constructor(shape: readonly number[], data: FloatArray) {
    // Backends build tensors inside training steps: these checks are O(rank)
    // and allocate nothing unless they throw.
    const size = checkShape(shape, 'Tensor');
    if (!(data instanceof Float32Array || data instanceof Float64Array)) {
      throw new ValueError(`Tensor: data: expected a Float32Array or Float64Array, got ${Array.isArray(data) ? 'an array' : describeValue(data)}`);
    }
    if (data.length !== size) {
      throw new ShapeError(`Tensor: data has ${data.length} values but shape ${formatShape(shape)} needs ${size}`);
    }
    const memory = bindings.get(data);
    if (memory !== undefined) {
      // A raw view kept from a tensor whose memory was since given back: refuse it rather than read another tensor's values.
      if (memory.released) throw new DisposedError(`Tensor: data: a view of memory that was disposed (given back to the backend); it may hold another tensor's values now`);
      memory.add(this);
    }
    this.shape = Object.freeze([...shape]);
    this.data = data;
  }

  /** Whether {@link Tensor.dispose} was called on this tensor (or on another tensor over the same memory). */
  get disposed(): boolean {
    return disposedViews.has(this.data);
  }

  /**
   * Gives the tensor's memory back now instead of when the garbage collector
   * gets to it. Wasm-backend tensors return their block to the wasm heap;
   * every tensor over the same memory (a `reshape`, say) is disposed with
   * it. Afterwards any use of the tensor's values throws a
   * {@link DisposedError}. A raw `data` view taken before must not be used
   * either: its memory may hold another tensor's values. Calling it twice
   * does nothing.
   *
   * @example
   * ```ts
   * import { zeros } from 'layerwise';
   * const t = zeros([2, 2]);
   * t.dispose();
   * t.disposed; // true
   * t.toString() === 'Tensor(2, 2) float32 (disposed)'; // true
   * ```
   */
  dispose(): void {
    if (this.disposed) return;
    const memory = bindings.get(this.data);
    if (memory !== undefined) memory.release();
    else this.data = disposedView(this);
  }

  /** `using t = ...` disposes the tensor at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** `'float32'` or `'float64'`. */
  get dtype(): DType {
    return this.data instanceof Float64Array ? 'float64' : 'float32';
  }

  /** Number of rows (the first dimension). */
  get rows(): number {
    return this.shape[0] ?? 1;
  }

  /** Number of columns of a matrix (the second dimension; 1 for a vector). */
  get cols(): number {
    return this.shape.length >= 2 ? (this.shape[1] as number) : 1;
  }

  /** Total number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** The element at row `i`, column `j` of a matrix. */
  get(i: number, j = 0): number {
    return this.data[i * this.cols + j] as number;
  }

  /** Sets the element at row `i`, column `j` of a matrix. */
  set(i: number, j: number, value: number): void {
    this.data[i * this.cols + j] = value;
  }

  /** A copy with its own memory, optionally converted to another dtype. */
  clone(dtype: DType = this.dtype): Tensor {
    assertDType(dtype, 'Tensor.clone');
    return new Tensor(this.shape, dtype === 'float64' ? Float64Array.from(this.data) : Float32Array.from(this.data));
  }

  /** The same values viewed with another shape of the same size (no copy). */
  reshape(shape: readonly number[]): Tensor {
    const size = checkShape(shape, 'Tensor.reshape');
    if (size !== this.data.length) {
      throw new ShapeError(`Tensor.reshape: shape: expected ${this.data.length} values like ${formatShape(this.shape)}, got ${formatShape(shape)} with ${size}`);
    }
    return new Tensor(shape, this.data);
  }

  /** The values as nested arrays, one level per dimension. */
  toArray(): NestedArray {
    const build = (dim: number, offset: number): number[] | number[][] => {
      const n = this.shape[dim] as number;
      if (dim === this.shape.length - 1) return Array.from(this.data.subarray(offset, offset + n));
      const stride = this.shape.slice(dim + 1).reduce((p, d) => p * d, 1);
      const out: number[][] = [];
      for (let i = 0; i < n; i++) out.push(build(dim + 1, offset + i * stride) as number[]);
      return out;
    };
    return this.shape.length === 0 ? [this.data[0] as number] : (build(0, 0) as NestedArray);
  }

  /** A short description: `Tensor(2, 3) float32`. */
  toString(): string {
    return `Tensor${formatShape(this.shape)} ${this.dtype}${this.disposed ? ' (disposed)' : ''}`;
  }
}

/**
 * Memory outside the JS heap that tensors' values live in (a block of the
 * wasm backend's heap), bound to its views with {@link bindExternalMemory}.
 */
export interface ExternalMemory {
  /** Gives the memory back. Called once, by the first dispose of a tensor over it. */
  release(): void;
}

/** One block of external memory and the tensors over it (to dispose them all when it is given back). */
class Binding {
  released = false;
  private tensors: WeakRef<Tensor>[] = [];
  private pruneAbove = 8;

  constructor(private readonly memory: ExternalMemory) {}

  add(t: Tensor): void {
    this.tensors.push(new WeakRef(t));
    // Aliases come and go (reshapes): drop dead references so the list stays proportional to live ones.
    if (this.tensors.length > this.pruneAbove) {
      this.tensors = this.tensors.filter((r) => r.deref() !== undefined);
      this.pruneAbove = 2 * this.tensors.length + 8;
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    for (const ref of this.tensors) {
      const t = ref.deref();
      if (t !== undefined && !t.disposed) t.data = disposedView(t);
    }
    this.tensors = [];
    this.memory.release();
  }
}

const bindings = new WeakMap<FloatArray, Binding>();
const disposedViews = new WeakSet<FloatArray>();
/** The bindings made while an {@link Allocations.collect} runs (the innermost one), else null. */
let collecting: Binding[] | null = null;

/**
 * Binds a backend's view to the external memory it lies in: tensors made
 * over the view (or over views shared with {@link shareExternalMemory}) are
 * disposed together when the memory is given back. For backends.
 */
export function bindExternalMemory(view: FloatArray, memory: ExternalMemory): void {
  const b = new Binding(memory);
  bindings.set(view, b);
  if (collecting !== null) collecting.push(b);
}

/** Binds another view of the same memory (a fresh view after a grow, a subarray) to `from`'s binding. */
export function shareExternalMemory(from: FloatArray, view: FloatArray): void {
  const b = bindings.get(from);
  if (b !== undefined) bindings.set(view, b);
}

/**
 * The external memory allocated while some code runs, to give back together:
 * a plan's buffers, a network's parameters, what one `fit` call allocates.
 * Collections nest: an inner one keeps its allocations to itself. Memory
 * on the JS heap (the js backend's) is not collected: the garbage collector
 * owns it.
 */
export class Allocations {
  private held: Binding[] = [];

  /** Runs `fn`, keeping every block of external memory it allocates. */
  collect<T>(fn: () => T): T {
    const outer = collecting;
    collecting = this.held;
    try {
      return fn();
    } finally {
      collecting = outer;
    }
  }

  /** Blocks held (allocated and not yet given back). */
  get count(): number {
    let n = 0;
    for (const b of this.held) if (!b.released) n++;
    return n;
  }

  /** Gives every collected block back, disposing the tensors over them. */
  release(): void {
    const held = this.held;
    this.held = [];
    for (const b of held) b.release();
  }
}

/** A stand-in for a disposed tensor's data: every use throws, naming the tensor. */
function disposedView(t: Tensor): FloatArray {
  const what = `Tensor${formatShape(t.shape)}`;
  const fail = (): never => {
    throw new DisposedError(`${what} was disposed: its memory has been given back (tensor.dispose(), or the plan or network that owned it was disposed)`);
  };
  // Same class as the data, so dtype and instanceof still answer; anything that reads or writes throws.
  const target = t.data instanceof Float64Array ? new Float64Array(0) : new Float32Array(0);
  const view = new Proxy(target, { get: fail, set: fail, has: fail, ownKeys: fail, getOwnPropertyDescriptor: fail, defineProperty: fail, deleteProperty: fail });
  disposedViews.add(view);
  return view;
}

/**
 * Checks that a shape is an array of non-negative integers and returns the
 * number of elements it holds. O(rank), allocation-free unless it throws.
 */
export function checkShape(shape: readonly number[], where: string, name = 'shape'): number {
  if (!Array.isArray(shape)) throw new ShapeError(`${where}: ${name}: expected an array of dimensions, got ${describeValue(shape)}`);
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${where}: ${name}: expected non-negative integer dimensions, got ${describeValue(shape)} (dimension ${i} is ${describeValue(d)})`);
    }
    size *= d;
  }
  return size;
}

/** Checks that a dtype is one a tensor can hold and returns it. */
export function assertDType(dtype: unknown, where: string, name = 'dtype'): DType {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new ValueError(`${where}: ${name}: expected "float32" or "float64", got ${describeValue(dtype)}`);
  }
  return dtype;
}

/**
 * Allocates a typed array of the given dtype. An unknown dtype throws rather
 * than silently falling back to float32; `where` names the caller.
 */
export function allocArray(size: number, dtype: DType, where = 'allocArray'): FloatArray {
  assertDType(dtype, where);
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

function inferShape(values: unknown, name: string): number[] {
  const shape: number[] = [];
  let v: unknown = values;
  while (Array.isArray(v)) {
    if (v.length === 0) throw new ShapeError(`${name}: expected a non-empty array, got an empty one at depth ${shape.length}`);
    shape.push(v.length);
    v = v[0];
  }
  if (shape.length === 0) throw new ValueError(`${name}: expected an array of numbers, got ${typeof values}`);
  return shape;
}

function flattenInto(values: unknown, shape: number[], dim: number, out: FloatArray, offset: { i: number }, name: string, path: number[]): void {
  const arr = values as unknown[];
  if (!Array.isArray(arr) || arr.length !== shape[dim]) {
    const got = Array.isArray(arr) ? `length ${arr.length}` : typeof arr;
    throw new ShapeError(`${name}: ragged array at index [${path.join('][')}]: expected length ${shape[dim]}, got ${got}`);
  }
  for (let i = 0; i < arr.length; i++) {
    const x = arr[i];
    if (dim === shape.length - 1) {
      if (typeof x !== 'number') {
        throw new ValueError(`${name}: expected a number at index [${[...path, i].join('][')}], got ${Array.isArray(x) ? 'an array' : typeof x}`);
      }
      out[offset.i++] = x;
    } else {
      flattenInto(x, shape, dim + 1, out, offset, name, [...path, i]);
    }
  }
}

/** Options for creating a tensor. */
export interface TensorOptions {
  /** Element type; default `'float32'`. */
  dtype?: DType;
  /** Shape for flat data; inferred from nested arrays when omitted. */
  shape?: readonly number[];
}

/**
 * Creates a tensor from nested arrays (shape inferred), or from flat data with
 * an explicit shape. A 1-D array becomes a row vector `(1, n)`.
 *
 * @example
 * ```ts
 * import { tensor } from 'layerwise';
 * const W = tensor([[0.1, -0.2], [0.3, 0.4]]);
 * const Y = tensor([1, 0, 1]);                      // shape [1, 3]
 * const b = tensor([0, 0], { shape: [2, 1] });      // column vector
 * Y.rows === 1 && Y.cols === 3 && b.rows === 2 && b.cols === 1; // true
 * ```
 */
export function tensor(values: NestedArray | FloatArray | Tensor, options: TensorOptions = {}): Tensor {
  const where = 'tensor';
  if (options === null || typeof options !== 'object') throw new ValueError(`${where}: options: expected { dtype?, shape? }, got ${describeValue(options)}`);
  if (options.dtype !== undefined) assertDType(options.dtype, where, 'options.dtype');
  const wanted = options.shape === undefined ? undefined : checkShape(options.shape, where, 'options.shape');
  const dtype = options.dtype ?? (values instanceof Float64Array ? 'float64' : values instanceof Tensor ? values.dtype : 'float32');
  const fits = (size: number, shape: readonly number[]): void => {
    if (wanted !== undefined && wanted !== size) {
      throw new ShapeError(`${where}: options.shape: expected ${size} values like the data ${formatShape(shape)}, got ${formatShape(options.shape!)} with ${wanted}`);
    }
  };
  if (values instanceof Tensor) {
    fits(values.size, values.shape);
    return values.clone(dtype).reshape(options.shape ?? values.shape);
  }
  if (values instanceof Float32Array || values instanceof Float64Array) {
    fits(values.length, [values.length]);
    const data = dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
    return new Tensor(options.shape ?? [1, values.length], data);
  }
  let shape = inferShape(values, where);
  const size = shape.reduce((p, d) => p * d, 1);
  fits(size, shape);
  const data = allocArray(size, dtype, where);
  flattenInto(values, shape, 0, data, { i: 0 }, where, []);
  if (options.shape) shape = [...options.shape];
  else if (shape.length === 1) shape = [1, shape[0] as number];
  return new Tensor(shape, data);
}

/**
 * A tensor of zeros.
 *
 * @example
 * ```ts
 * import { zeros } from 'layerwise';
 * const b1 = zeros([4, 1]); // the course's b[1] for 4 hidden units
 * b1.rows === 4 && b1.get(3, 0) === 0; // true
 * ```
 */
export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return new Tensor(shape, allocArray(checkShape(shape, 'zeros'), assertDType(dtype, 'zeros')));
}

/**
 * A tensor filled with one value.
 *
 * @example
 * ```ts
 * import { full } from 'layerwise';
 * const ones = full([2, 3], 1);
 * ones.size === 6 && ones.get(1, 2) === 1; // true
 * ```
 */
export function full(shape: readonly number[], value: number, dtype: DType = 'float32'): Tensor {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValueError(`full: value: expected a finite number, got ${describeValue(value)}`);
  const t = new Tensor(shape, allocArray(checkShape(shape, 'full'), assertDType(dtype, 'full')));
  t.data.fill(value);
  return t;
}
