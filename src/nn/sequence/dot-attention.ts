/**
 * The attention of course 5, week 4 (transformers), once for the functional
 * API and the layers. Sequences are row-major per example, as in the course:
 * Q (m, T_q, d_k), K (m, T_k, d_k), V (m, T_k, d_v), stored as (m T, d)
 * matrices. For each example j:
 *   weights = softmax(Q K^T / sqrt(d_k) + (1 - mask) * -1e9)   (over the keys)
 *   output = weights V
 * The softmax kernel works per column, so the scores are transposed to
 * (T_k, m T_q) around it. There is no batched GEMM kernel: the products run
 * one example at a time, on row views made once per buffer ({@link rowBlocks}),
 * so a compiled layer's passes allocate nothing after the first.
 */
import type { Activation, Backend } from '../../backend/backend.js';
import type { DType, FloatArray, Tensor } from '../../tensor/tensor.js';
import { SOFTMAX } from './rnn.js';
import { free, rowsOf } from './views.js';

const LINEAR: Activation = { kind: 'linear' };

/** The value masked scores get: (1 - mask) * MASK_VALUE is added to Q K^T / sqrt(d_k). */
export const MASK_VALUE = -1e9;

/**
 * The additive mask term (1 - mask) * -1e9 in the (T_k, m T_q) layout of the softmax.
 * `mask` is (m_mask, q_mask, T_k) with m_mask in {1, m} and q_mask in {1, T_q} (1 broadcasts):
 * one gather of its rows, then -1e9 + 1e9 mask (exact for a 0/1 mask in float32 too).
 */
export function maskBias(be: Backend, mask: Tensor, m: number, Tq: number, dtype: DType): Tensor {
  const [mm, qq, Tk] = mask.shape as [number, number, number];
  const idx = new Int32Array(m * Tq);
  for (let j = 0; j < m; j++) for (let q = 0; q < Tq; q++) idx[j * Tq + q] = (mm > 1 ? j : 0) * qq + (qq > 1 ? q : 0);
  const rep = be.zeros([Tk, m * Tq], dtype);
  be.gatherRows(mask.reshape([mm * qq, Tk]), idx, 0, m * Tq, rep);
  const bias = be.zeros(rep.shape, dtype);
  be.fill(bias, MASK_VALUE);
  be.axpy(-MASK_VALUE, rep, bias);
  rep.dispose();
  return bias;
}

/** The buffers of one attention over m examples: the scores (m T_q, T_k), the weights transposed (T_k, m T_q) and the weights. */
export interface DotAttentionBuffers {
  readonly m: number;
  readonly S: Tensor;
  readonly WT: Tensor;
  readonly weights: Tensor;
}

/** Zero buffers for m examples of T_q queries and T_k keys. */
export function dotAttentionBuffers(be: Backend, m: number, Tq: number, Tk: number, dtype: DType): DotAttentionBuffers {
  return { m, S: be.zeros([m * Tq, Tk], dtype), WT: be.zeros([Tk, m * Tq], dtype), weights: be.zeros([m * Tq, Tk], dtype) };
}

/** Gives a dot-product attention's buffers back. */
export function freeDotAttention(b: DotAttentionBuffers): void {
  free(b.S, b.WT, b.weights);
}

/** Views made once per (tensor, count): a wasm tensor's views are repaired in place after a memory grow, so they stay valid. */
const blockViews = new WeakMap<Tensor, Map<number, Tensor[]>>();

/**
 * `t`'s rows in `count` equal blocks, as views made on the first call and reused after. Called per
 * example in every pass: it must not allocate, so it holds no closure (a function that makes one
 * allocates the context of its captured variables on every call, made or not: 40 bytes here).
 */
export function rowBlocks(t: Tensor, count: number): readonly Tensor[] {
  let byCount = blockViews.get(t);
  if (byCount === undefined) {
    byCount = new Map();
    blockViews.set(t, byCount);
  }
  let views = byCount.get(count);
  if (views === undefined) {
    views = splitRows(t, count);
    byCount.set(count, views);
  }
  return views;
}

