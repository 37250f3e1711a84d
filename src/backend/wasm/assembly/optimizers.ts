// Fused optimizer steps. Momentum and RMSprop run each element's update in
// f64 (two lanes at a time), rounded to float32 once on store, in the
// reference's order of operations, so the results match it bit for bit; Adam
// runs in float32 (see below).
import { load2, load4, store2, store4, width, width2 } from './lanes';

/** v = beta v + (1 - beta) dW; W -= lr v. */
export function momentumUpdate(w: usize, g: usize, v: usize, n: i32, lr: f64, beta: f64, oneMinusBeta: f64): void {
  const vb = f64x2.splat(beta);
  const vo = f64x2.splat(oneMinusBeta);
  const vl = f64x2.splat(lr);
  for (let j = 0; j < n; j += width2(j, n)) {
    const full = j + 2 <= n;
    const p = <usize>j << 2;
    const vi = f64x2.add(f64x2.mul(vb, load2(v + p, full)), f64x2.mul(vo, load2(g + p, full)));
    store2(v + p, vi, full);
    store2(w + p, f64x2.sub(load2(w + p, full), f64x2.mul(vl, vi)), full);
  }
}

/** s = beta2 s + (1 - beta2) dW^2; W -= lr dW / (sqrt(s) + eps). */
export function rmspropUpdate(w: usize, g: usize, s: usize, n: i32, lr: f64, beta2: f64, oneMinusBeta2: f64, eps: f64): void {
  const vb = f64x2.splat(beta2);
  const vo = f64x2.splat(oneMinusBeta2);
  const vl = f64x2.splat(lr);
  const ve = f64x2.splat(eps);
  for (let j = 0; j < n; j += width2(j, n)) {
    const full = j + 2 <= n;
    const p = <usize>j << 2;
    const gi = load2(g + p, full);
    const si = f64x2.add(f64x2.mul(vb, load2(s + p, full)), f64x2.mul(f64x2.mul(vo, gi), gi));
    store2(s + p, si, full);
    const step = f64x2.div(f64x2.mul(vl, gi), f64x2.add(f64x2.sqrt(si), ve));
    store2(w + p, f64x2.sub(load2(w + p, full), step), full);
  }
}

/**
 * Adam at step t: corrections c1 = 1 - beta1^t and c2 = 1 - beta2^t come
 * computed. Unlike the other steps it runs in float32, four lanes at a time,
 * with lr / c1 and 1 / c2 folded into scalars: Adam touches every parameter
 * twice per step with a divide and a square root, and in f64x2 it cost a
 * third of a small MLP's training step. It agrees with the reference to
 * float32 rounding, not bit for bit.
 */
export function adamUpdate(
  w: usize, g: usize, m: usize, v: usize, n: i32,
  lr: f64, beta1: f64, oneMinusBeta1: f64, beta2: f64, oneMinusBeta2: f64, eps: f64, c1: f64, c2: f64,
): void {
  const b1 = f32x4.splat(<f32>beta1);
  const o1 = f32x4.splat(<f32>oneMinusBeta1);
  const b2 = f32x4.splat(<f32>beta2);
  const o2 = f32x4.splat(<f32>oneMinusBeta2);
  const va = f32x4.splat(<f32>(lr / c1));
  const vr = f32x4.splat(<f32>(1 / c2));
  const ve = f32x4.splat(<f32>eps);
  // The body has no tail checks: per-lane branches there cost more than the divide.
  const body = n & ~3;
  for (let j = 0; j < body; j += 4) {
    const p = <usize>j << 2;
    adamLanes(w + p, g + p, m + p, v + p, true, b1, o1, b2, o2, va, vr, ve);
  }
  for (let j = body; j < n; j++) {
    const p = <usize>j << 2;
    adamLanes(w + p, g + p, m + p, v + p, false, b1, o1, b2, o2, va, vr, ve);
  }
}

/** Adam on four parameters at w (or one, splatted, when `full` is false). */
@inline function adamLanes(w: usize, g: usize, m: usize, v: usize, full: bool, b1: v128, o1: v128, b2: v128, o2: v128, va: v128, vr: v128, ve: v128): void {
  const gi = load4(g, full);
  const mi = f32x4.add(f32x4.mul(b1, load4(m, full)), f32x4.mul(o1, gi));
  const vi = f32x4.add(f32x4.mul(b2, load4(v, full)), f32x4.mul(f32x4.mul(o2, gi), gi));
  store4(m, mi, full);
  store4(v, vi, full);
  const step = f32x4.div(f32x4.mul(va, mi), f32x4.add(f32x4.sqrt(f32x4.mul(vi, vr)), ve));
  store4(w, f32x4.sub(load4(w, full), step), full);
}
