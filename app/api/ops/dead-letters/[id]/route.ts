import { guardOperator } from "@/server/console/guard";
import { getDeadLetter } from "@/server/console/data/dead-letters";
import { fail, ok, parse } from "../../respond";
import { deadLetterParams } from "./schema";

export const dynamic = "force-dynamic";

export async function GET(
  req: Request,
  ctx: { params: Promise<{ id: string }> },
): Promise<Response> {
  const refused = guardOperator(req);
  if (refused) return refused;
  const params = parse(deadLetterParams, await ctx.params);
  if (params instanceof Response) return params;
  const letter = getDeadLetter(params.id);
  return letter === undefined ? fail(404, "not_found", `no dead letter ${params.id}`) : ok(letter);
}
