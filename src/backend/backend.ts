/**
 * The kernel boundary. Every numeric step of training and inference is one of
 * these small kernels; a backend is an object that implements all of them.
 * The TypeScript compiler checks that each backend provides every kernel, so
 * there is no hand-kept registration list to drift out of date.
 *
 * Kernels trust their arguments: shapes and values are checked once at the
 * public entry points (see `tensor/validate.ts`), never in the hot loop.
 * Kernels never allocate: outputs are passed in.
 */
import type { DType, Tensor } from '../tensor/tensor.js';

/** An activation as the kernels see it: a tagged union, no strings to parse per call. */
export type Activation =
  | { readonly kind: 'sigmoid' }
  | { readonly kind: 'tanh' }
  | { readonly kind: 'relu' }
  | { readonly kind: 'leakyRelu'; readonly slope: number }
  | { readonly kind: 'linear' }
  | { readonly kind: 'softmax' };

/**
 * The geometry of a 2-D window operation (convolution or pooling) over a batch
 * in the course's layout (m, n_H, n_W, n_C), row-major (channels last): square
 * f x f windows moved by `stride`, after `pad` rows/columns of zeros on every
 * side (pooling has pad 0). outH = floor((h + 2 pad - f) / stride) + 1, and
 * outW likewise; the layer checks they are >= 1 before any kernel runs.
 */
export interface WindowGeometry {
  /** Examples in the batch. */
  readonly m: number;
  /** n_H, n_W, n_C of the input. */
  readonly h: number;
  readonly w: number;
  readonly c: number;
  /** Window edge. */
  readonly f: number;
  readonly stride: number;
  readonly pad: number;
  /** Output n_H and n_W. */
  readonly outH: number;
  readonly outW: number;
}

/** The losses the kernels compute. */
export type LossKind = 'binaryCrossEntropy' | 'meanSquaredError' | 'categoricalCrossEntropy';

/**
 * The kernels every backend implements. Matrices are row-major tensors of
 * shape (rows, cols); in the course's layout columns are examples.
 */
export interface Kernels {
  /**
   * C = alpha * op(A) op(B) + beta * C, where op(X) is X or X^T.
   * op(A) is (m, k), op(B) is (k, n), C is (m, n). With beta = 0, C's old
   * contents are ignored (NaN in C does not leak through).
   */
  matmul(a: Tensor, b: Tensor, c: Tensor, transA: boolean, transB: boolean, alpha: number, beta: number): void;

  /** Z += b (b is (rows, 1), broadcast over columns), then A = g(Z). Z and A are (rows, cols); A may be Z. */
  biasActivation(z: Tensor, b: Tensor, a: Tensor, act: Activation): void;

  /** A = g(Z) without a bias. A may be Z. */
  activation(z: Tensor, a: Tensor, act: Activation): void;

  /** dZ = dA * g'(Z); A = g(Z) is passed too, since most derivatives are cheapest from it. dZ may be dA. */
  activationBackward(dA: Tensor, z: Tensor, a: Tensor, dZ: Tensor, act: Activation): void;

  /** out[i] = scale * sum_j X[i, j]: the bias gradient db = (1/m) sum over examples of dZ. out is (rows, 1). */
  rowSum(x: Tensor, out: Tensor, scale: number): void;

  /** Y += alpha * X, elementwise over equal sizes (the gradient-descent step W -= lr * dW). */
  axpy(alpha: number, x: Tensor, y: Tensor): void;

  /** Copies X's values into Y (equal sizes). */
  copy(x: Tensor, y: Tensor): void;

  /** Sets every element to `value`. */
  fill(x: Tensor, value: number): void;

  /**
   * The sum over all examples of the per-example loss (the cost times m).
   * Computed from the logits Z where the loss allows it (binary and categorical
   * cross-entropy), so saturated outputs give finite costs.
   */
  lossSum(loss: LossKind, z: Tensor, a: Tensor, y: Tensor): number;

  /** dZ = A - Y: the output delta of sigmoid + binary cross-entropy and softmax + categorical cross-entropy. */
  outputDelta(a: Tensor, y: Tensor, dZ: Tensor): void;

  /** dA = dL/dA for one example per column (not divided by m): the generic path into activationBackward. */
  lossGradient(loss: LossKind, a: Tensor, y: Tensor, dA: Tensor): void;

  /** sum of X[i]^2 over all elements (the squared Frobenius norm, for L2). */
  sumSquares(x: Tensor): number;

  /** sum of |X[i]| over all elements (for L1). */
  sumAbs(x: Tensor): number;

  /** Y += alpha * sign(X): the L1 subgradient step (sign(0) = 0). */
  addSign(alpha: number, x: Tensor, y: Tensor): void;

