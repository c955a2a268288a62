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
 * While inbox messages are flowing, the reaper waits this many times as long as its last
 * step took (at least a timer's 1 ms) before the next, so that it takes about a quarter
 * of the event loop and live traffic the rest. Otherwise steps follow each other at once.
 */
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
    const started = performance.now();
    const step = this.store.reapStep(BATCH, Date.now());
    if (step === null) {
      this.pending.clear();
      this.running = false;
      return;
    }
    // A name whose reaping finished is free again.
    for (const id of step) this.pending.delete(id);
    if (!this.busy()) return void setImmediate(this.step);
    const took = performance.now() - started;
    this.pause = setTimeout(this.step, Math.max(1, PAUSE_FACTOR * took));
  };
}
