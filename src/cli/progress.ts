/**
 * Training progress: on a terminal, one cli-progress bar per epoch with the
 * cost, the dev metric, examples/s and the ETA; otherwise (a pipe, a file,
 * --json) plain lines, one per epoch, or nothing with --json.
 */
import cliProgress from 'cli-progress';
import type { EpochInfo } from '../train/fit.js';
import type { Io } from './commands/train.js';

export class Progress {
  private bar: cliProgress.SingleBar | null = null;
  /** Running sum and count of this epoch's costs, and the last epoch's dev figure, for the bar. */
  private costSum = 0;
  private costCount = 0;
  private lastDev = '-';

  constructor(
    private readonly io: Io,
    private readonly plain: boolean,
    private readonly epochs: number,
    private readonly batches: number,
    private readonly quiet = false,
    /** What the running cost is multiplied by to show it in the target's units (sigma^2 for standardized regression targets). */
    private readonly costScale = 1,
  ) {}

  /** Called after each iteration (0-based across the run). */
  iteration(i: number, cost: number): void {
    if (this.plain) return;
    const inEpoch = (i % this.batches) + 1;
    this.costSum += cost * this.costScale;
    this.costCount++;
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        {
          format: 'epoch {ep}/{epochs} [{bar}] {percentage}% | cost {cost} | dev {dev} | {rate} ex/s | ETA {eta_formatted}',
          barsize: 24,
          hideCursor: true,
          clearOnComplete: false,
          stopOnComplete: false,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(this.batches, 0, { ep: Math.floor(i / this.batches) + 1, epochs: this.epochs, cost: '-', dev: this.lastDev, rate: '-' });
    }
    if (inEpoch % 8 === 0 || inEpoch === this.batches) this.bar.update(inEpoch, { cost: (this.costSum / this.costCount).toFixed(4) });
  }

  /** Called after each epoch. */
  epochDone(e: EpochInfo, devMetric: number | null, metricName: string): void {
    const dev = devMetric === null ? '-' : `${metricName} ${devMetric.toFixed(4)}`;
    const rate = Number.isFinite(e.examplesPerSecond) ? Math.round(e.examplesPerSecond).toLocaleString('en-US') : '-';
    if (this.plain) {
      if (!this.quiet) this.io.err(`epoch ${e.epoch + 1}/${this.epochs}: cost ${e.cost.toFixed(4)}, dev ${dev}${e.devCost !== null ? ` (cost ${e.devCost.toFixed(4)})` : ''}, ${rate} ex/s, lr ${e.learningRate}`);
      return;
    }
    this.costSum = 0;
    this.costCount = 0;
    this.lastDev = dev;
    if (this.bar) {
      this.bar.update(this.batches, { cost: e.cost.toFixed(4), dev, rate });
      this.bar.stop();
      this.bar = null;
    }
  }

  /** Ends any bar still open. */
  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
