// Fused optimizer steps. Like the reference kernels, each element's update
// runs in f64 (two lanes at a time) and is rounded to float32 once on store,
// in the reference's order of operations, so the results match it.
import { load2, store2, width2 } from './lanes';

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

/** Adam at step t: corrections c1 = 1 - beta1^t and c2 = 1 - beta2^t come computed. */
export function adamUpdate(
  w: usize, g: usize, m: usize, v: usize, n: i32,
  lr: f64, beta1: f64, oneMinusBeta1: f64, beta2: f64, oneMinusBeta2: f64, eps: f64, c1: f64, c2: f64,
): void {
  const b1 = f64x2.splat(beta1);
  const o1 = f64x2.splat(oneMinusBeta1);
  const b2 = f64x2.splat(beta2);
  const o2 = f64x2.splat(oneMinusBeta2);
  const vl = f64x2.splat(lr);
  const ve = f64x2.splat(eps);
  const vc1 = f64x2.splat(c1);
  const vc2 = f64x2.splat(c2);
  for (let j = 0; j < n; j += width2(j, n)) {
    const full = j + 2 <= n;
    const p = <usize>j << 2;
    const gi = load2(g + p, full);
    const mi = f64x2.add(f64x2.mul(b1, load2(m + p, full)), f64x2.mul(o1, gi));
    const vi = f64x2.add(f64x2.mul(b2, load2(v + p, full)), f64x2.mul(f64x2.mul(o2, gi), gi));
    store2(m + p, mi, full);
    store2(v + p, vi, full);
    const step = f64x2.div(f64x2.mul(vl, f64x2.div(mi, vc1)), f64x2.add(f64x2.sqrt(f64x2.div(vi, vc2)), ve));
    store2(w + p, f64x2.sub(load2(w + p, full), step), full);
  }
}
