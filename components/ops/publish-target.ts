/**
 * Where the publisher sends: a plain subject as typed, or a mailbox — a bare mail_id, or an
 * inbox subject — at the chosen priority (`$mq9.AI.INBOX.{mail_id}.{priority}`, mq9.md §4).
 */
import { INBOX_PREFIX, isValidMailId, PRIORITIES, type Priority } from "@/server/mq9/subjects";

export type PublishTarget =
  | { kind: "mailbox"; mailId: string; priority: Priority; subject: string }
  | { kind: "subject"; subject: string }
  | { kind: "invalid"; reason: string };

/** `priority` "" means "no priority chosen": a bare token is then a plain subject. */
export function publishTarget(field: string, priority: Priority | ""): PublishTarget {
  const f = field.trim();
  if (f === "") return { kind: "invalid", reason: "Type a subject or a mail_id." };
  if (/\s/.test(f)) return { kind: "invalid", reason: "Subjects have no spaces." };
  if (/(^|\.)[*>](\.|$)/.test(f)) {
    return { kind: "invalid", reason: "Publish to a subject without wildcards." };
  }
  if (f.split(".").some((t) => t === "")) {
    return { kind: "invalid", reason: "A subject has no empty tokens." };
  }
  if (f.startsWith(INBOX_PREFIX)) {
    const [mailId = "", typed, ...more] = f.slice(INBOX_PREFIX.length).split(".");
    const typedPriority = (PRIORITIES as readonly string[]).includes(typed ?? "")
      ? (typed as Priority)
      : null;
    if (!isValidMailId(mailId) || more.length > 0 || (typed !== undefined && !typedPriority)) {
      return {
        kind: "invalid",
        reason: "An inbox subject is $mq9.AI.INBOX.<mail_id>.<urgent|normal|notify>.",
      };
    }
    // The typed priority wins; the form keeps its select in step with it (syncPriority).
    const p = typedPriority || priority || "normal";
    return { kind: "mailbox", mailId, priority: p, subject: `${INBOX_PREFIX}${mailId}.${p}` };
  }
  if (priority !== "" && isValidMailId(f)) {
    return { kind: "mailbox", mailId: f, priority, subject: `${INBOX_PREFIX}${f}.${priority}` };
  }
  return { kind: "subject", subject: f };
}

/** `Key: value` lines to pairs; a message naming the first bad line otherwise. */
export function parseHeaderLines(text: string): [string, string][] | string {
  const out: [string, string][] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const colon = line.indexOf(":");
    const key = colon > 0 ? line.slice(0, colon).trim() : "";
    if (!/^[!-9;-~]+$/.test(key)) return `Header line ${i + 1} is not "Key: value".`;
    out.push([key, line.slice(colon + 1).trim()]);
  }
  return out;
}

/** The priority token of a typed inbox subject, if it has a valid one. */
export function typedPriority(field: string): Priority | null {
  const f = field.trim();
  if (!f.startsWith(INBOX_PREFIX)) return null;
  const t = f.slice(INBOX_PREFIX.length).split(".")[1];
  return (PRIORITIES as readonly string[]).includes(t ?? "") ? (t as Priority) : null;
}

/** The field with its inbox subject's priority token replaced (unchanged otherwise). */
export function withPriority(field: string, priority: Priority): string {
  const f = field.trim();
  if (typedPriority(f) === null) return field;
  const parts = f.split(".");
  parts[parts.length - 1] = priority;
  return parts.join(".");
}
