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

export function drawChart(canvas: HTMLCanvasElement, points: readonly CurvePoint[], showTest: boolean): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const w = canvas.width;
  const h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  if (points.length < 2) return;
  let max = 0;
  for (const p of points) {
    for (const v of [p.train, p.dev, showTest ? p.test : null]) if (v !== null && Number.isFinite(v)) max = Math.max(max, v);
  }
  if (max <= 0) max = 1;
  const first = points[0]!.epoch;
  const span = Math.max(1, points.at(-1)!.epoch - first);
  const pad = 2 * (window.devicePixelRatio || 1);
  ctx.lineWidth = 1.5 * (window.devicePixelRatio || 1);
  for (const s of SERIES) {
    if (s.key === 'test' && !showTest) continue;
    ctx.strokeStyle = s.color;
    ctx.beginPath();
    let started = false;
    for (const p of points) {
      const v = p[s.key];
      if (v === null || !Number.isFinite(v)) continue;
      const x = ((p.epoch - first) / span) * (w - 2 * pad) + pad;
      const y = h - pad - (v / max) * (h - 2 * pad);
      if (started) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      started = true;
    }
    ctx.stroke();
  }
}
