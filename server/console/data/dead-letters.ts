/**
 * The dead-letter store for the operator (mq9.md §10): newest first, a page at a time by
 * id, optionally for one original mailbox; one letter with its payload and headers.
 */
import "server-only";
import { and, count, desc, eq, lt, sql } from "drizzle-orm";
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

/** A row as SUMMARY selects it: priority as stored, the payload's first bytes. */
type SummaryRow = Omit<DeadLetterSummary, "priority" | keyof Preview> & {
  priority: number;
  start: Buffer;
};

function toSummary({ start, priority, ...r }: SummaryRow): DeadLetterSummary {
  return { ...r, priority: priorityName(priority), ...previewOf(start) };
}

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
    rows: page.map(toSummary),
    total,
    next: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}

export function getDeadLetter(id: number): DeadLetterDetail | undefined {
  const store = getRuntime()?.mq9.store;
  if (!store) return undefined;
  const row = store.db
    .select({ ...SUMMARY, headers: deadLetters.headers, payload: deadLetters.payload })
    .from(deadLetters)
    .where(eq(deadLetters.id, id))
    .get();
  if (row === undefined) return undefined;
  // toSummary keeps every field it is given: the raw bytes go to the body view only.
  const { headers, payload, ...summary } = row;
  return { ...toSummary(summary), ...bodyView({ headers, payload }, null) };
}
