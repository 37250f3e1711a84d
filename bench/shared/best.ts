/** Picking each variant's best round (bench/run.ts --rounds). */
import type { ChildResult } from './types.js';

/**
 * Whether `r` beats `best` (undefined: nothing yet): a result that ran beats
 * one that did not; otherwise more examples/s (MNIST, CNN) or fewer seconds
 * (planar) wins, and a tie keeps the earlier one.
 *
 * @example
 * better(fastRun, slowRun); // true
 */
export function better(r: ChildResult, best: ChildResult | undefined): boolean {
  if (!best) return true;
  if (!best.ok) return r.ok;
  if (!r.ok) return false;
  if (r.workload === 'mnist' && best.workload === 'mnist') return r.examplesPerSecond > best.examplesPerSecond;
  if (r.workload === 'planar' && best.workload === 'planar') return r.seconds < best.seconds;
  if (r.workload === 'cnn' && best.workload === 'cnn') return r.examplesPerSecond > best.examplesPerSecond;
  return false;
}
