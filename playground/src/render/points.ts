/** Data points over a heatmap: training points with a white ring, test points with a dark one. */
import type { Domain, Points } from '../datasets.js';
import { classColor, css, signedColor } from './colors.js';

export interface PointStyle {
  ring: string;
  radius: number;
  /** For regression: the label that maps to full colour. */
  labelScale: number;
}

export function drawPoints(canvas: HTMLCanvasElement, p: Points, d: Domain, style: PointStyle): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const w = canvas.width;
  const h = canvas.height;
  const span = d.max - d.min;
  ctx.lineWidth = Math.max(1, style.radius / 3);
  ctx.strokeStyle = style.ring;
  for (let i = 0; i < p.x1.length; i++) {
    const x = ((p.x1[i]! - d.min) / span) * w;
    const y = ((d.max - p.x2[i]!) / span) * h;
    const label = p.label[i]!;
    ctx.fillStyle = p.classes === 1 ? css(signedColor(label / style.labelScale)) : css(classColor(label));
    ctx.beginPath();
    ctx.arc(x, y, style.radius, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
}
