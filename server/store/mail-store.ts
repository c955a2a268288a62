/**
 * Every query of the mq9 store. Reads are synchronous (better-sqlite3) on the broker's
 * event loop; inbox messages and read marks, the hot writes, go through `writer`
 * (message-writer.ts: a thread of its own for a database file), batched by the mq9 layer
 * (group commit, see mq9/writer.ts). The rarer writes (mailboxes, reaping, expiry, dead
 * letters) stay here, in IMMEDIATE transactions that wait their turn for the write lock.
 */
import { and, count, desc, eq, inArray, isNotNull, lt, lte, sql } from "drizzle-orm";
import type { Statement } from "better-sqlite3";
import { BlockReader, decodeBlock, type Cursor } from "./block-reader";
import { openDb, type Db } from "./db";
import { convertLegacyMessages } from "./legacy-messages";
import { InlineWriter, ThreadWriter, type MessageWriter } from "./message-writer";
import {
  counters,
  deadLetters,
  mailboxes,
  messageBlocks,
  reaping,
  type DeadLetterRow,
  type MailboxRow,
  type MessageRow,
} from "./schema";

export type { Cursor, DeadLetterRow, MailboxRow, MessageRow };

/** A mailbox with what it holds, as loaded at start-up. */
export interface MailboxStats extends MailboxRow {
  stored: number;
  bytes: number;
  unread: number;
}

const NEXT_MSG_ID = "next_msg_id";

/** What a group of blocks adds to its mailbox's counts (messages, bytes, unread). */
const COUNTS_PER_MAILBOX = {
  mailId: messageBlocks.mailId,
  stored: sql<number>`sum(${messageBlocks.count})`,
  bytes: sql<number>`sum(${messageBlocks.bytes})`,
  unread: sql<number>`sum(${messageBlocks.unread})`,
};

/** Blocks reaping looks at per step (it stops early once the step's budget is spent). */
const REAP_BLOCKS = 64;
/** How long one reaping step may take by default (ms); the reaper chooses (reaper.ts). */
const REAP_STEP_MS = 2;

/** A block as reaping reads it (raw mode); records only when they may be dead-lettered. */
type ReapBlock = [number, number, number, number, number, Buffer?, (Buffer | null)?];

export class MailStore {
  readonly db: Db;
  // The hot paths (send, replay) use prepared statements directly: Drizzle's query
  // builder costs about 14x per inserted row here, which group commit cannot hide.
  private readonly blocks: BlockReader;
  private readonly insertMailboxStmt: Statement<unknown[]>;
  private readonly deleteMailboxStmt: Statement<[string]>;
  private readonly queueReapStmt: Statement<[string, number, number]>;
  private readonly nextReapStmt: Statement<[]>;
  private readonly reapBatchStmt: Statement<[string, number]>;
  private readonly reapIdsStmt: Statement<[string, number]>;
  private readonly doneReapStmt: Statement<[string]>;
  private readonly deadLetterStmt: Statement<unknown[]>;
  private readonly deleteBlockStmt: Statement<[number]>;
  private readonly keepIdsAboveStmt: Statement<[number]>;

  private readonly stopCheckpoints: () => Promise<void>;
  readonly writer: MessageWriter;