/** `t`'s rows in `count` equal blocks, as new views. */
function splitRows(t: Tensor, count: number): Tensor[] {
  const rows = t.rows / count;
  const views: Tensor[] = [];
  for (let k = 0; k < count; k++) views.push(rowsOf(t, k * rows, rows));
  return views;
}

/** Example j's rows of a (m T, d) matrix. */
function example(t: Tensor, m: number, j: number): Tensor {
  return rowBlocks(t, m)[j]!;
}

/** The d_k of the last scale computed, and 1 / sqrt(d_k) for it. */
let scaledDk = 0;
let scaleOfDk = 1;

/**
 * 1 / sqrt(dk), kept from the call before: a double computed per call is boxed (16 bytes) when
 * passed on to a kernel, while the kept value is passed as it is.
 */
function attentionScale(dk: number): number {
  if (dk !== scaledDk) {
    scaleOfDk = 1 / Math.sqrt(dk);
    scaledDk = dk;
  }
  return scaleOfDk;
}

/**
 * scaled_dot_product_attention: Q (m T_q, d_k), K (m T_k, d_k), V (m T_k, d_v) -> out (m T_q, d_v),
 * the weights kept in `b`; `bias` is {@link maskBias}'s term or null.
 */
export function dotAttention(be: Backend, Q: Tensor, K: Tensor, V: Tensor, bias: Tensor | null, b: DotAttentionBuffers, out: Tensor): void {
  const { m, S, WT, weights } = b;
  const scale = attentionScale(Q.cols);
  for (let j = 0; j < m; j++) be.matmul(example(Q, m, j), example(K, m, j), example(S, m, j), false, true, scale, 0);
  be.transpose(S, WT);
  if (bias) be.axpy(1, bias, WT);
  be.activation(WT, WT, SOFTMAX);
  be.transpose(WT, weights);
  for (let j = 0; j < m; j++) be.matmul(example(weights, m, j), example(V, m, j), example(out, m, j), false, false, 1, 0);
}

/**
 * The backward pass of {@link dotAttention} from dOut (m T_q, d_v): dV = weights^T dOut,
 * dweights = dOut V^T, dS through the softmax, dQ = dS K / sqrt(d_k), dK = dS^T Q / sqrt(d_k)
 * (written); dS (m T_q, T_k) and dST (T_k, m T_q) are scratch.
 */
export function dotAttentionBackward(be: Backend, Q: Tensor, K: Tensor, V: Tensor, b: DotAttentionBuffers, dOut: Tensor, dQ: Tensor, dK: Tensor, dV: Tensor, dS: Tensor, dST: Tensor): void {
  const { m, WT, weights } = b;
  const scale = attentionScale(Q.cols);
  for (let j = 0; j < m; j++) {
    be.matmul(example(dOut, m, j), example(V, m, j), example(dS, m, j), false, true, 1, 0);
    be.matmul(example(weights, m, j), example(dOut, m, j), example(dV, m, j), true, false, 1, 0);
  }
  be.transpose(dS, dST);
  be.activationBackward(dST, WT, WT, dST, SOFTMAX);
  be.transpose(dST, dS);
  for (let j = 0; j < m; j++) {
    be.matmul(example(dS, m, j), example(K, m, j), example(dQ, m, j), false, false, scale, 0);
    be.matmul(example(dS, m, j), example(Q, m, j), example(dK, m, j), true, false, scale, 0);
  }
}

/** Multi-head attention's parameters: Wq, Wk, Wv, Wo (d, d) acting on each token as W x, bq, bk, bv, bo (d, 1). */
export interface MultiHeadWeights {
  readonly Wq: Tensor;
  readonly bq: Tensor;
  readonly Wk: Tensor;
  readonly bk: Tensor;
  readonly Wv: Tensor;
  readonly bv: Tensor;
  readonly Wo: Tensor;
  readonly bo: Tensor;
}

/** What multi-head attention keeps: per head h the projections Qh, Kh, Vh, the attention and its output Oh, and Wo^T. */
export interface MultiHeadBuffers {
  readonly heads: number;
  readonly Qh: Tensor[];
  readonly Kh: Tensor[];
  readonly Vh: Tensor[];
  readonly Oh: Tensor[];
  readonly att: DotAttentionBuffers[];
  readonly WoT: Tensor;
}

