import "server-only";
import { statusSnapshot } from "@/server/status";

export const dynamic = "force-dynamic";

/** The broker's current figures as JSON; 503 when no broker runs in this process. */
export function GET(): Response {
  const snapshot = statusSnapshot();
  if (!snapshot) {
    return Response.json({ error: "broker_not_running" }, { status: 503 });
  }
  return Response.json(snapshot, { headers: { "cache-control": "no-store" } });
}
