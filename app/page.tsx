import { LiveStatus } from "@/components/live-status";
import { statusSnapshot } from "@/server/status";

// Figures are read at request time; the first paint already shows them, then they stream.
export const dynamic = "force-dynamic";

export default function StatusPage() {
  return <LiveStatus initial={statusSnapshot()} />;
}
