import type { Metadata } from "next";
import { operatorRefusal } from "@/components/ops/operator-guard";
import { Overview } from "@/components/ops/overview";
import { opsSnapshot } from "@/server/console/data/overview";

export const metadata: Metadata = { title: "Overview" };

// Figures are read at request time; the first paint already shows them, then they stream.
export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const refused = await operatorRefusal();
  if (refused) return refused;
  return <Overview initial={opsSnapshot()} />;
}
