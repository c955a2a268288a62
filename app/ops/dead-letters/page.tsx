import type { Metadata } from "next";
import { DeadLettersView } from "@/components/ops/dead-letters-view";
import { NoBroker } from "@/components/ops/no-broker";
import { operatorRefusal } from "@/components/ops/operator-guard";
import { PageHeader } from "@/components/ops/page-header";
import { listDeadLetters } from "@/server/console/data/dead-letters";

export const metadata: Metadata = { title: "Dead letters" };
export const dynamic = "force-dynamic";

export default async function DeadLettersPage() {
  const refused = await operatorRefusal();
  if (refused) return refused;
  const page = listDeadLetters();
  return (
    <>
      <PageHeader
        title="Dead letters"
        description="Urgent and normal messages whose standard mailbox expired before anyone read them. Inspect, re-send to a live mailbox, or purge."
      />
      {page === null ? <NoBroker /> : <DeadLettersView initial={page} />}
    </>
  );
}
