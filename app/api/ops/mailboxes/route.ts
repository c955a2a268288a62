import { guardOperator } from "@/server/console/guard";
import { listMailboxes } from "@/server/console/data/mailboxes";
import { notRunning, ok, parse, searchOf } from "../respond";
import { mailboxesQuery } from "./schema";

export const dynamic = "force-dynamic";

/** One page of live mailboxes with their counters (never touches unread state). */
export function GET(req: Request): Response {
  const refused = guardOperator(req);
  if (refused) return refused;
  const query = parse(mailboxesQuery, searchOf(req));
  if (query instanceof Response) return query;
  const page = listMailboxes(query);
  return page === null ? notRunning() : ok(page);
}
