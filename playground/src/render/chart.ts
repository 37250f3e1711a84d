/**
 * The live cost curves. History is kept decimated to a bounded number of
 * points (every other point is dropped when full), so drawing stays cheap
 * however long training runs, and the whole run stays visible.
 */

export interface CurvePoint {
  epoch: number;
  train: number;
  dev: number;
  test: number | null;
}

const MAX_POINTS = 400;

export class CurveHistory {
  points: CurvePoint[] = [];
  private stride = 1;
  private seen = 0;

  clear(): void {
    this.points = [];
    this.stride = 1;
    this.seen = 0;
  }

  add(p: CurvePoint): void {
    const last = this.points.at(-1);
    if (last && last.epoch === p.epoch) {
      this.points[this.points.length - 1] = p;
      return;
    }
    if (this.seen++ % this.stride !== 0) return;
    this.points.push(p);
    if (this.points.length > MAX_POINTS) {
      this.points = this.points.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }
}

export const SERIES = [
  { key: 'train', label: 'train', color: '#222' },
  { key: 'dev', label: 'dev', color: '#0877bd' },
  { key: 'test', label: 'test', color: '#b0b0b0' },
] as const;

/** What the chart shows: the y range (log scale), whether spikes were clipped, the ticks drawn. */
export interface ChartView {
  log: boolean;
  yMin: number;
  yMax: number;
  /** True when some cost is above yMax and drawn at the top edge. */
  clipped: boolean;
  xTicks: number[];
  yTicks: number[];
}

/** Values above this many times the 90th percentile are clipped: one spike must not flatten the rest of the curve. */
const CLIP_FACTOR = 10;

/** The y range of the costs on a log scale, clipping a spike far above the typical values. */
export function chartRange(values: readonly number[]): { yMin: number; yMax: number; clipped: boolean } {
  const v = values.filter((x) => Number.isFinite(x) && x > 0).sort((a, b) => a - b);
  if (v.length === 0) return { yMin: 0.1, yMax: 1, clipped: false };
  const hi = v.at(-1)!;
  const p90 = v[Math.min(v.length - 1, Math.floor(0.9 * v.length))]!;
  const ceiling = p90 * CLIP_FACTOR;
  const clipped = hi > ceiling;
  let yMax = (clipped ? ceiling : hi) * 1.15;
  let yMin = Math.max(v[0]! / 1.15, yMax * 1e-6);
  if (yMax / yMin < 10) {
    // A nearly flat curve: at least one decade, centred on the values, so noise does not look like a cliff.
    const mid = Math.sqrt(yMax * yMin);
    yMin = mid / Math.sqrt(10);
    yMax = mid * Math.sqrt(10);
  }
  return { yMin, yMax, clipped };
}

/** Up to `max` round steps (1, 2, 5 x 10^k) from 0 to `last`. */
export function epochTicks(first: number, last: number, max = 5): number[] {
  const span = Math.max(1, last - first);
  let step = 1;
  for (const k of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6]) {
    step = k;
    if (span / k <= max - 1) break;
  }
  const ticks: number[] = [];
  for (let t = Math.ceil(first / step) * step; t <= last; t += step) ticks.push(t);
  return ticks;
}

/** Powers of ten inside [lo, hi]; with fewer than two, the 2s and 5s between them too. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (const mantissas of [[1], [1, 2, 5], [1, 1.5, 2, 3, 5, 7]]) {
    out.length = 0;
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of mantissas) {
        const t = m * 10 ** e;
        if (t >= lo && t <= hi) out.push(Number(t.toPrecision(3)));
      }
    }
    if (out.length >= 2) break;
  }
  return out;
}

function tickLabel(v: number): string {
  if (v >= 1e4 || v < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(2)));
}

/** Cost curves on a log y axis with epoch and cost ticks; returns what it drew. */
export function drawChart(canvas: HTMLCanvasElement, points: readonly CurvePoint[], showTest: boolean): ChartView {
  const ctx = canvas.getContext('2d');
  const empty: ChartView = { log: true, yMin: 0.1, yMax: 1, clipped: false, xTicks: [], yTicks: [] };
  if (!ctx) return empty;
  const w = canvas.width;
  const h = canvas.height;
  const dpr = canvas.width / Math.max(1, canvas.clientWidth || canvas.width);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.scale(dpr, dpr);
  const W = w / dpr;
  const H = h / dpr;
  const left = 38;
  const right = 8;
  const top = 6;
  const bottom = 18;
  const values: number[] = [];
  for (const p of points) for (const v of [p.train, p.dev, showTest ? p.test : null]) if (v !== null) values.push(v);
  const { yMin, yMax, clipped } = chartRange(values);
  const first = points[0]?.epoch ?? 0;
  const last = Math.max(first + 1, points.at(-1)?.epoch ?? 1);
  const xOf = (epoch: number) => left + ((epoch - first) / (last - first)) * (W - left - right);
  const ly0 = Math.log(yMin);
  const ly1 = Math.log(yMax);
  const yOf = (v: number) => top + (1 - (Math.log(Math.min(yMax, Math.max(yMin, v))) - ly0) / (ly1 - ly0)) * (H - top - bottom);

  // Axes, ticks and grid lines.
  const xTicks = points.length >= 2 ? epochTicks(first, last) : [];
  const yTicks = points.length >= 2 ? logTicks(yMin, yMax) : [];
  ctx.font = '10px system-ui, sans-serif';
  ctx.fillStyle = '#666c73';
  ctx.strokeStyle = '#e6e8ea';
  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of yTicks) {
    const y = Math.round(yOf(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(W - right, y);
    ctx.stroke();
    ctx.fillText(tickLabel(t), left - 4, y);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of xTicks) ctx.fillText(String(t), Math.min(W - right - 8, Math.max(left + 6, xOf(t))), H - bottom + 4);
  ctx.strokeStyle = '#9aa0a6';
  ctx.beginPath();
  ctx.moveTo(left + 0.5, top);
  ctx.lineTo(left + 0.5, H - bottom + 0.5);
  ctx.lineTo(W - right, H - bottom + 0.5);
  ctx.stroke();
  if (points.length < 2) return { log: true, yMin, yMax, clipped, xTicks, yTicks };

  ctx.lineWidth = 1.5;
  for (const s of SERIES) {
    if (s.key === 'test' && !showTest) continue;
    ctx.strokeStyle = s.color;
    ctx.beginPath();
    let started = false;
    for (const p of points) {
      const v = p[s.key];
      if (v === null || !Number.isFinite(v)) continue;
      const x = xOf(p.epoch);
      const y = yOf(v);
      if (started) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      started = true;
    }
    ctx.stroke();
  }
  if (clipped) {
    // Clipped spikes: a small red mark on the top edge.
    ctx.fillStyle = '#b3261e';
    for (const p of points) if (p.train > yMax || p.dev > yMax) ctx.fillRect(xOf(p.epoch) - 1.5, top - 2, 3, 4);
  }
  return { log: true, yMin, yMax, clipped, xTicks, yTicks };
}