  /** OUT = X * Y elementwise (applying a dropout mask); OUT may be X or Y. */
  mul(x: Tensor, y: Tensor, out: Tensor): void;

  /**
   * Inverted dropout in one pass: MASK[i] = 1/keepProb where the generator's
   * next draw u = nextUint32() / 2^32 is below keepProb, else 0, drawn in
   * element order from the xoshiro128** state words `state` (an Rng's
   * `words`, advanced by MASK.size draws); OUT = X * MASK.
   */
  dropout(state: Int32Array, x: Tensor, mask: Tensor, out: Tensor, keepProb: number): void;

  /**
   * Copies `count` columns of SRC, the ones listed in `indices[start..start+count)`,
   * into DST (rows, count): the gather that builds a shuffled mini-batch.
   */
  gatherColumns(src: Tensor, indices: Int32Array, start: number, count: number, dst: Tensor): void;

  /**
   * DST[:, k] = SRC_T[indices[start + k], :]: the same gather from a
   * transposed copy (one example per row), whose reads are contiguous; the
   * fit loop uses it for large training sets.
   */
  gatherRows(srcT: Tensor, indices: Int32Array, start: number, count: number, dst: Tensor): void;

  /**
   * DST[k, ...] = SRC[indices[start + k], ...] for k < count: whole examples of a batch with one
   * example per row (images (m, n_H, n_W, n_C), or any (m, n)) copied into a batch of the same
   * layout, DST's count rows as long as SRC's. The gather of an image mini-batch: no transpose.
   */
  gatherExamples(src: Tensor, indices: Int32Array, start: number, count: number, dst: Tensor): void;

  /**
   * Batch normalization forward over the columns (examples) of Z, per row (unit):
   * training: mean and variance of the batch, kept in `mean` / `invStd`
   * (1/sqrt(var + eps)), Zhat = (Z - mean) invStd, running statistics updated
   * as running = momentum running + (1 - momentum) batch; inference: the
   * running statistics instead. OUT = gamma Zhat + beta. All vectors are (rows, 1).
   */
  batchNormForward(
    z: Tensor,
    gamma: Tensor,
    beta: Tensor,
    out: Tensor,
    zhat: Tensor,
    mean: Tensor,
    invStd: Tensor,
    runningMean: Tensor,
    runningVar: Tensor,
    momentum: number,
    epsilon: number,
    training: boolean,
  ): void;

  /**
   * Batch normalization backward from dOut = dL/d(gamma Zhat + beta) (per example,
   * not divided by m): dGamma = (1/m) sum dOut Zhat, dBeta = (1/m) sum dOut and
   * dZ = invStd (G - mean(G) - Zhat mean(G Zhat)) with G = gamma dOut. dZ may be dOut.
   */
  batchNormBackward(dOut: Tensor, zhat: Tensor, gamma: Tensor, invStd: Tensor, dZ: Tensor, dGamma: Tensor, dBeta: Tensor): void;

  /**
   * One step of gradient descent with momentum, fused into one pass:
   * v = beta v + (1 - beta) dW; W -= learningRate v. W, dW and v have equal
   * sizes; W and v are updated in place.
   */
  momentumUpdate(param: Tensor, grad: Tensor, v: Tensor, learningRate: number, beta: number): void;

  /**
   * One step of RMSprop, fused into one pass: s = beta2 s + (1 - beta2) dW^2;
   * W -= learningRate dW / (sqrt(s) + epsilon). W and s are updated in place.
   */
  rmspropUpdate(param: Tensor, grad: Tensor, s: Tensor, learningRate: number, beta2: number, epsilon: number): void;

  /**
   * One step of Adam, fused into one pass: m = beta1 m + (1 - beta1) dW;
   * v = beta2 v + (1 - beta2) dW^2; mhat = m / (1 - beta1^step);
   * vhat = v / (1 - beta2^step); W -= learningRate mhat / (sqrt(vhat) + epsilon).
   * `step` is t, counted from 1. W, m and v are updated in place.
   */
  adamUpdate(
    param: Tensor,
    grad: Tensor,
    m: Tensor,
    v: Tensor,
    learningRate: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    step: number,
  ): void;

  // --- Convolutional kernels. Images are (m, n_H, n_W, n_C) row-major; a (p, n_C) matrix view of
  // such a tensor has one row per pixel of every example (p = m n_H n_W) and one column per channel.

  /**
   * im2col: COLS[(n, i, j), (di, dj, ch)] = X[n, i stride + di - pad, j stride + dj - pad, ch], or 0
   * where that falls in the padding. X is (m, h, w, c); COLS is (m outH outW, f f c), so that
   * COLS W, with the filters W (f, f, c, n_C) read as a (f f c, n_C) matrix, is the convolution.
   */
  im2col(x: Tensor, cols: Tensor, g: WindowGeometry): void;

