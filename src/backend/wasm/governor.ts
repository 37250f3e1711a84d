/**
 * Whether sharing kernels with the worker has been paying lately. On a busy
 * machine (more runnable threads than cores, as in parallel test runs, or a
 * virtual machine whose host deschedules a core) the worker can stall
 * holding a chunk, and the main thread then waits longer than doing that
 * chunk itself would have taken. After such a task the governor keeps the
 * kernels on one thread for a while: PAUSE_FACTOR times the time lost,
 * doubled for each loss that follows within that while (up to MAX_STRIKES),
 * halved back each time sharing pays. Losing time is thus capped at a small
 * fraction of the run during a bad spell, while a single hiccup costs
 * almost nothing. Results are bit-identical either way, only the timing
 * changes.
 */
const PAUSE_FACTOR = 4;
const MAX_STRIKES = 64;

/** The governor's sense of time; tests replace it. */
export type Clock = () => number;

export class ShareGovernor {
  private until = -Infinity;
  private strikes = 1;
  /** False makes every eligible kernel shared (tests that must see the worker used). */
  adaptive = true;

  constructor(private readonly now: Clock = () => performance.now()) {}

  /** Whether to share the next eligible kernel. */
  shouldShare(): boolean {
    return !this.adaptive || this.now() >= this.until;
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
}
