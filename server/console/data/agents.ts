/**
 * The agents index as the operator's page shows it (mq9.md §12.2): kept by the server
 * (server/console/agents-index.ts) from start-up, so the list is complete at first paint.
 */
import "server-only";
import type { AgentEntry } from "@/server/console/agents-index";
import { getRuntime } from "@/server/runtime";

export type { AgentEntry, AgentState } from "@/server/console/agents-index";

export interface AgentsView {
  agents: AgentEntry[];
  /** When the states were computed (ms epoch): fresh / stale depend on it. */
  at: number;
}

/** Null when no console service runs in this process. */
export function listAgents(): AgentsView | null {
  const agents = getRuntime()?.console.agents;
  if (!agents) return null;
  return { agents: agents.list(), at: Date.now() };
}
