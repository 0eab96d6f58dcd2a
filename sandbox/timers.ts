/**
 * Every timer the sandbox starts goes through here, so `close()` and `reset` can stop all of them and
 * nothing fires into a torn-down store (or keeps jest alive).
 */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();

  after(ms: number, fn: () => void): NodeJS.Timeout {
    const handle = setTimeout(() => {
      this.pending.delete(handle);
      fn();
    }, ms);
    this.pending.add(handle);
    return handle;
  }

  cancel(handle: NodeJS.Timeout): void {
    clearTimeout(handle);
    this.pending.delete(handle);
  }

  /** Resolves after `ms`, or at once when the timers are cleared (a request then finishes instead of hanging). */
  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const handle = this.after(ms, () => {
        this.sleepers.delete(handle);
        resolve();
      });
      this.sleepers.set(handle, resolve);
    });
  }

  clear(): void {
    for (const handle of this.pending) clearTimeout(handle);
    this.pending.clear();
    const wakers = [...this.sleepers.values()];
    this.sleepers.clear();
    for (const wake of wakers) wake();
  }
}
