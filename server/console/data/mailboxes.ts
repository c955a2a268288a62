/**
 * The operator's mailbox table. Live mailboxes and their counters come from mq9's registry,
 * which the store loads at start-up and keeps in step with every commit, so listing costs
 * no query; "owner online" is whether an owner subscription (mq9.md §6.1) is open now.
 */
import "server-only";
import type { Mailbox, MailboxType } from "@/server/mq9/mailboxes";
import type { Mq9Service } from "@/server/mq9/service";
import { getRuntime } from "@/server/runtime";

export const MAILBOX_SORT_KEYS = [
  "mailId",
  "type",
  "createdAt",
  "expiresAt",
  "stored",
  "unread",
  "bytes",
  "ownerOnline",
] as const;
export type MailboxSortKey = (typeof MAILBOX_SORT_KEYS)[number];
export type SortDirection = "asc" | "desc";

export interface MailboxSummary {
  mailId: string;
  type: MailboxType;
  createdAt: number;
  /** ms since the epoch; null = never expires. */
  expiresAt: number | null;
  ttl: number;
  stored: number;
  unread: number;
  bytes: number;
  /** Owner subscriptions open on it now. */
  owners: number;
}

export interface MailboxPage {
  rows: MailboxSummary[];
  /** Mailboxes matching the search, across all pages. */
  total: number;
  /** Live mailboxes, whatever the search. */
  all: number;
  offset: number;
  limit: number;
}

export interface MailboxQuery {
  /** Part of a mail_id, or a type (`standard`, `latest`). */
  q?: string;
  sort?: MailboxSortKey;
  dir?: SortDirection;
  offset?: number;
  limit?: number;
}

export const MAILBOX_PAGE_SIZE = 100;

function ownerCounts(mq9: Mq9Service): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [sub, mailId] of mq9.roles.owners) {
    if (!sub.closed) counts.set(mailId, (counts.get(mailId) ?? 0) + 1);
  }
  return counts;
}

function summary(box: Mailbox, owners: Map<string, number>): MailboxSummary {
  return {
    mailId: box.mailId,
    type: box.type,
    createdAt: box.createdAt,
    expiresAt: box.expiresAt,
    ttl: box.ttl,
    stored: box.stored,
    unread: box.unread,
    bytes: box.bytes,
    owners: owners.get(box.mailId) ?? 0,
  };
}

function sortValue(m: MailboxSummary, key: MailboxSortKey): number | string {
  switch (key) {
    case "ownerOnline":
      return m.owners;
    case "expiresAt":
      // Never expiring sorts after every expiry.
      return m.expiresAt ?? Number.MAX_SAFE_INTEGER;
    default:
      return m[key];
  }
}

/** One page of live mailboxes, searched and sorted; null when no mq9 runs here. */
export function listMailboxes(query: MailboxQuery = {}, now = Date.now()): MailboxPage | null {
  const mq9 = getRuntime()?.mq9;
  if (!mq9) return null;
  const owners = ownerCounts(mq9);
  const q = query.q?.trim().toLowerCase() ?? "";
  const key = query.sort ?? "createdAt";
  const sign = (query.dir ?? "desc") === "asc" ? 1 : -1;
  let all = 0;
  const matching: MailboxSummary[] = [];
  for (const box of mq9.mailboxes.values()) {
    // The registry keeps an expired mailbox until the expiry timer removes it (≤ 1 s).
    if (box.expiresAt !== null && box.expiresAt <= now) continue;
    all++;
    if (q !== "" && !box.mailId.includes(q) && box.type !== q) continue;
    matching.push(summary(box, owners));
  }
  matching.sort((a, b) => {
    const x = sortValue(a, key);
    const y = sortValue(b, key);
    const c = x < y ? -1 : x > y ? 1 : 0;
    // mail_id breaks ties so that pages do not shuffle between requests.
    return c !== 0 ? c * sign : a.mailId < b.mailId ? -1 : 1;
  });
  const limit = query.limit ?? MAILBOX_PAGE_SIZE;
  // Past the end (the list shrank since the last page was fetched): the last page.
  const lastPage = Math.max(0, Math.floor((matching.length - 1) / limit) * limit);
  const offset = Math.min(query.offset ?? 0, lastPage);
  return {
    rows: matching.slice(offset, offset + limit),
    total: matching.length,
    all,
    offset,
    limit,
  };
}

/** One live mailbox, or undefined (unknown or expired). */
export function getMailbox(mailId: string, now = Date.now()): MailboxSummary | undefined {
  const mq9 = getRuntime()?.mq9;
  const box = mq9?.mailboxes.get(mailId, now);
  if (!mq9 || box === undefined) return undefined;
  return summary(box, ownerCounts(mq9));
}
