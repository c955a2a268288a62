/**
 * Removes the messages of mailboxes that expired or were deleted, a batch per turn of the
 * event loop, so that a full mailbox (10 000 messages, some dead-lettered) never blocks
 * the broker for the hundreds of milliseconds one statement would take (mq9.md §10).
 * The mailbox itself is gone at once; its leftover rows are invisible meanwhile, since
 * every read starts from the live mailboxes. Work left at a crash resumes at start-up.
 */
import type { MailStore } from "../store/mail-store";

/** What reaping needs of the store. */
export type ReapingStore = Pick<MailStore, "reapStep" | "reapingMailboxes"> & {
  writer: Pick<MailStore["writer"], "afterPending">;
};

const BATCH = 1000;
/**
 * While inbox messages are flowing, a step stops after 0.5 ms (about what it adds to a live
 * message's latency) and the next waits three times as long as the step took (at least a
 * timer's 1 ms), so that reaping takes about a quarter of the event loop. Otherwise steps
 * of 2 ms follow at once: fewer transactions for the same work.
 *
 * A mailbox filled slowly has a block per message; removing 52 000 of them takes ~300 ms
 * here, in steps of up to 4 ms with a 2 ms bound and of up to 1.1 ms with 0.5 ms. Two
 * latency rounds back to back on one broker: the second, while the first's mailboxes were
 * reaped in 2 ms steps one after another, had p99 9–10 ms (3–6 ms with reaping off).
 */
const BUSY_STEP_MS = 0.5;
const IDLE_STEP_MS = 2;
const PAUSE_FACTOR = 3;

export class Reaper {
  private readonly pending = new Set<string>();
  private running = false;
  private stopped = false;
  private pause: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: ReapingStore,
    /** Whether live traffic is flowing, which reaping should leave most of the loop to. */
    private readonly busy: () => boolean = () => false,
  ) {}

  start(): void {
    this.wake(this.store.reapingMailboxes());
  }

  stop(): void {
    this.stopped = true;
    if (this.pause !== null) clearTimeout(this.pause);
  }

  /** Whether a name still has messages being removed (so it cannot be created again yet). */
  holds(mailId: string): boolean {
    return this.pending.has(mailId);
  }

  /** These mailboxes were queued for reaping in the store. */
  wake(mailIds: Iterable<string>): void {
    for (const id of mailIds) this.pending.add(id);
    if (this.running || this.stopped || this.pending.size === 0) return;
    this.running = true;
    setImmediate(this.step);
  }

  /**
   * A step waits until the write thread has nothing in flight: its transaction would
   * otherwise wait for the thread's write lock inside SQLite's busy handler, which sleeps
   * 1, 2, 5, 10… ms at a time with the event loop blocked (steps of 60–100 ms were seen).
   */
  private readonly step = (): void => this.store.writer.afterPending(this.reap);

  private readonly reap = (): void => {
    this.pause = null;
    if (this.stopped) return void (this.running = false);
    const busy = this.busy();
    const started = performance.now();
    const step = this.store.reapStep(BATCH, Date.now(), busy ? BUSY_STEP_MS : IDLE_STEP_MS);
    if (step === null) {
      this.pending.clear();
      this.running = false;
      return;
    }
    // A name whose reaping finished is free again.
    for (const id of step) this.pending.delete(id);
    if (!busy) return void setImmediate(this.step);
    const took = performance.now() - started;
    this.pause = setTimeout(this.step, Math.max(1, PAUSE_FACTOR * took));
  };
}
