/**
 * Every query of the mq9 store. Reads are synchronous (better-sqlite3) on the broker's
 * event loop; inbox messages and read marks, the hot writes, go through `writer`
 * (message-writer.ts: a thread of its own for a database file), batched by the mq9 layer
 * (group commit, see mq9/writer.ts). The rarer writes (mailboxes, reaping, expiry, dead
 * letters) stay here, in IMMEDIATE transactions that wait their turn for the write lock.
 */
import { and, asc, count, desc, eq, gt, inArray, isNotNull, lt, lte, sql } from "drizzle-orm";
import type { Statement } from "better-sqlite3";
import type { Worker } from "node:worker_threads";
import { inboxSubject } from "../mq9/subjects";
import { openDb, type Db } from "./db";
import { InlineWriter, ThreadWriter, type MessageWriter } from "./message-writer";
import {
  counters,
  messageById,
  deadLetters,
  mailboxes,
  messages,
  reaping,
  type DeadLetterRow,
  type MailboxRow,
  type MessageRow,
} from "./schema";

export type { DeadLetterRow, MailboxRow, MessageRow };

/** A mailbox with what it holds, as loaded at start-up. */
export interface MailboxStats extends MailboxRow {
  stored: number;
  bytes: number;
  unread: number;
}

/** Where a read of a mailbox starts: after this position in mq9 order (§5). */
export interface Cursor {
  priority: number;
  msgId: number;
}

const NEXT_MSG_ID = "next_msg_id";

/** What a group of messages adds to its mailbox's counts (messages, bytes, unread). */
const COUNTS_PER_MAILBOX = {
  mailId: messages.mailId,
  stored: count(),
  bytes: sql<number>`sum(length(${messages.payload}) + coalesce(length(${messages.headers}), 0))`,
  unread: sql<number>`sum(${messages.unread})`,
};

/** What replay reads of a row (statements in raw mode skip building an object). */
type UnreadRow = [number, string | null, Buffer | null, Buffer, number, number | null];

export class MailStore {
  readonly db: Db;
  // The hot paths (send, replay) use prepared statements directly: Drizzle's query
  // builder costs about 14x per inserted row here, which group commit cannot hide.
  private readonly unreadStmt: Statement<[string, number, number, number]>;
  private readonly insertMailboxStmt: Statement<unknown[]>;
  private readonly deleteMailboxStmt: Statement<[string]>;
  private readonly queueReapStmt: Statement<[string, number, number]>;
  private readonly nextReapStmt: Statement<[]>;
  private readonly reapBatchStmt: Statement<[string, number]>;
  private readonly doneReapStmt: Statement<[string]>;
  private readonly deadLetterStmt: Statement<[number, string, number, number]>;
  private readonly deleteBatchStmt: Statement<[string, number, number]>;
  private readonly keepIdsAboveStmt: Statement<[number]>;

  private readonly checkpointer: Worker | null;
  readonly writer: MessageWriter;

  constructor(dataDir: string | ":memory:") {
    let file: string | null;
    ({ db: this.db, file, checkpointer: this.checkpointer } = openDb(dataDir));
    const c = this.db.$client;
    this.writer = file === null ? new InlineWriter(c) : new ThreadWriter(file, c);
    this.deleteMailboxStmt = c.prepare("delete from mailboxes where mail_id = ?");
    this.queueReapStmt = c.prepare(
      "insert or replace into reaping (mail_id, dead_letter, at) values (?, ?, ?)",
    );
    this.nextReapStmt = c.prepare("select mail_id, dead_letter from reaping order by at limit 1");
    // Reaping walks a mailbox's key range from the front, a batch at a time: the batch is
    // everything up to the key of its last row.
    this.reapBatchStmt = c
      .prepare(
        "select priority, msg_id from messages where mail_id = ? order by priority, msg_id limit ?",
      )
      .raw(true);
    this.doneReapStmt = c.prepare("delete from reaping where mail_id = ?");
    this.deadLetterStmt = c.prepare(
      `insert into dead_letters (msg_id, mail_id, priority, subject, reply, headers, payload, time, dead_at, reason)
       select msg_id, mail_id, priority, subject, reply, headers, payload, time, ?, 'mailbox expired unread'
       from messages where mail_id = ? and (priority, msg_id) <= (?, ?) and unread = 1 and priority < 2`,
    );
    this.deleteBatchStmt = c.prepare(
      "delete from messages where mail_id = ? and (priority, msg_id) <= (?, ?)",
    );
    // The counter only has to be right once the highest msg_ids are gone: it is raised
    // where messages are deleted, not at every send (a page write per commit saved).
    this.keepIdsAboveStmt = c.prepare(
      `insert into counters (name, value) values ('${NEXT_MSG_ID}', ? + 1)
       on conflict (name) do update set value = max(value, excluded.value)`,
    );
    this.insertMailboxStmt = c.prepare(
      `insert into mailboxes (mail_id, type, token_hash, created_at, expires_at, ttl)
       values (?, ?, ?, ?, ?, ?)`,
    );
    // One priority at a time: with `(priority, msg_id) > (?, ?)` SQLite seeks only on
    // priority and scans the rest, which made each chunk of a replay cost more than the one
    // before it.
    this.unreadStmt = c
      .prepare(
        `select msg_id, reply, headers, payload, time, expires_at from messages
         where mail_id = ? and priority = ? and msg_id > ? and unread = 1
         order by msg_id limit ?`,
      )
      .raw(true);
  }

