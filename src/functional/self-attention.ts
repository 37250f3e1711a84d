/**
 * The attention of course 5, week 4 ("Transformer Network"):
 * scaled_dot_product_attention, positional_encoding and multi-head
 * attention, in the course's row-major shapes: a batch of sequences is
 * (m, T, d) (one (T, d) sequence may be given alone). The mask is 1 where a
 * query may attend and 0 where it may not; it broadcasts like the course's
 * padding mask (m, 1, T_k) and look-ahead mask (T_q, T_k). They run
 * src/nn/sequence/dot-attention.ts.
 */
import type { Backend } from '../backend/backend.js';
import { backendFor } from '../backend/registry.js';
import { asTensor, callDType, checkCall, type Dim } from '../nn/sequence/checks.js';
import {
  dotAttention,
  dotAttentionBackward,
  dotAttentionBuffers,
  fillPositionalEncoding,
  freeDotAttention,
  freeMultiHead,
  freeMultiHeadScratch,
  maskBias,
  multiHeadAttentionBackward as mhaBackward,
  multiHeadAttentionStep,
  multiHeadBuffers,
  multiHeadScratch,
  type MultiHeadGrads,
  type MultiHeadWeights,
} from '../nn/sequence/dot-attention.js';
import { asMatrix, free, rowsOf } from '../nn/sequence/views.js';
import { formatShape, ShapeError, ValueError } from '../tensor/errors.js';
import { assertDType, type DType, type Tensor } from '../tensor/tensor.js';
import { assertPositiveInt, describe, type TensorLike } from '../tensor/validate.js';
import { assertFiniteValues } from './conv.js';

/** What scaledDotProductAttention keeps: its inputs (the backward pass runs the attention again). */
export interface AttentionCache {
  readonly Q: Tensor;
  readonly K: Tensor;
  readonly V: Tensor;
  readonly mask: Tensor | null;
}

/** Multi-head attention's parameters: Wq, Wk, Wv, Wo (d, d) and bq, bk, bv, bo (d, 1); head h uses rows h d/heads .. (h+1) d/heads of Wq, Wk, Wv. */
export type MultiHeadParameters = MultiHeadWeights;

/** What a call accepts as {@link MultiHeadParameters}: Tensors or nested arrays. */
export type MultiHeadParametersLike = { readonly [K in keyof MultiHeadParameters]: TensorLike };

/** What multiHeadAttention keeps: its inputs, parameters and number of heads. */
export interface MultiHeadCache extends AttentionCache {
  readonly parameters: MultiHeadParameters;
  readonly heads: number;
}

/** multiHeadAttention's options: the number of heads (which must divide d) and an optional mask. */
export interface MultiHeadOptions {
  readonly heads: number;
  readonly mask?: TensorLike | null;
}

/** The gradients of multi-head attention: dQ, dK, dV like the inputs, and the parameters'. */
export type MultiHeadGradients = MultiHeadGrads & { readonly dQ: Tensor; readonly dK: Tensor; readonly dV: Tensor };

/** The arguments of an attention call, checked, as (m T, d) matrices, with the mask's additive term. */
function checkAttention(where: string, q: unknown, k: unknown, v: unknown, mask: unknown, parameters: unknown, spec: readonly (readonly [string, readonly Dim[]])[], prefix: string) {
  const dtype = callDType(where, [[`${prefix}Q`, q], [`${prefix}K`, k], [`${prefix}V`, v]]);
  const rank = asTensor(q, dtype, where, `${prefix}Q`).shape.length;
  if (rank !== 2 && rank !== 3) throw new ShapeError(`${where}: ${prefix}Q: expected shape (m, T_q, d_k) or (T_q, d_k), got ${formatShape(asTensor(q, dtype, where, `${prefix}Q`).shape)}`);
  const batch = rank === 3 ? ['m'] : [];
  const [dk, dv] = spec.length > 0 ? ['d', 'd'] : ['d_k', 'd_v'];
  const { dims, p, t } = checkCall(
    where,
    parameters,
    spec,
    [
      [`${prefix}Q`, q, [...batch, 'T_q', dk]],
      [`${prefix}K`, k, [...batch, 'T_k', dk]],
      [`${prefix}V`, v, [...batch, 'T_k', dv]],
    ],
    `${prefix}parameters`,
  );
  const m = rank === 3 ? dims.get('m') : 1;
  const [Tq, Tk] = [dims.get('T_q'), dims.get('T_k')];
  const [Q, K, V] = t.map((x) => asMatrix(x, x.size / x.shape[rank - 1]!, x.shape[rank - 1]!)) as [Tensor, Tensor, Tensor];
  const be = backendFor(dtype);
  const M = mask === undefined || mask === null ? null : asTensor(mask, dtype, where, `${prefix}mask`);
  if (M !== null) {
    const s = M.shape.length === 2 ? [1, ...M.shape] : M.shape;
    if (M.shape.length > rank || s.length !== 3 || (s[0] !== 1 && s[0] !== m) || (s[1] !== 1 && s[1] !== Tq) || s[2] !== Tk) {
      const full = rank === 3 ? `(m, T_q, T_k) = (${m}, ${Tq}, ${Tk})` : `(T_q, T_k) = (${Tq}, ${Tk})`;
      throw new ShapeError(`${where}: ${prefix}mask: expected shape ${full} or one that broadcasts to it (1 for ${rank === 3 ? 'm or ' : ''}T_q), got ${formatShape(M.shape)}`);
    }
    assertFiniteValues(M, where, `${prefix}mask`);
  }
  const bias = M === null ? null : maskBias(be, M.reshape(M.shape.length === 2 ? [1, ...M.shape] : M.shape), m, Tq, dtype);
  return { be, dtype, dims, p, t, Q, K, V, M, bias, m, Tq, Tk, batch: rank === 3 ? [m] : [] };
}

