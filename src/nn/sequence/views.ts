/**
 * Sequences as the kernels see them. The course writes a sequence as
 * (n, m, T) (time last); one time step of that is strided. Internally a
 * sequence is time-major, (T, n, m), so that step t is a contiguous (n, m)
 * matrix the kernels read and write in place: one `transpose` kernel turns
 * (n m, T) into (T, n m) and back. Views share memory (no copies): they are
 * made from the tensor a backend's `zeros` returned, never from another view.
 */
import type { Backend } from '../../backend/backend.js';
import { Tensor, type DType } from '../../tensor/tensor.js';

/** Rows [start, start + count) of a matrix (or of the first dimension of any tensor) as a (count, rest) view. */
export function rowsOf(t: Tensor, start: number, count: number): Tensor {
  const width = t.size / t.rows;
  return new Tensor([count, width], t.data.subarray(start * width, (start + count) * width));
}

/** The matrix views {@link asMatrix} made of a tensor, kept so that a step which views the same buffers again allocates nothing. */
const matrixViews = new WeakMap<Tensor, Tensor[]>();

/** A tensor's values as a (rows, cols) matrix view (rows * cols = size); the same view object for the same tensor and shape. */
export function asMatrix(t: Tensor, rows: number, cols: number): Tensor {
  if (t.shape.length === 2 && t.rows === rows && t.cols === cols) return t;
  let kept = matrixViews.get(t);
  if (kept === undefined) {
    kept = [];
    matrixViews.set(t, kept);
  }
  for (let i = 0; i < kept.length; i++) {
    const v = kept[i]!;
    // A backend may swap a tensor's data for an equivalent view (wasm memory growth): such a view is rebuilt.
    if (v.rows === rows && v.cols === cols && v.data === t.data) return v;
  }
  if (kept.length >= 4) kept.length = 0;
  const view = t.reshape([rows, cols]);
  kept.push(view);
  return view;
}

/** A time-major sequence buffer (T, n, m): `at(t)` is step t as an (n, m) view. */
export class Steps {
  private readonly views: Tensor[] = [];

  constructor(
    /** The whole buffer, (T, n m). */
    readonly all: Tensor,
    readonly T: number,
    readonly n: number,
    readonly m: number,
  ) {}

  /** Step t, (n, m). */
  at(t: number): Tensor {
    let v = this.views[t];
    if (v === undefined) {
      const size = this.n * this.m;
      v = new Tensor([this.n, this.m], this.all.data.subarray(t * size, (t + 1) * size));
      this.views[t] = v;
    }
    return v;
  }
}

/** A zero (T, n, m) time-major buffer. */
export function steps(be: Backend, T: number, n: number, m: number, dtype: DType): Steps {
  return new Steps(be.zeros([T, n * m], dtype), T, n, m);
}

/** x (n, m, T), the course's layout, as time-major steps (one transpose kernel). */
export function toSteps(be: Backend, x: Tensor): Steps {
  const [n, m, T] = x.shape as [number, number, number];
  const s = steps(be, T, n, m, x.dtype);
  be.transpose(asMatrix(x, n * m, T), s.all);
  return s;
}

/** Time-major steps back in the course's layout (n, m, T). */
export function fromSteps(be: Backend, s: Steps): Tensor {
  const out = be.zeros([s.n, s.m, s.T], s.all.dtype);
  be.transpose(s.all, asMatrix(out, s.n * s.m, s.T));
  return out;
}

/**
 * Gives scratch memory back now (wasm blocks; the js backend's arrays are the garbage
 * collector's): tensors, stacked pairs and time-major buffers a function no longer needs.
 */
export function free(...items: readonly (Tensor | { readonly all: Tensor } | null | undefined)[]): void {
  for (const item of items) {
    if (item === null || item === undefined) continue;
    (item instanceof Tensor ? item : item.all).dispose();
  }
}

/** A copy of `t` (a view, say) in memory of its own from the backend. */
export function copyOf(be: Backend, t: Tensor): Tensor {
  const out = be.zeros(t.shape, t.dtype);
  be.copy(t, out);
  return out;
}

/** OUT = X + Y (two kernels: copy, then axpy). OUT may be X, not Y. */
export function add(be: Backend, x: Tensor, y: Tensor, out: Tensor): void {
  if (out !== x) be.copy(x, out);
  be.axpy(1, y, out);
}

/** ACC += scale rowSum(X): a bias gradient summed into an accumulator, through the (rows, 1) scratch `tmp`. */
export function addRowSum(be: Backend, x: Tensor, acc: Tensor, tmp: Tensor): void {
  be.rowSum(x, tmp, 1);
  be.axpy(1, tmp, acc);
}

/** A matrix and views of its first rows and the rest: the course's concatenation [a_prev; x_t] (or its gradient). */
export interface Stacked {
  readonly all: Tensor;
  readonly top: Tensor;
  readonly bottom: Tensor;
}

/** The views of `all` split after `topRows` rows. */
export function split(all: Tensor, topRows: number): Stacked {
  return { all, top: rowsOf(all, 0, topRows), bottom: rowsOf(all, topRows, all.rows - topRows) };
}

/** A zero (top + bottom, m) matrix with its two views. */
export function stacked(be: Backend, topRows: number, bottomRows: number, m: number, dtype: DType): Stacked {
  return split(be.zeros([topRows + bottomRows, m], dtype), topRows);
}

/** [top; bottom] into `out`: two copies. */
export function stack(be: Backend, top: Tensor, bottom: Tensor, out: Stacked): void {
  be.copy(top, out.top);
  be.copy(bottom, out.bottom);
}

/**
 * Backpropagation through time for a cell on [a<t-1>; x<t>] whose backward step writes
 * [da<t-1>; dx<t>] into `dconcat` (zero before the last step): for t = T_x - 1 .. 0, the
 * step gets da<t> (from dA (n_a, m, T_x)) plus the da<t> the step after it sent back,
 * and dx<t> is kept. Returns dx (n_x, m, T_x); da0 is left in dconcat.top.
 */
export function backpropThroughTime(be: Backend, dA: Tensor, nX: number, dconcat: Stacked, step: (t: number, daNext: Tensor) => void): Tensor {
  const das = toSteps(be, dA);
  const dxs = steps(be, das.T, nX, das.m, dA.dtype);
  const daNext = be.zeros([das.n, das.m], dA.dtype);
  for (let t = das.T - 1; t >= 0; t--) {
    add(be, das.at(t), dconcat.top, daNext);
    step(t, daNext);
    be.copy(dconcat.bottom, dxs.at(t));
  }
  const dx = fromSteps(be, dxs);
  free(das, dxs, daNext);
  return dx;
}

/** Indices k -> floor(k / repeat) for k < count: a gather that repeats each column `repeat` times. */
export function repeatEach(count: number, repeat: number): Int32Array {
  const idx = new Int32Array(count);
  for (let k = 0; k < count; k++) idx[k] = Math.floor(k / repeat);
  return idx;
}
