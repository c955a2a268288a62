/**
 * /api/inbox/answers as the browser sees it: replies, error codes and the token header.
 * The mailbox token travels in a header, never in a URL (where it would land in logs and
 * history). No zod here: this file is part of the browser bundle.
 */
import type { ApprovalAction } from "@/lib/mq9/mod";

export const TOKEN_HEADER = "x-mq9-token";

/** One answer as the inbox shows it. */
export interface AnswerView {
  mailId: string;
  msgId: number;
  correlationId: string;
  decision: ApprovalAction;
  responder: string;
  respondedAt: number;
  reason: string | null;
  args: Record<string, unknown> | null;
  text: string | null;
}

export type InboxErrorCode =
  | "bad_request"
  | "unauthorized"
  | "not_found"
  | "not_a_request"
  | "not_allowed"
  | "expired"
  | "already_answered"
  | "undeliverable"
  | "unavailable";

export interface InboxError {
  error: string;
  code: InboxErrorCode;
  /** With `already_answered`: the answer that stands. */
  existing?: AnswerView;
}

export interface AnswersListReply {
  answers: AnswerView[];
}

export interface AnswerReply {
  answer: AnswerView;
}
