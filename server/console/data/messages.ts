/**
 * A mailbox's stored messages for the operator: in mq9 order (priority, then msg_id,
 * mq9.md §5), a page at a time by keyset, straight from the store. Reading here never
 * changes unread state — that only happens through owner subscriptions and non-peek
 * QUERY (§6.2), neither of which the console uses for inspection.
 */
import "server-only";
import { priorityName, type Priority } from "@/server/mq9/subjects";
import { getRuntime } from "@/server/runtime";
import { messageBytes } from "@/server/store/block-reader";
import type { MessageRow } from "@/server/store/schema";
import { bodyView, previewOf, type BodyView, type Preview } from "./body";

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

function toSummary(r: MessageRow): MessageSummary {
  return {
    msgId: r.msgId,
    priority: priorityName(r.priority),
    subject: r.subject,
    reply: r.reply,
    time: r.time,
    expiresAt: r.expiresAt,
    unread: r.unread,
    size: messageBytes(r),
    hasHeaders: r.headers !== null,
    ...previewOf(r.payload),
  };
}

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
  const limit = opts.limit ?? MESSAGE_PAGE_SIZE;
  const after = opts.after ?? null;
  const before = after === null ? (opts.before ?? null) : null;

  let rows =
    before !== null
      ? store.page(mailId, { before }, limit + 1)
      : store.page(mailId, { after }, limit + 1);
  const more = rows.length > limit;
  if (more) rows = before !== null ? rows.slice(1) : rows.slice(0, limit);

  const first = rows[0];
  const last = rows[rows.length - 1];
  const position = first === undefined ? 0 : store.countMessages(mailId, first);
  const total = store.countMessages(mailId, null);
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
  const row = getRuntime()?.mq9.store.getMessage(mailId, msgId);
  if (row === undefined) return undefined;
  return { mailId, ...toSummary(row), ...bodyView(row, row) };
}