  constructor(dataDir: string | ":memory:") {
    let file: string | null;
    ({ db: this.db, file, stopCheckpoints: this.stopCheckpoints } = openDb(dataDir));
    const c = this.db.$client;
    convertLegacyMessages(c);
    this.blocks = new BlockReader(c);
    this.writer = file === null ? new InlineWriter(c) : new ThreadWriter(file, c);
    this.deleteMailboxStmt = c.prepare("delete from mailboxes where mail_id = ?");
    this.queueReapStmt = c.prepare(
      "insert or replace into reaping (mail_id, dead_letter, at) values (?, ?, ?)",
    );
    this.nextReapStmt = c.prepare("select mail_id, dead_letter from reaping order by at limit 1");
    // Reaping takes a mailbox's blocks from the front, a batch at a time.
    this.reapBatchStmt = c
      .prepare(
        `select block_id, priority, last_msg_id, count, unread, data, read from message_blocks
         where mail_id = ? order by priority, first_msg_id limit ?`,
      )
      .raw(true);
    // A deleted mailbox's records are not read: only an expired one's may be dead letters.
    this.reapIdsStmt = c
      .prepare(
        `select block_id, priority, last_msg_id, count, unread from message_blocks
         where mail_id = ? order by priority, first_msg_id limit ?`,
      )
      .raw(true);
    this.doneReapStmt = c.prepare("delete from reaping where mail_id = ?");
    this.deadLetterStmt = c.prepare(
      `insert into dead_letters (msg_id, mail_id, priority, subject, reply, headers, payload, time, dead_at, reason)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'mailbox expired unread')`,
    );
    this.deleteBlockStmt = c.prepare("delete from message_blocks where block_id = ?");
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
  }

  /** Completes the writes given to `writer`, then closes. */
  async close(): Promise<void> {
    await this.writer.close();
    await this.stopCheckpoints();
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
      .select({ m: sql<number | null>`max(${messageBlocks.lastMsgId})` })
      .from(messageBlocks)
      .get();
    const maxDead = this.db
      .select({ m: sql<number | null>`max(${deadLetters.msgId})` })
      .from(deadLetters)
      .get();
    return Math.max(row?.value ?? 1, (maxMsg?.m ?? 0) + 1, (maxDead?.m ?? 0) + 1);
  }

  // ---- mailboxes ----

