import { guardOperator } from "@/server/console/guard";
import { listDeadLetters } from "@/server/console/data/dead-letters";
import { notRunning, ok, parse, searchOf } from "../respond";
import { deadLettersQuery } from "./schema";

export const dynamic = "force-dynamic";

export function GET(req: Request): Response {
  const refused = guardOperator(req);
  if (refused) return refused;
  const query = parse(deadLettersQuery, searchOf(req));
  if (query instanceof Response) return query;
  const page = listDeadLetters(query);
  return page === null ? notRunning() : ok(page);
}
