/**
 * The attention of course 5, week 3 ("Neural Machine Translation"):
 * one_step_attention, in the library's sequence layout: the encoder's states
 * a (n_a, m, T_x) and the decoder's previous state s_prev (n_s, m). The
 * energies come from [s_prev; a<t'>] through the assignment's small dense
 * net (densor1: tanh, densor2: relu, one unit), with parameters given by the
 * library's names W1 (n_e, n_s + n_a), b1 (n_e, 1), W2 (1, n_e), b2 (1, 1).
 * (The assignment's Keras code concatenates [a, s_prev]: its densor1 kernel,
 * transposed, has the a columns first.) It runs src/nn/sequence/attention.ts.
 */
import type { Backend } from '../backend/backend.js';
import { backendFor } from '../backend/registry.js';
import { attentionBuffers, attentionScratch, attentionStep, attentionStepBackward, freeAttentionBuffers, freeAttentionScratch } from '../nn/sequence/attention.js';
import { free } from '../nn/sequence/views.js';
import { asTensor, checkCall, type Dim } from '../nn/sequence/checks.js';
import { ValueError } from '../tensor/errors.js';
import type { DType, Tensor } from '../tensor/tensor.js';
import { describe, type TensorLike } from '../tensor/validate.js';

/** The energies' dense net: W1 (n_e, n_s + n_a) with tanh (the assignment's densor1 has n_e = 10), W2 (1, n_e) with relu. */
export interface AttentionParameters {
  readonly W1: Tensor;
  readonly b1: Tensor;
  readonly W2: Tensor;
  readonly b2: Tensor;
}

/** What a call accepts as {@link AttentionParameters}: Tensors or nested arrays. */
export type AttentionParametersLike = { readonly [K in keyof AttentionParameters]: TensorLike };

/** What oneStepAttention keeps for its backward pass: its inputs (the backward pass runs the step again). */
export interface OneStepAttentionCache {
  readonly a: Tensor;
  readonly sPrev: Tensor;
  readonly parameters: AttentionParameters;
}

/** The gradients of one attention step (sums over the examples). */
export interface OneStepAttentionGradients {
  /** (n_a, m, T_x) and (n_s, m). */
  readonly da: Tensor;
  readonly dsPrev: Tensor;
  readonly dW1: Tensor;
  readonly db1: Tensor;
  readonly dW2: Tensor;
  readonly db2: Tensor;
}

const SPEC: readonly (readonly [keyof AttentionParameters, readonly Dim[]])[] = [
  ['W1', ['n_e', 'n_s + n_a']],
  ['b1', ['n_e', 1]],
  ['W2', [1, 'n_e']],
  ['b2', [1, 1]],
];

/** Checks a call's arguments and runs the step: the buffers the backward pass reads, and the context. */
function run(where: string, a: unknown, sPrev: unknown, parameters: unknown, prefix = '') {
  const { dtype, dims, p, t } = checkCall(
    where,
    parameters,
    SPEC,
    [
      [`${prefix}a`, a, ['n_a', 'm', 'T_x']],
      [`${prefix}sPrev`, sPrev, ['n_s', 'm']],
    ],
    `${prefix}parameters`,
  );
  const [A, S] = t as [Tensor, Tensor];
  const [nA, nS, nE, m, T] = [dims.get('n_a'), dims.get('n_s'), dims.get('n_e'), dims.get('m'), dims.get('T_x')];
  const be = backendFor(dtype);
  const b = attentionBuffers(be, nS, nA, nE, m, T, dtype);
  const context = be.zeros([nA, m], dtype);
  const P = be.zeros([nA, m * T], dtype);
  attentionStep(be, p, A, S, b, P, context);
  free(P);
  return { be, dtype, dims, p, A, S, b, context, sizes: { nA, nS, nE, m, T } };
}

