import { guardOperator } from "@/server/console/guard";
import { getMailbox } from "@/server/console/data/mailboxes";
import { listMessages, parseCursor } from "@/server/console/data/messages";
import { fail, notRunning, ok, parse, searchOf } from "../../../respond";
import { messagesParams, messagesQuery } from "./schema";

export const dynamic = "force-dynamic";

/**
 * A page of a mailbox's stored messages in mq9 order, read from the store: never a QUERY
 * or an owner subscription, so nothing becomes read (mq9.md §6.2).
 */
export async function GET(
  req: Request,
  ctx: { params: Promise<{ mailId: string }> },
): Promise<Response> {
  const refused = guardOperator(req);
  if (refused) return refused;
  const params = parse(messagesParams, await ctx.params);
  if (params instanceof Response) return params;
  const query = parse(messagesQuery, searchOf(req));
  if (query instanceof Response) return query;
  if (getMailbox(params.mailId) === undefined) {
    return fail(404, "not_found", `no mailbox ${params.mailId} (unknown or expired)`);
  }
  const page = listMessages(params.mailId, {
    after: query.after === undefined ? null : parseCursor(query.after),
    before: query.before === undefined ? null : parseCursor(query.before),
    limit: query.limit,
  });
  return page === null ? notRunning() : ok(page);
}
