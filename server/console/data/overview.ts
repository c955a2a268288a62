/**
 * The overview's figures: the broker's snapshot (server/status.ts) plus mq9's counters,
 * read from the in-memory registry (the store is only asked for the dead-letter count).
 */
import "server-only";
import type { Mq9Stats } from "@/server/mq9/service";
import { getRuntime } from "@/server/runtime";
import { statusSnapshot, type StatusSnapshot } from "@/server/status";

export interface OpsSnapshot extends StatusSnapshot {
  mq9: Mq9Stats;
}

/** Null when no broker runs in this process (e.g. `next dev` without the custom server). */
export function opsSnapshot(): OpsSnapshot | null {
  const runtime = getRuntime();
  const status = statusSnapshot();
  if (runtime === undefined || status === null) return null;
  return { ...status, mq9: runtime.mq9.stats() };
}
