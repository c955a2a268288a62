/** GET /api/ops/mailboxes/{mailId}/messages: a page of stored messages in mq9 order. */
import { z } from "zod";

/** `<priority rank>.<msg_id>`, as MessagePage.next / .prev give it. */
const cursor = z.string().regex(/^[0-2]\.\d{1,15}$/, "a cursor is <priority>.<msg_id>");

export const messagesParams = z.object({
  mailId: z.string().regex(/^[a-z0-9_-]{1,128}$/, "not a mail_id"),
});

export const messagesQuery = z
  .object({
    after: cursor.optional(),
    before: cursor.optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .refine((q) => q.after === undefined || q.before === undefined, {
    message: "after and before exclude each other",
  });
