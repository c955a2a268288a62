/**
 * Answering approval requests (mq9.md §12.1) from the console. The request is read from
 * the store, not taken from the browser: the correlation id, reply_to, allowed actions and
 * expiry are the agent's, so a page cannot answer something that was never asked or send
 * the answer elsewhere. Each correlation id of a mailbox is answered once (the claim is a
 * row with that key), and the answer is published through mq9 and stored before the
 * caller hears it went out.
 */
import {
  approvalResponse,
  isApprovalRequest,
  mailIdOf,
  type ApprovalAction,
  type ApprovalResponse,
} from "../../lib/mq9/mod";
import { ANSWERED_PREFIX } from "../../lib/console/subjects";
import type { Logger } from "../nats/mod";
import type { Mq9Service } from "../mq9/service";
import { tokenMatches } from "../mq9/ids";
import { INBOX_PREFIX, classifyPublish, isValidMailId } from "../mq9/subjects";
import type { AnswerRow, ConsoleStore } from "../store/console-store";
import type { MailboxSender } from "./mailbox-sender";
import type { InternalConnection } from "./nats-connection";

export { ANSWERED_PREFIX };

export interface AnswerInput {
  mailId: string;
  token: string;
  /** The request's msg_id in that mailbox. */
  msgId: number;
  decision: ApprovalAction;
  reason?: string;
  args?: Record<string, unknown>;
  text?: string;
  responder: string;
}

export interface AnswerRecord {
  mailId: string;
  msgId: number;
  correlationId: string;
  replyTo: string;
  decision: ApprovalAction;
  response: ApprovalResponse;
  responder: string;
  respondedAt: number;
}

export const ANSWER_ERROR_CODES = [
  "unauthorized",
  "not_found",
  "not_a_request",
  "not_allowed",
  "expired",
  "already_answered",
  "undeliverable",
] as const;
export type AnswerErrorCode = (typeof ANSWER_ERROR_CODES)[number];

/** One error class per failure kind, as the NATS clients do; `code` is what routes return. */
export class AnswerError extends Error {
  constructor(
    readonly code: AnswerErrorCode,
    message: string,
    /** For `already_answered`: the answer that stands. */
    readonly existing: AnswerRecord | null = null,
  ) {
    super(message);
    this.name = "AnswerError";
  }
}

/** What the request says about how it may be answered. */
interface Asked {
  correlationId: string;
  replyTo: string;
  allowed: readonly ApprovalAction[];
  /** Quick replies (§12.1 `options`): answers by name, whatever `allowed` says. */
  options: readonly string[];
  expiresAt: number | null;
}

export interface AnswerBookOptions {
  sender: MailboxSender;
  connection: InternalConnection;
  mq9: Mq9Service;
  store: ConsoleStore;
  log: Logger;
}

export class AnswerBook {
  constructor(private readonly opts: AnswerBookOptions) {}

  /** The mailbox's answers, oldest first. The caller has checked the token (see authorize). */
  list(mailId: string): AnswerRecord[] {
    return this.opts.store.listAnswers(mailId).map(record);
  }

  /** Throws `unauthorized` unless `token` is the mailbox's; `not_found` if it is gone. */
  authorize(mailId: string, token: string): void {
    const box = this.opts.mq9.mailboxes.get(mailId);
    if (box === undefined) throw new AnswerError("not_found", `no mailbox ${mailId}`);
    if (!tokenMatches(token, box.tokenHash)) {
      throw new AnswerError("unauthorized", "wrong token for this mailbox");
    }
  }

