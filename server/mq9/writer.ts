/**
 * Group commit of inbox messages (mq9.md §4.1, §4.5): sends arriving in one turn of the
 * event loop are handed to the store as one batch (send-batch.ts), and delivered once it
 * is committed. Batches are pipelined (the next is handed over while one commits) and
 * complete in order. A client's PONG waits until every inbox message it sent before the
 * PING is committed, so `flush()` is a publisher confirm.
 */
import type { Client } from "../nats/mod";
import type { Mailbox } from "./mailboxes";
import { SendBatch, type SendGroup } from "./send-batch";

export interface CommitHandler {
  /** Chooses recipients (and so who is still replaying) as a group is handed over. */
  prepare(group: SendGroup): boolean;
  /** Hands the groups to the store; `done` once they are committed or have failed. */
  write(groups: readonly SendGroup[], done: (err: Error | null) => void): void;
  /** After the commit: deliver, in the order the messages were sent. */
  committed(batch: SendBatch): void;
  /** The transaction failed: tell the senders, undo counts. */
  failed(groups: readonly SendGroup[], err: Error): void;
}

export class GroupCommit {
  /** The batch being filled; it becomes number `handed + 1`. */
  private batch: SendBatch | null = null;
  private scheduled = false;
  /** Batches handed over, and completed; they complete in order. */
  private handed = 0;
  private completed = 0;
  /** The batch of each client's latest send: its PONGs wait for that one. */
  private readonly lastBatch = new Map<Client, number>();
  /** Who sent the previous message of the batch being filled (saves a map write). */
  private lastFrom: Client | null = null;
  /** PONGs by the batch they wait for. */
  private readonly pongs = new Map<number, (() => void)[]>();
  private waiters: { batch: number; fn: () => void }[] = [];
  /** When the last batch was handed over (performance.now()). */
  lastCommitAt = -Infinity;

  constructor(private readonly handler: CommitHandler) {}

  /** The group a message from `from` to `box` at `priority` is written into. */
  group(box: Mailbox, priority: number, subject: string, from: Client): SendGroup {
    let batch = this.batch;
    if (batch === null) {
      batch = this.batch = new SendBatch();
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.commit();
        });
      }
    }
    if (from !== this.lastFrom) {
      this.lastBatch.set(from, this.handed + 1);
      this.lastFrom = from;
    }
    return batch.add(box, priority, subject, from);
  }

  /** Sends `pong` once the client's earlier sends are durable (keeping PONGs in order). */
  barrier(client: Client, pong: () => void): void {
    const batch = this.lastBatch.get(client);
    if (batch === undefined || batch <= this.completed) return pong();
    const waiting = this.pongs.get(batch);
    if (waiting === undefined) this.pongs.set(batch, [pong]);
    else waiting.push(pong);
  }

  forget(client: Client): void {
    this.lastBatch.delete(client);
    if (this.lastFrom === client) this.lastFrom = null;
  }

  /** Runs `fn` once every batch handed over so far has completed. */
  afterHanded(fn: () => void): void {
    if (this.completed === this.handed) fn();
    else this.waiters.push({ batch: this.handed, fn });
  }

  /** Hands over whatever is queued and resolves when all of it is committed (shutdown). */
  drain(): Promise<void> {
    this.commit();
    return new Promise((resolve) => this.afterHanded(resolve));
  }

  /** Hands over whatever is queued, now. */
  commit(): void {
    const batch = this.batch;
    if (batch === null) return;
    this.batch = null;
    this.lastCommitAt = performance.now();
    this.lastFrom = null;
    const kept: SendGroup[] = [];
    for (const g of batch.groups) {
      if (this.handler.prepare(g)) kept.push(g);
      else g.dropped = true;
    }
    const number = ++this.handed;
    const finish = (err: Error | null) => {
      this.completed = number;
      if (err === null) this.handler.committed(batch);
      else this.handler.failed(kept, err);
      const pongs = this.pongs.get(number);
      if (pongs !== undefined) {
        this.pongs.delete(number);
        for (const pong of pongs) pong();
      }
      if (this.waiters.length > 0) this.wakeWaiters();
    };
    if (kept.length === 0) finish(null);
    else this.handler.write(kept, finish);
  }

  private wakeWaiters(): void {
    const due = this.waiters.filter((w) => w.batch <= this.completed);
    if (due.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.batch > this.completed);
    for (const w of due) w.fn();
  }
}
