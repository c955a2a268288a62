/** GET /api/ops/mailboxes: search, sort and page the live mailboxes. */
import { z } from "zod";
import { MAILBOX_SORT_KEYS } from "@/server/console/data/mailboxes";

export const mailboxesQuery = z.object({
  q: z.string().max(200).optional(),
  sort: z.enum(MAILBOX_SORT_KEYS).optional(),
  dir: z.enum(["asc", "desc"]).optional(),
  offset: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export type MailboxesQuery = z.infer<typeof mailboxesQuery>;
