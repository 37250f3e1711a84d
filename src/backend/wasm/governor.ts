/**
 * Whether sharing kernels with the worker has been paying lately. Two
 * mechanisms, both only about timing (results are bit-identical either way):
 *
 * - Stalls. On a busy machine (more runnable threads than cores, as in
 *   parallel test runs, or a virtual machine whose host deschedules a core)
 *   the worker can stall holding a chunk, and the main thread then waits
 *   longer than doing that chunk itself would have taken. After such a task
 *   the governor keeps the kernels on one thread for a while: PAUSE_FACTOR
 *   times the time lost, doubled for each loss that follows within that
 *   while (up to MAX_STRIKES), halved back each time sharing pays.
 * - Throughput. When another process keeps a core busy, no single share
 *   need stall, yet two threads can lose overall: three runnable threads on
 *   two cores give each about two thirds of one, so the shared kernels gain
 *   little and everything between them slows down (measured on 2 cores with
 *   a busy loop in a third process: MNIST training at 57-74k examples/s on
 *   two threads against 77-83k on one). Kernel timings alone cannot see
 *   that, so the governor times whole windows of WINDOW_CALLS eligible
 *   kernels, wall clock from the first to the next window's first, per unit
 *   of their work, and runs each window in the mode whose windows have been
 *   cheaper; every EXPLORE_EVERY-th window runs the other mode, so a change
 *   in the machine is noticed. A window, not a kernel, is the unit because
 *   the first share after a run on one thread pays for waking the worker
 *   (40-60 us), which a single kernel's timing would blame on sharing.
 */
const PAUSE_FACTOR = 4;
const MAX_STRIKES = 64;
/** Eligible kernels per window (about 8 MNIST training steps). */
export const WINDOW_CALLS = 48;
/** Every this-many-th window runs the mode that looks slower (costing ~1% where sharing is 1.3x faster). */
export const EXPLORE_EVERY = 16;
/** Weight of a new window in its mode's running cost. */
const SMOOTHING = 0.25;
/** A window is counted as at most this many times its mode's running cost (the program may have paused inside it). */
const OUTLIER = 2;

/** The governor's sense of time; tests replace it. */
export type Clock = () => number;

export class ShareGovernor {
  private until = -Infinity;
  private strikes = 1;
  /** Wall milliseconds per unit of work, over windows run shared and on one thread; NaN until measured. */
  private sharedCost = NaN;
  private soloCost = NaN;
  private windowShares = true;
  private windowStart = 0;
  private inWindow = 0;
  private windowWork = 0;
  private windows = 0;
  /** False makes every eligible kernel shared (tests that must see the worker used). */
  adaptive = true;

  /**
   * @param now the clock (tests move one by hand)
   * @param windowCalls eligible kernels per window (tests shorten it, or make it Infinity to see the stalls alone)
   */
  constructor(
    private readonly now: Clock = () => performance.now(),
    private readonly windowCalls: number = WINDOW_CALLS,
  ) {}

  /**
   * Whether to share the next eligible kernel, of `work` units (multiply-adds
   * for a GEMM, values for an update).
   */
  shouldShare(work: number): boolean {
    if (!this.adaptive) return true;
    const t = this.now();
    if (this.inWindow === this.windowCalls) this.closeWindow(t);
    if (this.inWindow === 0) this.windowStart = t;
    this.inWindow++;
    this.windowWork += work;
    return this.windowShares && t >= this.until;
  }

  /** The mode windows of each kind have cost lately (tests and diagnostics). */
  costs(): { readonly shared: number; readonly solo: number } {
    return { shared: this.sharedCost, solo: this.soloCost };
  }

  /**
   * Records a shared task: our chunks took `ownMs` for `mine` chunks, then we
   * waited `waitMs` for the worker's `theirs` chunks.
   */
  record(ownMs: number, mine: number, waitMs: number, theirs: number): void {
    // What the worker's chunks would have cost us, at our own pace.
    const alone = mine > 0 ? (ownMs / mine) * theirs : 0;
    const lost = waitMs - alone;
    if (theirs > 0 && lost > 0) {
      this.until = this.now() + PAUSE_FACTOR * lost * this.strikes;
      this.strikes = Math.min(MAX_STRIKES, this.strikes * 2);
    } else {
      this.strikes = Math.max(1, this.strikes >> 1);
    }
  }

  private closeWindow(t: number): void {
    const sample = (t - this.windowStart) / Math.max(1, this.windowWork);
    if (this.windowShares) this.sharedCost = blend(this.sharedCost, sample);
    else this.soloCost = blend(this.soloCost, sample);
    this.windows++;
    this.inWindow = 0;
    this.windowWork = 0;
    // Measure each mode once before comparing.
    if (Number.isNaN(this.soloCost)) {
      this.windowShares = Number.isNaN(this.sharedCost);
      return;
    }
    const shareLooksFaster = this.sharedCost <= this.soloCost;
    this.windowShares = this.windows % EXPLORE_EVERY === 0 ? !shareLooksFaster : shareLooksFaster;
  }
}

/**
 * A mode's running cost after a new window: a cheaper window is taken as it
 * is (nothing makes a window spuriously fast; this host's slow spells and
 * pauses in the program only make them slow), a dearer one moves the cost a
 * SMOOTHING share of the way, counted at most OUTLIER times the cost. The
 * first window sets it.
 */
function blend(cost: number, sample: number): number {
  if (Number.isNaN(cost) || sample <= cost) return sample;
  return cost + SMOOTHING * (Math.min(sample, OUTLIER * cost) - cost);
}
