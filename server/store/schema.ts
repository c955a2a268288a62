/**
 * The mq9 store's tables (Drizzle, SQLite). Migrations in drizzle/ are generated from this
 * file by drizzle-kit and applied at start-up. Times are ms since the epoch.
 */
import { sql } from "drizzle-orm";
import {
  blob,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import type { StoredBlock } from "./block-format.mjs";

export const mailboxes = sqliteTable("mailboxes", {
  mailId: text("mail_id").primaryKey(),
  /** "standard" keeps every message; "latest" keeps only the newest (mq9.md §3). */
  type: text("type", { enum: ["standard", "latest"] }).notNull(),
  /** SHA-256 of the token, hex; the token itself is never stored. */
  tokenHash: text("token_hash").notNull(),
  createdAt: integer("created_at").notNull(),
  /** Null: never expires. */
  expiresAt: integer("expires_at"),
  ttl: integer("ttl").notNull(),
});

/**
 * Messages live in blocks: one row per mailbox, priority and group commit, holding that
 * batch's messages packed in msg_id order (block-format.mjs has the layout and how read
 * state is kept). A durable send then costs a share of one row instead of a B-tree entry
 * per message: a commit of 1 000 messages over 30 mailboxes measured 1.3 ms here, against
 * 5.7 ms as a row per message. Reads (replay, QUERY, the console) walk the blocks of a
 * mailbox in mq9 order: (mail_id, priority, first_msg_id).
 */
export const messageBlocks = sqliteTable(
  "message_blocks",
  {
    blockId: integer("block_id").primaryKey(),
    // No foreign key: a mailbox's row goes at once, its messages in the background
    // (reaping), so that removing a full mailbox never stalls the broker.
    mailId: text("mail_id").notNull(),
    /** 0 urgent, 1 normal, 2 notify: sorts in mq9 order. */
    priority: integer("priority").notNull(),
    firstMsgId: integer("first_msg_id").notNull(),
    lastMsgId: integer("last_msg_id").notNull(),
    count: integer("count").notNull(),
    /** Payloads plus header blocks, as counted against the mailbox's byte limit. */
    bytes: integer("bytes").notNull(),
    /** How many of its messages are unread. */
    unread: integer("unread").notNull(),
    /** When its last notify message expires (§4.7); null for urgent and normal. */
    expiresAt: integer("expires_at"),
    data: blob("data", { mode: "buffer" }).notNull(),
    /** Null when all unread or all read (see `unread`); else a bitmap of read records. */
    read: blob("read", { mode: "buffer" }),
  },
  (t) => [
    uniqueIndex("message_blocks_order").on(t.mailId, t.priority, t.firstMsgId),
    index("message_blocks_expiry")
      .on(t.expiresAt)
      .where(sql`${t.expiresAt} is not null`),
  ],
);

/** One stored message, as read from its block. */
export interface MessageRow {
  /** Broker-wide, only grows, never reused (mq9.md §5). */
  msgId: number;
  mailId: string;
  priority: number;
  /** `$mq9.AI.INBOX.<mail_id>.<priority>` (§4): rebuilt, not stored. */
  subject: string;
  reply: string | null;
  /** The NATS header block as published with HPUB, or null. */
  headers: Buffer | null;
  payload: Buffer;
  time: number;
  /** Notify messages only (§4.7). */
  expiresAt: number | null;
  unread: boolean;
  /** The block it was read from, when the read knows it (read marks use it). */
  block?: StoredBlock | null;
}

export const deadLetters = sqliteTable(
  "dead_letters",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    msgId: integer("msg_id").notNull(),
    mailId: text("mail_id").notNull(),
    priority: integer("priority").notNull(),
    subject: text("subject").notNull(),
    reply: text("reply"),
    headers: blob("headers", { mode: "buffer" }),
    payload: blob("payload", { mode: "buffer" }).notNull(),
    time: integer("time").notNull(),
    deadAt: integer("dead_at").notNull(),
    reason: text("reason").notNull(),
  },
  (t) => [index("dead_letters_dead_at").on(t.deadAt), index("dead_letters_mail").on(t.mailId)],
);

/**
 * Mailboxes that are gone but whose messages are still being removed, oldest first; a
 * restart resumes where it stopped.
 */
export const reaping = sqliteTable("reaping", {
  mailId: text("mail_id").primaryKey(),
  /** Unread urgent/normal messages go to the dead-letter store (expired standard mailboxes). */
  deadLetter: integer("dead_letter", { mode: "boolean" }).notNull(),
  at: integer("at").notNull(),
});

/** Named counters that must survive restarts (the next msg_id). */
export const counters = sqliteTable("counters", {
  name: text("name").primaryKey(),
  value: integer("value").notNull(),
});

/**
 * The console's answers to approval requests (mq9.md §12.1): one per mailbox and
 * correlation id, so a request is answered once, and its answered state survives reloads
 * and shows in every browser. Kept after the mailbox is gone, as a record of decisions.
 */
export const answers = sqliteTable(
  "answers",
  {
    mailId: text("mail_id").notNull(),
    correlationId: text("correlation_id").notNull(),
    /** The request's msg_id in that mailbox. */
    msgId: integer("msg_id").notNull(),
    replyTo: text("reply_to").notNull(),
    decision: text("decision", { enum: ["approve", "reject", "edit", "answer"] }).notNull(),
    /** The approval_response as published, JSON. */
    response: text("response").notNull(),
    responder: text("responder").notNull(),
    respondedAt: integer("responded_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.mailId, t.correlationId] })],
);

/**
 * The agents index (mq9.md §12.2): the latest capability announcement per agent mailbox,
 * so the console's view is complete after a restart too. `goneAt` is set when the
 * agent's mailbox expires or is deleted (§8 event).
 */
export const agents = sqliteTable("agents", {
  mailId: text("mail_id").primaryKey(),
  /** The announcement as received, JSON. */
  announcement: text("announcement").notNull(),
  /** Seconds without a new announcement before the agent counts as stale. */
  ttl: integer("ttl").notNull(),
  firstSeen: integer("first_seen").notNull(),
  lastSeen: integer("last_seen").notNull(),
  goneAt: integer("gone_at"),
});

export type MailboxRow = typeof mailboxes.$inferSelect;
export type MessageBlockRow = typeof messageBlocks.$inferSelect;
export type DeadLetterRow = typeof deadLetters.$inferSelect;
export type AnswerRow = typeof answers.$inferSelect;
export type AgentRow = typeof agents.$inferSelect;