  /** Completes the writes given to `writer`, then closes. */
  async close(): Promise<void> {
    await this.writer.close();
    // The checkpoint thread only reads what was written; closing it may lose a
    // checkpoint, never data (closing the last connection checkpoints the WAL).
    void this.checkpointer?.terminate();
    this.db.$client.close();
  }

  /**
   * Runs `fn` in one transaction. IMMEDIATE: it takes the write lock first (waiting while
   * the write thread commits), so it never fails on a snapshot the thread made stale.
   */
  transaction<T>(fn: () => T): T {
    return this.db.$client.transaction(fn).immediate();
  }

  // ---- ids ----

  /** The next msg_id: never reused, even after every message is gone. */
  loadNextMsgId(): number {
    const row = this.db.select().from(counters).where(eq(counters.name, NEXT_MSG_ID)).get();
    const maxMsg = this.db
      .select({ m: sql<number | null>`max(${messages.msgId})` })
      .from(messages)
      .get();
    const maxDead = this.db
      .select({ m: sql<number | null>`max(${deadLetters.msgId})` })
      .from(deadLetters)
      .get();
    return Math.max(row?.value ?? 1, (maxMsg?.m ?? 0) + 1, (maxDead?.m ?? 0) + 1);
  }

  // ---- mailboxes ----

  loadMailboxes(): MailboxStats[] {
    const stats = this.db.select(COUNTS_PER_MAILBOX).from(messages).groupBy(messages.mailId).all();
    const byId = new Map(stats.map((s) => [s.mailId, s]));
    return this.db
      .select()
      .from(mailboxes)
      .all()
      .map((m) => {
        const s = byId.get(m.mailId);
        return { ...m, stored: s?.stored ?? 0, bytes: s?.bytes ?? 0, unread: s?.unread ?? 0 };
      });
  }

  insertMailbox(row: MailboxRow): void {
    const r = row;
    this.insertMailboxStmt.run(r.mailId, r.type, r.tokenHash, r.createdAt, r.expiresAt, r.ttl);
  }

  /**
   * Removes mailboxes at once and queues their messages for reaping (reapStep). With
   * `deadLetter`, unread urgent and normal messages of `standard` ones will go to the
   * dead-letter store (mq9.md §10). Call inside a transaction.
   */
  removeMailboxes(boxes: readonly { mailId: string; deadLetter: boolean }[], now: number): void {
    for (const b of boxes) {
      this.deleteMailboxStmt.run(b.mailId);
      this.queueReapStmt.run(b.mailId, b.deadLetter ? 1 : 0, now);
    }
  }

  /** Mailboxes whose messages still wait to be removed. */
  reapingMailboxes(): string[] {
    return this.db
      .select({ mailId: reaping.mailId })
      .from(reaping)
      .all()
      .map((r) => r.mailId);
  }

  /**
   * Removes up to about `limit` messages of mailboxes being reaped, oldest first,
   * dead-lettering those that should be, in one transaction. Null when there was nothing
   * to reap; otherwise the mailboxes whose reaping completed.
   */
  reapStep(limit: number, now: number): string[] | null {
    return this.transaction(() => {
      const finished: string[] = [];
      let budget = limit;
      let any = false;
      while (budget > 0) {
        const job = this.nextReapStmt.get() as { mail_id: string; dead_letter: number } | undefined;
        if (job === undefined) break;
        any = true;
        const want = budget;
        const keys = this.reapBatchStmt.all(job.mail_id, want) as [number, number][];
        const last = keys[keys.length - 1];
        if (last !== undefined) {
          const [priority, msgId] = last;
          if (job.dead_letter === 1) this.deadLetterStmt.run(now, job.mail_id, priority, msgId);
          this.deleteBatchStmt.run(job.mail_id, priority, msgId);
          this.keepIdsAboveStmt.run(Math.max(...keys.map((k) => k[1])));
        }
        const n = keys.length;
        // Every job costs something, so many empty mailboxes still share the budget.
        budget -= Math.max(n, 10);
        // Fewer than asked for: that was the last of this mailbox.
        if (n < want) {
          this.doneReapStmt.run(job.mail_id);
          finished.push(job.mail_id);
        }
      }
      return any ? finished : null;
    });
  }

  // ---- messages ----