/** The cache argument of a backward pass: an object. */
function cacheObject<C>(cache: C, where: string, from: string, fields: string): C {
  if (cache === null || typeof cache !== 'object') throw new ValueError(`${where}: cache: expected the cache from ${from} ({ ${fields} }), got ${describe(cache)}`);
  return cache;
}

/** Runs the attention of checked arguments: output (m T_q, d_v) and the buffers. */
function attend(c: ReturnType<typeof checkAttention>) {
  const out = c.be.zeros([c.m * c.Tq, c.V.cols], c.dtype);
  const b = dotAttentionBuffers(c.be, c.m, c.Tq, c.Tk, c.dtype);
  dotAttention(c.be, c.Q, c.K, c.V, c.bias, b, out);
  return { out, b };
}

/**
 * scaled_dot_product_attention: weights = softmax(Q K^T / sqrt(d_k) + (1 - mask) * -1e9) over
 * the keys, output = weights V. Q (m, T_q, d_k), K (m, T_k, d_k), V (m, T_k, d_v) (or each
 * without m); mask (m, T_q, T_k), (m, 1, T_k), (T_q, T_k) or (1, T_k), 1 = attend, or none.
 * Returns output (m, T_q, d_v) and weights (m, T_q, T_k).
 *
 * @example
 * ```ts
 * import { scaledDotProductAttention, tensor } from 'layerwise';
 * const f = (v: number[][]) => tensor(v, { dtype: 'float64' });
 * const Q = f([[1, 0]]), K = f([[1, 0], [0, 1]]), V = f([[10], [20]]);
 * const { output, weights } = scaledDotProductAttention(Q, K, V);
 * const w0 = 1 / (1 + Math.exp(-1 / Math.SQRT2));            // softmax([1, 0] / sqrt(2))
 * Math.abs(weights.get(0, 0) - w0) < 1e-12 && Math.abs(output.get(0, 0) - (10 * w0 + 20 * (1 - w0))) < 1e-12; // true
 * scaledDotProductAttention(Q, K, V, f([[0, 1]])).weights.get(0, 0) === 0; // true: the first key is masked
 * ```
 */
export function scaledDotProductAttention(Q: TensorLike, K: TensorLike, V: TensorLike, mask?: TensorLike | null): { output: Tensor; weights: Tensor; cache: AttentionCache } {
  const c = checkAttention('scaledDotProductAttention', Q, K, V, mask, {}, [], '');
  const { out, b } = attend(c);
  free(b.S, b.WT, c.bias);
  const [q, k, v] = c.t as [Tensor, Tensor, Tensor];
  return { output: out.reshape([...c.batch, c.Tq, v.shape[v.shape.length - 1]!]), weights: b.weights.reshape([...c.batch, c.Tq, c.Tk]), cache: { Q: q, K: k, V: v, mask: c.M } };
}

/**
 * The backward pass of {@link scaledDotProductAttention} from dOutput (like the output):
 * dQ, dK and dV (the mask gets none).
 *
 * @example
 * ```ts
 * import { scaledDotProductAttention, scaledDotProductAttentionBackward, tensor } from 'layerwise';
 * const f = (v: number[][]) => tensor(v, { dtype: 'float64' });
 * const { cache, weights } = scaledDotProductAttention(f([[1, 0]]), f([[1, 0], [0, 1]]), f([[10], [20]]));
 * const { dV, dQ } = scaledDotProductAttentionBackward(f([[1]]), cache);
 * dV.get(0, 0) === weights.get(0, 0) && dQ.shape.join() === '1,2'; // true: dV = weights^T dOutput
 * ```
 */
