/** The browser side of /api/inbox/answers (see app/api/inbox/answers/route.ts). */
import type { AnswerBody } from "@/app/api/inbox/answers/schema";
import {
  TOKEN_HEADER,
  type AnswerReply,
  type AnswerView,
  type AnswersListReply,
  type InboxError,
} from "@/app/api/inbox/answers/types";

export type AnswerResult = { ok: true; answer: AnswerView } | ({ ok: false } & InboxError);

async function errorOf(res: Response): Promise<InboxError> {
  try {
    const body = (await res.json()) as Partial<InboxError>;
    if (typeof body.error === "string" && typeof body.code === "string") return body as InboxError;
  } catch {
    // Not our JSON (a proxy's page, a crash): fall through.
  }
  return { error: `the server answered ${res.status}`, code: "unavailable" };
}

export async function fetchAnswers(mailId: string, token: string): Promise<AnswerView[]> {
  const res = await fetch(`/api/inbox/answers?mail_id=${encodeURIComponent(mailId)}`, {
    headers: { [TOKEN_HEADER]: token },
    cache: "no-store",
  });
  if (!res.ok) throw new Error((await errorOf(res)).error);
  return ((await res.json()) as AnswersListReply).answers;
}

export async function postAnswer(token: string, body: AnswerBody): Promise<AnswerResult> {
  let res: Response;
  try {
    res = await fetch("/api/inbox/answers", {
      method: "POST",
      headers: { "content-type": "application/json", [TOKEN_HEADER]: token },
      body: JSON.stringify(body),
    });
  } catch {
    return { ok: false, error: "the console server cannot be reached", code: "unavailable" };
  }
  if (res.ok) return { ok: true, answer: ((await res.json()) as AnswerReply).answer };
  return { ok: false, ...(await errorOf(res)) };
}

/** A live notice on `$mq9console.answered.<mail_id>` (server/console/answers.ts), or null. */
export function answerFromNotice(value: unknown): AnswerView | null {
  if (typeof value !== "object" || value === null) return null;
  const r = value as Record<string, unknown>;
  const response = r.response as Record<string, unknown> | null | undefined;
  if (
    typeof r.mailId !== "string" ||
    typeof r.msgId !== "number" ||
    typeof r.correlationId !== "string" ||
    typeof r.decision !== "string" ||
    typeof r.responder !== "string" ||
    typeof r.respondedAt !== "number" ||
    typeof response !== "object" ||
    response === null
  ) {
    return null;
  }
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  const args = response.args;
  return {
    mailId: r.mailId,
    msgId: r.msgId,
    correlationId: r.correlationId,
    decision: r.decision as AnswerView["decision"],
    responder: r.responder,
    respondedAt: r.respondedAt,
    reason: str(response.reason),
    args:
      typeof args === "object" && args !== null && !Array.isArray(args)
        ? (args as Record<string, unknown>)
        : null,
    text: str(response.text),
  };
}

export { ANSWERED_PREFIX } from "@/lib/console/subjects";
