/**
 * Group commit of inbox messages (mq9.md §4.1, §4.5): sends arriving in one turn of the
 * event loop are written in one transaction, then delivered. A client's PONG waits until
 * every inbox message it sent before the PING is committed, so `flush()` is a publisher
 * confirm.
 */
import type { Client } from "../nats/mod";
import type { MessageRow } from "../store/mail-store";
import type { Recipients } from "./delivery";
import type { Mailbox } from "./mailboxes";

export interface PendingSend {
  row: MessageRow;
  box: Mailbox;
  /** Payload plus header bytes, as counted against the mailbox's byte limit. */
  size: number;
  from: Client;
  recipients?: Recipients;
}

export interface CommitHandler {
  /** Chooses recipients (and so unread state) just before the transaction. */
  prepare(send: PendingSend): boolean;
  /** Writes the batch; runs inside one transaction. */
  write(batch: readonly PendingSend[]): void;
  /** After the commit: deliver. */
  committed(batch: readonly PendingSend[]): void;
  /** The transaction failed: tell the senders, undo counts. */
  failed(batch: readonly PendingSend[], err: unknown): void;
}

export class GroupCommit {
  private queue: PendingSend[] = [];
  private scheduled = false;
  private readonly pendingByClient = new Map<Client, number>();
  private readonly pongs = new Map<Client, (() => void)[]>();

  constructor(
    private readonly handler: CommitHandler,
    private readonly transaction: (fn: () => void) => void,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

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

  /** Commits whatever is queued, now. Also used at shutdown. */
  commit(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length > 0) {
      const kept = batch.filter((s) => this.handler.prepare(s));
      let ok = true;
      try {
        this.transaction(() => this.handler.write(kept));
      } catch (err) {
        ok = false;
        this.handler.failed(kept, err);
      }
      if (ok) this.handler.committed(kept);
      for (const s of batch) {
        const n = (this.pendingByClient.get(s.from) ?? 1) - 1;
        if (n > 0) this.pendingByClient.set(s.from, n);
        else this.pendingByClient.delete(s.from);
      }
    }
    for (const [client, waiting] of this.pongs) {
      if ((this.pendingByClient.get(client) ?? 0) > 0) continue;
      this.pongs.delete(client);
      for (const pong of waiting) pong();
    }
  }
}