  async answer(input: AnswerInput, now = Date.now()): Promise<AnswerRecord> {
    const { store, log } = this.opts;
    this.authorize(input.mailId, input.token);
    const row = this.opts.mq9.store.getMessage(input.mailId, input.msgId);
    if (row === undefined) {
      throw new AnswerError("not_found", `no message ${input.msgId} in ${input.mailId}`);
    }
    const asked = askedOf(row.payload, row.reply, input.msgId, (id) =>
      this.opts.mq9.mailboxes.has(id),
    );
    if (asked === null) {
      throw new AnswerError("not_a_request", "the message has nowhere to send an answer");
    }
    const quickReply = input.decision === "answer" && asked.options.includes(input.text ?? "");
    if (!asked.allowed.includes(input.decision) && !quickReply) {
      throw new AnswerError("not_allowed", `the request does not allow "${input.decision}"`);
    }
    if (asked.expiresAt !== null && asked.expiresAt <= now) {
      throw new AnswerError("expired", "the request expired before it was answered");
    }

    const response = approvalResponse({
      from: input.mailId,
      request: asked.correlationId,
      decision: input.decision,
      reason: input.reason,
      args: input.args,
      text: input.text,
      responder: input.responder,
      respondedAt: now,
    });
    const claim: AnswerRow = {
      mailId: input.mailId,
      correlationId: asked.correlationId,
      msgId: input.msgId,
      replyTo: asked.replyTo,
      decision: input.decision,
      response: JSON.stringify(response),
      responder: input.responder,
      respondedAt: now,
    };
    if (!store.claimAnswer(claim)) {
      const existing = store.getAnswer(input.mailId, asked.correlationId);
      throw new AnswerError(
        "already_answered",
        "this request has already been answered",
        existing === undefined ? null : record(existing),
      );
    }
    try {
      await this.deliver(asked.replyTo, response);
    } catch (err) {
      store.releaseAnswer(input.mailId, asked.correlationId);
      log.info("approval answer not delivered", {
        mail_id: input.mailId,
        msg_id: input.msgId,
        err: err instanceof Error ? err.message : String(err),
      });
      const why = err instanceof Error ? err.message : String(err);
      throw new AnswerError("undeliverable", `the answer could not be delivered: ${why}`);
    }
    const answered = record(claim);
    log.info("approval answered", {
      mail_id: input.mailId,
      msg_id: input.msgId,
      decision: input.decision,
    });
    this.opts.connection.publish(
      ANSWERED_PREFIX + input.mailId,
      new TextEncoder().encode(JSON.stringify(answered)),
    );
    return answered;
  }

  /**
   * To a mailbox: checked and stored before this resolves (MailboxSender). To any other
   * subject (an agent waiting online on `_INBOX.…`): a plain publish.
   */
  private async deliver(replyTo: string, response: ApprovalResponse): Promise<void> {
    const { sender, connection } = this.opts;
    const bytes = new TextEncoder().encode(JSON.stringify(response));
    const target = classifyPublish(replyTo);
    if (target.kind === "inbox") {
      const mailId = mailIdOf(replyTo);
      if (mailId === null) throw new Error(`reply_to ${replyTo} names no mailbox`);
      await sender.send(mailId, target.priority ?? "normal", bytes);
      return;
    }
    if (replyTo.startsWith("$mq9.")) throw new Error(`reply_to ${replyTo} is not an inbox`);
    connection.publish(replyTo, bytes);
    await connection.flush();
  }
}

function record(row: AnswerRow): AnswerRecord {
  return {
    mailId: row.mailId,
    msgId: row.msgId,
    correlationId: row.correlationId,
    replyTo: row.replyTo,
    decision: row.decision,
    response: JSON.parse(row.response) as ApprovalResponse,
    responder: row.responder,
    respondedAt: row.respondedAt,
  };
}

/**
 * How a stored message may be answered. An approval request (§12.1) says so itself; any
 * other JSON message with a reply_to (or a NATS reply subject) — including a request that
 * does not follow the convention, which the inbox shows raw — may be answered as text,
 * keyed by its correlation_id or, without one, by its msg_id.
 */
function askedOf(
  payload: Buffer,
  natsReply: string | null,
  msgId: number,
  isMailbox: (id: string) => boolean,
): Asked | null {
  let body: unknown;
  try {
    body = JSON.parse(payload.toString("utf8"));
  } catch {
    body = null;
  }
  const fields = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  let replyTo = typeof fields.reply_to === "string" ? fields.reply_to : natsReply;
  if (replyTo === null || replyTo === "") return null;
  // A bare mail_id, as lib/mq9 accepts it from agent authors: its normal inbox.
  if (isValidMailId(replyTo) && isMailbox(replyTo)) replyTo = `${INBOX_PREFIX}${replyTo}.normal`;
  const correlationId =
    typeof fields.correlation_id === "string" ? fields.correlation_id : `msg-${msgId}`;
  const expiresAt = typeof fields.expires_at === "number" ? fields.expires_at : null;
  if (!isApprovalRequest(body)) {
    return { correlationId, replyTo, allowed: ["answer"], options: [], expiresAt };
  }
  return {
    correlationId,
    replyTo,
    allowed: body.allowed ?? ["approve", "reject"],
    options: (body.options ?? []).map((o) => o.name),
    expiresAt,
  };
}
