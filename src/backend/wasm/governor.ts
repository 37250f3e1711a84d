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
 *   of their work, and runs each window in the mode whose recent windows
 *   were cheaper; every EXPLORE_EVERY-th window runs the other mode, so a
 *   change in the machine is noticed. A mode's cost is the cheapest of its
 *   last RECENT windows: one window slowed by a hiccup of the host (or a
 *   pause in the program) moves nothing, a busy core that stays busy does
 *   within RECENT windows, and a core that is free again shows at the next
 *   exploring window. The first 2 x RECENT windows alternate between the
 *   modes, so that neither is judged by a window that warmed up the
 *   program (measured: a cold first shared window cost 3x a warm one and
 *   kept MNIST on one thread for its first epoch). A window, not a kernel,
 *   is the unit because the first share after a run on one thread pays for
 *   waking the worker (40-60 us), which a single kernel's timing would
 *   blame on sharing.
 */
const PAUSE_FACTOR = 4;
const MAX_STRIKES = 64;
/** Eligible kernels per window (about 8 MNIST training steps). */
const WINDOW_CALLS = 48;
/** Every this-many-th window runs the mode that looks slower (costing ~1% where sharing is 1.4x faster). */
const EXPLORE_EVERY = 32;
/** Windows per mode whose cheapest is the mode's cost. */
const RECENT = 4;

/** The governor's sense of time; tests replace it. */
export type Clock = () => number;

export class ShareGovernor {
  private until = -Infinity;
  private strikes = 1;
  /** Wall milliseconds per unit of work of the last RECENT windows run shared, and on one thread (NaN: none yet). */
  private readonly sharedWindows = new Float64Array(RECENT).fill(NaN);
  private readonly soloWindows = new Float64Array(RECENT).fill(NaN);
  private sharedCount = 0;
  private soloCount = 0;
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

  /** What windows of each mode have cost lately: the cheapest of the last few, NaN when none ran (tests and diagnostics). */
  costs(): { readonly shared: number; readonly solo: number } {
    return { shared: cheapest(this.sharedWindows), solo: cheapest(this.soloWindows) };
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
    if (this.windowShares) this.sharedWindows[this.sharedCount++ % RECENT] = sample;
    else this.soloWindows[this.soloCount++ % RECENT] = sample;
    this.windows++;
    this.inWindow = 0;
    this.windowWork = 0;
    if (this.windows < 2 * RECENT) {
      this.windowShares = this.windows % 2 === 0;
      return;
    }
    // Not through costs(): nothing here allocates (this runs inside training steps).
    const shareLooksFaster = cheapest(this.sharedWindows) <= cheapest(this.soloWindows);
    this.windowShares = this.windows % EXPLORE_EVERY === 0 ? !shareLooksFaster : shareLooksFaster;
  }
}

/** The smallest of the measured values (NaN when there are none). */
function cheapest(windows: Float64Array): number {
  let best = NaN;
  for (const w of windows) if (!Number.isNaN(w) && !(best <= w)) best = w;
  return best;
}