  /**
   * col2im, the adjoint of im2col: DX = 0, then every element of COLS is added to the X position
   * im2col read it from (padding positions are dropped). The input gradient of a convolution is
   * col2im(dZ W^T).
   */
  col2im(cols: Tensor, dx: Tensor, g: WindowGeometry): void;

  /**
   * The convolution without im2col's matrix: Z = im2col(X) W, then Z += b (b (1, n_C) broadcast
   * over the pixels; none when null), then A = g(Z) when A is given (softmax is not allowed;
   * A may be Z). X is (m, h, w, c), W the filters (f, f, c, n_C) (any view of f f c n_C values),
   * Z and A (m, outH, outW, n_C) or their (m outH outW, n_C) views. The sums are those of
   * `matmul(im2col(X), W)` up to float32 rounding (their order is the backend's).
   */
  convForward(x: Tensor, w: Tensor, b: Tensor | null, z: Tensor, a: Tensor | null, act: Activation, g: WindowGeometry): void;

  /**
   * A convolution's filter gradient without im2col's matrix: dW = scale im2col(X)^T dZ, with
   * dZ (m, outH, outW, n_C) (or its (m outH outW, n_C) view) and dW the shape of the filters.
   */
  convFilterGradient(x: Tensor, dz: Tensor, dw: Tensor, scale: number, g: WindowGeometry): void;

  /**
   * A convolution's input gradient without im2col's matrix: DX = col2im(dZ W^T), DX (m, h, w, c),
   * padding positions dropped.
   */
  convInputGradient(dz: Tensor, w: Tensor, dx: Tensor, g: WindowGeometry): void;

  /**
   * Z += b with b (1, n_C) broadcast over the rows of Z (p, n_C), then A = g(Z): a convolution's
   * bias and activation. Softmax is not allowed (the layers refuse it). A may be Z.
   */
  channelBiasActivation(z: Tensor, b: Tensor, a: Tensor, act: Activation): void;

  /** out[j] = scale * sum_i X[i, j]: a convolution's bias gradient db = (1/m) sum of dZ. out is (1, cols). */
  colSum(x: Tensor, out: Tensor, scale: number): void;

  /** OUT = X^T: X is (rows, cols), OUT (cols, rows). Flatten's (m, n_H n_W n_C) -> (n_H n_W n_C, m) and back. */
  transpose(x: Tensor, out: Tensor): void;

  /**
   * Max pooling: OUT[n, i, j, ch] = max over the f x f window at (i stride, j stride) of X[n, ., ., ch].
   * X is (m, h, w, c), OUT (m, outH, outW, c); g.pad is 0.
   */
  maxPoolForward(x: Tensor, out: Tensor, g: WindowGeometry): void;

  /**
   * Max pooling backward: DX = 0, then each dOut[n, i, j, ch] is added at the arg-max of its window
   * in X (the first maximum in row-major window order when values tie, as numpy's argmax). With
   * `reluMask` (X is a ReLU's output), only where X at the arg-max is > 0: DX is then already the
   * gradient of the ReLU's input, bit for bit what activationBackward would make of it.
   */
  maxPoolBackward(dOut: Tensor, x: Tensor, dx: Tensor, g: WindowGeometry, reluMask?: boolean): void;

  /** Average pooling: OUT = the mean of each f x f window (g.pad is 0). */
  avgPoolForward(x: Tensor, out: Tensor, g: WindowGeometry): void;

  /** Average pooling backward: DX = 0, then each dOut / (f f) is added to every position of its window. */
  avgPoolBackward(dOut: Tensor, dx: Tensor, g: WindowGeometry): void;

  /**
   * Zero padding: OUT (m, h + 2 pad, w + 2 pad, c) = X (m, h, w, c) surrounded by `pad` zeros on
   * n_H and n_W. With `backward`, the adjoint: DX = the interior of dOut (X is the padded tensor, OUT the small one).
   */
  zeroPad(x: Tensor, out: Tensor, m: number, h: number, w: number, c: number, pad: number, backward: boolean): void;

  /**
   * Batch normalization per channel, over the rows of Z (p, n_C) (every pixel of every example):
   * the statistics of {@link Kernels.batchNormForward} with rows and columns exchanged; all
   * vectors are (1, n_C).
   */
  channelBatchNormForward(
    z: Tensor,
    gamma: Tensor,
    beta: Tensor,
    out: Tensor,
    zhat: Tensor,
    mean: Tensor,
    invStd: Tensor,
    runningMean: Tensor,
    runningVar: Tensor,
    momentum: number,
    epsilon: number,
    training: boolean,
  ): void;

