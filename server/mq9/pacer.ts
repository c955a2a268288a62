/**
 * Paces the work the broker does for subscribers out of the store (owner replays,
 * latest-state snapshots), so that it never holds the event loop for long: however many
 * subscriptions start at once (every owner reconnecting after a restart), the broker
 * reads its other clients between slices of it. Jobs queue here and run for at most
 * SLICE_MS per turn of the event loop; a long job checks `spent` and queues its rest.
 */
const SLICE_MS = 5;

export class Pacer {
  private queue: (() => void)[] = [];
  private scheduled = false;
  private sliceEnd = 0;

  /** Runs `fn` in a slice to come: after the read being handled, like setImmediate. */
  run(fn: () => void): void {
    this.queue.push(fn);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.slice);
  }

  /** Whether the running slice has used its time (always, outside a slice). */
  get spent(): boolean {
    return performance.now() >= this.sliceEnd;
  }

  private readonly slice = (): void => {
    this.sliceEnd = performance.now() + SLICE_MS;
    const jobs = this.queue;
    this.queue = [];
    let i = 0;
    try {
      while (i < jobs.length && !this.spent) jobs[i++]!();
    } finally {
      // Even past a job that threw, the others keep their turns.
      this.sliceEnd = 0;
      // What did not get its turn goes first next time; what the jobs queued, after it.
      if (i < jobs.length) this.queue = jobs.slice(i).concat(this.queue);
      if (this.queue.length > 0) setImmediate(this.slice);
      else this.scheduled = false;
    }
  };
}
