/**
 * What the inbox shows for one mailbox message: the message read once (body parsed, the
 * §12.1 approval convention recognised) so rows never parse while rendering.
 */
import {
  APPROVAL_ACTIONS,
  isApprovalRequest,
  type ApprovalAction,
  type ApprovalOption,
  type HeaderRecord,
  type Mq9Message,
  type Priority,
} from "@/lib/mq9/mod";

/**
 * `approval`: a §12.1 request, rendered as a card with its allowed actions.
 * `request`: asks for an answer (it has somewhere to send one) but does not fit the
 * convention: shown as raw JSON with "answer as text".
 * `message`: anything else, shown as a plain message.
 */
export type ItemKind = "approval" | "request" | "message";

export interface ApprovalView {
  title: string;
  /** Markdown. */
  description: string;
  args: Record<string, unknown>;
  allowed: readonly ApprovalAction[];
  options: readonly ApprovalOption[];
}

export interface InboxItem {
  /** `${mailId}:${msgId}`: unique across the mailboxes the browser owns. */
  key: string;
  mailId: string;
  msgId: number;
  priority: Priority;
  /** When the broker stored it, ms. */
  time: number;
  headers: HeaderRecord;
  /** The body as UTF-8 text, or null when it is not valid UTF-8. */
  text: string | null;
  size: number;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: unknown;
  kind: ItemKind;
  approval: ApprovalView | null;
  /** The key answers are filed under (as the server's AnswerBook does): the body's
   * correlation_id, else `msg-<msg_id>`. Null for plain messages. */
  correlationId: string | null;
  from: string | null;
  type: string | null;
  /** The request's own deadline (§12.1 expires_at), ms; null when it has none. */
  expiresAt: number | null;
  /** What the human may answer with; empty for plain messages. */
  actions: readonly ApprovalAction[];
}

const DEFAULT_ALLOWED: readonly ApprovalAction[] = ["approve", "reject"];
const utf8 = new TextDecoder("utf-8", { fatal: true });

function record(v: unknown): Record<string, unknown> | null {
  return typeof v === "object" && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : null;
}

/** Types that ask for an answer even when they do not fit §12.1. */
const ASKING_TYPES = new Set(["approval_request", "question", "request"]);

export function toInboxItem(msg: Mq9Message): InboxItem {
  let text: string | null = null;
  try {
    text = utf8.decode(msg.data);
  } catch {
    text = null;
  }
  let json: unknown = undefined;
  if (text !== null) {
    const t = text.trimStart();
    if (t.startsWith("{") || t.startsWith("[")) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
  }
  const body = record(json);
  const type = typeof body?.type === "string" ? body.type : null;
  const from = typeof body?.from === "string" ? body.from : null;
  const replyTo =
    typeof body?.reply_to === "string" && body.reply_to !== "" ? body.reply_to : msg.reply;
  const expiresAt = typeof body?.expires_at === "number" ? body.expires_at : null;
  const correlation =
    typeof body?.correlation_id === "string" ? body.correlation_id : `msg-${msg.msgId}`;

  let kind: ItemKind = "message";
  let approval: ApprovalView | null = null;
  let actions: readonly ApprovalAction[] = [];
  if (isApprovalRequest(body)) {
    kind = "approval";
    // The oldest docs send `content` instead of title/description (§12.1).
    const title = body.title ?? firstLine(body.content ?? "") ?? "Approval request";
    approval = {
      title,
      description: body.description ?? body.content ?? "",
      args: body.args ?? {},
      allowed: body.allowed && body.allowed.length > 0 ? body.allowed : DEFAULT_ALLOWED,
      options: body.options ?? [],
    };
    actions = approval.allowed;
  } else if (
    replyTo !== null &&
    ((type !== null && ASKING_TYPES.has(type)) || msg.reply !== null)
  ) {
    kind = "request";
    actions = rawActions(body);
  }

  return {
    key: `${msg.mailId}:${msg.msgId}`,
    mailId: msg.mailId,
    msgId: msg.msgId,
    priority: msg.priority,
    time: msg.time,
    headers: msg.headers,
    text,
    size: msg.data.length,
    json,
    kind,
    approval,
    correlationId: kind === "message" ? null : correlation,
    from,
    type,
    expiresAt: kind === "message" ? null : expiresAt,
    actions,
  };
}

/**
 * A request outside the convention is answered as text; one that says it is an
 * approval_request keeps the actions it lists (the server checks them the same way).
 */
function rawActions(body: Record<string, unknown> | null): readonly ApprovalAction[] {
  if (body?.type !== "approval_request") return ["answer"];
  const listed = Array.isArray(body.allowed)
    ? body.allowed.filter((a): a is ApprovalAction =>
        (APPROVAL_ACTIONS as readonly unknown[]).includes(a),
      )
    : DEFAULT_ALLOWED;
  return listed.includes("answer") ? listed : [...listed, "answer"];
}

function firstLine(s: string): string | null {
  const line = s
    .split("\n", 1)[0]
    ?.replace(/^#+\s*/, "")
    .trim();
  return line ? line.slice(0, 120) : null;
}

const RANK: Record<Priority, number> = { urgent: 0, normal: 1, notify: 2 };

/**
 * The inbox order: urgent approval requests first (they are what a human is here for),
 * then mq9 order — priority, then msg_id (mq9.md §5).
 */
export function compareItems(a: InboxItem, b: InboxItem): number {
  const ua = a.kind === "approval" && a.priority === "urgent" ? 0 : 1;
  const ub = b.kind === "approval" && b.priority === "urgent" ? 0 : 1;
  if (ua !== ub) return ua - ub;
  const pr = RANK[a.priority] - RANK[b.priority];
  if (pr !== 0) return pr;
  return a.msgId - b.msgId;
}