export function scaledDotProductAttentionBackward(dOutput: TensorLike, cache: AttentionCache): { dQ: Tensor; dK: Tensor; dV: Tensor } {
  const where = 'scaledDotProductAttentionBackward';
  const x = cacheObject(cache, where, 'scaledDotProductAttention', 'Q, K, V, mask');
  const c = checkAttention(where, x.Q, x.K, x.V, x.mask, {}, [], 'cache.');
  const dOut = c.dims.check(asTensor(dOutput, c.dtype, where, 'dOutput', true), 'dOutput', [...c.batch.map(() => 'm'), 'T_q', 'd_v']);
  const [dQ, dK, dV] = (c.t as Tensor[]).map((t) => c.be.zeros(t.shape, c.dtype)) as [Tensor, Tensor, Tensor];
  const [Tq, Tk] = [c.Tq, c.Tk];
  const [dS, dST] = [c.be.zeros([c.m * Tq, Tk], c.dtype), c.be.zeros([Tk, c.m * Tq], c.dtype)];
  const mat = (t: Tensor, like: Tensor): Tensor => asMatrix(t, like.rows, like.cols);
  const { out, b } = attend(c);
  dotAttentionBackward(c.be, c.Q, c.K, c.V, b, asMatrix(dOut, c.m * Tq, c.V.cols), mat(dQ, c.Q), mat(dK, c.K), mat(dV, c.V), dS, dST);
  freeDotAttention(b);
  free(out, dS, dST, c.bias);
  return { dQ, dK, dV };
}

/**
 * positional_encoding: PE (positions, d) with PE[pos, 2i] = sin(pos / 10000^(2i/d)) and
 * PE[pos, 2i+1] = cos(pos / 10000^(2i/d)). (The course's has a leading axis of 1 for broadcasting.)
 *
 * @example
 * ```ts
 * import { positionalEncoding } from 'layerwise';
 * const PE = positionalEncoding(50, 4, 'float64');
 * PE.shape.join() === '50,4' && PE.get(0, 0) === 0 && PE.get(0, 1) === 1; // true
 * Math.abs(PE.get(3, 2) - Math.sin(3 / 100)) < 1e-15 && Math.abs(PE.get(3, 3) - Math.cos(3 / 100)) < 1e-15; // true
 * ```
 */
export function positionalEncoding(positions: number, d: number, dtype: DType = 'float32'): Tensor {
  const where = 'positionalEncoding';
  assertPositiveInt(positions, where, 'positions');
  assertPositiveInt(d, where, 'd');
  assertDType(dtype, where);
  const PE = backendFor(dtype).zeros([positions, d], dtype);
  fillPositionalEncoding(PE.data, positions, d);
  return PE;
}

const MHA_SPEC: readonly (readonly [keyof MultiHeadParameters, readonly Dim[]])[] = [
  ['Wq', ['d', 'd']],
  ['bq', ['d', 1]],
  ['Wk', ['d', 'd']],
  ['bk', ['d', 1]],
  ['Wv', ['d', 'd']],
  ['bv', ['d', 1]],
  ['Wo', ['d', 'd']],
  ['bo', ['d', 1]],
];

/** Checks a multi-head call and runs it: the output (m T_q, d) and the buffers the backward pass reads. */
function runMultiHead(where: string, q: unknown, k: unknown, v: unknown, parameters: unknown, heads: unknown, mask: unknown, prefix: string) {
  const c = checkAttention(where, q, k, v, mask, parameters, MHA_SPEC, prefix);
  const d = c.dims.get('d');
  if (typeof heads !== 'number' || !Number.isInteger(heads) || heads < 1 || d % heads !== 0) {
    throw new ValueError(`${where}: ${prefix === '' ? 'options.' : prefix}heads: expected a positive integer that divides d = ${d} (each head has depth d / heads), got ${describe(heads)}`);
  }
  const p = c.p as unknown as MultiHeadParameters;
  const b = multiHeadBuffers(c.be, heads, d, c.m, c.Tq, c.Tk, c.dtype);
  const out = c.be.zeros([c.m * c.Tq, d], c.dtype);
  multiHeadAttentionStep(c.be, p, c.Q, c.K, c.V, c.bias, b, out);
  return { ...c, p, b, out, d, heads };
}

