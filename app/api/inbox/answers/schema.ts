/**
 * /api/inbox/answers: the request schemas the route checks. What travels back, and the
 * token header, are in types.ts, which the browser imports without pulling in zod.
 */
import { z } from "zod";
import { APPROVAL_ACTIONS } from "@/lib/mq9/mod";

const mailId = z.string().regex(/^[a-z0-9_-]{1,128}$/, "not a mail_id");

export const tokenSchema = z.string().min(1, "the mailbox token is missing").max(512);

export const listQuerySchema = z.object({ mail_id: mailId });

export const answerBodySchema = z
  .object({
    mail_id: mailId,
    msg_id: z.number().int().positive(),
    decision: z.enum(APPROVAL_ACTIONS),
    reason: z.string().max(10_000).optional(),
    args: z.record(z.string(), z.unknown()).optional(),
    text: z.string().max(100_000).optional(),
    responder: z.string().trim().min(1).max(200),
  })
  .superRefine((b, ctx) => {
    // §12.1: reject asks for a reason, answer carries text, edit carries the new args.
    if (b.decision === "reject" && !b.reason?.trim()) {
      ctx.addIssue({ code: "custom", path: ["reason"], message: "a rejection needs a reason" });
    }
    if (b.decision === "answer" && !b.text?.trim()) {
      ctx.addIssue({ code: "custom", path: ["text"], message: "an answer needs text" });
    }
    if (b.decision === "edit" && b.args === undefined) {
      ctx.addIssue({ code: "custom", path: ["args"], message: "an edit needs the edited args" });
    }
  });

export type AnswerBody = z.infer<typeof answerBodySchema>;
