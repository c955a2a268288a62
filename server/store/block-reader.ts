/**
 * Reading message blocks (block-format.mjs): the records of a block as message rows, and
 * a mailbox's messages in mq9 order (priority, then msg_id; mq9.md §5) from a position
 * on, a page of blocks at a time. Payloads and headers are views into the block's buffer,
 * not copies.
 */
import type { Database, Statement } from "better-sqlite3";
import { inboxSubject } from "../mq9/subjects";
import {
  HAS_EXPIRY,
  HAS_HEADERS,
  HAS_REPLY,
  RECORD_FIXED,
  isRead,
  walkRecords,
  type StoredBlock,
} from "./block-format.mjs";
import type { MessageRow } from "./schema";

/** The columns a read needs: first_msg_id, count, unread, data, read. */
type BlockRead = [number, number, number, Buffer, Buffer | null];
/** The same, then block_id: reads whose rows may be marked read. */
type BlockReadWithId = [...BlockRead, number];

/** Where a read of a mailbox starts: after this position in mq9 order (§5). */
export interface Cursor {
  priority: number;
  msgId: number;
}

/** A message's size as mailbox limits and reads count it: its payload and header bytes. */
export function messageBytes(row: Pick<MessageRow, "payload" | "headers">): number {
  return row.payload.length + (row.headers?.length ?? 0);
}

/** Decodes every record of a block. */
export function decodeBlock(
  mailId: string,
  priority: number,
  count: number,
  unread: number,
  data: Buffer,
  read: Buffer | null,
  block: StoredBlock | null = null,
): MessageRow[] {
  const subject = inboxSubject(mailId, priority);
  const rows: MessageRow[] = [];
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const flags = data[at + 24]!;
    const replyLen = data.readUInt16LE(at + 25);
    const headersLen = data.readUInt32LE(at + 27);
    const payloadLen = data.readUInt32LE(at + 31);
    const replyAt = at + RECORD_FIXED;
    const headersAt = replyAt + replyLen;
    const payloadAt = headersAt + headersLen;
    rows.push({
      msgId: data.readDoubleLE(at),
      mailId,
      priority,
      subject,
      reply: flags & HAS_REPLY ? data.toString("utf8", replyAt, headersAt) : null,
      headers: flags & HAS_HEADERS ? data.subarray(headersAt, payloadAt) : null,
      payload: data.subarray(payloadAt, payloadAt + payloadLen),
      time: data.readDoubleLE(at + 8),
      expiresAt: flags & HAS_EXPIRY ? data.readDoubleLE(at + 16) : null,
      unread: !isRead(read, unread, count, i),
      block,
    });
    at = payloadAt + payloadLen;
  }
  return rows;
}

const PAGE = 64;

export class BlockReader {
  private readonly from: Statement<[string, number, string, number, number, number, number]>;
  private readonly unreadFrom: Statement<[string, number, string, number, number, number, number]>;
  private readonly containing: Statement<[string, number, number]>;
  private readonly before: Statement<[string, number, number, number]>;
  private readonly countBefore: Statement<[string, number, number]>;
  private readonly newestAny: Statement<[string]>;
  private readonly newestOf: Statement<[string, number]>;

  constructor(db: Database) {
    // The block holding the message after `after` starts at or before it: the subquery
    // finds that block's start in the index; the rest follow in index order.
    const sql = (unreadOnly: boolean) => `
      select first_msg_id, count, unread, data, read, block_id from message_blocks
      where mail_id = ? and priority = ? and first_msg_id >= (
        select coalesce(max(first_msg_id), 0) from message_blocks
        where mail_id = ? and priority = ? and first_msg_id <= ?)
      and first_msg_id > ? ${unreadOnly ? "and unread > 0" : ""}
      order by first_msg_id limit ?`;
    this.from = db.prepare(sql(false)).raw(true) as typeof this.from;
    this.unreadFrom = db.prepare(sql(true)).raw(true) as typeof this.unreadFrom;
    this.containing = db
      .prepare(
        `select first_msg_id, count, unread, data, read from message_blocks
         where mail_id = ? and priority = ? and first_msg_id <= ?
         order by first_msg_id desc limit 1`,
      )
      .raw(true) as typeof this.containing;
    this.before = db
      .prepare(
        `select first_msg_id, count, unread, data, read from message_blocks
         where mail_id = ? and priority = ? and first_msg_id < ?
         order by first_msg_id desc limit ?`,
      )
      .raw(true) as typeof this.before;
    this.countBefore = db
      .prepare(
        `select coalesce(sum(count), 0) from message_blocks
         where mail_id = ? and (priority, first_msg_id) < (?, ?)`,
      )
      .pluck() as typeof this.countBefore;
    const newest = (ofPriority: boolean) =>
      db
        .prepare(
          `select priority, count, unread, data, read from message_blocks
           where mail_id = ? ${ofPriority ? "and priority = ?" : ""}
           order by last_msg_id desc limit 1`,
        )
        .raw(true);
    this.newestAny = newest(false) as typeof this.newestAny;
    this.newestOf = newest(true) as typeof this.newestOf;
  }

