import { guardOperator } from "@/server/console/guard";
import { getMessage } from "@/server/console/data/messages";
import { fail, ok, parse } from "../../../../respond";
import { messageParams } from "./schema";

export const dynamic = "force-dynamic";

/** One stored message with payload, headers and raw form; reading it marks nothing read. */
export async function GET(
  req: Request,
  ctx: { params: Promise<{ mailId: string; msgId: string }> },
): Promise<Response> {
  const refused = guardOperator(req);
  if (refused) return refused;
  const params = parse(messageParams, await ctx.params);
  if (params instanceof Response) return params;
  const msg = getMessage(params.mailId, params.msgId);
  return msg === undefined
    ? fail(404, "not_found", `no message ${params.msgId} in ${params.mailId}`)
    : ok(msg);
}
