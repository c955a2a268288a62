/**
 * A mailbox's stored messages for the operator: in mq9 order (priority, then msg_id,
 * mq9.md §5), a page at a time by keyset, straight from the store. Reading here never
 * changes unread state — that only happens through owner subscriptions and non-peek
 * QUERY (§6.2), neither of which the console uses for inspection.
 */
import "server-only";
import { and, asc, count, desc, eq, sql } from "drizzle-orm";
import { priorityName, type Priority } from "@/server/mq9/subjects";
import { getRuntime } from "@/server/runtime";
import { messageById, messages } from "@/server/store/schema";
import { bodyView, previewOf, PREVIEW_SQL_BYTES, type BodyView, type Preview } from "./body";

export interface MessageSummary extends Preview {
  msgId: number;
  priority: Priority;
  subject: string;
  reply: string | null;
  time: number;
  expiresAt: number | null;
  unread: boolean;
  /** Payload plus header block, in bytes. */
  size: number;
  hasHeaders: boolean;
}

export interface MessageDetail extends MessageSummary, BodyView {
  mailId: string;
}

/** A position in mq9 order: `<priority rank>.<msg_id>`, as pages link to each other. */
export interface MessageCursor {
  priority: number;
  msgId: number;
}

export interface MessagePage {
  rows: MessageSummary[];
  /** How many messages come before the first row (for "101–200 of 10 000"). */
  position: number;
  total: number;
  /** Cursors for the neighbouring pages; null at either end. */
  next: string | null;
  prev: string | null;
}

export const MESSAGE_PAGE_SIZE = 100;

export function formatCursor(c: MessageCursor): string {
  return `${c.priority}.${c.msgId}`;
}

export function parseCursor(s: string): MessageCursor | null {
  const m = /^([0-2])\.(\d{1,15})$/.exec(s);
  return m ? { priority: Number(m[1]), msgId: Number(m[2]) } : null;
}

const SUMMARY = {
  msgId: messages.msgId,
  priority: messages.priority,
  subject: messages.subject,
  reply: messages.reply,
  time: messages.time,
  expiresAt: messages.expiresAt,
  unread: messages.unread,
  size: sql<number>`length(${messages.payload}) + coalesce(length(${messages.headers}), 0)`,
  hasHeaders: sql<number>`${messages.headers} is not null`,
  start: sql<Buffer>`substr(${messages.payload}, 1, ${PREVIEW_SQL_BYTES})`,
};

/** A row as SUMMARY selects it: priority as stored, hasHeaders as SQLite's 0/1. */
type SummaryRow = Omit<MessageSummary, "priority" | "hasHeaders" | keyof Preview> & {
  priority: number;
  hasHeaders: number;
  start: Buffer;
};

function toSummary(r: SummaryRow): MessageSummary {
  return {
    msgId: r.msgId,
    priority: priorityName(r.priority),
    subject: r.subject,
    reply: r.reply,
    time: r.time,
    expiresAt: r.expiresAt,
    unread: r.unread,
    size: r.size,
    hasHeaders: r.hasHeaders === 1,
    ...previewOf(r.start),
  };
}

const orderKey = sql`(${messages.priority}, ${messages.msgId})`;

/**
 * One page of a mailbox in mq9 order: the first, the one after `after`, or the one before
 * `before` (exclusive cursors). Null when no store is open here.
 */
export function listMessages(
  mailId: string,
  opts: { after?: MessageCursor | null; before?: MessageCursor | null; limit?: number } = {},
): MessagePage | null {
  const store = getRuntime()?.mq9.store;
  if (!store) return null;
  const db = store.db;
  const limit = opts.limit ?? MESSAGE_PAGE_SIZE;
  const mine = eq(messages.mailId, mailId);
  const after = opts.after ?? null;
  const before = after === null ? (opts.before ?? null) : null;

  let rows: SummaryRow[];
  let more: boolean;
  if (before !== null) {
    rows = db
      .select(SUMMARY)
      .from(messages)
      .where(and(mine, sql`${orderKey} < (${before.priority}, ${before.msgId})`))
      .orderBy(desc(messages.priority), desc(messages.msgId))
      .limit(limit + 1)
      .all();
    more = rows.length > limit;
    rows = rows.slice(0, limit).reverse();
  } else {
    rows = db
      .select(SUMMARY)
      .from(messages)
      .where(
        after === null
          ? mine
          : and(mine, sql`${orderKey} > (${after.priority}, ${after.msgId})`),
      )
      .orderBy(asc(messages.priority), asc(messages.msgId))
      .limit(limit + 1)
      .all();
    more = rows.length > limit;
    rows = rows.slice(0, limit);
  }

  const first = rows[0];
  const last = rows[rows.length - 1];
  const countWhere = (c: ReturnType<typeof sql> | undefined) =>
    db
      .select({ n: count() })
      .from(messages)
      .where(c === undefined ? mine : and(mine, c))
      .get()?.n ?? 0;
  const position =
    first === undefined ? 0 : countWhere(sql`${orderKey} < (${first.priority}, ${first.msgId})`);
  const total = countWhere(undefined);
  const hasNext = before !== null ? last !== undefined && position + rows.length < total : more;
  const hasPrev = before !== null ? more : position > 0;
  return {
    rows: rows.map(toSummary),
    position,
    total,
    next: hasNext && last ? formatCursor(last) : null,
    prev: hasPrev && first ? formatCursor(first) : null,
  };
}

/** One stored message of a mailbox with its payload, headers and raw form. */
export function getMessage(mailId: string, msgId: number): MessageDetail | undefined {
  const store = getRuntime()?.mq9.store;
  if (!store) return undefined;
  const row = store.db
    .select({ ...SUMMARY, headers: messages.headers, payload: messages.payload })
    .from(messages)
    .where(messageById(mailId, msgId))
    .get();
  if (row === undefined) return undefined;
  return { mailId, ...toSummary(row), ...bodyView(row, row) };
}
