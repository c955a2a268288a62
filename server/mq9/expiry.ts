/**
 * Expiry (mq9.md §4.7, §10): mailboxes at their expires_at, notify messages at theirs,
 * dead letters after the retention. Prompt (a 250 ms tick), bounded work per turn so ten
 * thousand mailboxes expiring in one second do not stall the broker, and applied at
 * start-up for whatever expired while the broker was down.
 */
import type { Mq9Service } from "./service";

const TICK_MS = 250;
/** Mailboxes removed per transaction; more wait for the next turn of the event loop. */
const BATCH = 250;
const PRUNE_EVERY_MS = 60_000;

export class Expiry {
  private timer: NodeJS.Timeout | null = null;
  private lastPrune = 0;
  private draining = false;

  constructor(private readonly mq9: Mq9Service) {}

  start(): void {
    // Whatever expired while we were down goes before the first client connects.
    while (this.expireMailboxes(Date.now())) {
      /* batch after batch */
    }
    this.expireMessages(Date.now());
    this.pruneDeadLetters(Date.now());
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const now = Date.now();
    if (!this.draining && this.expireMailboxes(now)) this.drain();
    this.expireMessages(now);
    if (now - this.lastPrune >= PRUNE_EVERY_MS) this.pruneDeadLetters(now);
  }

  /** Keeps expiring in batches, yielding to clients between them. */
  private drain(): void {
    this.draining = true;
    setImmediate(() => {
      if (this.timer !== null && this.expireMailboxes(Date.now())) this.drain();
      else this.draining = false;
    });
  }

  /** Expires one batch; true when there may be more due. */
  private expireMailboxes(now: number): boolean {
    const mq9 = this.mq9;
    const due = mq9.mailboxes.takeExpired(now, BATCH);
    if (due.length === 0) return false;
    const keep = mq9.options.deadLetterRetention > 0;
    mq9.store.transaction(() =>
      mq9.store.removeMailboxes(
        due.map((b) => ({ mailId: b.mailId, deadLetter: keep && b.type === "standard" })),
        now,
      ),
    );
    for (const box of due) mq9.mailboxGone(box, box.expiresAt ?? now, "expired");
    mq9.reaper.wake(due.map((b) => b.mailId));
    mq9.log.info("mailboxes expired", { count: due.length });
    return due.length === BATCH;
  }

  private expireMessages(now: number): void {
    const mq9 = this.mq9;
    const gone = mq9.store.expireMessages(now);
    for (const g of gone) {
      const box = mq9.mailboxes.get(g.mailId, now);
      if (box === undefined) continue;
      box.stored -= g.stored;
      box.bytes -= g.bytes;
      box.unread -= g.unread;
    }
  }

  private pruneDeadLetters(now: number): void {
    this.lastPrune = now;
    const retention = this.mq9.options.deadLetterRetention * 1000;
    this.mq9.store.pruneDeadLetters(now - retention);
  }
}
