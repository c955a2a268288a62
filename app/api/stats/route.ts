import "server-only";
import { opsSnapshot } from "@/server/console/data/overview";
import { guardOperator } from "@/server/console/guard";

export const dynamic = "force-dynamic";

/** The broker's and mq9's current figures as JSON; 503 when no broker runs in this process. */
export function GET(req: Request): Response {
  const refused = guardOperator(req);
  if (refused) return refused;
  const snapshot = opsSnapshot();
  if (!snapshot) {
    return Response.json(
      { error: "no broker runs in this process", code: "broker_not_running" },
      { status: 503 },
    );
  }
  return Response.json(snapshot, { headers: { "cache-control": "no-store" } });
}
