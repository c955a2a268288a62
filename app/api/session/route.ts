import { guard, natsSession } from "@/server/console/guard";
import { sessionQuery } from "./schema";

export const dynamic = "force-dynamic";

/**
 * How the browser connects to NATS over WebSocket: the path on this origin and, once
 * sign-in exists, its credentials. `?role=operator|human` (default human).
 */
export function GET(req: Request): Response {
  const parsed = sessionQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) {
    return Response.json(
      { error: parsed.error.issues[0]?.message ?? "bad query", code: "bad_request" },
      { status: 400 },
    );
  }
  const { role } = parsed.data;
  const refused = guard(req, role);
  if (refused) return refused;
  return Response.json(natsSession(role), { headers: { "cache-control": "no-store" } });
}