/** Zero buffers for `heads` heads of d / heads over m examples. */
export function multiHeadBuffers(be: Backend, heads: number, d: number, m: number, Tq: number, Tk: number, dtype: DType): MultiHeadBuffers {
  const dh = d / heads;
  const each = (T: number): Tensor[] => Array.from({ length: heads }, () => be.zeros([m * T, dh], dtype));
  return {
    heads,
    Qh: each(Tq),
    Kh: each(Tk),
    Vh: each(Tk),
    Oh: each(Tq),
    att: Array.from({ length: heads }, () => dotAttentionBuffers(be, m, Tq, Tk, dtype)),
    WoT: be.zeros([d, d], dtype),
  };
}

/** Gives a multi-head attention's buffers back. */
export function freeMultiHead(b: MultiHeadBuffers): void {
  free(b.WoT, ...b.Qh, ...b.Kh, ...b.Vh, ...b.Oh);
  b.att.forEach(freeDotAttention);
}

/** Head h's rows of a (d, ...) weight or bias. */
function head(t: Tensor, heads: number, h: number): Tensor {
  return rowBlocks(t, heads)[h]!;
}

/** X W_h^T + b_h for head h: (m T, d) -> (m T, d / heads). */
function project(be: Backend, X: Tensor, W: Tensor, bias: Tensor, heads: number, h: number, out: Tensor): void {
  be.matmul(X, head(W, heads, h), out, false, true, 1, 0);
  be.channelBiasActivation(out, head(bias, heads, h), out, LINEAR);
}

/**
 * Multi-head attention: head h attends with Qh = Q Wq_h^T + bq_h (and Kh, Vh likewise; Wq_h is
 * rows h d/heads .. (h+1) d/heads of Wq), and out = concat_h(Oh) Wo^T + bo (m T_q, d).
 */
export function multiHeadAttentionStep(be: Backend, w: MultiHeadWeights, Q: Tensor, K: Tensor, V: Tensor, bias: Tensor | null, b: MultiHeadBuffers, out: Tensor): void {
  const H = b.heads;
  be.transpose(w.Wo, b.WoT);
  for (let h = 0; h < H; h++) {
    project(be, Q, w.Wq, w.bq, H, h, b.Qh[h]!);
    project(be, K, w.Wk, w.bk, H, h, b.Kh[h]!);
    project(be, V, w.Wv, w.bv, H, h, b.Vh[h]!);
    dotAttention(be, b.Qh[h]!, b.Kh[h]!, b.Vh[h]!, bias, b.att[h]!, b.Oh[h]!);
    be.matmul(b.Oh[h]!, head(b.WoT, H, h), out, false, false, 1, h === 0 ? 0 : 1);
  }
  be.channelBiasActivation(out, w.bo, out, LINEAR);
}

/** The gradients of {@link MultiHeadWeights} (written). */
export interface MultiHeadGrads {
  readonly dWq: Tensor;
  readonly dbq: Tensor;
  readonly dWk: Tensor;
  readonly dbk: Tensor;
  readonly dWv: Tensor;
  readonly dbv: Tensor;
  readonly dWo: Tensor;
  readonly dbo: Tensor;
}

/** One projection's backward for head h: dW_h = scale dXh^T X, db_h = scale (the column sums of dXh), dX (+)= dXh W_h. */
function projectBackward(be: Backend, X: Tensor, W: Tensor, dXh: Tensor, dW: Tensor, db: Tensor, dX: Tensor, heads: number, h: number, scale: number): void {
  be.matmul(dXh, X, head(dW, heads, h), true, false, scale, 0);
  be.colSum(dXh, head(db, heads, h), scale);
  be.matmul(dXh, head(W, heads, h), dX, false, false, 1, h === 0 ? 0 : 1);
}

/** The scratch of {@link multiHeadAttentionBackward}: one head's gradients, the scores' gradient (both layouts) and dWo^T. */
export interface MultiHeadScratch {
  readonly dOh: Tensor;
  readonly dQh: Tensor;
  readonly dKh: Tensor;
  readonly dVh: Tensor;
  readonly dS: Tensor;
  readonly dST: Tensor;
  readonly dWoT: Tensor;
}

