import { guardOperator } from "@/server/console/guard";
import { resendDeadLetters } from "@/server/console/data/dead-letter-actions";
import { getMailbox } from "@/server/console/data/mailboxes";
import { fail, notRunning, ok, parseJson } from "../../respond";
import { resendBody } from "./schema";

export const dynamic = "force-dynamic";

/**
 * Re-sends through the console's in-process mq9 client: each letter is stored in the target
 * mailbox (confirmed) before it leaves the dead-letter store. 200 with what was re-sent and
 * what failed; 409 `resend_failed` when none could be.
 */
export async function POST(req: Request): Promise<Response> {
  const refused = guardOperator(req);
  if (refused) return refused;
  const body = await parseJson(resendBody, req);
  if (body instanceof Response) return body;
  if (getMailbox(body.target) === undefined) {
    return fail(404, "not_found", `no mailbox ${body.target} (unknown or expired)`);
  }
  const result = await resendDeadLetters(body.ids, body.target, body.priority ?? null);
  if (result === null) return notRunning();
  if (result.resent.length === 0 && result.failed.length > 0) {
    const first = result.failed[0]!;
    return fail(409, "resend_failed", `${first.code}: ${first.error}`);
  }
  return ok(result);
}
