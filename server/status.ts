/**
 * The broker's figures as the status page and `/api/stats` serve them. Route handlers only:
 * it reads the in-process runtime, which exists in the custom server, not in the browser.
 */
import "server-only";
import type { BrokerStats } from "./nats/mod";
import { getRuntime, type Endpoint } from "./runtime";

export interface StatusSnapshot {
  /** When the figures were read (ms epoch); rates are deltas between two of these. */
  sampledAt: number;
  uptimeMs: number;
  productVersion: string;
  stats: BrokerStats;
  endpoints: readonly Endpoint[];
}

/** Null when no broker runs in this process (e.g. `next dev` without the custom server). */
export function statusSnapshot(): StatusSnapshot | null {
  const runtime = getRuntime();
  if (!runtime) return null;
  const stats = runtime.broker.stats();
  const sampledAt = Date.now();
  return {
    sampledAt,
    uptimeMs: Math.max(0, sampledAt - stats.startedAt),
    productVersion: runtime.productVersion,
    stats,
    endpoints: runtime.endpoints,
  };
}