/** Zero scratch for the backward pass of the attention `b` was made for (d = heads x the heads' depth). */
export function multiHeadScratch(be: Backend, b: MultiHeadBuffers, dtype: DType): MultiHeadScratch {
  const [rq, rk, dh] = [b.Qh[0]!.rows, b.Kh[0]!.rows, b.Qh[0]!.cols];
  const Tk = rk / b.att[0]!.m;
  const z = (r: number, c: number): Tensor => be.zeros([r, c], dtype);
  return { dOh: z(rq, dh), dQh: z(rq, dh), dKh: z(rk, dh), dVh: z(rk, dh), dS: z(rq, Tk), dST: z(Tk, rq), dWoT: z(b.WoT.rows, b.WoT.cols) };
}

/** Gives the backward scratch back. */
export function freeMultiHeadScratch(s: MultiHeadScratch): void {
  free(s.dOh, s.dQh, s.dKh, s.dVh, s.dS, s.dST, s.dWoT);
}

/**
 * The backward pass of {@link multiHeadAttentionStep} from dOut (m T_q, d): the weight gradients
 * times `scale` (1: sums over the examples) and dQ, dK, dV (m T, d) (written; self-attention's dX
 * is their sum). Allocates nothing: `s` is {@link multiHeadScratch}'s.
 */
export function multiHeadAttentionBackward(
  be: Backend,
  w: MultiHeadWeights,
  Q: Tensor,
  K: Tensor,
  V: Tensor,
  b: MultiHeadBuffers,
  dOut: Tensor,
  g: MultiHeadGrads,
  dQ: Tensor,
  dK: Tensor,
  dV: Tensor,
  s: MultiHeadScratch,
  scale = 1,
): void {
  const H = b.heads;
  be.colSum(dOut, g.dbo, scale);
  for (let h = 0; h < H; h++) {
    be.matmul(b.Oh[h]!, dOut, head(s.dWoT, H, h), true, false, scale, 0);
    be.matmul(dOut, head(b.WoT, H, h), s.dOh, false, true, 1, 0);
    dotAttentionBackward(be, b.Qh[h]!, b.Kh[h]!, b.Vh[h]!, b.att[h]!, s.dOh, s.dQh, s.dKh, s.dVh, s.dS, s.dST);
    projectBackward(be, Q, w.Wq, s.dQh, g.dWq, g.dbq, dQ, H, h, scale);
    projectBackward(be, K, w.Wk, s.dKh, g.dWk, g.dbk, dK, H, h, scale);
    projectBackward(be, V, w.Wv, s.dVh, g.dWv, g.dbv, dV, H, h, scale);
  }
  be.transpose(s.dWoT, g.dWo);
}

/**
 * positional_encoding's table into `data`, row by row (positions, d): PE[pos, 2i] = sin(pos / 10000^(2i/d)),
 * PE[pos, 2i+1] = cos(pos / 10000^(2i/d)). No kernel computes sin and cos: the table is built once, here.
 */
export function fillPositionalEncoding(data: FloatArray, positions: number, d: number): void {
  for (let pos = 0; pos < positions; pos++) {
    for (let k = 0; k < d; k++) {
      const angle = pos / Math.pow(10000, (2 * Math.floor(k / 2)) / d);
      data[pos * d + k] = k % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
}

/**
 * The additive mask term of self-attention over m sequences of T steps, in {@link maskBias}'s
 * (T_k, m T_q) layout, from a padding mask (`real[j T + t]` = 1 for a real step of example j, 0 for
 * padding; null: every step real) and the look-ahead rule: -1e9 where key k is padding or (when
 * `causal`) k > q, else 0. Written in place, so a layer rebuilds it for each batch's padding
 * without allocating.
 */
export function selfAttentionBias(real: Uint8Array | null, causal: boolean, m: number, T: number, bias: Tensor): void {
  const B = bias.data;
  const mT = m * T;
  for (let k = 0; k < T; k++) {
    for (let j = 0; j < m; j++) {
      const padded = real !== null && real[j * T + k] === 0;
      const row = k * mT + j * T;
      for (let q = 0; q < T; q++) B[row + q] = padded || (causal && k > q) ? MASK_VALUE : 0;
    }
  }
}
