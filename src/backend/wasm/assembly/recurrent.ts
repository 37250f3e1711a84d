// The pointwise part of an LSTM step, fused: four gate nonlinearities, the
// cell update and a = Γo * tanh(c) in one pass over four float32 lanes, and
// the backward pass in another. The gate product itself is a GEMM.
import { sigmoidV, tanhV } from './math';
import { load4, store4, width } from './lanes';

/**
 * G (4 nA, m) = W [a_prev; x_t] in rows [f; u; o; c~] and b (4 nA): G becomes the gates,
 * C = Γf * C_PREV + Γu * c~, TANHC = tanh(C), A = Γo * TANHC.
 */
export function lstmCellForward(g: usize, b: usize, cPrev: usize, c: usize, tanhC: usize, a: usize, nA: i32, m: i32): void {
  const block = <usize>nA * <usize>m << 2;
  const bBlock = <usize>nA << 2;
  for (let i = 0; i < nA; i++) {
    const row = <usize>i * <usize>m << 2;
    const pb = b + (<usize>i << 2);
    const bf = v128.load32_splat(pb);
    const bu = v128.load32_splat(pb + bBlock);
    const bo = v128.load32_splat(pb + 2 * bBlock);
    const bc = v128.load32_splat(pb + 3 * bBlock);
    for (let j = 0; j < m; j += width(j, m)) {
      const full = j + 4 <= m;
      const p = row + (<usize>j << 2);
      const gf = g + p;
      const f = sigmoidV(f32x4.add(load4(gf, full), bf));
      const u = sigmoidV(f32x4.add(load4(gf + block, full), bu));
      const o = sigmoidV(f32x4.add(load4(gf + 2 * block, full), bo));
      const cc = tanhV(f32x4.add(load4(gf + 3 * block, full), bc));
      store4(gf, f, full);
      store4(gf + block, u, full);
      store4(gf + 2 * block, o, full);
      store4(gf + 3 * block, cc, full);
      const cn = f32x4.add(f32x4.mul(f, load4(cPrev + p, full)), f32x4.mul(u, cc));
      store4(c + p, cn, full);
      const t = tanhV(cn);
      store4(tanhC + p, t, full);
      store4(a + p, f32x4.mul(o, t), full);
    }
  }
}

/**
 * From dA and dC (n = nA m values each): dc = dC + dA Γo (1 - TANHC^2); DG (4 n) =
 * [dc C_PREV Γf (1 - Γf); dc c~ Γu (1 - Γu); dA TANHC Γo (1 - Γo); dc Γu (1 - c~^2)];
 * DC_PREV = dc Γf (may be dC: each lane reads before it writes).
 */
export function lstmCellBackward(g: usize, cPrev: usize, tanhC: usize, dA: usize, dC: usize, dG: usize, dCPrev: usize, n: i32): void {
  const block = <usize>n << 2;
  const one = f32x4.splat(1);
  for (let j = 0; j < n; j += width(j, n)) {
    const full = j + 4 <= n;
    const p = <usize>j << 2;
    const gp = g + p;
    const f = load4(gp, full);
    const u = load4(gp + block, full);
    const o = load4(gp + 2 * block, full);
    const cc = load4(gp + 3 * block, full);
    const t = load4(tanhC + p, full);
    const da = load4(dA + p, full);
    const dc = f32x4.add(load4(dC + p, full), f32x4.mul(f32x4.mul(da, o), f32x4.sub(one, f32x4.mul(t, t))));
    const dp = dG + p;
    store4(dp, f32x4.mul(f32x4.mul(f32x4.mul(dc, load4(cPrev + p, full)), f), f32x4.sub(one, f)), full);
    store4(dp + block, f32x4.mul(f32x4.mul(f32x4.mul(dc, cc), u), f32x4.sub(one, u)), full);
    store4(dp + 2 * block, f32x4.mul(f32x4.mul(f32x4.mul(da, t), o), f32x4.sub(one, o)), full);
    store4(dp + 3 * block, f32x4.mul(f32x4.mul(dc, u), f32x4.sub(one, f32x4.mul(cc, cc))), full);
    store4(dCPrev + p, f32x4.mul(dc, f), full);
  }
}