  /**
   * Batch normalization backward per channel: {@link Kernels.batchNormBackward} over the rows of
   * (p, n_C), with dGamma and dBeta divided by `m` (the examples, not the p rows) and dZ the exact
   * gradient of the per-example loss sum (the same convention as the dense kernel: dOut is not divided by m).
   */
  channelBatchNormBackward(dOut: Tensor, zhat: Tensor, gamma: Tensor, invStd: Tensor, dZ: Tensor, dGamma: Tensor, dBeta: Tensor, m: number): void;

  // --- Recurrent kernels: the pointwise part of an LSTM step, fused (the gate products stay GEMMs).

  /**
   * The LSTM cell after its gate product, in one pass: G (4 n_a, m) holds W [a<t-1>; x<t>] in the
   * stacked order [f; u; o; c~] and b (4 n_a, 1) the biases. G is overwritten with the gates:
   * Γf, Γu, Γo = σ(G + b) on the first 3 n_a rows and c~ = tanh(G + b) on the last n_a; then
   * C = Γf * C_PREV + Γu * c~, TANHC = tanh(C) and A = Γo * TANHC (all (n_a, m)).
   */
  lstmCellForward(gates: Tensor, b: Tensor, cPrev: Tensor, c: Tensor, tanhC: Tensor, a: Tensor): void;

  /**
   * The LSTM cell backward from dA = dL/da<t> and dC = dL/dc<t> (through a<t+1>), on the gates
   * G that {@link Kernels.lstmCellForward} wrote, C_PREV and TANHC: dc = dC + dA Γo (1 - TANHC^2);
   * DG (4 n_a, m) gets the gate pre-activation gradients [dΓf; dΓu; dΓo; dc~] =
   * [dc C_PREV Γf (1 - Γf); dc c~ Γu (1 - Γu); dA TANHC Γo (1 - Γo); dc Γu (1 - c~^2)] and
   * DC_PREV = dc Γf. DC_PREV may be dC.
   */
  lstmCellBackward(gates: Tensor, cPrev: Tensor, tanhC: Tensor, dA: Tensor, dC: Tensor, dG: Tensor, dCPrev: Tensor): void;

  /**
   * The GRU's gates after their product: G (2 n_a, m) holds [Wr; Wu] [c<t-1>; x<t>] and b (2 n_a, 1)
   * the biases; G becomes [Γr; Γu] = σ(G + b), and RC = Γr * C_PREV (the candidate's input, (n_a, m)).
   */
  gruGatesForward(gates: Tensor, b: Tensor, cPrev: Tensor, rc: Tensor): void;

  /**
   * The GRU's cell after the candidate's product: CC (n_a, m) holds Wc [Γr * c<t-1>; x<t>] and becomes
   * c~ = tanh(CC + b); C = C_PREV + Γu * (c~ - C_PREV). U is Γu (n_a, m).
   */
  gruCellForward(cc: Tensor, b: Tensor, u: Tensor, cPrev: Tensor, c: Tensor): void;

  /**
   * The GRU's cell backward from dC = dL/dc<t>: DCC = dC Γu (1 - c~^2) (the candidate's pre-activation
   * gradient), DU = dC (c~ - C_PREV) Γu (1 - Γu) (the update gate's) and DC_PREV = dC (1 - Γu) (the
   * direct path to c<t-1>). CC is c~, U is Γu.
   */
  gruCellBackward(dC: Tensor, u: Tensor, cc: Tensor, cPrev: Tensor, dCC: Tensor, dU: Tensor, dCPrev: Tensor): void;

  /**
   * The GRU's relevance gate backward from DRC = dL/d(Γr * c<t-1>): DR = DRC C_PREV Γr (1 - Γr) (the gate's
   * pre-activation gradient) and DRC_PREV = DRC Γr (the path to c<t-1>). DRC_PREV may be DRC.
   */
  gruGatesBackward(dRC: Tensor, r: Tensor, cPrev: Tensor, dR: Tensor, dRCPrev: Tensor): void;
}

/** A backend: kernels plus the memory they work on. */
export interface Backend extends Kernels {
  /** `'js'` for the reference TypeScript kernels, `'wasm'` for WebAssembly SIMD. */
  readonly name: string;
  /** The dtypes this backend computes in; others are handled by the reference backend. */
  readonly dtypes: readonly DType[];
  /** A zero-filled tensor in memory the kernels read without copying (wasm memory for the wasm backend). */
  zeros(shape: readonly number[], dtype: DType): Tensor;
}