  /** The newest message of a mailbox, of one priority or of any (null). */
  newest(mailId: string, priority: number | null): MessageRow | undefined {
    const b = (
      priority === null ? this.newestAny.get(mailId) : this.newestOf.get(mailId, priority)
    ) as BlockRead | undefined;
    if (b === undefined) return undefined;
    const [p, count, unread, data, read] = b;
    return decodeBlock(mailId, p, count, unread, data, read).at(-1);
  }

  /** Up to `limit` messages right before `before` in mq9 order, in mq9 order. */
  readBefore(mailId: string, before: Cursor, limit: number): MessageRow[] {
    const out: MessageRow[] = [];
    for (let p = before.priority; p >= 0 && out.length < limit; p--) {
      let below = p === before.priority ? before.msgId : Number.MAX_SAFE_INTEGER;
      for (;;) {
        const blocks = this.before.all(mailId, p, below, PAGE) as BlockRead[];
        for (const [first, count, unread, data, read] of blocks) {
          below = first;
          const rows = decodeBlock(mailId, p, count, unread, data, read);
          for (let i = rows.length - 1; i >= 0; i--) {
            const row = rows[i]!;
            if (p === before.priority && row.msgId >= before.msgId) continue;
            out.push(row);
            if (out.length >= limit) return out.reverse();
          }
        }
        if (blocks.length < PAGE) break;
      }
    }
    return out.reverse();
  }

  /** How many messages of a mailbox come before `at` in mq9 order (all: null). */
  count(mailId: string, at: Cursor | null): number {
    if (at === null) return this.countBefore.get(mailId, 3, 0) as number;
    let n = this.countBefore.get(mailId, at.priority, at.msgId) as number;
    // The block holding `at` started before it and was counted whole: take back its
    // records from `at` on.
    const b = this.containing.get(mailId, at.priority, at.msgId) as BlockRead | undefined;
    if (b !== undefined && b[0] < at.msgId) {
      walkRecords(b[3], (_i, _at, msgId) => {
        if (msgId >= at.msgId) n--;
      });
    }
    return n;
  }

  /**
   * Up to `limit` messages of a mailbox in mq9 order, of priorities `lo` to `hi`, after
   * `after` (null = from the start); only unread ones with `unreadOnly`, and only those
   * `keep` accepts. It stops once their payloads and headers reach `maxBytes` (after one
   * message at least), and reads no block beyond that.
   */
  read(
    mailId: string,
    lo: number,
    hi: number,
    after: Cursor | null,
    limit: number,
    unreadOnly: boolean,
    keep: (row: MessageRow) => boolean = () => true,
    maxBytes = Infinity,
  ): MessageRow[] {
    const out: MessageRow[] = [];
    let bytes = 0;
    const stmt = unreadOnly ? this.unreadFrom : this.from;
    for (let p = Math.max(lo, after?.priority ?? lo); p <= hi && out.length < limit; p++) {
      const from = after !== null && p === after.priority ? after.msgId : 0;
      let lastFirst = -1;
      for (;;) {
        let n = 0;
        // Block by block: a page of big messages is not read only to be left.
        const blocks = stmt.iterate(mailId, p, mailId, p, from, lastFirst, PAGE);
        for (const [first, count, unread, data, read, id] of blocks as Iterable<BlockReadWithId>) {
          n++;
          lastFirst = first;
          const block = { id, first, count };
          for (const row of decodeBlock(mailId, p, count, unread, data, read, block)) {
            if (row.msgId <= from || (unreadOnly && !row.unread) || !keep(row)) continue;
            out.push(row);
            bytes += messageBytes(row);
            if (out.length >= limit || bytes >= maxBytes) return out;
          }
        }
        if (n < PAGE) break;
      }
    }
    return out;
  }

  /** One message of a mailbox by msg_id, if it is still stored. */
  get(mailId: string, msgId: number): MessageRow | undefined {
    for (let p = 0; p <= 2; p++) {
      const b = this.containing.get(mailId, p, msgId) as BlockRead | undefined;
      if (b === undefined) continue;
      const row = decodeBlock(mailId, p, b[1], b[2], b[3], b[4]).find((r) => r.msgId === msgId);
      if (row !== undefined) return row;
    }
    return undefined;
  }
}
