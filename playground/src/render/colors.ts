/**
 * The colour scale TensorFlow Playground taught people to read: orange for
 * negative (class 0), blue for positive (class 1), near-white around zero.
 * Extra classes of a softmax output get green and purple.
 */

export type Rgb = readonly [number, number, number];

export const NEGATIVE: Rgb = [245, 147, 34];
export const NEUTRAL: Rgb = [232, 234, 235];
export const POSITIVE: Rgb = [8, 119, 189];
export const CLASS_COLORS: readonly Rgb[] = [NEGATIVE, POSITIVE, [44, 162, 95], [136, 86, 167]];

export function mix(a: Rgb, b: Rgb, t: number): [number, number, number] {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** v in [-1, 1] (clamped) to the orange-white-blue scale. */
export function signedColor(v: number): [number, number, number] {
  const c = Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0;
  return c < 0 ? mix(NEUTRAL, NEGATIVE, -c) : mix(NEUTRAL, POSITIVE, c);
}

export function css(c: Rgb, alpha = 1): string {
  return alpha === 1 ? `rgb(${c[0] | 0}, ${c[1] | 0}, ${c[2] | 0})` : `rgba(${c[0] | 0}, ${c[1] | 0}, ${c[2] | 0}, ${alpha})`;
}

export function classColor(k: number): Rgb {
  return CLASS_COLORS[k % CLASS_COLORS.length]!;
}
