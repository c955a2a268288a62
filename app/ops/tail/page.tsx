import type { Metadata } from "next";
import { LiveTail } from "@/components/ops/live-tail";
import { operatorRefusal } from "@/components/ops/operator-guard";
import { PageHeader } from "@/components/ops/page-header";

export const metadata: Metadata = { title: "Live tail" };
export const dynamic = "force-dynamic";

export default async function TailPage() {
  const refused = await operatorRefusal();
  if (refused) return refused;
  return (
    <>
      <PageHeader
        title="Live tail"
        description="Every message on the broker that matches the filter, newest first, straight from NATS over WebSocket in this browser."
      />
      <LiveTail />
    </>
  );
}
