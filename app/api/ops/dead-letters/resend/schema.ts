/** POST /api/ops/dead-letters/resend: send dead letters to a mailbox, then drop them. */
import { z } from "zod";
import { PRIORITIES } from "@/lib/mq9/mod";

export const resendBody = z.object({
  ids: z.array(z.number().int().positive()).min(1).max(500),
  /** The mailbox to send to: the original one or any other. */
  target: z.string().regex(/^[a-z0-9_-]{1,128}$/, "not a mail_id"),
  /** Default: each letter's own priority. */
  priority: z.enum(PRIORITIES).optional(),
});

export type ResendBody = z.infer<typeof resendBody>;
