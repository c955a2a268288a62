import { guardOperator } from "@/server/console/guard";
import { purgeDeadLetters } from "@/server/console/data/dead-letter-actions";
import { notRunning, ok, parseJson } from "../../respond";
import { purgeBody } from "./schema";

export const dynamic = "force-dynamic";

export async function POST(req: Request): Promise<Response> {
  const refused = guardOperator(req);
  if (refused) return refused;
  const body = await parseJson(purgeBody, req);
  if (body instanceof Response) return body;
  const purged = purgeDeadLetters("all" in body ? "all" : body.ids);
  return purged === null ? notRunning() : ok({ purged });
}