  /**
   * Unread messages of a mailbox in mq9 order, optionally of one priority only, after a
   * position in that order (null = from the start).
   */
  unread(
    mailId: string,
    priority: number | null,
    limit: number,
    after: Cursor | null = null,
  ): MessageRow[] {
    const out: MessageRow[] = [];
    const hi = priority ?? 2;
    for (let p = Math.max(priority ?? 0, after?.priority ?? 0); p <= hi; p++) {
      const from = after !== null && p === after.priority ? after.msgId : 0;
      const rows = this.unreadStmt.all(mailId, p, from, limit - out.length) as UnreadRow[];
      // The subject is the inbox's own (mq9.md §4): one string for the whole chunk.
      const subject = inboxSubject(mailId, p);
      for (const r of rows) {
        out.push({
          mailId,
          priority: p,
          msgId: r[0],
          subject,
          reply: r[1],
          headers: r[2],
          payload: r[3],
          time: r[4],
          expiresAt: r[5],
          unread: true,
        });
      }
      if (out.length >= limit) break;
    }
    return out;
  }

  /** The newest message of a mailbox (the current state of a `latest` mailbox). */
  newest(mailId: string, priority: number | null): MessageRow | undefined {
    const where = [eq(messages.mailId, mailId)];
    if (priority !== null) where.push(eq(messages.priority, priority));
    return this.db
      .select()
      .from(messages)
      .where(and(...where))
      .orderBy(desc(messages.msgId))
      .limit(1)
      .get();
  }

  /**
   * Stored messages in mq9 order. With `afterMsgId`, those that come after that message in
   * mq9 order; if it is gone, those with a higher msg_id. Never changes unread state.
   */
  list(mailId: string, afterMsgId: number | null, limit: number): MessageRow[] {
    const where = [eq(messages.mailId, mailId)];
    if (afterMsgId !== null) {
      const at = this.cursorOf(mailId, afterMsgId);
      // A row value, which SQLite seeks to in the primary key (an OR of the two cases
      // made it scan the mailbox from its start).
      where.push(
        at === null
          ? gt(messages.msgId, afterMsgId)
          : sql`(${messages.priority}, ${messages.msgId}) > (${at.priority}, ${at.msgId})`,
      );
    }
    return this.db
      .select()
      .from(messages)
      .where(and(...where))
      .orderBy(asc(messages.priority), asc(messages.msgId))
      .limit(limit)
      .all();
  }

  /** Where a msg_id sits in mq9 order, if the message is still in this mailbox. */
  cursorOf(mailId: string, msgId: number): Cursor | null {
    const row = this.db
      .select({ priority: messages.priority, msgId: messages.msgId })
      .from(messages)
      .where(messageById(mailId, msgId))
      .get();
    return row ?? null;
  }

  /**
   * Deletes messages whose own expiry passed (notify messages, §4.7). Returns what went,
   * per mailbox, so the caller can adjust its counts.
   */
  expireMessages(now: number): { mailId: string; stored: number; bytes: number; unread: number }[] {
    const due = and(isNotNull(messages.expiresAt), lte(messages.expiresAt, now));
    const gone = this.db
      .select({ ...COUNTS_PER_MAILBOX, maxMsgId: sql<number>`max(${messages.msgId})` })
      .from(messages)
      .where(due)
      .groupBy(messages.mailId)
      .all();
    if (gone.length === 0) return [];
    this.transaction(() => {
      this.db.delete(messages).where(due).run();
      this.keepIdsAboveStmt.run(Math.max(...gone.map((g) => g.maxMsgId)));
    });
    return gone.map(({ mailId, stored, bytes, unread }) => ({ mailId, stored, bytes, unread }));
  }

  /** The earliest message expiry still ahead, for the expiry timer. */
  nextMessageExpiry(): number | null {
    const row = this.db
      .select({ t: sql<number | null>`min(${messages.expiresAt})` })
      .from(messages)
      .get();
    return row?.t ?? null;
  }

  // ---- dead letters ----

  listDeadLetters(limit: number, beforeId: number | null): DeadLetterRow[] {
    return this.db
      .select()
      .from(deadLetters)
      .where(beforeId === null ? undefined : lt(deadLetters.id, beforeId))
      .orderBy(desc(deadLetters.id))
      .limit(limit)
      .all();
  }

  getDeadLetter(id: number): DeadLetterRow | undefined {
    return this.db.select().from(deadLetters).where(eq(deadLetters.id, id)).get();
  }

  deleteDeadLetters(ids: readonly number[] | "all"): number {
    const q = this.db.delete(deadLetters);
    const r = ids === "all" ? q.run() : q.where(inArray(deadLetters.id, [...ids])).run();
    return r.changes;
  }

  countDeadLetters(): number {
    return this.db.select({ n: count() }).from(deadLetters).get()?.n ?? 0;
  }

  /** Drops dead letters older than the retention (mq9.md §10). */
  pruneDeadLetters(olderThan: number): number {
    return this.db.delete(deadLetters).where(lt(deadLetters.deadAt, olderThan)).run().changes;
  }
}
