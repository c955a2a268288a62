/**
 * The JSON the broker sends back (mq9.md §3, §7, §8), as it is on the wire, and checks
 * that a reply has that shape before the client hands it on.
 */
import { PRIORITIES, type Priority } from "../../server/mq9/subjects";

export type MailboxType = "standard" | "latest";

export interface CreateReplyWire {
  mail_id: string;
  token: string;
  type: MailboxType;
  ttl: number;
  /** null when ttl is 0 (never expires, only where the operator allows it). */
  expires_at: number | null;
  inbox: string;
}

export interface QueriedMessageWire {
  msg_id: number;
  priority: Priority;
  subject: string;
  reply: string | null;
  headers: Record<string, string[]> | null;
  payload: string;
  encoding: "utf8" | "base64";
  time: number;
  expires_at: number | null;
  unread: boolean;
}

export interface QueryReplyWire {
  mail_id: string;
  type: MailboxType;
  expires_at: number | null;
  /** Unread before this QUERY. */
  unread: number;
  messages: QueriedMessageWire[];
  /**
   * More messages follow the last one here, held back by `limit` or by the reply's size
   * (it stays within max_payload): ask again with `after` (this broker's addition).
   */
  more: boolean;
}

export interface DeleteReplyWire {
  mail_id: string;
  deleted: true;
}

/** `$mq9.AI.BROADCAST.system.expired` (§8; `reason` is this broker's addition). */
export interface ExpiredEvent {
  mail_id: string;
  type: MailboxType;
  expired_at: number;
  reason?: "expired" | "deleted";
}

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === "string";
const num: Check = (v) => typeof v === "number" && Number.isFinite(v);
const numOrNull: Check = (v) => v === null || num(v);
const mailboxType: Check = (v) => v === "standard" || v === "latest";
const priority: Check = (v) => (PRIORITIES as readonly unknown[]).includes(v);

function has(value: unknown, fields: Record<string, Check>): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const o = value as Record<string, unknown>;
  return Object.entries(fields).every(([k, check]) => check(o[k]));
}

export function isCreateReply(v: unknown): v is CreateReplyWire {
  return has(v, {
    mail_id: str,
    token: str,
    type: mailboxType,
    ttl: num,
    expires_at: numOrNull,
    inbox: str,
  });
}

export function isQueriedMessage(v: unknown): v is QueriedMessageWire {
  return has(v, {
    msg_id: num,
    priority,
    subject: str,
    reply: (r) => r === null || str(r),
    headers: (h) => h === null || (typeof h === "object" && !Array.isArray(h)),
    payload: str,
    encoding: (e) => e === "utf8" || e === "base64",
    time: num,
    expires_at: numOrNull,
    unread: (u) => typeof u === "boolean",
  });
}

export function isQueryReply(v: unknown): v is QueryReplyWire {
  return (
    has(v, {
      mail_id: str,
      type: mailboxType,
      expires_at: numOrNull,
      unread: num,
      messages: Array.isArray,
    }) && (v.messages as unknown[]).every(isQueriedMessage)
  );
}

export function isDeleteReply(v: unknown): v is DeleteReplyWire {
  return has(v, { mail_id: str, deleted: (d) => d === true });
}

export function isExpiredEvent(v: unknown): v is ExpiredEvent {
  return has(v, {
    mail_id: str,
    type: mailboxType,
    expired_at: num,
    reason: (r) => r === undefined || r === "expired" || r === "deleted",
  });
}
