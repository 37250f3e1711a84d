/**
 * Whether sharing GEMMs with the worker has been paying lately. On a busy
 * machine (more runnable threads than cores, as in parallel test runs) the
 * worker can be descheduled holding a chunk, and the main thread then waits
 * longer than doing that chunk itself would have taken. After such a GEMM
 * the governor keeps the next few on one thread, doubling the pause each
 * time it happens again and halving it when sharing pays; results are
 * bit-identical either way, only the timing changes.
 */
const MIN_PAUSE = 8;
const MAX_PAUSE = 1024;

export class ShareGovernor {
  private skip = 0;
  private pause = MIN_PAUSE;
  /** False makes every eligible GEMM shared (tests that must see the worker used). */
  adaptive = true;

  /** Whether to share the next eligible GEMM. */
  shouldShare(): boolean {
    if (!this.adaptive || this.skip === 0) return true;
    this.skip--;
    return false;
  }

  /**
   * Records a shared GEMM: our chunks took `ownMs` for `mine` chunks, then we
   * waited `waitMs` for the worker's `theirs` chunks.
   */
  record(ownMs: number, mine: number, waitMs: number, theirs: number): void {
    // What the worker's chunks would have cost us, at our own pace.
    const alone = mine > 0 ? (ownMs / mine) * theirs : 0;
    if (theirs > 0 && waitMs > alone) {
      this.skip = this.pause;
      this.pause = Math.min(MAX_PAUSE, this.pause * 2);
    } else {
      this.pause = Math.max(MIN_PAUSE, this.pause >> 1);
    }
  }
}
