// The pointwise parts of the LSTM and GRU steps, fused. LSTM: four gate nonlinearities, the
// cell update and a = Γo * tanh(c) in one pass over four float32 lanes, and
// the backward pass in another. GRU: the gates and Γr * c_prev in one pass,
// the candidate and the cell update in another (the candidate's GEMM sits
// between them), and two passes back. The gate products themselves are GEMMs.
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

/** G (2 nA, m) = [Wr; Wu] [c_prev; x_t] and b (2 nA): G becomes [Γr; Γu], RC = Γr * C_PREV. */
export function gruGatesForward(g: usize, b: usize, cPrev: usize, rc: usize, nA: i32, m: i32): void {
  const block = <usize>nA * <usize>m << 2;
  const bBlock = <usize>nA << 2;
  for (let i = 0; i < nA; i++) {
    const row = <usize>i * <usize>m << 2;
    const pb = b + (<usize>i << 2);
    const br = v128.load32_splat(pb);
    const bu = v128.load32_splat(pb + bBlock);
    for (let j = 0; j < m; j += width(j, m)) {
      const full = j + 4 <= m;
      const p = row + (<usize>j << 2);
      const r = sigmoidV(f32x4.add(load4(g + p, full), br));
      store4(g + p, r, full);
      store4(g + block + p, sigmoidV(f32x4.add(load4(g + block + p, full), bu)), full);
      store4(rc + p, f32x4.mul(r, load4(cPrev + p, full)), full);
    }
  }
}

/** CC (nA, m) = Wc [Γr * c_prev; x_t] becomes c~ = tanh(CC + b); C = C_PREV + Γu * (c~ - C_PREV). */
export function gruCellForward(cc: usize, b: usize, u: usize, cPrev: usize, c: usize, nA: i32, m: i32): void {
  for (let i = 0; i < nA; i++) {
    const row = <usize>i * <usize>m << 2;
    const bc = v128.load32_splat(b + (<usize>i << 2));
    for (let j = 0; j < m; j += width(j, m)) {
      const full = j + 4 <= m;
      const p = row + (<usize>j << 2);
      const t = tanhV(f32x4.add(load4(cc + p, full), bc));
      store4(cc + p, t, full);
      const prev = load4(cPrev + p, full);
      store4(c + p, f32x4.add(prev, f32x4.mul(load4(u + p, full), f32x4.sub(t, prev))), full);
    }
  }
}

/** DCC = dC Γu (1 - c~^2), DU = dC (c~ - C_PREV) Γu (1 - Γu), DC_PREV = dC (1 - Γu), over n values. */
export function gruCellBackward(dC: usize, u: usize, cc: usize, cPrev: usize, dCC: usize, dU: usize, dCPrev: usize, n: i32): void {
  const one = f32x4.splat(1);
  for (let j = 0; j < n; j += width(j, n)) {
    const full = j + 4 <= n;
    const p = <usize>j << 2;
    const dc = load4(dC + p, full);
    const g = load4(u + p, full);
    const c = load4(cc + p, full);
    const notG = f32x4.sub(one, g);
    store4(dCC + p, f32x4.mul(f32x4.mul(dc, g), f32x4.sub(one, f32x4.mul(c, c))), full);
    store4(dU + p, f32x4.mul(f32x4.mul(f32x4.mul(dc, f32x4.sub(c, load4(cPrev + p, full))), g), notG), full);
    store4(dCPrev + p, f32x4.mul(dc, notG), full);
  }
}

/** DR = DRC C_PREV Γr (1 - Γr), DRC_PREV = DRC Γr (may be DRC), over n values. */
export function gruGatesBackward(dRC: usize, r: usize, cPrev: usize, dR: usize, dRCPrev: usize, n: i32): void {
  const one = f32x4.splat(1);
  for (let j = 0; j < n; j += width(j, n)) {
    const full = j + 4 <= n;
    const p = <usize>j << 2;
    const d = load4(dRC + p, full);
    const g = load4(r + p, full);
    store4(dR + p, f32x4.mul(f32x4.mul(f32x4.mul(d, load4(cPrev + p, full)), g), f32x4.sub(one, g)), full);
    store4(dRCPrev + p, f32x4.mul(d, g), full);
  }
}
