/**
 * The dead-letter store for the operator (mq9.md §10): newest first, a page at a time by
 * id, optionally for one original mailbox; one letter with its payload and headers.
 */
import "server-only";
import { and, count, desc, lt, sql } from "drizzle-orm";
import { priorityName, type Priority } from "@/server/mq9/subjects";
import { getRuntime } from "@/server/runtime";
import { deadLetters } from "@/server/store/schema";
import { bodyView, previewOf, PREVIEW_SQL_BYTES, type BodyView, type Preview } from "./body";

export interface DeadLetterSummary extends Preview {
  id: number;
  msgId: number;
  mailId: string;
  priority: Priority;
  subject: string;
  reply: string | null;
  time: number;
  deadAt: number;
  reason: string;
  size: number;
}

export interface DeadLetterDetail extends DeadLetterSummary, BodyView {}

export interface DeadLetterPage {
  rows: DeadLetterSummary[];
  /** Letters matching the search, across all pages. */
  total: number;
  /** Cursor (an id) for the next, older page; null at the end. */
  next: number | null;
}

export const DEAD_LETTER_PAGE_SIZE = 100;

const SUMMARY = {
  id: deadLetters.id,
  msgId: deadLetters.msgId,
  mailId: deadLetters.mailId,
  priority: deadLetters.priority,
  subject: deadLetters.subject,
  reply: deadLetters.reply,
  time: deadLetters.time,
  deadAt: deadLetters.deadAt,
  reason: deadLetters.reason,
  size: sql<number>`length(${deadLetters.payload}) + coalesce(length(${deadLetters.headers}), 0)`,
  start: sql<Buffer>`substr(${deadLetters.payload}, 1, ${PREVIEW_SQL_BYTES})`,
};

/** Letters older than `before` (an id), newest first; `q` matches the original mail_id. */
export function listDeadLetters(
  opts: { before?: number | null; q?: string; limit?: number } = {},
): DeadLetterPage | null {
  const store = getRuntime()?.mq9.store;
  if (!store) return null;
  const limit = opts.limit ?? DEAD_LETTER_PAGE_SIZE;
  const q = opts.q?.trim() ?? "";
  // instr, not LIKE: mail_ids may hold `_`, LIKE's wildcard.
  const search = q === "" ? undefined : sql`instr(${deadLetters.mailId}, ${q}) > 0`;
  const rows = store.db
    .select(SUMMARY)
    .from(deadLetters)
    .where(and(search, opts.before != null ? lt(deadLetters.id, opts.before) : undefined))
    .orderBy(desc(deadLetters.id))
    .limit(limit + 1)
    .all();
  const total = store.db.select({ n: count() }).from(deadLetters).where(search).get()?.n ?? 0;
  const page = rows.slice(0, limit);
  return {
    rows: page.map(({ start, priority, ...r }) => ({
      ...r,
      priority: priorityName(priority),
      ...previewOf(start),
    })),
    total,
    next: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}

export function getDeadLetter(id: number): DeadLetterDetail | undefined {
  const row = getRuntime()?.mq9.store.getDeadLetter(id);
  if (row === undefined) return undefined;
  return {
    id: row.id,
    msgId: row.msgId,
    mailId: row.mailId,
    priority: priorityName(row.priority),
    subject: row.subject,
    reply: row.reply,
    time: row.time,
    deadAt: row.deadAt,
    reason: row.reason,
    size: row.payload.length + (row.headers?.length ?? 0),
    ...previewOf(row.payload.subarray(0, PREVIEW_SQL_BYTES)),
    ...bodyView(row, null),
  };
}
