/**
 * Fused optimizer updates: each reads the gradient once and writes the state
 * and the parameter in the same pass, instead of a chain of elementwise
 * kernels that would walk the tensor four or five times.
 *
 * Each element's arithmetic runs in float64 and is rounded once on store, so a
 * float32 update is as close to the exact formula as float32 storage allows.
 */
import type { Tensor } from '../../tensor/tensor.js';

/** v = beta v + (1 - beta) dW; W -= lr v. */
export function momentumUpdate(param: Tensor, grad: Tensor, v: Tensor, learningRate: number, beta: number): void {
  const W = param.data;
  const G = grad.data;
  const V = v.data;
  const oneMinusBeta = 1 - beta;
  for (let i = 0; i < W.length; i++) {
    const vi = beta * (V[i] as number) + oneMinusBeta * (G[i] as number);
    V[i] = vi;
    W[i] = (W[i] as number) - learningRate * vi;
  }
}

/** s = beta2 s + (1 - beta2) dW^2; W -= lr dW / (sqrt(s) + eps). */
export function rmspropUpdate(param: Tensor, grad: Tensor, s: Tensor, learningRate: number, beta2: number, epsilon: number): void {
  const W = param.data;
  const G = grad.data;
  const S = s.data;
  const oneMinusBeta2 = 1 - beta2;
  for (let i = 0; i < W.length; i++) {
    const g = G[i] as number;
    const si = beta2 * (S[i] as number) + oneMinusBeta2 * g * g;
    S[i] = si;
    W[i] = (W[i] as number) - (learningRate * g) / (Math.sqrt(si) + epsilon);
  }
}

/** Adam with bias correction at step t (from 1). */
export function adamUpdate(
  param: Tensor,
  grad: Tensor,
  m: Tensor,
  v: Tensor,
  learningRate: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  step: number,
): void {
  const W = param.data;
  const G = grad.data;
  const M = m.data;
  const V = v.data;
  const oneMinusBeta1 = 1 - beta1;
  const oneMinusBeta2 = 1 - beta2;
  // The corrections are per step, not per element: hoisted out of the loop.
  const correction1 = 1 - Math.pow(beta1, step);
  const correction2 = 1 - Math.pow(beta2, step);
  for (let i = 0; i < W.length; i++) {
    const g = G[i] as number;
    const mi = beta1 * (M[i] as number) + oneMinusBeta1 * g;
    const vi = beta2 * (V[i] as number) + oneMinusBeta2 * g * g;
    M[i] = mi;
    V[i] = vi;
    W[i] = (W[i] as number) - (learningRate * (mi / correction1)) / (Math.sqrt(vi / correction2) + epsilon);
  }
}
