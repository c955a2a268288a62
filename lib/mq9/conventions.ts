/**
 * The message body conventions of mq9.md §12: builders that fill in the field names the
 * console and other agents expect, and guards for reading bodies (never trusted: the
 * broker does not check them).
 */
import { INBOX_PREFIX } from "../../server/mq9/subjects";
import { inboxSubject } from "./addresses";

/** The common envelope (§12). */
export interface Envelope {
  from?: string;
  type?: string;
  correlation_id?: string;
  reply_to?: string;
  payload?: unknown;
}

export const APPROVAL_ACTIONS = ["approve", "reject", "edit", "answer"] as const;
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number];

export interface ApprovalOption {
  name: string;
  title: string;
}

/** §12.1. Oldest senders put `content` instead of `title`/`description`. */
export interface ApprovalRequest {
  from: string;
  type: "approval_request";
  correlation_id: string;
  reply_to: string;
  title?: string;
  description?: string;
  content?: string;
  args?: Record<string, unknown>;
  allowed?: ApprovalAction[];
  options?: ApprovalOption[];
  expires_at?: number;
}

export interface ApprovalResponse {
  from: string;
  type: "approval_response";
  correlation_id: string;
  decision: ApprovalAction;
  /** true for approve and edit, false for reject, null for answer (not a yes/no). */
  approved: boolean | null;
  reason: string | null;
  /** The edited arguments, for `edit`. */
  args: Record<string, unknown> | null;
  /** The free-text answer, for `answer`. */
  text: string | null;
  responder: string | null;
  responded_at: number;
}

export interface Skill {
  id: string;
  name: string;
  description?: string;
  tags?: string[];
}

/** §12.2, published on `$mq9.AI.BROADCAST.system.capability`. */
export interface CapabilityAnnouncement {
  from: string;
  type?: "capability";
  name?: string;
  description?: string;
  capabilities?: string[];
  skills?: Skill[];
  reply_to: string;
  /** Seconds an index keeps the agent fresh without a re-announcement (default 60). */
  ttl?: number;
}

export const DEFAULT_CAPABILITY_TTL = 60;

/** A fresh correlation id: 96 random bits, from Web Crypto (in browsers and Node alike). */
export function newCorrelationId(prefix = "corr-"): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A reply_to subject from a mail_id, or a full inbox subject kept as it is. */
function replySubject(to: string): string {
  return to.startsWith(INBOX_PREFIX) ? to : inboxSubject(to, "normal");
}

export interface ApprovalRequestInit {
  /** The asker's mail_id. */
  from: string;
  title: string;
  description?: string;
  args?: Record<string, unknown>;
  allowed?: ApprovalAction[];
  options?: ApprovalOption[];
  expiresAt?: number;
  /** Defaults to a fresh id. */
  correlationId?: string;
  /** A mail_id or full inbox subject; defaults to the asker's normal inbox. */
  replyTo?: string;
}

export function approvalRequest(init: ApprovalRequestInit): ApprovalRequest {
  const req: ApprovalRequest = {
    from: init.from,
    type: "approval_request",
    correlation_id: init.correlationId ?? newCorrelationId("approval-"),
    reply_to: replySubject(init.replyTo ?? init.from),
    title: init.title,
    description: init.description ?? "",
    args: init.args ?? {},
    allowed: init.allowed ?? ["approve", "reject"],
  };
  if (init.options !== undefined) req.options = init.options;
  if (init.expiresAt !== undefined) req.expires_at = init.expiresAt;
  return req;
}

export interface ApprovalResponseInit {
  /** The responder's mail_id. */
  from: string;
  /** The request answered (its correlation_id is copied), or the correlation id itself. */
  request: ApprovalRequest | string;
  decision: ApprovalAction;
  reason?: string;
  args?: Record<string, unknown>;
  text?: string;
  responder?: string;
  respondedAt?: number;
}

export function approvalResponse(init: ApprovalResponseInit): ApprovalResponse {
  const d = init.decision;
  return {
    from: init.from,
    type: "approval_response",
    correlation_id: typeof init.request === "string" ? init.request : init.request.correlation_id,
    decision: d,
    approved: d === "answer" ? null : d !== "reject",
    reason: init.reason ?? null,
    args: init.args ?? null,
    text: init.text ?? null,
    responder: init.responder ?? null,
    responded_at: init.respondedAt ?? Date.now(),
  };
}

export interface CapabilityAnnouncementInit {
  from: string;
  name?: string;
  description?: string;
  capabilities?: string[];
  skills?: Skill[];
  /** A mail_id or full inbox subject; defaults to the agent's normal inbox. */
  replyTo?: string;
  ttl?: number;
}

export function capabilityAnnouncement(init: CapabilityAnnouncementInit): CapabilityAnnouncement {
  if (init.capabilities === undefined && init.skills === undefined) {
    throw new TypeError("a capability announcement lists capabilities or skills");
  }
  const a: CapabilityAnnouncement = {
    from: init.from,
    type: "capability",
    reply_to: replySubject(init.replyTo ?? init.from),
    ttl: init.ttl ?? DEFAULT_CAPABILITY_TTL,
  };
  if (init.name !== undefined) a.name = init.name;
  if (init.description !== undefined) a.description = init.description;
  if (init.capabilities !== undefined) a.capabilities = init.capabilities;
  if (init.skills !== undefined) a.skills = init.skills;
  return a;
}

// ---- guards ----

function record(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const optional = (v: unknown, check: (x: unknown) => boolean) => v === undefined || check(v);
const nullable = (v: unknown, check: (x: unknown) => boolean) => v === null || check(v);
const isString = (v: unknown) => typeof v === "string";
const isAction = (v: unknown) => (APPROVAL_ACTIONS as readonly unknown[]).includes(v);

export function isApprovalRequest(v: unknown): v is ApprovalRequest {
  return (
    record(v) &&
    v.type === "approval_request" &&
    isString(v.from) &&
    isString(v.correlation_id) &&
    isString(v.reply_to) &&
    (isString(v.title) || isString(v.content)) &&
    optional(v.description, isString) &&
    optional(v.args, record) &&
    optional(v.allowed, (a) => Array.isArray(a) && a.every(isAction)) &&
    optional(
      v.options,
      (o) => Array.isArray(o) && o.every((x) => record(x) && isString(x.name) && isString(x.title)),
    ) &&
    optional(v.expires_at, (e) => typeof e === "number")
  );
}

export function isApprovalResponse(v: unknown): v is ApprovalResponse {
  return (
    record(v) &&
    v.type === "approval_response" &&
    isString(v.from) &&
    isString(v.correlation_id) &&
    isAction(v.decision) &&
    (v.approved === null || typeof v.approved === "boolean") &&
    nullable(v.reason, isString) &&
    nullable(v.args, record) &&
    nullable(v.text, isString) &&
    nullable(v.responder, isString) &&
    typeof v.responded_at === "number"
  );
}

export function isCapabilityAnnouncement(v: unknown): v is CapabilityAnnouncement {
  return (
    record(v) &&
    optional(v.type, (t) => t === "capability") &&
    isString(v.from) &&
    isString(v.reply_to) &&
    optional(v.name, isString) &&
    optional(v.description, isString) &&
    optional(v.capabilities, (c) => Array.isArray(c) && c.every(isString)) &&
    optional(
      v.skills,
      (s) => Array.isArray(s) && s.every((k) => record(k) && isString(k.id) && isString(k.name)),
    ) &&
    (Array.isArray(v.capabilities) || Array.isArray(v.skills)) &&
    optional(v.ttl, (t) => typeof t === "number" && t > 0)
  );
}
