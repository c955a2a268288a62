/**
 * What the live tail subscribes to for a filter the operator types, and which subjects it
 * hides unless asked. Pure functions (the tail page and its checks share them).
 */
import { classifySubscription, INBOX_PREFIX } from "@/server/mq9/subjects";

/** Request inboxes, the console's own notices, mq9's system broadcasts and requests, $SYS. */
const SYSTEM_PREFIXES = [
  "_INBOX.",
  "$mq9console.",
  "$mq9.AI.BROADCAST.system.",
  "$mq9.AI.MAILBOX.",
  "$SYS.",
] as const;

export function isSystemSubject(subject: string): boolean {
  return SYSTEM_PREFIXES.some((p) => subject.startsWith(p));
}

export interface TailPlan {
  /** What is subscribed to. */
  subject: string;
  /** Delivered messages must also pass this (when the subscription is wider than asked). */
  accept: ((subject: string) => boolean) | null;
  /** Why the subscription differs from the filter, for the page to say. */
  note: string | null;
}

/** Null when the filter is a valid NATS subject pattern, else why not. */
export function filterProblem(filter: string): string | null {
  if (filter === "") return "Type a subject or a pattern, e.g. > or orders.*";
  if (/\s/.test(filter)) return "Subjects have no spaces.";
  const tokens = filter.split(".");
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === "") return "A subject has no empty tokens (two dots, or a dot at either end).";
    if (t.includes(">") && (t !== ">" || i !== tokens.length - 1)) {
      return "> stands alone, as the last token.";
    }
  }
  return null;
}

/**
 * A subscription naming one mailbox literally is its owner subscription: it would be sent
 * the unread mail and mark it read (mq9.md §6.1, §6.2). The tail must only watch, so such a
 * filter becomes a prefix pattern on that mail_id (a monitor, §6.3) narrowed back to the
 * mailbox here.
 */
export function tailPlan(filter: string): TailPlan {
  const shape = classifySubscription(filter);
  if (shape?.owner == null) return { subject: filter, accept: null, note: null };
  const mailId = shape.owner.mailId;
  const rest = filter.slice(INBOX_PREFIX.length + mailId.length);
  const exact = `${INBOX_PREFIX}${mailId}.`;
  const priority = shape.owner.priority;
  return {
    subject: `${INBOX_PREFIX}${mailId}*${rest}`,
    accept: (s) => s.startsWith(exact) && (priority === null || s === `${exact}${priority}`),
    note: "Watching this mailbox as a monitor: a subscription naming it would be its owner's and mark its mail read.",
  };
}
