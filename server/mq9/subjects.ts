/**
 * The mq9 namespace (mq9.md §1): what a published subject asks for, and what kind of
 * subscription a SUB under `$mq9.AI.` makes. Pure functions, shared with the client module.
 */

export const MQ9_PREFIX = "$mq9.AI.";
export const INBOX_PREFIX = "$mq9.AI.INBOX.";
export const BROADCAST_PREFIX = "$mq9.AI.BROADCAST.";
export const CREATE_SUBJECT = "$mq9.AI.MAILBOX.CREATE";
export const QUERY_PREFIX = "$mq9.AI.MAILBOX.QUERY.";
export const DELETE_PREFIX = "$mq9.AI.MAILBOX.DELETE.";
export const EXPIRED_SUBJECT = "$mq9.AI.BROADCAST.system.expired";
export const CAPABILITY_SUBJECT = "$mq9.AI.BROADCAST.system.capability";

export const PRIORITIES = ["urgent", "normal", "notify"] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Stored as its index: sorts urgent < normal < notify (§5). */
export function priorityRank(p: Priority): number {
  return PRIORITIES.indexOf(p);
}

export function priorityName(rank: number): Priority {
  return PRIORITIES[rank] ?? "normal";
}

/** The subject a message to this mailbox and priority is sent on (§4). */
export function inboxSubject(mailId: string, rank: number): string {
  return `${INBOX_PREFIX}${mailId}.${priorityName(rank)}`;
}

const MAIL_ID = /^[a-z0-9_-]{1,128}$/;

/** One NATS token of `[a-z0-9_-]`, 1 to 128 characters (§2). */
export function isValidMailId(id: string): boolean {
  return MAIL_ID.test(id);
}

export type PublishTarget =
  | { kind: "create" }
  | { kind: "query"; mailId: string }
  | { kind: "delete"; mailId: string }
  | { kind: "inbox"; mailId: string; priority: Priority | null; priorityToken: string }
  | { kind: "broadcast" }
  | { kind: "unknown" };

/** What a publish to a subject under `$mq9.AI.` asks for. */
export function classifyPublish(subject: string): PublishTarget {
  if (subject.startsWith(INBOX_PREFIX)) {
    const rest = subject.slice(INBOX_PREFIX.length);
    const dot = rest.indexOf(".");
    const mailId = dot < 0 ? rest : rest.slice(0, dot);
    const priorityToken = dot < 0 ? "" : rest.slice(dot + 1);
    const priority = (PRIORITIES as readonly string[]).includes(priorityToken)
      ? (priorityToken as Priority)
      : null;
    return { kind: "inbox", mailId, priority, priorityToken };
  }
  if (subject.startsWith(BROADCAST_PREFIX)) return { kind: "broadcast" };
  if (subject === CREATE_SUBJECT) return { kind: "create" };
  if (subject.startsWith(QUERY_PREFIX)) {
    return { kind: "query", mailId: subject.slice(QUERY_PREFIX.length) };
  }
  if (subject.startsWith(DELETE_PREFIX)) {
    return { kind: "delete", mailId: subject.slice(DELETE_PREFIX.length) };
  }
  return { kind: "unknown" };
}

/** How a subscription under `$mq9.AI.` takes part in mq9 (§6). */
export interface SubscriptionShape {
  /** Names one mailbox literally: it replays unread mail and consumes it (§6.1). */
  owner: { mailId: string; priority: Priority | null } | null;
  /**
   * Sees the current message of every matching `latest` mailbox when made (§6.3):
   * a prefix pattern or a full `*` in the mail_id position.
   */
  latestState: { prefix: string; priority: Priority | null } | null;
  /**
   * A matcher for what plain NATS matching cannot do: `m-status-*` prefix tokens and a
   * final `#` meaning `>` (§6.3, §6.4). Null when NATS matching is exact.
   */
  extended: ((subject: string) => boolean) | null;
}

const ANY_PRIORITY = new Set(["*", ">", "#"]);

export function classifySubscription(subject: string): SubscriptionShape | null {
  if (!subject.startsWith(MQ9_PREFIX)) return null;
  const tokens = subject.split(".");
  const shape: SubscriptionShape = { owner: null, latestState: null, extended: null };
  const last = tokens[tokens.length - 1];
  const hasPrefixToken = tokens.some((t) => t.length > 1 && t.endsWith("*"));
  if (last === "#" || hasPrefixToken) shape.extended = compile(tokens);
  if (subject.startsWith(INBOX_PREFIX) && tokens.length >= 4) {
    const id = tokens[3]!;
    const prioToken = tokens[4];
    const priority =
      prioToken !== undefined && (PRIORITIES as readonly string[]).includes(prioToken)
        ? (prioToken as Priority)
        : null;
    const prioOk = tokens.length === 5 && (priority !== null || ANY_PRIORITY.has(prioToken ?? ""));
    if (prioOk && isValidMailId(id)) shape.owner = { mailId: id, priority };
    else if (prioOk && id === "*") shape.latestState = { prefix: "", priority };
    else if (prioOk && id.length > 1 && id.endsWith("*")) {
      shape.latestState = { prefix: id.slice(0, -1), priority };
    }
  }
  return shape.owner || shape.latestState || shape.extended ? shape : null;
}

/** Token matcher with mq9's extensions: `pre*` matches tokens starting `pre`, final `#` = `>`. */
function compile(pattern: string[]): (subject: string) => boolean {
  return (subject) => {
    const tokens = subject.split(".");
    for (let i = 0; i < pattern.length; i++) {
      const p = pattern[i]!;
      if ((p === ">" || p === "#") && i === pattern.length - 1) return tokens.length > i;
      const t = tokens[i];
      if (t === undefined) return false;
      if (p === "*") continue;
      if (p.length > 1 && p.endsWith("*")) {
        if (!t.startsWith(p.slice(0, -1))) return false;
        continue;
      }
      if (p !== t) return false;
    }
    return tokens.length === pattern.length;
  };
}
