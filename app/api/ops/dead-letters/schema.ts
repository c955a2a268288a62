/** GET /api/ops/dead-letters: newest first, a page at a time, optionally for one mailbox. */
import { z } from "zod";

export const deadLettersQuery = z.object({
  /** A dead-letter id: the page holds older ones. */
  before: z.coerce.number().int().positive().optional(),
  /** Part of the original mail_id. */
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
