/**
 * Subjects the client publishes and subscribes to (mq9.md §1), checked before they reach
 * the wire so a typo is a TypeError here rather than a silent miss on the broker.
 */
import {
  BROADCAST_PREFIX,
  DELETE_PREFIX,
  INBOX_PREFIX,
  PRIORITIES,
  QUERY_PREFIX,
  isValidMailId,
  type Priority,
} from "../../server/mq9/subjects";

/** A priority, or every priority of a mailbox. */
export type PriorityFilter = Priority | "*";

export function checkMailId(mailId: string): string {
  if (!isValidMailId(mailId)) {
    throw new TypeError(`invalid mail_id ${JSON.stringify(mailId)} (a-z, 0-9, _ and -, 1 to 128)`);
  }
  return mailId;
}

function checkPriority(p: string): PriorityFilter {
  if (p !== "*" && !(PRIORITIES as readonly string[]).includes(p)) {
    throw new TypeError(`priority must be urgent, normal or notify, not ${JSON.stringify(p)}`);
  }
  return p as PriorityFilter;
}

export function inboxSubject(mailId: string, priority: PriorityFilter = "normal"): string {
  return `${INBOX_PREFIX}${checkMailId(mailId)}.${checkPriority(priority)}`;
}

/**
 * A subscription subject over many mailboxes: a mail_id, a prefix pattern such as
 * `m-status-*` (§6.3, an mq9 extension), or `*` for every mailbox.
 */
export function inboxPattern(pattern: string, priority: PriorityFilter = "*"): string {
  const ok =
    pattern === "*" ||
    isValidMailId(pattern) ||
    (pattern.endsWith("*") && isValidMailId(pattern.slice(0, -1)));
  if (!ok) throw new TypeError(`invalid mailbox pattern ${JSON.stringify(pattern)}`);
  return `${INBOX_PREFIX}${pattern}.${checkPriority(priority)}`;
}

export function querySubject(mailId: string): string {
  return QUERY_PREFIX + checkMailId(mailId);
}

export function deleteSubject(mailId: string): string {
  return DELETE_PREFIX + checkMailId(mailId);
}

/** One subject token: not empty, no dots, wildcards or white space. */
const TOKEN = /^[^.*>\s]+$/;

export function broadcastSubject(domain: string, event: string): string {
  for (const [what, t] of [
    ["domain", domain],
    ["event", event],
  ] as const) {
    if (!TOKEN.test(t)) throw new TypeError(`invalid broadcast ${what} ${JSON.stringify(t)}`);
  }
  return `${BROADCAST_PREFIX}${domain}.${event}`;
}

/**
 * A subscription below `$mq9.AI.BROADCAST.`: `task.available`, `*.anomaly`, `system.>`,
 * or `#` (§6.4: a final `#` means `>`).
 */
export function broadcastPattern(pattern: string): string {
  const tokens = pattern.split(".");
  const ok = tokens.every(
    (t, i) =>
      t === "*" ||
      ((t === ">" || t === "#") && i === tokens.length - 1) ||
      (/^[^.>\s]+$/.test(t) && !t.slice(0, -1).includes("*")),
  );
  if (!ok || pattern === "") {
    throw new TypeError(`invalid broadcast pattern ${JSON.stringify(pattern)}`);
  }
  return BROADCAST_PREFIX + pattern;
}

/** The mail_id of an inbox subject, or null for any other subject. */
export function mailIdOf(subject: string): string | null {
  if (!subject.startsWith(INBOX_PREFIX)) return null;
  const id = subject.slice(INBOX_PREFIX.length).split(".")[0] ?? "";
  return isValidMailId(id) ? id : null;
}
