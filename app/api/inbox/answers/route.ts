/**
 * Answers to approval requests (mq9.md §12.1) for the human inbox.
 *
 * GET  ?mail_id=…           → the mailbox's answers, so answered state survives a reload
 *                              and shows in every browser.
 * POST {mail_id, msg_id, …} → answer once; the server publishes the approval_response to
 *                              the request's reply_to. A second answer is 409
 *                              `already_answered`, with the answer that stands.
 * Both need the mailbox token in the `x-mq9-token` header.
 */
import { getRuntime } from "@/server/runtime";
import { guardHuman } from "@/server/console/guard";
import {
  ANSWER_ERROR_CODES,
  type AnswerError,
  type AnswerErrorCode,
  type AnswerRecord,
} from "@/server/console/answers";
import { answerBodySchema, listQuerySchema, tokenSchema } from "./schema";
import {
  TOKEN_HEADER,
  type AnswerReply,
  type AnswerView,
  type AnswersListReply,
  type InboxError,
  type InboxErrorCode,
} from "./types";

export const dynamic = "force-dynamic";

const STATUS: Record<AnswerErrorCode, number> = {
  unauthorized: 401,
  not_found: 404,
  not_a_request: 422,
  not_allowed: 422,
  expired: 410,
  already_answered: 409,
  undeliverable: 502,
};

function fail(status: number, code: InboxErrorCode, error: string, existing?: AnswerView) {
  const body: InboxError = existing === undefined ? { error, code } : { error, code, existing };
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}

function view(r: AnswerRecord): AnswerView {
  return {
    mailId: r.mailId,
    msgId: r.msgId,
    correlationId: r.correlationId,
    decision: r.decision,
    responder: r.responder,
    respondedAt: r.respondedAt,
    reason: r.response.reason,
    args: r.response.args,
    text: r.response.text,
  };
}

function answerBook() {
  return getRuntime()?.console.answers ?? null;
}

/**
 * Not `instanceof`: Next bundles this route with its own copy of answers.ts, while the
 * AnswerBook that throws was loaded by the custom server, so the classes differ.
 */
function isAnswerError(err: unknown): err is AnswerError {
  return (
    err instanceof Error &&
    err.name === "AnswerError" &&
    (ANSWER_ERROR_CODES as readonly unknown[]).includes((err as { code?: unknown }).code)
  );
}

function fromError(err: unknown): Response {
  if (isAnswerError(err)) {
    return fail(
      STATUS[err.code],
      err.code,
      err.message,
      err.existing === null ? undefined : view(err.existing),
    );
  }
  throw err;
}

export async function GET(req: Request): Promise<Response> {
  const denied = await guardHuman(req);
  if (denied !== null) return denied;
  const url = new URL(req.url);
  const query = listQuerySchema.safeParse({ mail_id: url.searchParams.get("mail_id") });
  if (!query.success)
    return fail(400, "bad_request", query.error.issues[0]?.message ?? "bad query");
  const token = tokenSchema.safeParse(req.headers.get(TOKEN_HEADER) ?? "");
  if (!token.success) return fail(401, "unauthorized", token.error.issues[0]?.message ?? "");
  const book = answerBook();
  if (book === null) return fail(503, "unavailable", "the broker is not running");
  try {
    book.authorize(query.data.mail_id, token.data);
    const reply: AnswersListReply = { answers: book.list(query.data.mail_id).map(view) };
    return Response.json(reply, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return fromError(err);
  }
}

export async function POST(req: Request): Promise<Response> {
  const denied = await guardHuman(req);
  if (denied !== null) return denied;
  let raw: unknown;
  try {
    raw = await req.json();
  } catch {
    return fail(400, "bad_request", "the body is not JSON");
  }
  const body = answerBodySchema.safeParse(raw);
  if (!body.success) {
    const issue = body.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    return fail(400, "bad_request", `${where}${issue?.message ?? "bad body"}`);
  }
  const token = tokenSchema.safeParse(req.headers.get(TOKEN_HEADER) ?? "");
  if (!token.success) return fail(401, "unauthorized", token.error.issues[0]?.message ?? "");
  const book = answerBook();
  if (book === null) return fail(503, "unavailable", "the broker is not running");
  const b = body.data;
  try {
    const answered = await book.answer({
      mailId: b.mail_id,
      token: token.data,
      msgId: b.msg_id,
      decision: b.decision,
      reason: b.reason,
      args: b.args,
      text: b.text,
      responder: b.responder,
    });
    const reply: AnswerReply = { answer: view(answered) };
    return Response.json(reply, { status: 201, headers: { "cache-control": "no-store" } });
  } catch (err) {
    return fromError(err);
  }
}
