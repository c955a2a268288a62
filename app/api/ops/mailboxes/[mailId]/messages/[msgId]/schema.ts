/** GET /api/ops/mailboxes/{mailId}/messages/{msgId}: one stored message in full. */
import { z } from "zod";

export const messageParams = z.object({
  mailId: z.string().regex(/^[a-z0-9_-]{1,128}$/, "not a mail_id"),
  msgId: z.coerce.number().int().positive(),
});