/**
 * one_step_attention: for every t', e<t'> = relu(W2 tanh(W1 [s_prev; a<t'>] + b1) + b2);
 * α = softmax over t' (per example); context = Σ_t' α<t'> a<t'> (n_a, m). `alphas` is
 * (m, T_x): row j holds example j's attention weights, which sum to 1.
 *
 * @example
 * ```ts
 * import { oneStepAttention, tensor } from 'layerwise';
 * const f = (v: number[][] | number[][][]) => tensor(v, { dtype: 'float64' });
 * const a = f([[[1, 3]]]);                        // n_a = 1, m = 1, T_x = 2
 * const parameters = { W1: f([[0, 1]]), b1: f([[0]]), W2: f([[1]]), b2: f([[0]]) }; // e = relu(tanh(a<t'>))
 * const { context, alphas } = oneStepAttention(a, f([[0.5]]), parameters);
 * const [e1, e2] = [Math.tanh(1), Math.tanh(3)];
 * const w1 = Math.exp(e1) / (Math.exp(e1) + Math.exp(e2));
 * Math.abs(alphas.get(0, 0) - w1) < 1e-12; // true
 * Math.abs(context.get(0, 0) - (w1 * 1 + (1 - w1) * 3)) < 1e-12; // true
 * ```
 */
export function oneStepAttention(a: TensorLike, sPrev: TensorLike, parameters: AttentionParametersLike): { context: Tensor; alphas: Tensor; cache: OneStepAttentionCache } {
  const { be, p, A, S, b, context, sizes } = run('oneStepAttention', a, sPrev, parameters);
  const alphas = be.zeros([sizes.m, sizes.T], A.dtype);
  be.copy(b.alpha, alphas);
  freeAttentionBuffers(b);
  return { context, alphas, cache: { a: A, sPrev: S, parameters: p } };
}

/** Zero gradients for the sizes of one call. */
function zeroGrads(be: Backend, dtype: DType, p: AttentionParameters, nA: number, nS: number, m: number, T: number): OneStepAttentionGradients {
  return { da: be.zeros([nA, m, T], dtype), dsPrev: be.zeros([nS, m], dtype), dW1: be.zeros(p.W1.shape, dtype), db1: be.zeros(p.b1.shape, dtype), dW2: be.zeros(p.W2.shape, dtype), db2: be.zeros(p.b2.shape, dtype) };
}

/**
 * The backward pass of {@link oneStepAttention} from dcontext (n_a, m): da (n_a, m, T_x) (through
 * both the weighted sum and the energies), dsPrev (n_s, m) and the dense net's gradients.
 *
 * @example
 * ```ts
 * import { oneStepAttention, oneStepAttentionBackward, tensor } from 'layerwise';
 * const f = (v: number[][] | number[][][]) => tensor(v, { dtype: 'float64' });
 * const parameters = { W1: f([[1, 0]]), b1: f([[0]]), W2: f([[1]]), b2: f([[0]]) };     // e = relu(tanh(s_prev)): the same for every t'
 * const { cache } = oneStepAttention(f([[[1, 3]]]), f([[0.5]]), parameters);
 * const { da, dsPrev } = oneStepAttentionBackward(f([[1]]), cache);
 * da.data[0] === 0.5 && da.data[1] === 0.5; // true: uniform weights, and W1's a column is 0 (a gets only α)
 * dsPrev.get(0, 0) === 0; // true: the energies' gradients cancel over t'
 * ```
 */
export function oneStepAttentionBackward(dContext: TensorLike, cache: OneStepAttentionCache): OneStepAttentionGradients {
  const where = 'oneStepAttentionBackward';
  if (cache === null || typeof cache !== 'object') {
    throw new ValueError(`${where}: cache: expected the cache from oneStepAttention ({ a, sPrev, parameters }), got ${describe(cache)}`);
  }
  const { be, dtype, dims, p, b, context, sizes } = run(where, cache.a, cache.sPrev, cache.parameters, 'cache.');
  const { nA, nS, nE, m, T } = sizes;
  const dC = dims.check(asTensor(dContext, dtype, where, 'dContext', true), 'dContext', ['n_a', 'm']);
  const g = zeroGrads(be, dtype, p, nA, nS, m, T);
  const scratch = attentionScratch(be, nS, nA, nE, m, T, dtype);
  attentionStepBackward(be, p, b, dC, g, g.da, g.dsPrev, scratch);
  freeAttentionBuffers(b);
  freeAttentionScratch(scratch);
  free(context);
  return g;
}
