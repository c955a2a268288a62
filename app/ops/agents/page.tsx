import type { Metadata } from "next";
import { AgentsView } from "@/components/ops/agents-view";
import { NoBroker } from "@/components/ops/no-broker";
import { operatorRefusal } from "@/components/ops/operator-guard";
import { PageHeader } from "@/components/ops/page-header";
import { listAgents } from "@/server/console/data/agents";

export const metadata: Metadata = { title: "Agents" };
export const dynamic = "force-dynamic";

export default async function AgentsPage() {
  const refused = await operatorRefusal();
  if (refused) return refused;
  // The server's index, rendered here: complete at first paint, then polled.
  const view = listAgents();
  return (
    <>
      <PageHeader
        title="Agents"
        description="Every agent seen announcing its capabilities on $mq9.AI.BROADCAST.system.capability, with what it can do and whether it is still around."
      />
      {view === null ? <NoBroker /> : <AgentsView initial={view} />}
    </>
  );
}