  loadMailboxes(): MailboxStats[] {
    const stats = this.db
      .select(COUNTS_PER_MAILBOX)
      .from(messageBlocks)
      .groupBy(messageBlocks.mailId)
      .all();
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
  reapStep(limit: number, now: number, maxMs = REAP_STEP_MS): string[] | null {
    const deadline = performance.now() + maxMs;
    return this.transaction(() => {
      const finished: string[] = [];
      let budget = limit;
      let any = false;
      // At least one job per step, so null always means there was nothing left to reap.
      while (budget > 0 && (!any || performance.now() < deadline)) {
        const job = this.nextReapStmt.get() as { mail_id: string; dead_letter: number } | undefined;
        if (job === undefined) break;
        any = true;
        const want = budget;
        // Blocks hold a commit's worth each: take them until the budget is spent.
        const batch = job.dead_letter === 1 ? this.reapBatchStmt : this.reapIdsStmt;
        const blocks = batch.all(job.mail_id, REAP_BLOCKS) as ReapBlock[];
        let n = 0;
        let taken = 0;
        let maxId = 0;
        for (const [blockId, priority, last, count, unread, data, read] of blocks) {
          // Small blocks cost a delete each: the clock bounds a step too, not only its size.
          if (n >= want || (taken > 0 && performance.now() >= deadline)) break;
          if (data !== undefined && priority < 2 && unread > 0) {
            for (const m of decodeBlock(job.mail_id, priority, count, unread, data, read ?? null)) {
              if (!m.unread) continue;
              const { msgId, subject, reply, headers, payload, time } = m;
              this.deadLetterStmt.run(
                msgId,
                job.mail_id,
                priority,
                subject,
                reply,
                headers,
                payload,
                time,
                now,
              );
            }
          }
          this.deleteBlockStmt.run(blockId);
          n += count;
          taken++;
          maxId = Math.max(maxId, last);
        }
        if (maxId > 0) this.keepIdsAboveStmt.run(maxId);
        const done = taken === blocks.length && blocks.length < REAP_BLOCKS;
        // Every job costs something, so many empty mailboxes still share the budget.
        budget -= Math.max(n, 10);
        // Every block taken, and fewer than asked for: that was the last of this mailbox.
        if (done) {
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
   * position in that order (null = from the start): at most `limit`, and no more once
   * their bytes reach `maxBytes`.
   */
  unread(
    mailId: string,
    priority: number | null,
    limit: number,
    after: Cursor | null = null,
    maxBytes = Infinity,
  ): MessageRow[] {
    const [lo, hi] = [priority ?? 0, priority ?? 2];
    return this.blocks.read(mailId, lo, hi, after, limit, true, undefined, maxBytes);
  }

  /** The newest message of a mailbox (the current state of a `latest` mailbox). */
  newest(mailId: string, priority: number | null): MessageRow | undefined {
    return this.blocks.newest(mailId, priority);
  }

  /**
   * Stored messages in mq9 order. With `afterMsgId`, those that come after that message in
   * mq9 order; if it is gone, those with a higher msg_id. At most `limit`, and no more
   * once their bytes reach `maxBytes`. Never changes unread state.
   */
  list(
    mailId: string,
    afterMsgId: number | null,
    limit: number,
    maxBytes = Infinity,
  ): MessageRow[] {
    const read = (after: Cursor | null, keep?: (m: MessageRow) => boolean) =>
      this.blocks.read(mailId, 0, 2, after, limit, false, keep, maxBytes);
    if (afterMsgId === null) return read(null);
    const at = this.cursorOf(mailId, afterMsgId);
    if (at !== null) return read(at);
    return read(null, (m) => m.msgId > afterMsgId);
  }

  /** Where a msg_id sits in mq9 order, if the message is still in this mailbox. */
  cursorOf(mailId: string, msgId: number): Cursor | null {
    const row = this.blocks.get(mailId, msgId);
    return row === undefined ? null : { priority: row.priority, msgId };
  }

  /**
   * A page of a mailbox for inspection (the console), in mq9 order: after `after`, or
   * right before `before`. Never changes unread state.
   */
  page(
    mailId: string,
    at: { after: Cursor | null } | { before: Cursor },
    limit: number,
  ): MessageRow[] {
    return "before" in at
      ? this.blocks.readBefore(mailId, at.before, limit)
      : this.blocks.read(mailId, 0, 2, at.after, limit, false);
  }

  /** How many messages a mailbox holds before `at` in mq9 order, or in all (null). */
  countMessages(mailId: string, at: Cursor | null): number {
    return this.blocks.count(mailId, at);
  }

  /** Messages stored in all mailboxes, including those still being reaped. */
  countMessagesStored(): number {
    const row = this.db
      .select({ n: sql<number>`coalesce(sum(${messageBlocks.count}), 0)` })
      .from(messageBlocks)
      .get();
    return row?.n ?? 0;
  }

  /** One stored message (read-only: unread state does not change). */
  getMessage(mailId: string, msgId: number): MessageRow | undefined {
    return this.blocks.get(mailId, msgId);
  }

  /**
   * Deletes messages whose own expiry passed (notify messages, §4.7). Returns what went,
   * per mailbox, so the caller can adjust its counts.
   */
  expireMessages(now: number): { mailId: string; stored: number; bytes: number; unread: number }[] {
    const due = and(isNotNull(messageBlocks.expiresAt), lte(messageBlocks.expiresAt, now));
    const gone = this.db
      .select({ ...COUNTS_PER_MAILBOX, maxMsgId: sql<number>`max(${messageBlocks.lastMsgId})` })
      .from(messageBlocks)
      .where(due)
      .groupBy(messageBlocks.mailId)
      .all();
    if (gone.length === 0) return [];
    this.transaction(() => {
      this.db.delete(messageBlocks).where(due).run();
      this.keepIdsAboveStmt.run(Math.max(...gone.map((g) => g.maxMsgId)));
    });
    return gone.map(({ mailId, stored, bytes, unread }) => ({ mailId, stored, bytes, unread }));
  }

  /** The earliest message expiry still ahead, for the expiry timer. */
  nextMessageExpiry(): number | null {
    const row = this.db
      .select({ t: sql<number | null>`min(${messageBlocks.expiresAt})` })
      .from(messageBlocks)
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
