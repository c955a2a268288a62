/**
 * The mailboxes the broker knows, in memory: what send and subscribe check on the hot
 * path without touching the store, with counts kept in step with it, and an expiry queue.
 */
import type { MailboxStats } from "../store/mail-store";

export type MailboxType = "standard" | "latest";

export interface Mailbox {
  readonly mailId: string;
  readonly type: MailboxType;
  readonly tokenHash: string;
  readonly createdAt: number;
  /** ms since the epoch; null = never expires. */
  readonly expiresAt: number | null;
  readonly ttl: number;
  /** Messages stored, including those waiting in the current commit batch. */
  stored: number;
  bytes: number;
  unread: number;
}

/** A binary min-heap of (expiresAt, mailId); stale entries are skipped when popped. */
class ExpiryQueue {
  private readonly heap: { at: number; id: string }[] = [];

  push(at: number, id: string): void {
    const h = this.heap;
    h.push({ at, id });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= h[i]!.at) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  peek(): number | null {
    return this.heap[0]?.at ?? null;
  }

  pop(): { at: number; id: string } | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]!.at < h[m]!.at) m = l;
        if (r < h.length && h[r]!.at < h[m]!.at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}

export class MailboxRegistry {
  private readonly byId = new Map<string, Mailbox>();
  private readonly expiry = new ExpiryQueue();

  get size(): number {
    return this.byId.size;
  }

  load(rows: MailboxStats[]): void {
    for (const r of rows) this.add({ ...r, type: r.type as MailboxType });
  }

  add(box: Mailbox): void {
    this.byId.set(box.mailId, box);
    if (box.expiresAt !== null) this.expiry.push(box.expiresAt, box.mailId);
  }

  /** A live mailbox: unknown and expired ones are both "not found" (mq9.md §9). */
  get(mailId: string, now = Date.now()): Mailbox | undefined {
    const box = this.byId.get(mailId);
    if (box === undefined) return undefined;
    if (box.expiresAt !== null && box.expiresAt <= now) return undefined;
    return box;
  }

  has(mailId: string): boolean {
    return this.byId.has(mailId);
  }

  remove(mailId: string): Mailbox | undefined {
    const box = this.byId.get(mailId);
    this.byId.delete(mailId);
    return box;
  }

  values(): IterableIterator<Mailbox> {
    return this.byId.values();
  }

  /** Up to `max` mailboxes whose expiry has passed, removed from the queue (not the map). */
  takeExpired(now: number, max: number): Mailbox[] {
    const due: Mailbox[] = [];
    while (due.length < max) {
      const at = this.expiry.peek();
      if (at === null || at > now) break;
      const e = this.expiry.pop()!;
      const box = this.byId.get(e.id);
      // Skip entries for mailboxes already deleted.
      if (box !== undefined && box.expiresAt === e.at) due.push(box);
    }
    return due;
  }

  nextExpiry(): number | null {
    return this.expiry.peek();
  }
}