/**
 * Multi-head attention (the course's encoder block uses Keras's MultiHeadAttention): each of
 * `heads` heads projects Q, K and V to depth d / heads (Qh = Q Wq_h^T + bq_h, ...), attends with
 * {@link scaledDotProductAttention}, and output = concat_h(heads) Wo^T + bo (m, T_q, d).
 * weights are (m, heads, T_q, T_k). Self-attention passes the same X as Q, K and V.
 *
 * @example
 * ```ts
 * import { multiHeadAttention, Rng, zeros } from 'layerwise';
 * const rng = new Rng(1);
 * const randn = (shape: number[]) => { const t = zeros(shape, 'float64'); rng.fillNormal(t.data); return t; };
 * const W = () => randn([8, 8]), b = () => randn([8, 1]);
 * const p = { Wq: W(), bq: b(), Wk: W(), bk: b(), Wv: W(), bv: b(), Wo: W(), bo: b() };
 * const X = randn([2, 5, 8]);                                   // m = 2 sequences of 5 tokens, d = 8
 * const { output, weights } = multiHeadAttention(X, X, X, p, { heads: 2 });
 * output.shape.join() === '2,5,8' && weights.shape.join() === '2,2,5,5'; // true
 * ```
 */
export function multiHeadAttention(Q: TensorLike, K: TensorLike, V: TensorLike, parameters: MultiHeadParametersLike, options: MultiHeadOptions): { output: Tensor; weights: Tensor; cache: MultiHeadCache } {
  const where = 'multiHeadAttention';
  if (options === null || typeof options !== 'object') throw new ValueError(`${where}: options: expected { heads, mask? }, got ${describe(options)}`);
  const r = runMultiHead(where, Q, K, V, parameters, options.heads, options.mask, '');
  const { be, m, Tq, Tk, heads } = r;
  const weights = be.zeros([...r.batch, heads, Tq, Tk], r.dtype);
  const all = asMatrix(weights, m * heads * Tq, Tk);
  for (let j = 0; j < m; j++) for (let h = 0; h < heads; h++) be.copy(rowsOf(r.b.att[h]!.weights, j * Tq, Tq), rowsOf(all, (j * heads + h) * Tq, Tq));
  freeMultiHead(r.b);
  free(r.bias);
  const [q, k, v] = r.t as [Tensor, Tensor, Tensor];
  return { output: r.out.reshape([...r.batch, Tq, r.d]), weights, cache: { Q: q, K: k, V: v, mask: r.M, parameters: r.p, heads } };
}

/** Zero gradients like the parameters. */
function zeroGrads(be: Backend, p: MultiHeadParameters, dtype: DType): MultiHeadGrads {
  const g: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(p)) g[`d${k}`] = be.zeros(t.shape, dtype);
  return g as unknown as MultiHeadGrads;
}

/**
 * The backward pass of {@link multiHeadAttention} from dOutput (m, T_q, d): dQ, dK, dV (self-attention's
 * dX is their sum) and dWq, dbq, dWk, dbk, dWv, dbv, dWo, dbo (sums over the examples).
 *
 * @example
 * ```ts
 * import { multiHeadAttention, multiHeadAttentionBackward, Rng, zeros } from 'layerwise';
 * const rng = new Rng(1);
 * const randn = (shape: number[]) => { const t = zeros(shape, 'float64'); rng.fillNormal(t.data); return t; };
 * const W = () => randn([4, 4]), b = () => randn([4, 1]);
 * const X = randn([3, 4]);                                      // one sequence of 3 tokens, d = 4
 * const { output, cache } = multiHeadAttention(X, X, X, { Wq: W(), bq: b(), Wk: W(), bk: b(), Wv: W(), bv: b(), Wo: W(), bo: b() }, { heads: 2 });
 * const g = multiHeadAttentionBackward(randn(output.shape as number[]), cache);
 * g.dQ.shape.join() === '3,4' && g.dWo.shape.join() === '4,4' && g.dbq.shape.join() === '4,1'; // true
 * ```
 */
export function multiHeadAttentionBackward(dOutput: TensorLike, cache: MultiHeadCache): MultiHeadGradients {
  const where = 'multiHeadAttentionBackward';
  const x = cacheObject(cache, where, 'multiHeadAttention', 'Q, K, V, mask, parameters, heads');
  const r = runMultiHead(where, x.Q, x.K, x.V, x.parameters, x.heads, x.mask, 'cache.');
  const { be, dtype } = r;
  const dOut = r.dims.check(asTensor(dOutput, dtype, where, 'dOutput', true), 'dOutput', [...r.batch.map(() => 'm'), 'T_q', 'd']);
  const [dQ, dK, dV] = (r.t as Tensor[]).map((t) => be.zeros(t.shape, dtype)) as [Tensor, Tensor, Tensor];
  const g = zeroGrads(be, r.p, dtype);
  const mat = (t: Tensor): Tensor => asMatrix(t, t.size / r.d, r.d);
  const scratch = multiHeadScratch(be, r.b, dtype);
  mhaBackward(be, r.p, r.Q, r.K, r.V, r.b, mat(dOut), g, mat(dQ), mat(dK), mat(dV), scratch);
  freeMultiHeadScratch(scratch);
  freeMultiHead(r.b);
  free(r.out, r.bias);
  return { ...g, dQ, dK, dV };
}
