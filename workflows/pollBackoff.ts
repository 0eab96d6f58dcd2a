import type { PollTiming } from '../domain/requests';

/**
 * The wait between two looks at Ping: starts at `pollInitialMs` (or sooner where a first look should
 * come soon), doubles after every silent look up to `pollMaxMs`, and starts again when Ping has just
 * spoken (a callback), since the next silence is measured from there.
 */
export class PollBackoff {
  private delayMs: number;

  constructor(
    private readonly timing: PollTiming,
    firstMs = timing.pollInitialMs,
  ) {
    this.delayMs = firstMs;
  }

  get currentMs(): number {
    return this.delayMs;
  }

  /** After a look: `woken` when a callback (not the timer) brought it. */
  next(woken = false): void {
    this.delayMs = woken ? this.timing.pollInitialMs : Math.min(this.delayMs * 2, this.timing.pollMaxMs);
  }
}
