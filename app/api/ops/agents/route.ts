import { guardOperator } from "@/server/console/guard";
import { listAgents } from "@/server/console/data/agents";
import { notRunning, ok, parse, searchOf } from "../respond";
import { agentsQuery } from "./schema";

export const dynamic = "force-dynamic";

/** The agents index with states as of now (the page polls it). */
export function GET(req: Request): Response {
  const refused = guardOperator(req);
  if (refused) return refused;
  const query = parse(agentsQuery, searchOf(req));
  if (query instanceof Response) return query;
  const view = listAgents();
  return view === null ? notRunning() : ok(view);
}
