/**
 * Group commit of inbox messages (mq9.md §4.1, §4.5): sends arriving in one turn of the
 * event loop are handed to the store as one batch, and delivered once it is committed.
 * Batches are pipelined (the next is handed over while one commits) and complete in
 * order. A client's PONG waits until every inbox message it sent before the PING is
 * committed, so `flush()` is a publisher confirm.
 */
import type { Client } from "../nats/mod";
import type { MessageRow } from "../store/mail-store";
import type { Recipients } from "./delivery";
import type { Mailbox } from "./mailboxes";

export interface PendingSend {
  row: MessageRow;
  box: Mailbox;
  /** The mailbox keeps only its newest message (mq9.md §4.6). */
  latest: boolean;
  /** Payload plus header bytes, as counted against the mailbox's byte limit. */
  size: number;
  from: Client;
  recipients?: Recipients;
}

export interface CommitHandler {
  /** Chooses recipients (and so who is still replaying) as the batch is handed over. */
  prepare(send: PendingSend): boolean;
  /** Hands the batch to the store; `done` once it is committed or has failed. */
  write(batch: readonly PendingSend[], done: (err: Error | null) => void): void;
  /** After the commit: deliver. */
  committed(batch: readonly PendingSend[]): void;
  /** The transaction failed: tell the senders, undo counts. */
  failed(batch: readonly PendingSend[], err: Error): void;
}

export class GroupCommit {
  private queue: PendingSend[] = [];
  private scheduled = false;
  private readonly pendingByClient = new Map<Client, number>();
  private readonly pongs = new Map<Client, (() => void)[]>();
  /** Batches handed over, and completed; they complete in order. */
  private handed = 0;
  private completed = 0;
  private waiters: { batch: number; fn: () => void }[] = [];

  constructor(private readonly handler: CommitHandler) {}

  enqueue(send: PendingSend): void {
    this.queue.push(send);
    this.pendingByClient.set(send.from, (this.pendingByClient.get(send.from) ?? 0) + 1);
    this.schedule();
  }

  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.commit());
    }
  }

  /** Sends `pong` once the client's earlier sends are durable (keeping PONGs in order). */
  barrier(client: Client, pong: () => void): void {
    const waiting = this.pongs.get(client);
    if (waiting !== undefined) waiting.push(pong);
    else if ((this.pendingByClient.get(client) ?? 0) > 0) this.pongs.set(client, [pong]);
    else pong();
  }

  forget(client: Client): void {
    this.pendingByClient.delete(client);
    this.pongs.delete(client);
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
    this.scheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    const kept = batch.filter((s) => this.handler.prepare(s));
    this.handed++;
    const finish = (err: Error | null) => {
      this.completed++;
      if (err === null) this.handler.committed(kept);
      else this.handler.failed(kept, err);
      for (const s of batch) {
        const n = (this.pendingByClient.get(s.from) ?? 1) - 1;
        if (n > 0) this.pendingByClient.set(s.from, n);
        else this.pendingByClient.delete(s.from);
      }
      this.releasePongs();
      if (this.waiters.length > 0) this.wakeWaiters();
    };
    if (kept.length === 0) finish(null);
    else this.handler.write(kept, finish);
  }

  private releasePongs(): void {
    for (const [client, waiting] of this.pongs) {
      if ((this.pendingByClient.get(client) ?? 0) > 0) continue;
      this.pongs.delete(client);
      for (const pong of waiting) pong();
    }
  }

  private wakeWaiters(): void {
    const due = this.waiters.filter((w) => w.batch <= this.completed);
    if (due.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.batch > this.completed);
    for (const w of due) w.fn();
  }
}
